"""Search across objects (api-reference §13): Twenty's GraphQL ``search`` and our ``GET /rest/search``.

Both adapters call :func:`search`. The rule is one on both databases (§13.2): the input is
normalised into words as record values are into tokens (``core_app.store.search``); a record
matches when a word is a prefix of one of its tokens. Scores, ours: ``tsRankCD`` = share of the
words matched, ``tsRank`` = share matched in the label-identifier field. Each object is read in
``tsRankCD DESC, tsRank DESC, id ASC`` through the token index (one query per object, whatever
the page size); the pages of all objects are merged by ranks, then Twenty's object priority
(person, company, opportunity, note, task, the rest), then ``nameSingular``, then id.

The cursor is Twenty's shape, base64 of ``{"lastRanks": {"tsRankCD", "tsRank"},
"lastRecordIdsPerObject": {<object>: <id>}}``, holding the last record returned: from it every
object knows exactly where it resumes, so pages never repeat or skip a record.

Objects the caller's role cannot read are skipped; search fields it cannot read are not
searched (and a label it cannot read is ``""``). Trashed records are left out unless the filter
names ``deletedAt``.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import orjson
from django.conf import settings

from api_common.errors import BadRequest
from core_app import access
from core_app.query.ast import Node, iter_conditions, mentions_field
from core_app.query.compiler import compile_filter
from core_app.query.targets import Source
from core_app.services.context import RecordContext
from core_app.store.records import loads
from core_app.store.search import normalize, search_fields, successor
from core_app.store.sql import dialect, id_array, rows
from metadata_app.field_types.scalars import CANONICAL_UUID
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["FILTER_FIELDS", "SearchHit", "SearchPage", "max_input_length", "max_limit", "search"]

#: Twenty's object priority when ranks tie (``STANDARD_OBJECTS_BY_PRIORITY_RANK``).
PRIORITY: Final = {"person": 5, "company": 4, "opportunity": 3, "note": 2, "task": 1}
#: Fields the cross-object ``filter`` may name (Twenty's ``ObjectRecordFilterInput``).
FILTER_FIELDS: Final = ("id", "createdAt", "updatedAt", "deletedAt")
#: Most words a search input may hold (each is one range of the token index per object).
MAX_WORDS: Final = 20


def max_input_length() -> int:
    """``SEARCH_MAX_INPUT_LENGTH`` (characters of the search input), read at call time."""
    return int(getattr(settings, "SEARCH_MAX_INPUT_LENGTH", 200))


def max_limit() -> int:
    """Twenty's most results per page (100)."""
    return 100


@dataclass(frozen=True)
class SearchHit:
    """One record found: Twenty's ``SearchRecord``."""

    record_id: str
    object_name_singular: str
    label: str
    image_url: str
    ts_rank_cd: float
    ts_rank: float
    cursor: str = ""

    def as_api(self) -> dict[str, Any]:
        """The ``SearchRecord`` keys, as REST and GraphQL give them."""
        return {
            "recordId": self.record_id,
            "objectNameSingular": self.object_name_singular,
            "label": self.label,
            "imageUrl": self.image_url,
            "tsRankCD": self.ts_rank_cd,
            "tsRank": self.ts_rank,
        }


@dataclass(frozen=True)
class SearchPage:
    """A page of hits and Twenty's ``SearchResultPageInfo``."""

    hits: list[SearchHit]
    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: its last record's ranks (as word counts), object and id."""

    matched: int
    in_label: int
    object_name: str
    record_id: str


@dataclass(frozen=True)
class Found:
    """A record read from one object, before the merge."""

    spec: ObjectSpec
    record_id: str
    matched: int
    in_label: int
    #: The record's stored data as read, still encoded: only the records a page returns are decoded.
    stored: Any

    def data(self) -> dict[str, Any]:
        """The record's stored data."""
        return loads(self.stored) or {}

    def order(self) -> tuple[Any, ...]:
        """The merged order: ranks descending, priority descending, then ``nameSingular`` and id."""
        return (
            -self.matched,
            -self.in_label,
            -PRIORITY.get(self.spec.name_singular, 0),
            self.spec.name_singular,
            self.record_id,
        )


