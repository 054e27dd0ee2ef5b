"""Which remote endpoints a query's SERVICE clauses call, and whether `kg serve` lets it call them.

The targets come from a real SPARQL parser's algebra (rdflib's), never from tokens of the
text: a token reader and the engine disagree on escapes, comments and prefixes, and each
disagreement was a way past the allow-list. Oxigraph, which runs the query, exposes neither
its algebra nor a way to refuse a SERVICE call (pyoxigraph 0.5), so the endpoint runs a query
only when both parsers accept it: rdflib here, Oxigraph when it runs. A query the two read
differently is therefore either refused by one of them or seen by rdflib with its SERVICE
clauses, which are checked. A SERVICE whose endpoint is a variable is refused, as is any
target that is not a plain ``http(s)://host[:port]/...`` IRI on the allow-list (host and port).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from functools import lru_cache
from http import HTTPStatus

from kg.base.errors import one_line
from kg.serve.config import DEFAULT_PORTS, AllowedService, EndpointError


def service_targets(query: str) -> tuple[str | None, ...]:
    """The endpoints the query's SERVICE clauses call, as rdflib's parser reads the query
    (sub-queries, EXISTS and MINUS included); None for a variable endpoint.

    Example:
        >>> sorted(service_targets("SELECT * { SERVICE <http://a/sparql> { ?s ?p ?o } SERVICE ?e { } }"), key=str)
        [None, 'http://a/sparql']

    Raises:
        EndpointError: 400, rdflib does not accept the query.
    """
    if len(query) > _CACHED_QUERY_CHARS:
        return _service_targets(query)
    return _cached_service_targets(query)


#: Only queries up to this long are remembered (512 of them, 8 MB at most): 1,100 distinct
#: 1 MB queries kept 500 MB in a worker when every query was.
_CACHED_QUERY_CHARS = 16_384


def _service_targets(query: str) -> tuple[str | None, ...]:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.term import URIRef

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except RecursionError:
        raise EndpointError(
            HTTPStatus.BAD_REQUEST, "query refused: it is nested too deeply"
        ) from None
    except Exception as error:
        raise EndpointError(HTTPStatus.BAD_REQUEST, _syntax_message(error)) from None
    targets: list[str | None] = []
    for node in _service_nodes(algebra):
        term = node.get("term")
        targets.append(str(term) if isinstance(term, URIRef) else None)
    return tuple(targets)


def _syntax_message(error: Exception) -> str:
    """One line in the form Oxigraph's syntax errors take, naming rdflib as the parser that
    refused (a query Oxigraph alone accepts is refused too)."""
    line, column = getattr(error, "lineno", None), getattr(error, "col", None)
    text = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", str(error))
    reason = one_line(text)[:300] or type(error).__name__
    where = f" at {line}:{column}" if line and column else ""
    return (
        f"SPARQL syntax error{where}: {reason} (rdflib's parser, which every query must also pass)"
    )


def _service_nodes(root: object) -> Iterable[dict]:  # type: ignore[type-arg]
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                yield node
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def check_services(query: str, allowed: frozenset[AllowedService]) -> tuple[str, ...]:
    """Refuse the query unless each SERVICE it calls is on the allow-list; return the targets.

    Raises:
        EndpointError: 400 when rdflib does not accept the query; 403 when a SERVICE endpoint
            is a variable or not on the allow-list.
    """
    targets = service_targets(query)
    shown_allowed = ", ".join(sorted(str(a) for a in allowed)) or "none"
    for target in targets:
        if target is None:
            raise EndpointError(
                HTTPStatus.FORBIDDEN,
                f"SERVICE with a variable endpoint is not allowed here (allowed: {shown_allowed})",
            )
        if not _allowed(target, allowed):
            raise EndpointError(
                HTTPStatus.FORBIDDEN,
                f"SERVICE to {_shown(target)} is not allowed here (allowed: {shown_allowed})",
            )
    return tuple(t for t in targets if t is not None)


def _allowed(target: str, allowed: frozenset[AllowedService]) -> bool:
    try:
        parts = urllib.parse.urlsplit(target)
        port = parts.port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or "@" in parts.netloc or not parts.hostname:
        return False
    host = parts.hostname.lower()
    if ":" in host:  # urlsplit drops an IPv6 address's brackets; entries keep them
        host = f"[{host}]"
    return any(entry.allows(scheme, host, port) for entry in allowed)


def _shown(target: str) -> str:
    """The target as printable ASCII, short (it is echoed in a one-line error)."""
    text = target.encode("ascii", "backslashreplace").decode("ascii")
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


_cached_service_targets = lru_cache(maxsize=512)(_service_targets)
