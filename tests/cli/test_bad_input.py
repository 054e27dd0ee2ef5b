"""Bad input never crashes, never lies, never loses data: each row of README's table of bad
inputs, with its one-line message, on the Python API (``kg.KgError``, whose message the CLI
prints after ``kg: error:``); and through the CLI what is the CLI's: the exit code and the one
line on stderr, ``--out``, ``--debug`` and raw argument bytes."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.base.errors import KgError
from kg.base.output import write_atomically
from kgdev.synth import main as synth_main
from tests.conftest import FIXTURES_DIR, run_kg

QUERIES = FIXTURES_DIR / "queries"
RDF = FIXTURES_DIR / "rdf"


def api_error(call: Callable[[], object]) -> str:
    """The message of the KgError ``call`` raises: one line, as `kg` prints it after
    ``kg: error:``, with the usage exit code."""
    with pytest.raises(KgError) as caught:
        call()
    assert caught.value.exit_code == 2
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def one_line_error(run, code: int = 2) -> str:  # type: ignore[no-untyped-def]
    assert run.exit_code == code, (run.exit_code, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("kg: error: ")
    return lines[0]


def test_turtle_that_does_not_parse_names_file_line_column_and_expectation() -> None:
    message = api_error(lambda: kg.query("solutions", [RDF / "unparsable.ttl"]))
    assert message == f"{RDF / 'unparsable.ttl'}:6:1: A dot is expected at the end of statements"


def test_a_file_that_does_not_parse_is_one_line_on_stderr_and_exit_2() -> None:
    line = one_line_error(run_kg("query", "solutions", "--data", str(RDF / "unparsable.ttl")))
    assert (
        line
        == f"kg: error: {RDF / 'unparsable.ttl'}:6:1: A dot is expected at the end of statements"
    )


def test_undeclared_prefix() -> None:
    message = api_error(lambda: kg.validate(data=RDF / "undeclared-prefix.ttl"))
    assert "undeclared-prefix.ttl:3:1: The prefix snd: has not been declared" in message


def test_validate_data_error_is_one_line_on_stderr_and_exit_2() -> None:
    line = one_line_error(run_kg("validate", "--data", str(RDF / "undeclared-prefix.ttl")))
    assert "undeclared-prefix.ttl:3:1: The prefix snd: has not been declared" in line


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "no such file or directory" in api_error(lambda: kg.validate(data=tmp_path / "gone.ttl"))
    assert "no such file or directory" in api_error(
        lambda: kg.query("solutions", [tmp_path / "gone"])
    )


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "secret.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    original = os.open

    def refuse(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]  # root reads any file: refuse as the OS would
        if str(path).endswith("secret.ttl"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return original(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert api_error(lambda: kg.validate(data=data)) == f"{data}: cannot read: Permission denied"


def test_empty_data_directory(tmp_path: Path) -> None:
    assert "no RDF files in this directory" in api_error(lambda: kg.validate(data=tmp_path))


def test_unknown_file_type(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    assert "unknown RDF file type '.txt'" in api_error(lambda: kg.validate(data=notes))


def test_missing_required_parameter() -> None:
    message = api_error(lambda: kg.query(QUERIES / "typed-parameters.rq", params={"from": 3}))
    assert message == "query 'typed-parameters' needs --param since=<xsd:date>"


def test_query_param_error_is_one_line_on_stderr_and_exit_2() -> None:
    line = one_line_error(
        run_kg("query", "--file", str(QUERIES / "typed-parameters.rq"), "--param", "from=3")
    )
    assert line == "kg: error: query 'typed-parameters' needs --param since=<xsd:date>"


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        (
            "since=2025-13-01",
            "--param since: expected a date such as 2025-09-16 (a real calendar day) (xsd:date), got '2025-13-01'",
        ),
        (
            "since=yesterday",
            "--param since: expected a date such as 2025-09-16 (xsd:date), got 'yesterday'",
        ),
        ("from=3.5", "--param from: expected a whole number (xsd:integer), got '3.5'"),
    ],
)
def test_parameter_of_the_wrong_type(param: str, expected: str) -> None:
    other = "from=3" if param.startswith("since") else "since=2025-01-01"
    values = dict(pair.split("=", 1) for pair in (param, other))  # as --param gives them: text
    assert api_error(lambda: kg.query(QUERIES / "typed-parameters.rq", params=values)) == expected


def test_typed_parameters_filter_as_asked() -> None:
    results = kg.query(QUERIES / "typed-parameters.rq", params={"since": "2025-09-28", "from": 11})
    assert (
        len(results.rows) == 6
    )  # the six claims citing [11]: three statements, three classifications


def test_a_query_that_never_ends_is_stopped_by_the_timeout() -> None:
    message = api_error(lambda: kg.query(QUERIES / "endless.rq", timeout=1))
    assert message.endswith("endless.rq: stopped after 1 s (--timeout); the query did not finish")


def test_query_timeout_option_stops_the_query_with_exit_2() -> None:
    line = one_line_error(run_kg("query", "--file", str(QUERIES / "endless.rq"), "--timeout", "1"))
    assert line.endswith("endless.rq: stopped after 1 s (--timeout); the query did not finish")


def test_shapes_that_are_not_valid_shacl() -> None:
    message = api_error(lambda: kg.validate(shapes=FIXTURES_DIR / "shapes" / "not-shacl.ttl"))
    assert message.startswith("shapes are not valid SHACL: ")


def test_output_in_a_directory_that_does_not_exist(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "graph.ttl"
    line = one_line_error(run_kg("export", "--out", str(target)))
    assert line == f"kg: error: {target}: cannot write: directory {target.parent} does not exist"
    assert not (tmp_path / "no").exists()


def test_a_full_disk_leaves_no_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "graph.ttl"
    target.write_text("the previous, complete export\n", encoding="utf-8")
    real_fsync = os.fsync

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(KgError, match="cannot write: No space left on device"):
        write_atomically(target, "new content " * 1000)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert target.read_text(encoding="utf-8") == "the previous, complete export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]  # no temporary file left


def test_a_full_disk_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        os,
        "fsync",
        lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")),
    )
    target = tmp_path / "graph.nt"
    line = one_line_error(run_kg("export", "--format", "ntriples", "--out", str(target)))
    assert line == f"kg: error: {target}: cannot write: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_a_traceback_for_internal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.sparql.catalog

    def explode(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(kg.sparql.catalog.Catalog, "names", explode)
    quiet = run_kg("query", "nope")
    assert quiet.exit_code == 2
    assert (
        quiet.stderr.strip()
        == "kg: internal error: RuntimeError: boom (run with --debug for details)"
    )
    loud = run_kg("--debug", "query", "nope")
    assert "Traceback" in loud.stderr and "RuntimeError: boom" in loud.stderr


def test_non_utf8_parameter_bytes_are_a_clean_error_or_no_match() -> None:
    """Bytes that are not UTF-8 reach kg as surrogate escapes; they become a literal that matches nothing."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "query",
            "--file",
            str(QUERIES / "label-lookup.rq"),
            "--format",
            "csv",
            "--param",
            b"name=Tencent\xff\xfe".decode("utf-8", "surrogateescape"),
        ],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode in (0, 2), done.stderr
    assert b"Traceback" not in done.stderr
    if done.returncode == 0:
        assert done.stdout.decode().splitlines() == ["entity"]
    else:
        assert len(done.stderr.decode(errors="replace").strip().splitlines()) == 1


