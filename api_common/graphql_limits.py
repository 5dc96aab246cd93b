"""The checks a GraphQL document passes before it runs, the same on both endpoints.

Three groups, in the order ``api_common.graphql`` applies them:

1. :data:`STRUCTURE_RULES`: the specification's rules that need no schema (fragment cycles,
   unknown and unused fragments, operation names). They run first, before anything walks the
   document through its fragments (introspection detection, the depth limit), so that no walk
   meets a cycle or a missing fragment.
2. :func:`limit_rules`, each refused with a clear error:

   - nesting depth (``GRAPHQL_MAX_DEPTH``, default 8),
   - root fields per operation (``GRAPHQL_MAX_ROOT_RESOLVERS``, default 20, as Twenty),
   - introspection: ``__schema`` once and no alias inside it or ``__type``,
   - fields per operation, fragments counted wherever they are spread (``GRAPHQL_MAX_FIELDS``,
     default 2000, as Twenty's complexity cap).

3. graphql-core's ``specified_rules`` against the endpoint's schema.

The settings are read through ``api_common.conf`` at each request. Every walk here uses an
explicit stack, never the interpreter's recursion.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, ValidationRule
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation import (
    ExecutableDefinitionsRule,
    KnownFragmentNamesRule,
    LoneAnonymousOperationRule,
    NoFragmentCyclesRule,
    NoUnusedFragmentsRule,
    UniqueFragmentNamesRule,
    UniqueOperationNamesRule,
)

from api_common.conf import graphql_max_depth, graphql_max_fields, graphql_max_root_resolvers

__all__ = [
    "STRUCTURE_RULES",
    "DepthLimitRule",
    "FieldCountRule",
    "IntrospectionRule",
    "RootFieldsRule",
    "limit_rules",
    "root_field_names",
    "root_fields",
]

#: The specification's rules about the document's own structure; none needs the schema.
STRUCTURE_RULES = (
    ExecutableDefinitionsRule,
    UniqueOperationNamesRule,
    LoneAnonymousOperationRule,
    UniqueFragmentNamesRule,
    KnownFragmentNamesRule,
    NoUnusedFragmentsRule,
    NoFragmentCyclesRule,
)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The document's fragments by name."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def root_fields(selection_set: SelectionSetNode, document: DocumentNode) -> Iterator[FieldNode | None]:
    """The root fields of a selection, through fragments; an unknown fragment yields None.

    Each fragment is visited once, so a cycle ends the walk instead of repeating it (a fragment
    spread twice selects nothing more: graphql-core merges fields by response name).
    """
    fragments = fragments_of(document)
    seen: set[str] = set()
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is None:
                    yield None
                else:
                    stack.append(fragment.selection_set)


def root_field_names(selection_set: SelectionSetNode, document: DocumentNode) -> Iterator[str]:
    """Names of the root fields of a selection, through fragments; an unknown fragment yields ``""``."""
    return (field.name.value if field else "" for field in root_fields(selection_set, document))


def response_key(field: FieldNode) -> str:
    """The key a field answers under: its alias, else its name."""
    return field.alias.value if field.alias else field.name.value


class DepthLimitRule(ValidationRule):
    """Refuse operations whose selections, through fragments, nest deeper than ``GRAPHQL_MAX_DEPTH``.

    Root fields are at depth 0; introspection fields (``__schema``...) are not counted. The error
    is reported where the limit is first crossed on each path, with graphene's wording
    (``'<operation>' exceeds maximum operation depth of 8.``). A fragment met again at the same
    depth is not walked again, so fragments used many times cost nothing more.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        maximum = graphql_max_depth()
        name = node.name.value if node.name else "anonymous"
        fragments = fragments_of(self.context.document)
        walked: set[tuple[str, int]] = set()
        stack: list[tuple[Node, int]] = [(s, 0) for s in reversed(node.selection_set.selections)]
        while stack:
            selection, depth = stack.pop()
            if depth > maximum:
                self.report_error(GraphQLError(f"'{name}' exceeds maximum operation depth of {maximum}.", selection))
                continue
            children: tuple[Node, ...] = ()
            if isinstance(selection, FieldNode):
                if selection.selection_set and not selection.name.value.startswith("__"):
                    children, depth = selection.selection_set.selections, depth + 1
            elif isinstance(selection, InlineFragmentNode):
                children = selection.selection_set.selections
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and (selection.name.value, depth) not in walked:
                    walked.add((selection.name.value, depth))
                    children = fragment.selection_set.selections
            stack.extend((child, depth) for child in reversed(children))


