"""A read-only SPARQL 1.1 Protocol endpoint over RDF files (`kg serve`).

Built on the standard library's ``http.server`` (``ThreadingHTTPServer``): no web framework to
install or keep current, and the protocol here is small (GET and POST of queries, content
negotiation, a service description). Queries run in worker processes (pyoxigraph cannot
interrupt a running query), so the time cap kills the worker that overran and starts a
fresh one while the server keeps answering.

Hardening: updates are refused (403); ``SERVICE`` may only call hosts on an allow-list,
checked before the query runs (403); request bodies, query time and result size are capped
(413, 503, 500); malformed percent-encoding gets 400; an ``Accept`` header that allows none of
the supported types gets 406.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.connection
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.sparql_text import looks_like_update, query_form, service_targets

SOLUTION_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
SERVICE_DESCRIPTION = Path(__file__).resolve().parent / "resources" / "service-description.ttl"
WEB_DIR = Path(__file__).resolve().parent / "web"
STATIC_FILES = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
_BAD_PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass
class EndpointSettings:
    """How `kg serve` runs.

    Attributes:
        files: the RDF files served (the bundled graph by default).
        host, port: where to listen; loopback unless told otherwise; port 0 picks a free one.
        timeout: seconds a query may run before it is stopped (503).
        max_body_bytes: the largest request body accepted (413).
        max_result_bytes: the largest serialized result returned (500 beyond it).
        service_allow: hosts that SERVICE clauses may call; empty means SERVICE is refused.
        workers: query worker processes (queries run in parallel up to this number).
    """

    files: list[Path]
    host: str = "127.0.0.1"
    port: int = 7879
    timeout: float = 10.0
    max_body_bytes: int = 1_000_000
    max_result_bytes: int = 50_000_000
    service_allow: frozenset[str] = field(default_factory=frozenset)
    workers: int = 2


class EndpointError(Exception):
    """A request the endpoint answers with an HTTP error status and a one-line text."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# ---------------------------------------------------------------------------------------------
# Query workers


class _ResultTooLarge(Exception):
    pass


class _BoundedBuffer(io.RawIOBase):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def]
        self.buffer.extend(data)
        if len(self.buffer) > self.limit:
            raise _ResultTooLarge
        return len(data)


def _worker_main(connection: multiprocessing.connection.Connection, files: list[str], max_result_bytes: int) -> None:
    from kg.graph import load_files

    try:
        store = load_files(files).store
    except KgError as error:
        connection.send(("failed", str(error)))
        return
    connection.send(("ready", ""))
    while True:
        try:
            request = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        query, media_type = request
        connection.send(_evaluate(store, query, media_type, max_result_bytes))


def _evaluate(store: ox.Store, query: str, media_type: str, max_result_bytes: int) -> tuple[int, str, bytes]:
    buffer = _BoundedBuffer(max_result_bytes)
    try:
        results = store.query(query)
        if isinstance(results, ox.QueryTriples):
            ox.serialize(results, buffer, format=GRAPH_MEDIA_TYPES[media_type])
        else:
            results.serialize(buffer, format=SOLUTION_MEDIA_TYPES[media_type])
    except SyntaxError as error:
        message = " ".join(str(error.msg or error).split()).removeprefix("error ")
        return 400, "text/plain; charset=utf-8", f"SPARQL syntax error {message}\n".encode()
    except _ResultTooLarge:
        return 500, "text/plain; charset=utf-8", f"result larger than {max_result_bytes} bytes: refine the query or add a LIMIT\n".encode()
    except (OSError, RuntimeError, ValueError) as error:
        return 500, "text/plain; charset=utf-8", f"query failed: {' '.join(str(error).split())}\n".encode()
    return 200, f"{media_type}; charset=utf-8", bytes(buffer.buffer)


class _Worker:
    def __init__(self, context, settings: EndpointSettings) -> None:  # type: ignore[no-untyped-def]
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main,
            args=(child, [str(f) for f in settings.files], settings.max_result_bytes),
            daemon=True,
        )
        self.process.start()
        child.close()
        status, message = self.connection.recv()
        if status != "ready":
            self.process.join(5)
            raise KgError(message)

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryEngine:
    """A pool of worker processes that each hold the graph and answer one query at a time."""

    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = [_Worker(self._context, settings) for _ in range(max(1, settings.workers))]
        self._available = threading.Semaphore(len(self._idle))
        self._lock = threading.Lock()

    def evaluate(self, query: str, media_type: str) -> tuple[int, str, bytes]:
        """Run ``query`` in a worker; return (HTTP status, content type, body).

        Raises:
            EndpointError: the query ran past the time cap (the worker is replaced).
        """
        deadline = time.monotonic() + self.settings.timeout
        if not self._available.acquire(timeout=self.settings.timeout):
            raise EndpointError(HTTPStatus.SERVICE_UNAVAILABLE, "all query workers are busy; try again")
        with self._lock:
            worker = self._idle.pop()
        try:
            worker.connection.send((query, media_type))
            if worker.connection.poll(max(0.0, deadline - time.monotonic())):
                return worker.connection.recv()
            worker.stop()
            worker = _Worker(self._context, self.settings)
            raise EndpointError(HTTPStatus.SERVICE_UNAVAILABLE,
                                f"query stopped: it ran longer than the {self.settings.timeout:g} s limit")
        except (EOFError, BrokenPipeError, ConnectionResetError):
            worker.stop()
            worker = _Worker(self._context, self.settings)
            raise EndpointError(HTTPStatus.INTERNAL_SERVER_ERROR, "the query worker died; it has been restarted") from None
        finally:
            with self._lock:
                self._idle.append(worker)
            self._available.release()

    def close(self) -> None:
        with self._lock:
            for worker in self._idle:
                worker.stop()
            self._idle.clear()


