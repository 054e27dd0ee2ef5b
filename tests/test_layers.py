"""The house in layers: ``kg`` is split into subpackages by subsystem, each importing only the
ones below it (base < rdf < sparql < shacl | coherence | views | publish < serve < api < cli),
with no import circle between modules. The imports are read from the source, those inside
functions and under ``TYPE_CHECKING`` too, so a lazy import cannot hide a circle.
import-linter checks the same layers from ``pyproject.toml``'s contract."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

KG_DIR = Path(__file__).resolve().parent.parent / "kg"

#: Lowest first; the packages of one entry are siblings that import none of each other.
LAYERS: list[set[str]] = [
    {"kg.base"},
    {"kg.rdf"},
    {"kg.sparql"},
    {"kg.shacl", "kg.coherence", "kg.views", "kg.publish"},
    {"kg.serve"},
    {"kg.api"},
    {"kg.cli"},
]


def module_name(path: Path, root: Path = KG_DIR.parent) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kg_modules() -> dict[str, Path]:
    """Every module of the kg package, by dotted name."""
    return {module_name(path): path for path in sorted(KG_DIR.rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path], root: Path = KG_DIR.parent) -> set[str]:
    """The kg modules that the source of ``path`` (a file under ``root``) imports, anywhere in it."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("kg")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("kg"):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    modules = kg_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def layer_of(module: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        if any(module == package or module.startswith(package + ".") for package in layer):
            return index
    return None


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_the_import_reader_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    modules = {"kg.a": tmp_path / "a.py", "kg.b": tmp_path / "b.py", "kg.c": tmp_path / "c.py"}
    source = tmp_path / "kg" / "x.py"
    source.parent.mkdir()
    source.write_text("def f():\n    from kg import a\n    import kg.b\nfrom . import c\n")
    assert imports_of(source, modules, tmp_path) == {"kg.a", "kg.b", "kg.c"}


def test_every_module_of_kg_belongs_to_a_layer_or_is_the_package_face() -> None:
    homeless = [m for m in kg_modules() if layer_of(m) is None and m != "kg" and m != "kg.__main__"]
    assert not homeless, f"modules outside every layer: {homeless}"


def test_a_package_imports_only_layers_below_it_and_not_its_siblings() -> None:
    wrong = []
    for module, imported in import_graph().items():
        own = layer_of(module)
        if own is None:
            continue
        for other in sorted(imported):
            theirs = layer_of(other)
            assert theirs is not None
            if theirs > own or (theirs == own and package_of(other) != package_of(module)):
                wrong.append(f"{module} imports {other}")
    assert not wrong, "imports that run up or sideways:\n" + "\n".join(wrong)


def circles(graph: dict[str, set[str]]) -> list[str]:
    """Each import path that leads from a module back to itself, as ``a -> b -> a``."""
    found = set()
    for start in graph:
        frontier, seen = [(start, [start])], {start}
        while frontier:
            current, path = frontier.pop()
            for imported in sorted(graph.get(current, set())):
                if imported == start:
                    found.add(" -> ".join([*path, imported]))
                elif imported not in seen:
                    seen.add(imported)
                    frontier.append((imported, [*path, imported]))
    return sorted(found)


def test_no_import_path_leads_from_a_module_back_to_itself() -> None:
    found = circles(import_graph())
    assert not found, "import circles:\n" + "\n".join(found)


def test_the_circle_finder_finds_a_circle(tmp_path: Path) -> None:
    (tmp_path / "kg").mkdir()
    a, b = tmp_path / "kg" / "a.py", tmp_path / "kg" / "b.py"
    a.write_text("def f():\n    from kg import b\n")
    b.write_text("from kg.a import f\n")
    modules = {"kg.a": a, "kg.b": b}
    assert imports_of(a, modules, tmp_path) == {"kg.b"}
    assert imports_of(b, modules, tmp_path) == {"kg.a"}
    graph = {name: imports_of(path, modules, tmp_path) for name, path in modules.items()}
    assert circles(graph) == ["kg.a -> kg.b -> kg.a", "kg.b -> kg.a -> kg.b"]


def test_import_linter_keeps_the_layers_contract_of_pyproject() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"  # the test extra installs it
    run = subprocess.run(
        [str(lint_imports), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=KG_DIR.parent,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout
