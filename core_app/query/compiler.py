"""Compile a filter tree (REST ``filter=`` or GraphQL ``filter:``) into an SQL condition on records.

Each condition is checked against its field type: the comparator must be one the type allows,
and the operand is coerced by the type (numbers compare as numbers, dates as instants, booleans
as booleans). Then it takes one of two paths, with the same answer:

- **the index path**: on an indexed field, in a query over live records, the condition is a
  range of the ``RecordIndex`` B-tree (``id IN (SELECT record_id ... WHERE slot = .. AND key ..)``):
  no record's JSON is read;
- **the stored value**: anything else reads the value from ``data``. On PostgreSQL every key a
  query reads is extracted once per record by a lateral ``jsonb_to_record``, so a long filter
  never re-reads a large document once per condition.

``not`` follows SQL's three-valued logic on both databases: a negated comparison never matches
a record without a value there (``not(tier[eq]:LOW)`` leaves out records with no tier, as
``tier[neq]:LOW`` does). Negation is pushed down to the conditions (De Morgan).

A path through a relation (api-reference §11) is bound to a ``binding.RelationGroup`` and compiled
to semi-joins on the index path: the target's filter becomes a subquery of live target ids (from
the index alone when it answers every condition), matched against the source's join-column slot
(many-to-one) or against the target's join-column slot (one-to-many: ``EXISTS``-like ``IN`` for
``_some``, ``NOT`` for ``_none``; ``_every`` as "no target of the record fails", each record's
targets read from that slot by its id). A missing (or trashed) related record behaves as one whose
every field has no value, as Twenty's LEFT JOIN. ``relation_id_set`` gives the planner the ids of a
many-to-one filter's records from the index alone, so that it can count them and cut a page from
them when they are few.

A filter holds at most ``MAX_FILTER_CONDITIONS`` conditions and ``MAX_FILTER_VALUES`` values per
list, both settings, so that one request's cost stays bounded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.conf import settings

from api_common.rest import nul_path
from core_app.query.ast import And, Condition, Node, Not, Or, iter_conditions
from core_app.query.binding import RelationGroup, bind
from core_app.query.errors import FilterSyntaxError
from core_app.query.search_vector import search_condition
from core_app.query.targets import Source, Target, filter_error, resolve_target
from core_app.store.keys import TEXT_PREFIX, is_cut, key_of
from core_app.store.slots import ObjectSlots, Slot
from core_app.store.sql import Dialect, dialect, in_list
from metadata_app.field_types import FieldValueError
from metadata_app.specs import ObjectSpec, SchemaSnapshot

__all__ = [
    "CompiledFilter",
    "FilterSyntaxError",
    "Leaf",
    "check_size",
    "compile_filter",
    "index_ids",
    "index_predicate",
    "like_escape",
    "max_conditions",
    "operand_key",
    "relation_id_set",
    "resolve_leaf",
    "row_probe",
]

NULL_WORDS: Final = {"NULL": True, "NOT_NULL": False}
#: Comparators that are true or false even on a record without a value (never SQL NULL).
TOTAL_OPERATORS: Final = frozenset({"is", "isEmptyArray"})
#: Comparators the index path answers (on every indexable type).
INDEX_OPERATORS: Final = frozenset({"eq", "neq", "in", "gt", "gte", "lt", "lte", "startsWith", "is"})
SQL_OPERATORS: Final = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
#: Numbers beyond 2**53 lose digits as doubles; equality on them reads the exact stored value.
EXACT_FLOAT: Final = 2**53


def max_conditions() -> int:
    """``MAX_FILTER_CONDITIONS``, read at call time."""
    return int(getattr(settings, "MAX_FILTER_CONDITIONS", 100))


def max_values() -> int:
    """``MAX_FILTER_VALUES``, read at call time."""
    return int(getattr(settings, "MAX_FILTER_VALUES", 500))


def like_escape(text: str) -> str:
    """Escape ``%``, ``_`` and ``\\`` so ``text`` matches literally inside a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: The last Unicode code point: no text starting with it has a successor of the same length.
LAST_CODE_POINT: Final = "\U0010ffff"
#: UTF-16 surrogates: not characters, never in a text (UTF-8 cannot encode them).
SURROGATES: Final = range(0xD800, 0xE000)


def prefix_end(prefix: str) -> str | None:
    """The least text above every text that starts with ``prefix``, None when there is none.

    Index keys compare byte-wise (``COLLATE "C"``, SQLite's BINARY), and UTF-8's byte order is
    code point order: a key starts with ``prefix`` exactly when ``prefix <= key < prefix_end(prefix)``.
    """
    kept = prefix.rstrip(LAST_CODE_POINT)
    if not kept:
        return None
    following = ord(kept[-1]) + 1
    if following in SURROGATES:
        following = SURROGATES.stop
    return kept[:-1] + chr(following)


