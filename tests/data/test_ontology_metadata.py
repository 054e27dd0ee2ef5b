"""The ontology speaks both languages and says who made it: every term has an English and a
Chinese definition and rdfs:isDefinedBy, the ontology has creator, contributor and modified
dates (the OBO manner), and the value sets are SKOS concept schemes."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.base.bundle import bundled

SNK = rdflib.Namespace("https://w3id.org/supernode-kg/ontology#")
ONTOLOGY = rdflib.URIRef("https://w3id.org/supernode-kg/ontology")
VALUE_CLASSES = (
    "Modality",
    "SolutionStatus",
    "MarketPosition",
    "ApplicationFocus",
    "Direction",
    "DemandLevel",
)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in bundled().ontology_files():
        graph.parse(path, format="turtle")
    return graph


def terms(graph: rdflib.Graph) -> list[rdflib.URIRef]:
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.NamedIndividual,
        SKOS.ConceptScheme,
    )
    return sorted(
        {
            t
            for kind in kinds
            for t in graph.subjects(RDF.type, kind)
            if isinstance(t, rdflib.URIRef) and t.startswith(str(SNK))
        }
    )


def test_every_term_has_an_english_and_a_chinese_definition(ontology: rdflib.Graph) -> None:
    found = terms(ontology)
    assert len(found) > 130
    for term in found:
        definitions = {d.language: str(d) for d in ontology.objects(term, SKOS.definition)}
        assert set(definitions) == {"en", "zh"}, term
        assert CJK.search(definitions["zh"]), f"{term}: its Chinese definition has no Chinese"


def test_every_term_is_defined_by_the_ontology(ontology: rdflib.Graph) -> None:
    for term in terms(ontology):
        assert list(ontology.objects(term, RDFS.isDefinedBy)) == [ONTOLOGY], term


def test_ontology_has_creator_contributor_and_modified_date(ontology: rdflib.Graph) -> None:
    for predicate in (DCTERMS.creator, DCTERMS.contributor, DCTERMS.created, DCTERMS.modified):
        assert ontology.value(ONTOLOGY, predicate) is not None, predicate
    assert ontology.value(ONTOLOGY, DCTERMS.modified).datatype == rdflib.XSD.date


@pytest.mark.parametrize("name", VALUE_CLASSES)
def test_each_value_set_is_a_skos_concept_scheme_of_exactly_its_individuals(
    ontology: rdflib.Graph, name: str
) -> None:
    scheme = SNK[name + "Scheme"]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    members = set(ontology.subjects(RDF.type, SNK[name]))
    assert members
    assert set(ontology.objects(scheme, SKOS.hasTopConcept)) == members
    for member in members:
        assert (member, RDF.type, SKOS.Concept) in ontology, member
        assert list(ontology.objects(member, SKOS.inScheme)) == [scheme], member
