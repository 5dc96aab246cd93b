"""Limits on GraphQL documents, the same on both endpoints, each refused with a clear error before execution.

- nesting depth (``GRAPHQL_MAX_DEPTH``, default 8),
- root fields per operation (``GRAPHQL_MAX_ROOT_RESOLVERS``, default 20, as Twenty),
- fields per document (``GRAPHQL_MAX_FIELDS``, default 2000, as Twenty's complexity cap).

The settings are read through ``api_common.conf`` at each request.
"""

from __future__ import annotations

from typing import Any

from graphene.validation import depth_limit_validator
from graphql import GraphQLError, ValidationRule, specified_rules
from graphql.language import FieldNode, OperationDefinitionNode

from api_common.conf import graphql_max_depth, graphql_max_fields, graphql_max_root_resolvers

__all__ = ["validation_rules"]


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


def validation_rules() -> list[type[ValidationRule]]:
    """GraphQL's own rules plus the limits above.

    ``graphql.validate`` runs only the rules it is given, so the specification's rules (unknown
    fields and arguments, input types, variables...) must be listed too: without them a
    misspelt field reaches the resolvers, where it is silently dropped or misreported.
    """
    return [
        *specified_rules,
        depth_limit_validator(max_depth=graphql_max_depth()),
        RootFieldsRule,
        FieldCountRule,
    ]
