"""The SPARQL 1.1 Protocol as `kg serve` speaks it, apart from HTTP plumbing: reading a query
from a GET or POST, refusing updates, content negotiation, the service description, and which
status code each refusal gets (as an :class:`~kg.serve.config.EndpointError`).

Nothing here touches a socket or the graph: the server (:mod:`kg.serve.server`) reads requests and
sends answers, the workers (:mod:`kg.serve.workers`) evaluate the job :func:`query_job` makes.
"""

from __future__ import annotations

import re
import urllib.parse
from http import HTTPStatus
from pathlib import Path

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.rdf.formats import rdf_media_types, result_media_types
from kg.serve.config import EndpointError
from kg.sparql.text import expand_codepoint_escapes, looks_like_update, query_form

#: SELECT and ASK answers, by media type; the first is the default.
SOLUTION_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = result_media_types()
#: CONSTRUCT and DESCRIBE answers (and the service description), by media type.
GRAPH_MEDIA_TYPES: dict[str, ox.RdfFormat] = rdf_media_types()
SERVICE_DESCRIPTION = Path(__file__).resolve().parent / "service-description.ttl"
#: A status, a Content-Type and a body: what every part of the endpoint answers with.
Response = tuple[int, str, bytes]
#: What a worker is asked to do: ``("query", text, media_type)`` and the page's jobs.
Job = tuple[str | bytes, ...]

_BAD_PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


def negotiate(accept: str | None, form: str) -> str:
    """Pick the media type to answer with, from an ``Accept`` header and the query form.

    Example:
        >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "SELECT")
        'application/sparql-results+xml'

    Raises:
        EndpointError: 406, when the header allows none of the types this form can be given in.
    """
    supported = (
        list(GRAPH_MEDIA_TYPES) if form in ("CONSTRUCT", "DESCRIBE") else list(SOLUTION_MEDIA_TYPES)
    )
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
    raise EndpointError(
        HTTPStatus.NOT_ACCEPTABLE,
        f"cannot answer a {form} query as {accept}; supported: {', '.join(supported)}",
    )


def check_query(query: str) -> str:
    """The query's form (SELECT, ASK, CONSTRUCT or DESCRIBE). SERVICE is checked in the
    worker, on the parsed query.

    Raises:
        EndpointError: 403 for an update; 400 for text that is no SPARQL query.
    """
    form = query_form(query)
    if form is None:
        if looks_like_update(query):
            raise EndpointError(HTTPStatus.FORBIDDEN, _READ_ONLY)
        raise EndpointError(
            HTTPStatus.BAD_REQUEST, "not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)"
        )
    return form


def query_job(query: str, accept: str | None) -> Job:
    """The worker job that answers ``query`` in the media type ``accept`` asks for.

    Raises:
        EndpointError: as :func:`check_query` and :func:`negotiate`; 400 for an escape of no
            character.
    """
    try:  # the form as the worker will read the query: its \u escapes expanded (it expands them)
        expanded = expand_codepoint_escapes(query)
    except KgError as error:
        raise EndpointError(HTTPStatus.BAD_REQUEST, str(error)) from None
    return ("query", query, negotiate(accept, check_query(expanded)))


def query_from_get(query_string: str) -> str | None:
    """The query of a GET request's query string; None when there is none (the request asks
    for the service description).

    Raises:
        EndpointError: 403 for an ``update`` parameter; 400 for several queries or a malformed
            query string.
    """
    params = parse_form(query_string)
    if "update" in params:
        raise EndpointError(HTTPStatus.FORBIDDEN, _READ_ONLY)
    queries = params.get("query", [])
    if len(queries) > 1:
        raise EndpointError(HTTPStatus.BAD_REQUEST, "more than one query parameter")
    return queries[0] if queries else None


def query_from_post(content_type: str | None, body: bytes) -> str:
    """The query of a POST request, directly (``application/sparql-query``) or as a form.

    Raises:
        EndpointError: 403 for an update; 400 for a body that is not UTF-8 (or, as a form, not
            ASCII or not exactly one query); 415 for another content type.
    """
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type == "application/sparql-update":
        raise EndpointError(HTTPStatus.FORBIDDEN, _READ_ONLY)
    if media_type == "application/sparql-query":
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise EndpointError(HTTPStatus.BAD_REQUEST, "the query is not UTF-8") from None
    if media_type == "application/x-www-form-urlencoded":
        try:
            params = parse_form(body.decode("ascii"))
        except UnicodeDecodeError:
            raise EndpointError(
                HTTPStatus.BAD_REQUEST, "a form body must be percent-encoded ASCII"
            ) from None
        if "update" in params:
            raise EndpointError(HTTPStatus.FORBIDDEN, _READ_ONLY)
        queries = params.get("query", [])
        if len(queries) != 1:
            raise EndpointError(
                HTTPStatus.BAD_REQUEST, "a form body needs exactly one query parameter"
            )
        return queries[0]
    raise EndpointError(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "POST a query as application/sparql-query or application/x-www-form-urlencoded",
    )


def service_description(base_iri: str, accept: str | None) -> Response:
    """The service description (``service-description.ttl``) with ``base_iri``, the
    server's own address (never the client's ``Host`` header), in the accepted RDF syntax.

    Raises:
        EndpointError: 406, as :func:`negotiate`.
    """
    graph = ox.parse(
        SERVICE_DESCRIPTION.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=base_iri
    )
    media_type = negotiate(accept, "CONSTRUCT")
    body = ox.serialize([q.triple for q in graph], format=GRAPH_MEDIA_TYPES[media_type])
    return 200, media_type + "; charset=utf-8", body or b""


def parse_form(raw: str) -> dict[str, list[str]]:
    """A query string or form body: name -> its values, in order.

    Raises:
        EndpointError: 400 for malformed percent-encoding, or bytes that are not UTF-8.
    """
    if _BAD_PERCENT_ESCAPE.search(raw):
        raise EndpointError(HTTPStatus.BAD_REQUEST, "malformed percent-encoding in the request")
    try:
        return urllib.parse.parse_qs(
            raw, keep_blank_values=True, strict_parsing=False, errors="strict"
        )
    except UnicodeDecodeError:
        raise EndpointError(HTTPStatus.BAD_REQUEST, "percent-encoded bytes are not UTF-8") from None


def printable(text: str) -> str:
    """Text from a request, safe to echo in a one-line error: control characters as ``?``, at
    most 200 characters."""
    return "".join(c if c.isprintable() else "?" for c in text)[:200]
