"""HTML documentation of the ontology: pyLODE's page, plus a table of its alignments.

pyLODE (OntPub profile) documents every class and property with labels, definitions, domains
and ranges; it does not show SKOS mapping properties, so the page gets an "Alignments" section
built from the saved query ``alignments``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from kg.bundle import bundled
from kg.errors import KgError
from kg.graph import load_files, load_rdflib_graph
from kg.output import write_atomically

OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"


def write_docs(out_dir: str | os.PathLike[str], ontology: Sequence[str | os.PathLike[str]] | None = None,
               progress: Callable[[str], None] | None = None) -> Path:
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
    page = page.replace("</body>", f"{alignments}\n</body>", 1) if "</body>" in page else page + alignments
    return write_atomically(out / "index.html", page)


def _merged_under_main_ontology(graph):  # type: ignore[no-untyped-def]
    """Keep one owl:Ontology header (the one that imports the others), so pyLODE documents the
    main ontology, with the imported files' axioms merged into it."""
    import rdflib

    ontologies = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(OWL_ONTOLOGY)))
    importers = {o for o in ontologies if (o, rdflib.URIRef(OWL_IMPORTS), None) in graph}
    main = next(iter(sorted(importers or ontologies)), None)
    for other in ontologies - {main}:
        graph.remove((other, None, None))
    if main is not None:
        graph.remove((main, rdflib.URIRef(OWL_IMPORTS), None))
    return graph


def _pylode_page(graph) -> str:  # type: ignore[no-untyped-def]
    from pylode import OntPub
    from pylode.utils import PylodeError

    root_logger = logging.getLogger()
    previous_level = root_logger.level
    root_logger.setLevel(logging.WARNING)  # pyLODE logs its progress at INFO on the root logger
    try:
        return str(OntPub(ontology=graph, sort_subjects=True).make_html(include_css=True))
    except PylodeError as error:
        raise KgError(f"pyLODE could not document the ontology: {error}") from None
    finally:
        root_logger.setLevel(previous_level)


def _alignments_section(paths: Sequence[str | os.PathLike[str]]) -> str:
    from dominate import tags

    from kg.catalog import Catalog
    from kg.query import run_query
    from kg.results import compact_iri

    saved = Catalog.bundled().get("alignments")
    results = run_query(load_files(paths), saved.text, source=str(saved.path))
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
    return section.render()
