"""Writing the merged graph in a standard RDF syntax, losslessly and deterministically.

Every triple is written exactly as it was read (no literal is canonicalized), blank nodes are
renamed by RDF canonicalization (RDFC-1.0) and triples are sorted, so the same graph always
gives the same bytes and data changes review as small diffs. TriG and N-Quads hold the triples
in the default graph, or, with ``nanopubs``, each claim as a nanopublication (:mod:`kg.publish.nanopubs`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.rdf.files import file_quads
from kg.rdf.formats import rdf_formats

EXPORT_FORMATS: dict[str, ox.RdfFormat] = rdf_formats("graph", "dataset")


def export_graph(
    paths: Sequence[str | os.PathLike[str]], output_format: str, *, nanopubs: bool = False
) -> bytes:
    """The triples of ``paths``, merged, in ``output_format``; prefixes from the files (Turtle,
    TriG). With ``nanopubs``, each claim as a nanopublication (TriG or N-Quads only).

    Raises:
        KgError: ``nanopubs`` with a format that has no named graphs.

    Example:
        >>> from kg.base.bundle import bundled
        >>> export_graph(bundled().graph_files(), "ntriples") == export_graph(bundled().graph_files(), "ntriples")
        True
    """
    if nanopubs:
        from kg.publish.nanopubs import GRAPH_FORMATS, export_nanopublications

        if output_format not in GRAPH_FORMATS:
            raise KgError(
                f"--nanopubs writes named graphs, which {output_format} cannot hold: "
                "give --format trig or --format nquads"
            )
        return export_nanopublications(paths, output_format)
    prefixes: dict[str, str] = {}
    dataset = ox.Dataset()
    for quad in file_quads(paths, prefixes):
        dataset.add(ox.Quad(quad.subject, quad.predicate, quad.object))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    triples = sorted((q.triple for q in dataset), key=_sort_key)
    rdf_format = EXPORT_FORMATS[output_format]
    used = (
        {p: ns for p, ns in sorted(prefixes.items()) if p}
        if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
        else None
    )
    if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        return ox.serialize(quads, format=rdf_format, prefixes=used) or b""
    return ox.serialize(triples, format=rdf_format, prefixes=used) or b""


def _sort_key(triple: ox.Triple) -> tuple[int, str, str, int, str]:
    # Named subjects before blank ones, so blank-node descriptions follow what uses them.
    subject_is_blank = isinstance(triple.subject, ox.BlankNode)
    return (
        int(subject_is_blank),
        str(triple.subject),
        str(triple.predicate),
        0,
        str(triple.object),
    )
