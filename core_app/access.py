"""What the caller's role may do with records (api-reference 14.3), for the record service and the APIs.

A ``RecordContext`` carries ``access``: the permissions of the API key's role, or None for a caller
that may do everything (a role granting every right on every record and field, or a trusted
caller: the trash purge, seeding, the admin). The record service asks this module before it
reads or writes, so REST, GraphQL, batch, upsert, merge, duplicates, groupBy, counts, aggregates
and relation loading refuse and hide alike::

    access.require(ctx, "update")                 # 403 unless the role may create/update the object's records
    access.check_filter(ctx, node)                # 403 for a condition on a field the role cannot read
    access.check_writes(ctx, raws)                # 403 naming each field the role may not write
    selection, loads = access.visible_output(ctx, selection, loads)   # readable values and relations only

A field is readable when its object is, the role does not hide it, and, for a relation, its target
object is readable too (a relation to an object the role cannot read, its join id included, is
left out). ``searchVector``, made of the object's search fields, is readable when all of them
are. Everything here is derived from the compiled role and the schema snapshot and memoised
per (role version, snapshot version, object): no query, and nothing per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from hashlib import sha1
from typing import TYPE_CHECKING, Any

from core_app.query.ast import Node, OrderKey, iter_conditions
from core_app.query.search_vector import SEARCH_VECTOR, has_search_vector
from core_app.services.errors import InvalidRecordInput
from metadata_app.services.objects import TIMELINE_OBJECT
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot
from roles_app.errors import PermissionDenied
from roles_app.permissions import RolePermissions

if TYPE_CHECKING:  # the loader imports this module: its types are only named here
    from core_app.services.context import RecordContext
    from core_app.services.loading import Load

__all__ = [
    "AUDITED_VALUES",
    "ObjectView",
    "Visibility",
    "can_read_path",
    "check_field_writes",
    "check_filter",
    "check_order",
    "check_paths",
    "check_readable",
    "check_writes",
    "object_view",
    "readable_keys",
    "reads_every_audited_value",
    "reads_search_fields",
    "record_access",
    "require",
    "timeline_targets",
    "visibility",
    "visible_output",
]

#: How a refusal names each object-level right (soft-delete also covers restore).
VERBS = {"read": "read", "update": "create or update", "soft_delete": "soft-delete or restore", "destroy": "destroy"}
#: Path segments of relation filters that quantify a one-to-many relation (api-reference 11.3).
QUANTIFIERS = frozenset({"_some", "_none", "_every"})


def record_access(permissions: RolePermissions | None) -> RolePermissions | None:
    """What a ``RecordContext`` carries for ``permissions``: None when nothing about records is restricted."""
    return None if permissions is None or permissions.all_records else permissions


@dataclass(frozen=True)
class ObjectView:
    """What a role reads and writes of one object: field ids and the API keys of readable values."""

    readable: frozenset[str]
    writable: frozenset[str]
    keys: frozenset[str]  # field names, join names (``companyId``), relation names and ``searchVector``
    complete: bool = False  # every field is readable: outputs need no narrowing


def object_view(access: RolePermissions, snapshot: SchemaSnapshot, spec: ObjectSpec) -> ObjectView:
    """The role's view of ``spec``, memoised on the compiled role per snapshot version."""
    memo = access.memo
    version = (snapshot.workspace_id, snapshot.version)
    if memo.get("snapshot") != version:
        memo.clear()  # a newer data model: views of the older one are never asked for again
        memo["snapshot"] = version
    key = ("object", spec.id)
    found = memo.get(key)
    if found is None:
        found = memo[key] = build_view(access, snapshot, spec)
    return found


