"""The worker processes behind `kg serve`: each holds the graph and answers one request at a time.

Queries (and entity cards and labels for the query page) run in workers because pyoxigraph
cannot interrupt a running query: the time cap kills the worker that overran. Each worker
also runs under a memory cap (``RLIMIT_AS``), so a query that would grow without bound fails
alone; and, when no SERVICE is allowed, in a network namespace of its own with no interface
but an unconfigured loopback, so that even a query that got past the SERVICE check could not
connect anywhere (Linux, where user namespaces are available; elsewhere the check alone holds).

A worker that is stopped or dies is replaced in the background, retrying until a new one
starts, so a failed restart (file handles exhausted, a data file briefly broken) heals by
itself; meanwhile requests wait for another worker or are told the endpoint is busy (503).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import queue
import resource
import signal
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus

import pyoxigraph as ox

from kg.errors import KgError
from kg.serve_config import AllowedService, EndpointError, EndpointSettings

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
TEXT = "text/plain; charset=utf-8"
JSON = "application/json; charset=utf-8"
#: What a client hears when a SERVICE call fails, whatever the reason: the remote's answer and
#: the kind of failure (refused, reset, HTTP error, redirect) stay inside, or the endpoint
#: would be a port scanner and a proxy for reading other hosts' error pages.
SERVICE_FAILED = "query failed: a SERVICE call did not give a usable answer\n"
_STARTUP_SECONDS = 120.0
_PRELOADED = [
    "kg.query_workers",
    "kg.graph",
    "kg.service_policy",
    "kg.web_api",
    "kg.describe",
    "rdflib.plugins.sparql.parser",
    "rdflib.plugins.sparql.algebra",
]

Result = tuple[int, str, bytes]


# ---------------------------------------------------------------------------------------------
# Inside a worker


def isolate_network() -> bool:
    """Move this (single-threaded) process into a new network namespace; True if it worked.

    Afterwards the process can reach no address at all, loopback included.
    """
    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    unshare = getattr(libc, "unshare", None)
    if unshare is None:
        return False
    if unshare(clone_newnet) == 0:  # privileged: a network namespace alone
        return True
    return unshare(clone_newuser | clone_newnet) == 0  # unprivileged: inside a user namespace


def cap_memory(megabytes: int) -> None:
    """Limit this process's address space (soft and hard) to ``megabytes``."""
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _exit_with(server_pid: int) -> None:
    """End this worker once the server is gone, even in the middle of a query (pyoxigraph
    releases the GIL while it evaluates), so a killed server leaves no query running."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass


def _worker_main(
    connection: multiprocessing.connection.Connection,
    files: list[str],
    allowed: frozenset[AllowedService],
    max_result_bytes: int,
    max_memory_mb: int,
    server_pid: int,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    if not allowed:
        isolate_network()
    from kg.graph import load_files

    try:
        cap_memory(max_memory_mb)
        graph = load_files(files)
    except KgError as error:
        with contextlib.suppress(OSError):
            connection.send(("failed", str(error)))
        return
    except MemoryError:
        with contextlib.suppress(OSError):
            connection.send(
                ("failed", f"the graph does not fit in the {max_memory_mb} MB a worker may use")
            )
        return
    threading.Thread(target=_exit_with, args=(server_pid,), daemon=True).start()
    try:
        connection.send(("ready", ""))
    except OSError:  # the server stopped while this worker was starting
        return
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        try:
            result = _answer(graph, job, allowed, max_result_bytes, max_memory_mb)
        except MemoryError:
            result = (500, TEXT, _memory_message(max_memory_mb))
        try:
            connection.send(result)
        except OSError:  # the server gave up on this job (time cap) or stopped
            return


def _answer(
    graph,
    job: tuple,
    allowed: frozenset[AllowedService],
    max_result_bytes: int,  # type: ignore[no-untyped-def]
    max_memory_mb: int,
) -> Result:
    from kg.web_api import api_chart_spec, api_describe, api_labels

    kind, *args = job
    try:
        if kind == "query":
            return _evaluate(graph.store, args[0], args[1], allowed, max_result_bytes)
        if kind == "describe":
            return (
                200,
                JSON,
                json.dumps(api_describe(graph, args[0]), ensure_ascii=False).encode("utf-8"),
            )
        if kind == "labels":
            return (
                200,
                JSON,
                json.dumps(api_labels(graph, args[0]), ensure_ascii=False).encode("utf-8"),
            )
        if kind == "chart":
            return (
                200,
                JSON,
                json.dumps(api_chart_spec(graph, args[0]), ensure_ascii=False).encode("utf-8"),
            )
    except EndpointError as error:
        return int(error.status), TEXT, f"{error.message}\n".encode()
    return 500, TEXT, f"unknown job {kind!r}\n".encode()


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


def _evaluate(
    store: ox.Store,
    query: str,
    media_type: str,
    allowed: frozenset[AllowedService],
    max_result_bytes: int,
) -> Result:
    from kg.service_policy import check_services
    from kg.sparql_text import check_nesting

    try:
        check_nesting(query, "query")  # deep nesting crashes the parsers (a segfault, not an error)
    except KgError as error:
        return 400, TEXT, f"{error}\n".encode()
    targets = check_services(query, allowed)  # rdflib must accept the query too; SERVICE checked
    buffer = _BoundedBuffer(max_result_bytes)
    try:
        results = store.query(query)
        if isinstance(results, ox.QueryTriples):
            ox.serialize(results, buffer, format=GRAPH_MEDIA_TYPES[media_type])
        else:
            results.serialize(buffer, format=SOLUTION_MEDIA_TYPES[media_type])
    except SyntaxError as error:
        message = " ".join(str(error.msg or error).split()).removeprefix("error ")
        return 400, TEXT, f"SPARQL syntax error {message}\n".encode()
    except _ResultTooLarge:
        return (
            500,
            TEXT,
            f"result larger than {max_result_bytes} bytes: refine the query or add a LIMIT\n".encode(),
        )
    except MemoryError:
        raise
    except Exception as error:
        if targets:
            return 502, TEXT, SERVICE_FAILED.encode()
        return 500, TEXT, f"query failed: {' '.join(str(error).split())[:300]}\n".encode()
    return 200, f"{media_type}; charset=utf-8", bytes(buffer.buffer)


def _memory_message(max_memory_mb: int) -> bytes:
    return (
        f"query stopped: it needed more than the {max_memory_mb} MB of memory a query may use; "
        "refine the query or add a LIMIT\n"
    ).encode()


# ---------------------------------------------------------------------------------------------
# In the server


def _context():  # type: ignore[no-untyped-def]
    """Workers fork from a small server process that has the libraries imported already, so a
    replacement starts in milliseconds rather than a second (and from one thread, which the
    network namespace needs)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOADED)
        return context
    return multiprocessing.get_context("spawn")


