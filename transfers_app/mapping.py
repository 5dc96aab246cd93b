"""Column mappings of an import: which field of the object each CSV column (or NDJSON key) fills.

A mapping is a JSON object ``{"<header>": "<field path>"}``; a path is one of

- ``id``, a field (``jobTitle``), a join column (``companyId``);
- a sub-field of a composite field (``name.firstName``, ``emails.primaryEmail``);
- a many-to-one relation and a unique field of its target (``company.domainName.primaryLinkUrl``,
  ``company.id``): the row is linked to the one live record holding that value;
- ``null``: the column is skipped.

A CSV header the mapping leaves out is read as a path itself; one that names nothing is refused
(400) before anything is stored, and one naming a field the server sets (``createdAt``,
``updatedBy.name``: an export's columns) is skipped. NDJSON lines are records in the API's input shape; the mapping
only renames keys (or resolves relations), and unmapped keys go to the record service as they are.

Example::

    plan = build_plan(ctx, {"First": "name.firstName", "Domain": "company.domainName.primaryLinkUrl"},
                      ["First", "Domain"], upsert_key=None)
    raw, lookups = plan.record_from_cells(["Ada", "acme.com"])   # ({"name": {"firstName": "Ada"}}, [...])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from api_common.errors import BadRequest
from core_app import access
from core_app.services.context import RecordContext
from core_app.services.inputs import read_only_message
from core_app.store import unique
from core_app.store.records import fetch_by_ids
from metadata_app.field_types import FieldValueError
from metadata_app.field_types.scalars import CANONICAL_UUID
from metadata_app.specs import FieldSpec, ObjectSpec
from transfers_app.formulas import unguard

__all__ = ["Column", "Lookup", "Plan", "build_plan", "resolve_lookups"]


@dataclass(frozen=True)
class Column:
    """Where one source column (or NDJSON key) goes.

    ``kind``: ``id``, ``value`` (a whole field or join column, by API key ``key``), ``sub``
    (sub-field ``sub`` of composite ``key``) or ``lookup`` (relation ``field``, matched on
    ``target_field``/``target_sub`` of object ``target``, or on ``id`` when ``target_field`` is None).
    """

    source: str
    path: str
    kind: str
    key: str = ""
    sub: str | None = None
    field: FieldSpec | None = None
    target: ObjectSpec | None = None
    target_field: FieldSpec | None = None
    target_sub: str | None = None

    def from_text(self, text: str) -> Any:
        """The input value a CSV cell stands for (the field type reads numbers, booleans, JSON)."""
        if self.kind in ("id", "lookup") or self.field is None:
            return text
        field_type = self.field.field_type
        if self.kind == "sub":
            return field_type.sub_fields[self.sub or ""].from_text(text)
        if self.field.is_many_to_one:
            return text
        return field_type.from_text(text)


@dataclass(frozen=True)
class Lookup:
    """A relation value of one row, to be resolved to the id of the target record."""

    column: Column
    value: Any


@dataclass
class Plan:
    """The columns of an import and its upsert key, checked against the object."""

    ctx: RecordContext
    columns: dict[str, Column]  # by source name; skipped columns are absent
    skipped: frozenset[str]
    header: list[str] | None  # CSV only
    upsert_field: FieldSpec | None = None  # None with upsert_key "id" or no upsert key
    upsert_key: str | None = None
    by_position: list[Column | None] = field(default_factory=list)

    def record_from_cells(self, cells: list[str]) -> tuple[dict[str, Any], list[Lookup]]:
        """A CSV row as a record input and its relation look-ups; empty cells are left out, and the
        ``'`` an export puts before a formula-like text taken off (``formulas.unguard``)."""
        raw: dict[str, Any] = {}
        lookups: list[Lookup] = []
        for column, cell in zip(self.by_position, cells):
            if column is None or cell == "":
                continue
            place(raw, lookups, column, column.from_text(unguard(cell)))
        return raw, lookups

    def record_from_object(self, item: Mapping[str, Any]) -> tuple[dict[str, Any], list[Lookup]]:
        """An NDJSON record as a record input: mapped keys placed, unmapped ones passed on as they are
        (but for those the server sets, which an exported line holds)."""
        raw: dict[str, Any] = {}
        lookups: list[Lookup] = []
        for key, value in item.items():
            if key in self.skipped or (key not in self.columns and server_set(self.ctx.spec, key)):
                continue
            column = self.columns.get(key)
            if column is None:
                raw[key] = value
            else:
                place(raw, lookups, column, value)
        return raw, lookups

    def upsert_value(self, raw: Mapping[str, Any]) -> str | None:
        """The row's value of the upsert key as the unique index holds it (None: no value, the row is created)."""
        if self.upsert_key is None:
            return None
        if self.upsert_field is None:
            value = raw.get("id")
            return str(value).lower() if isinstance(value, str) and CANONICAL_UUID.match(value) else None
        given = raw.get(self.upsert_field.name)
        if given is None:
            return None
        try:
            stored = self.upsert_field.field_type.normalize(given, self.upsert_field)
        except FieldValueError:
            return None  # the write reports the value in the API's words
        return self.upsert_field.field_type.unique_value(stored)


