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

from kg.errors import KgError

SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
OUTPUT_FORMATS = ("table", *SOLUTION_FORMATS, *(f for f in GRAPH_FORMATS if f not in SOLUTION_FORMATS))


def render(results: object, output_format: str, prefixes: Mapping[str, str] | None = None) -> str:
    """Render query results as text in ``output_format``.

    ``table`` is for people (IRIs shortened with ``prefixes``); the other formats are the W3C
    ones. ``xml`` means SPARQL Results XML for SELECT/ASK and RDF/XML for CONSTRUCT/DESCRIBE.

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
            return format_table(variables, rows)
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
    return buffer.getvalue().decode("utf-8")


def _render_triples(results: ox.QueryTriples | list[ox.Triple], output_format: str, prefixes: dict[str, str]) -> str:
    rdf_format = GRAPH_FORMATS.get("turtle" if output_format == "table" else output_format)
    if rdf_format is None:
        raise KgError(
            f"--format {output_format} is for SELECT/ASK results; "
            f"CONSTRUCT/DESCRIBE results print as {', '.join(GRAPH_FORMATS)}"
        )
    # Sorted, so the same graph always prints the same bytes.
    triples = sorted(results, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    used = {p: ns for p, ns in prefixes.items() if p}
    data = ox.serialize(triples, format=rdf_format, prefixes=used if rdf_format == ox.RdfFormat.TURTLE else None)
    return data.decode("utf-8") if data else ""


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
            local = iri[len(namespace):]
            if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                best, best_prefix = namespace, prefix
    if best_prefix is None:
        return f"<{iri}>"
    return f"{best_prefix}:{iri[len(best):]}"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Lay out rows as a plain-text table; a footer counts the rows.

    On a terminal the columns fit its width (long cells are cut with an ellipsis); written to a
    file or a pipe, nothing is cut, so logs keep every value whole. ``width`` overrides both.
    """
    if width is None and sys.stdout.isatty():
        import shutil

        width = shutil.get_terminal_size((120, 24)).columns
    cells = [[c.replace("\n", " ") for c in row] for row in rows]
    natural = [max([display_width(h), *(display_width(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    widths = natural if width is None else _fit(natural, width - 2 * (len(headers) - 1))
    from kg.terminal import paint

    lines = [paint(_row(headers, widths), bold=True), _row(["-" * w for w in widths], widths)]
    lines.extend(_row(r, widths) for r in cells)
    count = len(rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _fit(natural: list[int], available: int) -> list[int]:
    """Shrink the widest columns first, down to 8 columns each, then all of them down to 3."""
    widths = list(natural)
    for minimum in (8, 3):
        while sum(widths) > available and max(widths) > minimum:
            widest = widths.index(max(widths))
            widths[widest] -= 1
    return widths


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters take two."""
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