class _Worker:
    def __init__(self, context, settings: EndpointSettings) -> None:  # type: ignore[no-untyped-def]
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main,
            args=(
                child,
                [str(f) for f in settings.files],
                settings.service_allow,
                settings.max_result_bytes,
                settings.max_memory_mb,
                os.getpid(),
            ),
            daemon=True,
        )
        try:
            self.process.start()
        finally:
            child.close()
        try:
            if not self.connection.poll(_STARTUP_SECONDS):
                raise KgError("a query worker did not start in time")
            status, message = self.connection.recv()
        except (EOFError, OSError):
            self.stop()
            raise KgError("a query worker stopped while loading the graph") from None
        except KgError:
            self.stop()
            raise
        if status != "ready":
            self.stop()
            raise KgError(message)

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> int | None:
        """Kill the process; return how it ended (negative: the signal that ended it)."""
        exitcode = None
        with contextlib.suppress(OSError, ValueError):
            exitcode = self.process.exitcode
            if exitcode is None:
                self.process.kill()
            self.process.join(5)
        with contextlib.suppress(OSError):
            self.connection.close()
        return self.process.exitcode if exitcode is None else exitcode


class _Slot:
    """A place for one worker; empty while its worker is being replaced."""

    def __init__(self, worker: _Worker) -> None:
        self.worker: _Worker | None = worker