@dataclass(frozen=True)
class CompiledFilter:
    """An SQL condition on the record alias of its ``Source``, with its parameters."""

    sql: str
    params: list[Any]


@dataclass(frozen=True)
class Leaf:
    """One condition resolved: its target, its coerced operands, and whether the index answers it."""

    condition: Condition
    target: Target
    values: tuple[Any, ...]  # coerced operands (one, several for in/containsAny, none for is)
    indexed: bool


def check_size(node: Node) -> None:
    """Refuse filters beyond ``MAX_FILTER_CONDITIONS`` conditions or ``MAX_FILTER_VALUES`` values per list."""
    conditions = 0
    for condition in iter_conditions(node):
        conditions += 1
        if isinstance(condition.value, (list, tuple)) and len(condition.value) > max_values():
            raise filter_error(
                f"'{'.'.join(condition.path)}[{condition.op}]' lists {len(condition.value)} values; "
                f"at most {max_values()} are allowed per list"
            )
    if conditions > max_conditions():
        raise filter_error(
            f"The filter has {conditions} conditions; at most {max_conditions()} are allowed. "
            "Use 'in' to compare one field with several values."
        )


def compile_filter(
    node: Node | None,
    spec: ObjectSpec,
    src: Source,
    workspace_id: str,
    slots: ObjectSlots | None = None,
    probe: bool = False,
    snapshot: SchemaSnapshot | None = None,
) -> CompiledFilter:
    """Return the SQL condition selecting the records of ``spec`` that match ``node`` (all when None).

    ``slots`` (the object's index slots) enables the index path; pass None for queries that may
    see trashed records, which the index does not hold. On PostgreSQL, keys read from ``data`` by
    two or more conditions are registered on ``src`` for its lateral (the caller adds
    ``src.lateral_sql()`` to its FROM clause). With ``probe``, indexed conditions are checked
    record by record (a correlated probe of the index's primary key that the planner cannot turn
    into a scan of every match), for queries that walk the record table in its own order.
    ``snapshot`` resolves paths through relations (without it they are refused).
    """
    if node is None:
        return CompiledFilter("1 = 1", [])
    check_size(node)
    bound = bind(node, spec, slots, snapshot, resolve_leaf)
    use_lateral(bound, src)
    params: list[Any] = []
    sql = render(bound, src, workspace_id, params, negated=False, probe=probe)
    return CompiledFilter(sql, params)


def own_leaves(bound: Any) -> list[Leaf]:
    """The leaves of a bound tree on its own object (not those inside relation groups)."""
    if isinstance(bound, Leaf):
        return [bound]
    if isinstance(bound, Not):
        return own_leaves(bound.child)
    if isinstance(bound, (And, Or)):
        return [leaf for child in bound.children for leaf in own_leaves(child)]
    return []


def use_lateral(bound: Any, src: Source) -> None:
    """On PostgreSQL, read the ``data`` keys two or more conditions read once per record (the lateral)."""
    if src.d.vendor != "postgresql":
        return
    reads = Counter(leaf.target.top_key for leaf in own_leaves(bound) if not leaf.indexed and leaf.target.top_key)
    if sum(reads.values()) > 1:
        for key in reads:
            src.read_once(key)


def resolve_leaf(condition: Condition, spec: ObjectSpec, slots: ObjectSlots | None) -> Leaf:
    """Check one condition against its field type and coerce its operands."""
    target = resolve_target(spec, condition.path, slots=slots)
    if nul_path(condition.value) is not None:  # PostgreSQL cannot take NUL in a text parameter
        raise filter_error(f"Value for '{target.api_path}' must not contain NUL characters (\\u0000)")
    op = condition.op
    if op not in target.scalar.operators:
        usable = condition.comparators
        allowed = ", ".join(sorted(o for o in target.scalar.operators if usable is None or o in usable))
        raise filter_error(
            f"Comparator '{op}' cannot be used on '{target.api_path}' ({target.scalar.name}); allowed: {allowed}"
        )
    values: tuple[Any, ...]
    if op == "is":
        word = str(condition.value).upper() if isinstance(condition.value, str) else None
        if word not in NULL_WORDS:
            got = "null" if condition.value is None else f"'{condition.value}'"
            raise filter_error(f"'is' expects NULL or NOT_NULL, got {got}")
        values = (NULL_WORDS[word],)
    elif op == "isEmptyArray":
        values = ()
    elif op in ("in", "containsAny"):
        raw = condition.value if isinstance(condition.value, (list, tuple)) else (condition.value,)
        if op == "in" or target.scalar.has_options:  # a MULTI_SELECT's values are among its options
            values = tuple(coerce(target, v) for v in raw)
        else:
            values = tuple(str(v) for v in raw)
    elif op in ("like", "ilike", "startsWith", "endsWith", "containsIlike"):
        if not isinstance(condition.value, str):
            raise filter_error(f"'{op}' on '{target.api_path}' expects a string")
        values = (condition.value,)
    else:
        values = (coerce(target, condition.value),)
    return Leaf(condition, target, values, indexed=index_answers(target, op, values))


