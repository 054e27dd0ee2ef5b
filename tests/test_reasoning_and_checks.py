"""`kg reason` (HermiT) and `kg check` (coherence of ontology, data and shapes)."""

from __future__ import annotations

import pytest

from kg.checks import checks_catalog
from tests.conftest import FIXTURES_DIR, run_kg


@pytest.fixture(scope="module")
def graph_args(bundle) -> list[str]:  # type: ignore[no-untyped-def]
    return ["--data", str(bundle.ontology_dir), "--data", str(bundle.data_dir)]


def test_reason_bundled_graph_is_consistent_and_infers_roles_and_projections() -> None:
    run = run_kg("reason")
    assert run.exit_code == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "Consistent." in lines
    assert "  snd:tencent: snk:SolutionProvider" in lines  # offers ETH-X
    assert (
        "  snd:nvidia: snk:Manufacturer, snk:SolutionProvider" in lines
    )  # makes cards, offers NVL72
    assert "  snc:p06-domestic-card-share-projection: snk:Projection" in lines  # modality projected
    assert "  snc:p04-bytedance-ethernet-plan: snk:Plan" in lines
    assert not any("Unsatisfiable" in line for line in lines)


def test_reason_reports_an_individual_in_two_disjoint_classes(graph_args: list[str]) -> None:
    fixture = FIXTURES_DIR / "reasoning" / "two-disjoint-types.ttl"
    run = run_kg("reason", *graph_args, "--data", str(fixture))
    assert run.exit_code == 1, run.stdout + run.stderr
    assert "Inconsistent:" in run.stdout
    assert (
        "snt:company-and-product is a snk:Organization and a snk:Product, which are declared disjoint"
        in run.stdout
    )


def test_reason_reports_an_unsatisfiable_class(graph_args: list[str]) -> None:
    fixture = FIXTURES_DIR / "reasoning" / "unsatisfiable-class.ttl"
    run = run_kg("reason", *graph_args, "--data", str(fixture))
    assert run.exit_code == 1, run.stdout + run.stderr
    assert "Unsatisfiable classes:" in run.stdout
    assert "OrganizationProduct" in run.stdout


def test_reason_without_java_is_a_clear_error() -> None:
    run = run_kg("reason", env={"KG_JAVA": "/nonexistent/java"})
    assert run.exit_code == 2
    assert run.stderr.strip().startswith("kg: error: Java not found")


def test_check_bundled_graph_passes_every_check() -> None:
    run = run_kg("check")
    assert run.exit_code == 0, run.stdout
    names = checks_catalog().names()
    assert run.stdout.splitlines()[-1] == f"{len(names)} passed, 0 failed"


@pytest.mark.parametrize("name", checks_catalog().names())
def test_each_check_catches_its_fixture_and_only_it(name: str, bundle) -> None:  # type: ignore[no-untyped-def]
    fixture = FIXTURES_DIR / "checks" / f"{name}.ttl"
    assert fixture.exists(), f"no fixture for check {name}"
    run = run_kg(
        "check",
        "--data",
        str(bundle.ontology_dir),
        "--data",
        str(bundle.data_dir),
        "--data",
        str(bundle.shapes_dir),
        "--data",
        str(fixture),
    )
    assert run.exit_code == 1, run.stdout
    failed = [
        line.split()[1].rstrip(":") for line in run.stdout.splitlines() if line.startswith("FAIL")
    ]
    assert failed == [name]
