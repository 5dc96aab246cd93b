"""What a GraphQL operation names that a key's role may not read.

A key whose role cannot read everything gets a schema without what it cannot read (its
introspection shows only readable objects and fields). An operation written against the whole
workspace schema then fails validation in the role's schema; :func:`hidden_names` tells which
names of the operation (fields of the selection, keys of input objects in the document or in its
variables) exist in the whole schema but not in the role's, so the view can answer ``FORBIDDEN``
for them, as REST answers 403, rather than "Cannot query field".

Usage::

    names = hidden_names(full_schema, role_schema, document, variables, operation_name)
    # ["Person.jobTitle", "PersonFilterInput.jobTitle"]; [] when the operation does not fit the whole schema either
"""

from __future__ import annotations

from typing import Any

from graphql import (
    SKIP,
    GraphQLInputObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_input_object_type,
    is_list_type,
    specified_rules,
    type_from_ast,
    validate,
    visit,
)
from graphql.execution.values import get_variable_values
from graphql.language import DocumentNode, FieldNode, ObjectFieldNode

__all__ = ["hidden_names"]


def has_field(schema: GraphQLSchema, type_name: str, field_name: str) -> bool:
    """True when ``schema`` has the type ``type_name`` with the (input) field ``field_name``."""
    found = schema.get_type(type_name)
    return found is not None and field_name in getattr(found, "fields", {})


class HiddenFieldVisitor(Visitor):
    """Collects the fields and input keys of a document that ``role`` lacks (walking the whole schema)."""

    def __init__(self, type_info: TypeInfo, role: GraphQLSchema) -> None:
        super().__init__()
        self.type_info, self.role = type_info, role
        self.names: list[str] = []

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        parent = self.type_info.get_parent_type()
        name = node.name.value
        if parent is not None and not name.startswith("__") and not has_field(self.role, parent.name, name):
            self.names.append(f"{parent.name}.{name}")
            return SKIP  # what lies below a hidden field is hidden with it
        return None

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> Any:
        parent = get_named_type(self.type_info.get_parent_input_type())
        if isinstance(parent, GraphQLInputObjectType) and not has_field(self.role, parent.name, node.name.value):
            self.names.append(f"{parent.name}.{node.name.value}")
            return SKIP
        return None


def hidden_in_value(value: Any, input_type: Any, role: GraphQLSchema, names: list[str]) -> None:
    """Collect the keys of a variable's value that ``role`` lacks, following ``input_type`` of the whole schema."""
    nullable = get_nullable_type(input_type)
    if is_list_type(nullable):
        for item in value if isinstance(value, list) else [value]:
            hidden_in_value(item, nullable.of_type, role, names)
        return
    if not is_input_object_type(nullable) or not isinstance(value, dict):
        return
    for key, item in value.items():
        field = nullable.fields.get(key)
        if field is None:
            continue
        if not has_field(role, nullable.name, key):
            names.append(f"{nullable.name}.{key}")
        else:
            hidden_in_value(item, field.type, role, names)


def hidden_names(
    full: GraphQLSchema,
    role: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> list[str]:
    """Names the operation uses that the whole schema has and the role's lacks ([] when it does not fit the whole schema)."""
    if validate(full, document, specified_rules):
        return []
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    if isinstance(get_variable_values(full, operation.variable_definitions or (), variables or {}), list):
        return []  # the variables are wrong for any role
    type_info = TypeInfo(full)
    visitor = HiddenFieldVisitor(type_info, role)
    visit(document, TypeInfoVisitor(type_info, visitor))
    names = visitor.names
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if variables and name in variables:
            hidden_in_value(variables[name], type_from_ast(full, definition.type), role, names)
    return list(dict.fromkeys(names))
