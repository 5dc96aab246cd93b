"""Output types of the metadata schema: ``Object``, ``Field``, ``Relation``, connections, keys, workspace.

Objects and fields resolve from model rows; their scalar attributes come from the same shapes
the REST API returns (``object_to_api`` / ``field_to_api``), computed once per row, so both
APIs give identical values (``defaultValue`` quoting, date formats, ids).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import graphene
from graphene.utils.str_converters import to_camel_case

from apikeys_app.models import ApiKey
from apikeys_app.views import api_key_to_api
from metadata_app.graphql.enums import FieldMetadataType, RelationType
from metadata_app.graphql.filters import FIELD_FILTER_ATTRIBUTES, FieldFilter, read_filter
from metadata_app.graphql.inputs import CursorPaging
from metadata_app.graphql.loading import fields_of
from metadata_app.graphql.paging import Page, PageRequest, encode_cursor, page_rows
from metadata_app.graphql.role_types import RoleNode, camel_resolver
from metadata_app.graphql.scalars import JSON, UUID, ConnectionCursor, DateTime
from metadata_app.models import FieldMetadata, Workspace
from metadata_app.rest.serialize import field_to_api, object_to_api
from roles_app.checks import permissions_of, require_any_flag
from roles_app.flags import API_KEYS_AND_WEBHOOKS, ROLES
from roles_app.models import Role
from roles_app.serialize import role_to_api

__all__ = [
    "SHAPE_ATTR",
    "ApiKeyNode",
    "ApiKeyTokenNode",
    "FieldConnection",
    "FieldEdge",
    "FieldNode",
    "ObjectConnection",
    "ObjectEdge",
    "ObjectFieldsConnection",
    "ObjectNode",
    "PageInfo",
    "RelationNode",
    "WorkspaceNode",
    "WorkspaceUrlsNode",
    "api_shape",
    "filter_argument",
    "paging_argument",
    "shape_resolver",
]

SHAPE_ATTR = "_graphql_shape"


def api_shape(row: Any, shape: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """Return ``shape(row)``, computed once per row (a row is shaped as one type only)."""
    shaped = row.__dict__.get(SHAPE_ATTR)
    if shaped is None:
        shaped = row.__dict__[SHAPE_ATTR] = shape(row)
    return shaped


def shape_resolver(shape: Callable[[Any], dict[str, Any]]) -> Callable[..., Any]:
    """A default resolver reading ``shape(row)[camelCase name]``."""

    def resolve(attname: str, default_value: Any, root: Any, info: Any, **args: Any) -> Any:
        return api_shape(root, shape).get(to_camel_case(attname), default_value)

    return resolve


def paging_argument() -> graphene.Argument:
    """``paging: CursorPaging! = {first: 10}``."""
    return graphene.Argument(graphene.NonNull(CursorPaging), default_value={"first": 10})


def filter_argument(filter_type: type[graphene.InputObjectType]) -> graphene.Argument:
    """``filter: <Type>! = {}``."""
    return graphene.Argument(graphene.NonNull(filter_type), default_value={})


@dataclass(frozen=True)
class Edge:
    """One edge of a connection."""

    cursor: str
    node: Any


class PageInfo(graphene.ObjectType):
    """Where a page sits in its list."""

    has_next_page = graphene.Boolean()
    has_previous_page = graphene.Boolean()
    start_cursor = graphene.Field(ConnectionCursor)
    end_cursor = graphene.Field(ConnectionCursor)


def connection(name: str, edge: Callable[[], type[graphene.ObjectType]]) -> type[graphene.ObjectType]:
    """Build a connection type over a :class:`~metadata_app.graphql.paging.Page`."""

    def resolve_edges(page: Page, info: Any) -> list[Edge]:
        return [Edge(encode_cursor(row.pk), row) for row in page.rows]

    attrs = {
        "__doc__": f"A page of the list, with its place in it and the list's size ({name}).",
        "page_info": graphene.NonNull(PageInfo, resolver=lambda page, info: page),
        "edges": graphene.NonNull(graphene.List(graphene.NonNull(edge)), resolver=resolve_edges),
        "total_count": graphene.NonNull(graphene.Int, resolver=lambda page, info: page.total_count),
        "Meta": type("Meta", (), {"name": name}),
    }
    return type(name, (graphene.ObjectType,), attrs)


class SearchFieldNode(graphene.ObjectType):
    """One search field of an object (Twenty 2.43's ``SearchField``, api-reference §13.1).

    The search index is no field here (no ``TS_VECTOR`` row): ``tsVectorFieldMetadataId`` is a
    stable id derived from the object's, and ``id`` one derived from the field's.
    """

    class Meta:
        name = "SearchField"

    id = graphene.NonNull(UUID)
    field_metadata_id = graphene.NonNull(UUID)
    ts_vector_field_metadata_id = graphene.NonNull(UUID)
    position = graphene.NonNull(graphene.Int)


def search_fields(obj: Any) -> list[dict[str, Any]]:
    """The active searchable fields of ``obj`` in creation order, as ``SearchField`` values."""
    searchable = sorted(
        (field for field in fields_of(obj) if field.is_searchable and field.is_active),
        key=lambda field: (field.created_at, str(field.pk)),
    )
    vector = uuid.uuid5(obj.pk, "searchVector")
    return [
        {
            "id": uuid.uuid5(field.pk, "searchField"),
            "field_metadata_id": field.pk,
            "ts_vector_field_metadata_id": vector,
            "position": position,
        }
        for position, field in enumerate(searchable)
    ]


class ObjectNode(graphene.ObjectType):
    """An object of the workspace's data model, with its fields."""

    class Meta:
        name = "Object"
        default_resolver = shape_resolver(object_to_api)

    id = graphene.NonNull(UUID)
    name_singular = graphene.NonNull(graphene.String)
    name_plural = graphene.NonNull(graphene.String)
    label_singular = graphene.NonNull(graphene.String)
    label_plural = graphene.NonNull(graphene.String)
    description = graphene.String()
    icon = graphene.String()
    is_custom = graphene.NonNull(graphene.Boolean)
    is_active = graphene.NonNull(graphene.Boolean)
    is_system = graphene.NonNull(graphene.Boolean)
    is_remote = graphene.NonNull(graphene.Boolean)
    is_searchable = graphene.NonNull(graphene.Boolean)
    is_label_synced_with_name = graphene.NonNull(graphene.Boolean)
    label_identifier_field_metadata_id = graphene.String()
    image_identifier_field_metadata_id = graphene.String()
    duplicate_criteria = graphene.List(graphene.NonNull(graphene.List(graphene.NonNull(graphene.String))))
    created_at = graphene.NonNull(DateTime)
    updated_at = graphene.NonNull(DateTime)
    fields = graphene.NonNull(
        lambda: ObjectFieldsConnection, paging=paging_argument(), filter=filter_argument(FieldFilter)
    )
    fields_list = graphene.NonNull(graphene.List(graphene.NonNull(lambda: FieldNode)))
    search_field_metadata_list = graphene.NonNull(graphene.List(graphene.NonNull(SearchFieldNode)))

    @staticmethod
    def resolve_search_field_metadata_list(root: Any, info: Any) -> list[dict[str, Any]]:
        """The object's search fields (what ``search`` and ``searchVector[search]`` look in)."""
        return search_fields(root)

    @staticmethod
    def resolve_fields(root: Any, info: Any, paging: Any, filter: Any) -> Page:
        """The object's fields, filtered and paged like the top-level ``fields`` list."""
        request = PageRequest.parse(paging)
        condition = read_filter(filter, FIELD_FILTER_ATTRIBUTES)
        return page_rows([field for field in fields_of(root) if condition.matches(field)], request)

    @staticmethod
    def resolve_fields_list(root: Any, info: Any) -> list[FieldMetadata]:
        """All of the object's fields, ordered by id."""
        return fields_of(root)


class RelationNode(graphene.ObjectType):
    """Both ends of a RELATION field: objects and fields, seen from the field asked about."""

    class Meta:
        name = "Relation"

    type = graphene.NonNull(RelationType)
    source_object_metadata = graphene.NonNull(ObjectNode)
    target_object_metadata = graphene.NonNull(ObjectNode)
    source_field_metadata = graphene.NonNull(lambda: FieldNode)
    target_field_metadata = graphene.Field(lambda: FieldNode)


class FieldNode(graphene.ObjectType):
    """A field of an object."""

    class Meta:
        name = "Field"
        default_resolver = shape_resolver(field_to_api)

    id = graphene.NonNull(UUID)
    type = graphene.NonNull(FieldMetadataType)
    name = graphene.NonNull(graphene.String)
    label = graphene.NonNull(graphene.String)
    description = graphene.String()
    icon = graphene.String()
    is_custom = graphene.Boolean()
    is_active = graphene.Boolean()
    is_system = graphene.Boolean()
    is_nullable = graphene.Boolean()
    is_unique = graphene.Boolean()
    is_indexed = graphene.Boolean(description="Kept in the index path: sorts and filters on it use an index.")
    is_searchable = graphene.Boolean(description="A search field: its values are found by search (api-reference 13).")
    is_label_synced_with_name = graphene.Boolean()
    default_value = graphene.Field(JSON)
    options = graphene.Field(JSON)
    settings = graphene.Field(JSON)
    object_metadata_id = graphene.NonNull(graphene.String)
    created_at = graphene.NonNull(DateTime)
    updated_at = graphene.NonNull(DateTime)
    object = graphene.Field(ObjectNode)
    relation = graphene.Field(RelationNode)

    @staticmethod
    def resolve_object(root: FieldMetadata, info: Any) -> Any:
        """The object the field belongs to."""
        return root.object

    @staticmethod
    def resolve_relation(root: FieldMetadata, info: Any) -> dict[str, Any] | None:
        """Both ends of a RELATION field; null for other types (as ``relation`` in REST)."""
        shaped = api_shape(root, field_to_api)["relation"]
        if shaped is None:
            return None
        return {
            "type": shaped["type"],
            "source_object_metadata": root.object,
            "target_object_metadata": root.relation_target_object,
            "source_field_metadata": root,
            "target_field_metadata": root.relation_target_field,
        }


def edge(name: str, node: Callable[[], type[graphene.ObjectType]]) -> type[graphene.ObjectType]:
    """Build an edge type: ``{ cursor node }``."""
    attrs = {
        "__doc__": f"A row of a connection and its cursor ({name}).",
        "cursor": graphene.NonNull(ConnectionCursor),
        "node": graphene.NonNull(node),
        "Meta": type("Meta", (), {"name": name}),
    }
    return type(name, (graphene.ObjectType,), attrs)


ObjectEdge = edge("ObjectEdge", lambda: ObjectNode)
FieldEdge = edge("FieldEdge", lambda: FieldNode)
ObjectConnection = connection("ObjectConnection", lambda: ObjectEdge)
FieldConnection = connection("FieldConnection", lambda: FieldEdge)
ObjectFieldsConnection: type[graphene.ObjectType] = connection("ObjectFieldsConnection", lambda: FieldEdge)


WorkspaceActivationStatus = graphene.Enum(
    "WorkspaceActivationStatus",
    [(value, value) for value in ("ONGOING_CREATION", "PENDING_CREATION", "ACTIVE", "INACTIVE", "SUSPENDED")],
    description="Where a workspace is in its life (always ACTIVE here).",
)


class WorkspaceUrlsNode(graphene.ObjectType):
    """Where the workspace is served: this server's base URL (no custom domains here)."""

    class Meta:
        name = "WorkspaceUrls"
        default_resolver = camel_resolver

    custom_url = graphene.String()
    subdomain_url = graphene.NonNull(graphene.String)


def role_or_none(role_id: Any) -> dict[str, Any] | None:
    """The role ``role_id`` as the API shows it, or None."""
    role = Role.objects.filter(pk=role_id).first() if role_id else None
    return role_to_api(role) if role is not None else None


class WorkspaceNode(graphene.ObjectType):
    """The caller's workspace and its settings (api-reference 15); resolves from ``workspace_to_api``."""

    class Meta:
        name = "Workspace"
        default_resolver = camel_resolver

    id = graphene.NonNull(UUID)
    display_name = graphene.String()
    logo = graphene.String()
    created_at = graphene.NonNull(DateTime)
    updated_at = graphene.NonNull(DateTime)
    activation_status = graphene.NonNull(WorkspaceActivationStatus)
    metadata_version = graphene.Float()
    trash_retention_days = graphene.NonNull(
        graphene.Float, description="Records trashed longer ago than this many days are destroyed (daily)."
    )
    event_log_retention_days = graphene.NonNull(graphene.Float, description="Days the webhook delivery log is kept.")
    default_role_id = UUID()
    default_role = graphene.Field(RoleNode, description="The role of API keys created without one.")
    workspace_urls = graphene.NonNull(WorkspaceUrlsNode)

    @staticmethod
    def resolve_default_role(root: dict[str, Any], info: Any) -> dict[str, Any] | None:
        """The default role with its permissions and keys: for whoever manages roles or API keys,
        as ``getApiKeyRoles`` (reading the workspace itself needs nothing)."""
        caller = permissions_of(getattr(info.context, "api_key", None))
        require_any_flag(caller, ROLES, API_KEYS_AND_WEBHOOKS)
        return role_or_none(root.get("defaultRoleId"))


class ApiKeyNode(graphene.ObjectType):
    """An API key (never its token)."""

    class Meta:
        name = "ApiKey"
        default_resolver = shape_resolver(api_key_to_api)

    id = graphene.NonNull(UUID)
    name = graphene.NonNull(graphene.String)
    expires_at = graphene.Field(DateTime)
    revoked_at = graphene.Field(DateTime)
    created_at = graphene.NonNull(DateTime)
    updated_at = graphene.NonNull(DateTime)
    role = graphene.NonNull(RoleNode)

    @staticmethod
    def resolve_role(root: ApiKey, info: Any) -> dict[str, Any] | None:
        """The role the key holds (the workspace's default role for a key written without one)."""
        return role_or_none(root.role_id) or role_or_none(
            Workspace.objects.filter(pk=root.workspace_id).values_list("default_role_id", flat=True).first()
        )


class ApiKeyTokenNode(graphene.ObjectType):
    """A freshly issued token, shown this once."""

    class Meta:
        name = "ApiKeyToken"

    token = graphene.NonNull(graphene.String)
