"""Ontology documentation (`kg docs`) and the dataset's VoID/DCAT description."""

from __future__ import annotations

import html
import stat
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from tests.conftest import run_kg

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DATASET = rdflib.URIRef("https://w3id.org/supernode-kg/dataset")


def test_docs_document_every_class_and_property_in_both_languages(tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    run = run_kg("docs", "--out", str(tmp_path / "site"))
    assert run.exit_code == 0, run.stderr
    page = tmp_path / "site" / "index.html"
    assert run.stdout.strip() == f"wrote {page}"
    assert stat.S_IMODE(page.stat().st_mode) & 0o044, "the page should be readable by others (umask honoured)"
    text = html.unescape(page.read_text(encoding="utf-8"))
    ontology = rdflib.Graph()
    for path in bundle.ontology_files():
        ontology.parse(path)
    snk = "https://w3id.org/supernode-kg/ontology#"
    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in ontology.subjects(RDF.type, kind) if str(t).startswith(snk)]
    assert len(terms) > 80
    missing = []
    for term in terms:
        labels = {label.language: str(label) for label in ontology.objects(term, RDFS.label)}
        definition = str(ontology.value(term, SKOS.definition))
        if str(term) not in text or labels["zh"] not in text or labels["en"] not in text or definition not in text:
            missing.append(str(term))
    assert not missing, f"terms missing from the documentation: {missing}"
    assert "https://schema.org/Organization" in text  # the alignments are shown
    assert "http://www.wikidata.org/prop/direct/P176" in text


def test_docs_into_a_path_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    run = run_kg("docs", "--out", str(blocker / "site"))
    assert run.exit_code == 2
    assert run.stderr.startswith("kg: error: ") and "Traceback" not in run.stderr


def test_dataset_description_counts_the_graph(bundle) -> None:  # type: ignore[no-untyped-def]
    run = run_kg("query", "dataset-description", "--format", "ntriples")
    assert run.exit_code == 0, run.stderr
    description = rdflib.Graph().parse(data=run.stdout, format="nt")
    graph = rdflib.Graph()
    for path in bundle.graph_files():
        graph.parse(path)
    assert description.value(DATASET, VOID.triples).toPython() == len(graph)
    assert description.value(DATASET, VOID.classes).toPython() == len(set(graph.objects(None, RDF.type)))
    entities = {s for s in graph.subjects() if str(s).startswith("https://w3id.org/supernode-kg/id/")}
    assert description.value(DATASET, VOID.entities).toPython() == len(entities)
    assert description.value(DATASET, rdflib.DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert description.value(DATASET, rdflib.DCTERMS.source) == rdflib.URIRef(
        "https://w3id.org/supernode-kg/id/article/000_aceda881e32bca3b")
    partitions = {description.value(p, VOID["class"]): description.value(p, VOID.entities).toPython()
                  for p in description.objects(DATASET, VOID.classPartition)}
    snk = rdflib.Namespace("https://w3id.org/supernode-kg/ontology#")
    assert partitions[snk.CloudServiceProvider] == 4
    assert partitions[snk.SupernodeSolution] == 5
