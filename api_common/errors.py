"""One exception hierarchy for every refusal of the API, translated once per API style.

The class of an error carries what each API style needs: the HTTP ``status``, the ``error_name``
of the REST body and the GraphQL ``code``; the instance carries the ``messages``. Services,
parsers and views raise a subclass; nothing else decides a status::

    raise NotFound(f"No webhook {webhook_id}")       # REST 404 NotFoundException, GraphQL NOT_FOUND

Translations, one per API style:

- REST: ``api_common.rest.exception_handler`` answers ``{"statusCode", "error", "messages"}``;
- GraphQL: ``api_common.graphql_errors`` builds ``errors[]`` entries with ``extensions.code``
  and ``extensions.userFriendlyMessage``.

Exceptions of Django (``ValidationError``, ``Http404``), DRF and the database (a lost connection,
a cancelled statement: :func:`database_refusal`, 503) are mapped onto the hierarchy by
:func:`as_api_error`, the one place that knows them; anything it does not know is a bug of ours
and answers 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connection
from django.db import utils as db_utils
from django.http import Http404
from rest_framework import exceptions as drf_exceptions

__all__ = [
    "ERROR_NAMES",
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "Gone",
    "InternalError",
    "MethodNotAllowed",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthenticated",
    "UnprocessableContent",
    "as_api_error",
    "database_refusal",
    "status_name",
    "validation_messages",
]

#: Twenty's exception names by HTTP status, for statuses without a class of their own (DRF's).
ERROR_NAMES = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    406: "NotAcceptableException",
    409: "ConflictException",
    412: "PreconditionFailedException",
    413: "PayloadTooLargeException",
    415: "UnsupportedMediaTypeException",
    422: "UnprocessableEntityException",
    429: "TooManyRequestsException",
    503: "ServiceUnavailableException",
}


def status_name(status: int) -> str:
    """The exception name Twenty gives ``status`` (api-reference 1.7)."""
    return ERROR_NAMES.get(status, "InternalServerErrorException" if status >= 500 else "BadRequestException")


#: Seconds a client should wait before retrying a request the database could not answer.
RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = "The database is unavailable right now; try again in a few seconds"
STATEMENT_CANCELLED = (
    "The database took too long answering this request and cancelled it; narrow the filter or try again"
)
#: SQLSTATE classes of PostgreSQL meaning "not now" rather than "wrong": connection exceptions,
#: insufficient resources, operator intervention (shutdown, cancel), system errors.
UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})
#: SQLite's primary result codes meaning the same: busy, locked, I/O error, full, cannot open, protocol.
UNAVAILABLE_SQLITE_CODES = frozenset({5, 6, 10, 13, 14, 15})
QUERY_CANCELED, SQLITE_INTERRUPT = "57014", 9


class ApiError(Exception):
    """A refusal the client can act on: ``messages`` say what to fix; the class says how to answer.

    Raise a subclass; ``ApiError`` itself answers like :class:`BadRequest`.
    """

    status: int = 400
    error_name: str = "BadRequestException"
    code: str = "BAD_USER_INPUT"
    #: GraphQL's ``extensions.userFriendlyMessage``; None: the message itself.
    user_message: str | None = None
    #: Further GraphQL ``extensions`` of this kind of error (e.g. Twenty's ``subCode``).
    extensions: dict[str, str] = {}

    def __init__(self, *messages: str) -> None:
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)

    @property
    def message(self) -> str:
        """The messages as one text (GraphQL's ``message``)."""
        return self.messages[0] if len(self.messages) == 1 else "; ".join(self.messages)

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries."""
        return {}

    @classmethod
    def for_status(cls, status: int, *messages: str) -> ApiError:
        """An error answered with ``status``: its class when there is one, else a plain ``ApiError``."""
        for kind in (
            BadRequest,
            Unauthenticated,
            Forbidden,
            NotFound,
            MethodNotAllowed,
            PayloadTooLarge,
            InternalError,
        ):
            if kind.status == status:
                return kind(*messages)
        error = ApiError(*messages)
        error.status, error.error_name = status, status_name(status)
        return error


class BadRequest(ApiError):
    """400: the input is wrong; nothing was done."""


class Unauthenticated(ApiError):
    """401: no usable API key; the message says what is wrong with it."""

    status = 401
    error_name = "UnauthorizedException"
    code = "UNAUTHENTICATED"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(ApiError):
    """403: the key may not do this."""

    status = 403
    error_name = "ForbiddenException"
    code = "FORBIDDEN"


class NotFound(ApiError):
    """404: no such record or resource in this workspace."""

    status = 404
    error_name = "NotFoundException"
    code = "NOT_FOUND"


class MethodNotAllowed(ApiError):
    """405: this path does not take this method; ``allow`` (the ``Allow`` header) names those it takes."""

    status = 405
    error_name = "MethodNotAllowedException"
    code = "METHOD_NOT_ALLOWED"

    def __init__(self, *messages: str, allow: str | None = None) -> None:
        super().__init__(*messages)
        self.allow = allow

    @property
    def headers(self) -> dict[str, str]:
        return {"Allow": self.allow} if self.allow else {}


class PayloadTooLarge(ApiError):
    """413: the body is over ``MAX_REQUEST_BODY_BYTES``; it was not read (or not past the limit)."""

    status = 413
    error_name = "PayloadTooLargeException"
    code = "BAD_USER_INPUT"


class LengthRequired(ApiError):
    """411: a chunked body the server in front cannot read to its end (it would be taken for empty)."""

    status = 411
    error_name = "LengthRequiredException"
    code = "BAD_USER_INPUT"


class Gone(ApiError):
    """410: what the request points at is past its retention (an event feed cursor older than the kept events)."""

    status = 410
    error_name = "GoneException"
    code = "GONE"


class Conflict(ApiError):
    """409: the request clashes with one still running (a repeated ``Idempotency-Key``); retry after it."""

    status = 409
    error_name = "ConflictException"
    code = "CONFLICT"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class PreconditionFailed(ApiError):
    """412: an ``If-Match`` condition does not hold (the record changed since it was read); nothing was written."""

    status = 412
    error_name = "PreconditionFailedException"
    code = "PRECONDITION_FAILED"


class UnprocessableContent(ApiError):
    """422: well-formed, but cannot be done as asked (an ``Idempotency-Key`` reused for another request)."""

    status = 422
    error_name = "UnprocessableEntityException"
    code = "UNPROCESSABLE_CONTENT"


class TooManyRequests(ApiError):
    """429: over a rate limit; ``Retry-After`` says in how many seconds a request is allowed again. Nothing was done."""

    status = 429
    error_name = "TooManyRequestsException"
    code = "TOO_MANY_REQUESTS"

    def __init__(self, *messages: str, retry_after: int = 1) -> None:
        super().__init__(*messages)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(ApiError):
    """503: the database cannot answer now; ``Retry-After`` says when to try again. Never a bug of ours."""

    status = 503
    error_name = "ServiceUnavailableException"
    code = "SERVICE_UNAVAILABLE"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}


class InternalError(ApiError):
    """500: a bug of ours. Its message never shows details."""

    status = 500
    error_name = "InternalServerErrorException"
    code = "INTERNAL_SERVER_ERROR"


def database_refusal(exc: BaseException) -> ServiceUnavailable | None:
    """``exc`` as a 503 when it says the database cannot answer now, else None.

    PostgreSQL tells by SQLSTATE; an error psycopg raises itself has none, and is a lost database
    only when the connection is gone (else it is a misuse: too many parameters...). SQLite tells
    by result code. Other database errors (a syntax error, a missing column, too many columns)
    are bugs of ours and stay 500s.
    """
    if not isinstance(exc, (db_utils.OperationalError, db_utils.InterfaceError)):
        return None
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    sqlite_code = getattr(cause, "sqlite_errorcode", None)
    if sqlstate == QUERY_CANCELED or (sqlite_code is not None and sqlite_code & 0xFF == SQLITE_INTERRUPT):
        return ServiceUnavailable(STATEMENT_CANCELLED)
    if sqlite_code is not None:
        return ServiceUnavailable(DATABASE_UNAVAILABLE) if sqlite_code & 0xFF in UNAVAILABLE_SQLITE_CODES else None
    if sqlstate is not None:
        return ServiceUnavailable(DATABASE_UNAVAILABLE) if sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES else None
    return ServiceUnavailable(DATABASE_UNAVAILABLE) if connection_lost() else None


def connection_lost() -> bool:
    """True when the default database connection could not be opened, or has been closed or broken under us."""
    raw = connection.connection
    return raw is None or bool(getattr(raw, "closed", False)) or bool(getattr(raw, "broken", False))


def validation_messages(error: ValidationError) -> list[str]:
    """Flatten a Django ``ValidationError`` into a list of readable messages."""
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {msg}" if field != "__all__" else msg
            for field, msgs in error.message_dict.items()
            for msg in msgs
        ]
    return list(error.messages)


def drf_messages(detail: Any) -> list[str]:
    """Flatten DRF error details (str, list or dict) into messages."""
    if isinstance(detail, dict):
        return [f"{key}: {msg}" for key, value in detail.items() for msg in drf_messages(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in drf_messages(item)]
    return [str(detail)]


def as_api_error(exc: BaseException) -> ApiError | None:
    """``exc`` as an :class:`ApiError`, or None when it is not a refusal but a bug (a 500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ValidationError):
        return BadRequest(*validation_messages(exc))
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return NotFound(str(exc) or "Not found")
    if isinstance(exc, (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed)):
        return Unauthenticated(*drf_messages(exc.detail))
    if isinstance(exc, drf_exceptions.APIException):
        return ApiError.for_status(exc.status_code, *drf_messages(exc.detail))
    return database_refusal(exc)
