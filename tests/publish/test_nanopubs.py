"""`kg export --nanopubs`: each claim as a nanopublication, checked by the `nanopub` package
(offline) and by the Nanopub guidelines' rules, and turned back into exactly the same graph."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.base.bundle import bundled
from kg.base.namespaces import NP, PROV
from kg.base.namespaces import SNK as SNK_NS
from kg.publish.export import export_graph
from kg.publish.nanopubs import graph_from_nanopubs, nanopublication_quads
from kg.sparql.catalog import read_saved_query
from tests.conftest import FIXTURES_DIR

QUERIES = FIXTURES_DIR / "queries"
NANOPUB = rdflib.Namespace(NP)
SNK = rdflib.Namespace(SNK_NS)
PROVENANCE_PROPERTIES = {SNK.source, SNK.paragraph, SNK.quote, SNK.modality, SNK.asOf}


def _parse(data: bytes, rdf_format: ox.RdfFormat) -> list[ox.Quad]:
    return list(ox.parse(data, format=rdf_format))


def _canonical(triples: Iterable[ox.Triple | ox.Quad]) -> set[ox.Triple]:
    """The triples (of quads: their graphs dropped) with blank nodes relabelled canonically."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {q.triple for q in dataset}


@pytest.fixture(scope="module")
def bundled_trig() -> bytes:
    return export_graph(bundled().graph_files(), "trig", nanopubs=True)


def _claims(paths: list[Path]) -> set[str]:
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in _parse(export_graph(paths, "ntriples"), ox.RdfFormat.N_TRIPLES)
    )
    solutions = store.query(read_saved_query(QUERIES / "claim-nodes.rq").text)
    assert isinstance(solutions, ox.QuerySolutions)
    return {row["claim"].value for row in solutions}


def test_every_claim_is_one_nanopublication_with_four_graphs(bundled_trig: bytes) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(data=bundled_trig, format="trig")
    heads = list(dataset.query(read_saved_query(QUERIES / "nanopub-heads.rq").text))
    claims = _claims(bundled().graph_files())
    assert len(claims) >= 31 and len(heads) == len(claims)
    pubinfo_sources: set[str] = set()
    for np_iri, head, assertion, provenance, pubinfo in heads:  # type: ignore[misc]
        names = {head, assertion, provenance, pubinfo}
        assert len(names) == 4, f"{np_iri}: the four graphs must be distinct"
        for name in names:
            assert len(dataset.graph(name)) > 0, f"{np_iri}: graph {name} is empty"
        # The guidelines: the provenance graph says something about the assertion graph, and
        # the publication info graph about the nanopublication.
        assert (assertion, rdflib.URIRef(PROV + "wasDerivedFrom"), None) in dataset.graph(
            provenance
        )
        assert any(s == np_iri for s in dataset.graph(pubinfo).subjects())
        # What is claimed in the assertion, who claims it where in the provenance.
        assert not set(dataset.graph(assertion).predicates()) & PROVENANCE_PROPERTIES
        assert set(dataset.graph(provenance).predicates()) >= PROVENANCE_PROPERTIES
        pubinfo_sources.update(
            str(o)
            for o in dataset.graph(pubinfo).objects(np_iri, rdflib.URIRef(PROV + "wasDerivedFrom"))
        )
    assert pubinfo_sources == claims  # one nanopublication per claim, each naming its claim


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # nanopub 2.0 takes a ConjunctiveGraph
def test_the_nanopub_package_accepts_each_nanopublication(bundled_trig: bytes) -> None:
    nanopub = pytest.importorskip("nanopub")
    dataset = rdflib.Dataset()
    dataset.parse(data=bundled_trig, format="trig")
    checked = 0
    for head in {
        g for _, _, _, g in dataset.quads((None, rdflib.RDF.type, NANOPUB.Nanopublication, None))
    }:
        np_iri = next(dataset.graph(head).subjects(rdflib.RDF.type, NANOPUB.Nanopublication))
        graph_names = [
            g
            for g in [head, *(dataset.graph(head).objects(np_iri, None))]
            if isinstance(g, rdflib.URIRef) and g != NANOPUB.Nanopublication
        ]
        single = rdflib.ConjunctiveGraph()
        for name in graph_names:
            for triple in dataset.graph(name):
                single.get_context(name).add(triple)
        publication = nanopub.Nanopub(rdf=single, conf=nanopub.NanopubConf())
        assert publication.is_valid
        assert str(publication.metadata.np_uri) == str(np_iri)
        checked += 1
    assert checked >= 31


