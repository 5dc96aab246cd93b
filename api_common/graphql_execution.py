"""GraphQL execution without a resolver call per field of plain data, and documents parsed and validated once.

**Plain data.** The record APIs resolve a whole page (and its relations) up front into dicts; what
is left to graphql-core is walking them. Its general path costs a ``ResolveInfo``, a resolver
call and an awaitable check per field per record, which for 60 records is most of a request.
:class:`PlainDataExecutionContext` completes a field straight from its parent dict when the field
reads plain data: graphene's default resolver (the value under the field's name) or a resolver
marked with :func:`reads_response_key` (the value under the response key, for data attached per
alias). Leaves are serialised by their type as graphql-core would; objects and lists recurse.
An object whose selected fields all read plain data is completed by a plan made once per
selection (one loop over its fields, leaves serialised in one call each); a field holding such
objects, or lists of them, is completed by its own plan in turn, so a whole tree of plain data
(a page's edges, nodes and their relations) is one nested call per object. Anything unusual (a
non-dict parent, a null where the type forbids one, a value its type refuses) goes back to
graphql-core's own path for that object and field, and so does an error raised beneath a field
(that field's own handler must catch it), so errors and null propagation are exactly
graphql-core's (its ``CollectedErrors`` records an error of a position once, however often the
position is reached).

**Documents.** Parsing and validating the same operation text against the same schema always
gives the same answer, and API clients send the same few operations again and again:
:func:`parse_cached` and :func:`validate_cached` remember the last ones (bounded, per schema).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection
from functools import partial
from types import CodeType
from typing import Any
from weakref import WeakKeyDictionary

from graphene.types.resolver import dict_or_attr_resolver
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    parse,
    validate,
)
from graphql.execution import ExecutionContext
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path, Undefined
from graphql.type.scalars import serialize_boolean, serialize_float, serialize_id, serialize_int, serialize_string

from api_common import conf

__all__ = ["PlainDataExecutionContext", "parse_cached", "reads_response_key", "validate_cached"]

#: Operations longer than this are parsed and validated each time (never kept in memory).
CACHED_QUERY_LENGTH = 20_000
PARSED_KEPT = 512
VALIDATED_KEPT = 256
COMPILED_KEPT = 512


class Fallback(Exception):
    """The plain path cannot complete this field as graphql-core would: take graphql-core's path."""