def build_view(access: RolePermissions, snapshot: SchemaSnapshot, spec: ObjectSpec) -> ObjectView:
    """Compute :func:`object_view`."""
    rights = access.on(spec.id)
    readable, writable, keys = set(), set(), set()
    for field in spec.fields:
        if not rights.can_read_field(field.id):
            continue
        if field.relation is not None:
            target = snapshot.by_id.get(field.relation.target_object_id)
            if target is None or not access.on(target.id).read:
                continue
            keys.add(field.name)
            if field.is_many_to_one:
                keys.add(field.join_name)
        else:
            keys.add(field.name)
        readable.add(field.id)
        if rights.can_update_field(field.id):
            writable.add(field.id)
    if has_search_vector(spec) and reads_search_fields(readable, spec):
        keys.add(SEARCH_VECTOR)
    return ObjectView(frozenset(readable), frozenset(writable), frozenset(keys), len(readable) == len(spec.fields))


def reads_search_fields(readable: frozenset[str] | set[str], spec: ObjectSpec) -> bool:
    """True when every search field of ``spec`` is among the ``readable`` field ids.

    ``searchVector`` is made of them all: filtering on it or reading it needs every one.
    """
    return all(field.id in readable for field in spec.fields if field.is_searchable)


def view_of(ctx: RecordContext) -> ObjectView | None:
    """The caller's view of ``ctx``'s object (None: everything)."""
    return None if ctx.access is None else object_view(ctx.access, ctx.snapshot, ctx.spec)


# -- refusals -------------------------------------------------------------------------------------


#: Standard objects only the server writes (api-reference §16.2: the timeline is read-only through the API).
READ_ONLY_OBJECTS = frozenset({TIMELINE_OBJECT})
#: Fields of the timeline that hold values of the audited records (diffs, a linked note's title): a
#: role that cannot read every field of every audited object reads them redacted
#: (``timeline.visible_diffs``) and may not filter, sort, group or aggregate on them, since a
#: match would reveal what the redaction hides.
AUDITED_VALUES = frozenset({"properties", "linkedRecordCachedName"})


def timeline_targets(snapshot: SchemaSnapshot) -> dict[str, FieldSpec]:
    """The timeline's ``target<Singular>`` relations by the id of their target, the audited objects.

    Found by target, not by name (a long object name gives a cut field name); ``workspaceMember``,
    the acting member, is no target.
    """
    timeline = snapshot.by_singular.get(TIMELINE_OBJECT)
    if timeline is None:
        return {}
    return {
        field.relation.target_object_id: field
        for field in timeline.relations
        if field.is_many_to_one and field.relation is not None and field.name.startswith("target")
    }


def reads_every_audited_value(access: RolePermissions, snapshot: SchemaSnapshot) -> bool:
    """True when the role reads every field of every audited object (memoised per snapshot version)."""
    memo_key = ("audited", snapshot.workspace_id, snapshot.version)
    found = access.memo.get(memo_key)
    if found is None:
        found = access.memo[memo_key] = all(
            (target := snapshot.by_id.get(object_id)) is not None
            and access.on(object_id).read
            and object_view(access, snapshot, target).complete
            for object_id in timeline_targets(snapshot)
        )
    return bool(found)


def audited_value_refusal(ctx: RecordContext, name: str) -> str | None:
    """The refusal of a filter, order or grouping on the timeline's ``name``, or None when allowed."""
    if (
        ctx.access is None
        or name not in AUDITED_VALUES
        or ctx.spec.name_singular != TIMELINE_OBJECT
        or reads_every_audited_value(ctx.access, ctx.snapshot)
    ):
        return None
    return (
        f"filter, sort or aggregate on field '{name}' of {TIMELINE_OBJECT} "
        "(it holds values of audited fields the role cannot read)"
    )


def require(ctx: RecordContext, *actions: str) -> None:
    """Refuse (403) unless the role may ``actions`` (``read``, ``update``, ``soft_delete``, ``destroy``) the object's records.

    Any write of a read-only object is a 400 whatever the role, except in a cascade (``ctx.system``).
    """
    if ctx.spec.name_singular in READ_ONLY_OBJECTS and not ctx.system and any(a != "read" for a in actions):
        raise InvalidRecordInput(f"{ctx.spec.name_plural} is read-only")
    if ctx.access is None:
        return
    rights = ctx.access.on(ctx.spec.id)
    refused = [action for action in actions if not rights.allows(action)]
    if refused:
        raise PermissionDenied.to(*(f"{VERBS[action]} {ctx.spec.name_plural}" for action in refused))