class QueryEngine:
    """A pool of worker processes; requests take turns fairly between client addresses."""

    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self._context = _context()
        self._closed = threading.Event()
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._lock = threading.Lock()
        self._clients: dict[str, list] = {}  # type: ignore[type-arg]  # address -> [semaphore, users]
        self.restarts = 0
        self._slots = [_Slot(worker) for worker in self._start_workers(max(1, settings.workers))]
        for slot in self._slots:
            self._idle.put(slot)

    def _start_workers(self, count: int) -> list[_Worker]:
        started: list[_Worker | KgError] = []

        def start() -> None:
            try:
                started.append(_Worker(self._context, self.settings))
            except KgError as error:
                started.append(error)

        threads = [threading.Thread(target=start) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failures = [s for s in started if isinstance(s, KgError)]
        if failures:
            for worker in started:
                if isinstance(worker, _Worker):
                    worker.stop()
            raise failures[0]
        return [w for w in started if isinstance(w, _Worker)]

    def run(self, job: tuple, client: str = "") -> Result:  # type: ignore[type-arg]
        """Answer ``job`` in a worker: ``("query", text, media_type)``, ``("describe", entity)``,
        ``("labels", body)`` or ``("chart", name)`` (a chart's Vega-Lite spec); return (HTTP status, content type, body).

        Raises:
            EndpointError: 503 when no worker is free in time (or ``client`` already has its
                share running), or the job ran past the time cap; 500 when it needed more
                memory than a worker may use, or its worker died.
        """
        wait_until = time.monotonic() + self.settings.timeout
        with self._client_turn(client, wait_until):
            slot = self._take_slot(wait_until)
            return self._run_on(slot, job)

    @contextlib.contextmanager
    def _client_turn(self, client: str, wait_until: float) -> Iterator[None]:
        with self._lock:
            entry = self._clients.setdefault(
                client, [threading.Semaphore(self.settings.queries_per_client), 0]
            )
            entry[1] += 1
        try:
            if not entry[0].acquire(timeout=max(0.0, wait_until - time.monotonic())):
                raise _busy(
                    "busy: this client already has as many queries running as it may "
                    f"({self.settings.queries_per_client}); try again"
                )
            try:
                yield
            finally:
                entry[0].release()
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    self._clients.pop(client, None)

    def _take_slot(self, wait_until: float) -> _Slot:
        while True:
            try:
                slot = self._idle.get(timeout=max(0.0, wait_until - time.monotonic()))
            except queue.Empty:
                raise _busy("busy: all query workers are in use; try again") from None
            if slot.worker is not None and slot.worker.alive():
                return slot
            self._replace(slot)  # its worker died while idle (the kernel's OOM killer, say)

    def _run_on(self, slot: _Slot, job: tuple) -> Result:  # type: ignore[type-arg]
        worker = slot.worker
        assert worker is not None
        handed_back = False
        try:
            worker.connection.send(job)
            if not worker.connection.poll(self.settings.timeout):
                raise EndpointError(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"query stopped: it ran longer than the {self.settings.timeout:g} s limit",
                )
            result = worker.connection.recv()
            self._idle.put(slot)
            handed_back = True
            return result
        except (EOFError, OSError):
            exitcode = worker.stop()
            if exitcode == -signal.SIGABRT:  # Rust aborts when an allocation fails
                raise EndpointError(
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    _memory_message(self.settings.max_memory_mb).decode().strip(),
                ) from None
            raise EndpointError(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "the query worker stopped unexpectedly; it is being replaced",
            ) from None
        finally:
            if not handed_back:
                self._replace(slot)

    def _replace(self, slot: _Slot) -> None:
        """Stop the slot's worker and start a new one in the background, retrying until one
        starts; the slot goes back to the pool only with a live worker."""
        if slot.worker is not None:
            slot.worker.stop()
            slot.worker = None
        self.restarts += 1
        threading.Thread(
            target=self._revive, args=(slot,), daemon=True, name="kg-worker-restart"
        ).start()

    def _revive(self, slot: _Slot) -> None:
        pause = 0.1
        while not self._closed.is_set():
            try:
                slot.worker = _Worker(self._context, self.settings)
            except (KgError, OSError, ValueError, RuntimeError):
                self._closed.wait(pause)
                pause = min(pause * 2, 5.0)
                continue
            if self._closed.is_set():
                slot.worker.stop()
                return
            self._idle.put(slot)
            return

    def close(self) -> None:
        self._closed.set()
        for slot in self._slots:
            if slot.worker is not None:
                slot.worker.stop()


def _busy(message: str) -> EndpointError:
    return EndpointError(HTTPStatus.SERVICE_UNAVAILABLE, message, {"Retry-After": "1"})