def words_of(text: Any) -> list[str]:
    """The distinct normalised words of the input; 400 when it is not a string or too long."""
    if not isinstance(text, str):
        raise BadRequest("searchInput must be a string")
    text = text.strip()
    if len(text) > max_input_length():
        raise BadRequest(f"Search input cannot exceed {max_input_length()} characters (got {len(text)})")
    if "\x00" in text:
        raise BadRequest("Search input must not contain NUL characters (\\u0000)")
    words = list(dict.fromkeys(normalize(text)))
    if len(words) > MAX_WORDS:
        raise BadRequest(f"Search input cannot hold more than {MAX_WORDS} words (got {len(words)})")
    return words


def check_limit(limit: Any) -> int:
    """Twenty's ``limit``: 1 to 100; the one check, and the one wording, of REST's and GraphQL's search."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise BadRequest("limit must be an integer between 1 and 100")
    if limit > max_limit():
        raise BadRequest(f"Limit cannot exceed {max_limit()} items")
    if limit < 1:
        raise BadRequest(f"Limit must be at least 1 (got {limit})")
    return int(limit)


def encode_cursor(hit: Found, words: int) -> str:
    """Twenty's cursor for a page ending at ``hit``."""
    ranks = rank(hit.matched, words), rank(hit.in_label, words)
    body = {
        "lastRanks": {"tsRankCD": ranks[0], "tsRank": ranks[1]},
        "lastRecordIdsPerObject": {hit.spec.name_singular: hit.record_id},
    }
    return base64.b64encode(orjson.dumps(body)).decode()


def decode_cursor(text: Any, words: int) -> Cursor:
    """The position a cursor names; 400 when it was not produced by this search."""
    invalid = BadRequest(f"Invalid cursor '{text}': use the endCursor returned with this same search input")
    if not isinstance(text, str):
        raise invalid
    try:
        body = orjson.loads(base64.b64decode(text.encode(), validate=True))
        ranks, last = body["lastRanks"], body["lastRecordIdsPerObject"]
        cd, r = float(ranks["tsRankCD"]), float(ranks["tsRank"])
        ((object_name, record_id),) = last.items()
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError, orjson.JSONDecodeError):
        raise invalid from None
    counts = [count_of(value, words) for value in (cd, r)]
    if None in counts or not isinstance(record_id, str) or not CANONICAL_UUID.match(record_id):
        raise invalid
    return Cursor(counts[0], counts[1], str(object_name), record_id.lower())  # type: ignore[arg-type]


def rank(count: int, words: int) -> float:
    """A share of the words (0 without words)."""
    return count / words if words else 0.0


def count_of(value: float, words: int) -> int | None:
    """The word count a rank stands for (None when it is not a share of ``words``)."""
    if not math.isfinite(value):
        return None
    count = round(value * words) if words else 0
    return count if 0 <= count <= max(words, 0) and abs(count - value * max(words, 1)) < 1e-6 else None


def check_filter(node: Node | None) -> None:
    """The cross-object filter names ``id``, ``createdAt``, ``updatedAt`` and ``deletedAt`` only."""
    if node is None:
        return
    for condition in iter_conditions(node):
        if len(condition.path) != 1 or condition.path[0] not in FILTER_FIELDS:
            raise BadRequest(
                f"'filter' invalid. Search filters may name {', '.join(FILTER_FIELDS)} only; "
                f"got '{'.'.join(condition.path)}'"
            )


def objects_to_search(
    contexts: Sequence[RecordContext], included: Sequence[str] | None, excluded: Sequence[str] | None
) -> list[RecordContext]:
    """Searchable objects the role reads, narrowed by the included and excluded names (unknown names: 400)."""
    names = {ctx.spec.name_singular for ctx in contexts}
    for what, given in (("includedObjectNameSingulars", included), ("excludedObjectNameSingulars", excluded)):
        unknown = [name for name in given or () if name not in names]
        if unknown:
            raise BadRequest(f"{what}: unknown object {', '.join(repr(n) for n in unknown)}")
    chosen = []
    for ctx in contexts:
        name = ctx.spec.name_singular
        if not ctx.spec.is_searchable or (included and name not in included) or name in (excluded or ()):
            continue
        if ctx.access is not None and not ctx.access.on(ctx.spec.id).read:
            continue  # api-reference 14.3: search skips objects the role cannot read
        chosen.append(ctx)
    return chosen


