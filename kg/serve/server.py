"""A read-only SPARQL 1.1 Protocol endpoint over RDF files (`kg serve`): the HTTP server.

Built on the standard library's ``http.server`` (``ThreadingHTTPServer``): no web framework to
install or keep current. This module admits connections, reads requests within their caps and
sends answers; what a request means is decided elsewhere: the SPARQL 1.1 Protocol at
``/sparql`` in :mod:`kg.serve.protocol`, the query page and its JSON API in
:mod:`kg.serve.routes`. Queries run in worker processes (:mod:`kg.serve.workers`); which SERVICE
calls a query may make is decided there from its parsed form (:mod:`kg.serve.service_policy`).

Hardening, beside what the workers do: updates are refused (403); a listen backlog of 1024;
connections are capped in total and per client address (503 "busy" beyond them); a client
has ``read_timeout`` seconds to send its request line and headers, and again its body, or is
disconnected (408); the request line (414), the headers' size and count (431) and the body
(413) are capped; a malformed ``Host`` is refused (400) and never echoed; malformed
percent-encoding gets 400; an ``Accept`` that allows none of the supported types gets 406;
no ``Access-Control-Allow-Origin`` is sent unless one origin is configured.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kg.base.errors import one_line
from kg.serve.config import EndpointError, EndpointSettings, served_host, valid_host_header
from kg.serve.protocol import (
    query_from_get,
    query_from_post,
    query_job,
    service_description,
)
from kg.serve.routes import PageRequest, QueryPage
from kg.serve.workers import QueryEngine

_MAX_REFUSALS_IN_FLIGHT = 64
#: What the socket server hands a handler: a TCP server's is always a socket.
_Request = socket.socket | tuple[bytes, socket.socket]
SPARQL_PATHS = ("/sparql", "/sparql/")

__all__ = [
    "EndpointError",
    "EndpointSettings",
    "SparqlEndpoint",
    "endpoint_settings",
    "serve",
]


class _RequestLineTooLong(Exception):
    pass


class _HeadersTooLarge(Exception):
    pass


class _LimitedReader:
    """The connection's input, capping the request line and the headers as they are read."""

    def __init__(self, raw: io.BufferedIOBase, settings: EndpointSettings) -> None:
        self._raw = raw
        self._settings = settings
        self._phase = "line"
        self._header_bytes = 0
        self._header_lines = 0

    def start_request(self) -> None:
        self._phase, self._header_bytes, self._header_lines = "line", 0, 0

    def readline(self, limit: int = -1) -> bytes:
        if self._phase == "line":
            line = self._raw.readline(self._settings.max_request_line + 1)
            if len(line) > self._settings.max_request_line:
                raise _RequestLineTooLong
            self._phase = "headers"
            return line
        if self._phase == "headers":
            room = self._settings.max_header_bytes - self._header_bytes
            line = self._raw.readline(max(0, min(limit if limit >= 0 else room + 1, room + 1)))
            self._header_bytes += len(line)
            self._header_lines += 1
            if (
                self._header_bytes > self._settings.max_header_bytes
                or self._header_lines > self._settings.max_header_fields + 1
            ):
                raise _HeadersTooLarge
            if line in (b"\r\n", b"\n", b""):
                self._phase = "body"
            return line
        return self._raw.readline(limit)

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(size)

    def close(self) -> None:
        self._raw.close()


class _ReadDeadlines:
    """Disconnects clients that take too long to send a request (slow senders): a per-read
    socket time-out cannot, as a client can send one byte just before each runs out."""

    def __init__(self) -> None:
        self._deadlines: dict[_Handler, float] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="kg-read-deadlines")
        self._thread.start()

    def watch(self, handler: _Handler, seconds: float) -> None:
        with self._lock:
            self._deadlines[handler] = time.monotonic() + seconds

    def unwatch(self, handler: _Handler) -> None:
        with self._lock:
            self._deadlines.pop(handler, None)

    def _run(self) -> None:
        while not self._stopped.wait(0.1):
            now = time.monotonic()
            with self._lock:
                expired = [h for h, deadline in self._deadlines.items() if deadline <= now]
                for handler in expired:
                    del self._deadlines[handler]
            for handler in expired:
                handler.timed_out = True
                with contextlib.suppress(OSError):
                    handler.connection.shutdown(socket.SHUT_RD)  # wakes the blocked read with EOF

    def stop(self) -> None:
        self._stopped.set()


