"""What a role grants, compiled once per role version into immutable :class:`RolePermissions`.

Usage::

    from roles_app.permissions import permissions_for

    permissions = permissions_for(role_id, role_version)    # memoised per (role, version)
    permissions.on(object_id).update                         # may create and update its records
    permissions.on(object_id).can_read_field(field_id)
    permissions.has_flag("DATA_MODEL")

The API-key lookup reads the key's role id and version in the same statement as the key
(``apikeys_app.authentication``), so a permission decision costs no query once its role version
is compiled in the process, and nothing per record. A change of the role bumps its version, so
the next request of any process compiles the new one; nothing in-process is the source of truth.

Rules (api-reference 14.1-14.3, Twenty's):

- the role-wide ``can…AllObjectRecords`` apply to every object; an object permission overrides
  each right it sets (null keeps the role's);
- writing needs reading: update, soft-delete and destroy are granted only with read;
- a field permission only restricts: ``canReadFieldValue: false`` hides the field (and so forbids
  writing it), ``canUpdateFieldValue: false`` forbids writing it;
- ``canUpdateAllSettings`` grants every permission flag.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from roles_app.flags import PERMISSION_FLAGS
from roles_app.models import FieldPermission, ObjectPermission, PermissionFlag, Role

__all__ = [
    "ACTIONS",
    "NO_ROLE",
    "ObjectRights",
    "RolePermissions",
    "compile_role",
    "forget_permissions",
    "permissions_for",
]

#: Object-level rights, in the order of api-reference 14.3.
ACTIONS = ("read", "update", "soft_delete", "destroy")
#: How a refusal names each right.
ACTION_VERBS = {"read": "read", "update": "create or update", "soft_delete": "soft-delete", "destroy": "destroy"}


@dataclass(frozen=True)
class ObjectRights:
    """A role's rights on the records of one object, and the fields it may not read or write (by id)."""

    read: bool = False
    update: bool = False
    soft_delete: bool = False
    destroy: bool = False
    hidden_fields: frozenset[str] = frozenset()
    locked_fields: frozenset[str] = frozenset()  # not writable; holds the hidden ones too

    def allows(self, action: str) -> bool:
        """True when the role may ``action`` (one of :data:`ACTIONS`) the object's records."""
        return bool(getattr(self, action))

    def can_read_field(self, field_id: str) -> bool:
        """True when the role reads records of the object and the field is not hidden from it."""
        return self.read and field_id not in self.hidden_fields

    def can_update_field(self, field_id: str) -> bool:
        """True when the role may write the field on records it may create or update."""
        return self.update and field_id not in self.locked_fields

    def as_tuple(self) -> tuple[Any, ...]:
        """Every right, in a stable order (field ids sorted)."""
        return (*(self.allows(action) for action in ACTIONS), sorted(self.hidden_fields), sorted(self.locked_fields))

    @property
    def is_full(self) -> bool:
        """True when every right is granted and no field is restricted."""
        return self.read and self.update and self.soft_delete and self.destroy and not self.locked_fields


def resolve_rights(
    role_rights: tuple[bool, bool, bool, bool], overrides: Iterable[bool | None]
) -> tuple[bool, bool, bool, bool]:
    """Each right from its override, else the role's; writing rights only with read."""
    read, update, soft_delete, destroy = (role if own is None else own for role, own in zip(role_rights, overrides))
    return (read, bool(read and update), bool(read and soft_delete), bool(read and destroy))


