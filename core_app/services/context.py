"""What every record operation runs against: the workspace, its snapshot, the object and the actor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core_app.query.ast import Condition
from core_app.query.ordering import build_sort_keys
from core_app.query.planner import Scope, fetch
from core_app.store.records import RecordRow
from core_app.store.slots import ObjectSlots, object_slots
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot
from roles_app.permissions import RolePermissions

__all__ = ["RecordContext", "actor_identity", "api_actor", "with_api_key"]


def api_actor(name: str, api_key_id: Any = None) -> dict[str, Any]:
    """The ``createdBy``/``updatedBy`` value of a change made with the API key ``api_key_id`` called ``name``."""
    return with_api_key({"source": "API", "workspaceMemberId": None, "name": name, "context": {}}, api_key_id)


def with_api_key(actor: dict[str, Any], api_key_id: Any) -> dict[str, Any]:
    """``actor`` carrying the id of the API key that acts (unchanged when there is none).

    ``apiKeyId`` is no ACTOR sub-field, so no output shows it; it tells two keys of the same name
    apart where a change must be attributed (the timeline's merge rule, ``actor_identity``).
    """
    return actor if api_key_id is None else {**actor, "apiKeyId": str(api_key_id)}


def actor_identity(actor: dict[str, Any] | None) -> tuple[str, str] | None:
    """Who acted, by id: ``("member", id)``, else ``("apiKey", id)``; None when no id is known.

    Display names are never identities: two API keys (or members) may share one.
    """
    if not actor:
        return None
    if actor.get("workspaceMemberId"):
        return ("member", str(actor["workspaceMemberId"]))
    if actor.get("apiKeyId"):
        return ("apiKey", str(actor["apiKeyId"]))
    return None


@dataclass(frozen=True)
class RecordContext:
    """One object of one workspace at one metadata version, acted on by ``actor``.

    ``access`` is what the caller's role grants (``core_app.access``); None lets the operation do
    everything (a role without restrictions on records, or a trusted caller). ``system`` marks what
    an allowed operation does in turn (a cascade): it may write objects the API keeps read-only.
    ``workspace`` is the workspace row as the request's API key loaded it, with the facts other
    apps read alongside (``apikeys_app.authentication.register_workspace_fact``); None outside
    a request, where each fact is read when needed.
    """

    workspace_id: Any
    snapshot: SchemaSnapshot
    spec: ObjectSpec
    actor: dict[str, Any]
    access: RolePermissions | None = None
    system: bool = False
    workspace: Any = None

    @property
    def ws(self) -> str:
        """The workspace id as a string."""
        return str(self.workspace_id)

    @property
    def slots(self) -> ObjectSlots:
        """The object's index slots."""
        return object_slots(self.snapshot, self.spec)

    def scope(self, trash: bool | None = False) -> Scope:
        """The object's records: live (``trash=False``), trashed (True) or both (None)."""
        return Scope(self.ws, self.snapshot, self.spec, trash)

    def for_object(self, spec: ObjectSpec) -> RecordContext:
        """The same context on another object."""
        return RecordContext(
            self.workspace_id, self.snapshot, spec, self.actor, self.access, self.system, self.workspace
        )

    def as_system(self) -> RecordContext:
        """The same context without the role's limits: for what an allowed operation does in turn
        (a destroy's cascade to dependent records, a merge trashing the merged-away records)."""
        return RecordContext(
            self.workspace_id, self.snapshot, self.spec, self.actor, system=True, workspace=self.workspace
        )

    def referencing(self) -> Iterator[tuple[RecordContext, FieldSpec]]:
        """For each ONE_TO_MANY relation: the related object's context and its join field here."""
        for field in self.spec.relations:
            if not field.is_one_to_many or field.relation is None:
                continue
            target = self.snapshot.by_id.get(field.relation.target_object_id)
            inverse = target.field(field.relation.target_field_name or "") if target else None
            if target is not None and inverse is not None and inverse.is_many_to_one:
                yield self.for_object(target), inverse

    def records_pointing_at(self, join: FieldSpec, ids: list[str], trash: bool | None = None) -> list[RecordRow]:
        """Records of this object whose ``join`` holds one of ``ids``, in id order: live and trashed
        ones (``trash=None``), or live (False) or trashed (True) ones only."""
        if not ids:
            return []
        node = Condition((join.join_name,), "in", tuple(ids))
        keys = build_sort_keys([], self.spec)
        found: list[RecordRow] = []
        cursor = None
        # Read in pages: a record may be pointed at by any number of others.
        while True:
            page = fetch(self.scope(trash), node, keys, cursor, False, 1000)
            found += page.rows
            if len(page.rows) < 1000:
                return found
            cursor = page.sort_values[-1]
