"""Loading RDF files into one graph, with errors that name the file, line and column.

Every command loads through here: each file is read once (:func:`read_rdf_file`, within the
limits of :mod:`kg.input_limits`) and parsed by pyoxigraph (fast, precise messages), as
quads (:func:`rdf_quads`) or straight into a store (:func:`load_into`); both give each file's
blank nodes fresh identifiers, so files merge as RDF says. On top: an in-memory (or cached)
store for queries, and an rdflib Graph for rdflib-based tools (pySHACL, pyLODE).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pyoxigraph as ox

from kg.bundle import bundled
from kg.errors import KgError
from kg.input_limits import (
    check_json_nesting,
    check_xml,
    max_rdf_bytes,
    read_regular_file,
    without_bom,
)
from kg.namespaces import XSD_STRING
from kg.prefixes import prefix_declarations

if TYPE_CHECKING:
    import rdflib


#: File endings read as RDF, and the syntax each is parsed as.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}

#: A file ending in one of :data:`RDF_FORMATS` and then ``.gz`` is read through gzip.
GZIP_SUFFIX = ".gz"


def rdf_format_of(path: Path) -> ox.RdfFormat | None:
    """The syntax a file is parsed as, from its ending (``x.ttl``, ``x.nq.gz``); None if unknown."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [GZIP_SUFFIX]:
        suffixes = suffixes[:-1]
    return RDF_FORMATS.get(suffixes[-1]) if suffixes else None


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/+(?=[^/])")


def _refuse_url(raw: str | os.PathLike[str]) -> None:
    """A URL given where a file is expected: say so, with the URL as typed (a Path would have
    folded its ``//`` into one ``/``)."""
    text = os.fspath(raw)
    match = _URL.match(text)
    if (
        match
        and match.group(1).lower() in ("http", "https", "ftp", "file")
        and not Path(text).exists()
    ):
        url = _URL.sub(lambda m: f"{m.group(1)}://", text, count=1)
        raise KgError(
            f"{url}: kg reads local files, not URLs; download it first "
            f"(curl -LO {url}) or ask the server that holds it with --endpoint"
        )


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

    @property
    def has_named_graphs(self) -> bool:
        """Whether any file put triples in a named graph (N-Quads, TriG): queries then see
        the union of all graphs as their default graph, as Fuseki's ``unionDefaultGraph``."""
        return next(iter(self.store.named_graphs()), None) is not None