def test_out_onto_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "graph.ttl"
    os.mkfifo(fifo)
    line = one_line_error(run_kg("export", "--out", str(fifo)))
    assert (
        line
        == f"kg: error: {fifo}: cannot write: it is a FIFO, not a regular file; kg writes only regular files or new paths"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_out_onto_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.ttl"
    target.write_text("kept\n", encoding="utf-8")
    link = tmp_path / "graph.ttl"
    link.symlink_to(target)
    line = one_line_error(run_kg("export", "--out", str(link)))
    assert line.endswith(
        "it is a symbolic link, not a regular file; kg writes only regular files or new paths"
    )
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "kept\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_out_onto_a_device_is_refused_and_the_device_stays(tmp_path: Path) -> None:
    """Run as root against /dev/full, kg used to replace the device node with a plain file;
    the test uses a device node of its own, never the machine's."""
    device = tmp_path / "synthetic.ttl"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # what /dev/full is
    refusal = (
        "it is a character device, not a regular file; kg writes only regular files or new paths"
    )
    assert one_line_error(run_kg("export", "--out", str(device))).endswith(refusal)
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    synth = CliRunner().invoke(synth_main, ["--triples", "10", "--out", str(tmp_path)])
    assert synth.exit_code == 2 and synth.stderr.strip().endswith(refusal), synth.output
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_out_onto_a_regular_file_or_a_new_path_is_written(tmp_path: Path) -> None:
    existing = tmp_path / "old.nt"
    existing.write_text("old\n", encoding="utf-8")
    for target in (existing, tmp_path / "new.nt"):
        run = run_kg("export", "--format", "ntriples", "--out", str(target))
        assert run.exit_code == 0, run.stderr
        assert target.read_text(encoding="utf-8").endswith(" .\n")


def test_out_over_a_private_file_keeps_it_private(tmp_path: Path) -> None:
    # issue 23, item 8: `--out` over a 0600 file left it 0644
    private = tmp_path / "export.ttl"
    private.write_text("old", encoding="utf-8")
    private.chmod(0o600)
    run = run_kg("export", "--format", "turtle", "--out", str(private))
    assert run.exit_code == 0, run.stderr
    assert (
        stat.S_IMODE(private.stat().st_mode) == 0o600
        and private.read_text(encoding="utf-8") != "old"
    )
    fresh = tmp_path / "fresh.ttl"
    write_atomically(fresh, "new")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
