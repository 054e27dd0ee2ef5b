"""The project's prefixes are read from the head of each bundled Turtle file, which is only
right while every bundled file declares all its prefixes there; a graph's prefixes are found by
a quick search that must find what a full scan of every line finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.bundle import bundled
from kg.graph import _PREFIX_LINE, prefix_declarations
from kg.prefixes import head_prefixes, turtle_prefixes


@pytest.mark.parametrize("path", bundled().graph_files(), ids=lambda p: p.name)
def test_each_bundled_file_declares_every_prefix_in_its_head(path: Path) -> None:
    assert head_prefixes(path) == turtle_prefixes(path.read_text(encoding="utf-8"))


def test_the_head_ends_at_the_first_statement(tmp_path: Path) -> None:
    turtle = tmp_path / "late.ttl"
    turtle.write_text(
        "# a comment\n@prefix a: <urn:a:> .\n\nPREFIX b: <urn:b:>\n"
        "a:x a:p a:y .\n@prefix c: <urn:c:> .\n",
        encoding="utf-8",
    )
    assert head_prefixes(turtle) == {"a": "urn:a:", "b": "urn:b:"}
    assert turtle_prefixes(turtle.read_text(encoding="utf-8"))["c"] == "urn:c:"


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


@pytest.mark.parametrize(
    "path",
    [*bundled().graph_files(), *sorted(Path(__file__).parent.glob("fixtures/**/*.ttl"))],
    ids=lambda p: p.name,
)
def test_prefix_declarations_are_what_a_full_scan_finds(path: Path) -> None:
    data = path.read_bytes()
    expected = [m.span() for m in _PREFIX_LINE.finditer(data)]
    assert [m.span() for m in prefix_declarations(data)] == expected


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_prefix_declarations_agree_with_a_full_scan_on_any_text(fragments: list[str]) -> None:
    data = "".join(fragments).encode("utf-8")
    expected = [m.span() for m in _PREFIX_LINE.finditer(data)]
    assert [m.span() for m in prefix_declarations(data)] == expected
