"""Fixtures of the roles suite: seeded workspaces, roles made through the role service, and clients
holding them (REST, core GraphQL, metadata GraphQL).

Workspaces are seeded once per module (``tests/seeding.py``); every test runs in its own
rolled-back transaction, so the roles and keys it makes vanish with it.
"""

from __future__ import annotations

from typing import Any

import pytest

from apikeys_app.services import create_api_key
from metadata_app.registry import schema_registry
from roles_app import services
from roles_app.models import Role
from tests.core.conftest import Records
from tests.graphql_core.helpers import GraphQL
from tests.graphql_metadata.helpers import GraphQLClient
from tests.seeding import fast_client, make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401

seeded_workspace_ids = seeded_workspaces("module")

#: Role-wide rights by the short names the tests use.
RIGHTS = {
    "read": "canReadAllObjectRecords",
    "update": "canUpdateAllObjectRecords",
    "soft_delete": "canSoftDeleteAllObjectRecords",
    "destroy": "canDestroyAllObjectRecords",
}
OBJECT_RIGHTS = {
    "read": "canReadObjectRecords",
    "update": "canUpdateObjectRecords",
    "soft_delete": "canSoftDeleteObjectRecords",
    "destroy": "canDestroyObjectRecords",
}


class Roles:
    """Make roles of a workspace (through ``roles_app.services``, as a trusted caller) and keys holding them."""

    def __init__(self, workspace: Any) -> None:
        self.workspace = workspace

    def make(
        self,
        label: str,
        rights: tuple[str, ...] = (),
        flags: tuple[str, ...] = (),
        settings: bool = False,
        objects: dict[str, dict[str, bool | None]] | None = None,
        fields: dict[tuple[str, str], dict[str, bool | None]] | None = None,
    ) -> Role:
        """A role with role-wide ``rights``, ``flags``, per-object overrides (by plural) and field restrictions."""
        data = {"label": label, "canUpdateAllSettings": settings, **{RIGHTS[r]: True for r in rights}}
        role = services.create_role(self.workspace, data)
        snapshot = schema_registry.current(self.workspace.pk)
        if objects:
            services.upsert_object_permissions(
                self.workspace,
                role.pk,
                [
                    {
                        "objectMetadataId": snapshot.by_plural[plural].id,
                        **{OBJECT_RIGHTS[k]: v for k, v in given.items()},
                    }
                    for plural, given in objects.items()
                ],
            )
        if fields:
            services.upsert_field_permissions(
                self.workspace,
                role.pk,
                [
                    {
                        "objectMetadataId": snapshot.by_plural[plural].id,
                        "fieldMetadataId": snapshot.by_plural[plural].by_name[name].id,
                        **given,
                    }
                    for (plural, name), given in fields.items()
                ],
            )
        if flags:
            services.upsert_permission_flags(self.workspace, role.pk, list(flags))
        role.refresh_from_db()
        return role

    def standard(self, label: str) -> Role:
        """Admin or Member."""
        return Role.objects.get(workspace=self.workspace, label=label)

    def token(self, role: Role, name: str = "role key") -> str:
        """A fresh key holding ``role``."""
        return create_api_key(self.workspace, {"name": name, "roleId": str(role.pk)})[1]

    def rest(self, role: Role, name: str = "role key") -> Any:
        """A REST client holding ``role`` (through a key called ``name``)."""
        return fast_client(self.token(role, name))

    def gql(self, role: Role) -> GraphQL:
        """A ``/graphql`` client holding ``role``."""
        return GraphQL(self.rest(role))

    def meta(self, role: Role) -> GraphQLClient:
        """A ``/metadata`` client holding ``role``."""
        token = self.token(role)
        return GraphQLClient(token, client=fast_client(token).client)


@pytest.fixture
def roles(workspace) -> Roles:
    """Role factory of ``workspace``."""
    return Roles(workspace)


@pytest.fixture
def records(api) -> Records:
    """Records of ``workspace`` made through REST with the Admin key ``api``."""
    return Records(api)
