"""Synthetic graphs for benchmarks: copies of the bundled article, valid in our ontology, the size
asked for, reproducible, joined across articles, broken exactly where asked, and built from the
bundle's files alone (an ontology change needs no change to kgdev/synth.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.base.bundle import Bundle, bundled
from kg.base.errors import KgError
from kg.shacl.validation import validate
from kgdev.synth import (
    BROKEN_NS,
    ENTITY_NS,
    EXPECTED_HEADER,
    SYNTH,
    SynthReport,
    generate,
    read_expected_violations,
)

SNK = "https://w3id.org/supernode-kg/ontology#"
SND = "https://w3id.org/supernode-kg/id/"
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


def describe_violations(outcome: object) -> str:
    violations = getattr(outcome, "violations", [])
    return "\n".join(
        f"{v.focus_node} {v.source_shape} {v.constraint}: {v.message}" for v in violations[:20]
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> SynthReport:
    return generate(SMALL, seed=1, out_dir=tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> SynthReport:
    return generate(SMALL, seed=1, out_dir=tmp_path_factory.mktemp("broken"), violations=2)


def test_small_synthetic_graph_conforms_to_the_bundled_shapes(small: SynthReport) -> None:
    outcome = validate(data=[small.path])
    assert outcome.conforms, describe_violations(outcome)
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
    small: SynthReport, broken: SynthReport, tmp_path: Path
) -> None:
    again = generate(SMALL, seed=1, out_dir=tmp_path / "again")
    other = generate(SMALL, seed=2, out_dir=tmp_path / "other")
    assert again.path.read_bytes() == small.path.read_bytes()
    assert other.path.read_bytes() != small.path.read_bytes()
    broken_again = generate(SMALL, seed=1, out_dir=tmp_path / "broken", violations=2)
    assert broken_again.path.read_bytes() == broken.path.read_bytes()
    assert broken_again.expected_violations.read_bytes() == broken.expected_violations.read_bytes()


def test_validation_reports_exactly_the_injected_violations(broken: SynthReport) -> None:
    expected = read_expected_violations(broken.expected_violations)
    assert broken.broken_nodes > 0 and 0 < len(expected) <= broken.violations

    outcome = validate(data=[broken.path])

    reported = {(v.focus_iri, v.source_shape, v.constraint) for v in outcome.violations}
    assert not expected - reported, f"injected but not caught: {sorted(expected - reported)}"
    assert not reported - expected, f"caught but not injected: {sorted(reported - expected)}"
    # The TSV's focus_node column is written as the validation report writes it (a blank node,
    # whose label changes from run to run, as []).
    lines = broken.expected_violations.read_text(encoding="utf-8").splitlines()[1:]
    written = {tuple(line.split("\t")[:3]) for line in lines}
    shown = {
        ("[]" if v.focus_node.startswith("_:") else v.focus_node, v.source_shape, v.constraint)
        for v in outcome.violations
    }
    assert written == shown


def test_every_broken_case_without_wikidata_is_injected_twice(broken: SynthReport) -> None:
    focus_iris = {iri for iri, _, _ in read_expected_violations(broken.expected_violations)}
    cases = bundled().broken_cases()
    plain = [p.stem for p in cases if "wikidata.org" not in p.read_text(encoding="utf-8")]
    assert len(plain) >= len(cases) - 3
    for case in plain:
        for copy in (1, 2):
            prefix = f"{BROKEN_NS}{case}-{copy}-"
            assert any(iri.startswith(prefix) for iri in focus_iris), f"{case} copy {copy}"


def test_every_class_of_the_bundled_data_appears_in_a_small_graph(small: SynthReport) -> None:
    ontology = read_all(bundled().ontology_files())
    bundled_types = types(read_all(bundled().data_files()))
    synthetic_types = types(read_triples(small.path))

    inferred = {name(t.subject) for t in ontology if t.predicate == EQUIVALENT_CLASS}
    # snk:Claim, snk:Statement and its 15 kinds (snk:Projection and snk:Plan are inferred).
    claim_classes = {SNK + "Claim", SNK + "Statement"} | (
        subclasses(ontology, SNK + "Statement") - inferred
    )
    # Product classes that have instances of their own (snk:SwitchChip has only subclasses).
    product_classes = subclasses(ontology, SNK + "Product") & bundled_types
    ours = {c for c in bundled_types if c.startswith(SNK)}

    assert len(claim_classes) == 17 and len(product_classes) == 8
    for kind, wanted in (("claim", claim_classes), ("product", product_classes), ("bundled", ours)):
        missing = sorted(wanted - synthetic_types)
        assert not missing, f"{kind} classes missing from the synthetic graph: {missing}"


def test_synthetic_nodes_live_under_synth_and_carry_no_wikidata_link(
    small: SynthReport, broken: SynthReport
) -> None:
    triples = read_triples(small.path)
    assert all(name(t.subject).startswith(SYNTH) for t in triples)
    assert not [t for t in triples if t.predicate.value in WIKIDATA_LINKS]
    for report in (small, broken):
        assert b"wikidata.org" not in report.path.read_bytes()
        # Every node of the bundled data is renamed: no triple names one.
        leaks = {
            name(term)
            for t in read_triples(report.path)
            for term in (t.subject, t.object)
            if name(term).startswith(SND) and not name(term).startswith(SYNTH)
        }
        assert not leaks


def test_later_articles_name_entities_that_earlier_ones_introduced(small: SynthReport) -> None:
    articles_naming: dict[str, set[str]] = {}
    for triple in read_triples(small.path):
        subject, value = name(triple.subject), name(triple.object)
        if value.startswith(ENTITY_NS) and not subject.startswith(ENTITY_NS):
            article = subject[len(SYNTH) :].split("/", 1)[0]
            articles_naming.setdefault(value, set()).add(article)
    shared = [entity for entity, articles in articles_naming.items() if len(articles) > 1]
    assert len(shared) >= 10, "entities are reused across articles, so queries join them"
    assert len(articles_naming) > len(shared), "and new ones keep coming"


def test_an_ontology_change_needs_no_synth_change(small: SynthReport, tmp_path: Path) -> None:
    """A new property on the ontology, required by a shape and given to the bundled nodes of its
    class, shows up in synthetic data built from that bundle, which conforms to its shapes."""
    bundle = copy_bundle(tmp_path / "bundle")
    data = read_all(bundle.data_files())
    new_properties = {"Region": "synthTestRegionNote", "Article": "synthTestArticleNote"}
    ontology_text = shapes_text = data_text = ""
    for cls, prop in new_properties.items():
        ontology_text += (
            f"snk:{prop} a owl:DatatypeProperty ; rdfs:domain snk:{cls} ; rdfs:range xsd:string ;\n"
            f'    rdfs:label "{prop}"@en .\n'
        )
        shapes_text += (
            f"snsh:{prop}Shape a sh:NodeShape ; sh:targetClass snk:{cls} ;\n"
            f"    sh:property snsh:{prop}Shape-{prop} .\n"
            f"snsh:{prop}Shape-{prop} a sh:PropertyShape ; sh:path snk:{prop} ;\n"
            f'    sh:minCount 1 ; sh:datatype xsd:string ; sh:message "needs snk:{prop}" .\n'
        )
        nodes = {
            name(t.subject) for t in data if t.predicate == RDF_TYPE and name(t.object) == SNK + cls
        }
        assert nodes, f"the bundled data has no snk:{cls}"
        data_text += "".join(f'<{node}> snk:{prop} "a value for a test" .\n' for node in nodes)
    head = (
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        f"@prefix snk: <{SNK}> .\n"
        "@prefix snsh: <https://w3id.org/supernode-kg/shapes#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    )
    (bundle.ontology_dir / "new-property.ttl").write_text(head + ontology_text, encoding="utf-8")
    (bundle.shapes_dir / "new-property-shapes.ttl").write_text(head + shapes_text, "utf-8")
    (bundle.data_dir / "new-property.ttl").write_text(head + data_text, encoding="utf-8")

    def check(path: Path) -> object:
        return validate(data=[path], shapes=[bundle.shapes_dir], ontology=bundle.ontology_files())

    # The new shape bites: synthetic data from the unchanged bundle lacks the property.
    before = check(small.path)
    assert {v.source_shape for v in getattr(before, "violations", [])} == {
        f"snsh:{prop}Shape-{prop}" for prop in new_properties.values()
    }

    # Enough articles that each class has several instances (one article is ~2,500 triples).
    report = generate(4 * SMALL, seed=1, out_dir=tmp_path / "out", bundle=bundle)

    outcome = check(report.path)
    assert getattr(outcome, "conforms", False), describe_violations(outcome)
    triples = read_triples(report.path)
    for cls, prop in new_properties.items():
        instances = {
            name(t.subject)
            for t in triples
            if t.predicate == RDF_TYPE and name(t.object) == SNK + cls
        }
        having = {name(t.subject) for t in triples if t.predicate.value == SNK + prop}
        assert len(instances) > 1 and having == instances


def test_violations_without_broken_cases_are_refused_in_one_line(tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "bundle")
    assert not bundle.broken_cases()
    with pytest.raises(KgError, match="no broken-data cases") as caught:
        generate(SMALL, seed=1, out_dir=tmp_path / "out", violations=1, bundle=bundle)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out" / "synthetic.ttl").exists()


def test_a_wheel_finds_the_broken_cases_in_its_bundle(broken: SynthReport, tmp_path: Path) -> None:
    """A wheel carries tests/fixtures/broken as kg/bundled/broken (pyproject's force-include)."""
    bundle = copy_bundle(tmp_path / "bundled")
    shutil.copytree(bundled().broken_dir, tmp_path / "bundled" / "broken")
    assert bundle.broken_dir == tmp_path / "bundled" / "broken"
    assert [p.name for p in bundle.broken_cases()] == [p.name for p in bundled().broken_cases()]
    report = generate(SMALL, seed=1, out_dir=tmp_path / "out", violations=2, bundle=bundle)
    assert report.path.read_bytes() == broken.path.read_bytes()
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8")
    assert '"tests/fixtures/broken" = "kg/bundled/broken"' in pyproject


@pytest.mark.parametrize(("triples", "violations"), [(0, 0), (100, -1)])
def test_counts_out_of_range_are_refused(triples: int, violations: int, tmp_path: Path) -> None:
    with pytest.raises(KgError, match="synth: the number of"):
        generate(triples, seed=1, out_dir=tmp_path, violations=violations)


def copy_bundle(root: Path) -> Bundle:
    """A copy of the bundled ontology, data and shapes (without the broken cases)."""
    source = bundled()
    for folder in (source.ontology_dir, source.data_dir, source.shapes_dir):
        shutil.copytree(folder, root / folder.relative_to(source.root))
    return Bundle(root)


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
