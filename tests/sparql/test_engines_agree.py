"""Results stay identical: every saved query gives the same result set on the fast path
(pyoxigraph) and on plain rdflib, on the bundled graph and on a generated 10k graph."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.base.bundle import bundled
from kg.rdf.graph import load_files
from kg.sparql.catalog import Catalog
from kg.sparql.parameters import bind_parameters
from kg.sparql.query import bound_query_text, run_query
from kgdev.synth import generate

#: pySHACL and rdflib as references on generated graphs
pytestmark = [pytest.mark.slow, pytest.mark.external]

LOCAL = [q for q in Catalog.bundled() if "network" not in q.tags]


def normal_oxigraph(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    literal = (
        rdflib.Literal(term.value, lang=term.language)
        if term.language
        else rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    )
    return normal_rdflib(literal)


def normal_rdflib(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return ("iri", str(term))
    if isinstance(term, rdflib.BNode):
        return ("blank",)
    assert isinstance(term, rdflib.Literal)
    datatype = str(
        term.datatype or ("" if term.language else "http://www.w3.org/2001/XMLSchema#string")
    )
    return (
        "literal",
        term.language or "",
        datatype,
        term.toPython() if term.datatype else str(term),
    )


def normal_triple(triple: tuple) -> tuple:  # type: ignore[type-arg]
    return tuple(normal_rdflib(term) for term in triple)


def both_answers(paths: list[Path], name: str) -> tuple[Counter, Counter]:  # type: ignore[type-arg]
    saved = Catalog.bundled().get(name)
    text = bound_query_text(saved.text, bind_parameters(saved, {}))
    fast = run_query(load_files(paths, use_cache=False), text)
    graph = rdflib.Graph(bind_namespaces="none")
    for path in paths:
        for file in sorted(Path(path).glob("*.ttl")) if Path(path).is_dir() else [Path(path)]:
            graph.parse(file, format="turtle")
    slow = graph.query(text)
    if isinstance(fast, ox.QueryTriples):
        fast_graph = rdflib.Graph().parse(
            data=ox.serialize(list(fast), format=ox.RdfFormat.N_TRIPLES), format="nt"
        )
        return (
            Counter(normal_triple(t) for t in fast_graph),
            Counter(normal_triple(t) for t in slow.graph),
        )
    if isinstance(fast, ox.QueryBoolean):
        return Counter([bool(fast)]), Counter([bool(slow.askAnswer)])
    variables = [v.value for v in fast.variables]
    fast_rows = Counter(tuple(normal_oxigraph(s[v]) for v in variables) for s in fast)
    slow_rows = Counter(
        tuple(normal_rdflib(row.get(rdflib.Variable(v))) for v in variables) for row in slow
    )
    return fast_rows, slow_rows


@pytest.mark.parametrize("name", [q.name for q in LOCAL])
def test_saved_query_same_on_pyoxigraph_and_rdflib_bundled(name: str) -> None:
    fast, slow = both_answers([*bundled().graph_files()], name)
    assert fast == slow


@pytest.fixture(scope="module")
def synthetic_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(10_000, 11, tmp_path_factory.mktemp("synth")).path


@pytest.mark.parametrize("name", [q.name for q in LOCAL])
def test_saved_query_same_on_pyoxigraph_and_rdflib_synthetic_10k(
    name: str, synthetic_10k: Path
) -> None:
    fast, slow = both_answers([*bundled().ontology_files(), synthetic_10k], name)
    assert fast == slow
