"""What `kg serve` allows and how much: its settings, the SERVICE allow-list entries, and the
error every part of the endpoint raises to answer a request with an HTTP status."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

from kg.base.errors import KgError

#: The port a SERVICE IRI without one reaches, by scheme (the only schemes Oxigraph calls).
DEFAULT_PORTS = {"http": 80, "https": 443}

_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])"
_HOST_AND_PORT = re.compile(rf"(?P<host>{_HOST})(?::(?P<port>[0-9]{{1,5}}))?")


@dataclass(frozen=True)
class AllowedService:
    """One ``--allow-service`` entry: a host and a port.

    A bare host (no port) allows that host on its scheme's default port only: 80 for
    ``http://``, 443 for ``https://``. Hosts are compared as written, after lower-casing: an
    entry ``127.0.0.1`` does not allow ``localhost`` or ``127.1``.
    """

    host: str
    port: int | None = None

    def allows(self, scheme: str, host: str, port: int | None) -> bool:
        effective = port if port is not None else DEFAULT_PORTS.get(scheme)
        wanted = self.port if self.port is not None else DEFAULT_PORTS.get(scheme)
        return host == self.host and effective is not None and effective == wanted

    def __str__(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


def parse_allowed_service(text: str) -> AllowedService:
    """``host`` or ``host:port`` (IPv6 in brackets) -> an :class:`AllowedService`.

    Example:
        >>> parse_allowed_service("Query.Wikidata.org")
        AllowedService(host='query.wikidata.org', port=None)
        >>> parse_allowed_service("127.0.0.1:8080")
        AllowedService(host='127.0.0.1', port=8080)

    Raises:
        KgError: not a host name, an IPv4 or a bracketed IPv6 address with an optional port.
    """
    match = _HOST_AND_PORT.fullmatch(text.strip())
    port = int(match.group("port")) if match and match.group("port") else None
    if match is None or (port is not None and not 0 < port < 65536):
        raise KgError(f"--allow-service {text!r}: give HOST or HOST:PORT (IPv6 as [ADDRESS]:PORT)")
    return AllowedService(match.group("host").lower(), port)


def valid_host_header(value: str) -> bool:
    """Whether an HTTP ``Host`` header is a host name or address with an optional port."""
    return _HOST_AND_PORT.fullmatch(value) is not None


def served_host(value: str, bound: str) -> bool:
    """Whether a ``Host`` header names this server: an IP address (it is reached by address),
    ``localhost``, or the host it was told to listen on. A page reached through any other name
    may be a DNS rebinding attack (a site whose name now points at 127.0.0.1).

    Example:
        >>> served_host("127.0.0.1:7879", "127.0.0.1"), served_host("evil.example:7879", "127.0.0.1")
        (True, False)
    """
    import ipaddress

    match = _HOST_AND_PORT.fullmatch(value)
    if match is None:
        return False
    host = match["host"].lower()
    if host in ("localhost", bound.lower()):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@dataclass
class EndpointSettings:
    """How `kg serve` runs.

    Attributes:
        files: the RDF files served (the bundled graph by default).
        host, port: where to listen; loopback unless told otherwise; port 0 picks a free one.
        timeout: seconds a query (or an entity card) may run before it is stopped (503).
        max_body_bytes: the largest request body accepted (413).
        max_result_bytes: the largest serialized result returned (500 beyond it).
        max_held_bytes: answer bytes held while they are sent, over all connections together
            (a client that does not read keeps its answer in memory until the send time-out);
            an answer beyond it gets 503.
        service_allow: the hosts and ports SERVICE clauses may call; empty refuses SERVICE.
        workers: query worker processes (queries run in parallel up to this number).
        cors_origin: the one origin sent in ``Access-Control-Allow-Origin``; None sends none.
        max_connections: open connections in total; more are answered 503 and closed.
        max_client_connections: open connections from one client address.
        read_timeout: seconds a client has to send a request's line and headers, and
            again its body; a slower client is disconnected.
        max_memory_mb: address space of each worker process; a query that needs more is
            stopped (500) and its worker replaced.
        max_request_line: bytes in the request line (414 beyond it).
        max_header_bytes: bytes in all header lines together (431 beyond it).
        max_header_fields: header fields in a request (431 beyond it).
    """

    files: list[Path]
    host: str = "127.0.0.1"
    port: int = 7879
    timeout: float = 10.0
    max_body_bytes: int = 1_000_000
    max_result_bytes: int = 50_000_000
    max_held_bytes: int = 500_000_000
    service_allow: frozenset[AllowedService] = field(default_factory=frozenset)
    workers: int = 2
    cors_origin: str | None = None
    max_connections: int = 256
    max_client_connections: int = 32
    read_timeout: float = 10.0
    max_memory_mb: int = 1024
    max_request_line: int = 8192
    max_header_bytes: int = 16384
    max_header_fields: int = 64

    @property
    def queries_per_client(self) -> int:
        """Queries one client address may have running or waiting at once: half the workers
        (at least one), so that one client cannot hold every worker."""
        return max(1, self.workers // 2)


class EndpointError(Exception):
    """A request the endpoint answers with an HTTP error status and a one-line text."""

    def __init__(
        self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
