"""Running SPARQL queries on a loaded graph, with parameters bound as RDF terms."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import NamedTuple

import pyoxigraph as ox

from kg.base.errors import KgError, one_line
from kg.rdf.graph import LoadedGraph
from kg.sparql.catalog import SavedQuery
from kg.sparql.text import (
    bind,
    check_nesting,
    is_select_star,
    looks_like_update,
    syntax_error_message,
    tokens,
    variables,
)

QueryResults = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def choose_query(
    name: str | None = None,
    *,
    file: str | os.PathLike[str] | None = None,
    text: str | None = None,
    text_name: str = "--query",
) -> SavedQuery:
    """The query `kg query` runs: a saved query by ``name``, a ``file`` (``-`` for standard
    input) or inline ``text``; exactly one of them.

    Ad-hoc queries (a file or text) get the project's prefixes predeclared, as Wikidata Query
    Service does (see :func:`kg.sparql.text.with_project_prefixes`); saved queries must declare
    their own, so that they run unchanged at any endpoint. ``text_name`` is what error
    messages call inline text.

    Raises:
        KgError: none or several of them given; the query cannot be read (see
            :func:`kg.sparql.catalog.read_saved_query`).
    """
    import dataclasses
    import sys
    from pathlib import Path

    from kg.sparql.catalog import Catalog, query_from_text, read_query_stream, read_saved_query
    from kg.sparql.text import prologue_prefixes, with_project_prefixes

    if sum(x is not None for x in (name, file, text)) != 1:
        raise KgError(
            "give a saved query NAME, --file FILE or --query TEXT (one of them, not both); "
            "`kg queries` lists the names"
        )
    if name is not None:
        return Catalog.bundled().get(name)
    if text is not None:
        saved = query_from_text(text, text_name)
    elif str(file) == "-":
        saved = read_query_stream(sys.stdin.buffer, "-")
    else:
        saved = read_saved_query(Path(file))  # type: ignore[arg-type]
    completed = with_project_prefixes(saved.text)
    return dataclasses.replace(
        saved, text=completed, prefixes={**saved.prefixes, **prologue_prefixes(completed)}
    )


def display_prefixes(
    saved: SavedQuery, graph_prefixes: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The prefixes to shorten IRIs with when printing ``saved``'s results: the project's, the
    graph's, then the query's own (a prefix the query redefines means what the query says).
    The project's come first, so the same namespace prints the same way for every query."""
    from kg.rdf.prefixes import project_prefixes

    return {**project_prefixes(), **(graph_prefixes or {}), **saved.prefixes}


