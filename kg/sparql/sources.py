"""Where a query is answered: a loaded graph in this process, or a SPARQL endpoint.

The one place that decides between them: `kg query`, `kg describe`, the entity cards, charts
and the Python API (``kg.query(..., source)``) all turn what they were given into a
:class:`Source` with :func:`choose_source`, and ask it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.rdf.graph import LoadedGraph
from kg.sparql.catalog import SavedQuery
from kg.sparql.query import (
    ResultDocument,
    bound_query_text,
    evaluate,
    in_query_order,
    result_document,
)

#: Seconds a query may take at an endpoint when no timeout is given.
ENDPOINT_TIMEOUT = 30.0

_ENDPOINT_URL = re.compile(r"^https?://", re.IGNORECASE)


@runtime_checkable
class HoldsLoadedGraph(Protocol):
    """Anything that carries a loaded graph (the Python API's ``kg.Graph``)."""

    @property
    def loaded(self) -> LoadedGraph: ...


@dataclass(frozen=True)
class Source:
    """A graph loaded in this process, or the URL of a SPARQL 1.1 endpoint (exactly one).

    Attributes:
        graph: the loaded graph, or None for an endpoint.
        endpoint: the endpoint's URL, or None for a loaded graph.
    """

    graph: LoadedGraph | None = None
    endpoint: str | None = None

    def __post_init__(self) -> None:
        if (self.graph is None) == (self.endpoint is None):
            raise KgError("a source is a loaded graph or an endpoint URL, exactly one of them")

    @property
    def prefixes(self) -> dict[str, str]:
        """The prefixes the graph's files declare (none for an endpoint)."""
        return dict(self.graph.prefixes) if self.graph is not None else {}

    def run(
        self,
        text: str,
        bindings: Mapping[str, object] | None = None,
        *,
        name: str = "query",
        timeout: float | None = None,
    ) -> ResultDocument:
        """Run a query (its parameters bound to RDF terms) and read every result.

        Args:
            text: the SPARQL text.
            bindings: variable name -> pyoxigraph term (:func:`kg.sparql.parameters.bind_parameters`).
            name: what to call the query in error messages (its file name).
            timeout: seconds; none on a loaded graph by default, :data:`ENDPOINT_TIMEOUT` at
                an endpoint.

        Raises:
            KgError: the query is not valid, an update, fails, or runs past ``timeout``.
        """
        if self.graph is not None:
            return evaluate(self.graph, text, bindings, source=name, timeout=timeout)
        from kg.sparql.remote import query_endpoint

        assert self.endpoint is not None
        bound = bound_query_text(text, bindings)
        answer = query_endpoint(self.endpoint, bound, timeout=timeout or ENDPOINT_TIMEOUT)
        if isinstance(answer, ox.QuerySolutions):
            answer = in_query_order(answer, bound, source=name)
        return result_document(answer, bound, name)

    def select_rows(
        self, saved: SavedQuery, values: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Run a saved SELECT query; its rows as dicts of variable name -> pyoxigraph term
        (unbound variables left out).

        Raises:
            KgError: as :meth:`run`; or the query is not a SELECT.
        """
        from kg.sparql.parameters import bind_parameters

        document = self.run(saved.text, bind_parameters(saved, values or {}), name=str(saved.path))
        results = document.parsed()
        if not isinstance(results, ox.QuerySolutions):
            raise KgError(f"{saved.path}: expected a SELECT query")
        names = [v.value for v in results.variables]
        return [{n: solution[n] for n in names if solution[n] is not None} for solution in results]


def choose_source(
    source: object = None, *, endpoint: str | None = None, use_cache: bool = True
) -> Source:
    """Turn what a caller gave into a :class:`Source`.

    Args:
        source: None (the bundled graph); an ``http(s)://`` URL (a SPARQL endpoint); a path or
            a list of paths to RDF files or folders (loaded with the edges their statements
            imply, see :func:`kg.sparql.derivation.load_with_derived_edges`);
            a :class:`~kg.rdf.graph.LoadedGraph`, a graph from ``kg.load``, or a :class:`Source`.
        endpoint: a URL the caller says is an endpoint (``--endpoint``), whatever it looks
            like; its scheme is checked when it is asked. Exclusive with ``source``.
        use_cache: whether large files may be read from the on-disk store (``--no-cache``).

    Example:
        >>> choose_source("http://127.0.0.1:7878/query").endpoint
        'http://127.0.0.1:7878/query'

    Raises:
        KgError: a file is missing or does not parse; the value is none of the above.
    """
    from kg.rdf.graph import load_bundled_graph
    from kg.sparql.derivation import load_with_derived_edges

    if endpoint is not None:
        if source is not None:
            raise KgError("give --data (local files) or --endpoint (a remote graph), not both")
        return Source(endpoint=endpoint)
    if isinstance(source, Source):
        return source
    if source is None:
        return Source(graph=load_bundled_graph())
    if isinstance(source, LoadedGraph):
        return Source(graph=source)
    if isinstance(source, HoldsLoadedGraph):
        return Source(graph=source.loaded)
    if isinstance(source, str) and is_endpoint_url(source):
        return Source(endpoint=source.strip())
    if isinstance(source, str | os.PathLike):
        return Source(graph=load_with_derived_edges([source], use_cache=use_cache))
    if isinstance(source, Sequence) and all(isinstance(p, str | os.PathLike) for p in source):
        if not source:
            raise KgError("no files to load: give a path, a list of paths, or None")
        return Source(graph=load_with_derived_edges(list(source), use_cache=use_cache))
    raise KgError(
        f"cannot ask {type(source).__name__!s}: give None (the bundled graph), a path or list "
        "of paths, an http(s):// endpoint URL, or a graph from kg.load()"
    )


def select_rows(
    saved: SavedQuery,
    values: Mapping[str, str] | None = None,
    source: object = None,
) -> list[dict[str, Any]]:
    """Run a saved SELECT query; return its rows as dicts of variable name -> pyoxigraph term
    (unbound variables left out).

    Args:
        saved: the query.
        values: parameter name -> value, as ``--param`` takes them.
        source: where to ask, anything :func:`choose_source` takes (a loaded graph, an endpoint
            URL, ...); the bundled graph by default.

    Raises:
        KgError: as :meth:`Source.run`; or the query is not a SELECT.
    """
    return choose_source(source).select_rows(saved, values)


def is_endpoint_url(text: str) -> bool:
    """Whether ``text`` names a SPARQL endpoint (an ``http(s)://`` URL) rather than a file."""
    return _ENDPOINT_URL.match(text.strip()) is not None
