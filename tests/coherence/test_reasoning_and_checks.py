"""``kg.reason`` (HermiT) and ``kg.check`` (coherence of ontology, data and shapes), and how
`kg reason` and `kg check` print them and exit."""

from __future__ import annotations

import pytest

import kg
import kg.api
from kg.coherence.checks import checks_catalog
from kg.coherence.reasoning import ReasoningOutcome
from tests.conftest import FIXTURES_DIR, run_kg


@pytest.fixture(scope="module")
def graph_paths(bundle) -> list[object]:  # type: ignore[no-untyped-def]
    return [bundle.ontology_dir, bundle.data_dir]


@pytest.mark.external
def test_reason_bundled_graph_is_consistent_and_infers_roles_and_projections() -> None:
    outcome = kg.reason()
    assert outcome.consistent and outcome.sound
    inferred = outcome.inferred_types
    assert inferred["snd:tencent"] == ["snk:SolutionProvider"]  # offers ETH-X
    assert inferred["snd:nvidia"] == ["snk:Manufacturer", "snk:SolutionProvider"]  # cards, NVL72
    assert inferred["claim000:p06-domestic-card-share-projection"] == [
        "snk:Projection"
    ]  # projected
    assert inferred["claim000:p04-bytedance-ethernet-plan"] == ["snk:Plan"]
    assert outcome.unsatisfiable_classes == []


@pytest.mark.external
def test_reason_reports_an_individual_in_two_disjoint_classes(graph_paths: list[object]) -> None:
    fixture = FIXTURES_DIR / "reasoning" / "two-disjoint-types.ttl"
    outcome = kg.reason([*graph_paths, fixture])  # type: ignore[list-item]
    assert not outcome.consistent and not outcome.sound
    assert any(
        "snt:company-and-product is a snk:Organization and a snk:Product, which are declared disjoint"
        in explanation
        for explanation in outcome.explanations
    ), outcome.explanations


@pytest.mark.external
def test_reason_reports_an_unsatisfiable_class(graph_paths: list[object]) -> None:
    fixture = FIXTURES_DIR / "reasoning" / "unsatisfiable-class.ttl"
    outcome = kg.reason([*graph_paths, fixture])  # type: ignore[list-item]
    assert outcome.consistent and not outcome.sound
    assert any("OrganizationProduct" in name for name in outcome.unsatisfiable_classes)


def test_reason_without_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_JAVA", "/nonexistent/java")
    with pytest.raises(kg.KgError) as caught:
        kg.reason()
    assert str(caught.value).startswith("Java not found")


def test_reason_without_java_exits_2_with_one_line() -> None:
    run = run_kg("reason", env={"KG_JAVA": "/nonexistent/java"})
    assert run.exit_code == 2
    assert run.stderr.strip().startswith("kg: error: Java not found")


@pytest.mark.parametrize(
    ("outcome", "code", "shown"),
    [
        (
            ReasoningOutcome(True, inferred_types={"snd:nvidia": ["snk:A", "snk:B"]}),
            0,
            ["Consistent.", "Inferred types (1 individuals):", "  snd:nvidia: snk:A, snk:B"],
        ),
        (
            ReasoningOutcome(False, explanations=["snt:x is a snk:A and a snk:B"]),
            1,
            ["Inconsistent:", "  snt:x is a snk:A and a snk:B"],
        ),
        (
            ReasoningOutcome(True, unsatisfiable_classes=["snt:Nothing"]),
            1,
            ["Consistent.", "Unsatisfiable classes:", "  snt:Nothing"],
        ),
    ],
)
def test_reason_prints_the_outcome_and_exits_1_unless_sound(
    outcome: ReasoningOutcome, code: int, shown: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[object]] = []

    def reason(data: list[object] | None = None, *, ontology: object = None) -> ReasoningOutcome:
        asked.append(data or [])
        return outcome

    monkeypatch.setattr(kg.api, "reason", reason)  # the reasoner itself is tested above
    run = run_kg("reason", "--data", "some.ttl")
    assert run.exit_code == code, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert all(line in lines for line in shown), run.stdout
    assert [[str(p) for p in paths] for paths in asked] == [["some.ttl"]]


def test_check_bundled_graph_passes_every_check() -> None:
    outcomes = kg.check()
    assert all(outcome.passed for outcome in outcomes)
    assert sorted(o.check.name for o in outcomes) == sorted(checks_catalog().names())


def test_check_prints_a_line_per_check_and_exits_0_when_all_pass() -> None:
    run = run_kg("check")
    assert run.exit_code == 0, run.stdout
    names = checks_catalog().names()
    assert run.stdout.splitlines()[-1] == f"{len(names)} passed, 0 failed"


def _with_fixture(bundle, name: str) -> list[object]:  # type: ignore[no-untyped-def]
    fixture = FIXTURES_DIR / "checks" / f"{name}.ttl"
    assert fixture.exists(), f"no fixture for check {name}"
    return [bundle.ontology_dir, bundle.data_dir, bundle.shapes_dir, fixture]


@pytest.mark.parametrize("name", checks_catalog().names())
def test_each_check_catches_its_fixture_and_only_it(name: str, bundle) -> None:  # type: ignore[no-untyped-def]
    outcomes = kg.check(_with_fixture(bundle, name))  # type: ignore[arg-type]
    assert [o.check.name for o in outcomes if not o.passed] == [name]


def test_type_check_names_each_type_beyond_the_text(bundle) -> None:  # type: ignore[no-untyped-def]
    """The typings the article does not support are named, each once; the bundled graph's own
    specific types (each backed by an attested classification or implied by a range) are not."""
    name = "type-without-attested-statement-violation"
    results = kg.query(bundle.queries_dir / "checks" / f"{name}.rq", _with_fixture(bundle, name))
    rows = {
        tuple(term.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for term in row)
        for row in results.terms
    }
    assert rows == {
        ("huawei", "ChipVendor"),
        ("amphenol", "ConnectorVendor"),
        ("bytedance", "CloudServiceProvider"),
        ("bytedance-ethernet-solution", "SupernodeSolution"),
        ("h3c", "ChipVendor"),
    }


def test_check_prints_the_failing_check_and_exits_1(bundle) -> None:  # type: ignore[no-untyped-def]
    name = checks_catalog().names()[0]
    paths = _with_fixture(bundle, name)
    run = run_kg("check", *[a for p in paths for a in ("--data", str(p))])
    assert run.exit_code == 1, run.stdout
    failed = [
        line.split()[1].rstrip(":") for line in run.stdout.splitlines() if line.startswith("FAIL")
    ]
    assert failed == [name]
