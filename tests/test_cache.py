"""The persistent store cache: a second run on unchanged data does not re-parse, and any change
to an input makes a new store."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg.graph
from kg import cache
from kg.synth import generate
from tests.conftest import run_kg


@pytest.fixture()
def big_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KG_CACHE_MIN_BYTES", "1000")
    monkeypatch.delenv("KG_NO_CACHE", raising=False)
    return generate(3000, 5, tmp_path / "data").path


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every file parsed, into a cached store or in memory (both go through _load_into)."""
    parsed: list[Path] = []
    original_load = kg.graph._load_into

    def counting_load(store, rdf_file, prefixes, **options):  # type: ignore[no-untyped-def]
        parsed.append(rdf_file.path)
        return original_load(store, rdf_file, prefixes, **options)

    monkeypatch.setattr(kg.graph, "_load_into", counting_load)
    return parsed


def test_second_run_reads_the_cached_store(big_input: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = count_parses(monkeypatch)
    first = kg.graph.load_files([big_input])
    assert parsed == [big_input]
    assert list((Path(cache.cache_dir())).iterdir())  # a store was published
    second = kg.graph.load_files([big_input])
    assert parsed == [big_input]  # not parsed again
    assert len(second) == len(first) and second.prefixes == first.prefixes


def test_a_changed_input_is_parsed_again(big_input: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = count_parses(monkeypatch)
    kg.graph.load_files([big_input])
    with big_input.open("a", encoding="utf-8") as stream:
        stream.write("<urn:x:new> <urn:x:p> <urn:x:o> .\n")
    grown = kg.graph.load_files([big_input])
    assert parsed == [big_input, big_input]
    assert any(q.subject.value == "urn:x:new" for q in grown.store.quads_for_pattern(None, None, None) if hasattr(q.subject, "value"))


def test_no_cache_always_parses(big_input: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = count_parses(monkeypatch)
    kg.graph.load_files([big_input])
    kg.graph.load_files([big_input], use_cache=False)
    assert parsed == [big_input, big_input]
    run = run_kg("query", "--file", str(Path(__file__).parent / "fixtures" / "queries" / "ask-tomahawk.rq"),
                 "--data", str(big_input), "--no-cache")
    assert run.exit_code == 0 and run.stdout == "false\n"


def test_cached_and_parsed_graphs_answer_alike(big_input: Path) -> None:
    from kg.bundle import bundled

    args = ["query", "claims", "--data", str(bundled().ontology_dir), "--data", str(big_input), "--format", "csv"]
    cold = run_kg(*args, "--no-cache")
    run_kg(*args)
    warm = run_kg(*args)
    assert cold.exit_code == warm.exit_code == 0
    assert cold.stdout == warm.stdout and len(cold.stdout.splitlines()) > 50


def test_small_inputs_are_parsed_without_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KG_CACHE_MIN_BYTES", raising=False)
    kg.graph.load_bundled_graph()
    assert not (tmp_path / "cache").exists()


def test_synth_command_writes_a_conforming_graph(tmp_path: Path) -> None:
    run = run_kg("synth", "--triples", "4000", "--seed", "3", "--out", str(tmp_path))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("wrote ")
    assert run_kg("validate", "--data", str(tmp_path / "synthetic.ttl")).exit_code == 0
