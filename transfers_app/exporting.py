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


def cell(value: Any) -> Any:
    """A value as a CSV cell."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value


@dataclass
class Export:
    """An export ready to stream: its chunks (``bytes``) and, when counted, nothing more is needed."""

    chunks: Iterator[bytes]
    format: str


def plan_of(ctx: RecordContext) -> tuple[tuple[str, Getter], ...]:
    """The output plan narrowed to the keys the role reads."""
    plan = output_plan(ctx.snapshot, ctx.spec)
    readable = access.readable_keys(ctx, [name for name, _ in plan])
    return tuple((name, get) for name, get in plan if name in readable)


def csv_columns(ctx: RecordContext, plan: tuple[tuple[str, Getter], ...]) -> list[tuple[str, str, str | None]]:
    """``(header, key, sub-field)`` of every CSV column: composites flattened to ``field.subField``."""
    columns: list[tuple[str, str, str | None]] = []
    for name, _ in plan:
        found = ctx.spec.field(name)
        subs = found.field_type.sub_fields if found is not None and found.relation is None else {}
        if subs:
            columns += [(f"{name}.{sub}", name, sub) for sub in subs]
        else:
            columns.append((name, name, None))
    return columns


def csv_chunks(ctx: RecordContext, pages: Iterator[list[RecordRow]]) -> Iterator[bytes]:
    """The CSV file: the header, then one chunk per page."""
    plan = plan_of(ctx)
    columns = csv_columns(ctx, plan)
    getters = dict(plan)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for header, _, _ in columns])
    yield buffer.getvalue().encode()
    # The getters of the row, in column order, each composite read once per record.
    layout = [(getters[key], sub) for _, key, sub in columns]
    for page in pages:
        buffer.seek(0)
        buffer.truncate()
        for record in page:
            values: list[Any] = []
            last_get, last_value = None, None
            for get, sub in layout:
                if sub is None:
                    values.append(cell(get(record)))
                    continue
                if get is not last_get:
                    last_get, last_value = get, get(record)
                values.append(cell(last_value.get(sub) if last_value else None))
            writer.writerow(values)
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
