"""The graph cache: a second run on unchanged data loads an N-Quads dump instead of parsing the
files, and any change to an input makes a new dump."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.base.errors
import kg.rdf.graph
from kg.rdf import cache
from kgdev.synth import generate
from kgdev.synth import main as synth_main
from tests.conftest import FIXTURES_DIR, run_kg


@pytest.fixture()
def big_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KG_CACHE_MIN_BYTES", "1000")
    monkeypatch.delenv("KG_NO_CACHE", raising=False)
    return generate(3000, 5, tmp_path / "data").path


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every file parsed: into a store (_load_into: in memory, or an on-disk store) or
    streamed into a new cached dump (_quads_for_dump)."""
    parsed: list[Path] = []
    original_load = kg.rdf.graph._load_into
    original_stream = kg.rdf.graph._quads_for_dump

    def counting_load(store, rdf_file, prefixes, **options):  # type: ignore[no-untyped-def]
        parsed.append(rdf_file.path)
        return original_load(store, rdf_file, prefixes, **options)

    def counting_stream(rdf_file, prefixes):  # type: ignore[no-untyped-def]
        parsed.append(rdf_file.path)
        return original_stream(rdf_file, prefixes)

    monkeypatch.setattr(kg.rdf.graph, "_load_into", counting_load)
    monkeypatch.setattr(kg.rdf.graph, "_quads_for_dump", counting_stream)
    return parsed


