"""The search index: normalised tokens of every record's search fields (api-reference §13.2).

One rule on PostgreSQL and SQLite, computed here in Python on both: a value is lower-cased, its
accents removed (NFKD, combining marks dropped) and split on non-alphanumerics into tokens. A
query word matches a token it is a prefix of.

``core_app_searchtoken`` holds, per record and search field:

- one row per distinct token (``document`` NULL), read through the index
  ``(workspace_id, object_id, token, record_id, field_id)``: a query word is the range
  ``token >= word AND token < successor(word)`` (byte order on both databases: C collation on
  PostgreSQL, BINARY on SQLite), answered from the index alone;
- one row with ``token = ''`` whose ``document`` is the field's tokens joined by spaces, in order:
  what the ``searchVector[search]`` comparator's substring test reads. No query word is empty,
  so these rows never fall in a word's range.

Rows carry the field, so a role that cannot read a field is never matched through it. Tokens are
written by :mod:`core_app.store.writer` in the transaction of the record write; trashed records
keep theirs (a search whose filter names ``deletedAt`` sees the trash). ``core_app_searchfield``
lists the fields whose tokens are present, so a data-model change knows what to add or drop
(:func:`core_app.store.maintenance.sync_search`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from core_app.store.sql import Dialect, in_list, insert_rows, write
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = [
    "MAX_TOKEN_LENGTH",
    "SEARCHABLE_TYPES",
    "TOKENIZED_TYPES",
    "SearchFields",
    "delete_tokens",
    "normalize",
    "search_fields",
    "successor",
    "write_tokens",
]

#: Types a client may mark ``isSearchable`` (api-reference §13.2).
SEARCHABLE_TYPES: Final = frozenset({"TEXT", "FULL_NAME", "EMAILS", "PHONES", "LINKS"})
#: Types the tokenizer reads: the searchable ones, and rich text for Twenty's default search
#: fields of notes and tasks (``bodyV2``), which are searchable from the start.
TOKENIZED_TYPES: Final = SEARCHABLE_TYPES | {"RICH_TEXT_V2"}
#: Tokens (and query words) are cut to this many characters: B-tree entries stay small, and a cut
#: word still matches the tokens it is a prefix of (both sides are cut alike).
MAX_TOKEN_LENGTH: Final = 64
#: Distinct tokens kept per record and field (a long note body), so a write's cost stays bounded.
MAX_TOKENS_PER_FIELD: Final = 500
#: Which parts of a composite value are searched (lists: every string, or each item's listed keys).
COMPOSITE_PARTS: Final[Mapping[str, tuple[str, ...]]] = {
    "FULL_NAME": ("firstName", "lastName"),
    "EMAILS": ("primaryEmail", "additionalEmails"),
    "PHONES": ("primaryPhoneCallingCode", "primaryPhoneNumber", "additionalPhones"),
    "LINKS": ("primaryLinkLabel", "primaryLinkUrl", "secondaryLinks"),
    "RICH_TEXT_V2": ("markdown",),
}
LIST_ITEM_KEYS: Final = ("callingCode", "number", "label", "url")
SPLIT: Final = re.compile(r"[\W_]+")
TOKEN_COLUMNS: Final = (
    ("workspace_id", "uuid"),
    ("object_id", "uuid"),
    ("record_id", "uuid"),
    ("field_id", "uuid"),
    ("token", "text"),
    ("document", "text"),
)


def normalize(text: str) -> list[str]:
    """The tokens of ``text``, in order: lower-cased, accents removed, split on non-alphanumerics."""
    if text.isascii():
        # ASCII has neither decompositions nor combining marks: the same tokens, without a
        # Python step per character (a tenth of a 60-record batch create's CPU).
        folded = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return [word[:MAX_TOKEN_LENGTH] for word in SPLIT.split(folded) if word]


def successor(word: str) -> str:
    """The smallest text after every text starting with ``word`` (UTF-8 byte order is code point order)."""
    return word[:-1] + chr(ord(word[-1]) + 1)


def strings_of(value: Any) -> Iterable[str]:
    """The strings of one part of a value: itself, the items of a list, or listed keys of list items."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item
            elif isinstance(item, Mapping):
                yield from (item[key] for key in LIST_ITEM_KEYS if isinstance(item.get(key), str))


def field_text(field: FieldSpec, data: Mapping[str, Any]) -> list[str]:
    """The tokens of one search field of a record, in order."""
    value = data.get(field.storage_key)
    parts = COMPOSITE_PARTS.get(field.type)
    if parts is None:
        texts: Iterable[str] = strings_of(value)
    elif isinstance(value, Mapping):
        texts = (text for part in parts for text in strings_of(value.get(part)))
    else:
        texts = ()
    return [token for text in texts for token in normalize(text)]


@dataclass(frozen=True)
class SearchFields:
    """The search fields of one object (empty when the object is not searchable)."""

    object_id: str
    fields: tuple[FieldSpec, ...]
    label_field_id: str | None

    def documents(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Each search field's tokens joined by spaces (fields without a token left out)."""
        found = {}
        for field in self.fields:
            tokens = field_text(field, data)
            if tokens:
                found[field.id] = " ".join(tokens)
        return found

    def vector(self, data: Mapping[str, Any]) -> str:
        """The record's ``searchVector`` (api-reference §13.2, "our token list as one string"): the
        documents of its search fields, in the object's field order, joined by single spaces ('' without any).

        The very documents the index holds for the record (:meth:`rows`), so it reads as the search sees it.
        """
        return " ".join(self.documents(data).values())

    def rows(self, record_id: str, data: Mapping[str, Any]) -> list[tuple[str, str, str, str | None]]:
        """``(record, field, token, document)`` rows of a record: a document row and its distinct tokens per field."""
        out: list[tuple[str, str, str, str | None]] = []
        for field_id, document in self.documents(data).items():
            out.append((record_id, field_id, "", document))
            distinct = sorted(set(document.split(" ")))[:MAX_TOKENS_PER_FIELD]
            out += [(record_id, field_id, token, None) for token in distinct]
        return out


def search_fields(spec: ObjectSpec) -> SearchFields:
    """The search fields of ``spec``: its fields marked ``isSearchable`` of a tokenized type, when the object is searchable."""
    if not spec.is_searchable:
        return SearchFields(spec.id, (), spec.label_identifier_field_id)
    fields = tuple(f for f in spec.fields if f.is_searchable and f.type in TOKENIZED_TYPES)
    return SearchFields(spec.id, fields, spec.label_identifier_field_id)


def write_tokens(
    d: Dialect, workspace_id: str, object_id: str, rows: Sequence[tuple[str, str, str, str | None]]
) -> None:
    """Insert token rows of records of one object (one statement; in primary-key order, as writers lock)."""
    ws, obj = d.uuid_in(workspace_id), d.uuid_in(object_id)
    ordered = sorted(rows, key=lambda r: (r[0], r[1], r[2]))
    insert_rows(
        "core_app_searchtoken",
        TOKEN_COLUMNS,
        [(ws, obj, d.uuid_in(record), d.uuid_in(field), token, document) for record, field, token, document in ordered],
    )


def delete_tokens(d: Dialect, workspace_id: str, record_ids: Sequence[str]) -> None:
    """Remove every token row of these records."""
    if record_ids:
        write(
            "core_app_searchtoken",
            f"DELETE FROM core_app_searchtoken WHERE workspace_id = %s AND record_id IN {in_list(len(record_ids))}",
            [d.uuid_in(workspace_id), *(d.uuid_in(i) for i in sorted(record_ids))],
        )
