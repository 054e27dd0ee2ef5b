"""Running SPARQL queries on a loaded graph, with parameters bound as RDF terms."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

import pyoxigraph as ox

from kg.catalog import SavedQuery
from kg.errors import KgError
from kg.graph import LoadedGraph
from kg.sparql_text import bind, check_nesting, looks_like_update

QueryResults = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def bound_query_text(text: str, bindings: Mapping[str, object] | None) -> str:
    """The query with each bound variable replaced by its RDF term (see :mod:`kg.sparql_text`)."""
    return bind(text, {name: str(term) for name, term in (bindings or {}).items()})


def run_query(
    graph: LoadedGraph,
    text: str,
    bindings: Mapping[str, object] | None = None,
    *,
    source: str = "query",
) -> QueryResults:
    """Evaluate a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE) on ``graph``.

    Args:
        graph: the loaded graph.
        text: the query; it must declare its own prefixes, as at any endpoint.
        bindings: variable name (without ``?``) -> pyoxigraph term, from
            :func:`kg.parameters.bind_parameters`.
        source: what to call the query in error messages (its file name).

    Example:
        >>> from kg.graph import load_bundled_graph
        >>> bool(run_query(load_bundled_graph(), "ASK { ?s ?p ?o }"))
        True

    Raises:
        KgError: the text is an update, or not valid SPARQL (position and reason given).
    """
    check_nesting(text, source)
    try:
        return graph.store.query(bound_query_text(text, bindings))
    except SyntaxError as error:
        if looks_like_update(text):
            raise KgError(
                f"{source}: this is a SPARQL update; only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are allowed"
            ) from None
        reason = " ".join(str(error.msg or error).split()).removeprefix("error ")
        raise KgError(f"{source}: SPARQL syntax error {reason}") from None


def answer_text(
    graph: LoadedGraph,
    text: str,
    bindings: Mapping[str, object] | None,
    output_format: str,
    prefixes: Mapping[str, str],
    *,
    source: str = "query",
    timeout: float | None = None,
) -> str:
    """Run a query and render its results as text (see :func:`kg.results.render`).

    With a ``timeout``, the work happens in a forked child process that is killed when the
    time is up: pyoxigraph cannot interrupt a running query, and a signal does not reach it.

    Raises:
        KgError: as :func:`run_query`; or the query ran past ``timeout`` seconds.
    """
    from kg.results import render

    def work() -> str:
        return render(run_query(graph, text, bindings, source=source), output_format, prefixes)

    if timeout is None or not hasattr(os, "fork"):
        return work()
    return _in_child_process(work, timeout, source)


def _in_child_process(work: Callable[[], str], timeout: float, source: str) -> str:
    import pickle
    import select
    import signal
    import time

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: do the work, send back ("ok" | "error", text), exit at once
        os.close(read_end)
        try:
            payload = ("ok", work())
        except KgError as error:
            payload = ("error", error.message)
        except BaseException as error:  # noqa: BLE001 - reported by the parent as one line
            payload = ("error", f"{source}: {type(error).__name__}: {' '.join(str(error).split())}")
        with os.fdopen(write_end, "wb") as stream:
            stream.write(pickle.dumps(payload))
        os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    chunks = []
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        while True:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([stream], [], [], max(0.0, remaining))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise KgError(f"{source}: stopped after {timeout:g} s (--timeout); the query did not finish")
            chunk = stream.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    if not chunks:
        raise KgError(f"{source}: the query process ended without an answer")
    status, value = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's bytes
    if status != "ok":
        raise KgError(value)
    return value


def select_rows(
    saved: SavedQuery,
    values: Mapping[str, str] | None = None,
    *,
    graph: LoadedGraph | None = None,
    endpoint: str | None = None,
    timeout: float = 30.0,
) -> list[dict[str, object]]:
    """Run a saved SELECT query on a loaded graph or at an endpoint; return its rows as
    dicts of variable name -> pyoxigraph term (unbound variables left out).

    Raises:
        KgError: as :func:`run_query` or :func:`kg.remote.query_endpoint`; or the query is
            not a SELECT.
    """
    from kg.parameters import bind_parameters

    bindings = bind_parameters(saved, values or {})
    if endpoint:
        from kg.remote import query_endpoint

        results = query_endpoint(endpoint, bound_query_text(saved.text, bindings), timeout=timeout)
    else:
        if graph is None:
            raise KgError("select_rows needs a graph or an endpoint")
        results = run_query(graph, saved.text, bindings, source=str(saved.path))
    if not isinstance(results, ox.QuerySolutions):
        raise KgError(f"{saved.path}: expected a SELECT query")
    names = [v.value for v in results.variables]
    return [{n: solution[n] for n in names if solution[n] is not None} for solution in results]
