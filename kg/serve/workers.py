"""The worker processes behind `kg serve`: each holds the graph and answers one request at a time.

Queries (and entity cards, labels and chart data for the query page) run in workers because
pyoxigraph cannot interrupt a running query: each answer is awaited under the time cap by the
one deadline rule (:func:`kg.sparql.deadline.await_answer`), which kills the worker that overran.
Each worker also runs under a memory cap (``RLIMIT_AS``), so a query that would grow without
bound fails alone; and, when no SERVICE is allowed, in a network namespace of its own with no
interface but an unconfigured loopback, so that even a query that got past the SERVICE check
could not connect anywhere (Linux, where user namespaces are available; elsewhere the check alone holds).

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
import signal
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.base.errors import KgError, one_line
from kg.rdf.graph import LoadedGraph
from kg.serve.config import AllowedService, EndpointError, EndpointSettings
from kg.serve.protocol import GRAPH_MEDIA_TYPES, SOLUTION_MEDIA_TYPES, Job, Response
from kg.sparql.deadline import DeadlinePassed, ProcessEnded, await_answer, cap_memory

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext

    from _typeshed import ReadableBuffer

    WorkerContext = ForkServerContext | SpawnContext

TEXT = "text/plain; charset=utf-8"
JSON = "application/json; charset=utf-8"
#: What a client hears when a SERVICE call fails, whatever the reason: the remote's answer and
#: the kind of failure (refused, reset, HTTP error, redirect) stay inside, or the endpoint
#: would be a port scanner and a proxy for reading other hosts' error pages.
SERVICE_FAILED = "query failed: a SERVICE call did not give a usable answer\n"
_STARTUP_SECONDS = 120.0
_PRELOADED = [
    "kg.serve.workers",
    "kg.sparql.deadline",
    "kg.serve.protocol",
    "kg.rdf.graph",
    "kg.serve.service_policy",
    "kg.serve.web_api",
    "kg.views.describe",
    "rdflib.plugins.sparql.parser",
    "rdflib.plugins.sparql.algebra",
]

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
    return bool(unshare(clone_newuser | clone_newnet) == 0)  # unprivileged: in a user namespace


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
    from kg.sparql.derivation import load_with_derived_edges

    try:
        cap_memory(max_memory_mb)
        # memory is capped: the on-disk store wins
        graph = load_with_derived_edges(files, on_disk=True)
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
            result = _answer(graph, job, allowed, max_result_bytes)
        except MemoryError:
            result = (500, TEXT, _memory_message(max_memory_mb))
        try:
            connection.send(result)
        except OSError:  # the server gave up on this job (time cap) or stopped
            return


def _answer(
    graph: LoadedGraph, job: Job, allowed: frozenset[AllowedService], max_result_bytes: int
) -> Response:
    from kg.serve.web_api import api_chart_spec, api_describe, api_labels, bound_saved_query

    answer: object
    try:
        match job:
            case ("query", str(query), str(media_type)):
                return _evaluate(graph, query, media_type, allowed, max_result_bytes)
            case ("saved", str(name), str(values), str(media_type)):
                text = bound_saved_query(name, json.loads(values), graph)
                return _evaluate(graph, text, media_type, allowed, max_result_bytes)
            case ("describe", str(entity)):
                answer = api_describe(graph, entity)
            case ("labels", bytes(body)):
                answer = api_labels(graph, body)
            case ("chart", str(name)):
                answer = api_chart_spec(graph, name)
            case _:
                return 500, TEXT, f"unknown job {job[:1]!r}\n".encode()
    except EndpointError as error:
        return int(error.status), TEXT, f"{error.message}\n".encode()
    return 200, JSON, json.dumps(answer, ensure_ascii=False).encode("utf-8")


class _ResultTooLarge(Exception):
    pass


class _BoundedBuffer(io.BytesIO):
    """An in-memory file that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: ReadableBuffer) -> int:
        written = super().write(data)
        if self.tell() > self.limit:
            raise _ResultTooLarge
        return written


def _evaluate(
    graph: LoadedGraph,
    query: str,
    media_type: str,
    allowed: frozenset[AllowedService],
    max_result_bytes: int,
) -> Response:
    from kg.serve.service_policy import check_services
    from kg.sparql.query import execute
    from kg.sparql.text import check_nesting, expand_codepoint_escapes, syntax_error_message

    try:
        # one reading for the checks and for Oxigraph: \u escapes expanded everywhere first
        query = expand_codepoint_escapes(query)
        check_nesting(query, "query")  # deep nesting crashes the parsers (a segfault, not an error)
    except KgError as error:
        return 400, TEXT, f"{error}\n".encode()
    targets = check_services(query, allowed)  # rdflib must accept the query too; SERVICE checked
    buffer = _BoundedBuffer(max_result_bytes)
    try:
        results = execute(graph, query)
        if isinstance(results, ox.QueryTriples):
            ox.serialize(results, buffer, format=GRAPH_MEDIA_TYPES[media_type])
        else:
            results.serialize(buffer, format=SOLUTION_MEDIA_TYPES[media_type])
    except SyntaxError as error:
        return 400, TEXT, f"{syntax_error_message(error)}\n".encode()
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
        return 500, TEXT, f"query failed: {one_line(error)[:300]}\n".encode()
    return 200, f"{media_type}; charset=utf-8", buffer.getvalue()


def _memory_message(max_memory_mb: int) -> bytes:
    return (
        f"query stopped: it needed more than the {max_memory_mb} MB of memory a query may use; "
        "refine the query or add a LIMIT\n"
    ).encode()


# ---------------------------------------------------------------------------------------------
# In the server


def _context() -> WorkerContext:
    """Workers fork from a small server process that has the libraries imported already, so a
    replacement starts in milliseconds rather than a second (and from one thread, which the
    network namespace needs)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOADED)
        return context
    return multiprocessing.get_context("spawn")


class _Worker:
    def __init__(self, context: WorkerContext, settings: EndpointSettings) -> None:
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
        return bool(self.process.is_alive())

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
        ended: int | None = self.process.exitcode if exitcode is None else exitcode
        return ended


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

    def run(self, job: Job, client: str = "") -> Response:
        """Answer ``job`` in a worker: ``("query", text, media_type)``, ``("saved", name,
        values as JSON, media_type)``, ``("describe", entity)``,
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

    def _run_on(self, slot: _Slot, job: Job) -> Response:
        """Answer ``job`` on the slot's worker under the time cap (:func:`kg.sparql.deadline.await_answer`):
        a worker that overran is killed, and any worker that did not answer is replaced."""
        worker = slot.worker
        assert worker is not None
        handed_back = False
        try:
            try:
                worker.connection.send(job)
            except OSError:
                raise ProcessEnded("query", worker.stop()) from None
            response: Response = await_answer(
                worker.connection, self.settings.timeout, stop=worker.stop
            )
            self._idle.put(slot)
            handed_back = True
            return response
        except DeadlinePassed:
            raise EndpointError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"query stopped: it ran longer than the {self.settings.timeout:g} s limit",
            ) from None
        except ProcessEnded as ended:
            if ended.exitcode == -signal.SIGABRT:  # Rust aborts when an allocation fails
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