# ---------------------------------------------------------------------------------------------
# HTTP


def negotiate(accept: str | None, form: str) -> str:
    """Pick the media type to answer with, from an ``Accept`` header and the query form.

    Raises:
        EndpointError: 406, when the header allows none of the types this form can be given in.
    """
    supported = list(GRAPH_MEDIA_TYPES) if form in ("CONSTRUCT", "DESCRIBE") else list(SOLUTION_MEDIA_TYPES)
    if not accept or not accept.strip():
        return supported[0]
    ranges = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((quality, -index, media.lower()))
    for quality, _, media in sorted(ranges, reverse=True):
        if quality <= 0:
            continue
        if media in supported:
            return media
        if media in ("*/*", "application/*", "text/*"):
            major = media.split("/")[0]
            for candidate in supported:
                if major == "*" or candidate.startswith(major + "/"):
                    return candidate
    raise EndpointError(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer a {form} query as {accept}; supported: {', '.join(supported)}")


class SparqlEndpoint(ThreadingHTTPServer):
    """The HTTP server: routes requests to the query engine."""

    daemon_threads = True

    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self.engine = QueryEngine(settings)
        self._graph = None
        self._graph_lock = threading.Lock()
        super().__init__((settings.host, settings.port), _Handler)

    def graph(self):  # type: ignore[no-untyped-def]
        """The served graph in this process too, for entity cards and labels (loaded on first use)."""
        from kg.graph import load_files

        with self._graph_lock:
            if self._graph is None:
                self._graph = load_files(self.settings.files)
            return self._graph

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/sparql"

    def server_close(self) -> None:
        super().server_close()
        self.engine.close()

    def check_query(self, query: str) -> str:
        """Refuse what must not run; return the query form."""
        form = query_form(query)
        if form is None:
            if looks_like_update(query):
                raise EndpointError(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
            raise EndpointError(HTTPStatus.BAD_REQUEST, "not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
        for target in service_targets(query):
            host = urllib.parse.urlsplit(target).hostname if target else None
            if host is None or host.lower() not in self.settings.service_allow:
                shown = target or "a variable or unresolvable name"
                raise EndpointError(HTTPStatus.FORBIDDEN, f"SERVICE to {shown} is not allowed here (allowed hosts: "
                                    f"{', '.join(sorted(self.settings.service_allow)) or 'none'})")
        return form


class _Handler(BaseHTTPRequestHandler):
    server: SparqlEndpoint
    protocol_version = "HTTP/1.1"
    server_version = "supernode-kg"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        if os.environ.get("KG_SERVE_LOG"):
            super().log_message(format, *args)

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._handle(lambda: self._query_from_get())

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self._handle(lambda: self._query_from_post())

    def do_PUT(self) -> None:  # noqa: N802
        self._refuse_method()

    do_DELETE = do_PATCH = do_PUT

    def _refuse_method(self) -> None:
        self._drain_body()
        self._send_error(EndpointError(HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only",
                                       {"Allow": "GET, POST"}))

    def _handle(self, read_query) -> None:  # type: ignore[no-untyped-def]
        try:
            path = urllib.parse.urlsplit(self.path).path
            if path not in ("/sparql", "/sparql/"):
                self._route_page(path)
                return
            query = read_query()
            if query is None:
                self._send_service_description()
                return
            form = self.server.check_query(query)
            media_type = negotiate(self.headers.get("Accept"), form)
            status, content_type, body = self.server.engine.evaluate(query, media_type)
            self._send(status, content_type, body)
        except EndpointError as error:
            self._send_error(error)
        except Exception as error:  # noqa: BLE001 - a request must never take the server down
            self._send_error(EndpointError(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(error).__name__}"))

    def _route_page(self, path: str) -> None:
        """The query page (/), its static files, and the small JSON API the page uses."""
        from kg.web_api import api_describe, api_labels, api_queries, bound_saved_query

        if path in ("/", "/index.html") and self.command == "GET":
            self._send(200, "text/html; charset=utf-8", (WEB_DIR / "index.html").read_bytes())
        elif path.startswith("/static/") and self.command == "GET" and path[len("/static/"):] in STATIC_FILES:
            name = path[len("/static/"):]
            self._send(200, STATIC_FILES[name], (WEB_DIR / name).read_bytes())
        elif path == "/api/queries" and self.command == "GET":
            self._send_json(api_queries())
        elif path.startswith("/api/queries/") and self.command == "GET":
            name = urllib.parse.unquote(path[len("/api/queries/"):])
            values = {k: v[-1] for k, v in _parse_form(urllib.parse.urlsplit(self.path).query).items()}
            query = bound_saved_query(name, values)
            form = self.server.check_query(query)
            media_type = negotiate(self.headers.get("Accept"), form)
            self._send(*self.server.engine.evaluate(query, media_type))
        elif path == "/api/labels" and self.command == "POST":
            self._send_json(api_labels(self.server.graph(), self._read_body()))
        elif path == "/api/describe" and self.command == "GET":
            params = _parse_form(urllib.parse.urlsplit(self.path).query)
            self._send_json(api_describe(self.server.graph(), (params.get("entity") or [""])[-1]))
        else:
            self._drain_body()
            raise EndpointError(HTTPStatus.NOT_FOUND, f"no such resource: {path}; the endpoint is /sparql")

    def _send_json(self, value: object) -> None:
        import json

        self._send(200, "application/json; charset=utf-8", json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def _query_from_get(self) -> str | None:
        raw = urllib.parse.urlsplit(self.path).query
        params = _parse_form(raw)
        if "update" in params:
            raise EndpointError(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
        queries = params.get("query", [])
        if len(queries) > 1:
            raise EndpointError(HTTPStatus.BAD_REQUEST, "more than one query parameter")
        return queries[0] if queries else None

    def _query_from_post(self) -> str:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = self._read_body()
        if content_type == "application/sparql-update":
            raise EndpointError(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
        if content_type == "application/sparql-query":
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                raise EndpointError(HTTPStatus.BAD_REQUEST, "the query is not UTF-8") from None
        if content_type == "application/x-www-form-urlencoded":
            try:
                params = _parse_form(body.decode("ascii"))
            except UnicodeDecodeError:
                raise EndpointError(HTTPStatus.BAD_REQUEST, "a form body must be percent-encoded ASCII") from None
            if "update" in params:
                raise EndpointError(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused")
            queries = params.get("query", [])
            if len(queries) != 1:
                raise EndpointError(HTTPStatus.BAD_REQUEST, "a form body needs exactly one query parameter")
            return queries[0]
        raise EndpointError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                            "POST a query as application/sparql-query or application/x-www-form-urlencoded")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise EndpointError(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise EndpointError(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if length > self.server.settings.max_body_bytes:
            self.close_connection = True
            raise EndpointError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                                f"request body of {length} bytes is over the {self.server.settings.max_body_bytes}-byte limit")
        return self.rfile.read(length) if length > 0 else b""

    def _drain_body(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if 0 < length <= self.server.settings.max_body_bytes:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _send_service_description(self) -> None:
        graph = ox.parse(SERVICE_DESCRIPTION.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=self._own_url())
        media_type = negotiate(self.headers.get("Accept"), "CONSTRUCT")
        body = ox.serialize([q.triple for q in graph], format=GRAPH_MEDIA_TYPES[media_type])
        self._send(200, media_type + "; charset=utf-8", body)

    def _own_url(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"http://{host}/sparql"

    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Vary", "Accept")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _send_error(self, error: EndpointError) -> None:
        self._send(error.status, "text/plain; charset=utf-8", f"{error.message}\n".encode(), error.headers)


def _parse_form(raw: str) -> dict[str, list[str]]:
    if _BAD_PERCENT_ESCAPE.search(raw):
        raise EndpointError(HTTPStatus.BAD_REQUEST, "malformed percent-encoding in the request")
    try:
        return urllib.parse.parse_qs(raw, keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError:
        raise EndpointError(HTTPStatus.BAD_REQUEST, "percent-encoded bytes are not UTF-8") from None


def serve(settings: EndpointSettings, ready=None) -> None:  # type: ignore[no-untyped-def]
    """Serve until interrupted. ``ready(url)`` is called once the server listens."""
    server = SparqlEndpoint(settings)
    try:
        if ready is not None:
            ready(server.url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def endpoint_settings(files: Sequence[str | os.PathLike[str]] | None, **options: object) -> EndpointSettings:
    """Settings for the given files (the bundled graph by default), checking they load."""
    from kg.bundle import bundled
    from kg.graph import resolve_rdf_files

    resolved = resolve_rdf_files(list(files) if files else bundled().graph_files())
    return EndpointSettings(files=resolved, **options)  # type: ignore[arg-type]
