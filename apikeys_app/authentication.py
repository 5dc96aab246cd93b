"""One authenticator for every API: ``Authorization: Bearer <token>`` -> API key -> workspace and role.

:func:`authenticate_header` is the shared core (REST and GraphQL both call it); it raises
:class:`AuthenticationError` with a message that says what is wrong with the key. The key it
returns carries ``permissions``: what its role grants (``roles_app.permissions``).
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api_common.errors import Unauthenticated
from apikeys_app import key_cache
from apikeys_app.models import ApiKey
from apikeys_app.tokens import digest, split_token
from roles_app.permissions import permissions_for

__all__ = [
    "ApiKeyAuthentication",
    "ApiKeyPrincipal",
    "AuthenticationError",
    "authenticate_header",
    "register_workspace_fact",
]

#: ``last_used_at`` is written at most this often per key, to keep reads free of writes.
LAST_USED_RESOLUTION = timedelta(seconds=60)


class AuthenticationError(Unauthenticated):
    """The request carries no usable API key; ``message`` says why (401 / ``UNAUTHENTICATED``)."""


class ApiKeyPrincipal:
    """The authenticated caller: an API key acting for its workspace."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.workspace = api_key.workspace

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"


def authenticate_header(header: str | None, request: Any = None) -> ApiKey:
    """Return the active API key named by an ``Authorization`` header value (workspace loaded).

    ``request`` (the Django request) is handed to the work that rides with the key's check in
    Redis (:func:`apikeys_app.key_cache.read_with`).
    """
    if not header:
        raise AuthenticationError("Missing Authorization header. Send 'Authorization: Bearer <API key>'.")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("Malformed Authorization header. Expected 'Bearer <API key>'.")
    parts = split_token(token)
    if parts is None:
        raise AuthenticationError("Malformed API key. Keys look like 'crm_<16 hex characters>_<secret>'.")
    key_id, secret = parts
    api_key = read_key(key_id, secret, request)
    refusal = "Unknown API key." if api_key is None else refusal_of(api_key, secret)
    if refusal is not None:
        raise AuthenticationError(refusal)
    assert api_key is not None
    touch(api_key)
    return api_key


def refusal_of(api_key: ApiKey, secret: str) -> str | None:
    """Why ``api_key`` does not let ``secret`` in, or None when it does."""
    if not hmac.compare_digest(api_key.digest, digest(secret)) or api_key.deleted_at:
        return "Unknown API key."
    if api_key.revoked_at is not None:
        return "This API key has been revoked."
    if api_key.is_expired:
        return "This API key has expired."
    return None


def read_key(key_id: str, secret: str, request: Any) -> ApiKey | None:
    """The API key ``key_id``: from this process's kept row when Redis confirms it in one round trip, else :func:`load_key`.

    The kept row is checked first: only a key it lets in goes on (a refusal goes the usual way,
    the generation read alone and the database when it moved, so a stale row never refuses, and a
    made-up secret never spends the key's rate limit). Then the generation is read together with the rider's work (the rate limit's take,
    ``key_cache.read_with``); a generation other than the row's sends the request to the database,
    under the generation just read.
    """
    entry = key_cache.kept_row(key_id)
    if entry is not None:
        read_under, row = entry
        api_key = key_from_row(key_id, row)
        if refusal_of(api_key, secret) is None:
            current = key_cache.read_with(api_key, request)
            if current is not None and current == read_under:
                return api_key
            return load_key(key_id, current)
    return load_key(key_id, key_cache.generation())  # read before the database: see key_cache


#: The key, its workspace and its role's version in one statement. Every API request runs it, so it
#: is plain SQL: the ORM's query building costs several times the query itself (0.6 ms against
#: 0.16 ms of CPU). A key without a role holds the workspace's default role.
KEY_QUERY = (
    "SELECT k.id, k.name, k.digest, k.last4, k.expires_at, k.revoked_at, k.last_used_at, k.deleted_at, "
    "k.created_at, k.updated_at, w.id, w.display_name, w.metadata_version, w.created_at, w.updated_at, "
    "r.id, r.version{facts} "
    "FROM apikeys_app_apikey k JOIN metadata_app_workspace w ON w.id = k.workspace_id "
    "LEFT JOIN roles_app_role r ON r.id = COALESCE(k.role_id, w.default_role_id) WHERE k.key_id = %s"
)