class SparqlEndpoint(ThreadingHTTPServer):
    """The HTTP server: admits connections within the caps and routes requests."""

    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: 5 (the default) reset connections under load

    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self.engine = QueryEngine(settings)
        self.read_deadlines = _ReadDeadlines()
        self._connections: Counter[str] = Counter()
        self._connections_lock = threading.Lock()
        self.page = QueryPage(self.engine.run)
        self._refusals = threading.BoundedSemaphore(_MAX_REFUSALS_IN_FLIGHT)
        self._held = 0
        self._held_lock = threading.Lock()
        try:
            super().__init__((settings.host, settings.port), _Handler)
        except BaseException:
            self.engine.close()
            self.read_deadlines.stop()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        name = f"[{name}]" if ":" in name else name
        return f"http://{name}:{port}/sparql"

    def server_close(self) -> None:
        super().server_close()
        self.read_deadlines.stop()
        self.engine.close()

    def hold(self, size: int) -> bool:
        """Count ``size`` bytes of an answer as held until :meth:`release_held`; False (nothing
        counted) when that would pass ``max_held_bytes``."""
        with self._held_lock:
            if self._held + size > self.settings.max_held_bytes:
                return False
            self._held += size
            return True

    def release_held(self, size: int) -> None:
        with self._held_lock:
            self._held -= size

    def process_request(self, request: _Request, client_address: Any) -> None:
        client = client_address[0]
        with self._connections_lock:
            admitted = (
                sum(self._connections.values()) < self.settings.max_connections
                and self._connections[client] < self.settings.max_client_connections
            )
            if admitted:
                self._connections[client] += 1
        if not admitted:
            self._refuse(request if isinstance(request, socket.socket) else request[1])
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._release(client)
            self.shutdown_request(request)
            raise

    def process_request_thread(self, request: _Request, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release(client_address[0])

    def _release(self, client: str) -> None:
        with self._connections_lock:
            self._connections[client] -= 1
            if self._connections[client] <= 0:
                del self._connections[client]

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 busy and close, in a short-lived thread (the accept loop must not wait on
        a client); beyond a few refusals at a time, just close."""
        if not self._refusals.acquire(blocking=False):
            self.shutdown_request(request)
            return

        def refuse() -> None:
            try:
                body = b"busy: too many open connections; try again\n"
                request.settimeout(1.0)
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    b"Retry-After: 1\r\nConnection: close\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                request.shutdown(socket.SHUT_WR)
                deadline = (
                    time.monotonic() + 1.0
                )  # read what the client sent, so closing does not reset
                while time.monotonic() < deadline and request.recv(65536):
                    pass
            except OSError:
                pass
            finally:
                self.shutdown_request(request)
                self._refusals.release()

        threading.Thread(target=refuse, daemon=True, name="kg-refuse").start()


class _Handler(BaseHTTPRequestHandler):
    server: SparqlEndpoint
    protocol_version = "HTTP/1.1"
    server_version = "supernode-kg"
    timed_out = False

    def setup(self) -> None:
        super().setup()
        # a per-send time-out for clients that stop reading; reads are bounded by read_deadlines
        self.connection.settimeout(max(30.0, 3 * self.server.settings.read_timeout))
        self.rfile = _LimitedReader(self.rfile, self.server.settings)  # type: ignore[assignment]

    def finish(self) -> None:
        self.server.read_deadlines.unwatch(self)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        if os.environ.get("KG_SERVE_LOG"):
            super().log_message(format, *args)

    def handle_one_request(self) -> None:
        """The stdlib's loop step, with the request line and headers capped and timed."""
        self.requestline, self.request_version, self.command = "", "HTTP/1.1", ""
        self.server.read_deadlines.watch(self, self.server.settings.read_timeout)
        self.rfile.start_request()  # type: ignore[attr-defined]
        try:
            try:
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or self.timed_out:
                    self._end_if_timed_out()
                    self.close_connection = True
                    return
                parsed = self.parse_request()
            except _RequestLineTooLong:
                self.close_connection = True
                self._send_error(
                    EndpointError(
                        HTTPStatus.REQUEST_URI_TOO_LONG,
                        f"request line over {self.server.settings.max_request_line} bytes",
                    )
                )
                return
            except _HeadersTooLarge:
                self.close_connection = True
                self._send_error(
                    EndpointError(
                        HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        f"headers over {self.server.settings.max_header_bytes} bytes or "
                        f"{self.server.settings.max_header_fields} fields",
                    )
                )
                return
            self.server.read_deadlines.unwatch(self)
            if self.timed_out:
                self._end_if_timed_out()
                return
            if not parsed:
                return
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self.close_connection = True
                self._send_error(
                    EndpointError(
                        HTTPStatus.NOT_IMPLEMENTED,
                        f"unsupported method {self.command[:20]!r}",
                        {"Allow": "GET, POST, OPTIONS"},
                    )
                )
                return
            method()
            self.wfile.flush()
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def _end_if_timed_out(self) -> None:
        if self.timed_out:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._send_error(
                    EndpointError(
                        HTTPStatus.REQUEST_TIMEOUT,
                        f"request not received within {self.server.settings.read_timeout:g} s",
                    )
                )

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own errors (a malformed request line, say), as one plain-text line."""
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        self._send_error(EndpointError(HTTPStatus(code), one_line(text)[:200]))

    def do_GET(self) -> None:
        # a GET's body is read and dropped (RFC 9110 gives it no meaning), never taken for the
        # next request on the connection; unsure framing is a 400
        try:
            self._body_length()
        except EndpointError as error:
            self._send_error(error)
            return
        self._drain_body()
        self._handle(lambda: query_from_get(urllib.parse.urlsplit(self.path).query))

    def do_POST(self) -> None:
        self._handle(lambda: query_from_post(self.headers.get("Content-Type"), self._read_body()))

    def do_OPTIONS(self) -> None:
        self._drain_body()
        headers = {"Allow": "GET, POST, OPTIONS"}
        if self.server.settings.cors_origin:
            headers.update(
                {
                    "Access-Control-Allow-Methods": "GET, POST",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "600",
                }
            )
        self._send(HTTPStatus.NO_CONTENT, "text/plain; charset=utf-8", b"", headers)

    def do_PUT(self) -> None:
        self._refuse_method()

    do_DELETE = do_PATCH = do_PUT

    def _refuse_method(self) -> None:
        self._drain_body()
        self._send_error(
            EndpointError(
                HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only", {"Allow": "GET, POST"}
            )
        )

    def _handle(self, read_query: Callable[[], str | None]) -> None:
        """Answer a GET or POST: at /sparql by the protocol, elsewhere by the page's routes."""
        try:
            self._check_host()
            accept, client = self.headers.get("Accept"), self.client_address[0]
            if urllib.parse.urlsplit(self.path).path not in SPARQL_PATHS:
                request = PageRequest(
                    self.command, self.path, accept, self._read_body, self._drain_body
                )
                self._send(*self.server.page.answer(request, client))
                return
            query = read_query()
            if query is None:
                self._send(*service_description(self.server.url, accept))
                return
            self._send(*self.server.engine.run(query_job(query, accept), client))
        except EndpointError as error:
            self._send_error(error)
        except (TimeoutError, ConnectionError):
            self.close_connection = True
        except Exception as error:
            self._send_error(
                EndpointError(
                    HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(error).__name__}"
                )
            )

    def _check_host(self) -> None:
        """RFC 9112 3.2: one ``Host``, required in HTTP/1.1; and it must name this server
        (:func:`kg.serve.config.served_host`)."""
        hosts = self.headers.get_all("Host") or []
        missing = not hosts and self.request_version == "HTTP/1.1"
        if (
            missing
            or len(hosts) > 1
            or (hosts and not valid_host_header(hosts[0].strip()))
            or (hosts and not served_host(hosts[0].strip(), self.server.settings.host))
        ):
            self.close_connection = True
            self._drain_body()
            raise EndpointError(
                HTTPStatus.BAD_REQUEST,
                "no Host header"
                if missing
                else "bad Host header (this server is reached by its address or as localhost)",
            )

    def _body_length(self) -> int:
        """The body's length by RFC 9112 6.3: any ``Transfer-Encoding`` is refused (chunked
        with 411: send a Content-Length), as are Content-Length values that are not all the
        same digits; the connection is closed after such a request, whose framing is unsure.

        Raises:
            EndpointError: 411 or 400, as above.
        """
        encodings = self.headers.get_all("Transfer-Encoding") or []
        lengths = [value.strip() for value in self.headers.get_all("Content-Length") or []]
        if encodings:
            self.close_connection = True
            if [e.strip().lower() for e in encodings] == ["chunked"] and not lengths:
                raise EndpointError(
                    HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length"
                )
            raise EndpointError(HTTPStatus.BAD_REQUEST, "unsupported Transfer-Encoding")
        if not lengths:
            return 0
        if len(set(lengths)) > 1 or not lengths[0].isascii() or not lengths[0].isdigit():
            self.close_connection = True
            raise EndpointError(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        return int(lengths[0])

    def _read_body(self) -> bytes:
        length = self._body_length()
        if length > self.server.settings.max_body_bytes:
            self.close_connection = True
            raise EndpointError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body of {length} bytes is over the {self.server.settings.max_body_bytes}-byte limit",
            )
        if length == 0:
            return b""
        self.server.read_deadlines.watch(self, self.server.settings.read_timeout)
        try:
            body = self.rfile.read(length)
        finally:
            self.server.read_deadlines.unwatch(self)
        if len(body) < length:
            self.close_connection = True
            if self.timed_out:
                raise EndpointError(
                    HTTPStatus.REQUEST_TIMEOUT,
                    f"request body not received within {self.server.settings.read_timeout:g} s",
                )
            raise EndpointError(HTTPStatus.BAD_REQUEST, "the request body ended early")
        return body

    def _drain_body(self) -> None:
        try:
            length = self._body_length()
        except EndpointError:
            return
        if 0 < length <= self.server.settings.max_body_bytes:
            with contextlib.suppress(EndpointError):
                self._read_body()
        elif length:
            self.close_connection = True

    def _send(
        self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        """Send an answer, its bytes counted as held while they go out (issue: 120 clients
        that never read held 5 GB); beyond ``max_held_bytes`` the answer is dropped for a 503."""
        held = len(body)
        if not self.server.hold(held):  # the refusal's few bytes are not counted: never refused
            held = 0
            status, content_type = HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8"
            body = b"busy: too many answers are being sent; try again\n"
            headers = {"Retry-After": "1"}
            self.close_connection = True
        try:
            self._write(status, content_type, body, headers)
        finally:
            if held:
                self.server.release_held(held)

    def _write(
        self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.server.settings.cors_origin:
            self.send_header("Access-Control-Allow-Origin", self.server.settings.cors_origin)
            self.send_header("Vary", "Accept, Origin")
        else:
            self.send_header("Vary", "Accept")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _send_error(self, error: EndpointError) -> None:
        if error.status == HTTPStatus.SERVICE_UNAVAILABLE and "Retry-After" not in error.headers:
            error.headers["Retry-After"] = "1"
        self._send(
            error.status, "text/plain; charset=utf-8", f"{error.message}\n".encode(), error.headers
        )


def serve(settings: EndpointSettings, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted. ``ready(url)`` is called once the server listens."""
    server = SparqlEndpoint(settings)
    previous = signal.signal(
        signal.SIGTERM, _stop_on_sigterm
    )  # stop the workers too, not just this process
    try:
        if ready is not None:
            ready(server.url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def endpoint_settings(
    files: Sequence[str | os.PathLike[str]] | None, **options: object
) -> EndpointSettings:
    """Settings for the given files (the bundled graph by default), checking they load."""
    from kg.base.bundle import bundled
    from kg.rdf.files import resolve_rdf_files

    resolved = resolve_rdf_files(list(files) if files else bundled().graph_files())
    return EndpointSettings(files=resolved, **options)  # type: ignore[arg-type]
