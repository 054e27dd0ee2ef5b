"""``--data`` means one thing in every command and in the Python API: it replaces the bundled
data, and the ontology is read with it (the bundled one, ``--ontology`` files, or none with
``--no-ontology``). So ``--data data/ttl/`` gives the bundled graph's answers everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.base.bundle import bundled, graph_paths
from tests.conftest import REPO_ROOT, run_kg

DATA = str(REPO_ROOT / "data" / "ttl")
SECOND_SOURCE = str(REPO_ROOT / "tests" / "fixtures" / "second-source")
COUNT_CLASSES = "SELECT (COUNT(*) AS ?n) { ?c a owl:Class }"


def count_classes(*options: str) -> int:
    run = run_kg("query", "--query", COUNT_CLASSES, "--format", "csv", *options)
    assert run.exit_code == 0, run.stderr
    return int(run.stdout.splitlines()[1])


def test_graph_paths_puts_the_ontology_before_the_data_that_replaces_the_bundled_data() -> None:
    bundle = bundled()
    assert graph_paths() == [*bundle.ontology_files(), *bundle.data_files()]
    assert graph_paths(["x.ttl"]) == [*bundle.ontology_files(), "x.ttl"]
    assert graph_paths(["x.ttl"], ontology=["o.ttl"]) == ["o.ttl", "x.ttl"]
    assert graph_paths(["x.ttl"], ontology=False) == ["x.ttl"]


def test_query_data_is_read_with_the_ontology_unless_no_ontology() -> None:
    bundled_classes = count_classes()
    assert bundled_classes > 20
    assert count_classes("--data", SECOND_SOURCE) == bundled_classes
    assert count_classes("--data", SECOND_SOURCE, "--no-ontology") == 0
    assert count_classes("--data", SECOND_SOURCE, "--ontology", SECOND_SOURCE) == 0


def test_query_with_the_bundled_data_folder_answers_as_the_bundled_graph() -> None:
    """`kg query solutions --data data/ttl/ --data my/` used to give 0 rows: no ontology."""
    default = run_kg("query", "solutions", "--format", "csv")
    assert run_kg("query", "solutions", "--format", "csv", "--data", DATA).stdout == default.stdout
    corroborated = ("query", "corroborated", "--format", "csv")
    assert len(run_kg(*corroborated).stdout.splitlines()) == 1  # one source: nothing corroborated
    both = run_kg(*corroborated, "--data", DATA, "--data", SECOND_SOURCE)
    assert both.exit_code == 0, both.stderr
    assert len(both.stdout.splitlines()) > 1


def test_a_file_named_twice_is_read_once() -> None:
    ontology = str(REPO_ROOT / "ontology")
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER isBlank(?s) }"
    once = run_kg("query", "--query", query, "--format", "csv")
    twice = run_kg("query", "--query", query, "--format", "csv", "--data", ontology, "--data", DATA)
    assert once.stdout == twice.stdout


def test_ontology_and_no_ontology_together_are_refused() -> None:
    run = run_kg("query", "solutions", "--ontology", SECOND_SOURCE, "--no-ontology")
    assert run.exit_code == 2
    assert "give --ontology or --no-ontology, not both" in run.stderr


def test_describe_reads_data_with_the_ontology() -> None:
    assert "Tencent" in run_kg("describe", "腾讯", "--data", DATA).stdout
    alone = run_kg("describe", "snd:tencent", "--data", DATA, "--no-ontology", "--format", "json")
    assert alone.exit_code == 0, alone.stderr


def test_validate_and_check_read_data_with_the_bundled_ontology_and_shapes() -> None:
    assert run_kg("validate", "--data", DATA).exit_code == 0
    checked = run_kg("check", "--data", DATA)
    assert checked.exit_code == 0, checked.stdout  # used to fail 45 classes without --shapes
    assert checked.stdout.endswith("0 failed\n")


def test_export_of_the_bundled_data_folder_is_the_bundled_export() -> None:
    default = run_kg("export", "--format", "ntriples").stdout
    assert run_kg("export", "--format", "ntriples", "--data", DATA).stdout == default
    alone = run_kg("export", "--format", "ntriples", "--data", DATA, "--no-ontology").stdout
    assert 0 < len(alone) < len(default)


@pytest.mark.parametrize("command", [["viz"], ["chart", "procurement-mix"]])
def test_pictures_of_the_bundled_data_folder_are_the_bundled_pictures(
    tmp_path: Path, command: list[str]
) -> None:
    default, given = tmp_path / "default.svg", tmp_path / "given.svg"
    assert run_kg(*command, "--out", str(default)).exit_code == 0
    assert run_kg(*command, "--out", str(given), "--data", DATA).exit_code == 0
    assert given.read_bytes() == default.read_bytes()


def test_push_sends_data_with_the_ontology(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[list[Path]] = []

    def fake_push(endpoint, files, graph, **options):  # type: ignore[no-untyped-def]
        from kg.rdf.files import resolve_rdf_files
        from kg.sparql.remote import PushOutcome

        sent.append(resolve_rdf_files(files))
        return PushOutcome(url=endpoint, sent=0, held=0)

    monkeypatch.setattr("kg.sparql.remote.push", fake_push)
    assert run_kg("push", "--endpoint", "http://127.0.0.1:9/store", "--data", DATA).exit_code == 0
    assert (
        run_kg(
            "push", "--endpoint", "http://127.0.0.1:9/store", "--data", DATA, "--no-ontology"
        ).exit_code
        == 0
    )
    with_ontology, alone = sent
    assert [p.name for p in with_ontology] == [
        p.name for p in [*bundled().ontology_files(), *bundled().data_files()]
    ]
    assert [p.name for p in alone] == [p.name for p in bundled().data_files()]


def test_serve_serves_data_with_the_ontology(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[list[str]] = []
    monkeypatch.setattr(
        "kg.serve.server.serve",
        lambda settings, ready: served.append([p.name for p in settings.files]),
    )
    assert run_kg("serve", "--port", "0", "--data", SECOND_SOURCE).exit_code == 0
    ontology = [p.name for p in bundled().ontology_files()]
    assert served[0][: len(ontology)] == ontology
    assert len(served[0]) > len(ontology)


def test_the_python_api_reads_paths_as_data_with_the_ontology() -> None:
    assert kg.query("solutions", DATA).rows == kg.query("solutions").rows
    assert kg.query(COUNT_CLASSES, SECOND_SOURCE).rows == kg.query(COUNT_CLASSES).rows
    assert kg.query(COUNT_CLASSES, kg.load(SECOND_SOURCE, ontology=False)).rows == ((0,),)
    assert kg.export(DATA, "ntriples") == kg.export(format="ntriples")
    assert all(outcome.passed for outcome in kg.check(DATA))
    assert kg.validate(data=DATA).conforms
