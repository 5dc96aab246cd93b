"""The checks a GraphQL document passes before it runs, the same on both endpoints.

Three groups, in the order ``api_common.graphql`` applies them:

1. :data:`STRUCTURE_RULES`: the specification's rules that need no schema (fragment cycles,
   unknown and unused fragments, operation names). They run first, before anything walks the
   document through its fragments (introspection detection, the depth limit), so that no walk
   meets a cycle or a missing fragment.
2. :func:`limit_rules`, each refused with a clear error:

   - nesting depth (``GRAPHQL_MAX_DEPTH``, default 8),
   - root fields per operation (``GRAPHQL_MAX_ROOT_RESOLVERS``, default 20, as Twenty),
   - fields per document (``GRAPHQL_MAX_FIELDS``, default 2000, as Twenty's complexity cap).

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

__all__ = ["STRUCTURE_RULES", "DepthLimitRule", "FieldCountRule", "RootFieldsRule", "limit_rules", "root_field_names"]

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


def root_field_names(selection_set: SelectionSetNode, document: DocumentNode) -> Iterator[str]:
    """Names of the root fields of a selection, through fragments; an unknown fragment yields ``""``.

    Each fragment is visited once, so a cycle ends the walk instead of repeating it.
    """
    fragments = fragments_of(document)
    seen: set[str] = set()
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                yield selection.name.value
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is None:
                    yield ""
                else:
                    stack.append(fragment.selection_set)


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
    """Refuse operations with too many root fields."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        roots = [
            s for s in node.selection_set.selections if isinstance(s, FieldNode) and not s.name.value.startswith("__")
        ]
        maximum = graphql_max_root_resolvers()
        if len(roots) > maximum:
            self.report_error(
                GraphQLError(
                    f"Query has {len(roots)} root fields; at most {maximum} are allowed per request",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )


class FieldCountRule(ValidationRule):
    """Refuse documents selecting too many fields in total (a simple complexity bound)."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.count = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.count += 1
        maximum = graphql_max_fields()
        if self.count == maximum + 1:
            self.report_error(
                GraphQLError(
                    f"Query selects more than {maximum} fields; split it into smaller queries",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )


def limit_rules() -> list[type[ValidationRule]]:
    """The limits above, for ``graphql.validate`` (they need no schema)."""
    return [DepthLimitRule, RootFieldsRule, FieldCountRule]
