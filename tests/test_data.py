"""The facts stay faithful to the article: verbatim quotes, right paragraph markers, verified
Wikidata IDs only, every term declared."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, SKOS

from kg.bundle import Bundle
from kg.graph import load_rdflib_graph
from kg.bundle import bundled
from tests.conftest import SHARED_DIR

SNK = rdflib.Namespace("https://w3id.org/supernode-kg/ontology#")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
ARTICLE = rdflib.URIRef("https://w3id.org/supernode-kg/id/article/000_aceda881e32bca3b")


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return load_rdflib_graph(bundled().graph_files())


def claims(graph: rdflib.Graph) -> list[rdflib.URIRef]:
    return sorted(s for s in graph.subjects(SNK.quote, None) if isinstance(s, rdflib.URIRef))


def test_article_copy_matches_the_shared_source(bundle: Bundle, article_text: str) -> None:
    shared = SHARED_DIR / "source" / "000_aceda881e32bca3b.txt"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert article_text == shared.read_text(encoding="utf-8")


# Whether each quote is in the text of the paragraphs it cites, cites every marker of its sentence
# and is dated by its source is checked by SHACL (shapes/provenance-shapes.ttl), on anyone's data;
# tests/test_shapes_catch_broken_data.py proves each rule with a broken fixture.


def test_every_statement_of_the_article_is_still_a_claim(graph: rdflib.Graph) -> None:
    assert len(claims(graph)) == 31


def test_every_claim_comes_from_the_article(graph: rdflib.Graph) -> None:
    for claim in claims(graph):
        assert graph.value(claim, SNK.source) == ARTICLE, claim


def test_article_metadata(graph: rdflib.Graph) -> None:
    assert graph.value(ARTICLE, rdflib.DCTERMS.title) == rdflib.Literal("超节点技术与市场趋势解析", lang="zh")
    outlet = graph.value(ARTICLE, SNK.outlet)
    assert graph.value(outlet, rdflib.RDFS.label) == rdflib.Literal("傅里叶的猫", lang="zh")
    assert graph.value(ARTICLE, SNK.publishedAt) == rdflib.Literal("2025-09-28T16:00:00", datatype=rdflib.XSD.dateTime)
    assert graph.value(ARTICLE, SNK.textLanguage) == rdflib.Literal("en", datatype=rdflib.XSD.language)


def test_restriction_date_and_numbers_are_typed(graph: rdflib.Graph) -> None:
    (restriction,) = graph.subjects(RDF.type, SNK.TradeRestriction)
    assert graph.value(restriction, SNK.startDate) == rdflib.Literal("2025-09-16", datatype=rdflib.XSD.date)
    (projection,) = graph.subjects(RDF.type, SNK.MarketShareProjection)
    assert graph.value(projection, SNK.shareMin).toPython() == Decimal("0.30")
    assert graph.value(projection, SNK.shareMax).toPython() == Decimal("0.40")
    assert graph.value(projection, SNK.shareMin).datatype == rdflib.XSD.decimal


def verified_wikidata_ids() -> dict[str, str]:
    path = SHARED_DIR / "wikidata-qids.tsv"
    if not path.exists():
        pytest.skip("../shared/wikidata-qids.tsv is not beside this checkout")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {row["id"]: row["kind"] for row in csv.DictReader(lines, delimiter="\t")}


def test_data_uses_only_verified_wikidata_ids(graph: rdflib.Graph) -> None:
    verified = verified_wikidata_ids()
    used = {
        str(o).rsplit("/", 1)[1]
        for _, _, o in graph
        if isinstance(o, rdflib.URIRef) and str(o).startswith("http://www.wikidata.org/")
    }
    assert used, "no Wikidata links at all"
    assert used <= set(verified), f"unverified Wikidata IDs: {sorted(used - set(verified))}"


def test_every_verified_organization_is_linked(graph: rdflib.Graph) -> None:
    verified = verified_wikidata_ids()
    linked = {str(o).removeprefix(WIKIDATA_ENTITY) for o in graph.objects(None, OWL.sameAs)}
    organizations = {qid for qid, kind in verified.items() if kind == "organization"}
    assert organizations <= linked, f"verified organizations without a link: {sorted(organizations - linked)}"


def test_wikidata_links_use_sameas_for_companies_and_exactmatch_for_concepts(graph: rdflib.Graph) -> None:
    verified = verified_wikidata_ids()
    for subject, qid_iri in graph.subject_objects(OWL.sameAs):
        assert verified[str(qid_iri).removeprefix(WIKIDATA_ENTITY)] == "organization", subject
    for subject, qid_iri in graph.subject_objects(SKOS.exactMatch):
        if str(qid_iri).startswith(WIKIDATA_ENTITY) and not str(subject).startswith(str(SNK)):
            assert verified[str(qid_iri).removeprefix(WIKIDATA_ENTITY)] == "concept", subject


def test_every_term_used_is_declared_in_the_ontology(graph: rdflib.Graph) -> None:
    declared = set(graph.subjects(RDF.type, None))
    used = {
        term for triple in graph for term in triple
        if isinstance(term, rdflib.URIRef) and str(term).startswith(str(SNK)) and term != rdflib.URIRef(str(SNK))
    }
    assert used - declared == set()


def test_every_entity_a_claim_is_about_is_described(graph: rdflib.Graph) -> None:
    undescribed = {o for o in graph.objects(None, SNK.about) if graph.value(o, RDF.type) is None}
    assert not undescribed
