"""The facts stay faithful to the article: verbatim quotes, right paragraph markers, verified
Wikidata IDs only, every term declared."""

from __future__ import annotations

from decimal import Decimal

import pytest
import rdflib
from rdflib.namespace import RDF

from kg.base.bundle import Bundle, bundled
from kg.rdf.graph import load_rdflib_graph
from tests.conftest import SHARED_DIR

SNK = rdflib.Namespace("https://w3id.org/supernode-kg/ontology#")
ARTICLE = rdflib.URIRef("https://w3id.org/supernode-kg/id/article/000_aceda881e32bca3b")
STATEMENTS = "https://w3id.org/supernode-kg/id/statement/"


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
# tests/shacl/test_shapes_catch_broken_data.py proves each rule with a broken fixture.


def test_every_statement_of_the_article_is_still_a_claim(graph: rdflib.Graph) -> None:
    # 31 statements, who makes three products: Broadcom's Tomahawk [4], NV compliant cards [6],
    # NV cards [10]; and who belongs to two groups: CSPs including BAT [6], major internet
    # companies like Alibaba and Tencent [6]; and 20 classifications, one per specific type an
    # entity is given (each attested by the words that say so: "CSPs including BAT" [6], ...).
    assert len(claims(graph)) == 56


def test_every_claim_comes_from_the_article(graph: rdflib.Graph) -> None:
    for claim in claims(graph):
        assert graph.value(claim, SNK.source) == ARTICLE, claim


def test_claim_iris_are_scoped_by_their_source(graph: rdflib.Graph) -> None:
    for claim in claims(graph):
        assert str(claim).startswith(f"{ARTICLE}/claim/p"), claim


def test_every_claim_attests_one_source_independent_statement(graph: rdflib.Graph) -> None:
    statements = set()
    for claim in claims(graph):
        (statement,) = graph.objects(claim, SNK.attests)
        assert str(statement).startswith(STATEMENTS), statement
        statements.add(statement)
    # one claim per statement in the bundled article (a second source would add claims only)
    assert len(statements) == len(claims(graph))
    assert set(graph.subjects(SNK.attests, None)) == set(claims(graph))


def test_article_metadata(graph: rdflib.Graph) -> None:
    assert graph.value(ARTICLE, rdflib.DCTERMS.title) == rdflib.Literal(
        "超节点技术与市场趋势解析", lang="zh"
    )
    outlet = graph.value(ARTICLE, SNK.outlet)
    assert graph.value(outlet, rdflib.RDFS.label) == rdflib.Literal("傅里叶的猫", lang="zh")
    assert graph.value(ARTICLE, SNK.publishedAt) == rdflib.Literal(
        "2025-09-28T16:00:00", datatype=rdflib.XSD.dateTime
    )
    assert graph.value(ARTICLE, SNK.textLanguage) == rdflib.Literal(
        "en", datatype=rdflib.XSD.language
    )


def test_restriction_date_and_numbers_are_typed(graph: rdflib.Graph) -> None:
    (restriction,) = graph.subjects(RDF.type, SNK.TradeRestriction)
    assert graph.value(restriction, SNK.startDate) == rdflib.Literal(
        "2025-09-16", datatype=rdflib.XSD.date
    )
    (projection,) = graph.subjects(RDF.type, SNK.MarketShareProjection)
    assert graph.value(projection, SNK.shareMin).toPython() == Decimal("0.30")
    assert graph.value(projection, SNK.shareMax).toPython() == Decimal("0.40")
    assert graph.value(projection, SNK.shareMin).datatype == rdflib.XSD.decimal


# Wikidata links: tests/data/test_mappings.py checks the mapping set against the verified list, and
# SHACL (shapes/mapping-shapes.ttl) checks every link of anyone's data against the mapping set.


def test_every_term_used_is_declared_in_the_ontology(graph: rdflib.Graph) -> None:
    declared = set(graph.subjects(RDF.type, None))
    used = {
        term
        for triple in graph
        for term in triple
        if isinstance(term, rdflib.URIRef)
        and str(term).startswith(str(SNK))
        and term != rdflib.URIRef(str(SNK))
    }
    assert used - declared == set()


def test_every_entity_a_statement_is_about_is_described(graph: rdflib.Graph) -> None:
    undescribed = {o for o in graph.objects(None, SNK.about) if graph.value(o, RDF.type) is None}
    assert not undescribed
