"""The ``kg`` process ends without freeing the store it answered from (kg.cli.main.console_main);
what it prints, and its exit code, are what the same command gives in process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_kg


def _kg_process(*args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("output_format", ["json", "csv", "table"])
def test_a_query_prints_all_its_output_before_the_process_ends(output_format: str) -> None:
    in_process = run_kg("query", "claims", "--format", output_format)
    process = _kg_process("query", "claims", "--format", output_format)
    assert process.returncode == in_process.exit_code == 0
    assert process.stdout.decode("utf-8") == in_process.stdout
    assert len(process.stdout) > 5_000  # every row of 36 claims, flushed before the exit


def test_large_output_through_a_pipe_is_complete(tmp_path: Path) -> None:
    """More output than a pipe holds (64 KiB): the reader gets every byte."""
    data = tmp_path / "many.nt"
    data.write_text(
        "".join(f'<urn:x:s{i}> <urn:x:p> "value {i}" .\n' for i in range(20_000)), "utf-8"
    )
    process = _kg_process(
        "query",
        "--query",
        "SELECT ?s ?o { ?s ?p ?o }",
        "--data",
        str(data),
        "--no-ontology",
        "--format",
        "tsv",
    )
    assert process.returncode == 0, process.stderr
    lines = process.stdout.decode("utf-8").splitlines()
    assert len(lines) == 20_001 and lines[0] == "?s\t?o"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("query", "output_format"),
    [
        ("claims", "json"),  # larger than the output buffer: fails while the command prints
        ("restrictions", "csv"),  # smaller: fails when kg flushes before it ends
    ],
)
def test_a_full_disk_on_standard_output_is_an_error_with_exit_2(
    query: str, output_format: str
) -> None:
    with open("/dev/full", "wb") as full:
        process = _kg_process("query", query, "--format", output_format, stdout=full)
    assert process.returncode == 2
    errors = process.stderr.decode("utf-8").splitlines()
    assert errors == ["kg: error: cannot write: No space left on device"]


def test_an_error_keeps_its_exit_code_and_one_line() -> None:
    process = _kg_process("query", "no-such-query")
    assert process.returncode == 2
    assert process.stderr.decode("utf-8").count("\n") == 1
