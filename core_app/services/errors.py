"""Errors of the record service: ``api_common.errors.ApiError`` subclasses, so each API style
answers them once (REST 400/404 in the error format, GraphQL ``BAD_USER_INPUT``/``NOT_FOUND``)."""

from __future__ import annotations

from api_common.errors import BadRequest, Conflict, NotFound

__all__ = ["DataModelChanged", "InvalidRecordInput", "RecordError", "RecordNotFound"]


class RecordError(BadRequest):
    """A refused record operation: one or more ``messages`` (400 unless a subclass says otherwise)."""


class InvalidRecordInput(RecordError):
    """Bad input: unknown fields, wrong types, missing required values, broken links, duplicates."""


class RecordNotFound(NotFound, RecordError):
    """No record with that id in this object of this workspace (404)."""


class DataModelChanged(Conflict):
    """409: the workspace's data model changed while a write was being prepared; nothing was written.

    The request was checked against the model as it was when its key was read; writing under it
    would skip what the new model asks of every record (an index row, a unique value...).
    """

    def __init__(self) -> None:
        super().__init__(
            "The workspace's data model changed while this request was being handled; nothing was written. "
            "Send the request again."
        )