def resolve_rdf_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and folders into the RDF files to read, in a stable order.

    A folder contributes the files directly inside it whose ending is in :data:`RDF_FORMATS`.

    Raises:
        KgError: a path does not exist, a folder holds no RDF file, or an ending is unknown.
    """
    files: list[Path] = []
    for raw in paths:
        _refuse_url(raw)
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if rdf_format_of(p) is not None and p.is_file()
            )
            if not found:
                endings = ", ".join(sorted(RDF_FORMATS))
                raise KgError(
                    f"{path}: no RDF files in this directory (looked for {endings}, each also .gz)"
                )
            files.extend(found)
        elif path.is_file():
            if rdf_format_of(path) is None:
                endings = ", ".join(sorted(RDF_FORMATS))
                raise KgError(
                    f"{path}: unknown RDF file type {path.suffix!r} (expected one of {endings})"
                )
            files.append(path)
        elif path.exists():
            raise KgError(f"{path}: not a regular file or directory")
        else:
            raise KgError(f"{path}: no such file or directory")
    return files


class RdfFile(NamedTuple):
    """One RDF file as read: its bytes, read once and within :mod:`kg.input_limits`, and its
    syntax. Whatever is done with the file (hashing for the cache, parsing) uses these bytes.
    """

    path: Path
    data: bytes
    rdf_format: ox.RdfFormat

    @property
    def base_iri(self) -> str:
        return self.path.resolve().as_uri()


def read_rdf_file(path: Path) -> RdfFile:
    """Read one RDF file once, refusing what :mod:`kg.input_limits` refuses (a FIFO or device,
    an oversized file, expanding entities, deep nesting); a UTF-8 byte order mark is dropped.

    Raises:
        KgError: one line naming the file and the rule it breaks.
    """
    rdf_format = rdf_format_of(path)
    if rdf_format is None:
        raise KgError(f"{path}: unknown RDF file type {path.suffix!r}")
    data = read_regular_file(path, max_rdf_bytes())
    if path.suffix.lower() == GZIP_SUFFIX:
        data = _gunzip(path, data, max_rdf_bytes())
    data = without_bom(data)
    if rdf_format == ox.RdfFormat.JSON_LD:
        check_json_nesting(path, data)
    elif rdf_format == ox.RdfFormat.RDF_XML:
        check_xml(path, data)
    return RdfFile(path, data, rdf_format)


def _gunzip(path: Path, data: bytes, max_bytes: int) -> bytes:
    """Decompress a gzip file within the RDF size limit (a small file can inflate enormously).

    Raises:
        KgError: not gzip data, or more than ``max_bytes`` once decompressed.
    """
    import zlib

    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise KgError(f"{path}: not a gzip file ({error})") from None
    if len(out) > max_bytes:
        raise KgError(f"{path}: more than the limit of {max_bytes} bytes once decompressed")
    if not inflater.eof:
        raise KgError(f"{path}: the gzip data is cut off")
    return out


def rdf_quads(rdf_file: RdfFile, prefixes: dict[str, str] | None = None) -> Iterator[ox.Quad]:
    """The quads of one file, parsed as they stream, every literal exactly as written; its
    prefixes are added to ``prefixes``.

    Blank nodes get fresh identifiers, so ``_:b`` in two files stays two nodes: RDF merges
    graphs that way, and :func:`load_into` (Oxigraph's own loader) does the same. Every
    reader of RDF in `kg` goes through these two functions.

    Raises:
        KgError: the file does not parse (file:line:column: reason), while iterating.
    """
    with _syntax_errors(rdf_file.path):
        parser = ox.parse(
            rdf_file.data,
            format=rdf_file.rdf_format,
            base_iri=rdf_file.base_iri,
            rename_blank_nodes=True,
        )
        yield from parser
    if prefixes is not None:
        for prefix, namespace in parser.prefixes.items():
            prefixes.setdefault(prefix, namespace)


def load_into(
    store: ox.Store, rdf_file: RdfFile, prefixes: dict[str, str], *, bulk: bool = False
) -> None:
    """Parse one file into a store; its prefixes, for display only, are read from its @prefix
    lines. Blank nodes get fresh identifiers, as in :func:`rdf_quads`.

    In memory the file goes straight into the store, all in Rust (twice as fast as going
    through Python quads). ``bulk`` streams into an on-disk store in batches of
    :data:`BULK_BATCH_QUADS` quads: memory stays flat (about 100 MB at any size), where one
    ``Store.bulk_load`` of a file holds about 0.9 KB per triple.
    """
    if bulk:
        quads = rdf_quads(rdf_file)
        while batch := list(islice(quads, BULK_BATCH_QUADS)):
            store.bulk_extend(batch)
    else:
        with _syntax_errors(rdf_file.path):
            store.load(rdf_file.data, format=rdf_file.rdf_format, base_iri=rdf_file.base_iri)
    add_declared_prefixes(rdf_file, prefixes)


def add_declared_prefixes(rdf_file: RdfFile, prefixes: dict[str, str]) -> None:
    """Add the prefixes a Turtle, TriG or N3 file declares, for display only, to ``prefixes``
    (a prefix already there keeps its namespace)."""
    if rdf_file.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N3, ox.RdfFormat.TRIG):
        for prefix, namespace in prefix_declarations(rdf_file.data):
            prefixes.setdefault(prefix, namespace)


#: Quads per ``Store.bulk_extend`` call when building an on-disk store (measured at 1M
#: triples: 25k quads, 108 MB peak and 6.8 s; one call for the whole file, 900 MB and 6.6 s).
BULK_BATCH_QUADS = 25_000


def load_files(
    paths: Sequence[str | os.PathLike[str]], *, use_cache: bool = True, on_disk: bool = False
) -> LoadedGraph:
    """Parse RDF files (or folders of them) into one in-memory store, for querying.

    Large inputs (see :mod:`kg.cache`) are loaded from an N-Quads dump written on the first
    run and reused while no file changes; ``use_cache=False`` (``--no-cache``) always parses.
    Either way the store is in memory, so queries run at the same speed. ``on_disk`` serves
    large inputs from a cached on-disk store instead, opened read-only: queries run 2 to 5 times
    slower, but it costs tens of MB at any size, for processes whose memory is capped.

    The store keeps values, not spellings: ``"05"^^xsd:int`` is stored as ``5`` (an
    ``xsd:integer``). Where the exact terms matter (validation, export) use
    :func:`load_rdflib_graph` or :func:`rdf_quads`, which keep every literal as written.

    Example:
        >>> loaded = load_files(bundled().graph_files())
        >>> len(loaded) > 1000
        True

    Raises:
        KgError: a file is missing, unreadable, refused by :mod:`kg.input_limits` or does not
            parse; the message names the file (with line and column for a syntax error).
    """
    files = resolve_rdf_files(paths)
    key = None
    read: list[RdfFile] = []
    if use_cache and not os.environ.get("KG_NO_CACHE"):
        from kg import cache

        if cache.worth_caching(files):
            read = [read_rdf_file(path) for path in files]  # hashed and, if need be, parsed
            if on_disk:
                stored = cache.on_disk_store(
                    read,
                    lambda store, rdf_file, prefixes: _load_into(
                        store, rdf_file, prefixes, bulk=True
                    ),
                )
                if stored is not None:
                    return LoadedGraph(store=stored[0], files=files, prefixes=stored[1])
            key = None if on_disk else cache.cache_key(read)
            if key is not None and cache.is_cached(key):
                read = []  # the bytes are not needed to load the dump: free them first
                cached = cache.open_cached(key)
                if cached is not None:
                    return LoadedGraph(store=cached[0], files=files, prefixes=cached[1])
                read = [read_rdf_file(path) for path in files]  # it was removed: build it
                key = cache.cache_key(read)
    if key is not None:
        loaded = _load_through_new_dump(key, read, files)
        if loaded is not None:
            return loaded
        read = []  # the dump could not be written: parse the files into memory instead
    store = ox.Store()
    prefixes: dict[str, str] = {}
    for rdf_file in read or (read_rdf_file(path) for path in files):
        _load_into(store, rdf_file, prefixes)
    return LoadedGraph(store=store, files=files, prefixes=prefixes)


def _load_through_new_dump(key: str, read: list[RdfFile], files: list[Path]) -> LoadedGraph | None:
    """Write the cache entry for ``key`` as the files' quads stream from the parser, each
    file's bytes let go once parsed, then load the store from it: at no time are the bytes and
    the whole store in memory together (at 3M triples the bytes are 190 MB, the store 1 GB).
    None when the entry cannot be written or read back (the caller parses the files).
    ``read`` is emptied.

    Raises:
        KgError: a file does not parse; no cache entry is left behind.
    """
    from kg import cache

    prefixes: dict[str, str] = {}

    def quads() -> Iterator[ox.Quad]:
        while read:
            yield from _quads_for_dump(read.pop(0), prefixes)

    if not cache.publish(key, quads(), prefixes, files):
        return None
    opened = cache.open_cached(key)
    if opened is None:
        return None
    return LoadedGraph(store=opened[0], files=files, prefixes=opened[1])


def _load_into(
    store: ox.Store, rdf_file: RdfFile, prefixes: dict[str, str], *, bulk: bool = False
) -> None:
    load_into(store, rdf_file, prefixes, bulk=bulk)  # one name for tests to count parses by


def _quads_for_dump(rdf_file: RdfFile, prefixes: dict[str, str]) -> Iterator[ox.Quad]:
    add_declared_prefixes(rdf_file, prefixes)
    return rdf_quads(rdf_file)  # with _load_into, the names tests count parses by


@contextmanager
def _syntax_errors(path: Path) -> Iterator[None]:
    """Turn the parser's errors into one-line KgErrors naming file, line and column."""
    try:
        yield
    except SyntaxError as error:
        raise KgError(
            f"{path}:{_syntax_error_position(error)}: {_syntax_error_reason(error)}"
        ) from None
    except ValueError as error:  # an invalid IRI or literal that the parser let through
        raise KgError(f"{path}: {' '.join(str(error).split())}") from None
    except MemoryError as error:
        if "buffer maximal size" in str(error):  # pyoxigraph's cap on one token's length
            raise KgError(
                f"{path}: a literal, IRI or other token is longer than the parser's limit of "
                f"{_number_in(str(error)) or 'some'} bytes; kg cannot read it"
            ) from None
        raise KgError(f"{path}: not enough memory to parse this file") from None


def _number_in(text: str) -> str:
    match = re.search(r"\d+", text)
    return match.group() if match else ""


def load_bundled_graph() -> LoadedGraph:
    """Load the bundled graph: the ontology and every data file."""
    return load_files(bundled().graph_files())


def parse_file(path: Path, prefixes: dict[str, str] | None = None) -> list[ox.Quad]:
    """Read and parse one RDF file into its quads (see :func:`rdf_quads`); add its prefixes
    to ``prefixes``.

    Raises:
        KgError: the file cannot be read or does not parse (file:line:column: reason).
    """
    return list(rdf_quads(read_rdf_file(path), prefixes))


def file_quads(
    paths: Sequence[str | os.PathLike[str]], prefixes: dict[str, str] | None = None
) -> Iterator[ox.Quad]:
    """The quads of every RDF file of ``paths`` in turn, as they stream (see :func:`rdf_quads`)."""
    for path in resolve_rdf_files(paths):
        yield from rdf_quads(read_rdf_file(path), prefixes)


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
    blank_nodes: dict[str, rdflib.BNode] = {}  # labels are already unique per file (rdf_quads)
    add = graph.add
    for quad in file_quads(paths, prefixes):
        add(
            (
                _to_rdflib_term(quad.subject, blank_nodes),
                _to_rdflib_term(quad.predicate, blank_nodes),
                _to_rdflib_term(quad.object, blank_nodes),
            )
        )
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
        if term.datatype.value == XSD_STRING:  # rdflib spells xsd:string as "no datatype"
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise KgError(f"RDF 1.2 triple terms are not supported here: {term}")