def test_converting_back_gives_exactly_the_exported_graph(bundled_trig: bytes) -> None:
    original = _parse(export_graph(bundled().graph_files(), "ntriples"), ox.RdfFormat.N_TRIPLES)
    back = graph_from_nanopubs(_parse(bundled_trig, ox.RdfFormat.TRIG))
    assert len(back) == len(original)
    assert _canonical(back) == _canonical(original)


def test_nquads_and_trig_hold_the_same_quads(bundled_trig: bytes) -> None:
    nquads = export_graph(bundled().graph_files(), "nquads", nanopubs=True)
    assert set(_parse(nquads, ox.RdfFormat.N_QUADS)) == set(_parse(bundled_trig, ox.RdfFormat.TRIG))
    assert bundled_trig == export_graph(bundled().graph_files(), "trig", nanopubs=True)


def test_a_users_claims_keep_their_literals_and_blank_nodes(tmp_path: Path) -> None:
    data = tmp_path / "mine.ttl"
    data.write_text(
        "@prefix snk: <https://w3id.org/supernode-kg/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<urn:x:claim> a snk:Claim ; snk:attests <urn:x:mix> ; snk:source <urn:x:source> ;\n"
        '    snk:paragraph "05"^^xsd:int ; snk:quote "made up" .\n'
        "<urn:x:mix> a snk:ProcurementMix ; snk:shareComponent [ a snk:ShareComponent ; snk:share 0.30 ] .\n"
        '[] snk:source <urn:x:other> ; snk:quote "a blank claim"@en ; snk:attests <urn:x:said> .\n'
        "<urn:x:said> snk:about <urn:x:thing> .\n"
        '<urn:x:thing> <urn:x:p> "kept in the default graph" .\n',
        encoding="utf-8",
    )
    trig = export_graph([data], "trig", nanopubs=True)
    quads = _parse(trig, ox.RdfFormat.TRIG)
    assert ox.Literal("05", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#int")) in {
        q.object for q in quads
    }
    assert ox.Literal(
        "0.30", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    ) in {
        q.object
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith("#assertion")
    }
    assert (
        len(
            {
                q.graph_name
                for q in quads
                if q.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                and isinstance(q.object, ox.NamedNode)
                and q.object.value == NP + "Nanopublication"
            }
        )
        == 2
    )
    assert [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)] == [
        ox.Quad(
            ox.NamedNode("urn:x:thing"),
            ox.NamedNode("urn:x:p"),
            ox.Literal("kept in the default graph"),
        )
    ]
    original = _parse(export_graph([data], "ntriples"), ox.RdfFormat.N_TRIPLES)
    assert _canonical(graph_from_nanopubs(quads)) == _canonical(original)


def test_kg_export_nanopubs_writes_a_file_and_refuses_triple_formats(tmp_path: Path) -> None:
    out = tmp_path / "np.trig"
    done = subprocess.run(
        [sys.executable, "-m", "kg", "export", "--format", "trig", "--nanopubs", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == export_graph(bundled().graph_files(), "trig", nanopubs=True)
    refused = subprocess.run(
        [sys.executable, "-m", "kg", "export", "--format", "turtle", "--nanopubs"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "kg: error: --nanopubs writes named graphs, which turtle cannot hold: give --format trig or --format nquads"
    )
    assert refused.stdout == ""


def test_nanopublication_quads_are_sorted_and_deterministic() -> None:
    first = nanopublication_quads(bundled().graph_files())
    assert first == nanopublication_quads(bundled().graph_files())
    assert any(isinstance(q.graph_name, ox.DefaultGraph) for q in first)