def coerce(target: Target, value: Any) -> Any:
    """Coerce one operand with the target's scalar type; a clear 400 when it does not fit."""
    try:
        return target.scalar.filter_value(value, target.field)
    except FieldValueError as error:
        raise filter_error(f"Value for '{target.api_path}': {error.message}") from None


def operand_key(target: Target, value: Any) -> str | None:
    """The index key of a coerced operand (None when the index cannot compare it exactly)."""
    slot = target.slot
    if slot is None:
        return None
    if slot.kind == "instant" and isinstance(value, str):
        value = datetime.fromisoformat(value)
    key = key_of(slot.kind, value)
    if key is None or (slot.kind == "text" and is_cut(key)):
        return None  # a long operand: only the stored value can decide
    return key


def index_answers(target: Target, op: str, values: tuple[Any, ...]) -> bool:
    """True when the index path gives exactly the answer of the stored value for this condition."""
    if target.slot is None or op not in INDEX_OPERATORS:
        return False
    if op == "is":
        return True
    if op in ("eq", "neq", "in") and target.slot.kind == "number":
        if any(abs(v) >= EXACT_FLOAT for v in values if isinstance(v, (int, float))):
            return False
    if op == "startsWith":
        return target.slot.kind == "text" and len(values[0]) < TEXT_PREFIX
    return all(operand_key(target, v) is not None for v in values)


def render(node: Any, src: Source, ws: str, params: list[Any], negated: bool, probe: bool = False) -> str:
    """SQL of the bound tree ``node`` (negated when ``negated``), appending its parameters to ``params``."""
    if isinstance(node, Not):
        return render(node.child, src, ws, params, not negated, probe)
    if isinstance(node, (And, Or)):
        conjunction = isinstance(node, And) != negated
        if not node.children:
            return "1 = 1" if conjunction else "1 = 0"
        parts = [render(child, src, ws, params, negated, probe) for child in node.children]
        if len(parts) == 1:
            return parts[0]
        return "(" + (" AND " if conjunction else " OR ").join(parts) + ")"
    if isinstance(node, RelationGroup):
        return render_relation(node, src, ws, params, negated, probe)
    leaf: Leaf = node
    if leaf.condition.op == "search":  # searchVector (api-reference §13): the object's search index
        sql = search_condition(src.d, src.alias, ws, leaf.target.field.object_id, leaf.values[0], params)
        return f"NOT ({sql})" if negated else sql
    if leaf.indexed:
        return render_indexed(leaf, src, ws, params, negated, probe)
    return render_stored(leaf, src, params, negated)


def index_predicate(leaf: Leaf, d: Dialect, ws: str, alias: str, params: list[Any], negated: bool = False) -> str:
    """The rows of ``core_app_recordindex`` (as ``alias``) that match ``leaf``: workspace, slot and key range.

    Every live record has exactly one row per slot, so a negated comparison is "has a value, and
    not that one" on the same row.
    """
    assert leaf.target.slot is not None
    params += [d.uuid_in(ws), d.uuid_in(leaf.target.slot.id)]
    return (
        f"{alias}.workspace_id = %s AND {alias}.slot = %s AND {key_predicate(leaf, d, f'{alias}.key', params, negated)}"
    )


def key_predicate(leaf: Leaf, d: Dialect, key: str, params: list[Any], negated: bool = False) -> str:
    """The condition of ``leaf`` on the index key ``key`` (an expression), its parameters appended."""
    target, op, values = leaf.target, leaf.condition.op, leaf.values
    if op == "is":
        predicate = f"{key} IS NULL" if values[0] != negated else f"{key} IS NOT NULL"
    else:
        if op == "startsWith":
            # A key range rather than LIKE: the index reads the same entries, and PostgreSQL does
            # not test each one against the pattern again (a count of 11,033 entries: 1.2 -> 0.9 ms).
            end = prefix_end(values[0])
            predicate = f"{key} >= %s" if end is None else f"{key} >= %s AND {key} < %s"
            params += [values[0]] if end is None else [values[0], end]
        elif op == "in":
            predicate = f"{key} IN {in_list(len(values))}"
            params += [operand_key(target, v) for v in values]
        else:
            predicate = f"{key} {SQL_OPERATORS[op]} %s"
            params.append(operand_key(target, values[0]))
        if negated:
            predicate = f"{key} IS NOT NULL AND NOT ({predicate})"
    return predicate


