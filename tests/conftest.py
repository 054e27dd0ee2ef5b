"""Shared test helpers: running `kg` in process, the bundled graph, the source article."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.bundle import Bundle, bundled
from kg.cli import main

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"
REPO_ROOT = TESTS_DIR.parent
SHARED_DIR = REPO_ROOT.parent / "shared"


@dataclass
class KgRun:
    """What one `kg` invocation did."""

    exit_code: int
    stdout: str
    stderr: str


def run_kg(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> KgRun:
    """Run `kg ARGS...` in process through its real entry point (error handling included);
    ``input`` is its standard input."""
    runner = CliRunner()
    with runner.isolation(input=input, env=env) as (out, err, _):
        code = main(list(args))
        return KgRun(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    return bundled()


@pytest.fixture(scope="session")
def article_text(bundle: Bundle) -> str:
    return (bundle.source_dir / "000_aceda881e32bca3b.txt").read_text(encoding="utf-8")