@dataclass(frozen=True, eq=False)
class RolePermissions:
    """Everything one version of one role grants. Derived values hang off :attr:`memo`."""

    role_id: str | None
    label: str
    version: int
    all_settings: bool
    flags: frozenset[str]
    default: ObjectRights
    objects: Mapping[str, ObjectRights] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def on(self, object_id: str) -> ObjectRights:
        """The rights on the records of ``object_id``."""
        return self.objects.get(object_id, self.default)

    def has_flag(self, flag: str) -> bool:
        """True when the role holds the permission flag ``flag`` (``canUpdateAllSettings`` holds them all)."""
        return self.all_settings or flag in self.flags

    @cached_property
    def all_records(self) -> bool:
        """True when the role may do anything with every record and every field (Admin, Member)."""
        return self.default.is_full and all(rights.is_full for rights in self.objects.values())

    @cached_property
    def reads_everything(self) -> bool:
        """True when the role reads every record and every field (a webhook delivers whole records)."""
        return all(rights.read and not rights.hidden_fields for rights in (self.default, *self.objects.values()))

    @cached_property
    def fingerprint(self) -> str:
        """A short digest of every right: two roles granting the same things have the same one."""
        objects = sorted((object_id, rights.as_tuple()) for object_id, rights in self.objects.items())
        text = repr((self.all_settings, sorted(self.flags), self.default.as_tuple(), objects))
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    @property
    def effective_flags(self) -> frozenset[str]:
        """Every flag the role holds."""
        return PERMISSION_FLAGS if self.all_settings else self.flags

    def missing_from(
        self, other: RolePermissions, object_ids: Iterable[str], names: Mapping[str, str] | None = None
    ) -> list[str]:
        """What ``other`` grants that this role does not, on ``object_ids`` and the objects either names.

        Empty when this role covers ``other``: a key may hand out (assign, create, change) only
        a role its own role covers, so no key can widen itself or another key beyond its own
        rights. ``names`` turns object and field ids into API names in the answer.
        """

        def name(key: str) -> str:
            return (names or {}).get(key, key)

        missing = []
        if other.all_settings and not self.all_settings:
            missing.append("canUpdateAllSettings")
        missing += [f"the {flag} permission" for flag in sorted(other.effective_flags - self.effective_flags)]
        for object_id in sorted({*object_ids, *self.objects, *other.objects}):
            mine, theirs = self.on(object_id), other.on(object_id)
            for action in ACTIONS:
                if theirs.allows(action) and not mine.allows(action):
                    missing.append(f"{ACTION_VERBS[action]} records of '{name(object_id)}'")
            for right, own, given, enabled in (
                ("read", mine.hidden_fields, theirs.hidden_fields, theirs.read and mine.read),
                ("update", mine.locked_fields, theirs.locked_fields, theirs.update and mine.update),
            ):
                if enabled and own - given:
                    fields = ", ".join(sorted(f"'{name(field_id)}'" for field_id in own - given))
                    missing.append(f"{right} fields {fields} of '{name(object_id)}'")
        return missing


#: The permissions of a key without any role (no default role either): nothing is granted.
NO_ROLE = RolePermissions(None, "(no role)", 0, False, frozenset(), ObjectRights())


def compile_role(role: Role) -> RolePermissions:
    """Read the permissions of ``role`` (three queries) and compile them."""
    role_rights = (
        role.can_read_all_object_records,
        role.can_update_all_object_records,
        role.can_soft_delete_all_object_records,
        role.can_destroy_all_object_records,
    )
    overrides: dict[str, tuple[bool | None, ...]] = {
        str(object_id): tuple(rights)
        for object_id, *rights in ObjectPermission.objects.filter(role=role).values_list(
            "object_metadata_id",
            "can_read_object_records",
            "can_update_object_records",
            "can_soft_delete_object_records",
            "can_destroy_object_records",
        )
    }
    hidden: dict[str, set[str]] = {}
    locked: dict[str, set[str]] = {}
    for object_id, field_id, can_read, can_update in FieldPermission.objects.filter(role=role).values_list(
        "object_metadata_id", "field_metadata_id", "can_read_field_value", "can_update_field_value"
    ):
        if can_read is False:
            hidden.setdefault(str(object_id), set()).add(str(field_id))
        if can_read is False or can_update is False:
            locked.setdefault(str(object_id), set()).add(str(field_id))
    objects: dict[str, ObjectRights] = {}
    for object_key in {*overrides, *locked}:
        read, update, soft_delete, destroy = resolve_rights(role_rights, overrides.get(object_key, (None,) * 4))
        objects[object_key] = ObjectRights(
            read,
            update,
            soft_delete,
            destroy,
            frozenset(hidden.get(object_key, ())),
            frozenset(locked.get(object_key, ())),
        )
    return RolePermissions(
        role_id=str(role.pk),
        label=role.label,
        version=role.version,
        all_settings=role.can_update_all_settings,
        flags=frozenset(PermissionFlag.objects.filter(role=role).values_list("flag", flat=True)),
        default=ObjectRights(*resolve_rights(role_rights, (None,) * 4)),
        objects=objects,
    )


_lock = threading.Lock()
_compiled: dict[str, RolePermissions] = {}


def permissions_for(role_id: Any, version: int | None) -> RolePermissions:
    """The permissions of ``role_id`` at ``version`` (as read with the key), compiled once per process.

    A version older than the one compiled is served the newer compilation (it was read a moment
    before a change); a newer one is compiled again. No role at all grants nothing.
    """
    if role_id is None:
        return NO_ROLE
    key = str(role_id)
    cached = _compiled.get(key)
    if cached is not None and version is not None and cached.version >= version:
        return cached
    compiled = load(key)
    with _lock:
        current = _compiled.get(key)
        if current is None or current.version <= compiled.version:
            _compiled[key] = compiled
    return compiled


def load(role_id: str) -> RolePermissions:
    """Compile the stored role ``role_id``; retried when it changed while being read."""
    for _attempt in range(3):
        role = Role.objects.filter(pk=role_id).first()
        if role is None:
            return NO_ROLE
        compiled = compile_role(role)
        # A change committed meanwhile bumped the version: what was read may mix two versions.
        if Role.objects.filter(pk=role_id, version=role.version).exists():
            return compiled
    return compiled


def forget_permissions() -> None:
    """Drop every compiled role (tests: never assume a cache is cold, or warm)."""
    with _lock:
        _compiled.clear()
