"""Synthetic graphs for benchmarks: valid in our ontology, the size asked for, reproducible,
with every class of the bundled data, and broken exactly where asked."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.bundle import bundled
from kg.errors import KgError
from kg.synth import (
    EXPECTED_HEADER,
    SYNTH,
    VIOLATION_KINDS,
    SynthReport,
    generate,
    read_expected_violations,
)
from kg.validation import validate

SNK = "https://w3id.org/supernode-kg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
EQUIVALENT_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#equivalentClass")
WIKIDATA_LINKS = {
    "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.w3.org/2004/02/skos/core#exactMatch",
}
SMALL = 5_000


def read_triples(path: Path) -> list[ox.Triple]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def read_all(paths: Iterable[Path]) -> list[ox.Triple]:
    return [triple for path in paths for triple in read_triples(path)]


def name(term: object) -> str:
    """The IRI of a named node, else an empty string."""
    return term.value if isinstance(term, ox.NamedNode) else ""


def types(triples: Iterable[ox.Triple]) -> set[str]:
    """The classes the triples give their subjects."""
    return {name(t.object) for t in triples if t.predicate == RDF_TYPE}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> SynthReport:
    return generate(SMALL, seed=1, out_dir=tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> SynthReport:
    return generate(SMALL, seed=1, out_dir=tmp_path_factory.mktemp("broken"), violations=1)


def test_small_synthetic_graph_conforms_to_the_bundled_shapes(small: SynthReport) -> None:
    outcome = validate(data=[small.path])
    assert outcome.conforms, "\n".join(
        f"{v.focus_node} {v.source_shape} {v.constraint}: {v.message}"
        for v in outcome.violations[:20]
    )
    assert outcome.violations == []
    expected = small.expected_violations.read_text(encoding="utf-8")
    assert expected == "\t".join(EXPECTED_HEADER) + "\n"


@pytest.mark.parametrize("target", [SMALL, 50_000])
def test_triple_count_is_within_3_percent_of_the_target(target: int, tmp_path: Path) -> None:
    report = generate(target, seed=7, out_dir=tmp_path)
    parsed = read_triples(report.path)
    assert len(parsed) == report.triples, "the report counts what the file holds (no triple twice)"
    assert abs(report.triples - target) <= 0.03 * target
    assert report.articles > 1 and report.claims > 30 * (report.articles - 1)


def test_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(
    small: SynthReport, tmp_path: Path
) -> None:
    again = generate(SMALL, seed=1, out_dir=tmp_path / "again")
    other = generate(SMALL, seed=2, out_dir=tmp_path / "other")
    assert again.path.read_bytes() == small.path.read_bytes()
    assert other.path.read_bytes() != small.path.read_bytes()


def test_validation_reports_exactly_the_injected_violations(broken: SynthReport) -> None:
    expected = read_expected_violations(broken.expected_violations)
    assert broken.broken_nodes == len(VIOLATION_KINDS)
    assert len(expected) == broken.violations == sum(len(rows) for rows in VIOLATION_KINDS.values())

    outcome = validate(data=[broken.path])

    reported = {(v.focus_iri, v.source_shape, v.constraint) for v in outcome.violations}
    assert len(reported) == len(outcome.violations), "one result per node, shape and constraint"
    assert not expected - reported, f"injected but not caught: {sorted(expected - reported)}"
    assert not reported - expected, f"caught but not injected: {sorted(reported - expected)}"
    # The TSV's focus_node column is written as the validation report writes it.
    lines = broken.expected_violations.read_text(encoding="utf-8").splitlines()[1:]
    written = {tuple(line.split("\t")[:3]) for line in lines}
    assert written == {(v.focus_node, v.source_shape, v.constraint) for v in outcome.violations}


def test_every_class_of_the_bundled_data_appears_in_a_small_graph(small: SynthReport) -> None:
    ontology = read_all(bundled().ontology_files())
    bundled_types = types(read_all(bundled().data_files()))
    synthetic_types = types(read_triples(small.path))

    inferred = {name(t.subject) for t in ontology if t.predicate == EQUIVALENT_CLASS}
    claim_classes = {SNK + "Claim"} | (subclasses(ontology, SNK + "Claim") - inferred)
    # Product classes that have instances of their own (snk:SwitchChip has only subclasses).
    product_classes = subclasses(ontology, SNK + "Product") & bundled_types
    ours = {c for c in bundled_types if c.startswith(SNK)}

    assert len(claim_classes) == 13 and len(product_classes) == 8
    for kind, wanted in (("claim", claim_classes), ("product", product_classes), ("bundled", ours)):
        missing = sorted(wanted - synthetic_types)
        assert not missing, f"{kind} classes missing from the synthetic graph: {missing}"


def test_synthetic_nodes_live_under_synth_and_carry_no_wikidata_link(small: SynthReport) -> None:
    triples = read_triples(small.path)
    assert all(name(t.subject).startswith(SYNTH) for t in triples)
    assert not [t for t in triples if t.predicate.value in WIKIDATA_LINKS]


@pytest.mark.parametrize(("triples", "violations"), [(0, 0), (100, -1)])
def test_counts_out_of_range_are_refused(triples: int, violations: int, tmp_path: Path) -> None:
    with pytest.raises(KgError, match="synth: the number of"):
        generate(triples, seed=1, out_dir=tmp_path, violations=violations)


def subclasses(ontology: list[ox.Triple], root: str) -> set[str]:
    """Every class below ``root`` (not ``root`` itself), through rdfs:subClassOf chains."""
    children: dict[str, set[str]] = {}
    for triple in ontology:
        if triple.predicate == SUBCLASS_OF and isinstance(triple.object, ox.NamedNode):
            children.setdefault(triple.object.value, set()).add(name(triple.subject))
    found: set[str] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), set()) - found:
            found.add(child)
            todo.append(child)
    return found
