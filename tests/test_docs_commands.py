"""The commands README.md and docs/*.md show run as shown: every `kg ...` line of every ```sh block,
run in process from the repository root, exits 0.

The README's first two ```sh blocks are CI's own install-and-run commands (`.ci/run` runs the
second), so they are skipped, as are lines that make a virtual environment. Lines of ```sh blocks
that are not `kg` commands (the benchmarks, scripts, shell completion) are not run here. Commands
that need what a test cannot give (a server, a network, Java, the reader's own files) belong in
```console or ```text blocks, which are not run; one that strays into a ```sh block fails here
with a message saying so. `--out X` writes into the test's temporary folder instead of X.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import REPO_ROOT, run_kg

#: The README's leading ```sh blocks that CI runs itself (install and run a query; install and test).
README_BLOCKS_CI_RUNS = 2

#: `kg` commands that cannot run in a test: they serve, reach a network or need Java.
NOT_IN_A_TEST = {
    "serve": "it starts a server",
    "push": "it needs a triplestore",
    "reason": "it needs Java",
}
NOT_IN_A_TEST_OPTIONS = {"--endpoint": "it needs an endpoint", "--inferred": "it needs Java"}


class DocCommand(NamedTuple):
    """One `kg` line of a ```sh block: where it is written, the text, and its standard input."""

    where: str  # "docs/querying.md:12"
    line: str
    args: list[str]  # after `kg`
    stdin: str | None


def doc_files() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def sh_lines(path: Path) -> list[tuple[int, str]]:
    """Every line of every ```sh block of a Markdown file, with its line number, continuation
    lines (a trailing backslash) joined; the README's first blocks are left out."""
    lines: list[tuple[int, str]] = []
    in_sh = False
    blocks = 0
    pending: tuple[int, str] | None = None
    for number, written in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not in_sh:
            if written.strip() == "```sh":
                in_sh = True
                blocks += 1
            continue
        if written.strip() == "```":
            in_sh = False
            continue
        if path == REPO_ROOT / "README.md" and blocks <= README_BLOCKS_CI_RUNS:
            continue
        start, text = (
            (number, written)
            if pending is None
            else (pending[0], f"{pending[1]} {written.strip()}")
        )
        pending = None
        if text.rstrip().endswith("\\"):
            pending = (start, text.rstrip()[:-1].rstrip())
            continue
        lines.append((start, text))
    return lines


def as_kg_command(where: str, line: str) -> DocCommand | None:
    """The `kg` command a line runs (None for any other line), its `# comment` dropped and an
    `echo TEXT |` in front of it turned into standard input."""
    words = shlex.split(line, comments=True)
    if not words or line.lstrip().startswith("python3 -m venv"):
        return None
    stdin = None
    if "|" in words:
        bar = words.index("|")
        producer, words = words[:bar], words[bar + 1 :]
        if producer[:1] != ["echo"] or len(producer) != 2 or "|" in words:
            return None  # only `echo TEXT | kg ...` pipes are run here
        stdin = producer[1] + "\n"
    if words[0] != "kg":
        return None
    return DocCommand(where, line.strip(), words[1:], stdin)


def documented_commands() -> list[DocCommand]:
    commands = []
    for path in doc_files():
        name = path.relative_to(REPO_ROOT).as_posix()
        for number, line in sh_lines(path):
            command = as_kg_command(f"{name}:{number}", line)
            if command is not None:
                commands.append(command)
    return commands


COMMANDS = documented_commands()


def test_the_docs_show_kg_commands_in_sh_blocks() -> None:
    assert len(COMMANDS) >= 20, [command.where for command in COMMANDS]
    assert {command.where.split(":")[0] for command in COMMANDS} >= {
        "README.md",
        "docs/querying.md",
    }


@pytest.mark.parametrize("command", COMMANDS, ids=[command.where for command in COMMANDS])
def test_documented_command_runs_as_shown(
    command: DocCommand, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = list(command.args)
    why_not = NOT_IN_A_TEST.get(args[0]) or next(
        (reason for option, reason in NOT_IN_A_TEST_OPTIONS.items() if option in args), None
    )
    if why_not:
        pytest.fail(f"{command.where}: `{command.line}` belongs in a ```console block: {why_not}")
    outputs = []
    for index, arg in enumerate(args[:-1]):
        if arg == "--out":
            outputs.append(tmp_path / "out" / Path(args[index + 1]).name)
            args[index + 1] = str(outputs[-1])
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(
        REPO_ROOT
    )  # the examples name the repository's folders (data/ttl/, tests/fixtures/)
    run = run_kg(*args, env={"KG_CACHE_DIR": str(tmp_path / "cache")}, input=command.stdin)
    assert run.exit_code == 0, (
        f"{command.where}: `{command.line}` exited {run.exit_code}:\n{run.stderr}"
    )
    assert "Traceback" not in run.stderr, run.stderr
    for output in outputs:
        assert output.exists(), f"{command.where}: `{command.line}` wrote nothing to {output}"