def readable_search_fields(ctx: RecordContext) -> list[FieldSpec] | None:
    """The search fields the role reads (None: all of them)."""
    view = access.view_of(ctx)
    if view is None or view.complete:
        return None
    return [f for f in ctx.spec.fields if f.is_searchable and f.id in view.readable]


def seek_sql(ctx: RecordContext, cursor: Cursor | None, params: list[Any], ranked: bool) -> str:
    """Records of this object that come after the cursor in the merged order ('' before the first page).

    Lower ranks come after; equal ranks come after when this object sorts after the cursor's
    (priority, then name), or, on the cursor's own object, when the id is greater.
    """
    if cursor is None:
        return ""
    d = dialect()
    spec = ctx.spec
    last = (-PRIORITY.get(cursor.object_name, 0), cursor.object_name)
    this = (-PRIORITY.get(spec.name_singular, 0), spec.name_singular)
    if not ranked:  # every rank is 0: only the tie rule applies
        if this == last:
            params.append(d.uuid_in(cursor.record_id))
            return " AND r.id > %s"
        return "" if this > last else " AND 1 = 0"
    params += [cursor.matched, cursor.matched, cursor.in_label]
    after = "(m.matched < %s OR (m.matched = %s AND m.in_label < %s)"
    if this == last:
        after += " OR (m.matched = %s AND m.in_label = %s AND m.record_id > %s)"
        params += [cursor.matched, cursor.in_label, d.uuid_in(cursor.record_id)]
    elif this > last:
        after += " OR (m.matched = %s AND m.in_label = %s)"
        params += [cursor.matched, cursor.in_label]
    return f" AND {after})"


def broad_range_rows() -> int:
    """``SEARCH_BROAD_RANGE_ROWS``: above this many index rows, a word's range in one field is broad."""
    return int(getattr(settings, "SEARCH_BROAD_RANGE_ROWS", 2000))


def walk_budget() -> int:
    """``SEARCH_WALK_BUDGET``: records a walk in id order reads before it gives way to the full ranking."""
    return int(getattr(settings, "SEARCH_WALK_BUDGET", 5000))


@dataclass(frozen=True)
class Plan:
    """How one object is searched: its searched fields and each (word, field) range's bounded size."""

    ctx: RecordContext
    words: list[str]
    fields: tuple[FieldSpec, ...]
    label_id: str | None
    sizes: dict[tuple[int, str], int]

    def broad(self) -> set[tuple[int, str]]:
        """The (word, field) ranges with more rows than ``broad_range_rows``."""
        return {pair for pair, size in self.sizes.items() if size > broad_range_rows()}

    def ceiling(self) -> tuple[int, int]:
        """The best ranks (word counts) a record matching through no narrow range can have."""
        broad = self.broad()
        return len({w for w, _ in broad}), len({w for w, f in broad if f == self.label_id})


def range_sql(
    ctx: RecordContext, words: list[str], word: int, field_id: str, params: list[Any], alias: str = "s"
) -> str:
    """The index rows of one word's range in one field: ``record_id``, ``field_id`` and the word's number ``w``."""
    d = dialect()
    text = words[word]
    params += [d.uuid_in(ctx.ws), d.uuid_in(ctx.spec.id), d.uuid_in(field_id), text, successor(text)]
    return (
        f"SELECT {alias}.record_id, {alias}.field_id, {word} AS w FROM core_app_searchtoken {alias} "
        f"WHERE {alias}.workspace_id = %s AND {alias}.object_id = %s AND {alias}.field_id = %s "
        f"AND {alias}.document IS NULL AND {alias}.token >= %s AND {alias}.token < %s"
    )


