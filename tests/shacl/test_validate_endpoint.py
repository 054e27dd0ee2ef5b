"""`kg validate --endpoint`: the fast engine's queries sent to a SPARQL 1.1 endpoint give the
results that validating the same triples in memory gives (Oxigraph's server and Virtuoso,
started on 127.0.0.1).

Results are compared as (focus node, path, constraint component, source shape): an endpoint
holds literals its own way (Oxigraph's and Virtuoso's stores keep ``3.0`` as ``3``), so the
value a result shows can be written differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import kg
from kg.base.bundle import bundled
from tests.conftest import FIXTURES_DIR, VIRTUOSO_GRAPH, run_kg
from tests.servers import VIRTUOSO_PASSWORD, VIRTUOSO_USER, oxigraph_binary, oxigraph_server

#: servers started by the tests
pytestmark = [pytest.mark.external]

BROKEN = sorted((FIXTURES_DIR / "broken").glob("*.ttl"))
Result = tuple[str, str, str, str]


def results(report: kg.ValidationReport) -> set[Result]:
    """(focus node, path, constraint component, source shape); an IRI focus node as its full
    IRI (the data files' prefixes are not the endpoint's), a blank one as []."""

    def focus(result: object) -> str:
        shown = getattr(result, "focus_node", "")
        return "[]" if shown.startswith("_:") else getattr(result, "focus_iri", "") or shown

    return {(focus(r), r.path, r.constraint, r.source_shape) for r in report.results}


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if oxigraph_binary() is None:
        pytest.skip("no Oxigraph server (pip install oxigraph)")
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        if url is None:
            pytest.fail("the Oxigraph server did not start")
        yield url


def test_the_bundled_graph_conforms_at_an_endpoint(oxigraph: str) -> None:
    kg.push(f"{oxigraph}/store")
    report = kg.validate(endpoint=f"{oxigraph}/query")
    assert report.conforms and results(report) == set() == results(kg.validate())


@pytest.mark.parametrize("fixture", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_broken_fixture_gives_the_same_results_at_an_endpoint(
    oxigraph: str, fixture: Path
) -> None:
    data = [bundled().data_dir, fixture]
    kg.push(f"{oxigraph}/store", data)
    remote, local = kg.validate(endpoint=f"{oxigraph}/query"), kg.validate(data=data)
    assert not local.conforms
    assert (remote.conforms, results(remote)) == (local.conforms, results(local))


def test_the_command_validates_an_endpoint_and_refuses_data_beside_it(oxigraph: str) -> None:
    kg.push(f"{oxigraph}/store", [bundled().data_dir, FIXTURES_DIR / "broken" / BROKEN[0].name])
    run = run_kg("validate", "--endpoint", f"{oxigraph}/query", "--format", "junit")
    assert run.exit_code == 1 and "<testsuite" in run.stdout
    both = run_kg("validate", "--endpoint", f"{oxigraph}/query", "--data", str(BROKEN[0]))
    assert both.exit_code == 2 and "not both" in both.stderr


def test_an_unreachable_endpoint_is_one_line_and_exit_2() -> None:
    run = run_kg("validate", "--endpoint", "http://127.0.0.1:9/query", "--timeout", "2")
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("kg: error: ")


def test_a_blank_focus_node_an_endpoint_cannot_name_is_an_error(
    oxigraph: str, tmp_path: Path
) -> None:
    # a nested shape validated on blank value nodes would list them in a query: refused
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "ex:Named sh:property [ sh:path ex:name ; sh:minCount 1 ] .\n"
        "ex:S sh:targetSubjectsOf ex:friend ; sh:property [ sh:path ex:friend ; sh:node ex:Named ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text(
        "<http://example.org/a> <http://example.org/friend> [ <http://example.org/age> 3 ] .\n"
    )
    kg.push(f"{oxigraph}/store", data, ontology=False)
    with pytest.raises(kg.KgError, match="blank node"):
        kg.validate(endpoint=f"{oxigraph}/query", shapes=shapes)


@pytest.mark.slow
def test_virtuoso_gives_the_same_results(virtuoso) -> None:  # type: ignore[no-untyped-def]
    credentials = {"KG_ENDPOINT_USER": VIRTUOSO_USER, "KG_ENDPOINT_PASSWORD": VIRTUOSO_PASSWORD}
    remote = kg.validate(endpoint=virtuoso.sparql(VIRTUOSO_GRAPH))
    assert remote.conforms and results(remote) == set()
    graph = "https://w3id.org/supernode-kg/graph/broken"
    compared = []
    for fixture in BROKEN:
        data = [bundled().data_dir, fixture]
        pushed = run_kg(
            "push",
            "--endpoint",
            virtuoso.graph_store,
            "--graph",
            graph,
            *(f"--data={p}" for p in data),
            env=credentials,
        )
        if pushed.exit_code == 2 and "does not hold what was sent" in pushed.stderr:
            continue  # Virtuoso rewrote a literal (3.0 as 3): kg push refuses to trust the graph
        assert pushed.exit_code == 0, pushed.stderr
        remote, local = kg.validate(endpoint=virtuoso.sparql(graph)), kg.validate(data=data)
        assert (fixture.name, results(remote)) == (fixture.name, results(local))
        compared.append(fixture.name)
    assert len(compared) >= len(BROKEN) - 5, compared