#: Facts about the key's workspace that other apps read in the key's statement, instead of a
#: statement of their own per request: ``attribute -> SQL expression over the workspace row w``.
#: Each is set on the loaded workspace as that attribute. Apps register theirs in ``ready()``
#: (this app imports none of them).
WORKSPACE_FACTS: dict[str, str] = {}


def register_workspace_fact(attribute: str, sql: str, read_from: Sequence[type[Model]]) -> None:
    """Read ``sql`` (an expression over the workspace row ``w``) with every key, as ``workspace.<attribute>``.

    ``read_from``: the models whose rows ``sql`` reads; a save or delete of one makes every process
    read its keys again (:func:`apikeys_app.key_cache.watch`).
    """
    WORKSPACE_FACTS[attribute] = sql
    key_query.cache_clear()
    key_cache.watch(*read_from)


@cache
def key_query() -> str:
    """``KEY_QUERY`` with the registered workspace facts as its last columns (built once, not per request)."""
    return KEY_QUERY.format(facts="".join(f", {sql}" for sql in WORKSPACE_FACTS.values()))


KEY_FIELDS = [
    "id", "workspace_id", "name", "key_id", "digest", "last4", "expires_at", "revoked_at", "last_used_at",
    "deleted_at", "created_at", "updated_at",
]  # fmt: skip
WORKSPACE_FIELDS = ["id", "display_name", "metadata_version", "created_at", "updated_at"]


def as_uuid(value: Any) -> uuid.UUID:
    """A UUID column as read (a UUID on PostgreSQL, 32 hex digits on SQLite)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_instant(value: Any) -> datetime | None:
    """A timestamp column as read, timezone-aware (SQLite gives naive UTC or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def api_key_of(request: Request) -> ApiKey:
    """The API key a request was authenticated with (DRF keeps it as ``request.auth``)."""
    return cast(ApiKey, request.auth)


def load_key(key_id: str, current: bytes | None) -> ApiKey | None:
    """The API key ``key_id`` with its workspace loaded (as the ORM would load them), or None.

    The statement's row comes from this process's memory while nothing it was read from has
    changed (:mod:`apikeys_app.key_cache`); the objects are built anew for every request.
    ``current``: the generation, read just before (None: keep nothing).
    """
    row = key_cache.kept(key_id, current)
    if row is None:
        with connection.cursor() as cursor:
            cursor.execute(key_query(), [key_id])
            row = cursor.fetchone()
        if row is None:
            return None
        key_cache.keep(key_id, current, row)
    return key_from_row(key_id, row)


def key_from_row(key_id: str, row: Sequence[Any]) -> ApiKey:
    """The API key (workspace and permissions set) of a row of :func:`key_query`."""
    workspace_id = as_uuid(row[10])
    api_key = ApiKey.from_db(
        DEFAULT_DB_ALIAS,
        KEY_FIELDS,
        [as_uuid(row[0]), workspace_id, row[1], key_id, row[2], row[3], *(as_instant(v) for v in row[4:10])],
    )
    # The Workspace model without importing metadata_app (this app depends on no other).
    workspace_model = ApiKey._meta.get_field("workspace").related_model
    api_key.workspace = workspace_model.from_db(  # type: ignore[union-attr,assignment]
        DEFAULT_DB_ALIAS,
        WORKSPACE_FIELDS,
        [workspace_id, row[11], row[12], as_instant(row[13]), as_instant(row[14])],
    )
    for attribute, value in zip(WORKSPACE_FACTS, row[17:], strict=True):
        setattr(api_key.workspace, attribute, value)
    # Compiled once per role version per process (roles_app.permissions): no further query.
    api_key.permissions = permissions_for(as_uuid(row[15]) if row[15] is not None else None, row[16])
    return api_key


def touch(api_key: ApiKey) -> None:
    """Record the key's use, at most once per ``LAST_USED_RESOLUTION``."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
        key_cache.forget(api_key.key_id)  # the kept row holds the old time: read it again, once


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """DRF authentication through :func:`authenticate_header`; every failure is a 401."""

    def authenticate(self, request: Any) -> tuple[ApiKeyPrincipal, ApiKey]:
        try:
            api_key = authenticate_header(request.META.get("HTTP_AUTHORIZATION"), request._request)
        except AuthenticationError as error:
            raise exceptions.AuthenticationFailed(error.message) from None
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request: Any) -> str:
        return "Bearer"