def field_of(spec: ObjectSpec, name: str) -> FieldSpec | None:
    """The field an API key names: a field name or a join name (``companyId``)."""
    return spec.field(name) or spec.by_join_name.get(name)


def unreadable_paths(ctx: RecordContext, paths: Iterable[Sequence[str]]) -> list[str]:
    """The refusals of the field paths a filter, an order or a group names that the role cannot read.

    A path through a relation (``company.name``, ``people._some.city``) is checked on each object
    it crosses. Unknown names are left to the query engine, which answers them with a 400.
    """
    refused: list[str] = []
    for path in paths:
        current, rest = ctx, list(path)
        while rest and current.access is not None:
            head = rest.pop(0)
            if head in QUANTIFIERS:
                continue
            field = field_of(current.spec, head)
            if field is None and head == SEARCH_VECTOR:
                # The object's search index reads its search fields: all of them must be readable.
                view = object_view(current.access, current.snapshot, current.spec)
                if not reads_search_fields(view.readable, current.spec):
                    refused.append(f"read field '{head}' of {current.spec.name_singular}")
                break
            if field is None:
                break
            view = object_view(current.access, current.snapshot, current.spec)
            if field.id not in view.readable:
                refused.append(f"read field '{head}' of {current.spec.name_singular}")
                break
            audited = audited_value_refusal(current, head)
            if audited is not None:
                refused.append(audited)
                break
            target = current.snapshot.by_id.get(field.relation.target_object_id) if field.relation else None
            if target is None:
                break
            current = current.for_object(target)
    return list(dict.fromkeys(refused))


def check_paths(ctx: RecordContext, paths: Iterable[Sequence[str]]) -> None:
    """Refuse (403) a filter, order or grouping naming a field the role cannot read."""
    if ctx.access is None:
        return
    refused = unreadable_paths(ctx, paths)
    if refused:
        raise PermissionDenied.to(*refused)


def check_filter(ctx: RecordContext, node: Node | None) -> None:
    """:func:`check_paths` over every condition of a filter."""
    if ctx.access is not None and node is not None:
        check_paths(ctx, (condition.path for condition in iter_conditions(node)))


def check_order(ctx: RecordContext, order: Iterable[OrderKey]) -> None:
    """:func:`check_paths` over every sort key."""
    if ctx.access is not None:
        check_paths(ctx, (key.path for key in order))


def check_readable(ctx: RecordContext, fields: Iterable[tuple[str, FieldSpec]]) -> None:
    """Refuse (403) ``(API name, field)`` pairs the role cannot read (groupBy dimensions, aggregates)."""
    view = view_of(ctx)
    if view is None:
        return
    refused: list[str] = []
    for name, field in fields:
        if field.id not in view.readable:
            refused.append(f"read field '{name}' of {ctx.spec.name_singular}")
        elif (audited := audited_value_refusal(ctx, field.name)) is not None:
            refused.append(audited)
    if refused:
        raise PermissionDenied.to(*dict.fromkeys(refused))


def check_writes(ctx: RecordContext, raws: Iterable[Any]) -> None:
    """Refuse (403) the input records that write a field the role may not write, naming each field."""
    view = view_of(ctx)
    if view is None:
        return
    refused = []
    for raw in raws:
        if not isinstance(raw, dict):
            continue  # the service answers a 400 for it
        for key in raw:
            field = field_of(ctx.spec, key) if key != "id" else None
            if field is not None and field.id not in view.writable:
                refused.append(f"update field '{key}' of {ctx.spec.name_singular}")
    if refused:
        raise PermissionDenied.to(*dict.fromkeys(refused))


def check_field_writes(ctx: RecordContext, fields: Iterable[FieldSpec]) -> None:
    """Refuse (403) a change of fields the role may not write (the fields a merge fills in)."""
    view = view_of(ctx)
    if view is None:
        return
    refused = [
        f"update field '{field.join_name if field.is_many_to_one else field.name}' of {ctx.spec.name_singular}"
        for field in fields
        if field.id not in view.writable
    ]
    if refused:
        raise PermissionDenied.to(*refused)


