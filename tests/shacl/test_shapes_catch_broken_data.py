"""The SHACL shapes catch broken data: every shape has a hand-written broken fixture it must reject.

Each ``tests/fixtures/broken/<topic>.ttl`` holds small nodes that each break (where possible)
exactly one constraint; ``<topic>.expected.tsv`` lists, by hand, the violations the fixture must
produce as ``focus_node``, ``source_shape`` and ``constraint`` prefixed names, exactly as
:class:`kg.shacl.validation.Violation` prints them. The bundled data conforms, so validating it together
with one fixture yields exactly that fixture's violations.

A blank focus node gets a fresh label on every run, so it is compared as ``[]``; a fixture keeps
at most one blank node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from kg.base.bundle import bundled
from kg.shacl.validation import Violation, validate
from tests.conftest import FIXTURES_DIR

#: every broken fixture on the bundled graph
pytestmark = [pytest.mark.slow]

BROKEN_DIR = FIXTURES_DIR / "broken"
FIXTURES = sorted(BROKEN_DIR.glob("*.ttl"))
EXPECTED_SUFFIX = ".expected.tsv"
HEADER = ("focus_node", "source_shape", "constraint")
HEADER_LINE = "\t".join(HEADER)
BLANK_NODE = "[]"
SPARQL_COMPONENT = "sh:SPARQLConstraintComponent"


class Row(NamedTuple):
    """One expected (or reported) violation."""

    focus_node: str
    source_shape: str
    constraint: str


#: Which fixture row proves each SPARQL constraint fires. A SPARQL result names only the node
#: shape that holds the constraint, so the coverage test also checks that this node shape holds
#: no other sh:sparql constraint: then its SPARQL row can only come from this one.
SPARQL_CONSTRAINT_PROOFS: dict[str, tuple[str, Row]] = {
    "snsh:PartnershipShape-contributorIsPartner": (
        "partnership",
        Row("snt:partnership-with-outside-contributor", "snsh:PartnershipShape", SPARQL_COMPONENT),
    ),
    "snsh:PartnershipShape-leadIsPartner": (
        "partnership",
        Row("snt:partnership-led-by-an-outsider", "snsh:PartnershipLeadShape", SPARQL_COMPONENT),
    ),
    "snsh:RatioNotationShape-matchesShares": (
        "procurement-mix",
        Row("snt:mix-with-ratio-against-its-shares", "snsh:RatioNotationShape", SPARQL_COMPONENT),
    ),
    "snsh:ProcurementMixShape-sharesSumToOne": (
        "procurement-mix",
        Row("snt:mix-with-shares-not-adding-up", "snsh:ProcurementMixShape", SPARQL_COMPONENT),
    ),
    "snsh:CitedMarkerShape-markerExists": (
        "provenance",
        Row("snt:claim-citing-marker-7", "snsh:CitedMarkerShape", SPARQL_COMPONENT),
    ),
    "snsh:QuoteInParagraphShape-quoteInText": (
        "provenance",
        Row(
            "snt:claim-quoting-words-not-in-the-article",
            "snsh:QuoteInParagraphShape",
            SPARQL_COMPONENT,
        ),
    ),
    "snsh:SentenceMarkersShape-allMarkersCited": (
        "provenance",
        Row(
            "snt:claim-citing-part-of-its-sentence-markers",
            "snsh:SentenceMarkersShape",
            SPARQL_COMPONENT,
        ),
    ),
    "snsh:AsOfShape-publicationDate": (
        "provenance",
        Row("snt:claim-dated-before-its-source", "snsh:AsOfShape", SPARQL_COMPONENT),
    ),
    "snsh:WikidataLinkAgreesShape-sameAsMappingSet": (
        "wikidata",
        Row("snd:tencent", "snsh:WikidataLinkAgreesShape", SPARQL_COMPONENT),
    ),
    "snsh:WikidataLinkMappedShape-subjectInMappingSet": (
        "wikidata",
        Row("snt:unmapped-technology", "snsh:WikidataLinkMappedShape", SPARQL_COMPONENT),
    ),
    "snsh:MappingAppliedShape-tripleInData": (
        "wikidata",
        Row("snt:mapping-without-its-link", "snsh:MappingAppliedShape", SPARQL_COMPONENT),
    ),
}

#: Predicates of a node shape that are not constraints of its own (targets, properties, text).
#: A node shape with any other predicate (sh:nodeKind, sh:or, sh:sparql, ...) reports results
#: under its own name, so a fixture must break it directly.
NODE_SHAPE_NON_CONSTRAINTS = frozenset(
    {
        RDF.type,
        RDFS.comment,
        RDFS.label,
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.property,
        SH.message,
        SH.severity,
        SH.deactivated,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
    }
)


def expected_file(fixture: Path) -> Path:
    return fixture.with_name(fixture.stem + EXPECTED_SUFFIX)


def read_expected(path: Path) -> set[Row]:
    """Read an expected-violations TSV: the header line, then one tab-separated row a violation."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0] == HEADER_LINE, (
        f"{path.name}: the first line must be the header {HEADER_LINE!r}"
    )
    rows: set[Row] = set()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        assert len(fields) == len(HEADER), (
            f"{path.name}:{number}: expected {len(HEADER)} tab-separated fields, got {fields}"
        )
        row = Row(*fields)
        assert row not in rows, f"{path.name}:{number}: duplicate row {row}"
        rows.add(row)
    return rows


