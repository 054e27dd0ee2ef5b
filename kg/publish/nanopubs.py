"""Claims as nanopublications: each claim in four named graphs, as the Nanopub guidelines shape them.

A nanopublication (https://nanopub.net/guidelines/working_draft/) is the smallest unit of
publishable, attributable knowledge: a *head* graph that names the nanopublication and its three
other graphs, an *assertion* graph (what is claimed), a *provenance* graph (where the assertion
comes from) and a *publication info* graph (about the nanopublication itself). Here each claim
of the graph becomes one:

- assertion: the statement the claim attests (what is claimed, apart from who claims it), and
  the parts it is made of; a statement that several claims attest is in each of their
  assertion graphs;
- provenance: the claim itself (the statement it attests, its source, paragraph markers,
  quote, modality and as-of date), and ``<assertion> prov:wasDerivedFrom <source>``;
- publication info: the nanopublication derives from the claim node, and is part of the
  dataset under its license (when the graph describes one).

Which triple goes where is decided by the saved query ``queries/nanopub/parts.rq``, by subject
and property, so every object is written exactly as the files spell it. Every triple that
belongs to no claim stays in the default graph, and :func:`graph_from_nanopubs` turns the
output back into exactly the exported graph.

Example:
    >>> from kg.base.bundle import bundled
    >>> quads = nanopublication_quads(bundled().graph_files())
    >>> sorted({q.graph_name.value.rsplit("#", 1)[1] for q in quads
    ...         if isinstance(q.graph_name, ox.NamedNode)})
    ['Head', 'assertion', 'provenance', 'pubinfo']
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from kg.base.bundle import bundled
from kg.base.namespaces import NANOPUBS, NP, PROV, RDF_TYPE, SND
from kg.rdf.files import file_quads
from kg.rdf.formats import rdf_formats
from kg.sparql.catalog import Catalog

GRAPH_FORMATS: dict[str, ox.RdfFormat] = rdf_formats("dataset")

_NANOPUBLICATION = ox.NamedNode(NP + "Nanopublication")
_HAS_ASSERTION = ox.NamedNode(NP + "hasAssertion")
_HAS_PROVENANCE = ox.NamedNode(NP + "hasProvenance")
_HAS_PUBINFO = ox.NamedNode(NP + "hasPublicationInfo")
_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
_TYPE = ox.NamedNode(RDF_TYPE)
_PREFIXES = {"np": NP, "prov": PROV}

Subject = ox.NamedNode | ox.BlankNode


def nanopublication_quads(paths: Sequence[str | os.PathLike[str]]) -> list[ox.Quad]:
    """The merged graph of ``paths`` with each claim as a nanopublication (four named graphs),
    every other triple in the default graph. Blank nodes are canonicalized (RDFC-1.0) and
    quads sorted, so the same graph always gives the same quads in the same order."""
    prefixes: dict[str, str] = {}
    return _sorted(_nanopublications(paths, prefixes))


def export_nanopublications(paths: Sequence[str | os.PathLike[str]], output_format: str) -> bytes:
    """:func:`nanopublication_quads` in TriG (with the files' prefixes) or N-Quads."""
    prefixes: dict[str, str] = {}
    quads = _sorted(_nanopublications(paths, prefixes))
    rdf_format = GRAPH_FORMATS[output_format]
    used = (
        {p: ns for p, ns in sorted({**prefixes, **_PREFIXES}.items()) if p}
        if rdf_format == ox.RdfFormat.TRIG
        else None
    )
    return ox.serialize(quads, format=rdf_format, prefixes=used) or b""


def graph_from_nanopubs(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The graph that nanopublications were made from: the default graph, and every assertion
    and provenance graph without the nanopublication's own statements (its head, its
    publication info, and the links from an assertion graph to its sources).

    This is the inverse of :func:`nanopublication_quads`: for any graph ``g``,
    ``graph_from_nanopubs(nanopublication_quads(g))`` has exactly the triples of ``g``.
    """
    quads = list(quads)
    heads = {q.graph_name for q in quads if q.predicate == _TYPE and q.object == _NANOPUBLICATION}
    roles: dict[ox.NamedNode | ox.BlankNode, str] = {}
    for quad in quads:
        if quad.graph_name in heads and isinstance(quad.object, ox.NamedNode | ox.BlankNode):
            if quad.predicate == _HAS_ASSERTION:
                roles[quad.object] = "assertion"
            elif quad.predicate == _HAS_PROVENANCE:
                roles[quad.object] = "provenance"
            elif quad.predicate == _HAS_PUBINFO:
                roles[quad.object] = "pubinfo"
    assertions = {name for name, role in roles.items() if role == "assertion"}
    kept: list[ox.Triple] = []
    for quad in quads:
        graph = quad.graph_name
        role = None if isinstance(graph, ox.DefaultGraph) else roles.get(graph)
        from_the_graph = (
            isinstance(graph, ox.DefaultGraph)
            or role == "assertion"
            # not the nanopublication's link from its assertion graph to the source
            or (role == "provenance" and quad.subject not in assertions)
        )
        if from_the_graph:
            kept.append(quad.triple)
    return kept


def _nanopublications(
    paths: Sequence[str | os.PathLike[str]], prefixes: dict[str, str]
) -> ox.Dataset:
    triples = [quad.triple for quad in file_quads(paths, prefixes)]  # spelled as written
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    queries = Catalog(bundled().queries_dir / "nanopub")

    placement: dict[tuple[Subject, ox.NamedNode], list[ox.NamedNode]] = defaultdict(list)
    claims: dict[Subject, set[ox.NamedNode | ox.BlankNode]] = defaultdict(set)
    for row in store.query(queries.get("parts").text):  # type: ignore[union-attr]
        claim, source, subject, prop, part = (
            row[name] for name in ("claim", "source", "s", "p", "part")
        )
        claims[claim].add(source)
        graph = ox.NamedNode(_nanopub_iri(claim).value + "#" + part.value)
        if graph not in placement[(subject, prop)]:
            placement[(subject, prop)].append(graph)
    publication_info = [(row["p"], row["o"]) for row in store.query(queries.get("pubinfo").text)]  # type: ignore[union-attr]

    dataset = ox.Dataset()
    for triple in triples:
        graphs = placement.get((triple.subject, triple.predicate))  # type: ignore[arg-type]
        if not graphs:
            dataset.add(ox.Quad(triple.subject, triple.predicate, triple.object))
        for graph in graphs or ():
            dataset.add(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    for claim, sources in claims.items():
        nanopub = _nanopub_iri(claim)
        head, assertion, provenance, pubinfo = (
            ox.NamedNode(f"{nanopub.value}#{name}")
            for name in ("Head", "assertion", "provenance", "pubinfo")
        )
        for predicate, obj in (
            (_TYPE, _NANOPUBLICATION),
            (_HAS_ASSERTION, assertion),
            (_HAS_PROVENANCE, provenance),
            (_HAS_PUBINFO, pubinfo),
        ):
            dataset.add(ox.Quad(nanopub, predicate, obj, head))
        for source in sorted(sources, key=str):
            dataset.add(ox.Quad(assertion, _DERIVED_FROM, source, provenance))
        dataset.add(ox.Quad(nanopub, _DERIVED_FROM, claim, pubinfo))
        for predicate, obj in publication_info:
            dataset.add(ox.Quad(nanopub, predicate, obj, pubinfo))
    return dataset


def _nanopub_iri(claim: Subject) -> ox.NamedNode:
    """``snd:article/A/claim/p04-x`` -> ``snnp:article/A/claim/p04-x`` (the claim IRI is scoped
    by its source, and so is its nanopublication's); any other node by a digest of its name,
    so that every claim gets its own nanopublication IRI."""
    if isinstance(claim, ox.NamedNode) and claim.value.startswith(SND):
        return ox.NamedNode(NANOPUBS + claim.value.removeprefix(SND))
    digest = hashlib.sha256(str(claim).encode("utf-8")).hexdigest()[:24]
    return ox.NamedNode(f"{NANOPUBS}node/{digest}")


def _sorted(dataset: ox.Dataset) -> list[ox.Quad]:
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)

    def key(quad: ox.Quad) -> tuple[str, int, str, str, str]:
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        return (
            graph,
            int(isinstance(quad.subject, ox.BlankNode)),
            str(quad.subject),
            str(quad.predicate),
            str(quad.object),
        )

    return sorted(dataset, key=key)