class RootFieldsRule(ValidationRule):
    """Refuse operations with too many root fields.

    Counted through fragments, by response key (what the operation runs), introspection's
    ``__schema`` and ``__type`` included: only ``__typename`` is free.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        keys = {
            response_key(field)
            for field in root_fields(node.selection_set, self.context.document)
            if field is not None and field.name.value != "__typename"
        }
        maximum = graphql_max_root_resolvers()
        if len(keys) > maximum:
            self.report_error(
                GraphQLError(
                    f"Query has {len(keys)} root fields; at most {maximum} are allowed per request",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )


class IntrospectionRule(ValidationRule):
    """Keep an introspection answer to the size of the schema: ``__schema`` once, no alias inside.

    The depth limit does not apply to introspection, and graphql-core's own introspection depth
    rule bounds nesting only. Aliases multiply an answer without growing the document: a 2 KB
    query of 100 aliases of ``__schema { types { ... } }`` answered 22 MB in 7 s. Without aliases,
    graphql-core merges a repeated field into one, so every introspection field is resolved once
    per parent. Aliased ``__type`` root fields stay allowed (several types in one request) and are
    counted by :class:`RootFieldsRule`.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        document = self.context.document
        roots = [f for f in root_fields(node.selection_set, document) if f and f.name.value in ("__schema", "__type")]
        schemas = {response_key(f) for f in roots if f.name.value == "__schema"}
        if len(schemas) > 1:
            self.refuse(f"Query asks for __schema {len(schemas)} times; ask for it once per request", node)
        fragments = fragments_of(document)
        seen: set[str] = set()
        stack = [f.selection_set for f in roots if f.selection_set]
        while stack:
            for selection in stack.pop().selections:
                if isinstance(selection, FieldNode):
                    if selection.alias:
                        self.refuse(
                            f'Introspection fields cannot be aliased: ask for "{selection.name.value}" once, '
                            f'without the alias "{selection.alias.value}"',
                            selection,
                        )
                        return
                    if selection.selection_set:
                        stack.append(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    stack.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                    seen.add(selection.name.value)
                    fragment = fragments.get(selection.name.value)
                    if fragment is not None:
                        stack.append(fragment.selection_set)

    def refuse(self, message: str, node: Node) -> None:
        """Report ``message`` as a ``BAD_USER_INPUT`` error at ``node``."""
        self.report_error(GraphQLError(message, node, extensions={"code": "BAD_USER_INPUT"}))


def spread_names(selection_set: SelectionSetNode) -> Iterator[str]:
    """Names of the fragments spread anywhere in a selection set, not looking into those fragments."""
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, (FieldNode, InlineFragmentNode)) and selection.selection_set is not None:
                stack.append(selection.selection_set)


def local_size(selection_set: SelectionSetNode, sizes: dict[str, int]) -> int:
    """Fields of a selection set, each spread counted as the size ``sizes`` gives its fragment."""
    total = 0
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                total += sizes.get(selection.name.value, 0)
            elif isinstance(selection, (FieldNode, InlineFragmentNode)):
                total += isinstance(selection, FieldNode)
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
    return total


def fragment_sizes(fragments: dict[str, FragmentDefinitionNode], cap: int) -> dict[str, int]:
    """Fields each fragment selects once its own spreads are expanded, capped at ``cap``.

    Each fragment is sized once, after the fragments it spreads (``NoFragmentCyclesRule`` has
    run, so the order exists); a spread of an unknown fragment counts nothing.
    """
    sizes: dict[str, int] = {}
    for name in fragments:
        stack = [name]
        while stack:
            current = stack[-1]
            if current in sizes:
                stack.pop()
                continue
            selection_set = fragments[current].selection_set
            missing = [n for n in spread_names(selection_set) if n in fragments and n not in sizes]
            if missing:
                stack.extend(missing)
                continue
            sizes[current] = min(cap, local_size(selection_set, sizes))
            stack.pop()
    return sizes


class FieldCountRule(ValidationRule):
    """Refuse operations selecting too many fields, each fragment counted wherever it is spread.

    A simple complexity bound: what the operation runs, not the document's length. Counted in
    the text alone, a fragment of 900 fields spread under 1,000 aliases passed as 1,900 fields
    for a page of 60, 54 million values to answer.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        maximum = graphql_max_fields()
        sizes = fragment_sizes(fragments_of(self.context.document), maximum + 1)
        if local_size(node.selection_set, sizes) > maximum:
            self.report_error(
                GraphQLError(
                    f"Query selects more than {maximum} fields; split it into smaller queries",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )


def limit_rules() -> list[type[ValidationRule]]:
    """The limits above, for ``graphql.validate`` (they need no schema)."""
    return [DepthLimitRule, RootFieldsRule, IntrospectionRule, FieldCountRule]
