"""House rules that a linter does not know: namespace IRIs are named in one module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kg.base import namespaces

KG = Path(__file__).resolve().parents[1] / "kg"

#: Where W3C and project namespaces are written out: every namespace kg.base.namespaces names, and
#: the hosts they live on (a namespace that module does not name yet belongs there too).
NAMESPACE_SPELLINGS = (
    *(value for name, value in vars(namespaces).items() if name.isupper()),
    "http://www.w3.org/",
    "w3id.org/supernode-kg",
    "http://purl.org/dc/",
)


def namespace_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal in ``source`` that spells a namespace IRI.
    Docstrings are left out: an example IRI in documentation is not a constant."""
    tree = ast.parse(source)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ) and (
            node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        ):
            docstrings.add(id(node.body[0].value))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and any(spelling in node.value for spelling in NAMESPACE_SPELLINGS)
        ):
            found.append((node.lineno, node.value))
    return found


def test_namespace_literal_detector_finds_constants_and_skips_docstrings() -> None:
    source = '''"""Module docstring naming http://www.w3.org/2002/07/owl#Class is fine."""
XSD = "http://www.w3.org/2001/XMLSchema#"
LABEL = f"{x} https://w3id.org/supernode-kg/id/tencent"
def f():
    """Example: http://purl.org/dc/terms/title"""
    return "http://purl.org/dc/terms/title"
'''
    assert [line for line, _ in namespace_literals(source)] == [2, 3, 6]


@pytest.mark.parametrize(
    "module",
    sorted(p.relative_to(KG).as_posix() for p in KG.rglob("*.py") if p.name != "namespaces.py"),
)
def test_modules_take_namespaces_from_kg_namespaces(module: str) -> None:
    found = namespace_literals((KG / module).read_text(encoding="utf-8"))
    assert not found, "\n".join(
        f"kg/{module}:{line}: spells a namespace IRI ({text[:60]!r}); import it from kg.base.namespaces"
        for line, text in found
    )
