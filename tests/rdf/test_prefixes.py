"""The prefix lines of Turtle, TriG and N3 files are found by a quick search that must find
exactly what a full regex scan of every line finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.base.bundle import bundled
from kg.rdf.prefixes import _PREFIX_LINE, prefix_declarations, project_prefixes
from tests.conftest import FIXTURES_DIR

FRAGMENTS = [
    "@prefix",
    "PREFIX",
    "PrEfIx",
    "prefix",
    " ",
    "\t",
    "\n",
    "\r\n",
    "a",
    ":",
    "<x:>",
    "<y>",
    ".",
    "#",
    "@",
    "ex",
]


def full_scan(data: bytes) -> list[tuple[str, str]]:
    return [
        ((m.group(1) or b"").decode("utf-8", "replace"), m.group(2).decode("utf-8", "replace"))
        for m in _PREFIX_LINE.finditer(data)
    ]


@pytest.mark.parametrize(
    "path",
    [*bundled().graph_files(), *sorted(FIXTURES_DIR.glob("**/*.ttl"))],
    ids=lambda p: p.name,
)
def test_prefix_declarations_are_what_a_full_scan_finds(path: Path) -> None:
    data = path.read_bytes()
    assert list(prefix_declarations(data)) == full_scan(data)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_prefix_declarations_agree_with_a_full_scan_on_any_text(fragments: list[str]) -> None:
    data = "".join(fragments).encode("utf-8")
    assert list(prefix_declarations(data)) == full_scan(data)


def test_a_prefix_declared_late_in_a_file_is_found() -> None:
    data = b"# a comment\n@prefix a: <urn:a:> .\na:x a:p a:y .\n\n  PREFIX c: <urn:c:>\n"
    assert list(prefix_declarations(data)) == [("a", "urn:a:"), ("c", "urn:c:")]


def test_project_prefixes_take_each_bundled_prefix_from_its_first_declaration() -> None:
    first: dict[str, str] = {}
    for path in bundled().graph_files():
        for prefix, namespace in full_scan(path.read_bytes()):
            if prefix:  # an empty prefix means something different in each file
                first.setdefault(prefix, namespace)
    known = project_prefixes()
    assert first and {prefix: known.get(prefix) for prefix in first} == first