def row_probe(leaf: Leaf, d: Dialect, record: str, params: list[Any], negated: bool = False) -> str:
    """``EXISTS``: the index row of the record ``record`` (``alias.column``, an id beside that
    alias's ``workspace_id``) for the leaf's slot matches ``leaf`` (negated).

    The row is read by the index's primary key ``(record_id, slot, workspace_id)`` alone, which
    the query's shape leaves as the only index that bounds the look-up:

    - the key's condition is fenced off: in one ``WHERE``, a range or a prefix of the key let
      PostgreSQL take ``(workspace_id, slot, key, record_id)`` and read the whole range per probed
      record (3.4 s for a page of people whose last name starts with ``Last12``, 11,000 of 1M,
      against 9 ms);
    - the slot is tested as ``(slot = …) IS TRUE`` and the workspace is the owner's column, not a
      constant: with statistics that believe the workspace empty (a constant estimated at one
      row), ``(workspace_id, slot)`` would look as cheap as the primary key and read every row of
      the slot per probe. The workspace stays an equality of the workspace columns, as a
      distributed store (Citus) needs to keep the statement on one node.
    """
    assert leaf.target.slot is not None
    owner = record.rpartition(".")[0]
    params.append(d.uuid_in(leaf.target.slot.id))
    own = (
        f"SELECT o.key FROM core_app_recordindex o WHERE o.record_id = {record} "
        f"AND o.workspace_id = {owner}.workspace_id AND (o.slot = %s) IS TRUE{d.fence}"
    )
    return f"EXISTS (SELECT 1 FROM ({own}) AS o WHERE {key_predicate(leaf, d, 'o.key', params, negated)})"


def render_indexed(leaf: Leaf, src: Source, ws: str, params: list[Any], negated: bool, probe: bool = False) -> str:
    """The condition as a range of the index (the ids of live records whose key matches), or with
    ``probe`` as a check of this record's own index row (``OFFSET 0`` keeps it a per-row probe)."""
    if probe:
        return row_probe(leaf, src.d, f"{src.alias}.id", params, negated)
    predicate = index_predicate(leaf, src.d, ws, "p", params, negated)
    return f"{src.alias}.id IN (SELECT p.record_id FROM core_app_recordindex p WHERE {predicate})"


def render_stored(leaf: Leaf, src: Source, params: list[Any], negated: bool) -> str:
    """The condition on the stored value (a column, or the JSON value in ``data``)."""
    sql = stored_condition(leaf, src, params)
    if not negated:
        return sql
    if leaf.condition.op in TOTAL_OPERATORS:
        return f"NOT ({sql})"
    return f"(NOT ({sql}) AND {leaf.target.raw(src)} IS NOT NULL)"


def stored_condition(leaf: Leaf, src: Source, params: list[Any]) -> str:
    """SQL of one condition on the stored value, appending its parameters."""
    target, op, values = leaf.target, leaf.condition.op, leaf.values
    d = src.d
    if op == "is":
        return target.is_null(src) if values[0] else f"{target.raw(src)} IS NOT NULL"
    if op == "isEmptyArray":
        raw = target.raw(src)
        return f"({raw} IS NULL OR {raw} = '[]')"
    if op in ("containsAny", "containsIlike"):
        column = src.column(target.json_column) if target.json_column != "data" else f"{src.alias}.data"
        if op == "containsIlike":  # Twenty's ARRAY filter: an element matches the ILIKE pattern
            params.append(d.like_pattern(values[0], True))
            return d.array_any_ilike(column, target.json_path)
        params.append(d.array_param(list(values)))
        return d.array_contains_any(column, target.json_path)
    if op in ("like", "ilike", "startsWith", "endsWith"):
        value = values[0]
        pattern = {"startsWith": like_escape(value) + "%", "endsWith": "%" + like_escape(value)}.get(op, value)
        insensitive = op == "ilike"
        params.append(d.like_pattern(pattern, insensitive))
        return d.like(target.raw(src), insensitive)
    if op == "in":
        params += [target.param(src, v) for v in values]
        return f"{target.typed(src)} IN {in_list(len(values))}"
    params.append(target.param(src, values[0]))
    return f"{target.typed(src)} {SQL_OPERATORS[op]} %s"


