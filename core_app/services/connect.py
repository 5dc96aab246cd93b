"""Twenty's ``connect`` / ``disconnect`` relation inputs (api-reference §12), resolved to join ids.

``{"company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "https://acme.com"}}}}}``
becomes ``{"companyId": "<id of that company>"}`` and ``{"company": {"disconnect": true}}`` becomes
``{"companyId": null}`` before the input is validated, so the rest of the write path (validation,
the link check, upsert matching, events, webhooks' ``updatedFields``, the timeline) sees a change
of the join column, exactly as when a client sets it.

Resolution is done for the whole request at once: one query finds the holders of every unique
value named (all target objects together), then one query per target object keeps the live
records among the candidates, whatever the number of records in the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core_app import access
from core_app.query.targets import UUID_TYPE
from core_app.services.context import RecordContext
from core_app.services.errors import InvalidRecordInput
from core_app.store import unique
from core_app.store.sql import dialect, rows
from metadata_app.field_types import FieldValueError, describe
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["resolve_relation_inputs"]

#: The keys of ``{Target}RelationInput``.
RELATION_INPUT_KEYS = frozenset({"connect", "disconnect"})


@dataclass
class Connect:
    """One ``connect`` of one input record: which constraint values it names, and its answer."""

    index: int
    field: FieldSpec
    target: ObjectSpec
    criteria: list[tuple[str, str]]  # (API path, value as given after normalisation), in input order
    record_id: str | None  # ``where.id``
    pairs: list[tuple[str, str]]  # (unique field id, unique value)
    shape: tuple[str, ...]  # the constraint fields used (the batch must use the same ones)


def is_relation_input(field: FieldSpec | None, value: Any) -> bool:
    """True when ``value`` is a ``{Target}RelationInput`` for ``field`` (a dict with connect/disconnect)."""
    return (
        field is not None
        and field.relation is not None
        and isinstance(value, Mapping)
        and bool(RELATION_INPUT_KEYS & set(value))
    )


def resolve_relation_inputs(ctx: RecordContext, raws: list[Any], batch: bool) -> list[Any]:
    """Return ``raws`` with every relation input replaced by its join id; raise with every problem.

    Inputs without ``connect``/``disconnect`` are returned as they are (the same objects).
    """
    if not any(
        isinstance(raw, Mapping) and any(is_relation_input(ctx.spec.field(k), v) for k, v in raw.items())
        for raw in raws
    ):
        return raws
    errors: list[str] = []
    connects: list[Connect] = []
    out: list[Any] = []
    for index, raw in enumerate(raws):
        prefix = f"Record {index}: " if batch else ""
        if not isinstance(raw, Mapping):
            out.append(raw)
            continue
        rewritten: dict[str, Any] = {}
        for key, value in raw.items():
            field = ctx.spec.field(key)
            if not is_relation_input(field, value):
                rewritten[key] = value
                continue
            assert field is not None
            problem = read_relation_input(ctx, index, field, value, raw, rewritten, connects)
            if problem:
                errors.append(prefix + problem)
        out.append(rewritten)
    errors += check_consistent(connects) if batch else []
    if errors:
        raise InvalidRecordInput(*errors)
    check_lookups_readable(ctx, connects)
    found = find_targets(ctx, connects)
    for position, connect in enumerate(connects):
        match = found.get(position)
        if match is None:
            criteria = " and ".join(f"{path} = {value}" for path, value in connect.criteria)
            prefix = f"Record {connect.index}: " if batch else ""
            errors.append(f"{prefix}Expected 1 record to connect to {connect.field.name}, but found 0 for {criteria}")
        else:
            out[connect.index][connect.field.join_name] = match
    if errors:
        raise InvalidRecordInput(*errors)
    return out


def read_relation_input(
    ctx: RecordContext,
    index: int,
    field: FieldSpec,
    value: Mapping[str, Any],
    raw: Mapping[str, Any],
    rewritten: dict[str, Any],
    connects: list[Connect],
) -> str | None:
    """Check one ``{Target}RelationInput``; a disconnect is written now, a connect queued. Return a problem."""
    if not field.is_many_to_one:
        return f"Connect is not allowed for {field.name} on {ctx.spec.name_singular}"
    if field.join_name in raw:
        return f"{field.name} and {field.join_name} cannot be both provided."
    unknown = sorted(set(value) - RELATION_INPUT_KEYS)
    if unknown:
        return f"Unknown key '{unknown[0]}' in '{field.name}': expected connect or disconnect"
    disconnect, connect = value.get("disconnect"), value.get("connect")
    if disconnect is not None and not isinstance(disconnect, bool):
        return f"Invalid value for field '{field.name}.disconnect': expected a boolean, got {describe(disconnect)}"
    if disconnect and connect is not None:
        return f"{field.name}: connect and disconnect cannot be both provided."
    if disconnect:
        rewritten[field.join_name] = None
        return None
    if connect is None:
        return None  # ``disconnect: false`` alone changes nothing (api-reference §12.1)
    assert field.relation is not None
    target = ctx.snapshot.by_id.get(field.relation.target_object_id)
    if target is None:
        return f"Connect is not allowed for {field.name} on {ctx.spec.name_singular}"
    where = connect.get("where") if isinstance(connect, Mapping) else None
    return read_where(index, field, target, where, connects)


def read_where(index: int, field: FieldSpec, target: ObjectSpec, where: Any, connects: list[Connect]) -> str | None:
    """Check a ``{Target}WhereUniqueInput`` and queue its connect; return a problem."""
    missing = f"Missing required fields: at least one unique constraint have to be fully populated for '{field.name}'."
    if not isinstance(where, Mapping):
        return missing
    criteria: list[tuple[str, str]] = []
    pairs: list[tuple[str, str]] = []
    record_id: str | None = None
    shape: list[str] = []
    for key, given in where.items():
        if key == "id":
            if given is None:
                continue
            try:
                record_id = UUID_TYPE.normalize(str(given), target.by_name["id"])
            except FieldValueError as error:
                return f"Invalid value for field '{field.name}.connect.where.id': {error.message}"
            criteria.append(("id", str(record_id)))
            shape.append("id")
            continue
        unique_field = target.field(key)
        if unique_field is None or not unique_field.is_unique or key == "id":
            return f"Field {key} is not a unique constraint field for '{field.name}'."
        problem = read_unique_value(field, unique_field, key, given, criteria, pairs, shape)
        if problem:
            return problem
    if not shape:
        return missing
    connects.append(Connect(index, field, target, criteria, record_id, pairs, tuple(sorted(shape))))
    return None


def read_unique_value(
    field: FieldSpec,
    unique_field: FieldSpec,
    key: str,
    given: Any,
    criteria: list[tuple[str, str]],
    pairs: list[tuple[str, str]],
    shape: list[str],
) -> str | None:
    """Normalise one unique field's ``where`` value as stored values are (e-mails lower-cased, URLs cleaned)."""
    field_type = unique_field.field_type
    sub = field_type.unique_sub_field
    if field_type.is_composite:
        if given is None:
            return None
        if not isinstance(given, Mapping):
            return (
                f"Invalid value for field '{field.name}.connect.where.{key}': expected an object, got {describe(given)}"
            )
        for other in given:
            if other != sub:
                return f"Field {key}.{other} is not a unique constraint field for '{field.name}'."
        if given.get(sub) is None:
            return None
        path, raw = f"{key}.{sub}", {sub: given[sub]}
    else:
        if given is None:
            return None
        path, raw = key, given
    try:
        value = field_type.unique_value(field_type.normalize(raw, unique_field))
    except FieldValueError as error:
        return f"Invalid value for field '{field.name}.connect.where.{path}': {error.message}"
    if value is None:
        return None
    criteria.append((path, value))
    pairs.append((unique_field.id, value))
    shape.append(path)
    return None


