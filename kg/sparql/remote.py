"""Talking to remote SPARQL services: queries over the SPARQL 1.1 Protocol (SPARQLWrapper) and
loading a graph into a store over the SPARQL 1.1 Graph Store HTTP Protocol.

Answers are parsed back into pyoxigraph results, so `kg query --endpoint` prints exactly as
the embedded run does. HTTP basic auth comes from the environment (``KG_ENDPOINT_USER``,
``KG_ENDPOINT_PASSWORD``), never from the command line, where it would show in process lists
and shell history.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.base.errors import KgError, one_line
from kg.base.namespaces import PROJECT_HOME
from kg.base.version import __version__
from kg.sparql.text import query_form, strip_comments

USER_AGENT = f"supernode-kg/{__version__} ({PROJECT_HOME})"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    @classmethod
    def from_environment(cls) -> Credentials | None:
        user = os.environ.get("KG_ENDPOINT_USER")
        if not user:
            return None
        return cls(user, os.environ.get("KG_ENDPOINT_PASSWORD", ""))

    def header(self) -> str:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


def query_endpoint(endpoint: str, text: str, *, timeout: float = 30.0) -> object:
    """Run a query at a SPARQL 1.1 endpoint; return pyoxigraph results.

    SELECT and ASK answers are asked for as SPARQL JSON; CONSTRUCT and DESCRIBE as N-Triples.
    The result is a ``QuerySolutions``, a ``QueryBoolean`` or a list of ``Triple``.

    Raises:
        KgError: an update; the endpoint is unreachable, times out, refuses (HTTP error) or
            does not answer in the format asked for.
    """
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    form = query_form(text)
    if form is None:
        raise KgError(
            f"{endpoint}: only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are sent to endpoints"
        )
    _check_url(endpoint)
    wrapper = SPARQLWrapper(endpoint, agent=USER_AGENT)
    # Comments are not sent: SPARQLWrapper guesses the query type with a regular expression that
    # can take a word in a comment ("loading") for an update keyword (LOAD) and then sends the
    # query as an update. The form we parsed ourselves is set explicitly for the same reason.
    wrapper.setQuery(strip_comments(text))
    wrapper.queryType = form
    wrapper.setMethod(POST)
    wrapper.setTimeout(max(1, round(timeout)))
    graph_answer = form in ("CONSTRUCT", "DESCRIBE")
    wrapper.setReturnFormat(TURTLE if graph_answer else JSON)
    if graph_answer:
        wrapper.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
    credentials = Credentials.from_environment()
    if credentials:
        wrapper.addCustomHttpHeader("Authorization", credentials.header())
    try:
        response = wrapper.query()
        body = response.response.read()
        content_type = (response.info().get("content-type") or "").split(";")[0].strip().lower()
    except SPARQLWrapperException as error:
        raise KgError(f"{endpoint}: {_wrapper_error(error)}") from None
    except OSError as error:
        raise _network_error(endpoint, "", error, timeout, "the endpoint") from None
    return _parse_answer(endpoint, body, content_type, graph_answer)


def _parse_answer(endpoint: str, body: bytes, content_type: str, graph_answer: bool) -> object:
    try:
        if graph_answer:
            rdf_format = ox.RdfFormat.from_media_type(content_type) or ox.RdfFormat.N_TRIPLES
            return [quad.triple for quad in ox.parse(body, format=rdf_format)]
        results = ox.parse_query_results(
            _valid_blank_labels(body), format=ox.QueryResultsFormat.JSON
        )
        if isinstance(results, ox.QuerySolutions):
            # The parser reads lazily: read the whole answer now, so that one cut off mid-stream
            # fails here, as one line, and not halfway through printing.
            whole = results.serialize(format=ox.QueryResultsFormat.JSON) or b""
            results = ox.parse_query_results(whole, format=ox.QueryResultsFormat.JSON)
        return results
    except (SyntaxError, ValueError, RuntimeError) as error:
        shown = content_type or "no content type"
        detail = one_line(error)
        what = (
            "the answer was cut off"
            if "end of file" in detail.lower()
            else "the answer is not SPARQL results"
        )
        raise KgError(f"{endpoint}: {what} ({shown}): {detail[:160]}") from None


_BLANK_LABEL = re.compile(r"[A-Za-z0-9]+")


def _valid_blank_labels(body: bytes) -> bytes:
    """SPARQL JSON results with each blank node's label made one RDF accepts: Virtuoso labels
    its blank nodes ``nodeID://b10001``, which Oxigraph refuses. A label that is not letters and
    digits only is rewritten the same way every time (``nodeID://b1`` as ``vnodeID_3a__2f__2f_b1``,
    each other character as its hex code between ``_``, ``_`` included), so a node keeps one label
    across answers and two labels never become one. Other answers are returned unchanged."""
    if b'"bnode"' not in body:
        return body
    import json

    try:
        document = json.loads(body)
    except ValueError:
        return body  # not JSON: the parser says why
    changed = False
    for binding in document.get("results", {}).get("bindings", []):
        for term in binding.values():
            label = term.get("value", "") if isinstance(term, dict) else ""
            if term.get("type") == "bnode" and not _BLANK_LABEL.fullmatch(label):
                term["value"] = "v" + "".join(
                    c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in label
                )
                changed = True
    return json.dumps(document).encode("utf-8") if changed else body


def _wrapper_error(error: Exception) -> str:
    text = one_line(error)
    for prefix in (
        "QueryBadFormed: ",
        "EndPointNotFound: ",
        "Unauthorized: ",
        "EndPointInternalError: ",
    ):
        text = text.replace(prefix, "")
    names = {
        "QueryBadFormed": "the endpoint says the query is malformed",
        "EndPointNotFound": "HTTP 404: no SPARQL endpoint at this address",
        "Unauthorized": "HTTP 401: access denied (set KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD)",
        "EndPointInternalError": "HTTP 500: the endpoint failed",
        "URITooLong": "HTTP 414: the query is too long for this endpoint",
    }
    summary = names.get(type(error).__name__, type(error).__name__)
    detail = text.split("Response:", 1)[-1].strip() if "Response:" in text else ""
    if detail[:2] in ("b'", 'b"') and detail[-1:] == detail[1]:
        detail = detail[2:-1]
    detail = detail[:200]
    return f"{summary}{': ' + detail if detail else ''}"


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KgError(f"{url}: not an http(s) URL")


def _first_line(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read().decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return (text.splitlines() or [""])[0][:200]


# ---------------------------------------------------------------------------------------------
# Graph Store Protocol


@dataclass(frozen=True)
class PushOutcome:
    """What `kg push` sent and what the store holds afterwards."""

    url: str
    sent: int
    held: int


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL for a named graph (``?graph=IRI``) or the default graph."""
    _check_url(endpoint)
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    if graph is None:
        return f"{endpoint}{separator}default"
    return f"{endpoint}{separator}graph={urllib.parse.quote(graph, safe='')}"


