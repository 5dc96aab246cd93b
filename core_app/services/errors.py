"""Errors of the record service, translated to HTTP/GraphQL errors at the edges."""

from __future__ import annotations

__all__ = ["InvalidRecordInput", "RecordError", "RecordNotFound"]


class RecordError(Exception):
    """A refused record operation: ``status`` (HTTP) and one or more ``messages``."""

    status = 400

    def __init__(self, *messages: str) -> None:
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)


class InvalidRecordInput(RecordError):
    """Bad input: unknown fields, wrong types, missing required values, broken links, duplicates."""


class RecordNotFound(RecordError):
    """No record with that id in this object of this workspace."""

    status = 404