def plans_for(searched: list[tuple[RecordContext, tuple[FieldSpec, ...]]], words: list[str]) -> list[Plan]:
    """The plan of each object (with the fields searched in it): each (word, field) range counted up
    to one row past the broad bound.

    One statement for every object, read from the index alone: a broad word costs
    ``broad_range_rows`` index entries per field here, whatever its real size.
    """
    bound = broad_range_rows() + 1
    pairs_of = [[(w, f.id) for w in range(len(words)) for f in fields] for _, fields in searched]
    if not any(pairs_of):
        return []
    sizes = range_sizes(searched, pairs_of, words, bound)
    plans, start = [], 0
    for (ctx, fields), pairs in zip(searched, pairs_of, strict=True):
        label = ctx.spec.label_identifier
        label_id = label.id if label is not None and label in fields else None
        measured = sizes[start : start + len(pairs)]
        plans.append(Plan(ctx, words, fields, label_id, {p: int(n) for p, n in zip(pairs, measured, strict=True)}))
        start += len(pairs)
    return plans


def range_sizes(
    searched: list[tuple[RecordContext, tuple[FieldSpec, ...]]],
    pairs_of: list[list[tuple[int, str]]],
    words: list[str],
    bound: int,
) -> list[int]:
    """The size of each (word, field) range of each searched object, counted up to ``bound``, in order.

    PostgreSQL: one counting subquery run per range over an array of ranges, so the statement is
    planned once whatever their number (written out, one subquery per range, a two-word search
    over the standard objects spent 1.2 ms planning 28 of them, more than running them). SQLite:
    one scalar subquery per range.
    """
    d = dialect()
    if d.vendor == "postgresql":
        ranges = [
            (ctx.spec.id, field_id, words[w]) for (ctx, _), pairs in zip(searched, pairs_of) for w, field_id in pairs
        ]
        sql = (
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM core_app_searchtoken s WHERE s.workspace_id = %s "
            "AND s.object_id = v.o AND s.field_id = v.f AND s.document IS NULL AND s.token >= v.lo "
            f"AND s.token < v.hi LIMIT {int(bound)}) c) FROM unnest(%s::int[], %s::uuid[], %s::uuid[], "
            "%b::text[], %b::text[]) AS v(n, o, f, lo, hi) ORDER BY v.n"
        )
        params = [
            d.uuid_in(searched[0][0].ws),
            id_array(range(len(ranges))),
            id_array(o for o, _, _ in ranges),
            id_array(f for _, f, _ in ranges),
            [word for _, _, word in ranges],
            [successor(word) for _, _, word in ranges],
        ]
        return [int(row[0]) for row in rows(sql, params)]
    params = []
    counts = [
        f"(SELECT COUNT(*) FROM ({range_sql(ctx, words, w, f, params)} LIMIT {int(bound)}) c)"
        for (ctx, _), pairs in zip(searched, pairs_of)
        for w, f in pairs
    ]
    (sizes,) = rows(f"SELECT {', '.join(counts)}", params)
    return [int(n) for n in sizes]


def ranked_sql(plan: Plan, cursor: Cursor | None, cap: int, narrow_only: bool) -> tuple[str, list[Any]]:
    """The ids of the object's matches after ``cursor``, with their word counts, in rank order (at most ``cap``).

    Read from the token index alone: one range per word and field; per record, one MAX per word
    says whether it matched, and whether it matched in the label field (plain aggregates a hash
    can compute). With ``narrow_only``, only the records some narrow range holds: a broad range
    is then probed for those records only (the primary key, led by the record).
    """
    d = dialect()
    broad = plan.broad() if narrow_only else set()
    params: list[Any] = [plan.label_id and d.uuid_in(plan.label_id) for _ in plan.words]
    branches = []
    for w in range(len(plan.words)):
        for field in plan.fields:
            if not plan.sizes[(w, field.id)]:  # counted empty: nothing to read (nor to plan)
                continue
            sql = range_sql(plan.ctx, plan.words, w, field.id, params)
            if (w, field.id) in broad:
                narrow = " UNION ALL ".join(
                    f"SELECT n.record_id FROM ({range_sql(plan.ctx, plan.words, nw, nf, params, 'n')}) n"
                    for (nw, nf), size in plan.sizes.items()
                    if size and (nw, nf) not in broad
                )
                sql += f" AND s.record_id IN ({narrow})"
            branches.append(sql)
    matched = " + ".join(f"MAX(CASE WHEN t.w = {i} THEN 1 ELSE 0 END)" for i in range(len(plan.words)))
    in_label = " + ".join(
        f"MAX(CASE WHEN t.w = {i} AND t.field_id = %s THEN 1 ELSE 0 END)" for i in range(len(plan.words))
    )
    sql = (
        f"SELECT m.record_id, m.matched, m.in_label FROM (SELECT t.record_id, {matched} AS matched, "
        f"{in_label} AS in_label FROM ({' UNION ALL '.join(branches)}) t GROUP BY t.record_id) m WHERE 1 = 1"
    )
    sql += seek_sql(plan.ctx, cursor, params, True)
    return sql + f" ORDER BY m.matched DESC, m.in_label DESC, m.record_id LIMIT {int(cap)}", params