def push(
    endpoint: str,
    files: Sequence[str | os.PathLike[str]],
    graph: str | None = None,
    *,
    timeout: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> PushOutcome:
    """Replace a graph of a Graph Store Protocol endpoint with the triples of ``files``, then
    read it back and check the store holds exactly those triples.

    Comparison is by value (a store may write ``0.30`` as ``0.3``); triples with blank nodes
    are compared by count, since a store renames blank nodes.

    Raises:
        KgError: a file does not parse, the upload or the read-back fails, or the store holds
            other triples than were sent.
    """
    from kg.rdf.files import file_quads

    step = progress or (lambda description: None)
    step("parsing")
    triples = list(dict.fromkeys(q.triple for q in file_quads(files)))
    url = graph_store_url(endpoint, graph)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    step("uploading")
    _http(url, "PUT", body, {"Content-Type": "application/n-triples"}, timeout)
    step("reading back")
    answer = _http(url, "GET", None, {"Accept": "application/n-triples"}, timeout)
    try:
        held = [q.triple for q in ox.parse(answer, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as error:
        raise KgError(f"{url}: the store's copy does not parse as N-Triples: {error.msg}") from None
    step("comparing")
    sent = _compare(url, triples, held)
    return PushOutcome(url=url, sent=sent, held=len(held))


def _canonical(triples: Sequence[ox.Triple]) -> tuple[set[ox.Quad], int]:
    """Ground triples by value (through a store, which canonicalizes literals), and the
    number of triples that involve a blank node."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    ground = set()
    with_blank_nodes = 0
    for quad in store:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            with_blank_nodes += 1
        else:
            ground.add(quad)
    return ground, with_blank_nodes


def _compare(url: str, sent: Sequence[ox.Triple], held: Sequence[ox.Triple]) -> int:
    """Check the store holds what was sent; return how many distinct triples that is."""
    sent_ground, sent_blank = _canonical(sent)
    held_ground, held_blank = _canonical(held)
    missing = sent_ground - held_ground
    extra = held_ground - sent_ground
    if missing or extra or sent_blank != held_blank:
        example = next(iter(missing or extra), None)
        raise KgError(
            f"{url}: the store does not hold what was sent: {len(missing)} triples missing, "
            f"{len(extra)} unexpected, {held_blank} vs {sent_blank} with blank nodes"
            + (f" (for example {example.triple})" if example else "")
        )
    return len(sent_ground) + sent_blank


class _DigestAuthHandler(urllib.request.HTTPDigestAuthHandler):
    """Answers a Digest challenge with the environment's credentials (Virtuoso's
    ``/sparql-graph-crud-auth`` asks for Digest). Such a store answers the Basic header sent up
    front with a bare 401 and no challenge; then ask once more without it, to be challenged."""

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        if not headers.get("WWW-Authenticate") and req.unredirected_hdrs.get(
            "Authorization", ""
        ).startswith("Basic "):
            probe = urllib.request.Request(
                req.full_url, method="HEAD", headers={"User-Agent": USER_AGENT}
            )
            try:
                urllib.request.build_opener().open(probe, timeout=req.timeout)
            except urllib.error.HTTPError as challenge:
                headers = challenge.headers
        return super().http_error_401(req, fp, code, msg, headers)


def _http(
    url: str, method: str, body: bytes | None, headers: dict[str, str], timeout: float
) -> bytes:
    request = urllib.request.Request(
        url, data=body, method=method, headers={"User-Agent": USER_AGENT, **headers}
    )
    credentials = Credentials.from_environment()
    opener = urllib.request.build_opener()
    if credentials:
        # Basic up front (one request where Basic is wanted); Digest when the store asks for it.
        request.add_unredirected_header("Authorization", credentials.header())
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, credentials.user, credentials.password)
        opener = urllib.request.build_opener(_DigestAuthHandler(passwords))
    try:
        with opener.open(request, timeout=timeout) as response:
            answer: bytes = response.read()
            return answer
    except OSError as error:
        raise _network_error(url, method, error, timeout, "the store") from None


def _network_error(url: str, method: str, error: OSError, timeout: float, what: str) -> KgError:
    """One line for a failed HTTP exchange: the HTTP status, a time-out, or why it was unreachable."""
    where = f"{url}: {method + ' ' if method else ''}"
    if isinstance(error, urllib.error.HTTPError):
        return KgError(
            f"{where}{'failed: ' if method else ''}HTTP {error.code} {error.reason}: {_first_line(error)}"
        )
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return KgError(f"{where}no answer within {timeout:g} s")
    if isinstance(error, urllib.error.URLError):
        return KgError(f"{where}cannot reach {what}: {getattr(reason, 'strerror', None) or reason}")
    return KgError(f"{where}connection failed: {error.strerror or error}")
