"""Every syntax `kg` reads or writes, in one table: the name ``--format`` takes, its kind, its
media types and file endings, and pyoxigraph's format. Reading files, printing results,
exporting, nanopublications and `kg serve`'s content negotiation all look formats up here.
"""

from __future__ import annotations

from typing import Literal

import pyoxigraph as ox

#: ``graph``: triples (CONSTRUCT, DESCRIBE, files); ``dataset``: quads (named graphs);
#: ``solutions``: SPARQL 1.1 Query Results (SELECT, ASK).
Kind = Literal["graph", "dataset", "solutions"]


class Format:
    """One syntax (a plain class: a dataclass costs start-up time every `kg` command pays).

    Attributes:
        name: what ``--format`` takes (empty for a syntax `kg` only reads, such as N3).
        kind: ``graph``, ``dataset`` or ``solutions``.
        media_types: its media types, the registered one first.
        endings: the file endings read as this syntax (each also with ``.gz``).
        oxigraph: pyoxigraph's format.
    """

    __slots__ = ("endings", "kind", "media_types", "name", "oxigraph")

    def __init__(
        self,
        name: str,
        kind: Kind,
        media_types: tuple[str, ...],
        endings: tuple[str, ...],
        oxigraph: ox.RdfFormat | ox.QueryResultsFormat,
    ) -> None:
        self.name = name
        self.kind = kind
        self.media_types = media_types
        self.endings = endings
        self.oxigraph = oxigraph

    def __repr__(self) -> str:
        return f"Format({self.name or self.endings[0]!r}, {self.kind!r})"


FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "solutions",
        ("application/sparql-results+json", "application/json"),
        (),
        ox.QueryResultsFormat.JSON,
    ),
    Format(
        "xml",
        "solutions",
        ("application/sparql-results+xml", "application/xml"),
        (),
        ox.QueryResultsFormat.XML,
    ),
    Format("csv", "solutions", ("text/csv",), (), ox.QueryResultsFormat.CSV),
    Format("tsv", "solutions", ("text/tab-separated-values",), (), ox.QueryResultsFormat.TSV),
    Format("turtle", "graph", ("text/turtle",), (".ttl",), ox.RdfFormat.TURTLE),
    Format("ntriples", "graph", ("application/n-triples",), (".nt",), ox.RdfFormat.N_TRIPLES),
    Format("jsonld", "graph", ("application/ld+json",), (".jsonld",), ox.RdfFormat.JSON_LD),
    Format(
        "xml", "graph", ("application/rdf+xml",), (".rdf", ".owl", ".xml"), ox.RdfFormat.RDF_XML
    ),
    Format("", "graph", ("text/n3",), (".n3",), ox.RdfFormat.N3),
    Format("trig", "dataset", ("application/trig",), (".trig",), ox.RdfFormat.TRIG),
    Format("nquads", "dataset", ("application/n-quads",), (".nq",), ox.RdfFormat.N_QUADS),
)


def rdf_formats(*kinds: Kind) -> dict[str, ox.RdfFormat]:
    """``--format`` name -> RDF syntax, for the writable graph or dataset formats of ``kinds``.

    Example:
        >>> sorted(rdf_formats("dataset"))
        ['nquads', 'trig']
    """
    return {
        f.name: f.oxigraph
        for f in FORMATS
        if f.kind in kinds and f.name and isinstance(f.oxigraph, ox.RdfFormat)
    }


def result_formats() -> dict[str, ox.QueryResultsFormat]:
    """``--format`` name -> SPARQL 1.1 Query Results format (SELECT and ASK answers)."""
    return {f.name: f.oxigraph for f in FORMATS if isinstance(f.oxigraph, ox.QueryResultsFormat)}


def rdf_media_types() -> dict[str, ox.RdfFormat]:
    """Media type -> RDF syntax for graph answers (CONSTRUCT, DESCRIBE), the default first."""
    return {
        m: f.oxigraph
        for f in FORMATS
        if f.kind == "graph" and f.name and isinstance(f.oxigraph, ox.RdfFormat)
        for m in f.media_types
    }


def result_media_types() -> dict[str, ox.QueryResultsFormat]:
    """Media type -> results format for SELECT and ASK answers, the default first."""
    return {
        m: f.oxigraph
        for f in FORMATS
        if isinstance(f.oxigraph, ox.QueryResultsFormat)
        for m in f.media_types
    }


def by_ending() -> dict[str, ox.RdfFormat]:
    """File ending -> the RDF syntax it is parsed as.

    Example:
        >>> by_ending()[".nq"] == ox.RdfFormat.N_QUADS
        True
    """
    return {
        ending: f.oxigraph
        for f in FORMATS
        for ending in f.endings
        if isinstance(f.oxigraph, ox.RdfFormat)
    }
