"""Find duplicates (``POST /rest/{plural}/duplicates``, GraphQL ``{singular}Duplicates``).

A record duplicates another when, for one group of the object's ``duplicateCriteria``
(e.g. ``[["name.firstName", "name.lastName"], ["emails.primaryEmail"]]``), every value is
non-empty and equal, ignoring case for text.
"""

from __future__ import annotations

from typing import Any

from core_app import access
from core_app.query.ast import And, Condition, Node, Or, OrderKey
from core_app.query.compiler import like_escape
from core_app.query.targets import resolve_target
from core_app.services.context import RecordContext
from core_app.services.errors import InvalidRecordInput, RecordNotFound
from core_app.services.inputs import normalize_input
from core_app.services.reading import count_matching, select
from core_app.store.records import RecordRow, fetch_by_ids
from metadata_app.field_types.scalars import CANONICAL_UUID

__all__ = ["MAX_INPUTS", "find_duplicates"]

MAX_INPUTS = 60
MAX_DUPLICATES = 60


def path_value(ctx: RecordContext, record: RecordRow | None, data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The stored value at an API path of a record (or of normalised input data)."""
    target = resolve_target(ctx.spec, path, error=InvalidRecordInput)
    value: Any
    if target.column:
        value = getattr(record, target.column, None) if record is not None else None
        return value.get(path[1]) if isinstance(value, dict) and len(path) > 1 else value
    value = data
    for key in target.json_path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def duplicate_filter(ctx: RecordContext, record: RecordRow | None, data: dict[str, Any]) -> Node | None:
    """``or`` over criteria groups whose values are all present, ``and`` inside a group."""
    groups = []
    for group in ctx.spec.duplicate_criteria:
        if any(ctx.spec.field(name.split(".")[0]) is None for name in group):
            continue  # a criterion on a deactivated field: compared again once it is active
        if not all(access.can_read_path(ctx, tuple(name.split("."))) for name in group):
            continue  # a criterion on a field the caller's role cannot read: never compared for it
        conditions = []
        for name in group:
            path = tuple(name.split("."))
            value = path_value(ctx, record, data, path)
            if value in (None, "", [], {}):
                break
            text = (
                isinstance(value, str)
                and resolve_target(ctx.spec, path, error=InvalidRecordInput).scalar.value_kind == "text"
            )
            conditions.append(Condition(path, "ilike", like_escape(value)) if text else Condition(path, "eq", value))
        else:
            if conditions:
                groups.append(And(tuple(conditions)))
    return Or(tuple(groups)) if groups else None


def inputs_of(ctx: RecordContext, data: Any, ids: Any) -> list[tuple[RecordRow | None, dict[str, Any]]]:
    """The records to look for: given as partial records (``data``) or by ``ids``."""
    if (data is None) == (ids is None):
        raise InvalidRecordInput("Provide either 'data' (an array of records) or 'ids' (an array of record ids)")
    items = data if data is not None else ids
    if not isinstance(items, list) or not items or len(items) > MAX_INPUTS:
        raise InvalidRecordInput(
            f"'{'data' if data is not None else 'ids'}' must be a non-empty array of at most {MAX_INPUTS} items"
        )
    if ids is not None:
        invalid = [str(i) for i in ids if not isinstance(i, str) or not CANONICAL_UUID.match(i)]
        if invalid:
            raise InvalidRecordInput(*[f"'{i}' is not a valid UUID" for i in invalid])
        ids = [i.lower() for i in ids]
        found = {r.id: r for r in fetch_by_ids(ctx.ws, ctx.spec.id, ids)}
        missing = [str(i) for i in ids if str(i) not in found]
        if missing:
            # As find one and merge answer an id that names no record here: a 404.
            raise RecordNotFound(*[f"Record {m} not found in {ctx.spec.name_plural}" for m in missing])
        return [(found[str(i)], found[str(i)].data) for i in ids]
    # Values given to compare with are conditions on their fields: the role must read them.
    access.check_paths(ctx, [(key,) for raw in data if isinstance(raw, dict) for key in raw])
    result: list[tuple[RecordRow | None, dict[str, Any]]] = []
    errors: list[str] = []
    for index, raw in enumerate(data):
        given, problems = normalize_input(ctx.spec, raw, None, f"Record {index}: ")
        errors += problems
        result.append((None, given.data))
    if errors:
        raise InvalidRecordInput(*errors)
    return result


def find_duplicates(ctx: RecordContext, data: Any = None, ids: Any = None) -> list[tuple[list[RecordRow], int]]:
    """For each input, its duplicates (at most 60, by position) and their total count.

    Only the criteria whose fields the caller's role reads are compared.
    """
    access.require(ctx, "read")
    results: list[tuple[list[RecordRow], int]] = []
    for record, values in inputs_of(ctx, data, ids):
        node = duplicate_filter(ctx, record, values)
        if node is None:
            results.append(([], 0))
            continue
        exclude = [record.id] if record is not None else None
        found = select(ctx, node, [OrderKey(("position",), "AscNullsFirst")], MAX_DUPLICATES, exclude_ids=exclude)
        counted = And((node, Condition(("id",), "neq", record.id))) if record is not None else node
        total = count_matching(ctx, counted)
        results.append((found, total))
    return results
