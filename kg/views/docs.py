"""HTML documentation of the ontology: pyLODE's page, plus a table of its alignments.

pyLODE (OntPub profile) documents every class and property with labels, definitions, domains
and ranges; it does not show SKOS mapping properties, so the page gets an "Alignments" section
built from the saved query ``alignments``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kg.base.bundle import bundled
from kg.base.errors import KgError
from kg.base.namespaces import OWL, SKOS
from kg.base.output import write_atomically
from kg.rdf.graph import load_files, load_rdflib_graph

if TYPE_CHECKING:
    import rdflib

OWL_ONTOLOGY = OWL + "Ontology"
OWL_IMPORTS = OWL + "imports"
SKOS_CONCEPT_SCHEME = SKOS + "ConceptScheme"


def write_docs(
    out_dir: str | os.PathLike[str],
    ontology: Sequence[str | os.PathLike[str]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Render the ontology (with its alignments) as one HTML page, ``OUT_DIR/index.html``.

    Raises:
        KgError: an ontology file does not parse, the folder cannot be made, or pyLODE fails.
    """
    step = progress or (lambda description: None)
    step("loading the ontology")
    paths = list(ontology) if ontology is not None else bundled().ontology_files()
    graph = _merged_under_main_ontology(load_rdflib_graph(paths))
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KgError(f"{out}: cannot create directory: {error.strerror or error}") from None
    step("rendering with pyLODE")
    page = _pylode_page(graph)
    step("adding the alignments")
    alignments = _alignments_section(paths)
    page = (
        page.replace("</body>", f"{alignments}\n</body>", 1)
        if "</body>" in page
        else page + alignments
    )
    return write_atomically(out / "index.html", page)


def _merged_under_main_ontology(graph: rdflib.Graph) -> rdflib.Graph:
    """Keep one owl:Ontology header (the one that imports the others), so pyLODE documents the
    main ontology, with the imported files' axioms merged into it."""
    import rdflib

    ontologies = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(OWL_ONTOLOGY)))
    importers = {o for o in ontologies if (o, rdflib.URIRef(OWL_IMPORTS), None) in graph}
    main = next(iter(sorted(importers or ontologies, key=str)), None)
    for other in ontologies - {main}:
        graph.remove((other, None, None))
    if main is not None:
        graph.remove((main, rdflib.URIRef(OWL_IMPORTS), None))
    # pyLODE takes every skos:ConceptScheme for the document's header too (its IRI, its title):
    # the value sets stay documented by their members, but only the ontology heads the page
    graph.remove((None, rdflib.RDF.type, rdflib.URIRef(SKOS_CONCEPT_SCHEME)))
    return graph


class _HtmlDocument(Protocol):
    """What kg uses of a pyLODE document (pyLODE ships no types)."""

    def make_html(self, include_css: bool = ...) -> object: ...


class _Element(Protocol):
    """What kg uses of a dominate element (dominate ships no types)."""

    children: list[Any]
    attributes: dict[str, Any]
    is_pretty: bool

    def add(self, *children: object) -> object: ...


def _pylode_page(graph: rdflib.Graph) -> str:
    from pylode.utils import PylodeError

    root_logger = logging.getLogger()
    previous_level = root_logger.level
    root_logger.setLevel(logging.WARNING)  # pyLODE logs its progress at INFO on the root logger
    try:
        return str(
            _own_terms_ontpub_class()(ontology=graph, sort_subjects=True).make_html(
                include_css=True
            )
        )
    except PylodeError as error:
        raise KgError(f"pyLODE could not document the ontology: {error}") from None
    finally:
        root_logger.setLevel(previous_level)


#: In headings one label per line, English first and the others (Chinese) below it; in the
#: table of contents on one line with a gap, so the list stays short.
LABEL_CSS = """
span.label { display: block; }
h3 span.label:first-child { display: inline; }
h1 span.label + span.label, h3 span.label ~ span.label { font-size: 0.8em; color: #555; }
#toc span.label { display: inline; }
#toc a { text-decoration: none; }
#toc a span.label { text-decoration: underline; }
#toc span.label + span.label { margin-left: 0.3em; color: #555; white-space: nowrap; }
"""


def _labels(literals: Iterable[rdflib.term.Node]) -> list[object]:
    """Each label in its own ``<span lang=..>``, English first: pyLODE joins a term's labels
    into one text node ("AI accelerator cardAI加速卡")."""
    from dominate import tags

    ordered = sorted(
        set(literals),
        key=lambda label: (
            getattr(label, "language", None) != "en",
            getattr(label, "language", None) or "",
            str(label),
        ),
    )
    spans = [
        tags.span(str(label), lang=getattr(label, "language", None) or "", cls="label")
        for label in ordered
    ]
    return [piece for span in spans for piece in (" ", span)][
        1:
    ]  # a space between, for copied text