def reported_row(violation: Violation) -> Row:
    focus = BLANK_NODE if violation.focus_node.startswith("_:") else violation.focus_node
    return Row(focus, violation.source_shape, violation.constraint)


def describe_rows(rows: set[Row], details: dict[Row, list[Violation]] | None = None) -> str:
    lines = []
    for row in sorted(rows):
        lines.append("    " + "\t".join(row))
        for violation in (details or {}).get(row, []):
            lines.append(f"        value={violation.value!r} message={violation.message!r}")
    return "\n".join(lines)


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_each_broken_fixture_reports_exactly_its_violations(fixture: Path) -> None:
    expected_path = expected_file(fixture)
    assert expected_path.is_file(), f"{fixture.name} has no {expected_path.name}"
    expected = read_expected(expected_path)
    assert expected, f"{expected_path.name} lists no violation"

    outcome = validate(data=[bundled().data_dir, fixture])

    assert not outcome.conforms, f"{fixture.name}: the shapes accepted this broken data"
    blank_focus_nodes = {v.focus_node for v in outcome.violations if v.focus_node.startswith("_:")}
    assert len(blank_focus_nodes) <= 1, (
        f"{fixture.name}: {len(blank_focus_nodes)} blank focus nodes, which all read {BLANK_NODE}; "
        "keep at most one blank node a fixture"
    )
    by_row: dict[Row, list[Violation]] = {}
    for violation in outcome.violations:
        by_row.setdefault(reported_row(violation), []).append(violation)
    reported = set(by_row)
    missing = expected - reported
    unexpected = reported - expected
    assert not missing and not unexpected, (
        f"{fixture.name}: the violations differ from {expected_path.name}\n"
        f"  missing (expected, not reported):\n{describe_rows(missing) or '    none'}\n"
        f"  unexpected (reported, not expected):\n{describe_rows(unexpected, by_row) or '    none'}"
    )


@dataclass
class ShapeInventory:
    """The IRI-named shapes of the bundled shapes files, as prefixed names."""

    graph: rdflib.Graph
    node_shapes: dict[str, rdflib.URIRef] = field(default_factory=dict)
    property_shapes: set[str] = field(default_factory=set)
    sparql_constraints: set[str] = field(default_factory=set)

    def name(self, term: rdflib.term.Node) -> str:
        return self.graph.namespace_manager.normalizeUri(term)

    def objects(self, node_shape: str, predicate: rdflib.URIRef) -> set[str]:
        return {self.name(o) for o in self.graph.objects(self.node_shapes[node_shape], predicate)}

    def own_constraints(self, node_shape: str) -> set[str]:
        """The constraint parameters on the node shape itself (not on its property shapes)."""
        predicates = set(self.graph.predicates(self.node_shapes[node_shape], None))
        return {self.name(p) for p in predicates - NODE_SHAPE_NON_CONSTRAINTS}


