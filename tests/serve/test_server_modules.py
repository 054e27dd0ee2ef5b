"""`kg serve` is a handful of modules with one job each, layered without an import cycle: the
HTTP server on top, then the page's routes, the workers, the page's JSON answers, the SPARQL
protocol, the deadline runner and the settings. The imports are read from the source (those
inside functions too), so a lazy import cannot hide a cycle."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

KG_DIR = REPO_ROOT / "kg"

#: The server's modules, lowest layer first: each may import only modules before it.
SERVER_LAYERS = [
    "kg.serve.config",
    "kg.sparql.deadline",
    "kg.serve.protocol",
    "kg.serve.web_api",
    "kg.serve.workers",
    "kg.serve.routes",
    "kg.serve.server",
]


def kg_imports(module: str) -> set[str]:
    """The kg modules ``module`` imports anywhere in its source."""
    path = KG_DIR.parent / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("kg.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "kg":
                found |= {f"kg.{alias.name}" for alias in node.names}
            elif node.module.startswith("kg."):
                found.add(node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    """Every kg module -> the kg modules it imports."""
    names = [
        ".".join(path.relative_to(KG_DIR.parent).with_suffix("").parts)
        for path in KG_DIR.rglob("*.py")
        if path.name != "__init__.py"
    ]
    return {name: kg_imports(name) for name in names}


def test_the_import_reader_sees_imports_inside_functions() -> None:
    assert "kg.views.describe" in kg_imports(
        "kg.serve.web_api"
    )  # imported inside api_describe only


@pytest.mark.parametrize("module", SERVER_LAYERS)
def test_a_server_module_imports_only_the_layers_below_it(module: str) -> None:
    below = SERVER_LAYERS[: SERVER_LAYERS.index(module)]
    above = set(SERVER_LAYERS) - set(below) - {module}
    assert not kg_imports(module) & above, f"{module} imports {kg_imports(module) & above}"


@pytest.mark.parametrize("module", SERVER_LAYERS)
def test_no_import_path_leads_from_a_server_module_back_to_itself(module: str) -> None:
    graph = import_graph()
    seen: set[str] = set()
    frontier = [(module, [module])]
    while frontier:
        current, path = frontier.pop()
        for imported in sorted(graph.get(current, set())):
            assert imported != module, "import cycle: " + " -> ".join([*path, imported])
            if imported not in seen:
                seen.add(imported)
                frontier.append((imported, [*path, imported]))


@pytest.mark.parametrize("module", SERVER_LAYERS)
def test_a_server_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr


def test_only_short_query_texts_are_remembered_by_the_service_check() -> None:
    # issue 23, item 8: 1,100 distinct 1 MB queries kept about 500 MB in a worker
    from kg.serve import service_policy

    service_policy._cached_service_targets.cache_clear()
    short = "SELECT * WHERE { ?s ?p ?o }"
    long = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 100_000
    assert service_policy.service_targets(short) == service_policy.service_targets(long) == ()
    assert service_policy._cached_service_targets.cache_info().currsize == 1