def index_ids(leaves: list[Leaf], d: Dialect, ws: str, params: list[Any], name: str = "record_id") -> str:
    """Ids (as ``name``) of the live records matching every leaf, read from the index alone.

    The first leaf's range drives the scan; each other leaf probes the index's primary key
    ``(record_id, slot, workspace_id)`` of the same record.
    """
    sql = f"SELECT p.record_id AS {name} FROM core_app_recordindex p WHERE " + index_predicate(
        leaves[0], d, ws, "p", params
    )
    for leaf in leaves[1:]:
        sql += f" AND {row_probe(leaf, d, 'p.record_id', params)}"
    return sql


def always_true(node: Any) -> bool:
    """True for a bound tree every record matches (``{}``, ``id[is]:NOT_NULL``): no filter to run."""
    if isinstance(node, And):
        return all(always_true(child) for child in node.children)
    if isinstance(node, Leaf):
        target = node.target
        return node.condition.op == "is" and node.values == (False,) and target.is_column and target.column == "id"
    return False


def on_missing(node: Any, negated: bool) -> bool:
    """The value of a bound tree on a related record that is not there (every field without a value).

    Non-total comparisons are unknown, hence false, negated or not (§1.3's rule); ``is NULL`` holds.
    """
    if isinstance(node, Not):
        return on_missing(node.child, not negated)
    if isinstance(node, (And, Or)):
        conjunction = isinstance(node, And) != negated
        values = [on_missing(child, negated) for child in node.children]
        return all(values) if conjunction else any(values)
    if isinstance(node, RelationGroup):
        if node.quantifier is None:
            return on_missing(node.child, negated)
        return (node.quantifier != "_some") != negated  # no related records at all
    leaf: Leaf = node
    if leaf.condition.op == "is":
        return bool(leaf.values[0] != negated)
    if leaf.condition.op == "isEmptyArray":
        return not negated
    return False


def index_answered(child: Any) -> list[Leaf] | None:
    """The leaves of the bound ``child`` when it is a conjunction of indexed leaves (the index
    answers it alone), else None."""
    parts = child.children if isinstance(child, And) else (child,)
    leaves = [part for part in parts if isinstance(part, Leaf) and part.indexed]
    return leaves if parts and len(leaves) == len(parts) else None


def target_ids(group: RelationGroup, child: Any, negated: bool, ws: str, d: Dialect, params: list[Any]) -> str:
    """SQL selecting ``id``: the live records of the group's target matching ``child`` (negated).

    From the index alone when it answers every condition (a conjunction of indexed leaves), else
    from the target's live records.
    """
    leaves = index_answered(child)
    if not negated and leaves is not None:
        return index_ids(leaves, d, ws, params, name="id")
    alias = f"t{group.hops}"
    inner = Source(d, alias=alias)
    use_lateral(child, inner)
    child_params: list[Any] = []
    condition = render(child, inner, ws, child_params, negated)
    params += [d.uuid_in(ws), d.uuid_in(group.target.id), *child_params]
    return (
        f"SELECT {alias}.id AS id FROM core_app_record {alias}{inner.lateral_sql()} WHERE {alias}.workspace_id = %s "
        f"AND {alias}.object_id = %s AND {alias}.deleted_at IS NULL AND {condition}"
    )


def joined_to(group: RelationGroup, src: Source, ids_sql: str, ws: str) -> tuple[str, list[Any]]:
    """The source records whose join column (many-to-one) holds one of the ids ``ids_sql`` selects,
    with the parameters that come before those of ``ids_sql``.

    Over live records, through the source's join-column slot of the index; else (trash) through
    the stored join column.
    """
    d = src.d
    as_keys = f"SELECT {d.id_as_key('z.id')} FROM ({ids_sql}) AS z"
    if group.source_slot is not None:
        sql = (
            f"{src.alias}.id IN (SELECT j.record_id FROM core_app_recordindex j WHERE j.workspace_id = %s "
            f"AND j.slot = %s AND j.key IN ({as_keys}))"
        )
        return sql, [d.uuid_in(ws), d.uuid_in(group.source_slot.id)]
    stored = src.json_text("data", (group.field.join_storage_key,))
    return f"({stored} IS NOT NULL AND {stored} IN ({as_keys}))", []


