"""Shared test helpers: running `kg` in process, the bundled graph, the source article."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from kg.base.bundle import Bundle, bundled
from kg.cli.main import main

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


def load_script(name: str) -> ModuleType:
    """A script of scripts/ imported as a module (scripts are not part of the package)."""
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    return bundled()


@pytest.fixture(scope="session")
def article_text(bundle: Bundle) -> str:
    return (bundle.source_dir / "000_aceda881e32bca3b.txt").read_text(encoding="utf-8")


#: The named graph the tests push the bundled graph into on a Virtuoso (which has no default graph
#: of its own to replace).
VIRTUOSO_GRAPH = "https://w3id.org/supernode-kg/graph"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One Virtuoso a session (Debian's virtuoso-opensource), holding the bundled graph, loaded
    with `kg push` through its Graph Store endpoint with Digest authentication."""
    from tests.servers import VIRTUOSO_PASSWORD, VIRTUOSO_USER, virtuoso_binary, virtuoso_server

    if virtuoso_binary() is None:
        pytest.skip("no Virtuoso (Debian: virtuoso-opensource)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        if server is None:
            pytest.fail(
                "Virtuoso did not start (see its virtuoso.log in the test's temporary folder)"
            )
        credentials = {"KG_ENDPOINT_USER": VIRTUOSO_USER, "KG_ENDPOINT_PASSWORD": VIRTUOSO_PASSWORD}
        run = run_kg(
            "push", "--endpoint", server.graph_store, "--graph", VIRTUOSO_GRAPH, env=credentials
        )
        assert run.exit_code == 0, run.stderr
        yield server
