"""The saved-query catalog: ``queries/*.rq`` files, their grlc headers and their parameters.

A saved query is a plain SPARQL 1.1 file. Its leading ``#+`` comment lines are grlc
decorators (``summary``, ``description``, ``tags``, ``defaults``, ...), and variables named
in grlc's convention are parameters: ``?_name`` (a plain literal), ``?__name`` (optional),
``?_name_iri`` (an IRI), ``?_name_en`` (a literal in a language), ``?_name_integer`` (an
``xsd:integer``; any XSD datatype name works), ``?_name_prefix_type`` (a datatype named by a
prefix the query declares). The folder can therefore be served by grlc unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from kg.base.bundle import bundled
from kg.base.errors import KgError
from kg.base.input_limits import MAX_QUERY_BYTES, read_regular_file, without_bom
from kg.base.namespaces import XSD
from kg.sparql.text import check_nesting, read_prologue, service_variables, variables

#: XSD datatype names that a parameter may end with (``?_year_integer``, ``?_day_date``).
XSD_TYPE_NAMES = frozenset(
    {
        "string",
        "boolean",
        "decimal",
        "integer",
        "double",
        "float",
        "date",
        "dateTime",
        "time",
        "gYear",
        "gYearMonth",
        "duration",
        "anyURI",
        "language",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "dateTimeStamp",
    }
)

_PARAMETER_VARIABLE = re.compile(r"_{1,2}[A-Za-z0-9][A-Za-z0-9_]*")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Parameter:
    """A parameter of a saved query, read from a grlc-style variable name.

    Attributes:
        variable: the SPARQL variable without its ``?`` (``_org_iri``).
        name: what the user passes to ``--param`` (``org``).
        kind: ``iri``, ``literal`` (plain string), ``language`` or ``datatype``.
        optional: whether the query runs without it (``?__name``).
        language: the language tag, for kind ``language``.
        datatype: the datatype IRI, for kind ``datatype``.
        endpoint: an IRI used as a ``SERVICE`` target: its value must be an endpoint's URL.
    """

    variable: str
    name: str
    kind: str
    optional: bool = False
    language: str | None = None
    datatype: str | None = None
    endpoint: bool = False

    def describe_type(self) -> str:
        """A short human description of the expected value (``IRI``, ``xsd:integer``, ``@en text``)."""
        if self.kind == "iri":
            return "endpoint URL" if self.endpoint else "IRI"
        if self.kind == "language":
            return f"@{self.language} text"
        if self.kind == "datatype" and self.datatype:
            return self.datatype.replace(XSD, "xsd:")
        return "text"


@dataclass(frozen=True)
class SavedQuery:
    """One ``.rq`` file of the catalog.

    Attributes:
        name: the file name without ``.rq``; what ``kg query NAME`` takes.
        path: where the file is.
        text: the query exactly as in the file, parameters unbound (binding later replaces
            a bound variable's tokens by one RDF term token, see :func:`kg.sparql.text.bind`).
        summary, description, tags: from the grlc header.
        chart: the chart (``kg chart NAME``) that draws this query's rows, from the header line
            ``#+ chart: NAME`` (grlc ignores keys it does not know); empty if none.
        defaults: parameter name -> default value, from the header's ``defaults``.
        parameters: in order of first appearance in the query.
        prefixes: prefix -> namespace, as the query declares them.
    """

    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    chart: str = ""
    defaults: dict[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict)
    header: dict[str, object] = field(default_factory=dict)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def needs(self, parameter: Parameter) -> bool:
        """Whether the query cannot run without a value for ``parameter``: it is neither
        optional (``?__name``) nor given a default in the header."""
        return not parameter.optional and parameter.name not in self.defaults


def read_saved_query(path: str | Path) -> SavedQuery:
    """Read one query file and its grlc header.

    A UTF-8 byte order mark at the start is dropped.

    Raises:
        KgError: the file cannot be read, is not a regular file, is larger than
            :data:`kg.base.input_limits.MAX_QUERY_BYTES`, is not UTF-8, nests deeper than
            :data:`kg.sparql.text.MAX_NESTING`, or its header is malformed.
    """
    path = Path(path)
    return query_from_bytes(without_bom(read_regular_file(path, MAX_QUERY_BYTES)), path)


def read_query_stream(stream: BinaryIO, name: str = "-") -> SavedQuery:
    """Read a query from a stream (``kg query --file -`` reads standard input), within the
    same limits as a file.

    Raises:
        KgError: as :func:`read_saved_query`.
    """
    data = stream.read(MAX_QUERY_BYTES + 1)
    if len(data) > MAX_QUERY_BYTES:
        raise KgError(f"{name}: the query is larger than kg's limit of {MAX_QUERY_BYTES} bytes")
    return query_from_bytes(without_bom(data), Path(name))


def query_from_text(text: str, name: str = "query") -> SavedQuery:
    """A query given as text (``kg query --query 'SELECT ...'``), read as a saved query would be.

    Raises:
        KgError: as :func:`read_saved_query`.
    """
    return query_from_bytes(text.encode("utf-8"), Path(name))


def query_from_bytes(data: bytes, path: Path) -> SavedQuery:
    """A query from its bytes; ``path`` names it (and gives its name, the file's stem).

    Raises:
        KgError: as :func:`read_saved_query`.
    """
    if len(data) > MAX_QUERY_BYTES:
        raise KgError(f"{path}: the query is larger than kg's limit of {MAX_QUERY_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise KgError(f"{path}: not UTF-8 text (byte {error.start})") from None
    check_nesting(text, str(path))
    header = parse_grlc_header(text, path)
    prefixes = read_prologue(text).prefixes
    defaults = _defaults(header.get("defaults"), path)
    return SavedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header.get("summary", "") or ""),
        description=str(header.get("description", "") or ""),
        tags=tuple(str(t) for t in _as_list(header.get("tags"))),
        chart=str(header.get("chart", "") or ""),
        defaults=defaults,
        parameters=tuple(find_parameters(text, prefixes)),
        prefixes=prefixes,
        header=header,
    )


class Catalog:
    """The saved queries of one folder, by name.

    Example:
        >>> catalog = Catalog.bundled()
        >>> "solutions" in catalog.names()
        True
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._paths = {p.stem: p for p in sorted(folder.glob("*.rq"))}

    @classmethod
    def bundled(cls) -> Catalog:
        return cls(bundled().queries_dir)

    def names(self) -> list[str]:
        return list(self._paths)

    def __iter__(self) -> Iterator[SavedQuery]:
        return (read_saved_query(p) for p in self._paths.values())

    def get(self, name: str) -> SavedQuery:
        """Return the saved query called ``name``.

        Raises:
            KgError: no such query; the message suggests the closest names.
        """
        path = self._paths.get(name)
        if path is None:
            import difflib

            close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else "; `kg queries` lists them"
            raise KgError(f"no saved query named {name!r}{hint}")
        return read_saved_query(path)


def find_parameters(text: str, prefixes: dict[str, str]) -> list[Parameter]:
    """The grlc parameters a query uses (variables starting with ``_``), in order of first use."""
    services = set(service_variables(text))
    found = []
    for name in variables(text):
        if _PARAMETER_VARIABLE.fullmatch(name):
            parameter = _parameter_from_variable(name, prefixes)
            if parameter.kind == "iri" and name in services:
                parameter = replace(parameter, endpoint=True)
            found.append(parameter)
    return found


def _parameter_from_variable(variable: str, prefixes: dict[str, str]) -> Parameter:
    optional = variable.startswith("__")
    parts = variable.lstrip("_").split("_")
    if len(parts) >= 2 and parts[-1] == "iri":
        return Parameter(variable, "_".join(parts[:-1]), "iri", optional)
    if len(parts) >= 3 and parts[-2] in prefixes:
        datatype = prefixes[parts[-2]] + parts[-1]
        return Parameter(variable, "_".join(parts[:-2]), "datatype", optional, datatype=datatype)
    if len(parts) >= 2 and parts[-1] in XSD_TYPE_NAMES:
        return Parameter(
            variable, "_".join(parts[:-1]), "datatype", optional, datatype=XSD + parts[-1]
        )
    if len(parts) >= 2 and _LANGUAGE_TAG.match(parts[-1]):
        return Parameter(variable, "_".join(parts[:-1]), "language", optional, language=parts[-1])
    return Parameter(variable, "_".join(parts), "literal", optional)


def parse_grlc_header(text: str, path: Path | None = None) -> dict[str, object]:
    """Parse the leading ``#+`` lines of a query: the subset of YAML that grlc decorators use.

    Supported: ``key: value``; ``key:`` followed by ``- item`` lines; items of the form
    ``- name: value`` (as in ``defaults``); indented continuation lines of a scalar.

    Raises:
        KgError: a header line that is not of those forms, named with its line number.
    """
    header: dict[str, object] = {}
    current_key: str | None = None
    where = f"{path}" if path else "query"
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if not stripped.startswith("#+"):
            if stripped.startswith("#"):
                continue
            break
        body = stripped[2:]
        content = body.strip()
        if not content:
            continue
        indented = body.startswith(("  ", "\t"))
        if content.startswith("- ") or content == "-":
            if current_key is None:
                raise KgError(f"{where}:{number}: grlc header list item outside a key")
            item = _list_item(content[1:].strip())
            existing = header.get(current_key)
            if existing in (None, ""):
                header[current_key] = [item]
            elif isinstance(existing, list):
                existing.append(item)
            else:
                raise KgError(
                    f"{where}:{number}: list item under {current_key!r}, which has a value"
                )
            continue
        key, sep, value = content.partition(":")
        if sep and re.fullmatch(r"[A-Za-z_][\w-]*", key.strip()) and not indented:
            current_key = key.strip()
            header[current_key] = _scalar(value.strip())
            continue
        if current_key is not None and isinstance(header.get(current_key), str) and indented:
            header[current_key] = f"{header[current_key]} {content}".strip()
            continue
        raise KgError(
            f"{where}:{number}: grlc header line is not 'key: value' or '- item': {content!r}"
        )
    return header


def _scalar(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _list_item(content: str) -> object:
    key, sep, value = content.partition(": ")
    if sep and re.fullmatch(r"[A-Za-z_][\w-]*", key):
        return {key: _scalar(value.strip())}
    return _scalar(content)


def _as_list(value: object) -> list[object]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    return [value]


def _defaults(value: object, path: Path) -> dict[str, str]:
    defaults: dict[str, str] = {}
    for item in _as_list(value):
        if not isinstance(item, dict):
            raise KgError(f"{path}: grlc 'defaults' items must be '- name: value', got {item!r}")
        defaults.update({str(k): str(v) for k, v in item.items()})
    return defaults


def parameter_signature(saved: SavedQuery) -> str:
    """The parameters as ``kg queries`` lists them: ``name=<type>`` when the query needs a
    value, ``name?=<type>`` when it runs without one (optional, or defaulted in the header)."""
    return " ".join(
        f"{p.name}{'' if saved.needs(p) else '?'}=<{p.describe_type()}>" for p in saved.parameters
    )


def saved_query_json(saved: SavedQuery) -> dict[str, object]:
    """One saved query as data: what `kg queries NAME --format json` and ``/api/queries`` give."""
    return {
        "name": saved.name,
        "summary": saved.summary,
        "description": saved.description,
        "tags": list(saved.tags),
        "parameters": [
            {
                "name": p.name,
                "type": p.describe_type(),
                "optional": not saved.needs(p),
                **({"default": saved.defaults[p.name]} if p.name in saved.defaults else {}),
            }
            for p in saved.parameters
        ],
        "defaults": saved.defaults,
        "text": saved.text,
        **({"chart": saved.chart} if saved.chart else {}),
    }


def saved_query_help(saved: SavedQuery, prefixes: dict[str, str] | None = None) -> str:
    """One saved query for people (`kg queries NAME`): summary, description, tags, each
    parameter with its type and default, how to run it, and the SPARQL text."""
    import textwrap

    from kg.sparql.results import compact_iri

    lines = [f"{saved.name}: {saved.summary}" if saved.summary else saved.name]
    if saved.description:
        lines += ["", *textwrap.wrap(saved.description, 88)]
    if saved.tags:
        lines += ["", f"Tags: {', '.join(saved.tags)}"]
    example = [f"kg query {saved.name}"]
    if saved.parameters:
        lines += ["", "Parameters:"]
        width = max(len(p.name) for p in saved.parameters)
        for p in saved.parameters:
            default = saved.defaults.get(p.name)
            if default is not None and p.kind == "iri" and not p.endpoint:
                default = compact_iri(default, prefixes or saved.prefixes).strip("<>")
            if default is not None:
                state = f"optional, default {default}"
            else:
                state = "optional" if p.optional else "required"
            lines.append(f"  {p.name:<{width}}  {p.describe_type():<14}  {state}")
            if saved.needs(p) or default is not None:
                example.append(f"--param {p.name}={default if default is not None else '...'}")
    lines += ["", f"Run: {' '.join(example)}"]
    if saved.chart:
        lines += [f"Chart: kg chart {saved.chart} --out {saved.chart}.svg"]
    lines += ["", f"SPARQL ({saved.path.name}):", _without_header(saved.text).rstrip("\n")]
    return "\n".join(lines) + "\n"


def _without_header(text: str) -> str:
    """The query after its leading ``#+`` header lines (shown above it already)."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (
        lines[start].lstrip().startswith("#+") or not lines[start].strip()
    ):
        start += 1
    return "".join(lines[start:])