def render_relation(
    group: RelationGroup, src: Source, ws: str, params: list[Any], negated: bool, probe: bool = False
) -> str:
    """SQL of a relation group on the source records (api-reference §11.3's implementation note)."""
    d = src.d
    if group.quantifier is None:
        return render_to_one(group, src, ws, params, negated, probe)
    # One-to-many: the source's id among the join keys of the live targets that match (the
    # index holds live records only, so the inverse slot's rows are exactly the live targets).
    quantifier = group.quantifier
    if negated:
        quantifier = {"_some": "_none", "_none": "_some", "_every": "_not_every"}[quantifier]
    inverse = group.inverse_slot
    assert inverse is not None
    if quantifier in ("_every", "_not_every"):
        failing = failing_target(group, src, ws, params)
        return failing if quantifier == "_not_every" else f"NOT {failing}"
    inner: list[Any] = []
    if always_true(group.child):
        params += [d.uuid_in(ws), d.uuid_in(inverse.id)]
        keys = (
            f"SELECT {d.key_as_id('j.key')} FROM core_app_recordindex j WHERE j.workspace_id = %s "
            "AND j.slot = %s AND j.key IS NOT NULL"
        )
    else:
        ids = target_ids(group, group.child, False, ws, d, inner)
        keys = join_keys_of(ids, d, ws, inverse, inner)
        params += inner
    member = f"{src.alias}.id IN ({keys})"
    return member if quantifier == "_some" else f"NOT ({member})"


def failing_target(group: RelationGroup, src: Source, ws: str, params: list[Any]) -> str:
    """The source record has a live target failing the group's filter (false or unknown): ``_every``'s opposite.

    Per source record, its targets are read from the target's join-column slot (a range of the
    index keyed by the record's id) and each is checked until one fails, so a record costs a probe
    or two when its first target fails, and a page walk stops when the page is full. The other way
    round, from "the targets failing the filter", reads every target of the object when most fail
    (over 10 s for 1M people, where a city holds 1 % of them). Conditions the index answers are
    probes of the target's index rows; any other reads the target by primary key.
    """
    d = src.d
    inverse = group.inverse_slot
    assert inverse is not None
    each = f"e{group.hops}"
    params += [d.uuid_in(ws), d.uuid_in(inverse.id)]
    head = (
        f"EXISTS (SELECT 1 FROM core_app_recordindex {each} WHERE {each}.workspace_id = %s AND {each}.slot = %s "
        f"AND {each}.key = {d.id_as_key(src.column('id'))} AND NOT "
    )
    leaves = index_answered(group.child)
    if leaves is not None:
        # Every live record has one row per slot: a condition holds exactly when its row's key matches.
        passes = " AND ".join(row_probe(leaf, d, f"{each}.record_id", params) for leaf in leaves)
        return f"{head}({passes}){d.fence})"
    alias = f"t{group.hops}"
    inner = Source(d, alias=alias)
    use_lateral(group.child, inner)
    child_params: list[Any] = []
    # Each indexed condition is a probe of the target's own index row (``probe``), never a range.
    condition = render(group.child, inner, ws, child_params, False, probe=True)
    params += [d.uuid_in(ws), *child_params]
    return (
        f"{head}EXISTS (SELECT 1 FROM core_app_record {alias}{inner.lateral_sql()} WHERE {alias}.id = {each}.record_id "
        f"AND {alias}.workspace_id = %s AND COALESCE(({condition}), FALSE){d.fence}){d.fence})"
    )


def join_keys_of(ids_sql: str, d: Dialect, ws: str, slot: Slot, params: list[Any]) -> str:
    """The join-column values (as ids, ``id``) of the targets ``ids_sql`` selects; appends its parameters to ``params``.

    On PostgreSQL each target's join column is read from its own record, by the record table's
    primary key (the only index a lookup by id alone can take: the others are partial on
    ``deleted_at``), in a LATERAL subquery the planner cannot turn around. Read from the index's
    slot instead, the planner could take the (workspace, slot) index when statistics said the
    workspace was empty, and read every key of the slot once per target: thousands squared.
    """
    if d.vendor == "postgresql":
        params += [d.uuid_in(ws)]
        return (
            f"SELECT {d.key_as_id('j.key')} AS id FROM ({ids_sql}) AS m CROSS JOIN LATERAL (SELECT "
            f"{d.json_text('x.data', slot.path)} AS key FROM core_app_record x WHERE x.id = m.id "
            "AND x.workspace_id = %s OFFSET 0) AS j WHERE j.key IS NOT NULL"
        )
    params[:0] = [d.uuid_in(ws), d.uuid_in(slot.id)]
    return (
        f"SELECT {d.key_as_id('j.key')} AS id FROM core_app_recordindex j WHERE j.workspace_id = %s "
        f"AND j.slot = %s AND j.key IS NOT NULL AND j.record_id IN ({ids_sql})"
    )


