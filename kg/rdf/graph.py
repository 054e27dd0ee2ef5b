"""Loading RDF files into one graph: an in-memory (or cached) Oxigraph store for queries, and an
rdflib Graph for rdflib-based tools (pySHACL, pyLODE). Files are read by :mod:`kg.rdf.files`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.base.bundle import bundled
from kg.base.errors import KgError
from kg.base.namespaces import XSD_STRING
from kg.rdf.files import (
    RdfFile,
    add_declared_prefixes,
    file_quads,
    load_into,
    rdf_quads,
    read_rdf_file,
    resolve_rdf_files,
)

if TYPE_CHECKING:
    import rdflib


#: Inputs smaller than this (``KG_CACHE_MIN_BYTES``) are parsed directly: there the dump of
#: :mod:`kg.rdf.cache` saves less than hashing costs.
DEFAULT_MIN_BYTES = 1_000_000


def worth_caching(files: list[Path]) -> bool:
    """Whether the inputs are large enough for a cached dump to beat parsing them."""
    try:
        threshold = int(os.environ.get("KG_CACHE_MIN_BYTES", DEFAULT_MIN_BYTES))
    except ValueError:
        threshold = DEFAULT_MIN_BYTES
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            return False  # reading it will say what is wrong
    return total >= threshold


@dataclass(frozen=True)
class AfterLoad:
    """Work done on a store right after its files are loaded, before anyone queries it (adding
    the edges derived from its statements, :mod:`kg.sparql.derivation`).

    Attributes:
        name: tells an on-disk cached store built with this work from one built without (and
            from one built with other work): it is part of the cache key.
        apply: adds to the store; it must give the same triples for the same files.
    """

    name: str
    apply: Callable[[ox.Store], object]


@dataclass
class LoadedGraph:
    """Triples read from a set of files, and the prefixes those files declared.

    Attributes:
        store: an in-memory pyoxigraph store holding every triple in its default graph.
        files: the files read, in order.
        prefixes: prefix -> namespace, as declared by the Turtle files (first declaration wins).
        read_only: the store is a cached on-disk one, opened read-only.
    """

    store: ox.Store
    files: list[Path]
    prefixes: dict[str, str] = field(default_factory=dict)
    read_only: bool = False

    def __len__(self) -> int:
        return len(self.store)

    @property
    def has_named_graphs(self) -> bool:
        """Whether any file put triples in a named graph (N-Quads, TriG): queries then see
        the union of all graphs as their default graph, as Fuseki's ``unionDefaultGraph``."""
        return next(iter(self.store.named_graphs()), None) is not None


def load_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    use_cache: bool = True,
    on_disk: bool = False,
    after_load: AfterLoad | None = None,
) -> LoadedGraph:
    """Parse RDF files (or folders of them) into one in-memory store, for querying.

    Large inputs (see :mod:`kg.rdf.cache`) are loaded from an N-Quads dump written on the first
    run and reused while no file changes; ``use_cache=False`` (``--no-cache``) always parses.
    Either way the store is in memory, so queries run at the same speed. ``on_disk`` serves
    large inputs from a cached on-disk store instead, opened read-only: queries run 2 to 5 times
    slower, but it costs tens of MB at any size, for processes whose memory is capped.
    ``after_load`` is applied to the store once its files are in (for an on-disk store, when it
    is built).

    The store keeps values, not spellings: ``"05"^^xsd:int`` is stored as ``5`` (an
    ``xsd:integer``). Where the exact terms matter (validation, export) use
    :func:`load_rdflib_graph` or :func:`rdf_quads`, which keep every literal as written.

    Example:
        >>> loaded = load_files(bundled().graph_files())
        >>> len(loaded) > 1000
        True

    Raises:
        KgError: a file is missing, unreadable, refused by :mod:`kg.base.input_limits` or does not
            parse; the message names the file (with line and column for a syntax error).
    """
    loaded = _load_files(paths, use_cache=use_cache, on_disk=on_disk, after_load=after_load)
    if after_load is not None and not loaded.read_only:
        after_load.apply(loaded.store)
    return loaded


def _load_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    use_cache: bool,
    on_disk: bool,
    after_load: AfterLoad | None,
) -> LoadedGraph:
    files = resolve_rdf_files(paths)
    key = None
    read: list[RdfFile] = []
    if use_cache and not os.environ.get("KG_NO_CACHE") and worth_caching(files):
        from kg.rdf import cache  # only for large inputs: the module costs a millisecond

        read = [read_rdf_file(path) for path in files]  # hashed and, if need be, parsed
        if on_disk:
            stored = cache.on_disk_store(
                read,
                lambda store, rdf_file, prefixes: _load_into(store, rdf_file, prefixes, bulk=True),
                after_load.apply if after_load else None,
                after_load.name if after_load else "",
            )
            if stored is not None:
                return LoadedGraph(store=stored[0], files=files, prefixes=stored[1], read_only=True)
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
    from kg.rdf import cache

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


def load_bundled_graph() -> LoadedGraph:
    """Load the bundled graph: the ontology and every data file."""
    return load_files(bundled().graph_files())


def load_rdflib_graph(paths: Sequence[str | os.PathLike[str]]) -> rdflib.Graph:
    """Parse RDF files into an rdflib Graph (for pySHACL, pyLODE), every term exactly as
    written (typed literals are not normalized: ``"01"^^xsd:integer`` stays ``"01"``) and the
    files' prefixes bound. The triples of named graphs go into the one graph: it is the union
    of all graphs, as `kg query` sees the files. Same errors as :func:`load_files`."""
    prefixes: dict[str, str] = {}
    return rdflib_graph(file_quads(paths, prefixes), prefixes)


def rdflib_graph(
    quads: Iterable[ox.Quad | ox.Triple], prefixes: Mapping[str, str] | None = None
) -> rdflib.Graph:
    """An rdflib Graph of the triples of ``quads`` (their graphs merged), every literal as given
    (not normalized) and each blank node keeping its label, with ``prefixes`` bound. The
    prefixes are bound once the quads are read: ``quads`` may fill them as it goes."""
    import rdflib

    graph = rdflib.Graph()
    add = graph.add
    for quad in quads:
        add((rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)))
    for prefix, namespace in (prefixes or {}).items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def rdflib_term(term: object) -> rdflib.term.Identifier:
    """A pyoxigraph term as the same rdflib term: a literal as written (not normalized), a
    blank node keeping its label."""
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:  # rdflib spells xsd:string as "no datatype"
            return rdflib.Literal(term.value)
        # as written: rdflib would rewrite "01"^^xsd:integer as "1" (and pySHACL switches that
        # rewriting back on for the whole process, so the flag is given to each literal)
        return rdflib.Literal(
            term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False
        )
    raise KgError(f"RDF 1.2 triple terms are not supported here: {term}")


def oxigraph_term(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the same pyoxigraph term (the inverse of :func:`rdflib_term`)."""
    import rdflib

    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD_STRING)))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))
