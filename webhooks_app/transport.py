"""One HTTP POST to a webhook's target: 5 s timeout for the whole call, no redirects, SSRF guard.

The guard resolves the host once, refuses the call when any address it resolves to is not a
public one (private, loopback, link-local, shared, reserved, multicast...), then connects to
an address it checked: a second DNS answer cannot point the call elsewhere (DNS rebinding).
TLS still verifies the certificate against the host name. Redirects are never followed: a 3xx
is an answer like any other non-2xx, and the delivery is retried. Credentials in the URL
(``https://user:password@host/``) are sent as HTTP Basic authentication.

:func:`post` never raises for network problems; it returns an :class:`Outcome` saying what
happened, for the delivery log.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from webhooks_app import conf

__all__ = ["BLOCKED_MESSAGE", "BlockedTarget", "Outcome", "check_host", "is_public_address", "post"]

BLOCKED_MESSAGE = "Webhook URL resolves to a private/internal IP address"
#: Bytes of an answer read at most (the log keeps an excerpt of them).
MAX_RESPONSE_BYTES = 64 * 1024


class BlockedTarget(Exception):
    """The target is a private or internal address and the SSRF guard is on."""


@dataclass(frozen=True)
class Outcome:
    """What one call gave: a status and an answer excerpt, or an error; and how long it took."""

    status_code: int | None
    response_excerpt: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        """True for a 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def literal_address(name: str) -> str | None:
    """The address ``name`` writes literally, or None for a host name.

    Besides the usual forms, IPv4 in the shorthand and numeric forms resolvers and URL parsers
    accept (``127.1``, ``0x7f000001``, ``2130706433``, ``017700000001``, ``0``), which
    ``ipaddress`` does not read.
    """
    try:
        return str(ipaddress.ip_address(name.split("%", 1)[0]))
    except ValueError:
        pass
    if name and all(part.isalnum() for part in name.split(".")) and name.split(".")[-1][:1].isdigit():
        try:
            return socket.inet_ntoa(socket.inet_aton(name))
        except OSError:
            return None
    return None


def check_host(host: str) -> None:
    """Refuse a host that is literally a non-public address or ``localhost`` (no DNS lookup)."""
    if conf.allow_private_targets():
        return
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise BlockedTarget(BLOCKED_MESSAGE)
    address = literal_address(name)
    if address is not None and not is_public_address(address):
        raise BlockedTarget(BLOCKED_MESSAGE)


def resolve(host: str, port: int) -> list[tuple[int, tuple[Any, ...]]]:
    """``(family, sockaddr)`` of every address of ``host``, all checked by the SSRF guard."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"Cannot resolve {host}: {error.strerror or error}") from None
    addresses: list[tuple[int, tuple[Any, ...]]] = [(family, sockaddr) for family, _, _, _, sockaddr in infos]
    if not conf.allow_private_targets() and any(not is_public_address(str(sockaddr[0])) for _, sockaddr in addresses):
        raise BlockedTarget(BLOCKED_MESSAGE)
    return addresses


class PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to an address resolved and checked beforehand."""

    def __init__(
        self, host: str, port: int, deadline: float, addresses: list[tuple[int, tuple]], tls: ssl.SSLContext | None
    ) -> None:
        super().__init__(host, port, timeout=max(0.001, deadline - time.monotonic()))
        self.deadline = deadline
        self.addresses = addresses
        self.tls = tls
        #: The TCP socket under any TLS, for :meth:`abort` (an SSL object is not for two threads).
        self.raw: socket.socket | None = None
        # The Host header leaves out the port only when it is the scheme's default.
        self.default_port = 443 if tls else 80

    def connect(self) -> None:
        last_error: OSError | None = None
        for family, sockaddr in self.addresses:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out")
            sock = socket.socket(family, socket.SOCK_STREAM)
            self.raw = sock
            try:
                sock.settimeout(remaining)
                sock.connect(sockaddr)
            except OSError as error:
                sock.close()
                last_error = error
                continue
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host) if self.tls else sock
            return
        raise last_error or OSError("No address to connect to")

    def abort(self) -> None:
        """Cut the connection from another thread: what it is reading or writing fails at once."""
        if self.raw is not None:
            with contextlib.suppress(OSError):
                self.raw.shutdown(socket.SHUT_RDWR)


def excerpt(raw: bytes) -> str:
    """The first characters of an answer, decoded leniently."""
    return raw.decode("utf-8", errors="replace")[: conf.RESPONSE_EXCERPT_CHARS]


def read_body(response: http.client.HTTPResponse, deadline: float, connection: PinnedConnection) -> bytes:
    """Read at most ``MAX_RESPONSE_BYTES`` of the answer before ``deadline``."""
    chunks, size = [], 0
    while size < MAX_RESPONSE_BYTES:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out")
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = response.read1(MAX_RESPONSE_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float | None = None) -> Outcome:
    """POST ``body`` to ``url`` with ``headers``; return what happened (never raises on I/O)."""
    timeout = conf.timeout() if timeout is None else timeout
    started = time.monotonic()
    deadline = started + timeout

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    connection: PinnedConnection | None = None
    # Socket timeouts bound each read, not the call: an answer trickled a byte at a time would
    # hold the worker past the timeout (and past the sweep that hands the delivery to another
    # worker). At the deadline the watchdog cuts the connection.
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        if connection is not None:
            connection.abort()

    watchdog = threading.Timer(timeout, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Outcome(None, "", "Invalid URL scheme. Only HTTP and HTTPS are allowed.", elapsed())
        tls = ssl.create_default_context() if parts.scheme == "https" else None
        port = parts.port or (443 if tls else 80)
        check_host(parts.hostname)
        addresses = resolve(parts.hostname, port)
        connection = PinnedConnection(parts.hostname, port, deadline, addresses, tls)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers={**headers, **basic_auth(parts)})
        if connection.sock is not None:
            connection.sock.settimeout(max(0.001, deadline - time.monotonic()))
        response = connection.getresponse()
        raw = read_body(response, deadline, connection)
        return Outcome(response.status, excerpt(raw), "", elapsed())
    except BlockedTarget as error:
        return Outcome(None, "", str(error), elapsed())
    except (OSError, http.client.HTTPException, ValueError) as error:
        if expired.is_set() or isinstance(error, TimeoutError):
            return Outcome(None, "", f"Timed out after {timeout:g} s", elapsed())
        if isinstance(error, ssl.SSLError):
            return Outcome(None, "", f"TLS error: {error}", elapsed())
        # ValueError: a URL HTTP cannot send (UnicodeEncodeError, a port out of range...).
        return Outcome(None, "", f"{type(error).__name__}: {error}", elapsed())
    finally:
        watchdog.cancel()
        if connection is not None:
            connection.close()


def basic_auth(parts: SplitResult) -> dict[str, str]:
    """``Authorization: Basic ...`` from the URL's ``user:password@``, as HTTP clients send it."""
    if parts.username is None:
        return {}
    credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return {"Authorization": "Basic " + base64.b64encode(credentials).decode()}
