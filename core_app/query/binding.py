"""Bind a filter tree to the schema: each condition to its field, each relation path to a group.

The parsers know no schema: ``company.name[eq]:Acme`` and ``people._none.jobTitle[eq]:CEO`` are
plain dotted conditions, and GraphQL groups arrive as ``Scoped``. Binding resolves them against
the object they filter (api-reference §11.2, §11.3):

- a condition on the object's own field becomes a ``Leaf`` (``compiler.resolve_leaf``);
- a path through a relation becomes a ``RelationGroup``: the relation, its target object, the
  quantifier (None for many-to-one; ``_some`` (the default), ``_none`` or ``_every`` for one-to-many)
  and the rest of the filter bound on the target, at most ``MAX_RELATION_FILTER_DEPTH`` hops deep.

``and`` / ``or`` / ``not`` keep their shape (the same dataclasses, holding bound children).
Every refusal is a 400 with the message of §11.3's table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings

from core_app.query.ast import And, Condition, Node, Not, Or, Scoped
from core_app.query.errors import FilterSyntaxError
from core_app.query.search_vector import SEARCH_VECTOR
from core_app.store.slots import ObjectSlots, Slot, object_slots
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = ["QUANTIFIERS", "RelationGroup", "bind", "max_relation_depth", "to_one_comparison_error"]

#: Keys that quantify a one-to-many relation (names cannot start with ``_``, §3.5).
QUANTIFIERS: Final = ("_some", "_none", "_every")


def to_one_comparison_error(head: str, field: FieldSpec) -> FilterSyntaxError:
    """The 400 of a comparator straight on the many-to-one relation ``field`` named ``head`` (§11.3).

    Record filters and webhook filters refuse it alike: its join column is what can be compared.
    """
    return FilterSyntaxError(f'Cannot filter by relation field "{head}": use "{field.join_name}" instead')


def max_relation_depth() -> int:
    """``MAX_RELATION_FILTER_DEPTH`` (relation hops on one filter path), read at call time."""
    return int(getattr(settings, "MAX_RELATION_FILTER_DEPTH", 2))


@dataclass(frozen=True, eq=False)
class RelationGroup:
    """A filter on the records at the other end of ``field``.

    ``quantifier`` is None for a many-to-one relation (the target's fields act as the source's
    own, a LEFT JOIN) and ``_some`` / ``_none`` / ``_every`` for a one-to-many relation.
    ``child`` is bound on ``target`` (whose live records only count); ``source_slot`` is the
    source's join-column slot when the source query runs over live records (the index holds
    them), ``inverse_slot`` the target's join-column slot of a one-to-many relation.
    """

    field: FieldSpec
    target: ObjectSpec
    target_slots: ObjectSlots
    quantifier: str | None
    child: Any
    hops: int
    source_slot: Slot | None = None
    inverse_slot: Slot | None = None


@dataclass(frozen=True)
class _Context:
    """Where binding stands: the object, its slots (None over trash), the snapshot, hops so far."""

    spec: ObjectSpec
    slots: ObjectSlots | None
    snapshot: SchemaSnapshot | None
    hops: int
    resolve_leaf: Callable[[Condition, ObjectSpec, ObjectSlots | None], Any]


def bind(
    node: Node,
    spec: ObjectSpec,
    slots: ObjectSlots | None,
    snapshot: SchemaSnapshot | None,
    resolve_leaf: Callable[[Condition, ObjectSpec, ObjectSlots | None], Any],
) -> Any:
    """Return ``node`` bound on ``spec`` (see the module docstring); ``resolve_leaf`` binds own fields."""
    return _bind(node, _Context(spec, slots, snapshot, 0, resolve_leaf))


def _bind(node: Node, ctx: _Context) -> Any:
    if isinstance(node, Not):
        return Not(_bind(node.child, ctx))
    if isinstance(node, And):
        return And(tuple(_bind(child, ctx) for child in node.children))
    if isinstance(node, Or):
        return Or(tuple(_bind(child, ctx) for child in node.children))
    if isinstance(node, Scoped):
        return _bind_path(node.path, node.child, None, ctx)
    return _bind_path(node.path, None, node, ctx)


def _bind_path(path: tuple[str, ...], child: Node | None, condition: Condition | None, ctx: _Context) -> Any:
    """Bind ``path`` then ``child`` (a scoped group) or the condition's comparison."""
    head, rest = path[0], path[1:]
    if head in QUANTIFIERS:
        where = "it starts the path" if ctx.hops == 0 else f"'{head}' follows no relation"
        raise FilterSyntaxError(f"'{head}' only applies to a one-to-many relation ({where})")
    field = ctx.spec.field(head)
    # ``searchVector`` is every object's search index (api-reference §13), a target without a field row.
    if field is None and head not in ctx.spec.by_join_name and head != SEARCH_VECTOR and ctx.hops:
        raise FilterSyntaxError(f'Object {ctx.spec.name_singular} doesn\'t have any "{head}" field.')
    if field is None or field.relation is None:
        if rest and rest[0] in QUANTIFIERS and field is not None:
            raise FilterSyntaxError(
                f"'{rest[0]}' only applies to a one-to-many relation ('{head}' is a {field.type} field)"
            )
        return _bind_own(path, child, condition, ctx)
    snapshot = ctx.snapshot
    target = snapshot.by_id.get(field.relation.target_object_id) if snapshot is not None else None
    if target is None or snapshot is None:
        # A relation to an object the caller cannot see is no field of its schema.
        raise FilterSyntaxError(f"'filter' invalid. Field '{head}' does not exist on object '{ctx.spec.name_singular}'")
    quantifier: str | None = None
    if field.is_one_to_many:
        quantifier = "_some"
        if rest and rest[0] in QUANTIFIERS:
            quantifier, rest = rest[0], rest[1:]
    elif rest and rest[0] in QUANTIFIERS:
        raise FilterSyntaxError(f"'{rest[0]}' only applies to a one-to-many relation ('{head}' is many-to-one)")
    if condition is not None and not rest:
        if field.is_many_to_one:
            raise to_one_comparison_error(head, field)
        raise FilterSyntaxError(
            f'Cannot filter by relation field "{head}": use {head}._some.id[is]:NOT_NULL or {head}._none.id[is]:NOT_NULL'
        )
    if ctx.hops + 1 > max_relation_depth():
        raise FilterSyntaxError(f"Relation filter nesting deeper than {max_relation_depth()} hops is not supported")
    inner = _Context(target, object_slots(snapshot, target), snapshot, ctx.hops + 1, ctx.resolve_leaf)
    source_slot = ctx.slots.by_path.get(field.join_name) if ctx.slots is not None and field.is_many_to_one else None
    inverse_slot = None
    if field.is_one_to_many:
        inverse = next((f for f in target.fields if f.id == field.relation.target_field_id), None)
        if inverse is None or not inverse.is_many_to_one:
            raise FilterSyntaxError(f'Cannot filter by relation field "{head}"')
        inverse_slot = inner.slots.by_path.get(inverse.join_name) if inner.slots is not None else None
        if inverse_slot is None:
            raise FilterSyntaxError(f'Cannot filter by relation field "{head}"')

    def group(quantified: str | None, bound: Any) -> RelationGroup:
        return RelationGroup(field, target, inner.slots or ObjectSlots(()), quantified, bound, inner.hops,
                             source_slot, inverse_slot)  # fmt: skip

    if condition is not None:
        return group(quantifier, _bind(Condition(rest, condition.op, condition.value), inner))
    assert child is not None
    if rest:
        return group(quantifier, _bind(Scoped(rest, child), inner))
    if field.is_many_to_one or path[1:2] == (quantifier,):
        return group(quantifier, _bind(child, inner))
    # ``people: {...}`` without a quantifier: quantified keys are groups of their own, the other
    # keys one implicit ``_some`` group (§11.2), all ANDed.
    parts = child.children if isinstance(child, And) else (child,)
    quantified = [part for part in parts if _leading(part) in QUANTIFIERS]
    plain = [part for part in parts if _leading(part) not in QUANTIFIERS]
    groups = [_bind_path((head, *_path_of(part)), _scoped_child(part), _as_condition(part), ctx) for part in quantified]
    if plain or not quantified:
        groups.insert(0, group("_some", _bind(plain[0] if len(plain) == 1 else And(tuple(plain)), inner)))
    return groups[0] if len(groups) == 1 else And(tuple(groups))