def ranked_records(
    plan: Plan, node: Node | None, cursor: Cursor | None, cap: int, trash: bool, narrow_only: bool
) -> list[tuple[str, int, int, bool, Any]]:
    """``ranked_sql``'s candidates in rank order: id, ranks, whether the search keeps the record (live
    unless ``trash``, matching ``node``) and its stored data (still encoded). One statement: the
    records joined by primary key to the ranked ids."""
    d = dialect()
    ctx = plan.ctx
    ranked, params = ranked_sql(plan, cursor, cap, narrow_only)
    compiled = compile_filter(node, ctx.spec, Source(d), ctx.ws)
    params += [d.uuid_in(ctx.ws), d.uuid_in(ctx.spec.id), *compiled.params]
    sql = (
        f"SELECT c.record_id, c.matched, c.in_label, r.data, r.id FROM ({ranked}) c LEFT JOIN core_app_record r "
        f"ON r.workspace_id = %s AND r.object_id = %s AND r.id = c.record_id"
        f"{'' if trash else ' AND r.deleted_at IS NULL'} AND {compiled.sql} "
        "ORDER BY c.matched DESC, c.in_label DESC, c.record_id"
    )
    return [(d.uuid_out(row[0]), int(row[1]), int(row[2]), row[4] is not None, row[3]) for row in rows(sql, params)]


def walk_rows(
    plan: Plan, node: Node | None, trash: bool, after: str | None, limit: int
) -> list[tuple[str, int, int, Any]]:
    """The next ``limit`` records of the object kept by the search (live unless ``trash``, matching
    ``node``) after ``after``, by id, each with its ranks and its stored data (still encoded).

    The ranks come from the token index, the rows the ranking reads too: per record, one probe of
    the token table's primary key (led by the record) for each non-empty (word, field) range of the
    plan, so a walk reads no value and tokenizes nothing (in Python that cost 35 µs a record).
    ``OFFSET 0`` keeps each probe per record: unfenced, PostgreSQL may read the whole range once
    into a hash, a scan of the token table for a broad word.
    """
    d = dialect()
    ctx = plan.ctx
    ranges = [pair for pair, size in plan.sizes.items() if size]
    params: list[Any] = []
    flags: list[str] = []
    for word, field_id in ranges:
        text = plan.words[word]
        flags.append(
            f"CASE WHEN EXISTS (SELECT 1 FROM core_app_searchtoken s WHERE s.record_id = r.id AND s.field_id = %s "
            f"AND s.token >= %s AND s.token < %s AND s.workspace_id = %s{d.fence}) THEN 1 ELSE 0 END AS f{len(flags)}"
        )
        params += [d.uuid_in(field_id), text, successor(text), d.uuid_in(ctx.ws)]
    params += [d.uuid_in(ctx.ws), d.uuid_in(ctx.spec.id)]
    where = "r.workspace_id = %s AND r.object_id = %s" + ("" if trash else " AND r.deleted_at IS NULL")
    compiled = compile_filter(node, ctx.spec, Source(d), ctx.ws)
    where += f" AND {compiled.sql}"
    params += compiled.params
    if after is not None:
        where += " AND r.id > %s"
        params.append(d.uuid_in(after))
    columns = "".join(f", {flag}" for flag in flags)
    sql = f"SELECT r.id, r.data{columns} FROM core_app_record r WHERE {where} ORDER BY r.id LIMIT {int(limit)}"
    walked = []
    for row in rows(sql, params):
        hits = [pair for pair, flag in zip(ranges, row[2:], strict=True) if flag]
        matched = len({word for word, _ in hits})
        in_label = len({word for word, field_id in hits if field_id == plan.label_id})
        walked.append((d.uuid_out(row[0]), matched, in_label, row[1]))
    return walked


