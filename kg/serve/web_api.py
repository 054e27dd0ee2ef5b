"""The JSON API behind `kg serve`'s query page: the saved-query catalog, queries bound from
form values, labels for IRIs, and entity cards. Errors are EndpointErrors with a 4xx status.

Labels and entity cards read the graph, so they run in the query workers
(:mod:`kg.serve.workers`), under the same time and memory caps as queries."""

from __future__ import annotations

import functools
import json
import re
from http import HTTPStatus

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.base.namespaces import RDFS_LABEL
from kg.rdf.graph import LoadedGraph
from kg.serve.config import EndpointError
from kg.sparql.catalog import Catalog, SavedQuery
from kg.sparql.results import compact_iri

LABEL = ox.NamedNode(RDFS_LABEL)
MAX_LABELS = 2000


def api_queries() -> list[dict[str, object]]:
    """Every saved query with what the page needs to show it and its parameters (a parameter
    with a default is optional), as `kg queries --format json` gives them."""
    from kg.sparql.catalog import saved_query_json

    return [saved_query_json(q) for q in Catalog.bundled()]


@functools.lru_cache(maxsize=1)
def saved_queries_json() -> bytes:
    """:func:`api_queries` as JSON bytes (the catalog does not change while serving)."""
    return json.dumps(api_queries(), ensure_ascii=False).encode("utf-8")


def saved_query(name: str) -> SavedQuery:
    """The saved query ``name``.

    Raises:
        EndpointError: 404, no saved query has that name.
    """
    catalog = Catalog.bundled()
    if name not in catalog.names():
        raise EndpointError(
            HTTPStatus.NOT_FOUND, f"no saved query named {name!r}; GET /api/queries lists them"
        )
    return catalog.get(name)


def bound_saved_query(name: str, values: dict[str, str], graph: LoadedGraph | None = None) -> str:
    """The text of saved query ``name`` with ``values`` bound as RDF terms (each bound
    variable's tokens replaced by one RDF term token, see :mod:`kg.sparql.text`); with the
    ``graph``, an IRI parameter may be an entity's label (``腾讯``), as on the command line.

    Raises:
        EndpointError: 404 for an unknown query; 400 for a value that does not fit.
    """
    from kg.sparql.entities import label_resolver
    from kg.sparql.parameters import bind_parameters
    from kg.sparql.query import bound_query_text, display_prefixes
    from kg.sparql.sources import choose_source

    saved = saved_query(name)
    resolve = None
    if graph is not None:
        source = choose_source(graph)
        resolve = label_resolver(source, display_prefixes(saved, source.prefixes))
    try:
        return bound_query_text(saved.text, bind_parameters(saved, values, resolve))
    except KgError as error:
        raise EndpointError(HTTPStatus.BAD_REQUEST, web_wording(error.message)) from None


def web_wording(message: str) -> str:
    """A parameter error as the web API's user reads it: query-string parameters, not the
    command line's ``--param`` options.

    Example:
        >>> web_wording("query 'partners' needs --param org=<IRI>")
        "query 'partners' needs the parameter org (IRI)"
    """
    message = re.sub(r"needs --param (\w+)=<([^>]*)>", r"needs the parameter \1 (\2)", message)
    return re.sub(r"--param (\w+)", r"parameter \1", message)


def api_labels(graph: LoadedGraph, body: bytes) -> dict[str, str]:
    """IRI -> its label (English first, then Chinese, then any; else its prefixed name) for a
    JSON list of IRIs."""
    try:
        iris = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise EndpointError(HTTPStatus.BAD_REQUEST, "send a JSON list of IRIs") from None
    if not isinstance(iris, list) or not all(isinstance(i, str) for i in iris):
        raise EndpointError(HTTPStatus.BAD_REQUEST, "send a JSON list of IRIs")
    if len(iris) > MAX_LABELS:
        raise EndpointError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"at most {MAX_LABELS} IRIs at a time"
        )
    labels: dict[str, str] = {}
    for iri in iris:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            continue
        by_language = {
            q.object.language: q.object.value
            for q in graph.store.quads_for_pattern(node, LABEL, None)
            if isinstance(q.object, ox.Literal)
        }
        label = (
            by_language.get("en") or by_language.get("zh") or next(iter(by_language.values()), None)
        )
        labels[iri] = label or compact_iri(iri, graph.prefixes)
    return labels


def api_describe(graph: LoadedGraph, entity: str) -> dict[str, object]:
    """The entity card as JSON (see :mod:`kg.views.describe`)."""
    from kg.views.describe import describe

    if not entity:
        raise EndpointError(HTTPStatus.BAD_REQUEST, "give ?entity=IRI, prefixed name or label")
    try:
        return describe(entity, graph, prefixes=graph.prefixes).to_json()
    except KgError as error:
        raise EndpointError(HTTPStatus.NOT_FOUND, error.message) from None


def api_chart_spec(graph: LoadedGraph, name: str) -> dict[str, object]:
    """The complete Vega-Lite spec of chart ``name`` for the served graph (its saved query's
    rows and source line), for the server to render; it runs in a worker, as queries do.

    Raises:
        EndpointError: 404 for an unknown chart; 500 when the chart cannot be made.
    """
    from kg.views.charts import chart_names, chart_spec

    if name not in chart_names():
        raise EndpointError(
            HTTPStatus.NOT_FOUND,
            f"no chart named {name!r}; GET /api/queries names each query's chart",
        )
    try:
        return chart_spec(name, graph)
    except KgError as error:
        raise EndpointError(HTTPStatus.INTERNAL_SERVER_ERROR, web_wording(error.message)) from None
