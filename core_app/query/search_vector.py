"""``searchVector`` (api-reference §13): the filter of every object, ``searchVector[search]:acme``,
and, on a searchable object, a read-only value a client may select.

``searchVector`` is no stored field: it names the object's search index (``core_app.store.search``).
Selected (REST ``fields=searchVector``, a GraphQL selection; never in a default answer), it reads as
the record's search tokens in one string (``SearchFields.vector``); a write naming it is a 400.
``search`` matches a record when one word of the input is a prefix of one of its tokens (ranges of
the token index), or when the whole input, normalised, is a substring of one of its search
fields' text (Twenty's ILIKE fallback, our §13.2 rule). An input without any word matches every
record (the empty text is a substring of every text, as Twenty's ``ILIKE '%%'``).
"""

from __future__ import annotations

from typing import Any, Final

from core_app.store.search import normalize, successor
from core_app.store.sql import Dialect
from metadata_app.field_types.base import FieldType, FieldValueError, describe
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = [
    "READ_ONLY_MESSAGE",
    "SEARCH_VECTOR",
    "TSVectorType",
    "has_search_vector",
    "search_condition",
    "search_vector_field",
]

#: The API name of the filter (Twenty's TS_VECTOR field).
SEARCH_VECTOR: Final = "searchVector"

#: Why a write may not name it (the wording of the other read-only fields, ``services.inputs``).
READ_ONLY_MESSAGE: Final = f"Field '{SEARCH_VECTOR}' is read-only: it is computed from the search fields"


def has_search_vector(spec: ObjectSpec) -> bool:
    """True when records of ``spec`` have a ``searchVector`` to read: the object is searchable, no field of
    its own takes the name, and (on a role's narrowed copy) none of its search fields is hidden.

    An object that is not searchable has no search text to show (its filter is still accepted).
    """
    return spec.is_searchable and not spec.hides_search_fields and SEARCH_VECTOR not in spec.by_name


class TSVectorType(FieldType):
    """Twenty's TS_VECTOR as a filter target: only ``search`` (GraphQL ``TSVectorFilter``)."""

    name = "TS_VECTOR"
    operators = frozenset({"search"})
    sortable = False
    value_kind = "json"  # nothing to sort, group or aggregate on
    index_kind = None
    graphql_filter = "TSVectorFilter"

    def filter_value(self, value: Any, spec: FieldSpec) -> Any:
        """The search input: a string."""
        if not isinstance(value, str):
            raise FieldValueError(f"expected a string, got {describe(value)}")
        return value


TS_VECTOR = TSVectorType()


def search_vector_field(spec: ObjectSpec) -> FieldSpec:
    """The ``searchVector`` of ``spec`` as a field the query engine resolves (never stored)."""
    return FieldSpec(
        id=spec.id,
        object_id=spec.id,
        name=SEARCH_VECTOR,
        label="Search vector",
        type="TEXT",
        storage_key=SEARCH_VECTOR,
        is_system=True,
        is_custom=False,
    )


def search_condition(d: Dialect, alias: str, workspace_id: str, object_id: str, text: str, params: list[Any]) -> str:
    """SQL true for the records (alias ``alias``) of one object that ``text`` matches; appends parameters."""
    words = list(dict.fromkeys(normalize(text)))
    if not words:
        return "1 = 1"
    ws = d.uuid_in(workspace_id)
    ranges = " OR ".join(["(s.token >= %s AND s.token < %s)"] * len(words))
    params += [ws, d.uuid_in(object_id), ws, d.uuid_in(object_id)]
    for word in words:
        params += [word, successor(word)]
    params += [ws, " ".join(words)]
    # The index is led by the field (ranges per search field): the fields whose tokens it holds
    # are the object's rows of core_app_searchfield.
    return (
        f"({alias}.id IN (SELECT s.record_id FROM core_app_searchtoken s WHERE s.workspace_id = %s "
        f"AND s.object_id = %s AND s.field_id IN (SELECT f.field_id FROM core_app_searchfield f "
        f"WHERE f.workspace_id = %s AND f.object_id = %s) AND s.document IS NULL AND ({ranges})) "
        f"OR EXISTS (SELECT 1 FROM core_app_searchtoken s WHERE s.workspace_id = %s AND s.record_id = {alias}.id "
        f"AND s.token = '' AND {d.contains('s.document')}))"
    )
