"""Turning ``--param name=value`` strings into RDF terms bound to a saved query's variables.

Values are checked against the parameter's type and become RDF terms. Binding then rewrites
the query text token by token (:func:`kg.sparql.text.bind`): each token of a bound variable is
replaced by one RDF term token, so a value cannot change what the query does (no SPARQL
injection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.base.namespaces import SND, XSD
from kg.sparql.catalog import Parameter, SavedQuery

# RFC 3987 forbids these in an IRI; a value containing one is not an IRI.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CURIE = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s]*)$")


def _check_integer(value: str) -> None:
    if not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
        raise ValueError("a whole number")


def _check_decimal(value: str) -> None:
    from decimal import Decimal, InvalidOperation

    try:
        Decimal(value)
    except InvalidOperation as error:
        raise ValueError("a decimal number") from error
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", value.strip()):
        raise ValueError("a decimal number")


def _check_double(value: str) -> None:
    try:
        float(value)
    except ValueError as error:
        raise ValueError("a floating-point number") from error


def _check_date(value: str) -> None:
    import datetime as dt

    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?", value):
        raise ValueError("a date such as 2025-09-16")
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError as error:
        raise ValueError("a date such as 2025-09-16 (a real calendar day)") from error


def _check_datetime(value: str) -> None:
    import datetime as dt

    try:
        dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError("a date and time such as 2025-09-28T16:00:00") from error


def _check_gyear(value: str) -> None:
    if not re.fullmatch(r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?", value):
        raise ValueError("a year such as 2027")


def _check_boolean(value: str) -> None:
    if value not in ("true", "false", "1", "0"):
        raise ValueError("true or false")


_CHECKS = {
    "integer": _check_integer,
    "int": _check_integer,
    "long": _check_integer,
    "short": _check_integer,
    "byte": _check_integer,
    "nonNegativeInteger": _check_integer,
    "positiveInteger": _check_integer,
    "negativeInteger": _check_integer,
    "nonPositiveInteger": _check_integer,
    "decimal": _check_decimal,
    "double": _check_double,
    "float": _check_double,
    "date": _check_date,
    "dateTime": _check_datetime,
    "gYear": _check_gyear,
    "boolean": _check_boolean,
}


def parse_param_options(options: Iterable[str]) -> dict[str, str]:
    """Split repeated ``name=value`` options into a dict.

    Raises:
        KgError: an option has no ``=`` or an empty name, or a name is given twice.
    """
    values: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        name = name.strip()
        if not sep or not name:
            raise KgError(f"--param {option!r}: expected name=value")
        if name in values:
            raise KgError(f"--param {name}: given more than once")
        values[name] = value
    return values


def bind_parameters(
    query: SavedQuery, values: Mapping[str, str], resolve: Callable[[str], str] | None = None
) -> dict[str, object]:
    """Check ``values`` against the query's parameters and return variable name -> RDF term.

    Defaults from the query's header fill parameters not given; optional parameters that are
    neither given nor defaulted stay unbound. ``resolve`` turns a value of an IRI parameter
    that is neither an IRI nor a prefixed name (a label such as ``腾讯``, a local name such as
    ``tencent``) into an IRI; :func:`kg.sparql.entities.resolve_entity` is the one `kg` uses.

    Example:
        >>> from kg.sparql.catalog import Catalog
        >>> q = Catalog.bundled().get("partners")
        >>> bind_parameters(q, {"org": "https://w3id.org/supernode-kg/id/tencent"})
        {'_org_iri': <NamedNode value=https://w3id.org/supernode-kg/id/tencent>}

    Raises:
        KgError: an unknown name (the known ones are listed), a required parameter missing,
            or a value of the wrong type.
    """
    known = {p.name for p in query.parameters}
    unknown = sorted(set(values) - known)
    if unknown:
        listing = ", ".join(sorted(known)) if known else "none"
        raise KgError(
            f"query {query.name!r} has no parameter {unknown[0]!r} (its parameters: {listing})"
        )
    bindings: dict[str, object] = {}
    for parameter in query.parameters:
        raw = values.get(parameter.name, query.defaults.get(parameter.name))
        if raw is None:
            if parameter.optional:
                continue
            raise KgError(
                f"query {query.name!r} needs --param {parameter.name}=<{parameter.describe_type()}>"
            )
        bindings[parameter.variable] = to_term(parameter, raw, query.prefixes, resolve)
    return bindings


def to_term(
    parameter: Parameter,
    raw: str,
    prefixes: Mapping[str, str],
    resolve: Callable[[str], str] | None = None,
) -> object:
    """Turn one value into the RDF term its parameter expects.

    IRIs may be written in full or as a prefixed name using a prefix the query declares; with
    ``resolve``, also as anything it resolves (a label). A ``SERVICE`` target takes only an
    http(s) URL written in full.

    Raises:
        KgError: the value is not of the parameter's type.
    """
    where = f"--param {parameter.name}"
    if "\x00" in raw:
        raise KgError(f"{where}: value contains a NUL character")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no RDF term (and no label) can hold it
        raise KgError(f"{where}: the value is not valid Unicode text") from None
    if parameter.kind == "iri" and parameter.endpoint:
        return ox.NamedNode(_to_endpoint_url(raw, where))
    if parameter.kind == "iri":
        try:
            return ox.NamedNode(_to_iri(raw, prefixes, where))
        except KgError:
            if resolve is None or not raw.strip() or _looks_like_iri(raw):
                raise
        try:
            return ox.NamedNode(resolve(raw))
        except KgError as error:
            raise KgError(
                f"{where}: expected an absolute IRI, a prefixed name or an entity's label; "
                f"{error.message}"
            ) from None
    if parameter.kind == "language":
        return ox.Literal(raw, language=parameter.language)
    if parameter.kind == "datatype" and parameter.datatype:
        local = parameter.datatype.removeprefix(XSD) if parameter.datatype.startswith(XSD) else None
        check = _CHECKS.get(local or "")
        if check is not None:
            try:
                check(raw)
            except ValueError as error:
                raise KgError(
                    f"{where}: expected {error.args[0]} ({parameter.describe_type()}), got {raw!r}"
                ) from None
        return ox.Literal(raw, datatype=ox.NamedNode(parameter.datatype))
    return ox.Literal(raw)


def _looks_like_iri(raw: str) -> bool:
    value = raw.strip()
    return value.startswith("<") or bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value))


def _to_endpoint_url(raw: str, where: str) -> str:
    from urllib.parse import urlsplit

    value = raw.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or _IRI_FORBIDDEN.search(value):
        raise KgError(
            f"{where}: expected the URL of a SPARQL endpoint, such as "
            f"https://query.wikidata.org/sparql, got {raw!r}"
        )
    return value


def _to_iri(raw: str, prefixes: Mapping[str, str], where: str) -> str:
    value = raw.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    curie = _CURIE.match(value)
    if (
        curie
        and (curie.group(1) or "") in prefixes
        and not value.startswith(("http:", "https:", "urn:"))
    ):
        value = prefixes[curie.group(1) or ""] + curie.group(2)
    if not _IRI_SCHEME.match(value) or _IRI_FORBIDDEN.search(value):
        raise KgError(f"{where}: expected an absolute IRI such as {SND}tencent, got {raw!r}")
    try:
        ox.NamedNode(value)
    except ValueError as error:
        raise KgError(f"{where}: not a valid IRI: {error}") from None
    return value
