"""Token generation and verification, NetBox-v2 style: ``crm_<key id>_<secret>``.

Only ``hmac_sha256(pepper, secret)`` is stored; verification looks the key up by its id and
compares digests in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

__all__ = ["TOKEN_PREFIX", "NewToken", "digest", "new_token", "split_token"]

TOKEN_PREFIX = "crm"


@dataclass(frozen=True)
class NewToken:
    """A freshly generated token and the parts stored about it."""

    token: str
    key_id: str
    digest: str
    last4: str


def pepper() -> bytes:
    """The key of the digest: ``API_KEY_PEPPER`` if set, else ``SECRET_KEY``.

    Read at each use, never at import, so a test or a settings override sees its own value.
    Every stored digest depends on it: changing it invalidates every token.
    """
    return (getattr(settings, "API_KEY_PEPPER", None) or settings.SECRET_KEY).encode()


def digest(secret: str) -> str:
    """Return the hex keyed digest of a token's secret part."""
    return hmac.new(pepper(), secret.encode(), hashlib.sha256).hexdigest()


def new_token() -> NewToken:
    """Generate a random token (about 240 bits of secret)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(30)
    return NewToken(token=f"{TOKEN_PREFIX}_{key_id}_{secret}", key_id=key_id, digest=digest(secret), last4=secret[-4:])


def split_token(token: str) -> tuple[str, str] | None:
    """Return ``(key_id, secret)`` of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 16 or not parts[2]:
        return None
    return parts[1], parts[2]
