"""Running SPARQL queries on a loaded graph, with parameters bound as RDF terms."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from kg.errors import KgError
from kg.graph import LoadedGraph
from kg.sparql_text import bind, looks_like_update

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
    try:
        return graph.store.query(bound_query_text(text, bindings))
    except SyntaxError as error:
        if looks_like_update(text):
            raise KgError(
                f"{source}: this is a SPARQL update; only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are allowed"
            ) from None
        reason = " ".join(str(error.msg or error).split()).removeprefix("error ")
        raise KgError(f"{source}: SPARQL syntax error {reason}") from None
