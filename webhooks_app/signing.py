"""Webhook signatures, as Twenty receivers check them (api-reference.md, section 6.4).

The signed string is ``"{timestamp}:{body}"``: the timestamp header's value (milliseconds since
the epoch), a colon, and the exact bytes of the request body. A receiver checks::

    expected = hmac.new(secret.encode(), f"{timestamp}:{raw_body.decode()}".encode(), hashlib.sha256).hexdigest()
    hmac.compare_digest(expected, request.headers["X-Twenty-Webhook-Signature"])
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

__all__ = [
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "new_secret",
    "sign",
    "signature_headers",
    "signed_message",
    "verify",
]

SIGNATURE_HEADER = "X-Twenty-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twenty-Webhook-Timestamp"
NONCE_HEADER = "X-Twenty-Webhook-Nonce"


def new_secret() -> str:
    """A webhook secret as Twenty generates one: 32 random bytes as 64 hex characters."""
    return secrets.token_hex(32)


def signed_message(timestamp: str, body: bytes) -> bytes:
    """The bytes that are signed: ``{timestamp}:{body}``."""
    return timestamp.encode("ascii") + b":" + body


def sign(message: bytes, secret: str) -> str:
    """Return the lowercase hex HMAC-SHA256 of ``message`` keyed with ``secret``."""
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_headers(
    body: bytes, secret: str, timestamp_ms: int | None = None, nonce: str | None = None
) -> dict[str, str]:
    """The timestamp, nonce and signature headers for sending ``body`` (the exact bytes sent)."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else time.time_ns() // 1_000_000)
    return {
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce if nonce is not None else secrets.token_hex(16),
        SIGNATURE_HEADER: sign(signed_message(timestamp, body), secret),
    }


def verify(body: bytes, secret: str, timestamp: str, signature: str) -> bool:
    """True when ``signature`` is the signature of ``body`` sent at ``timestamp`` (constant time)."""
    return hmac.compare_digest(sign(signed_message(timestamp, body), secret), signature)
