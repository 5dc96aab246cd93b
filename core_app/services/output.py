"""The read path's last step: stored rows to API records, straight through the field-type table.

``output_plan`` is a per-object list of ``(api name, getter)`` memoised on the schema snapshot (no
serializer or model instance per record); ``record_to_api`` applies it. ``api_builder`` gives the
same dicts from one generated function per object and selection, for the pages of the read path.
Related records are attached by ``core_app.services.loading``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from core_app.query.targets import INSTANT_COLUMNS
from core_app.store.records import RecordRow
from metadata_app.field_types.base import FieldType
from metadata_app.field_types.composites import CompositeType
from metadata_app.field_types.scalars import format_instant
from metadata_app.registry import schema_registry
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = ["NESTED_LIMIT", "api_builder", "output_plan", "record_to_api"]

#: Records embedded per ONE_TO_MANY relation and parent.
NESTED_LIMIT = 60

Getter = Callable[[RecordRow], Any]
Builder = Callable[[RecordRow], dict[str, Any]]

#: Generated builders kept per object and snapshot for explicit selections (``fields=...``); past
#: this many distinct selections, others are shaped through the plan (a client cannot grow memory).
KEPT_SELECTIONS = 32


def column_getter(field: FieldSpec) -> Getter:
    """Read a system column in its API form."""
    column = field.column
    assert column is not None, "column_getter reads fields stored in a record column"
    if column == "id":
        return lambda record: record.id
    if column in INSTANT_COLUMNS:
        return lambda record: format_instant(value) if (value := getattr(record, column)) else None
    field_type = field.field_type
    return lambda record: field_type.to_api(getattr(record, column), field)


def key_getter(key: str) -> Getter:
    """Read the stored ``data`` value under ``key`` as it is."""
    return lambda record: record.data.get(key)


def data_getter(field: FieldSpec) -> Getter:
    """Read a ``data`` value in its API form."""
    key, field_type = field.storage_key, field.field_type
    if not field_type.is_composite:
        return key_getter(key)
    # The API form of a composite is every sub-field in the type's order (a stored object may lack
    # some, and PostgreSQL's jsonb keeps keys in an order of its own): that is ``to_api``,
    # unrolled here with its empty value computed once, as the read path calls it per record.
    empty = field_type.to_api(None, field)
    pairs = tuple(empty.items())

    def get(record: RecordRow) -> Any:
        stored = record.data.get(key)
        if not isinstance(stored, dict):
            return dict(empty) if stored is None else field_type.to_api(stored, field)
        return {name: stored.get(name, default) for name, default in pairs}

    return get


def output_plan(snapshot: SchemaSnapshot, spec: ObjectSpec) -> tuple[tuple[str, Getter], ...]:
    """``(api name, getter)`` for every returned key of ``spec``, memoised per snapshot."""

    def build() -> tuple[tuple[str, Getter], ...]:
        plan: list[tuple[str, Getter]] = []
        for field in spec.fields:
            if field.is_many_to_one:
                plan.append((field.join_name, key_getter(field.join_storage_key)))
            elif field.relation is None:
                plan.append((field.name, column_getter(field) if field.column else data_getter(field)))
        return tuple(plan)

    return schema_registry.memo(snapshot, f"output:{spec.id}", build)


def record_to_api(
    record: RecordRow, plan: Iterable[tuple[str, Getter]], selection: frozenset[str] | None = None
) -> dict[str, Any]:
    """The API form of one record (only ``selection`` keys, plus ``id``, when given)."""
    if selection is None:
        return {name: get(record) for name, get in plan}
    return {name: get(record) for name, get in plan if name in selection or name == "id"}


def api_builder(snapshot: SchemaSnapshot, spec: ObjectSpec, selection: frozenset[str] | None = None) -> Builder:
    """A function giving ``record_to_api(record, output_plan(...), selection)``, dict for dict.

    It is generated as Python source (as ``dataclasses`` builds ``__init__``): one dict display
    with each field's read written out, a composite's sub-fields included. Calling a getter per
    field and a comprehension per composite cost about half of a list page's shaping.
    """
    if selection is None:
        return schema_registry.memo(snapshot, f"builder:{spec.id}", lambda: generate_builder(spec, None))
    kept: dict[frozenset[str], Builder] = schema_registry.memo(snapshot, f"builders:{spec.id}", dict)
    builder = kept.get(selection)
    if builder is None:
        if len(kept) >= KEPT_SELECTIONS:
            plan = output_plan(snapshot, spec)
            return lambda record: record_to_api(record, plan, selection)
        builder = kept[selection] = generate_builder(spec, selection)
    return builder


def generate_builder(spec: ObjectSpec, selection: frozenset[str] | None) -> Builder:
    """Compile the builder of ``api_builder`` (the same keys, in ``output_plan``'s order)."""
    names: dict[str, Any] = {"format_instant": format_instant, "isinstance": isinstance, "dict": dict}
    lines: list[str] = []  # statements before the dict: each composite's stored value
    items: list[str] = []

    def constant(value: Any) -> str:
        name = f"c{len(names)}"
        names[name] = value
        return name

    def composite(stored: str, field: FieldSpec) -> str:
        """A composite read from the expression ``stored``: every sub-field, or the type's own
        ``to_api`` when the stored value is not a dict (None gives a fresh empty value)."""

        def fallback(value: Any) -> Any:
            return field.field_type.to_api(value, field)

        variable = f"v{len(lines)}"
        lines.append(f"{variable} = {stored}")
        empty = field.field_type.to_api(None, field)
        subs = ", ".join(f"{name!r}: {variable}.get({name!r}, {constant(default)})" for name, default in empty.items())
        return f"({{{subs}}} if isinstance({variable}, dict) else {constant(fallback)}({variable}))"

    for field in spec.fields:
        if field.relation is not None and not field.is_many_to_one:
            continue
        name = field.join_name if field.is_many_to_one else field.name
        if selection is not None and name not in selection and name != "id":
            continue
        if field.is_many_to_one:
            read = f"get({field.join_storage_key!r})"
        elif field.column == "id":
            read = "record.id"
        elif field.column in INSTANT_COLUMNS:
            variable = f"v{len(lines)}"
            lines.append(f"{variable} = record.{field.column}")
            read = f"(format_instant({variable}) if {variable} else None)"
        else:
            stored = f"record.{field.column}" if field.column else f"get({field.storage_key!r})"
            own_to_api = type(field.field_type).to_api
            if own_to_api is FieldType.to_api:
                read = stored
            elif own_to_api is CompositeType.to_api:
                read = composite(stored, field)
            else:  # a type with a reading of its own: through its getter
                read = f"{constant(column_getter(field) if field.column else data_getter(field))}(record)"
        items.append(f"{name!r}: {read}")
    body = "\n".join(f"    {line}" for line in ["get = record.data.get", *lines])
    source = f"def build(record):\n{body}\n    return {{{', '.join(items)}}}\n"
    exec(
        compile(source, f"<api builder of {spec.name_singular}>", "exec"), names
    )  # our own source, built from the schema
    return cast(Builder, names["build"])
