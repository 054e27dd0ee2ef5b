"""OWL 2 reasoning over the ontology and the data with owlready2's HermiT (Java).

owlready2 does not read Turtle, so the graph goes to it as N-Triples in memory. Two things are
adapted on the way, and reported: ``owl:imports`` triples are dropped (every imported file is
already merged in, and owlready2 would try to fetch the IRI), and literals whose datatype is
outside the OWL 2 datatype map (``xsd:date``) are passed as plain strings, which HermiT accepts;
no axiom of the ontology constrains their values (the SHACL shapes check them).
"""

from __future__ import annotations

import io
import os
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.base.bundle import bundled
from kg.base.errors import KgError, one_line
from kg.base.namespaces import OWL, RDF, RDFS, XSD
from kg.base.namespaces import RDF_TYPE as RDF_TYPE_IRI
from kg.rdf.graph import LoadedGraph, load_files
from kg.sparql.results import compact_iri

RDF_TYPE = ox.NamedNode(RDF_TYPE_IRI)
OWL_IMPORTS = ox.NamedNode(OWL + "imports")
OWL_NAMED_INDIVIDUAL = OWL + "NamedIndividual"

#: The XSD datatypes of the OWL 2 datatype map (plus rdf:langString, which is a plain literal).
OWL2_DATATYPES = frozenset(
    {
        XSD + name
        for name in [
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        ]
    }
    | {
        RDF + "langString",
        RDF + "PlainLiteral",
        RDF + "XMLLiteral",
        RDFS + "Literal",
        OWL + "real",
        OWL + "rational",
    }
)


@dataclass
class ReasoningOutcome:
    """What HermiT concluded.

    Attributes:
        consistent: whether the ontology and data together are consistent.
        unsatisfiable_classes: classes that can have no instance (prefixed names).
        inferred_types: individual -> classes the reasoner added to its asserted types.
        explanations: for an inconsistent graph, the individuals and axioms that clash,
            as far as the asserted types and disjointness axioms show them.
        datatypes_passed_as_strings: datatype -> how many literals went to HermiT as strings.
    """

    consistent: bool
    unsatisfiable_classes: list[str] = field(default_factory=list)
    inferred_types: dict[str, list[str]] = field(default_factory=dict)
    explanations: list[str] = field(default_factory=list)
    datatypes_passed_as_strings: dict[str, int] = field(default_factory=dict)

    @property
    def sound(self) -> bool:
        """Consistent, with no unsatisfiable class."""
        return self.consistent and not self.unsatisfiable_classes


def reason(paths: Sequence[str | os.PathLike[str]] | None = None) -> ReasoningOutcome:
    """Run HermiT over RDF files (the bundled ontology and data by default).

    Example:
        >>> outcome = reason()
        >>> outcome.sound, "snk:SolutionProvider" in outcome.inferred_types["snd:tencent"]
        (True, True)

    Raises:
        KgError: Java is missing, or a file does not parse.
    """
    loaded = load_files(list(paths) if paths is not None else bundled().graph_files())
    java = _java_executable()
    import owlready2
    from owlready2.base import OwlReadyInconsistentOntologyError, OwlReadyJavaError

    owlready2.JAVA_EXE = java
    triples, converted = _reasoner_view(loaded)
    world = owlready2.World()
    ontology_iri = _ontology_iri(loaded) or "urn:supernode-kg:reasoning"
    world.get_ontology(ontology_iri).load(
        fileobj=io.BytesIO(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""),
        format="ntriples",
    )
    asserted = _asserted_types(loaded)
    show = _namer(loaded)
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except OwlReadyInconsistentOntologyError:
        return ReasoningOutcome(
            consistent=False,
            explanations=explain_inconsistency(loaded),
            datatypes_passed_as_strings=converted,
        )
    except OwlReadyJavaError as error:
        detail = next((line for line in str(error).splitlines() if "Exception" in line), str(error))
        raise KgError(f"HermiT failed: {one_line(detail)}") from None
    unsatisfiable = sorted(show(c.iri) for c in world.inconsistent_classes() if hasattr(c, "iri"))
    inferred: dict[str, list[str]] = {}
    # world.individuals() lists only owl:NamedIndividual declarations; look each typed node up.
    for iri, types in asserted.items():
        individual = world[iri]
        if not isinstance(individual, owlready2.Thing):
            continue
        now = {c.iri for c in individual.is_a if hasattr(c, "iri")} - {OWL_NAMED_INDIVIDUAL}
        added = sorted(show(c) for c in now - types)
        if added:
            inferred[show(iri)] = added
    return ReasoningOutcome(
        consistent=True,
        unsatisfiable_classes=unsatisfiable,
        inferred_types=dict(sorted(inferred.items())),
        datatypes_passed_as_strings=converted,
    )


def explain_inconsistency(loaded: LoadedGraph) -> list[str]:
    """Name the individuals whose asserted types (with their superclasses) are declared disjoint.

    HermiT only says "inconsistent"; this finds the commonest cause, from the axioms as written.
    """
    from kg.sparql.catalog import read_saved_query
    from kg.sparql.query import run_query

    show = _namer(loaded)
    query = read_saved_query(
        bundled().queries_dir / "checks" / "individual-in-disjoint-classes-violation.rq"
    )
    explanations = []
    rows = run_query(loaded, query.text, source=str(query.path))
    if not isinstance(rows, ox.QuerySolutions):
        raise KgError(f"{query.path}: expected a SELECT query")
    for row in rows:
        explanations.append(
            f"{show(row['individual'].value)} is a {show(row['classA'].value)} and a "
            f"{show(row['classB'].value)}, which are declared disjoint"
        )
    return sorted(set(explanations)) or [
        "HermiT found a contradiction that no disjointness of asserted types explains"
    ]


def _java_executable() -> str:
    java = shutil.which(os.environ.get("KG_JAVA", "java"))
    if java is None:
        raise KgError(
            "Java not found: the HermiT reasoner needs Java 17 or newer "
            "(Debian: apt-get install default-jre-headless), or set KG_JAVA"
        )
    return java


def _reasoner_view(loaded: LoadedGraph) -> tuple[list[ox.Triple], dict[str, int]]:
    converted: Counter[str] = Counter()
    triples = []
    for quad in loaded.store:
        if quad.predicate == OWL_IMPORTS:
            continue
        obj = quad.object
        if (
            isinstance(obj, ox.Literal)
            and not obj.language
            and obj.datatype.value not in OWL2_DATATYPES
        ):
            converted[obj.datatype.value.replace(XSD, "xsd:")] += 1
            obj = ox.Literal(obj.value)
        triples.append(ox.Triple(quad.subject, quad.predicate, obj))
    return triples, dict(sorted(converted.items()))


def _ontology_iri(loaded: LoadedGraph) -> str | None:
    owl_ontology = ox.NamedNode(OWL + "Ontology")
    for quad in loaded.store.quads_for_pattern(None, RDF_TYPE, owl_ontology):
        if isinstance(quad.subject, ox.NamedNode):
            return quad.subject.value
    return None


def _asserted_types(loaded: LoadedGraph) -> dict[str, set[str]]:
    types: dict[str, set[str]] = {}
    for quad in loaded.store.quads_for_pattern(None, RDF_TYPE, None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            types.setdefault(quad.subject.value, set()).add(quad.object.value)
    return types


def _namer(loaded: LoadedGraph):  # type: ignore[no-untyped-def]
    prefixes = dict(loaded.prefixes)

    def show(iri: str) -> str:
        return compact_iri(iri, prefixes)

    return show
