"""Errors of the record service: ``api_common.errors.ApiError`` subclasses, so each API style
answers them once (REST 400/404 in the error format, GraphQL ``BAD_USER_INPUT``/``NOT_FOUND``)."""

from __future__ import annotations

from api_common.errors import BadRequest, NotFound

__all__ = ["InvalidRecordInput", "RecordError", "RecordNotFound"]


class RecordError(BadRequest):
    """A refused record operation: one or more ``messages`` (400 unless a subclass says otherwise)."""


class InvalidRecordInput(RecordError):
    """Bad input: unknown fields, wrong types, missing required values, broken links, duplicates."""


class RecordNotFound(NotFound, RecordError):
    """No record with that id in this object of this workspace (404)."""