def can_read_path(ctx: RecordContext, path: Sequence[str]) -> bool:
    """True when the role reads every field of ``path`` (duplicate criteria the role cannot read are skipped)."""
    return ctx.access is None or not unreadable_paths(ctx, [path])


# -- what is shown --------------------------------------------------------------------------------


def readable_keys(ctx: RecordContext, keys: Iterable[str]) -> set[str]:
    """The API keys among ``keys`` the role reads (REST ``fields=`` accepts only those)."""
    view = view_of(ctx)
    return set(keys) if view is None else {key for key in keys if key == "id" or key in view.keys}


def visible_output(
    ctx: RecordContext, selection: frozenset[str] | None, loads: list[Load]
) -> tuple[frozenset[str] | None, list[Load]]:
    """The selection and relation loads of a shaping, narrowed to what the role reads.

    A load of a relation the role cannot read (its field, or its target object) is dropped; the
    filter and order of a kept one must name readable fields of the target.
    """
    view = view_of(ctx)
    if view is None:
        return selection, loads
    if view.complete:
        narrowed = selection
    else:
        narrowed = view.keys | {"id"} if selection is None else frozenset(selection & (view.keys | {"id"}))
    kept = []
    for load in loads:
        if load.field.id not in view.readable:
            continue
        relation = load.field.relation
        target = ctx.snapshot.by_id.get(relation.target_object_id) if relation else None
        if target is not None:
            target_ctx = ctx.for_object(target)
            check_filter(target_ctx, load.page.node)
            check_order(target_ctx, load.page.order)
        kept.append(load)
    return narrowed, kept


# -- the snapshot a role reads ----------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """The part of a snapshot a role reads: objects it may read with their readable fields only.

    ``key`` names what is hidden ("" when nothing is); schemas and documents built from
    ``snapshot`` are memoised under it, so roles that see the same share them.
    """

    snapshot: SchemaSnapshot
    key: str
    access: RolePermissions | None

    def rights(self, object_id: str) -> Any:
        """The role's rights on an object (everything for an unrestricted view)."""
        return None if self.access is None else self.access.on(object_id)

    def writable(self, spec: ObjectSpec) -> frozenset[str] | None:
        """Ids of the fields of ``spec`` the role may write (None: all)."""
        if self.access is None:
            return None
        return object_view(self.access, self.snapshot, spec).writable


def visibility(snapshot: SchemaSnapshot, access: RolePermissions | None) -> Visibility:
    """What ``access`` reads of ``snapshot`` (all of it for None), memoised on the compiled role."""
    if access is None:
        return Visibility(snapshot, "", None)
    memo_key = ("visibility", snapshot.workspace_id, snapshot.version)
    found = access.memo.get(memo_key)
    if found is None:
        found = access.memo[memo_key] = build_visibility(snapshot, access)
    return found


def build_visibility(snapshot: SchemaSnapshot, access: RolePermissions) -> Visibility:
    """Compute :func:`visibility`: unreadable objects and fields left out, the rest unchanged."""
    objects, hidden = [], []
    for spec in snapshot.objects:
        if not access.on(spec.id).read:
            hidden.append(spec.id)
            continue
        view = object_view(access, snapshot, spec)
        fields = tuple(field for field in spec.fields if field.id in view.readable)
        hidden += [field.id for field in spec.fields if field.id not in view.readable]
        if len(fields) != len(spec.fields):
            spec = replace(spec, fields=fields, hides_search_fields=not reads_search_fields(view.readable, spec))
        objects.append(spec)
    if not hidden:
        return Visibility(snapshot, "", access)
    key = sha1(",".join(sorted(hidden)).encode()).hexdigest()[:16]
    visible = SchemaSnapshot(workspace_id=snapshot.workspace_id, version=snapshot.version, objects=tuple(objects))
    return Visibility(visible, key, access)