def ranked_read(
    plan: Plan, node: Node | None, cursor: Cursor | None, limit: int, trash: bool, narrow_only: bool = False
) -> list[Found]:
    """The first ``limit`` matches after ``cursor`` by the index's ranking (of the narrow ranges' records only,
    with ``narrow_only``): the best-ranked ids (a few more than the page needs) joined to their records
    by primary key, in one statement; only when trashed or filtered-out records leave the page short
    is a further, larger batch read (from the last id seen)."""
    ctx = plan.ctx
    found: list[Found] = []
    cap = max(2 * limit, 50)
    while True:
        candidates = ranked_records(plan, node, cursor, cap, trash, narrow_only)
        if not candidates:
            return found
        found += [Found(ctx.spec, i, m, lab, data) for i, m, lab, kept, data in candidates if kept]
        if len(found) >= limit or len(candidates) < cap:
            return found[:limit]
        last = candidates[-1]
        cursor, cap = Cursor(last[1], last[2], ctx.spec.name_singular, last[0]), cap * 8


def walked_read(plan: Plan, node: Node | None, cursor: Cursor | None, limit: int, trash: bool) -> list[Found] | None:
    """The first ``limit`` matches after ``cursor`` when a word is broad, or None past the walk budget.

    The records some narrow range holds are ranked through the index (``narrow_only``). Every other
    record matches through broad ranges only, so its ranks are at most ``plan.ceiling()``: the
    object's records are walked in id order (ranks read from the token index, record by record) until the page's
    last record is sure to come before every record not read yet: ranked above the ceiling, or at
    it with an id already passed (at equal ranks the id decides). A broad word fills the page
    within a few dozen records; a walk that finds too few is cut off at ``walk_budget`` records.
    """
    ctx = plan.ctx
    after_cursor = (
        None
        if cursor is None
        else (
            -cursor.matched,
            -cursor.in_label,
            -PRIORITY.get(cursor.object_name, 0),
            cursor.object_name,
            cursor.record_id,
        )
    )
    ceiling = plan.ceiling()
    narrow = any(size for pair, size in plan.sizes.items() if pair not in plan.broad())
    pool = {f.record_id: f for f in ranked_read(plan, node, cursor, limit, trash, narrow_only=True)} if narrow else {}
    last: str | None = None
    read, batch = 0, max(2 * limit, 50)
    while True:
        ordered = sorted(pool.values(), key=Found.order)
        if len(ordered) >= limit:
            edge = ordered[limit - 1]
            ranks = (edge.matched, edge.in_label)
            if ranks > ceiling or (ranks == ceiling and last is not None and edge.record_id <= last):
                return ordered[:limit]
        if read >= walk_budget():
            return None
        records = walk_rows(plan, node, trash, last, batch)
        for record_id, matched, in_label, data in records:
            hit = Found(ctx.spec, record_id, matched, in_label, None)
            if matched and (after_cursor is None or hit.order() > after_cursor):
                pool[record_id] = replace(hit, stored=data)
        if len(records) < batch:
            return sorted(pool.values(), key=Found.order)[:limit]
        last, read, batch = records[-1][0], read + len(records), min(batch * 4, 1000)


def read_every_record(ctx: RecordContext, node: Node | None, cursor: Cursor | None, limit: int) -> list[Found]:
    """A search without words: every record, ranks 0 (Twenty: every record with a search vector), in id order."""
    d = dialect()
    trash = node is not None and mentions_field(node, "deletedAt")
    params: list[Any] = [d.uuid_in(ctx.ws), d.uuid_in(ctx.spec.id)]
    where = "r.workspace_id = %s AND r.object_id = %s" + ("" if trash else " AND r.deleted_at IS NULL")
    compiled = compile_filter(node, ctx.spec, Source(d), ctx.ws)
    where += f" AND {compiled.sql}"
    params += compiled.params
    where += seek_sql(ctx, cursor, params, False)
    sql = f"SELECT r.id, r.data FROM core_app_record r WHERE {where} ORDER BY r.id LIMIT {int(limit)}"
    return [Found(ctx.spec, d.uuid_out(row[0]), 0, 0, row[1]) for row in rows(sql, params)]


