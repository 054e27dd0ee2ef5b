"""Loading RDF files into one graph, with errors that name the file, line and column.

Every command loads through here: pyoxigraph parses (fast, precise messages), into an
in-memory store for queries, or into an rdflib Graph for rdflib-based tools (pySHACL, pyLODE).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.bundle import bundled
from kg.errors import KgError

if TYPE_CHECKING:
    import rdflib

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: File endings read as RDF, and the syntax each is parsed as.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass
class LoadedGraph:
    """Triples read from a set of files, and the prefixes those files declared.

    Attributes:
        store: an in-memory pyoxigraph store holding every triple in its default graph.
        files: the files read, in order.
        prefixes: prefix -> namespace, as declared by the Turtle files (first declaration wins).
    """

    store: ox.Store
    files: list[Path]
    prefixes: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.store)


def resolve_rdf_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and folders into the RDF files to read, in a stable order.

    A folder contributes the files directly inside it whose ending is in :data:`RDF_FORMATS`.

    Raises:
        KgError: a path does not exist, a folder holds no RDF file, or an ending is unknown.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in RDF_FORMATS and p.is_file())
            if not found:
                endings = ", ".join(sorted(RDF_FORMATS))
                raise KgError(f"{path}: no RDF files in this directory (looked for {endings})")
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in RDF_FORMATS:
                endings = ", ".join(sorted(RDF_FORMATS))
                raise KgError(f"{path}: unknown RDF file type {path.suffix!r} (expected one of {endings})")
            files.append(path)
        elif path.exists():
            raise KgError(f"{path}: not a regular file or directory")
        else:
            raise KgError(f"{path}: no such file or directory")
    return files


def load_files(paths: Sequence[str | os.PathLike[str]], *, use_cache: bool = True) -> LoadedGraph:
    """Parse RDF files (or folders of them) into one in-memory store, for querying.

    Large inputs (see :mod:`kg.cache`) are read from a persistent store built on the first run
    and reused while no file changes; ``use_cache=False`` (``--no-cache``) always parses.

    The store keeps values, not spellings: ``"05"^^xsd:int`` is stored as ``5`` (an
    ``xsd:integer``). Where the exact terms matter (validation, export) use
    :func:`load_rdflib_graph`, which keeps every literal as written.

    Example:
        >>> loaded = load_files(bundled().graph_files())
        >>> len(loaded) > 1000
        True

    Raises:
        KgError: a file is missing, unreadable or does not parse; the message names the
            file, line and column and what the parser expected.
    """
    files = resolve_rdf_files(paths)
    if use_cache and not os.environ.get("KG_NO_CACHE"):
        from kg import cache

        if cache.worth_caching(files):
            cached = cache.open_cached(files) or cache.build_cached(files, parse_file)
            if cached is not None:
                store, prefixes = cached
                return LoadedGraph(store=store, files=files, prefixes=prefixes)
    store = ox.Store()
    prefixes: dict[str, str] = {}
    for path in files:
        _load_into(store, path, prefixes)
    return LoadedGraph(store=store, files=files, prefixes=prefixes)


_PREFIX_LINE = re.compile(rb"^[ \t]*(?:@prefix|PREFIX)[ \t]+([A-Za-z][\w.-]*)?:[ \t]*<([^>\s]*)>", re.MULTILINE | re.IGNORECASE)


def _load_into(store: ox.Store, path: Path, prefixes: dict[str, str]) -> None:
    """Parse one file straight into the store (all in Rust: twice as fast as going through
    Python quads); its prefixes, for display only, are read from its @prefix lines."""
    data, rdf_format = _read(path)
    with _syntax_errors(path):
        store.load(data, format=rdf_format, base_iri=path.resolve().as_uri())
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N3):
        for match in _PREFIX_LINE.finditer(data):
            prefixes.setdefault((match.group(1) or b"").decode("utf-8", "replace"), match.group(2).decode("utf-8", "replace"))


def _read(path: Path) -> tuple[bytes, ox.RdfFormat]:
    rdf_format = RDF_FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        raise KgError(f"{path}: unknown RDF file type {path.suffix!r}")
    try:
        return path.read_bytes(), rdf_format
    except OSError as error:
        raise KgError(f"{path}: cannot read: {error.strerror or error}") from error


@contextmanager
def _syntax_errors(path: Path) -> Iterator[None]:
    """Turn the parser's errors into one-line KgErrors naming file, line and column."""
    try:
        yield
    except SyntaxError as error:
        raise KgError(f"{path}:{_syntax_error_position(error)}: {_syntax_error_reason(error)}") from error
    except ValueError as error:  # an invalid IRI or literal that the parser let through
        raise KgError(f"{path}: {error}") from error


def load_bundled_graph() -> LoadedGraph:
    """Load the bundled graph: the ontology and every data file."""
    return load_files(bundled().graph_files())


def parse_file(path: Path, prefixes: dict[str, str] | None = None) -> list[ox.Quad]:
    """Parse one RDF file into its quads, exactly as written; add its prefixes to ``prefixes``.

    Raises:
        KgError: the file cannot be read or does not parse (file:line:column: reason).
    """
    data, rdf_format = _read(path)
    with _syntax_errors(path):
        parser = ox.parse(data, format=rdf_format, base_iri=path.resolve().as_uri())
        quads = list(parser)
    if prefixes is not None:
        for prefix, namespace in parser.prefixes.items():
            prefixes.setdefault(prefix, namespace)
    return quads


def _syntax_error_position(error: SyntaxError) -> str:
    if error.lineno is None:
        return "1:1"
    return f"{error.lineno}:{error.offset or 1}"


def _syntax_error_reason(error: SyntaxError) -> str:
    message = str(error.msg if error.msg else error)
    # pyoxigraph says "Parser error at line L between columns A and B: reason";
    # the position is already in front, so keep only the reason.
    _, sep, reason = message.partition(": ")
    return (reason if sep else message).replace("\n", " ").strip()


def load_rdflib_graph(paths: Sequence[str | os.PathLike[str]]) -> rdflib.Graph:
    """Parse RDF files into an rdflib Graph (for pySHACL, pyLODE), every term exactly as
    written and the files' prefixes bound. Same errors as :func:`load_files`."""
    import rdflib

    graph = rdflib.Graph()
    prefixes: dict[str, str] = {}
    blank_nodes: dict[str, rdflib.BNode] = {}
    add = graph.add
    for path in resolve_rdf_files(paths):
        for quad in parse_file(path, prefixes):
            add((
                _to_rdflib_term(quad.subject, blank_nodes),
                _to_rdflib_term(quad.predicate, blank_nodes),
                _to_rdflib_term(quad.object, blank_nodes),
            ))
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _to_rdflib_term(term: object, blank_nodes: dict[str, rdflib.BNode]) -> rdflib.term.Node:
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        node = blank_nodes.get(term.value)
        if node is None:
            node = blank_nodes[term.value] = rdflib.BNode()
        return node
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # rdflib spells xsd:string as "no datatype"
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise KgError(f"RDF 1.2 triple terms are not supported here: {term}")