def _leading(node: Node) -> str | None:
    """The first path segment of a condition or a scoped group (None for and/or/not)."""
    return node.path[0] if isinstance(node, (Condition, Scoped)) and node.path else None


def _path_of(node: Node) -> tuple[str, ...]:
    assert isinstance(node, (Condition, Scoped))
    return node.path


def _scoped_child(node: Node) -> Node | None:
    return node.child if isinstance(node, Scoped) else None


def _as_condition(node: Node) -> Condition | None:
    return node if isinstance(node, Condition) else None


def _bind_own(path: tuple[str, ...], child: Node | None, condition: Condition | None, ctx: _Context) -> Any:
    """A path on the object's own fields: a leaf, or a scoped group on a composite (its conditions prefixed)."""
    if condition is not None:
        return ctx.resolve_leaf(condition, ctx.spec, ctx.slots)
    assert child is not None
    if isinstance(child, And) and not child.children:
        raise FilterSyntaxError(f"'filter' invalid: no comparator for field '{'.'.join(path)}'")
    return _bind(_prefixed(path, child), ctx)


def _prefixed(prefix: tuple[str, ...], node: Node) -> Node:
    """``node`` with ``prefix`` put in front of every path of its conditions and groups."""
    if isinstance(node, Not):
        return Not(_prefixed(prefix, node.child))
    if isinstance(node, And):
        return And(tuple(_prefixed(prefix, child) for child in node.children))
    if isinstance(node, Or):
        return Or(tuple(_prefixed(prefix, child) for child in node.children))
    if isinstance(node, Scoped):
        return Scoped(prefix + node.path, node.child)
    return Condition(prefix + node.path, node.op, node.value)
