"""``manage.py export_records WORKSPACE PLURAL [--filter F] [--order-by O] [--fields F] [--limit N] [--format csv|ndjson] [--output FILE]``.

The same export as ``GET /rest/exports/{plural}`` (the REST filter and order grammar, keyset pages,
composites flattened in CSV), written to a file (or standard output) with a progress bar on
standard error.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from api_common.errors import ApiError
from core_app.query.order_by import parse_order_by
from core_app.query.rest_filter import parse_rest_filter
from core_app.rest.params import read_fields
from core_app.services.context import api_actor
from core_app.services.reading import count_matching
from transfers_app.exporting import export_stream, exportable_keys
from transfers_app.management.commands._shared import command_context, progress_bar


class Command(BaseCommand):
    """Export the records of one object matching a filter."""

    help = "Export records as CSV or NDJSON (as GET /rest/exports/{plural}), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="workspace id or display name")
        parser.add_argument("plural", help="object, by its plural name (people, companies...)")
        parser.add_argument("--filter", default=None, help="REST filter, e.g. 'city[eq]:Paris'")
        parser.add_argument("--order-by", default=None, help="REST order_by, e.g. 'name.lastName[AscNullsFirst]'")
        parser.add_argument("--fields", default=None, help="keys to export, e.g. 'name,emails' (id always)")
        parser.add_argument("--limit", type=int, default=None, help="at most this many records, the first in order")
        parser.add_argument("--format", choices=("csv", "ndjson"), default="csv")
        parser.add_argument("--output", default="-", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = command_context(options["workspace"], options["plural"], api_actor("manage.py export_records"))
        try:
            node = parse_rest_filter(options["filter"]) if options["filter"] else None
            order = parse_order_by(options["order_by"])
            fields = read_fields({"fields": options["fields"]}, ctx.spec, exportable_keys(ctx))
            limit = options["limit"]
            if limit is not None and limit < 0:
                raise CommandError(f"--limit must be 0 or more, got {limit}")
            total = count_matching(ctx, node) if limit is None else min(limit, count_matching(ctx, node))
        except ApiError as error:
            raise CommandError("; ".join(error.messages)) from None
        out = sys.stdout.buffer if options["output"] == "-" else open(options["output"], "wb")
        try:
            with progress_bar("records") as bar:
                task = bar.add_task("export", total=total)
                try:
                    export = export_stream(
                        ctx, node, order, options["format"], lambda n: bar.advance(task, n), fields, limit
                    )
                except ApiError as error:
                    raise CommandError("; ".join(error.messages)) from None
                for chunk in export.chunks:
                    out.write(chunk)
        finally:
            if out is not sys.stdout.buffer:
                out.close()
        if options["output"] != "-":
            self.stderr.write(f"Exported {total} records to {options['output']}")