def check_consistent(connects: list[Connect]) -> list[str]:
    """In a batch, every record connects a relation through the same constraint fields (Twenty's rule)."""
    shapes: dict[str, set[tuple[str, ...]]] = {}
    names: dict[str, str] = {}
    for connect in connects:
        shapes.setdefault(connect.field.id, set()).add(connect.shape)
        names[connect.field.id] = connect.field.name
    return [
        f"Expected the same constraint fields to be used consistently across all operations for {names[field_id]}."
        for field_id, used in shapes.items()
        if len(used) > 1
    ]


def check_lookups_readable(ctx: RecordContext, connects: list[Connect]) -> None:
    """Refuse (403) a connect by a field the role cannot read, as a filter on it is refused: which
    record it links to (or that none holds the value) would tell the hidden value."""
    by_target: dict[str, tuple[ObjectSpec, dict[str, FieldSpec]]] = {}
    for connect in connects:
        _, named = by_target.setdefault(connect.target.id, (connect.target, {}))
        for path, _value in connect.criteria:
            head = path.split(".")[0]
            field = connect.target.field(head)
            if head != "id" and field is not None:
                named[head] = field
    for target, named in by_target.values():
        if named:
            access.check_readable(ctx.for_object(target), list(named.items()))


def find_targets(ctx: RecordContext, connects: list[Connect]) -> dict[int, str]:
    """``position in connects -> record id`` for each connect naming exactly one live record of its target.

    Every condition of a ``where`` must name the same record (they are ANDed, as in Twenty).
    """
    holders = unique.find_holders(ctx.ws, {pair for connect in connects for pair in connect.pairs})
    candidates: list[str | None] = []
    by_target: dict[str, set[str]] = {}
    for connect in connects:
        named = {holders.get(pair) for pair in connect.pairs}
        if connect.record_id is not None:
            named.add(connect.record_id)
        only = named.pop() if len(named) == 1 else None
        candidates.append(only)
        if only is not None:
            by_target.setdefault(connect.target.id, set()).add(only)
    live = {target_id: live_ids(ctx.ws, target_id, sorted(ids)) for target_id, ids in by_target.items()}
    return {
        position: only
        for position, (connect, only) in enumerate(zip(connects, candidates))
        if only is not None and only in live[connect.target.id]
    }


def live_ids(workspace_id: str, object_id: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` are live records of the object (trashed targets are not found, api-reference §12.2)."""
    d = dialect()
    found = rows(
        "SELECT id FROM core_app_record WHERE workspace_id = %s AND object_id = %s AND deleted_at IS NULL AND id IN ("
        + ", ".join(["%s"] * len(ids))
        + ")",
        [d.uuid_in(workspace_id), d.uuid_in(object_id), *(d.uuid_in(i) for i in ids)],
    )
    return {d.uuid_out(row[0]) for row in found}
