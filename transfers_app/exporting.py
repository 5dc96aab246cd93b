"""Exports: every record matching a filter, as CSV or NDJSON, produced page by page.

:func:`export_stream` checks the filter and order (the REST grammar, the caller's read rights) and
reads the first keyset page before it returns, so bad input is a 4xx, never a broken download;
then it yields the file one page of ``EXPORT_PAGE_SIZE`` records at a time (``reading.scan``):
memory holds one page, whatever the number of records.

Records are the API's (``GET /rest/{plural}``, depth 0, the fields the role reads). In CSV a
composite field is one column per sub-field (``name.firstName``), arrays and objects are JSON
text, ``null`` an empty cell, booleans ``true``/``false``, text a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``...) behind a ``'`` (``formulas``); that is what an import reads back.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from core_app import access
from core_app.query.ast import Node, OrderKey
from core_app.services.context import RecordContext
from core_app.services.output import Getter, output_plan
from core_app.services.reading import scan
from core_app.store.records import RecordRow
from metadata_app.field_types.composites import CompositeType
from metadata_app.specs import FieldSpec
from transfers_app import conf
from transfers_app.formulas import FIRST_CHARACTERS, guard

__all__ = ["CONTENT_TYPES", "Export", "export_stream", "exportable_keys"]

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


#: Value classes a CSV cell writes differently from ``str()`` (the csv module writes None as empty).
SPECIAL = frozenset({bool, dict, list})


def cell(value: Any) -> Any:
    """A value as a CSV cell: booleans ``true``/``false``, arrays and objects as JSON, text that a
    spreadsheet would run as a formula behind a ``'`` (``formulas.guard``), anything else as is."""
    if isinstance(value, str):
        return guard(value)
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value


@dataclass
class Export:
    """An export ready to stream: its chunks (``bytes``, one per page) in ``format``."""

    chunks: Iterator[bytes]
    format: str


def plan_of(ctx: RecordContext, fields: frozenset[str] | None = None) -> tuple[tuple[str, Getter], ...]:
    """The output plan narrowed to the keys the role reads and, when given, to ``fields`` and ``id``
    (as a list's ``fields``; the plan's order is kept)."""
    plan = output_plan(ctx.snapshot, ctx.spec)
    readable = access.readable_keys(ctx, [name for name, _ in plan])
    wanted = None if fields is None else fields | {"id"}
    return tuple((name, get) for name, get in plan if name in readable and (wanted is None or name in wanted))


def exportable_keys(ctx: RecordContext) -> set[str]:
    """The keys an export may hold: what ``fields`` may name."""
    return {name for name, _ in plan_of(ctx)}


def parts_getter(field: FieldSpec, get: Getter) -> Callable[[RecordRow], list[Any]]:
    """The API values of a composite field's sub-fields, in the type's order: the CSV cells of one field.

    Equal to ``[get(record).get(sub) for sub in sub_fields]``; for a value stored in ``data`` as an
    object (nearly every record) the sub-fields are read straight from it, without building the
    API object first (``core_app.services.output.data_getter`` builds it with the same defaults).
    """
    field_type = field.field_type
    names = tuple(field_type.sub_fields)
    empty = field_type.to_api(None, field)
    slow = lambda record: [value.get(name) if value else None for value in (get(record),) for name in names]  # noqa: E731
    # The shortcut is CompositeType.to_api's own rule (a missing sub-field reads as its empty value);
    # a type with a rule of its own, or no object when empty, takes the API getter.
    if type(field_type).to_api is not CompositeType.to_api or not isinstance(empty, dict) or set(empty) != set(names):
        return slow
    defaults = tuple((name, empty[name]) for name in names)
    column, key = field.column, field.storage_key

    def parts(record: RecordRow) -> list[Any]:
        stored: Any = getattr(record, column) if column else record.data.get(key)
        if stored.__class__ is dict:
            return [stored.get(name, default) for name, default in defaults]
        return slow(record)

    return parts


#: How one returned key becomes cells: one value, or the values of its sub-fields.
Layout = list[tuple[Getter, bool]]


def csv_layout(ctx: RecordContext, plan: tuple[tuple[str, Getter], ...]) -> tuple[list[str], Layout]:
    """The CSV header (composites flattened to ``field.subField``) and, per returned key, its cell getter
    and whether it gives several cells (a composite's sub-fields, in the type's order)."""
    header: list[str] = []
    layout: Layout = []
    for name, get in plan:
        found = ctx.spec.field(name)
        subs = tuple(found.field_type.sub_fields) if found is not None and found.relation is None else ()
        if found is not None and subs:
            header += [f"{name}.{sub}" for sub in subs]
            layout.append((parts_getter(found, get), True))
        else:
            header.append(name)
            layout.append((get, False))
    return header, layout


def csv_chunks(
    ctx: RecordContext, pages: Iterator[list[RecordRow]], fields: frozenset[str] | None = None
) -> Iterator[bytes]:
    """The CSV file: the header, then one chunk per page."""
    header, layout = csv_layout(ctx, plan_of(ctx, fields))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield buffer.getvalue().encode()
    special, starts = SPECIAL, FIRST_CHARACTERS
    for page in pages:
        buffer.seek(0)
        buffer.truncate()
        lines = []
        # The hot loop of an export (one pass per record): classes and first characters are compared
        # instead of calling cell() for every value, as most values are written as they are.
        for record in page:
            values: list[Any] = []
            append = values.append
            for get, several in layout:
                if several:
                    for part in get(record):
                        guarded = part.__class__ in special or (part.__class__ is str and part[:1] in starts)
                        append(cell(part) if guarded else part)
                else:
                    value = get(record)
                    guarded = value.__class__ in special or (value.__class__ is str and value[:1] in starts)
                    append(cell(value) if guarded else value)
            lines.append(values)
        writer.writerows(lines)
        yield buffer.getvalue().encode()


def ndjson_chunks(
    ctx: RecordContext, pages: Iterator[list[RecordRow]], fields: frozenset[str] | None = None
) -> Iterator[bytes]:
    """The NDJSON file: one API record per line, one chunk per page."""
    plan = plan_of(ctx, fields)
    for page in pages:
        yield b"".join(orjson.dumps({name: get(record) for name, get in plan}) + b"\n" for record in page)


def export_stream(
    ctx: RecordContext,
    node: Node | None,
    order: list[OrderKey],
    format: str,
    on_page: Callable[[int], None] | None = None,
    fields: frozenset[str] | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> Export:
    """Check the request and read the first page now; the rest is read as the chunks are taken.

    ``fields`` narrows the keys (see :func:`exportable_keys`), ``limit`` the number of records (the
    first ``limit`` in ``order``), ``after`` where they start (after the record of a list's cursor in
    the same ``order``). ``on_page(records)`` is called as each page is read (a progress bar).
    """
    page_size = conf.export_page_size() if limit is None else max(1, min(limit, conf.export_page_size()))
    pages = scan(ctx, node, order, page_size, after)
    first = next(pages, None)  # raises the 4xx of a bad filter, order or role before any byte is sent

    def all_pages() -> Iterator[list[RecordRow]]:
        if first is None:
            return
        remaining = limit
        for page in itertools.chain([first], pages):
            if remaining is not None:
                page = page[:remaining]
                remaining -= len(page)
            if on_page is not None:
                on_page(len(page))
            yield page
            if remaining == 0:
                return

    chunks = csv_chunks if format == "csv" else ndjson_chunks
    return Export(chunks(ctx, all_pages(), fields), format)
