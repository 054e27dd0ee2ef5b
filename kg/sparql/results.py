"""Printing query results: a readable table, or the standard SPARQL and RDF formats.

SELECT and ASK results serialize to the W3C SPARQL 1.1 Query Results formats (JSON, XML,
CSV, TSV); CONSTRUCT and DESCRIBE results to Turtle, N-Triples, JSON-LD or RDF/XML.
"""

from __future__ import annotations

import io
import sys
import unicodedata
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.base.namespaces import RDF_TYPE, XSD_STRING
from kg.rdf.formats import rdf_formats, result_formats

SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = result_formats()
GRAPH_FORMATS: dict[str, ox.RdfFormat] = rdf_formats("graph")
OUTPUT_FORMATS = (
    "table",
    *SOLUTION_FORMATS,
    *(f for f in GRAPH_FORMATS if f not in SOLUTION_FORMATS),
)


#: How ``table`` output lays out rows: ``table`` (cells cut to fit a terminal), ``wrap`` (cells
#: wrap within their column) or ``expanded`` (one block of ``name | value`` lines per row, as
#: psql's ``\x``).
LAYOUTS = ("table", "wrap", "expanded")


def render(
    results: object,
    output_format: str,
    prefixes: Mapping[str, str] | None = None,
    *,
    layout: str = "table",
) -> str:
    """Render query results as text in ``output_format``.

    ``table`` is for people (IRIs shortened with ``prefixes``, rows laid out as ``layout``
    says, see :data:`LAYOUTS`); the other formats are the W3C ones, each ending with a
    newline. ``xml`` means SPARQL Results XML for SELECT/ASK and RDF/XML for
    CONSTRUCT/DESCRIBE; JSON-LD is compacted with ``prefixes`` as its ``@context``.

    Raises:
        KgError: the format does not apply to this kind of result.
    """
    prefixes = dict(prefixes or {})
    if isinstance(results, ox.QueryTriples | list):  # a list: triples parsed from an endpoint
        return _render_triples(results, output_format, prefixes)
    if isinstance(results, ox.QueryBoolean):
        if output_format == "table":
            return "true\n" if bool(results) else "false\n"
        return _serialize_solutions(results, output_format)
    if isinstance(results, ox.QuerySolutions):
        if output_format == "table":
            variables = [v.value for v in results.variables]
            rows = [[term_text(solution[v], prefixes) for v in variables] for solution in results]
            if layout == "expanded":
                return format_records(variables, rows)
            return format_table(variables, rows, wrap=layout == "wrap")
        return _serialize_solutions(results, output_format)
    raise KgError(f"cannot render results of type {type(results).__name__}")


def _serialize_solutions(results: ox.QuerySolutions | ox.QueryBoolean, output_format: str) -> str:
    result_format = SOLUTION_FORMATS.get(output_format)
    if result_format is None:
        raise KgError(
            f"--format {output_format} is for CONSTRUCT/DESCRIBE results; "
            f"SELECT/ASK results print as table, {', '.join(SOLUTION_FORMATS)}"
        )
    buffer = io.BytesIO()
    results.serialize(buffer, format=result_format)
    text = buffer.getvalue().decode("utf-8")
    return text if text.endswith("\n") or not text else text + "\n"  # CSV and TSV end with one


