"""The Chinese labels tell the ontology's terms apart: no two properties, and no two classes or
concept schemes, share one (they did: snk:offeredBy and snk:provider were both 提供方; the class,
scheme and property of directions were all 变化方向), and the words claim and attest stay modest
(佐证, a source's support, not 证实, proof)."""

from __future__ import annotations

from collections import defaultdict

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.base.bundle import bundled

SNK = "https://w3id.org/supernode-kg/ontology#"


def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in bundled().ontology_files():
        graph.parse(path)
    return graph


def chinese_labels(graph: rdflib.Graph, kinds: tuple[rdflib.URIRef, ...]) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = defaultdict(list)
    for kind in kinds:
        for term in graph.subjects(RDF.type, kind):
            if isinstance(term, rdflib.URIRef) and str(term).startswith(SNK):
                for label in graph.objects(term, RDFS.label):
                    if isinstance(label, rdflib.Literal) and label.language == "zh":
                        labels[str(label)].append(str(term).removeprefix(SNK))
    return labels


def test_no_two_properties_share_a_chinese_label() -> None:
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    shared = {k: v for k, v in chinese_labels(ontology(), kinds).items() if len(set(v)) > 1}
    assert shared == {}


def test_no_two_classes_or_concept_schemes_share_a_chinese_label() -> None:
    kinds = (OWL.Class, SKOS.ConceptScheme)
    shared = {k: v for k, v in chinese_labels(ontology(), kinds).items() if len(set(v)) > 1}
    assert shared == {}


def test_attests_is_support_not_proof() -> None:
    graph = ontology()
    labels = {str(o) for o in graph.objects(rdflib.URIRef(SNK + "attests"), RDFS.label)}
    assert "佐证" in labels
    text = "\n".join(path.read_text(encoding="utf-8") for path in bundled().ontology_files())
    assert "证实" not in text