def bound_query_text(text: str, bindings: Mapping[str, object] | None) -> str:
    """The query with each bound variable replaced by its RDF term (see :mod:`kg.sparql.text`)."""
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
            :func:`kg.sparql.parameters.bind_parameters`.
        source: what to call the query in error messages (its file name).

    Example:
        >>> from kg.rdf.graph import load_bundled_graph
        >>> bool(run_query(load_bundled_graph(), "ASK { ?s ?p ?o }"))
        True

    Raises:
        KgError: the text is an update, or not valid SPARQL (position and reason given).
    """
    check_nesting(text, source)
    bound = bound_query_text(text, bindings)
    try:
        return in_query_order(execute(graph, bound, source=source), bound, source=source)
    except (OSError, RuntimeError) as error:
        raise service_error(bound, error, source) from None
    except SyntaxError as error:
        if service_targets(bound) and not _is_query_syntax_error(error):
            raise service_error(bound, error, source) from None
        if looks_like_update(text):
            raise KgError(
                f"{source}: this is a SPARQL update; only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are allowed"
            ) from None
        raise KgError(f"{source}: {syntax_error_message(error)}") from None


def execute(graph: LoadedGraph, text: str, *, source: str = "query") -> QueryResults:
    """Execute query text on a loaded graph: the one place `kg query`, the Python API and
    `kg serve`'s workers run a query (through :func:`execute_on`). The default graph is the
    union of all graphs when the files have named graphs. Results stream as Oxigraph gives them
    (pyoxigraph evaluates up to the first solution here).

    Raises:
        KgError: the query nests brackets deeper than the parsers survive.
        SyntaxError, OSError, RuntimeError: Oxigraph's, for the caller to word.
    """
    return execute_on(graph.store, text, union=graph.has_named_graphs, source=source)


def execute_on(
    store: ox.Store,
    text: str,
    *,
    union: bool = False,
    substitutions: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal] | None = None,
    source: str = "query",
) -> QueryResults:
    """Execute query text on a store, after checking its nesting (deep nesting overflows the
    parser's stack: a segfault, not an error): what :func:`execute` and the SHACL engine's
    queries (:mod:`kg.shacl.store_queries`) run. ``substitutions`` binds selected variables
    (SEP-0007); ``union`` makes the default graph the union of all graphs.

    Raises:
        KgError: the query nests brackets deeper than the parsers survive.
        SyntaxError, OSError, RuntimeError: Oxigraph's, for the caller to word.
    """
    check_nesting(text, source)
    bound: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(name): term for name, term in (substitutions or {}).items()
    }
    return store.query(text, use_default_graph_as_union=union, substitutions=bound or None)


def in_query_order(results: QueryResults, text: str, *, source: str = "query") -> QueryResults:
    """``SELECT *`` results with their variables in the order the query first mentions them
    (as Jena and Wikidata Query Service print them; Oxigraph sorts them by name). Other results
    are returned as they are.

    Raises:
        KgError: a ``SERVICE`` call fails while the results are read (see :func:`service_error`).
    """
    if not isinstance(results, ox.QuerySolutions) or not is_select_star(text):
        return results
    import json

    names = [v.value for v in results.variables]
    order = [v for v in variables(text) if v in names]
    ordered = order + [v for v in names if v not in order]
    if ordered == names:
        return results
    try:
        document = json.loads(results.serialize(format=ox.QueryResultsFormat.JSON) or b"{}")
    except (OSError, RuntimeError, SyntaxError) as error:
        raise service_error(text, error, source) from None
    document["head"]["vars"] = ordered
    return ox.parse_query_results(
        json.dumps(document).encode("utf-8"), format=ox.QueryResultsFormat.JSON
    )


def service_targets(text: str) -> list[str]:
    """The endpoints a query's ``SERVICE`` clauses name as IRIs, in order."""
    found: list[str] = []
    after_service = False
    for kind, token in tokens(text):
        if kind == "comment":
            continue
        if kind == "other" and token.strip():
            after_service = bool(re.search(r"\bSERVICE(\s+SILENT)?\s*$", token, re.IGNORECASE))
        elif kind == "iri" and after_service:
            found.append(token[1:-1])
            after_service = False
        elif kind != "other":
            after_service = False
    return found


def service_error(text: str, error: BaseException, source: str = "query") -> KgError:
    """One line for a failed ``SERVICE`` call: the host, and whether it could not be reached,
    refused, or broke off its answer. pyoxigraph raises OSError for network failures and a
    SyntaxError for an answer cut off mid-stream, sometimes only while results are read."""
    from urllib.parse import urlsplit

    targets = service_targets(text)
    hosts = sorted({urlsplit(t).hostname or t for t in targets})
    where = ", ".join(hosts) if hosts else "a SERVICE endpoint"
    detail = one_line(error)
    lowered = detail.lower()
    if isinstance(error, SyntaxError) or "parser error" in lowered or "end of file" in lowered:
        what = "its answer was cut off or is not SPARQL results"
    elif (
        "lookup address" in lowered
        or "name or service not known" in lowered
        or "resolve" in lowered
    ):
        what = "cannot resolve the host name (no network?)"
    elif "timed out" in lowered or "timeout" in lowered:
        what = "no answer in time"
    elif "refused" in lowered:
        what = "the connection was refused"
    elif not targets:
        return KgError(f"{source}: {detail}")
    else:
        what = f"the call failed ({detail[:160]})"
    return KgError(f"{source}: SERVICE {where}: {what}")


def _is_query_syntax_error(error: SyntaxError) -> bool:
    # pyoxigraph's query parser says "error at L:C: ..."; a remote answer that does not parse
    # gives "Parser error at line L column C: ..."
    return str(error.msg or error).startswith("error at ")


class ResultDocument(NamedTuple):
    """Every result of one query, read to the end and kept exactly (each literal as the
    engine or endpoint gave it): SPARQL 1.1 Results JSON for SELECT and ASK, N-Triples for
    CONSTRUCT and DESCRIBE. Reading to the end makes a ``SERVICE`` that fails midway fail here.

    Attributes:
        kind: ``solutions`` (SELECT), ``boolean`` (ASK) or ``triples`` (CONSTRUCT, DESCRIBE).
        data: the document.
    """

    kind: str
    data: bytes

    def parsed(self) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """The results again as pyoxigraph objects (each call reads the document afresh)."""
        if self.kind == "triples":
            return [quad.triple for quad in ox.parse(self.data, format=ox.RdfFormat.N_TRIPLES)]
        parsed = ox.parse_query_results(self.data, format=ox.QueryResultsFormat.JSON)
        assert isinstance(parsed, ox.QuerySolutions | ox.QueryBoolean)
        return parsed


def result_document(results: object, text: str, source: str = "query") -> ResultDocument:
    """Read ``results`` (pyoxigraph's, or a list of triples from an endpoint) to the end.

    Raises:
        KgError: a ``SERVICE`` call fails while the results are read (see :func:`service_error`).
    """
    try:
        if isinstance(results, ox.QueryTriples | list):
            data = ox.serialize(list(results), format=ox.RdfFormat.N_TRIPLES) or b""
            return ResultDocument("triples", data)
        if isinstance(results, ox.QueryBoolean):
            data = results.serialize(format=ox.QueryResultsFormat.JSON) or b""
            return ResultDocument("boolean", data)
        if isinstance(results, ox.QuerySolutions):
            data = results.serialize(format=ox.QueryResultsFormat.JSON) or b""
            return ResultDocument("solutions", data)
    except (OSError, RuntimeError, SyntaxError) as error:  # a SERVICE answer failing as read
        raise service_error(text, error, source) from None
    raise KgError(f"{source}: cannot read results of type {type(results).__name__}")


def evaluate(
    graph: LoadedGraph,
    text: str,
    bindings: Mapping[str, object] | None = None,
    *,
    source: str = "query",
    timeout: float | None = None,
) -> ResultDocument:
    """Run a query on ``graph`` and read all its results (see :class:`ResultDocument`).

    With a ``timeout``, the work happens in a forked child process that is killed when the
    time is up: pyoxigraph cannot interrupt a running query, and a signal does not reach it.

    Raises:
        KgError: as :func:`run_query`; or the query ran past ``timeout`` seconds.
    """

    def work() -> ResultDocument:
        results = run_query(graph, text, bindings, source=source)
        return result_document(results, bound_query_text(text, bindings), source)

    if timeout is None or not hasattr(os, "fork"):
        return work()

    from kg.sparql.deadline import run_before_deadline

    return run_before_deadline(work, timeout, source=source)
