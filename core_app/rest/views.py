"""Core REST (``/rest/...``): one thin view for every record route of api-reference 1.1.

The view resolves the object through the workspace's schema snapshot, parses parameters,
calls the record service and shapes Twenty's envelopes. Nothing here validates values or
builds SQL.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_common.errors import BadRequest, MethodNotAllowed
from apikeys_app.authentication import api_key_of
from core_app.access import readable_keys, record_access
from core_app.query.search_vector import SEARCH_VECTOR, has_search_vector
from core_app.rest import conditional, params
from core_app.rest.guarded import guarded_write
from core_app.services import writing
from core_app.services.context import RecordContext, api_actor
from core_app.services.duplicates import find_duplicates
from core_app.services.grouping import group_by
from core_app.services.loading import depth_loads, shape
from core_app.services.merging import merge_records
from core_app.services.output import output_plan
from core_app.services.reading import find_many, find_one
from core_app.services.search import search
from metadata_app.field_types.scalars import CANONICAL_UUID
from metadata_app.registry import schema_registry
from metadata_app.services.names import cap

__all__ = ["InvalidPathView", "RecordsView", "SearchView", "cap", "record_context"]

#: The action paths of an object (``/rest/{plural}/{action}``) and the methods each takes, its own first.
ACTION_METHODS = {"duplicates": ("POST",), "merge": ("PATCH", "PUT"), "groupBy": ("GET", "HEAD")}
PATH_EXAMPLES = "/rest/companies/id or /rest/companies or /rest/batch/companies or /rest/restore/companies/id"


def record_context(request: Request, plural: str) -> RecordContext:
    """The record context of ``plural`` in the caller's workspace; 400 for an unknown object."""
    api_key = api_key_of(request)
    snapshot = schema_registry.snapshot(api_key.workspace)
    spec = snapshot.by_plural.get(plural)
    if spec is None:
        singular = snapshot.by_singular.get(plural)
        if singular is not None:
            raise BadRequest(f"object '{plural}' not found. Did you mean '{singular.name_plural}'?")
        raise BadRequest(f"object '{plural}' not found. eg: companies")
    return RecordContext(
        api_key.workspace_id,
        snapshot,
        spec,
        api_actor(api_key.name, api_key.pk),
        record_access(api_key.permissions),
        workspace=api_key.workspace,
    )


class RecordsView(APIView):
    """Every ``/rest/{plural}[/{id}]``, ``/rest/batch/{plural}`` and ``/rest/restore/{plural}[/{id}]`` route."""

    mode = "core"  # "core", "batch" or "restore"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """After authentication, read ``depth`` first, so that a bad value refuses a write before it happens."""
        super().initial(request, *args, **kwargs)
        self.depth = params.read_depth(request.query_params)

    # -- resolution ---------------------------------------------------------------------------

    def context(self, request: Request, plural: str) -> RecordContext:
        """The record context of ``plural`` in the caller's workspace; 400 for an unknown object."""
        return record_context(request, plural)

    @staticmethod
    def record_id(raw: str) -> str:
        """A path id must be a UUID in its canonical 8-4-4-4-12 form."""
        if not CANONICAL_UUID.match(raw):
            raise BadRequest(f"'{raw}' is not a valid UUID")
        return str(uuid.UUID(raw))

    def shape(
        self, ctx: RecordContext, records: list, request: Request, selection: frozenset[str] | None = None
    ) -> list[dict[str, Any]]:
        """API records with ``depth`` levels of relations embedded."""
        return shape(ctx, records, depth_loads(ctx, self.depth, selection), selection)

    @staticmethod
    def selection(ctx: RecordContext, request: Request) -> frozenset[str] | None:
        """``fields`` of a read: the keys to return, each one the role reads (None: the default keys).

        ``searchVector`` is returned only when named here (api-reference §13.2).
        """
        if "fields" not in request.query_params:
            return None
        keys = {name for name, _ in output_plan(ctx.snapshot, ctx.spec)} | {f.name for f in ctx.spec.relations}
        if has_search_vector(ctx.spec):
            keys.add(SEARCH_VECTOR)
        return params.read_fields(request.query_params, ctx.spec, readable_keys(ctx, keys))

    # -- routes ------------------------------------------------------------------------------

    def check_action(self, request: Request, record_id: str | None) -> None:
        """A 405 for an action path (``/rest/{plural}/merge``...) asked with another method than its own."""
        methods = ACTION_METHODS.get(record_id or "") if self.mode == "core" else None
        if methods is not None and request.method not in methods:
            raise MethodNotAllowed(f"Use {methods[0]} on this path")

    def get(self, request: Request, plural: str, record_id: str | None = None) -> Response:
        if self.mode != "core":
            raise MethodNotAllowed(f"Use {'POST' if self.mode == 'batch' else 'PATCH'} on this path")
        self.check_action(request, record_id)
        ctx = self.context(request, plural)
        query = request.query_params
        if record_id == "groupBy":
            return self.group_by(request, ctx)
        selection = self.selection(ctx, request)
        if record_id is not None:
            record = find_one(ctx, self.record_id(record_id))
            if self.depth == 0 and (unchanged := conditional.not_modified(request, conditional.etag(ctx, record))):
                return unchanged
            answer = Response({"data": {ctx.spec.name_singular: self.shape(ctx, [record], request, selection)[0]}})
            return conditional.with_etag(answer, ctx, record, self.depth)
        after, before = params.read_cursors(query)
        page = find_many(
            ctx, params.read_filter(query), params.read_order(query), params.read_limit(query), after, before
        )
        return Response(
            {
                "data": {ctx.spec.name_plural: self.shape(ctx, page.records, request, selection)},
                "totalCount": page.total_count,
                "pageInfo": page.page_info(),
            }
        )

    @guarded_write
    def post(self, request: Request, plural: str, record_id: str | None = None) -> Response:
        self.check_action(request, record_id)
        if self.mode == "core" and record_id == "duplicates":
            return self.duplicates(request, self.context(request, plural))
        if self.mode == "restore" or record_id is not None:
            raise BadRequest(
                f"Query path '{request.path.removeprefix('/rest/')}' invalid. Valid examples: {PATH_EXAMPLES}"
            )
        ctx = self.context(request, plural)
        upsert = params.is_true(request.query_params, "upsert")
        if self.mode == "batch":
            changes = writing.create_many(ctx, request.data, upsert=upsert, batch=True)
            records = self.shape(ctx, [c.record for c in changes], request)
            return Response({"data": {f"create{cap(ctx.spec.name_plural)}": records}}, status=201)
        if not isinstance(request.data, dict):
            raise BadRequest("The body must be a JSON object (the record); use POST /rest/batch/{plural} for several")
        change = writing.create_many(ctx, [request.data], upsert=upsert, batch=False)[0]
        answer = Response(
            {"data": {f"create{cap(ctx.spec.name_singular)}": self.shape(ctx, [change.record], request)[0]}}, status=201
        )
        return conditional.with_etag(answer, ctx, change.record, self.depth)

    @guarded_write
    def patch(self, request: Request, plural: str, record_id: str | None = None) -> Response:
        if self.mode == "batch":
            raise MethodNotAllowed("Use POST on /rest/batch/{plural}")
        self.check_action(request, record_id)
        ctx = self.context(request, plural)
        if self.mode == "restore":
            return self.restore(request, ctx, record_id)
        if record_id == "merge":
            return self.merge(request, ctx)
        if record_id is not None:
            change = writing.update_one(ctx, self.record_id(record_id), request.data)
            answer = Response(
                {"data": {f"update{cap(ctx.spec.name_singular)}": self.shape(ctx, [change.record], request)[0]}}
            )
            return conditional.with_etag(answer, ctx, change.record, self.depth)
        changes = writing.update_many(ctx, params.read_filter(request.query_params), request.data)
        records = self.shape(ctx, [c.record for c in changes], request)
        return Response({"data": {f"update{cap(ctx.spec.name_plural)}": records}})

    put = patch

    def duplicates(self, request: Request, ctx: RecordContext) -> Response:
        """``POST /rest/{plural}/duplicates`` with ``{data: [...]}`` or ``{ids: [...]}``."""
        body = request.data if isinstance(request.data, dict) else {}
        if not isinstance(request.data, dict) or set(body) - {"data", "ids"}:
            raise BadRequest('The body must be {"data": [records]} or {"ids": [record ids]}')
        results = find_duplicates(ctx, body.get("data"), body.get("ids"))
        key = f"{ctx.spec.name_singular}Duplicates"
        return Response(
            {
                "data": [
                    {
                        key: self.shape(ctx, records, request),
                        "totalCount": total,
                        "pageInfo": {
                            "hasNextPage": total > len(records),
                            "hasPreviousPage": False,
                            "startCursor": str(records[0].pk) if records else None,
                            "endCursor": str(records[-1].pk) if records else None,
                        },
                    }
                    for records, total in results
                ]
            }
        )

    def merge(self, request: Request, ctx: RecordContext) -> Response:
        """``PATCH /rest/{plural}/merge`` with ``{ids, conflictPriorityIndex, dryRun}``."""
        body = request.data
        if not isinstance(body, dict) or set(body) - {"ids", "conflictPriorityIndex", "dryRun"}:
            raise BadRequest('The body must be {"ids": [...], "conflictPriorityIndex": 0, "dryRun": false}')
        dry_run = body.get("dryRun", False)
        if not isinstance(dry_run, bool):
            raise BadRequest("'dryRun' must be true or false")
        record = merge_records(ctx, body.get("ids"), body.get("conflictPriorityIndex", 0), dry_run)
        return Response({"data": {f"merge{cap(ctx.spec.name_singular)}": self.shape(ctx, [record], request)[0]}})

    def group_by(self, request: Request, ctx: RecordContext) -> Response:
        """``GET /rest/{plural}/groupBy?group_by=[...]&aggregate=[...]&order_by=...``."""
        query = request.query_params
        if "group_by" not in query:
            raise BadRequest("'group_by' parameter is required, e.g. group_by=[{\"stage\":true}]")
        parsed = {}
        for name in ("group_by", "aggregate"):
            try:
                parsed[name] = orjson.loads(query[name]) if name in query else None
            except orjson.JSONDecodeError:
                raise BadRequest(f"'{name}' parameter invalid. Expected JSON, got '{query[name]}'") from None
        groups = group_by(
            ctx,
            params.read_filter(query),
            parsed["group_by"],
            parsed["aggregate"],
            params.read_limit(query),
            params.is_true(query, "include_records_sample"),
            order=params.read_order(query),
        )
        return Response(groups)

    def restore(self, request: Request, ctx: RecordContext, record_id: str | None) -> Response:
        """``PATCH /rest/restore/{plural}[/{id}]``."""
        if record_id is not None:
            record = find_one(ctx, self.record_id(record_id), with_deleted=True)
            change = writing.change_of(ctx, record, writing.restore(ctx, [record]))
            answer = Response(
                {"data": {f"restore{cap(ctx.spec.name_singular)}": self.shape(ctx, [change.record], request)[0]}}
            )
            return conditional.with_etag(answer, ctx, change.record, self.depth)
        records = writing.select_many(ctx, params.read_filter(request.query_params), "restore", trash=True)
        changes = writing.restore(ctx, records)
        return Response(
            {"data": {f"restore{cap(ctx.spec.name_plural)}": self.shape(ctx, [c.record for c in changes], request)}}
        )

    @guarded_write
    def delete(self, request: Request, plural: str, record_id: str | None = None) -> Response:
        if self.mode != "core":
            raise MethodNotAllowed("DELETE is not available on this path")
        self.check_action(request, record_id)
        ctx = self.context(request, plural)
        soft = params.is_true(request.query_params, "soft_delete")
        if record_id is not None:
            record = find_one(ctx, self.record_id(record_id), with_deleted=not soft)
            record = writing.change_of(
                ctx, record, (writing.soft_delete if soft else writing.destroy)(ctx, [record])
            ).record
            answer = Response({"data": {f"delete{cap(ctx.spec.name_singular)}": {"id": str(record.pk)}}})
            return conditional.with_etag(answer, ctx, record, 0) if soft else answer
        node = params.read_filter(request.query_params)
        records = writing.select_many(ctx, node, "delete" if soft else "destroy")
        (writing.soft_delete if soft else writing.destroy)(ctx, records)
        return Response({"data": {f"delete{cap(ctx.spec.name_plural)}": [{"id": str(r.pk)} for r in records]}})