def _render_triples(
    results: ox.QueryTriples | list[ox.Triple], output_format: str, prefixes: dict[str, str]
) -> str:
    rdf_format = GRAPH_FORMATS.get("turtle" if output_format == "table" else output_format)
    if rdf_format is None:
        raise KgError(
            f"--format {output_format} is for SELECT/ASK results; "
            f"CONSTRUCT/DESCRIBE results print as {', '.join(GRAPH_FORMATS)}"
        )
    # Sorted, so the same graph always prints the same bytes.
    triples = sorted(results, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    used = {p: ns for p, ns in prefixes.items() if p}
    if rdf_format == ox.RdfFormat.JSON_LD:
        return compact_json_ld(triples, used)
    data = ox.serialize(
        triples, format=rdf_format, prefixes=used if rdf_format == ox.RdfFormat.TURTLE else None
    )
    return data.decode("utf-8") if data else ""


def compact_json_ld(triples: Sequence[ox.Triple], prefixes: Mapping[str, str]) -> str:
    """Triples as JSON-LD compacted with ``prefixes`` as its ``@context`` (only the prefixes
    used), one node object per subject in ``@graph``, keys sorted, ending with a newline."""
    import json

    from kg.rdf.prefixes import compaction_context

    context = compaction_context(prefixes, triples)
    #: node id -> key (``@type`` or a property) -> its values
    nodes: dict[str, dict[str, list[object]]] = {}

    def name(iri: str) -> str:
        short = compact_iri(iri, context)
        return short if not short.startswith("<") else iri

    def value(term: object) -> object:
        if isinstance(term, ox.NamedNode):
            return {"@id": name(term.value)}
        if isinstance(term, ox.BlankNode):
            return {"@id": f"_:{term.value}"}
        assert isinstance(term, ox.Literal)
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": name(term.datatype.value)}

    for triple in triples:
        subject = triple.subject
        if isinstance(subject, ox.Triple):
            raise KgError(f"JSON-LD cannot write an RDF 1.2 triple term as a subject: {subject}")
        key = f"_:{subject.value}" if isinstance(subject, ox.BlankNode) else name(subject.value)
        node = nodes.setdefault(key, {})
        if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            node.setdefault("@type", []).append(name(triple.object.value))
        else:
            node.setdefault(name(triple.predicate.value), []).append(value(triple.object))
    graph = [{"@id": key, **nodes[key]} for key in sorted(nodes)]
    document = {"@context": context, "@graph": graph}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def term_value(term: object) -> str:
    """An IRI's text, a blank node's label or a literal's lexical form: the ``value`` of a term
    in a row of :func:`kg.sparql.sources.select_rows`.

    Raises:
        KgError: ``term`` is not one of those (a triple term, or no term at all).
    """
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term.value
    raise KgError(f"expected an IRI, a blank node or a literal, got {term!r}")


def term_text(term: object, prefixes: Mapping[str, str]) -> str:
    """A term as a person reads it: a prefixed name (or ``<iri>``), a literal's text, ``_:id``."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def compact_iri(iri: str, prefixes: Mapping[str, str]) -> str:
    """Shorten an IRI to ``prefix:local`` with the longest matching namespace, else ``<iri>``."""
    best = ""
    best_prefix = None
    for prefix, namespace in prefixes.items():
        if namespace and iri.startswith(namespace) and len(namespace) > len(best):
            local = iri[len(namespace) :]
            if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                best, best_prefix = namespace, prefix
    if best_prefix is None:
        return f"<{iri}>"
    return f"{best_prefix}:{iri[len(best) :]}"


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int | None = None,
    *,
    wrap: bool = False,
) -> str:
    """Lay out rows as a plain-text table; a footer counts the rows.

    On a terminal the columns fit its width (long cells are cut with an ellipsis, or with
    ``wrap`` continue on the next lines of their column); written to a file or a pipe, nothing
    is cut, so logs keep every value whole. ``width`` overrides both.
    """
    if width is None:
        width = terminal_width(from_environment=wrap)
    cells = [[c.replace("\n", " ") for c in row] for row in rows]
    natural = [
        max([display_width(h), *(display_width(r[i]) for r in cells)])
        for i, h in enumerate(headers)
    ]
    # Wrapped, a column keeps at least its header's width where it can (cells wrap, not names)
    minimums = [
        min(n, max(12, display_width(h))) if wrap else 8
        for n, h in zip(natural, headers, strict=True)
    ]
    widths = natural if width is None else _fit(natural, width - 2 * (len(headers) - 1), minimums)
    from kg.base.terminal import paint

    if wrap:
        pieces = [_wrap(h, w) for h, w in zip(headers, widths, strict=True)]
        lines = [
            paint(_row([p[d] if d < len(p) else "" for p in pieces], widths), bold=True)
            for d in range(max(len(p) for p in pieces))
        ]
    else:
        lines = [paint(_row(headers, widths), bold=True)]
    lines.append(_row(["-" * w for w in widths], widths))
    for r in cells:
        if wrap:
            pieces = [_wrap(value, w) for value, w in zip(r, widths, strict=True)]
            for depth in range(max(len(p) for p in pieces)):
                lines.append(_row([p[depth] if depth < len(p) else "" for p in pieces], widths))
        else:
            lines.append(_row(r, widths))
    count = len(rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def terminal_width(*, from_environment: bool = False) -> int | None:
    """The terminal's width in columns, or None when standard output is not a terminal. With
    ``from_environment``, ``COLUMNS`` gives the width to a pipe too (wrapping loses nothing)."""
    if not sys.stdout.isatty():
        import os

        columns = os.environ.get("COLUMNS", "")
        return (
            int(columns) if from_environment and columns.isdigit() and int(columns) >= 20 else None
        )
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def format_records(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None
) -> str:
    """Rows as vertical records, as psql's expanded display (``\\x``): a ``-[ RECORD n ]``
    line, then one ``name | value`` line per column, long values wrapped on a terminal."""
    if width is None:
        width = terminal_width(from_environment=True)
    name_width = max((display_width(h) for h in headers), default=0)
    room = None if width is None else max(20, width - name_width - 3)
    lines = []
    from kg.base.terminal import paint

    for number, row in enumerate(rows, start=1):
        lines.append(paint(f"-[ RECORD {number} ]" + "-" * max(0, name_width - 10), bold=True))
        for header, value in zip(headers, row, strict=True):
            text = value.replace("\n", " ")
            pieces = _wrap(text, room) if room else [text]
            pad = " " * (name_width - display_width(header))
            lines.append(f"{header}{pad} | {pieces[0]}")
            lines.extend(f"{' ' * name_width} | {piece}" for piece in pieces[1:])
    count = len(rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` display columns, broken at spaces where possible
    (a Chinese text, which has none, is broken between characters)."""
    if display_width(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if display_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # a word longer than the column: break it between characters
            if display_width(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines or [""]


def _fit(natural: list[int], available: int, minimums: Sequence[int] | None = None) -> list[int]:
    """Shrink the widest columns first, down to their ``minimums`` (8 each by default), then
    all of them down to 3."""
    widths = list(natural)
    for floor in (list(minimums or [8] * len(widths)), [3] * len(widths)):
        while sum(widths) > available:
            shrinkable = [i for i, w in enumerate(widths) if w > floor[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            widths[widest] -= 1
    return widths


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters take two.

    Example:
        >>> display_width("Tencent"), display_width("腾讯 ETH-X")
        (7, 10)
    """
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _truncate(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = display_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def _row(values: Sequence[str], widths: Sequence[int]) -> str:
    out = []
    for value, w in zip(values, widths, strict=True):
        text = _truncate(value, w)
        out.append(text + " " * (w - display_width(text)))
    return "  ".join(out)