def render_to_one(
    group: RelationGroup, src: Source, ws: str, params: list[Any], negated: bool, probe: bool = False
) -> str:
    """A many-to-one group: the related record's fields as the source's own (Twenty's LEFT JOIN).

    Records without a live related record match when the filter holds on a missing record: those
    whose join column is empty or holds a trashed target. Each record's own join key is then read
    by the index's primary key: as "not joined to any live target" (or as "among the records with
    an empty key"), the set could hold most of the object, too large for PostgreSQL to hash, and
    was then re-read per record (a million squared at 1M people). When that set is small the
    planner reads it from the index instead (``relation_id_set``). With ``probe`` (a walk of the
    source in its own order) every set of keys is checked on the record's own join-slot row.
    """
    d = src.d
    ids_params: list[Any] = []
    ids = target_ids(group, group.child, negated, ws, d, ids_params)
    missing = on_missing(group.child, negated)
    if group.source_slot is not None and (missing or probe):
        sets = join_key_sets(group, ids, ids_params, missing, d, ws)
        if probe:
            return join_row_exists(group.source_slot, src, sets, ws, params)
        member, head = joined_to(group, src, ids, ws)
        params += [*head, *ids_params]
        return f"({member} OR {join_row_exists(group.source_slot, src, sets[1:], ws, params)})"
    member, head = joined_to(group, src, ids, ws)
    params += [*head, *ids_params]
    if not missing:
        return member
    trash_params: list[Any] = []
    trashed = trashed_keys(group, d, ws, trash_params)
    stored = src.json_text("data", (group.field.join_storage_key,))
    params += trash_params
    return f"({member} OR {stored} IS NULL OR {stored} IN ({trashed}))"


#: A set of join keys: SQL selecting them as ``key`` with its parameters, or None for "no key".
KeySet = tuple[str | None, list[Any]]


def join_key_sets(
    group: RelationGroup, ids_sql: str, ids_params: list[Any], missing: bool, d: Dialect, ws: str
) -> list[KeySet]:
    """The disjoint sets of join keys a source record of the group holds: a live target's that
    ``ids_sql`` selects; with ``missing`` also no key at all and a trashed target's (a join column
    holds a live or a trashed record's id, or nothing: destroying a target empties or cascades to
    the join columns that point at it)."""
    sets: list[KeySet] = [(f"SELECT {d.id_as_key('z.id')} AS key FROM ({ids_sql}) AS z", ids_params)]
    if missing:
        trash_params: list[Any] = []
        sets += [(None, []), (trashed_keys(group, d, ws, trash_params), trash_params)]
    return sets


def join_row_exists(slot: Slot, src: Source, sets: list[KeySet], ws: str, params: list[Any]) -> str:
    """The record's own row of the join-column ``slot`` holds a key of one of ``sets`` (a primary-key
    probe; each set of keys is hashed once)."""
    d = src.d
    params += [d.uuid_in(slot.id), d.uuid_in(ws)]
    for _, set_params in sets:
        params += set_params
    among = " OR ".join("j.key IS NULL" if sql is None else f"j.key IN ({sql})" for sql, _ in sets)
    return (
        f"EXISTS (SELECT 1 FROM core_app_recordindex j WHERE j.record_id = {src.alias}.id AND j.slot = %s "
        f"AND j.workspace_id = %s AND ({among}){d.fence})"
    )


def trashed_keys(group: RelationGroup, d: Dialect, ws: str, params: list[Any]) -> str:
    """The ids (as index keys, ``key``) of the group's trashed targets (``record_trash``; the trash is small)."""
    params += [d.uuid_in(ws), d.uuid_in(group.target.id)]
    return (
        f"SELECT {d.id_as_key('t.id')} AS key FROM core_app_record t WHERE t.workspace_id = %s AND t.object_id = %s "
        "AND t.deleted_at IS NOT NULL"
    )


def records_with_keys(key_set: KeySet, slot: Slot, d: Dialect, ws: str, params: list[Any]) -> str:
    """SQL selecting ``record_id`` and ``workspace_id``: the live records whose ``slot`` row holds a key of ``key_set``.

    On PostgreSQL each key is looked up in the index by equality, a nested loop over the keys that
    ``OFFSET 0`` keeps: as ``key IN (subquery)`` or ``key = ANY(array)``, a planner that believed
    the workspace empty could read every key of the slot and filter them.
    """
    sql, set_params = key_set
    if sql is None:
        params += [d.uuid_in(ws), d.uuid_in(slot.id)]
        return (
            "SELECT j.record_id, j.workspace_id FROM core_app_recordindex j WHERE j.workspace_id = %s AND j.slot = %s "
            "AND j.key IS NULL"
        )
    if d.vendor == "postgresql":
        params += [*set_params, d.uuid_in(ws), d.uuid_in(slot.id)]
        return (
            f"SELECT j.record_id, j.workspace_id FROM ({sql}) AS k CROSS JOIN LATERAL (SELECT j.record_id, "
            f"j.workspace_id FROM core_app_recordindex j WHERE j.workspace_id = %s AND j.slot = %s AND j.key = k.key"
            f"{d.fence}) AS j"
        )
    params += [d.uuid_in(ws), d.uuid_in(slot.id), *set_params]
    return (
        "SELECT j.record_id, j.workspace_id FROM core_app_recordindex j WHERE j.workspace_id = %s AND j.slot = %s "
        f"AND j.key IN (SELECT k.key FROM ({sql}) AS k)"
    )