def server_set(spec: ObjectSpec, source: str) -> bool:
    """Whether an unmapped column (``createdAt``, ``createdBy.name``...) holds a field the server
    sets: an export has them, and re-importing it skips them instead of refusing the file."""
    field = spec.field(source.partition(".")[0])
    return field is not None and field.is_read_only and field.relation is None


def place(raw: dict[str, Any], lookups: list[Lookup], column: Column, value: Any) -> None:
    """Put one value where ``column`` says."""
    if column.kind == "lookup":
        if value is not None and value != "":
            lookups.append(Lookup(column, value))
    elif column.kind == "sub":
        composite = raw.setdefault(column.key, {})
        if isinstance(composite, dict):
            composite[column.sub] = value
    else:
        raw[column.key] = value


def unique_paths(spec: ObjectSpec) -> list[str]:
    """``id`` and the paths of the object's unique fields (``emails.primaryEmail``)."""
    paths = ["id"]
    for unique_field in spec.unique_fields:
        sub = unique_field.field_type.unique_sub_field
        paths.append(f"{unique_field.name}.{sub}" if sub else unique_field.name)
    return paths


def unique_target(spec: ObjectSpec, path: str) -> tuple[FieldSpec | None, str | None] | None:
    """The unique field (and sub-field) ``path`` names on ``spec``; ``(None, None)`` for ``id``; None if none."""
    if path == "id":
        return None, None
    name, _, sub = path.partition(".")
    found = spec.field(name)
    if found is None or not found.is_unique or found.name == "id":
        return None
    expected = found.field_type.unique_sub_field
    if (sub or None) not in (None, expected) or (expected is None and sub):
        return None
    return found, expected


def parse_column(ctx: RecordContext, source: str, path: str) -> Column:
    """The column ``source`` mapped to ``path``; 400 naming what to fix when ``path`` writes nothing."""
    spec = ctx.spec
    if path == "id":
        return Column(source, path, "id", key="id")
    if spec.by_join_name.get(path) is not None:
        return Column(source, path, "value", key=path, field=spec.by_join_name[path])
    name, _, rest = path.partition(".")
    found = spec.field(name)
    if found is not None and found.relation is not None:
        return parse_lookup(ctx, source, path, found, rest)
    problem = read_only_message(spec, name)
    if problem:
        raise BadRequest(f"Column '{source}': {problem}")
    if found is None:
        raise BadRequest(f"Column '{source}': unknown field '{path}' on object '{spec.name_singular}'")
    if not rest:
        return Column(source, path, "value", key=name, field=found)
    sub_fields = found.field_type.sub_fields
    if rest not in sub_fields or rest in getattr(found.field_type, "read_only_sub_fields", ()):
        expected = ", ".join(f"{name}.{sub}" for sub in sub_fields) or name
        raise BadRequest(f"Column '{source}': unknown sub-field '{path}'; expected {expected}")
    return Column(source, path, "sub", key=name, sub=rest, field=found)


def parse_lookup(ctx: RecordContext, source: str, path: str, relation: FieldSpec, rest: str) -> Column:
    """A relation column: ``company.<unique field of company>``."""
    assert relation.relation is not None
    target = ctx.snapshot.by_id.get(relation.relation.target_object_id)
    if not relation.is_many_to_one or target is None:
        raise BadRequest(
            f"Column '{source}': relation '{relation.name}' cannot be written from this side; "
            "import the related records with a column mapped to their join column"
        )
    choices = ", ".join(f"{relation.name}.{p}" for p in unique_paths(target))
    if not rest:
        raise BadRequest(f"Column '{source}': say which unique field of '{target.name_singular}' it holds: {choices}")
    found = unique_target(target, rest)
    if found is None:
        raise BadRequest(
            f"Column '{source}': '{rest}' is not a unique field of '{target.name_singular}'; use one of {choices}"
        )
    target_ctx = ctx.for_object(target)
    access.require(target_ctx, "read")
    if found[0] is not None:  # by a unique field (not id): the role must read it, as to filter on it
        access.check_readable(target_ctx, [(found[0].name, found[0])])
    return Column(source, path, "lookup", key=relation.join_name, field=relation, target=target,
                  target_field=found[0], target_sub=found[1])  # fmt: skip