def test_second_run_reads_the_cached_dump(big_input: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = count_parses(monkeypatch)
    first = kg.rdf.graph.load_files([big_input])
    assert parsed == [big_input]
    assert list((Path(cache.cache_dir())).iterdir())  # a store was published
    second = kg.rdf.graph.load_files([big_input])
    assert parsed == [big_input]  # not parsed again
    assert len(second) == len(first) and second.prefixes == first.prefixes


def test_a_changed_input_is_parsed_again(big_input: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = count_parses(monkeypatch)
    kg.rdf.graph.load_files([big_input])
    with big_input.open("a", encoding="utf-8") as stream:
        stream.write("<urn:x:new> <urn:x:p> <urn:x:o> .\n")
    grown = kg.rdf.graph.load_files([big_input])
    assert parsed == [big_input, big_input]
    assert any(
        q.subject.value == "urn:x:new"
        for q in grown.store.quads_for_pattern(None, None, None)
        if hasattr(q.subject, "value")
    )


def test_no_cache_always_parses(big_input: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = count_parses(monkeypatch)
    kg.rdf.graph.load_files([big_input])
    kg.rdf.graph.load_files([big_input], use_cache=False)
    assert parsed == [big_input, big_input]
    run = run_kg(
        "query",
        "--file",
        str(FIXTURES_DIR / "queries" / "ask-tomahawk.rq"),
        "--data",
        str(big_input),
        "--no-cache",
    )
    assert run.exit_code == 0 and run.stdout == "false\n"


def test_cached_and_parsed_graphs_answer_alike(big_input: Path) -> None:
    from kg.base.bundle import bundled

    args = [
        "query",
        "claims",
        "--data",
        str(bundled().ontology_dir),
        "--data",
        str(big_input),
        "--format",
        "csv",
    ]
    cold = run_kg(*args, "--no-cache")
    run_kg(*args)
    warm = run_kg(*args)
    assert cold.exit_code == warm.exit_code == 0
    assert cold.stdout == warm.stdout and len(cold.stdout.splitlines()) > 50


def test_small_inputs_are_parsed_without_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KG_CACHE_MIN_BYTES", raising=False)
    kg.rdf.graph.load_bundled_graph()
    assert not (tmp_path / "cache").exists()


def test_synth_command_writes_a_conforming_graph(tmp_path: Path) -> None:
    run = CliRunner().invoke(
        synth_main, ["--triples", "4000", "--seed", "3", "--out", str(tmp_path)]
    )
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("wrote ")
    assert run_kg("validate", "--data", str(tmp_path / "synthetic.ttl")).exit_code == 0


# ---------------------------------------------------------------------------------------------
# The cache never lies (issue 15, item 5)

ASK_NEW = "ASK { <urn:x:new> ?p ?o }"


def test_a_file_swapped_while_the_store_is_built_is_filed_under_what_was_loaded(
    big_input: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = big_input.read_bytes()
    swapped = original + b"<urn:x:new> <urn:x:p> <urn:x:o> .\n"
    real_stream = kg.rdf.graph._quads_for_dump

    def swap_then_stream(rdf_file, prefixes):  # type: ignore[no-untyped-def]
        big_input.write_bytes(swapped)  # another process rewrites the file mid-build
        return real_stream(rdf_file, prefixes)

    monkeypatch.setattr(kg.rdf.graph, "_quads_for_dump", swap_then_stream)
    first = kg.rdf.graph.load_files([big_input])
    assert not first.store.query(ASK_NEW)  # it loaded what it read: the original
    monkeypatch.setattr(kg.rdf.graph, "_quads_for_dump", real_stream)
    assert kg.rdf.graph.load_files([big_input]).store.query(
        ASK_NEW
    )  # the new content, its own store
    big_input.write_bytes(original)
    assert not kg.rdf.graph.load_files([big_input]).store.query(
        ASK_NEW
    )  # the original's store is the original


def entries(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if not p.name.startswith(".")]


def test_a_corrupted_dump_is_rebuilt(big_input: Path) -> None:
    first = kg.rdf.graph.load_files([big_input])
    count = len(first)
    del first
    (entry,) = entries(cache.cache_dir())
    dump = entry / cache.DUMP
    dump.write_bytes(b"not N-Quads" + b"\0" * (dump.stat().st_size - 11))  # same size
    run = run_kg(
        "query",
        "--file",
        str(FIXTURES_DIR / "queries" / "ask-tomahawk.rq"),
        "--data",
        str(big_input),
    )
    assert run.exit_code == 0 and run.stdout == "false\n", run.stderr
    assert len(kg.rdf.graph.load_files([big_input])) == count


def test_a_cut_off_dump_is_rebuilt(big_input: Path) -> None:
    count = len(kg.rdf.graph.load_files([big_input]))
    (entry,) = entries(cache.cache_dir())
    dump = entry / cache.DUMP
    whole = dump.read_bytes()
    dump.write_bytes(whole[: len(whole) // 2])  # lenient loading would take the first half
    assert len(kg.rdf.graph.load_files([big_input])) == count


def test_a_dump_changed_without_changing_its_size_is_rebuilt(big_input: Path) -> None:
    # issue 23, item 5: one changed byte of a label, and a quad overwritten by a comment, were
    # loaded leniently and answered from on every later run
    parsed = kg.rdf.graph.load_files([big_input])
    expected = sorted(str(q) for q in parsed.store)
    del parsed
    (entry,) = entries(cache.cache_dir())
    dump = entry / cache.DUMP
    whole = dump.read_bytes()
    quote = whole.index(b'"') + 1  # the first byte of the first literal's lexical form
    changed = whole[:quote] + bytes([whole[quote] ^ 1]) + whole[quote + 1 :]
    line_end = whole.index(b"\n")
    commented = b"#" + b" " * (line_end - 1) + whole[line_end:]
    for damaged in (changed, commented):
        assert len(damaged) == len(whole)
        dump.write_bytes(damaged)
        assert sorted(str(q) for q in kg.rdf.graph.load_files([big_input]).store) == expected
        (entry,) = entries(cache.cache_dir())
        dump = entry / cache.DUMP
        assert dump.read_bytes() == whole  # rebuilt from the files


def test_the_dump_is_strict_n_quads_of_the_same_graph(big_input: Path) -> None:
    import pyoxigraph as ox

    parsed = kg.rdf.graph.load_files([big_input])
    (entry,) = entries(cache.cache_dir())
    strict = ox.Store()
    strict.load(path=str(entry / cache.DUMP), format=ox.RdfFormat.N_QUADS)
    assert len(strict) == len(parsed) == len(kg.rdf.graph.load_files([big_input]))


def test_a_broken_marker_is_rebuilt(big_input: Path) -> None:
    count = len(kg.rdf.graph.load_files([big_input]))
    (entry,) = entries(cache.cache_dir())
    (entry / cache.MARKER).write_text("{not json", encoding="utf-8")
    assert len(kg.rdf.graph.load_files([big_input])) == count


def test_an_unreadable_dump_that_cannot_be_removed_names_the_folder(
    big_input: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg.rdf.graph.load_files([big_input])
    (entry,) = entries(cache.cache_dir())
    (entry / cache.DUMP).write_bytes(b"cut")

    def not_yours(*args, **kwargs):  # type: ignore[no-untyped-def]  # root can do anything: act as another user's files
        raise PermissionError(13, "Permission denied")

    import shutil

    monkeypatch.setattr(shutil, "rmtree", not_yours)
    run = run_kg(
        "query",
        "--file",
        str(FIXTURES_DIR / "queries" / "ask-tomahawk.rq"),
        "--data",
        str(big_input),
        "--no-ontology",
    )
    assert run.exit_code == 2
    assert run.stderr.strip() == (
        f"kg: error: the cached graph {entry} cannot be read (the dump is not the size the "
        "marker records) nor removed: remove that folder, or run with --no-cache (or set "
        "KG_CACHE_DIR to a folder of your own)"
    )


def test_another_users_read_only_cache_is_still_used(
    big_input: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg.rdf.graph.load_files([big_input])
    parsed = count_parses(monkeypatch)

    def not_yours(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(cache.os, "utime", not_yours)
    assert len(kg.rdf.graph.load_files([big_input])) > 1000
    assert parsed == []


def test_leftovers_of_killed_runs_are_pruned(big_input: Path) -> None:
    import os
    import subprocess
    import time

    root = cache.cache_dir()
    root.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    half_built = root / f".build.{dead.pid}.{'0' * 40}"
    (half_built / "store").mkdir(parents=True)
    (half_built / "store" / "000001.sst").write_bytes(b"x" * 1000)
    live = root / f".build.{os.getpid() + 0}.{'1' * 40}"  # our own: a build in progress
    live.mkdir()
    stray = root / ".synthetic.ttl.abc.tmp"
    stray.write_bytes(b"x")
    old = time.time() - 2 * cache.ABANDONED_AFTER_SECONDS
    os.utime(stray, (old, old))
    fresh_stray = root / ".other.tmp"
    fresh_stray.write_bytes(b"x")
    kg.rdf.graph.load_files([big_input])
    left = sorted(p.name for p in root.iterdir())
    assert half_built.name not in left and stray.name not in left
    assert live.name in left and fresh_stray.name in left


# ---------------------------------------------------------------------------------------------
# The on-disk store, kept for processes whose memory is capped (kg serve's query workers)


def test_the_on_disk_store_is_built_once_and_answers_as_the_parse(
    big_input: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = count_parses(monkeypatch)
    first = kg.rdf.graph.load_files([big_input], on_disk=True)
    second = kg.rdf.graph.load_files([big_input], on_disk=True)
    assert parsed == [big_input]  # built once, then opened
    assert (
        cache.cache_dir()
        / (cache.cache_key([kg.rdf.files.read_rdf_file(big_input)]) + cache.ON_DISK_SUFFIX)
        / "store"
    ).is_dir()
    in_memory = kg.rdf.graph.load_files([big_input], use_cache=False)
    question = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert [str(r["n"]) for r in second.store.query(question)] == [
        str(r["n"]) for r in in_memory.store.query(question)
    ]
    assert len(first) == len(in_memory) and second.prefixes == in_memory.prefixes


def test_a_corrupted_on_disk_store_is_rebuilt(big_input: Path) -> None:
    count = len(kg.rdf.graph.load_files([big_input], on_disk=True))
    (entry,) = entries(cache.cache_dir())
    for file in (entry / "store").iterdir():
        if file.is_file():
            file.write_bytes(b"not a RocksDB file")
    assert len(kg.rdf.graph.load_files([big_input], on_disk=True)) == count


def test_a_file_that_breaks_midway_leaves_no_cache_entry(
    big_input: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run streams the parsed quads into the dump; a syntax error halfway through is
    the usual one-line error, and nothing is left in the cache folder, not even a build folder."""
    text = big_input.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    middle = next(i for i in range(len(lines) // 2, len(lines)) if lines[i - 1].endswith(" .\n"))
    broken = "".join(lines[:middle]) + "<urn:x:s> <urn:x:p> .\n" + "".join(lines[middle:])
    big_input.write_text(broken, encoding="utf-8")
    with pytest.raises(kg.base.errors.KgError, match=rf"^{big_input}:{middle + 1}:\d+: "):
        kg.rdf.graph.load_files([big_input])
    cache_folder = cache.cache_dir()
    assert not cache_folder.exists() or not list(cache_folder.iterdir())


def test_the_first_run_and_the_cached_run_give_the_same_prefixes(big_input: Path) -> None:
    first = kg.rdf.graph.load_files([big_input])
    parsed = kg.rdf.graph.load_files([big_input], use_cache=False)
    cached = kg.rdf.graph.load_files([big_input])
    assert first.prefixes == parsed.prefixes == cached.prefixes and parsed.prefixes
    assert len(first) == len(parsed) == len(cached)


def test_an_unreadable_cache_folder_is_one_line_naming_it(
    big_input: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # issue 23, item 8: it was "kg: internal error: PermissionError" (as root, permissions are
    # not enforced, so the refusal is simulated where the entry is looked at)
    kg.rdf.graph.load_files([big_input])
    real_is_file = Path.is_file

    def refused(path: Path) -> bool:
        if cache.cache_dir() in path.parents:
            raise PermissionError(13, "Permission denied")
        return real_is_file(path)

    monkeypatch.setattr(Path, "is_file", refused)
    with pytest.raises(kg.base.errors.KgError) as raised:
        kg.rdf.graph.load_files([big_input])
    message = str(raised.value)
    assert "\n" not in message and str(cache.cache_dir()) in message and "--no-cache" in message