def relation_id_set(
    node: Node,
    spec: ObjectSpec,
    workspace_id: str,
    slots: ObjectSlots | None,
    snapshot: SchemaSnapshot | None,
    params: list[Any],
) -> str | None:
    """SQL selecting ``record_id``: each live record matching ``node`` once, from the index alone; or None.

    Answered over live records for one relation group, alone or with conditions the index answers
    (each a probe of the same record's index row):

    - many-to-one (``company.name[eq]:X``, ``company.name[is]:NULL``): the union of disjoint sets
      of keys of the source's join-column slot (targets that match; with "missing" records, no key
      and the keys of the few trashed targets);
    - ``_some`` (``people._some.name.lastName[eq]:X``): the distinct join keys of the matching
      targets, each kept when it is a live record of the source (a primary-key probe).

    Appends its parameters to ``params``.
    """
    if slots is None:
        return None
    check_size(node)
    bound = bind(node, spec, slots, snapshot, resolve_leaf)
    parts = bound.children if isinstance(bound, And) else (bound,)
    groups = [p for p in parts if isinstance(p, RelationGroup)]
    leaves = [p for p in parts if isinstance(p, Leaf) and p.indexed]
    if len(groups) != 1 or len(groups) + len(leaves) != len(parts):
        return None
    group = groups[0]
    d = dialect()
    if group.quantifier is None and group.source_slot is not None:
        ids_params: list[Any] = []
        ids = target_ids(group, group.child, False, workspace_id, d, ids_params)
        sets = join_key_sets(group, ids, ids_params, on_missing(group.child, False), d, workspace_id)
        branches = [records_with_keys(key_set, group.source_slot, d, workspace_id, params) for key_set in sets]
        source = f"{' UNION ALL '.join(branches)}{d.fence}"
    elif group.quantifier == "_some" and group.inverse_slot is not None and not always_true(group.child):
        source = some_target_sources(group, spec, workspace_id, d, params)
    else:
        return None
    sql = f"SELECT g.record_id FROM ({source}) AS g WHERE 1 = 1"
    for leaf in leaves:
        sql += f" AND {row_probe(leaf, d, 'g.record_id', params)}"
    return sql


def some_target_sources(group: RelationGroup, spec: ObjectSpec, ws: str, d: Dialect, params: list[Any]) -> str:
    """SQL selecting ``record_id`` and ``workspace_id``: the live records of ``spec`` that a live
    target of the ``_some`` group matching its filter points at, each once.

    Read from the matching targets (through the index when it answers their filter), then each
    distinct join key probed by the record table's primary key. Written as ``id IN (keys)`` over
    the source's records, a planner believing the object empty (no statistics after a bulk load)
    re-read the keys for each of 20,000 companies: over 10 s at 1M people.
    """
    inverse = group.inverse_slot
    assert inverse is not None
    inner: list[Any] = []  # join_keys_of may put parameters before those of the ids
    ids = target_ids(group, group.child, False, ws, d, inner)
    keys = join_keys_of(ids, d, ws, inverse, inner)
    params += [*inner, d.uuid_in(ws), d.uuid_in(spec.id)]
    distinct = f"SELECT DISTINCT k.id FROM ({keys}) AS k"
    live = "s.workspace_id = %s AND s.object_id = %s AND (s.deleted_at IS NULL) IS TRUE"
    if d.vendor != "postgresql":  # no LATERAL; its planner keeps the keys as the outer side anyway
        return f"SELECT s.id AS record_id, s.workspace_id FROM ({distinct}) AS k JOIN core_app_record s ON s.id = k.id AND {live}"
    return (
        f"SELECT s.id AS record_id, s.workspace_id FROM ({distinct}) AS k CROSS JOIN LATERAL (SELECT s.id, "
        f"s.workspace_id FROM core_app_record s WHERE s.id = k.id AND {live}{d.fence}) AS s"
    )