def _own_terms_ontpub_class() -> Callable[..., _HtmlDocument]:
    """pyLODE's OntPub, changed where it misleads a reader of this ontology: labels in two
    languages kept apart (each in a span with its ``lang``), a table of contents of the
    ontology's own terms only (the alignments file declares external classes such as
    schema:Organization and org:Organization, which pyLODE would list as two "Organization"s),
    and the preferred namespace IRI written out instead of its prefix."""
    import rdflib
    from dominate import tags
    from pylode import OntPub

    title = rdflib.DCTERMS.title

    class OwnTermsOntPub(OntPub):  # type: ignore[misc]
        def _make_body(self) -> None:
            super()._make_body()
            self.doc.head.add(tags.style(LABEL_CSS))

        def _make_toc(self) -> None:
            namespace = self.ns[1]
            iri_of_fragment = {fragment: iri for iri, fragment in self.fids.items()}
            for section, entries in self.toc.items():
                if section == "namespaces":
                    continue
                self.toc[section] = [
                    (
                        href,
                        _labels(self.ont.objects(rdflib.URIRef(iri_of_fragment[href[1:]]), title)),
                    )
                    for href, _ in entries
                    if iri_of_fragment.get(href[1:], "").startswith(namespace)
                ]
            self._separate_labels(iri_of_fragment)
            super()._make_toc()
            for element in _descendants(self.doc.body):
                if type(element).__name__ == "a" and element.attributes.get("href", "").startswith(
                    "#"
                ):
                    element.is_pretty = (
                        False  # no line breaks inside a link: they show as underlined gaps
                    )

        def _separate_labels(self, iri_of_fragment: dict[str, str]) -> None:
            namespace = self.ns[1]
            for element in _descendants(self.content):
                name = type(element).__name__
                element_id = element.attributes.get("id", "")
                if name == "div" and element_id == "metadata":
                    heading = element.children[0]
                    ontologies = self.ont.subjects(rdflib.RDF.type, rdflib.OWL.Ontology)
                    heading.children = []
                    heading.add(_labels(t for o in ontologies for t in self.ont.objects(o, title)))
                elif name == "div" and element_id in iri_of_fragment and element.children:
                    heading = element.children[0]
                    if type(heading).__name__ == "h3":
                        labels = list(
                            self.ont.objects(rdflib.URIRef(iri_of_fragment[element_id]), title)
                        )
                        if labels:
                            marks = [
                                child for child in heading.children if not isinstance(child, str)
                            ]
                            first, *others = _labels(labels)
                            heading.children = []
                            heading.add(
                                first, *marks, *others
                            )  # the class/property mark after the English label
                elif (
                    name == "a"
                    and str(element.attributes.get("href")) == namespace
                    and element.children
                ):
                    element.children = [namespace]  # pyLODE writes the namespace as "snk:"

    return OwnTermsOntPub


def _descendants(element: object) -> Iterator[_Element]:
    for child in getattr(element, "children", []):
        if not isinstance(child, str):
            yield child
            yield from _descendants(child)


def _alignments_section(paths: Sequence[str | os.PathLike[str]]) -> str:
    import pyoxigraph as ox
    from dominate import tags

    from kg.sparql.catalog import Catalog
    from kg.sparql.query import run_query
    from kg.sparql.results import compact_iri

    saved = Catalog.bundled().get("alignments")
    results = run_query(load_files(paths), saved.text, source=str(saved.path))
    if not isinstance(results, ox.QuerySolutions):
        raise KgError(f"{saved.path}: expected a SELECT query")
    section = tags.div(id="alignments", cls="section")
    section.add(tags.h2("Alignments"))
    section.add(tags.p(saved.description))
    table = section.add(tags.table())
    header = table.add(tags.tr())
    for title in ("term", "relation", "external term", "vocabulary"):
        header.add(tags.th(title))
    for row in results:
        line = table.add(tags.tr())
        term, relation, external = row["term"].value, row["relation"].value, row["external"].value
        line.add(tags.td(tags.code(compact_iri(term, saved.prefixes))))
        line.add(tags.td(compact_iri(relation, saved.prefixes)))
        line.add(tags.td(tags.a(external, href=external)))
        line.add(tags.td(row["vocabulary"].value))
    html: str = section.render()
    return html
