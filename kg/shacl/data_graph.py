"""The data graph the fast engine validates: one in-memory Oxigraph store, literals as written.

SHACL validates one data graph. The files given may put triples in named graphs (TriG,
N-Quads): the data graph is then the union of all their graphs, the triples ``kg query`` sees
(it queries the union as its default graph), held here in the store's default graph, each triple
once. A node described in several graphs is one node.

Each literal the store would not keep as written, each ill-typed literal and each literal of the
private surrogate datatypes is held as a surrogate (:mod:`kg.shacl.written_literals`). The files
go into the store by Oxigraph's own loader while :class:`kg.rdf.literal_fidelity.LiteralAudit`
looks for such literals in a forked process; when it finds some, the store is built again, the
files that hold them going in through Python with their literals replaced. Data without them,
the usual case, pays nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.rdf.files import RdfFile, load_into, rdf_quads, read_rdf_file
from kg.shacl.written_literals import PRIVATE, Term, needs_surrogate, surrogate, written

if TYPE_CHECKING:
    import rdflib

_UNION_OF_GRAPHS = Path(__file__).resolve().parent / "shacl_sparql" / "DataGraphAsUnion.ru"
#: Quads per ``Store.extend`` call when loading through Python.
_BATCH = 50_000


@dataclass
class DataGraph:
    """The loaded data graph.

    Attributes:
        store: every triple in the default graph, surrogates in place of the literals above.
        files: the files read, in order.
        prefixes: the prefixes the files declare (first declaration wins), for display.
        surrogates: each literal held by a surrogate, mapped to it.
        surrogate_predicates: the predicates of the triples whose object is a surrogate.
    """

    store: ox.Store
    files: list[Path]
    prefixes: dict[str, str] = field(default_factory=dict)
    surrogates: dict[Term, Term] = field(default_factory=dict)
    surrogate_predicates: set[str] = field(default_factory=set)

    def written_triples(self) -> Iterator[ox.Quad]:
        """Every triple of the data graph, each literal as the data wrote it."""
        for quad in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            obj = quad.object
            if type(obj) is ox.Literal and obj.datatype.value.startswith(PRIVATE):
                yield ox.Quad(quad.subject, quad.predicate, written(obj))
            else:
                yield quad

    def as_rdflib(self) -> rdflib.Graph:
        """The data graph as an rdflib Graph (for pySHACL and rdflib's SPARQL engine): the
        triples read once, by Oxigraph, every literal as written and every blank node keeping
        its label, so that a node is the same node in both."""
        from kg.rdf.graph import rdflib_graph

        return rdflib_graph(self.written_triples(), self.prefixes)


def load_data_graph(files: list[Path]) -> DataGraph:
    """Read and load the files of the data graph (see the module's docstring).

    Raises:
        KgError: a file cannot be read or does not parse.
    """
    from kg.rdf.literal_fidelity import LiteralAudit

    read = [read_rdf_file(path) for path in files]
    audit = LiteralAudit(read, also=needs_surrogate)
    # In memory, not the cached on-disk store: Oxigraph's on-disk store answers the shapes'
    # queries about four times slower, which costs more than parsing (measured at 1M triples:
    # 21.7 s from the cached store against 12.6 s parse included; benchmarks/results/).
    store = ox.Store()
    prefixes: dict[str, str] = {}
    try:
        for rdf_file in read:
            load_into(store, rdf_file, prefixes)
    except BaseException:
        audit.cancel()
        raise
    finding = audit.finding()
    surrogates: dict[Term, Term] = {literal: surrogate(literal) for literal in finding.literals}
    predicates: set[str] = set()
    if surrogates:
        store = ox.Store()  # the store holds those literals rewritten: build it again
        for index, rdf_file in enumerate(read):
            if index in finding.files:
                _load_with_surrogates(store, rdf_file, surrogates, predicates)
            else:
                load_into(store, rdf_file, {})
    if next(iter(store.named_graphs()), None) is not None:
        store.update(_UNION_OF_GRAPHS.read_text(encoding="utf-8"))
    return DataGraph(store, files, prefixes, surrogates, predicates)


def _load_with_surrogates(
    store: ox.Store, rdf_file: RdfFile, surrogates: Mapping[Term, Term], predicates: set[str]
) -> None:
    """Load one file through Python, each literal of ``surrogates`` replaced, into the default
    graph; add the predicates of the triples changed to ``predicates``."""
    quads = _replaced(rdf_quads(rdf_file), surrogates, predicates)
    while batch := list(islice(quads, _BATCH)):
        store.extend(batch)


def _replaced(
    quads: Iterator[ox.Quad], surrogates: Mapping[Term, Term], predicates: set[str]
) -> Iterator[ox.Quad]:
    literal = ox.Literal
    for quad in quads:
        obj = quad.object
        if type(obj) is literal and obj in surrogates:
            obj = surrogates[obj]
            predicates.add(quad.predicate.value)
        yield ox.Quad(quad.subject, quad.predicate, obj)