def searched_fields(ctx: RecordContext) -> tuple[FieldSpec, ...]:
    """The object's search fields that the caller's role reads (none: nothing of it can match)."""
    readable = readable_search_fields(ctx)
    return tuple(f for f in search_fields(ctx.spec).fields if readable is None or f in readable)


def read_object(plan: Plan, node: Node | None, cursor: Cursor | None, limit: int) -> list[Found]:
    """The first ``limit`` matches of the planned object after ``cursor``, in its order.

    When every (word, field) range is narrow, the ranking is read from the index (``ranked_read``);
    when one is broad (a common name, a one-letter prefix), the object is walked in id order
    (``walked_read``), so a broad word never makes the search rank every matching record; a walk
    past its budget gives way to the ranking.
    """
    trash = node is not None and mentions_field(node, "deletedAt")
    if plan.broad():
        walked = walked_read(plan, node, cursor, limit, trash)
        if walked is not None:
            return walked
    return ranked_read(plan, node, cursor, limit, trash)


def label_of(spec: ObjectSpec, data: dict[str, Any], readable: Callable[[FieldSpec], bool]) -> str:
    """The label-identifier value as text (FULL_NAME: ``"first last"``); ``""`` when none or unreadable."""
    field = spec.label_identifier
    if field is None or not readable(field):
        return ""
    value = data.get(field.storage_key)
    if isinstance(value, dict):
        if field.type == "FULL_NAME":
            return " ".join(part for part in (value.get("firstName"), value.get("lastName")) if part).strip()
        key = {"EMAILS": "primaryEmail", "LINKS": "primaryLinkUrl", "PHONES": "primaryPhoneNumber"}.get(field.type)
        return str(value.get(key) or "") if key else ""
    return "" if value is None else str(value)


def image_of(spec: ObjectSpec, data: dict[str, Any], readable: Callable[[FieldSpec], bool]) -> str:
    """Twenty's ``imageUrl``: a company's logo from its domain, else the image-identifier text value, else ``""``."""
    if spec.name_singular == "company" and not spec.is_custom:
        field = spec.field("domainName")
        url = (data.get(field.storage_key) or {}).get("primaryLinkUrl") if field and readable(field) else None
        if isinstance(url, str) and url:
            host = url.split("://", 1)[-1].split("/", 1)[0]
            return f"https://twenty-icons.com/{host}" if host else ""
    return ""


def search(
    contexts: Sequence[RecordContext],
    text: Any,
    limit: Any,
    after: Any = None,
    included: Sequence[str] | None = None,
    excluded: Sequence[str] | None = None,
    node: Node | None = None,
) -> SearchPage:
    """Twenty's ``search`` over ``contexts`` (one per object of the workspace, with the caller's role)."""
    words = words_of(text)
    limit = check_limit(limit)
    check_filter(node)
    if node is not None and contexts:
        # Its values too, whatever the search then finds: its fields are every object's.
        compile_filter(node, contexts[0].spec, Source(dialect()), contexts[0].ws)
    cursor = decode_cursor(after, len(words)) if after not in (None, "") else None
    found: list[Found] = []
    searched = objects_to_search(contexts, included, excluded)
    if not words:
        for ctx in searched:
            found += read_every_record(ctx, node, cursor, limit + 1)
    else:
        with_fields = [(ctx, fields) for ctx in searched if (fields := searched_fields(ctx))]
        for plan in plans_for(with_fields, words):
            if any(plan.sizes.values()):  # else no record of the object holds any word: nothing to read
                found += read_object(plan, node, cursor, limit + 1)
    found.sort(key=Found.order)
    page = found[:limit]
    hits = []
    for item in page:
        ctx = next(c for c in contexts if c.spec is item.spec)
        view = access.view_of(ctx)

        def readable(field: FieldSpec, view: Any = view) -> bool:
            return view is None or field.id in view.readable

        hits.append(
            SearchHit(
                item.record_id,
                item.spec.name_singular,
                label_of(item.spec, data := item.data(), readable),
                image_of(item.spec, data, readable),
                rank(item.matched, len(words)),
                rank(item.in_label, len(words)),
                encode_cursor(item, len(words)),
            )
        )
    return SearchPage(hits, len(found) > limit, hits[-1].cursor if hits else None)