def build_plan(
    ctx: RecordContext, mapping: Mapping[str, Any], header: list[str] | None, upsert_key: str | None
) -> Plan:
    """Check ``mapping`` (and a CSV ``header``) against the object; 400 for anything that writes nothing."""
    if header is not None:
        missing = [name for name in mapping if name not in header]
        if missing:
            raise BadRequest(
                f"The mapping names columns the file does not have: {', '.join(missing)}; "
                f"the header has: {', '.join(header)}"
            )
        seen: set[str] = set()
        twice = [name for name in header if name in seen or seen.add(name)]  # type: ignore[func-returns-value]
        if twice:
            raise BadRequest(f"The header names a column twice: {', '.join(twice)}; give each column its own name")
    columns: dict[str, Column] = {}
    skipped = set()
    sources: Iterable[str] = header if header is not None else mapping
    for source in sources:
        path = mapping.get(source, source) if source in mapping else source
        if path is None or (source not in mapping and server_set(ctx.spec, source)):
            skipped.add(source)  # mapped to null, or a column the server sets (an export's createdAt...)
            continue
        if not isinstance(path, str) or not path:
            raise BadRequest(f"Mapping of column '{source}' must be a field path such as 'name.firstName', or null")
        columns[source] = parse_column(ctx, source, path)
    check_targets(ctx, columns.values())
    plan = Plan(ctx, columns, frozenset(skipped), header)
    plan.by_position = [columns.get(name) for name in header] if header is not None else []
    if upsert_key is not None:
        set_upsert_key(plan, upsert_key)
    access.check_writes(ctx, [{column.key: None for column in columns.values()}])
    return plan


def check_targets(ctx: RecordContext, columns: Iterable[Column]) -> None:
    """Two columns may not write the same value (one field twice, or a whole field and one of its sub-fields)."""
    taken: dict[tuple[str, str | None], str] = {}
    for column in columns:
        spot = (column.key, column.sub)
        clash = taken.get(spot) or (taken.get((column.key, None)) if column.sub else None)
        if clash is None and column.sub is None:
            clash = next((source for (key, _), source in taken.items() if key == column.key), None)
        if clash is not None:
            raise BadRequest(f"Columns '{clash}' and '{column.source}' both write '{column.path}'; map one of them")
        taken[spot] = column.source


def set_upsert_key(plan: Plan, key: str) -> None:
    """Check the upsert key: ``id`` or a unique field (``emails`` or ``emails.primaryEmail``)."""
    spec = plan.ctx.spec
    found = unique_target(spec, key) if isinstance(key, str) else None
    if found is None:
        raise BadRequest(
            f"Unknown upsert key '{key}': use one of {', '.join(unique_paths(spec))} (unique fields of '{spec.name_singular}')"
        )
    plan.upsert_key, plan.upsert_field = key, found[0]
    if plan.header is not None:
        name = "id" if found[0] is None else found[0].name
        if not any(c.key == name and c.kind in ("id", "value", "sub") for c in plan.columns.values()):
            raise BadRequest(f"The upsert key '{key}' is not among the mapped columns; map a column to it")


def resolve_lookups(ctx: RecordContext, rows: list[list[Lookup]]) -> list[dict[str, str]]:
    """Resolve every row's relation look-ups in one query per column: per row, ``join key -> id`` or
    ``path -> error message`` (prefixed ``!``); trashed targets are not found (api-reference 12.2)."""
    wanted: dict[str, tuple[Column, set[str]]] = {}
    keys: list[list[tuple[Column, str | None, Any]]] = []
    for lookups in rows:
        row_keys = []
        for lookup in lookups:
            key = lookup_key(lookup)
            row_keys.append((lookup.column, key, lookup.value))
            if key is not None:
                wanted.setdefault(lookup.column.path, (lookup.column, set()))[1].add(key)
        keys.append(row_keys)
    found = {path: holders_of(ctx, column, values) for path, (column, values) in wanted.items()}
    resolved = []
    for row_keys in keys:
        out: dict[str, str] = {}
        for column, key, value in row_keys:
            target_id = found.get(column.path, {}).get(key) if key is not None else None
            if target_id is None:
                assert column.target is not None
                out["!" + column.path] = (
                    f"Expected 1 record to connect to {column.target.name_singular}, but found 0 for "
                    f"{column.path.partition('.')[2]} = {value}"
                )
            else:
                out[column.key] = target_id
        resolved.append(out)
    return resolved


def lookup_key(lookup: Lookup) -> str | None:
    """The value of a look-up as the unique index keys it (ids lower-cased), None when it cannot match."""
    column, value = lookup.column, lookup.value
    if column.target_field is None:
        return value.lower() if isinstance(value, str) and CANONICAL_UUID.match(value) else None
    field_type = column.target_field.field_type
    try:
        given = {column.target_sub: value} if column.target_sub else value
        stored = field_type.normalize(given, column.target_field)
    except FieldValueError:
        return None
    return field_type.unique_value(stored)


def holders_of(ctx: RecordContext, column: Column, values: set[str]) -> dict[str, str]:
    """``value -> id`` of the live target records holding ``values``."""
    assert column.target is not None
    if column.target_field is None:
        candidates = {value: value for value in values}
    else:
        holders = unique.find_holders(ctx.ws, {(column.target_field.id, value) for value in values})
        candidates = {value: holder for (_, value), holder in holders.items()}
    live = {row.id for row in fetch_by_ids(ctx.ws, column.target.id, sorted(set(candidates.values())), live_only=True)}
    return {value: holder for value, holder in candidates.items() if holder in live}