def reads_response_key(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """Mark ``resolver`` as returning the parent dict's value under the field's response key (alias)."""
    resolver.reads_response_key = True  # type: ignore[attr-defined]
    return resolver


def plain_reader(resolve: Any) -> tuple[str, Any] | None:
    """``("name", attname)`` or ``("key", None)`` when ``resolve`` just reads its parent dict, else None."""
    if isinstance(resolve, partial) and resolve.func is dict_or_attr_resolver and len(resolve.args) == 2:
        return "name", resolve.args
    if getattr(resolve, "reads_response_key", False):
        return "key", None
    return None


#: One field of a plain object's plan: (response key, value reader, field type, field nodes, completer or None).
#: The completer gives the field's completed value in one call (raising Fallback where graphql-core
#: must decide); None: ``complete_plain`` with the field's path.
PlanEntry = tuple[str, Callable[[dict[str, Any], str], Any], Any, list[Any], Callable[[Any], Any] | None]


def leaf_completer(field_type: Any) -> Callable[[Any], Any] | None:
    """For a (non-null) leaf type, ``complete_plain`` of a value in one call (raising Fallback alike); else None."""
    non_null = is_non_null_type(field_type)
    base = field_type.of_type if non_null else field_type
    if not is_leaf_type(base):
        return None
    serialize = base.serialize

    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            if non_null:
                raise Fallback
            return None
        try:
            serialized = serialize(value)
        except Exception:
            raise Fallback from None
        if serialized is Undefined or serialized is None:
            raise Fallback
        return serialized

    return complete


def reader_expression(parent_type: Any, resolve: Any, field_name: str, key: str, constant: Callable[[Any], str]) -> str:
    """:func:`field_reader`'s read of response key ``key`` as a Python expression over ``get`` (the
    parent dict's ``get``), for a generated completer (``constant`` names a value it needs)."""
    if field_name == "__typename":
        return constant(parent_type.name)
    reader = plain_reader(resolve)
    assert reader is not None, "only fields that read plain data are planned"
    kind, args = reader
    if kind == "key":
        return f"get({key!r})"
    attname, default = args
    return f"get({attname!r}, {constant(default)})"


#: graphql-core's serializers that give a value of this exact class back as it is (``serialize_int``
#: only within 32 bits, ``serialize_float`` only for finite floats): a generated completer returns
#: such a value without the call.
IDENTITY_WHEN: dict[Any, str] = {
    serialize_string: "{v}.__class__ is str",
    serialize_id: "{v}.__class__ is str",
    serialize_boolean: "({v} is True or {v} is False)",
    serialize_int: "({v}.__class__ is int and -2147483648 <= {v} <= 2147483647)",
    serialize_float: "({v}.__class__ is float and -inf < {v} < inf)",
}


def field_reader(parent_type: Any, resolve: Any, field_name: str) -> Callable[[dict[str, Any], str], Any] | None:
    """How a field reads its value from its parent dict (given the response key), or None when it needs its resolver."""
    if field_name == "__typename":
        name = parent_type.name
        return lambda source, key: name
    reader = plain_reader(resolve)
    if reader is None:
        return None
    kind, args = reader
    if kind == "key":
        return lambda source, key: source.get(key)
    attname, default = args
    return lambda source, key: source.get(attname, default)


class PlainDataExecutionContext(ExecutionContext):
    """graphql-core's execution, with fields that read plain dicts completed without a resolver call.

    An object whose selected fields all read plain data goes through a plan made once per
    execution and selection (:meth:`plain_plan`): one loop over its fields, no field definition
    lookup or ``execute_field`` call per field per record.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[Any, int], list[PlanEntry] | None] = {}

    def plain_plan(self, parent_type: Any, fields: dict[str, list[Any]]) -> list[PlanEntry] | None:
        """The plan of ``fields`` of ``parent_type``, or None when one of them needs its resolver.

        Keyed by the identity of ``fields``: graphql-core hands the same dict (its cached
        sub-field collection) for every object of a list, and keeps it for the whole execution.
        """
        key = (parent_type, id(fields))
        if key in self._plans:
            return self._plans[key]
        plan: list[PlanEntry] | None = []
        for response_key, field_nodes in fields.items():
            field_def = get_field_def(self.schema, parent_type, field_nodes[0])
            reader = field_reader(parent_type, field_def.resolve, field_nodes[0].name.value) if field_def else None
            if reader is None or plan is None:
                plan = None
                break
            field_type = field_def.type
            plan.append((response_key, reader, field_type, field_nodes, self.completer(field_type, field_nodes)))
        self._plans[key] = plan
        return plan

    def completer(self, field_type: Any, field_nodes: list[Any]) -> Callable[[Any], Any] | None:
        """``complete_plain`` of a value of ``field_type`` as one call, or None where it needs the path.

        Leaves are serialised; objects whose selection has a plan, and lists of such objects or of
        leaves, are completed through that plan. A value the plain path cannot complete (not a
        dict, a null where the type forbids one) raises Fallback: the nearest enclosing object is
        then completed by graphql-core's path, field by field, which comes back here below it.
        """
        non_null = is_non_null_type(field_type)
        base = field_type.of_type if non_null else field_type
        if is_leaf_type(base):
            return leaf_completer(field_type)
        inner: Callable[[Any], Any]
        if is_list_type(base):
            item = self.completer(base.of_type, field_nodes)
            if item is None:
                return None

            def inner(value: Any) -> Any:
                if not isinstance(value, (list, tuple)):
                    raise Fallback
                return [item(element) for element in value]

        elif is_object_type(base) and base.is_type_of is None:
            plan = self.plain_plan(base, self.collect_subfields(base, field_nodes))
            if plan is None or any(entry[4] is None for entry in plan):
                return None
            inner = self.object_completer(base, plan)
        else:
            return None

        def complete(value: Any) -> Any:
            if value is None or value is Undefined:
                if non_null:
                    raise Fallback
                return None
            return inner(value)

        return complete

    def object_completer(self, parent_type: Any, plan: list[PlanEntry]) -> Callable[[Any], Any]:
        """The completion of a dict by ``plan`` (every entry with a completer), generated as Python source.

        The same as ``{key: complete(read(value, key)) for ...}`` (the plan's order, Fallback for
        a value that is not a dict or that a completer refuses), as ``dataclasses`` builds
        ``__init__``: each read written out over the dict's ``get``, and a leaf whose serializer
        gives a value of its class back as it is (``IDENTITY_WHEN``) returned without the call.
        A page of 60 people with their companies completes about 700 leaves.
        """
        names: dict[str, Any] = {"Fallback": Fallback, "isinstance": isinstance, "dict": dict, "inf": float("inf")}

        def constant(value: Any) -> str:
            name = f"c{len(names)}"
            names[name] = value
            return name

        reads, items = [], []
        for index, (key, _read, field_type, nodes, complete) in enumerate(plan):
            field_name = nodes[0].name.value
            field_def = get_field_def(self.schema, parent_type, nodes[0]) if field_name != "__typename" else None
            resolve = field_def.resolve if field_def is not None else None
            variable = f"v{index}"
            reads.append(f"    {variable} = {reader_expression(parent_type, resolve, field_name, key, constant)}")
            call = f"{constant(complete)}({variable})"
            base = field_type.of_type if is_non_null_type(field_type) else field_type
            same = IDENTITY_WHEN.get(getattr(base, "serialize", None)) if is_leaf_type(base) else None
            items.append(
                f"{key!r}: ({variable} if {same.format(v=variable)} else {call})" if same else f"{key!r}: {call}"
            )
        body = "\n".join(
            ["    if not isinstance(value, dict):", "        raise Fallback", "    get = value.get", *reads]
        )
        source = f"def complete_object(value):\n{body}\n    return {{{', '.join(items)}}}\n"
        exec(compiled(source, parent_type.name), names)  # our own source, from the schema and the operation
        completer: Callable[[Any], Any] = names["complete_object"]
        return completer

    def execute_fields(self, parent_type: Any, source_value: Any, path: Path | None, fields: Any) -> Any:
        if isinstance(source_value, dict) and self.middleware_manager is None:
            plan = self.plain_plan(parent_type, fields)
            if plan is not None:
                name = parent_type.name
                try:
                    return {
                        key: complete(read(source_value, key))
                        if complete is not None
                        else self.complete_plain(field_type, nodes, Path(path, key, name), read(source_value, key))
                        for key, read, field_type, nodes, complete in plan
                    }
                except (Fallback, GraphQLError):
                    # graphql-core's path, field by field, for errors and null propagation: an error
                    # raised beneath a field must be caught by that field's own handler (which
                    # nulls it when it is nullable); what was recorded here is recorded once.
                    pass
        return super().execute_fields(parent_type, source_value, path, fields)

    def execute_field(self, parent_type: Any, source: Any, field_nodes: list[Any], path: Path) -> Any:
        # Middleware would wrap every resolver: with any, every field takes graphql-core's path.
        if isinstance(source, dict) and self.middleware_manager is None:
            field_def = get_field_def(self.schema, parent_type, field_nodes[0])
            read = field_reader(parent_type, field_def.resolve, field_nodes[0].name.value) if field_def else None
            if read is not None:
                try:
                    return self.complete_plain(field_def.type, field_nodes, path, read(source, str(path.key)))
                except (Fallback, GraphQLError):
                    pass  # as above: graphql-core completes this field, with its error handling
        return super().execute_field(parent_type, source, field_nodes, path)

    def complete_plain(self, return_type: Any, field_nodes: list[Any], path: Path, value: Any) -> Any:
        """The completed value of plain data, as graphql-core's ``complete_value`` would give it."""
        if is_non_null_type(return_type):
            completed = self.complete_plain(return_type.of_type, field_nodes, path, value)
            if completed is None:
                raise Fallback
            return completed
        if value is None or value is Undefined:
            return None
        if is_leaf_type(return_type):
            try:
                serialized = return_type.serialize(value)
            except Exception:
                raise Fallback from None
            if serialized is Undefined or serialized is None:
                raise Fallback
            return serialized
        if is_list_type(return_type):
            if not isinstance(value, (list, tuple)):
                raise Fallback
            item_type = return_type.of_type
            return [self.complete_plain(item_type, field_nodes, path.add_key(i), item) for i, item in enumerate(value)]
        if is_object_type(return_type):
            if return_type.is_type_of is not None:
                raise Fallback
            sub_fields = self.collect_subfields(return_type, field_nodes)
            return self.execute_fields(return_type, value, path, sub_fields)
        raise Fallback  # interfaces and unions resolve their type: graphql-core's path


_compiled: OrderedDict[str, CodeType] = OrderedDict()


def compiled(source: str, type_name: str) -> CodeType:
    """``source`` compiled, remembered for the last ``COMPILED_KEPT`` sources: plans are made per
    execution, but the same operation gives the same source, and compiling costs far more than a
    page's completion saves."""
    code = _compiled.get(source)
    if code is None:
        code = compile(source, f"<completion of {type_name}>", "exec")
        with _lock:
            _compiled[source] = code
            while len(_compiled) > COMPILED_KEPT:
                _compiled.popitem(last=False)
    return code


_lock = threading.Lock()
_parsed: OrderedDict[str, DocumentNode | GraphQLError] = OrderedDict()
_validated: WeakKeyDictionary[GraphQLSchema, OrderedDict[tuple[Any, ...], list[GraphQLError]]] = WeakKeyDictionary()


def parse_cached(query: str) -> DocumentNode:
    """``graphql.parse(query)``, remembered for the last ``PARSED_KEPT`` operations; raises its GraphQLError.

    A document of more than ``GRAPHQL_MAX_TOKENS`` tokens is refused while it is read (see
    :func:`api_common.conf.graphql_max_tokens`).
    """
    if len(query) > CACHED_QUERY_LENGTH:
        return parse(query, max_tokens=conf.graphql_max_tokens())
    found = _parsed.get(query)
    if found is None:
        try:
            found = parse(query, max_tokens=conf.graphql_max_tokens())
        except GraphQLError as error:
            found = error
        with _lock:
            _parsed[query] = found
            while len(_parsed) > PARSED_KEPT:
                _parsed.popitem(last=False)
    if isinstance(found, GraphQLError):
        raise found
    return found


def validate_cached(
    schema: GraphQLSchema,
    document: DocumentNode,
    query: str,
    rules: Collection[Any],
    max_errors: int | None,
    settings_key: tuple[Any, ...] = (),
) -> list[GraphQLError]:
    """``graphql.validate``, remembered per schema for the last ``VALIDATED_KEPT`` operations.

    ``settings_key`` holds whatever else the rules read (the limits), so a changed setting is a
    new entry.
    """
    if len(query) > CACHED_QUERY_LENGTH:
        return validate(schema, document, rules, max_errors)
    key = (query, tuple(rules), max_errors, settings_key)
    with _lock:
        kept = _validated.setdefault(schema, OrderedDict())
        found = kept.get(key)
    if found is None:
        found = validate(schema, document, rules, max_errors)
        with _lock:
            kept[key] = found
            while len(kept) > VALIDATED_KEPT:
                kept.popitem(last=False)
    return found
