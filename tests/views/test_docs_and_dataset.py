"""Ontology documentation (:func:`kg.views.docs.write_docs`, and `kg docs`) and the dataset's
VoID/DCAT description."""

from __future__ import annotations

import html
import re
import stat
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import kg
from kg.views.docs import write_docs
from tests.conftest import run_kg

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DATASET = rdflib.URIRef("https://w3id.org/supernode-kg/dataset")


@pytest.fixture(scope="module")
def docs_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled ontology's page, rendered once (pyLODE takes a second or two)."""
    page = write_docs(tmp_path_factory.mktemp("docs") / "site")
    return page.read_text(encoding="utf-8")


def test_docs_out_writes_a_page_others_can_read_and_says_where(tmp_path: Path) -> None:
    run = run_kg("docs", "--out", str(tmp_path / "site"))
    assert run.exit_code == 0, run.stderr
    page = tmp_path / "site" / "index.html"
    assert run.stdout.strip() == f"wrote {page}"
    assert stat.S_IMODE(page.stat().st_mode) & 0o044, (
        "the page should be readable by others (umask honoured)"
    )
    assert "Supernode market ontology" in page.read_text(encoding="utf-8")


def test_docs_head_the_page_with_the_ontologys_own_iri_and_titles(docs_page: str) -> None:
    """pyLODE takes every skos:ConceptScheme for a header too: the page once named a value
    set's IRI and seven titles as the ontology's."""
    metadata = docs_page[docs_page.index('id="metadata"') : docs_page.index("<h2>Metadata</h2>")]
    titles = re.findall(r'<span class="label" lang="(\w+)">([^<]*)</span>', metadata)
    assert sorted(titles) == [("en", "Supernode market ontology"), ("zh", "超节点市场本体")]
    iri = re.search(r"<strong>IRI</strong>\s*</dt>\s*<dd>\s*<code>([^<]*)</code>", docs_page)
    assert iri is not None and iri.group(1) == "https://w3id.org/supernode-kg/ontology"
    title = re.search(r"<title>([^<]*)</title>", docs_page)
    assert title is not None and title.group(1) in ("Supernode market ontology", "超节点市场本体")


def test_docs_document_every_class_and_property_in_both_languages(docs_page: str, bundle) -> None:  # type: ignore[no-untyped-def]
    text = html.unescape(docs_page)
    ontology = rdflib.Graph()
    for path in bundle.ontology_files():
        ontology.parse(path)
    snk = "https://w3id.org/supernode-kg/ontology#"
    terms = [
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in ontology.subjects(RDF.type, kind)
        if str(t).startswith(snk)
    ]
    assert len(terms) > 80
    missing = []
    for term in terms:
        labels = {label.language: str(label) for label in ontology.objects(term, RDFS.label)}
        definition = str(ontology.value(term, SKOS.definition))
        if (
            str(term) not in text
            or labels["zh"] not in text
            or labels["en"] not in text
            or definition not in text
        ):
            missing.append(str(term))
    assert not missing, f"terms missing from the documentation: {missing}"
    assert "https://schema.org/Organization" in text  # the alignments are shown
    assert "http://www.wikidata.org/prop/direct/P176" in text


SNK = "https://w3id.org/supernode-kg/ontology#"


def test_docs_keep_english_and_chinese_labels_apart_with_their_languages(docs_page: str) -> None:
    page = docs_page
    assert (
        "AI accelerator cardAI加速卡" not in page
        and "Supernode market ontology超节点市场本体" not in page
    )
    heading = re.search(
        r'<div class="property entity" id="AIacceleratorcard">\s*<h3>(.*?)</h3>', page, re.DOTALL
    )
    assert heading, "the class AI accelerator card has no heading"
    assert '<span class="label" lang="en">AI accelerator card</span>' in heading.group(1)
    assert '<span class="label" lang="zh">AI加速卡</span>' in heading.group(1)
    toc = page[page.index('<div id="toc">') :]
    assert (
        '<span class="label" lang="en">AI accelerator card</span> '
        '<span class="label" lang="zh">AI加速卡</span>'
    ) in toc
    assert re.search(
        r'<h1>\s*<span class="label" lang="en">Supernode market ontology</span>\s*'
        r'<span class="label" lang="zh">超节点市场本体</span>',
        page,
    )


def test_docs_table_of_contents_lists_only_the_ontologys_own_terms(docs_page: str) -> None:
    page = docs_page
    toc = page[page.index('<div id="toc">') :]
    toc = toc[
        : toc.index('href="#namespaces"')
    ]  # the namespaces' prefixes are listed after the terms
    sections = {
        "metadata",
        "classes",
        "properties",
        "objectproperties",
        "datatypeproperties",
        "annotationproperties",
        "functionalproperties",
        "namedindividuals",
        "namespaces",
        "legend",
    }
    fragments = [f for f in re.findall(r'href="#([^"]+)"', toc) if f not in sections]
    assert len(fragments) > 80
    iri_of = dict(
        re.findall(
            r'<div class="property entity" id="([^"]+)">.*?<code>([^<]+)</code>', page, re.DOTALL
        )
    )
    outside = [(f, iri_of.get(f)) for f in fragments if not iri_of.get(f, "").startswith(SNK)]
    assert not outside, f"terms of other vocabularies in the table of contents: {outside}"
    assert ">Organization<" not in toc  # schema:Organization and org:Organization were both listed


def test_docs_show_the_preferred_namespace_iri_not_its_prefix(docs_page: str) -> None:
    page = docs_page
    entry = re.search(r"Preferred Namespace Uri</a>\s*</dt>\s*<dd>(.*?)</dd>", page, re.DOTALL)
    assert entry, "no Preferred Namespace Uri in the metadata"
    assert f'<a href="{SNK}">{SNK}</a>' in entry.group(1)
    assert "snk:" not in entry.group(1)


def test_docs_into_a_path_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(kg.KgError) as caught:
        write_docs(blocker / "site")
    assert str(caught.value).startswith(f"{blocker / 'site'}: cannot create directory")


def test_docs_into_a_path_that_is_a_file_exits_2_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    run = run_kg("docs", "--out", str(blocker / "site"))
    assert run.exit_code == 2
    assert run.stderr.startswith("kg: error: ") and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1


def test_dataset_description_counts_the_graph(bundle) -> None:  # type: ignore[no-untyped-def]
    triples = kg.query("dataset-description").serialize("ntriples")
    description = rdflib.Graph().parse(data=triples, format="nt")
    graph = rdflib.Graph()
    for path in bundle.graph_files():
        graph.parse(path)
    assert description.value(DATASET, VOID.triples).toPython() == len(graph)
    assert description.value(DATASET, VOID.classes).toPython() == len(
        set(graph.objects(None, RDF.type))
    )
    entities = {
        s for s in graph.subjects() if str(s).startswith("https://w3id.org/supernode-kg/id/")
    }
    assert description.value(DATASET, VOID.entities).toPython() == len(entities)
    assert description.value(DATASET, rdflib.DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert description.value(DATASET, rdflib.DCTERMS.source) == rdflib.URIRef(
        "https://w3id.org/supernode-kg/id/article/000_aceda881e32bca3b"
    )
    partitions = {
        description.value(p, VOID["class"]): description.value(p, VOID.entities).toPython()
        for p in description.objects(DATASET, VOID.classPartition)
    }
    snk = rdflib.Namespace("https://w3id.org/supernode-kg/ontology#")
    assert partitions[snk.CloudServiceProvider] == 3  # BAT
    assert partitions[snk.SupernodeSolution] == 4
