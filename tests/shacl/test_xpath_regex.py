"""sh:pattern's regular expressions and flags as XPath's fn:matches reads them
(:mod:`kg.shacl.xpath_regex`)."""

from __future__ import annotations

import pytest

from kg.shacl.xpath_regex import PatternError, compile_pattern, store_agrees


def matches(pattern: str, text: str, flags: str = "") -> bool:
    return compile_pattern(pattern, flags).search(text) is not None


@pytest.mark.parametrize(
    ("pattern", "flags", "text", "expected"),
    [
        ("^a.c$", "s", "a\nc", True),
        ("^a.c$", "", "a\nc", False),
        ("^b$", "m", "a\nb\nc", True),
        ("^b$", "", "a\nb", False),
        ("a$", "", "a\n", False),  # $ is the end of the string, not before a final newline
        ("a b c", "x", "abc", True),
        ("[ ]", "x", " ", True),  # whitespace inside brackets stays
        ("a#b", "x", "a#b", True),  # no comments in XPath's x mode
        ("a.b", "q", "a.b", True),
        ("a.b", "q", "axb", False),
        ("A.B", "qi", "a.b", True),
        ("^\\s$", "", "\u00a0", False),  # XSD \s is space, tab, newline, return only
        ("^\\S$", "", "\u00a0", True),
        ("^\\d$", "", "\u0663", True),  # Arabic-Indic three is a decimal digit
        ("^[\\w-[a]]+$", "", "bc", True),
        ("^\\p{Lu}+$", "", "ÀB", True),
        ("^(ab)\\1$", "i", "abAB", True),
        ("^\\i\\c*$", "", "x-1", True),
    ],
)
def test_matches_as_xpath(pattern: str, flags: str, text: str, expected: bool) -> None:
    assert matches(pattern, text, flags) is expected


@pytest.mark.parametrize(
    ("pattern", "flags"),
    [("[a-", ""), ("a\\b", ""), ("^a$", "g"), ("\\p{IsNoSuchBlock}", ""), ("(a", "")],
)
def test_refuses_what_regex_cannot_run(pattern: str, flags: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern, flags)


@pytest.mark.parametrize(
    ("pattern", "flags", "agrees"),
    [
        ("^http://www\\.wikidata\\.org/entity/Q[1-9][0-9]*$", "", True),
        ("^[0-9]+(\\.[0-9]+)?(:[0-9]+(\\.[0-9]+)?)+$", "", True),
        ("^[A-Z]{2,3}$", "", True),
        ("^a.c$", "", False),  # . differs on \r
        ("^\\w+$", "", False),
        ("^[a-z&&[^aeiou]]$", "", False),  # the store would read && as intersection
        ("^(a)\\1$", "", False),
        ("^abc$", "i", False),
        ("^é$", "", False),
        ("[a-", "", False),
    ],
)
def test_the_store_is_trusted_only_on_plain_patterns(
    pattern: str, flags: str, agrees: bool
) -> None:
    assert store_agrees(pattern, flags) is agrees


@pytest.mark.parametrize(
    "pattern",
    [
        "{2}",  # Python would read a literal "{2}"; XPath has nothing to repeat
        "a*+",  # Python 3.11 reads a possessive quantifier
        "a\\/b",  # \/ is no XPath escape
        "^*a",
    ],
)
def test_what_python_reads_otherwise_is_not_plain(pattern: str) -> None:
    assert not store_agrees(pattern, "")


@pytest.mark.parametrize(
    "pattern",
    ["^a$", "a$|^b", "^(ab|c)*?d{2,}$", "[A-Z0-9_.]+", "x\\$", "\\\\$", "^[^a-c]{1,3}$", ""],
)
def test_plain_patterns_match_as_translated_ones(pattern: str) -> None:
    import re

    from elementpath.regex import translate_pattern

    translated = re.compile(translate_pattern(pattern))
    assert store_agrees(pattern, "")
    for text in ["a", "a\n", "b", "abcdd", "ccd", "x$", "\\", "\\\n", "Z9_", "ddd", ""]:
        assert bool(compile_pattern(pattern).search(text)) is bool(translated.search(text)), text