def shape_inventory() -> ShapeInventory:
    """Every IRI-named node shape, property shape and SPARQL constraint of the bundled shapes."""
    graph = rdflib.Graph()
    for path in bundled().shapes_files():
        graph.parse(path, format="turtle")
    inventory = ShapeInventory(graph)

    def iris(*nodes: Iterable[rdflib.term.Node]) -> list[rdflib.URIRef]:
        return [n for group in nodes for n in group if isinstance(n, rdflib.URIRef)]

    for shape in iris(graph.subjects(RDF.type, SH.NodeShape)):
        inventory.node_shapes[inventory.name(shape)] = shape
    for shape in iris(graph.subjects(RDF.type, SH.PropertyShape), graph.objects(None, SH.property)):
        inventory.property_shapes.add(inventory.name(shape))
    sparql = iris(graph.subjects(RDF.type, SH.SPARQLConstraint), graph.objects(None, SH.sparql))
    inventory.sparql_constraints.update(inventory.name(constraint) for constraint in sparql)
    return inventory


def test_every_shape_has_a_broken_fixture() -> None:
    inventory = shape_inventory()
    orphans = sorted(
        p.name
        for p in BROKEN_DIR.glob("*" + EXPECTED_SUFFIX)
        if not p.with_name(p.name.removesuffix(EXPECTED_SUFFIX) + ".ttl").is_file()
    )
    assert not orphans, f"expected-violation files without a fixture: {orphans}"
    expected_by_fixture = {
        fixture.stem: read_expected(expected_file(fixture))
        for fixture in FIXTURES
        if expected_file(fixture).is_file()
    }
    covered = {row.source_shape for rows in expected_by_fixture.values() for row in rows}
    unknown = sorted(covered - set(inventory.node_shapes) - inventory.property_shapes)
    assert not unknown, f"expected rows name shapes the shapes files do not define: {unknown}"

    # A property shape reports under its own name. A node shape does so only for constraints
    # of its own (sh:nodeKind, sh:or, sh:sparql, ...); one without any is proved by its
    # property shapes.
    uncovered = sorted(inventory.property_shapes - covered)
    for name in sorted(inventory.node_shapes):
        own = inventory.own_constraints(name)
        if own and name not in covered:
            uncovered.append(f"{name} (its own {', '.join(sorted(own))})")
        elif not own and not inventory.objects(name, SH.property) & covered:
            uncovered.append(f"{name} (none of its property shapes)")

    # A SPARQL result names the node shape, not the constraint: the proof row counts only if
    # that node shape holds this one SPARQL constraint and no other.
    for constraint in sorted(inventory.sparql_constraints):
        if constraint not in SPARQL_CONSTRAINT_PROOFS:
            uncovered.append(f"{constraint} (no entry in SPARQL_CONSTRAINT_PROOFS)")
            continue
        fixture_stem, row = SPARQL_CONSTRAINT_PROOFS[constraint]
        holders = [
            s for s in inventory.node_shapes if constraint in inventory.objects(s, SH.sparql)
        ]
        assert holders == [row.source_shape], (
            f"{constraint} is held by {holders}, but its proof row names {row.source_shape}"
        )
        siblings = inventory.objects(row.source_shape, SH.sparql)
        assert siblings == {constraint}, (
            f"{row.source_shape} holds several SPARQL constraints {sorted(siblings)}: "
            f"its {SPARQL_COMPONENT} row does not say which one fired"
        )
        if row not in expected_by_fixture.get(fixture_stem, set()):
            where = f"{fixture_stem}{EXPECTED_SUFFIX}"
            uncovered.append(f"{constraint} (row {' '.join(row)} is not in {where})")
    stale = sorted(set(SPARQL_CONSTRAINT_PROOFS) - inventory.sparql_constraints)
    assert not stale, f"SPARQL_CONSTRAINT_PROOFS names constraints the shapes do not hold: {stale}"

    assert not uncovered, "shapes that no broken fixture proves:\n  " + "\n  ".join(uncovered)


def test_bundled_data_conforms() -> None:
    outcome = validate()

    assert outcome.violations == []
    assert outcome.conforms
