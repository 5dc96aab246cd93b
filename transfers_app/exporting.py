"""Exports: every record matching a filter, as CSV or NDJSON, produced page by page.

:func:`export_stream` checks the filter and order (the REST grammar, the caller's read rights) and
reads the first keyset page before it returns, so bad input is a 4xx, never a broken download;
then it yields the file one page of ``EXPORT_PAGE_SIZE`` records at a time (``reading.scan``):
memory holds one page, whatever the number of records.

Records are the API's (``GET /rest/{plural}``, depth 0, the fields the role reads). In CSV a
composite field is one column per sub-field (``name.firstName``), arrays and objects are JSON
text, ``null`` an empty cell, booleans ``true``/``false``; that is what an import reads back.
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
from transfers_app import conf

__all__ = ["CONTENT_TYPES", "Export", "export_stream"]

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


#: Value classes a CSV cell writes differently from ``str()`` (the csv module writes None as empty).
SPECIAL = frozenset({bool, dict, list})


def cell(value: Any) -> Any:
    """A value as a CSV cell: booleans ``true``/``false``, arrays and objects as JSON, anything else as is."""
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


def plan_of(ctx: RecordContext) -> tuple[tuple[str, Getter], ...]:
    """The output plan narrowed to the keys the role reads."""
    plan = output_plan(ctx.snapshot, ctx.spec)
    readable = access.readable_keys(ctx, [name for name, _ in plan])
    return tuple((name, get) for name, get in plan if name in readable)


def csv_layout(ctx: RecordContext, plan: tuple[tuple[str, Getter], ...]) -> list[tuple[Getter, tuple[str, ...] | None]]:
    """Per returned key: its getter, and the sub-fields it is flattened to (None: one column)."""
    layout: list[tuple[Getter, tuple[str, ...] | None]] = []
    for name, get in plan:
        found = ctx.spec.field(name)
        subs = tuple(found.field_type.sub_fields) if found is not None and found.relation is None else ()
        layout.append((get, subs or None))
    return layout


def csv_header(plan: tuple[tuple[str, Getter], ...], layout: list[tuple[Getter, tuple[str, ...] | None]]) -> list[str]:
    """The CSV header: composites flattened to ``field.subField``."""
    header: list[str] = []
    for (name, _), (_, subs) in zip(plan, layout):
        header += [f"{name}.{sub}" for sub in subs] if subs else [name]
    return header


def csv_chunks(ctx: RecordContext, pages: Iterator[list[RecordRow]]) -> Iterator[bytes]:
    """The CSV file: the header, then one chunk per page."""
    plan = plan_of(ctx)
    layout = csv_layout(ctx, plan)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header(plan, layout))
    yield buffer.getvalue().encode()
    special = SPECIAL
    for page in pages:
        buffer.seek(0)
        buffer.truncate()
        lines = []
        # The hot loop of an export (one pass per record): classes are compared instead of calling
        # cell() for every value, as most values are text, numbers or None, written as they are.
        for record in page:
            values: list[Any] = []
            for get, subs in layout:
                value = get(record)
                if subs is None:
                    values.append(cell(value) if value.__class__ in special else value)
                else:
                    for sub in subs:
                        part = value.get(sub) if value else None
                        values.append(cell(part) if part.__class__ in special else part)
            lines.append(values)
        writer.writerows(lines)
        yield buffer.getvalue().encode()


def ndjson_chunks(ctx: RecordContext, pages: Iterator[list[RecordRow]]) -> Iterator[bytes]:
    """The NDJSON file: one API record per line, one chunk per page."""
    plan = plan_of(ctx)
    for page in pages:
        yield b"".join(orjson.dumps({name: get(record) for name, get in plan}) + b"\n" for record in page)


def export_stream(
    ctx: RecordContext,
    node: Node | None,
    order: list[OrderKey],
    format: str,
    on_page: Callable[[int], None] | None = None,
) -> Export:
    """Check the request and read the first page now; the rest is read as the chunks are taken.

    ``on_page(records)`` is called as each page is read (a progress bar).
    """
    pages = scan(ctx, node, order, conf.export_page_size())
    first = next(pages, None)  # raises the 4xx of a bad filter, order or role before any byte is sent

    def all_pages() -> Iterator[list[RecordRow]]:
        if first is None:
            return
        for page in itertools.chain([first], pages):
            if on_page is not None:
                on_page(len(page))
            yield page

    chunks = csv_chunks(ctx, all_pages()) if format == "csv" else ndjson_chunks(ctx, all_pages())
    return Export(chunks, format)