class InvalidPathView(APIView):
    """Paths with too many segments, or none (``/rest``)."""

    def dispatch_invalid(self, request: Request, rest: str | None = None) -> Response:
        rest = rest or ""
        raise BadRequest(f"Query path '{rest}' invalid. Valid examples: {PATH_EXAMPLES}")

    get = post = patch = put = delete = dispatch_invalid


class SearchView(APIView):
    """``GET /rest/search``: Twenty's ``search`` over REST (api-reference §13.2)."""

    def get(self, request: Request) -> Response:
        api_key = api_key_of(request)
        snapshot = schema_registry.snapshot(api_key.workspace)
        access = record_access(api_key.permissions)
        actor = api_actor(api_key.name, api_key.pk)
        contexts = [
            RecordContext(api_key.workspace_id, snapshot, spec, actor, access, workspace=api_key.workspace)
            for spec in snapshot.objects
        ]
        query = request.query_params
        page = search(
            contexts,
            query.get("search_input", ""),
            params.read_search_limit(query),
            query.get("starting_after"),
            params.read_names(query, "included_objects"),
            params.read_names(query, "excluded_objects"),
            params.read_filter(query),
        )
        return Response(
            {
                "data": {"search": [hit.as_api() for hit in page.hits]},
                "pageInfo": {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor},
            }
        )
