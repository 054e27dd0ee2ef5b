"""The direct edges derived from attested statements, added to any graph when it is loaded.

A statement ("Tencent's ETH-X collaborates with Broadcom and Amphenol") is the fact; the direct
edges (``snd:tencent snk:partnerOf snd:broadcom``) are a shortcut for queries and pictures, as
Wikidata's truthy ``wdt:`` edges are for its statements. The saved CONSTRUCT queries in
``queries/derive/`` say how each edge follows from the statements some claim attests; this
module runs them whenever files are loaded for querying, so ``kg query solutions``,
``ecosystem``, ``kg viz`` and ``kg describe`` agree on anyone's data, not only on the bundled
``data/ttl/derived-edges.ttl`` (which is what these queries give on the bundled statements).

Example:
    >>> from kg.base.bundle import bundled
    >>> graph = load_with_derived_edges([bundled().data_dir / "claims.ttl"])
    >>> from kg.base.namespaces import SND, SNK
    >>> import pyoxigraph as ox
    >>> edge = ox.Quad(ox.NamedNode(SND + "tencent"), ox.NamedNode(SNK + "offers"), ox.NamedNode(SND + "eth-x"))
    >>> edge in graph.store
    True
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import cache

import pyoxigraph as ox

from kg.base.bundle import bundled
from kg.rdf.graph import AfterLoad, LoadedGraph, load_files
from kg.sparql.catalog import Catalog, SavedQuery
from kg.sparql.query import execute_on


@cache
def derivation_queries() -> tuple[SavedQuery, ...]:
    """The saved queries that derive direct edges (``queries/derive/*.rq``), by name."""
    return tuple(Catalog(bundled().queries_dir / "derive"))


def derived_edges(store: ox.Store) -> set[ox.Triple]:
    """Every direct edge the derivation queries give on ``store`` (its default graph the union
    of all its graphs, so statements in named graphs count too)."""
    union = next(iter(store.named_graphs()), None) is not None
    edges: set[ox.Triple] = set()
    for saved in derivation_queries():
        edges.update(execute_on(store, saved.text, union=union, source=str(saved.path)))  # type: ignore[arg-type]
    return edges


def add_derived_edges(store: ox.Store) -> int:
    """Add to the default graph of ``store`` each derived edge it lacks; how many were added."""
    edges = (ox.Quad(t.subject, t.predicate, t.object) for t in derived_edges(store))
    missing = [quad for quad in edges if quad not in store]
    store.extend(missing)
    return len(missing)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for saved in derivation_queries():
        digest.update(saved.path.name.encode() + b"\0" + saved.text.encode() + b"\0")
    return "derived-" + digest.hexdigest()[:12]


def derivation() -> AfterLoad:
    """The work :func:`kg.rdf.graph.load_files` does after loading: adding the derived edges
    (named by the queries' text, so a cached on-disk store is rebuilt when they change)."""
    return AfterLoad(name=_fingerprint(), apply=add_derived_edges)


def load_with_derived_edges(
    paths: Sequence[str | os.PathLike[str]], *, use_cache: bool = True, on_disk: bool = False
) -> LoadedGraph:
    """Load files for querying (:func:`kg.rdf.graph.load_files`), with the edges derived from
    their attested statements added.

    Raises:
        KgError: as :func:`kg.rdf.graph.load_files`.
    """
    return load_files(paths, use_cache=use_cache, on_disk=on_disk, after_load=derivation())
