"""sh:pattern as SPARQL's REGEX: XPath regular expressions and flags (F&O 3.1, 5.6), in Python.

SHACL's sh:pattern (4.4.3) matches with SPARQL's REGEX, which is XPath's ``fn:matches``: XSD
regular expressions (XSD 1.1 Part 2, appendix G) with ``^``, ``$``, back-references, reluctant
quantifiers and the flags ``s``, ``m``, ``i``, ``x`` and ``q``. elementpath (the XPath engine of
xmlschema) translates that syntax to Python's :mod:`re`; this module adds what its translator
leaves to its callers: the flags, and XSD's meaning of the multi-character escapes ``\\s \\S \\d
\\D \\w \\W`` outside square brackets (``\\w`` is every character but punctuation, separators
and "other", not Python's letters, digits and ``_``).

:func:`store_agrees` says when the store's own REGEX is sure to give the same answer, so the
fast engine can let the store drop the values that match and check only the others here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.base.errors import one_line

#: The flags of fn:matches (F&O 3.1, 5.6.2).
FLAGS = frozenset("smixq")
_WHITESPACE = frozenset("\t\n\r ")
_MULTI_CHARACTER_ESCAPES = frozenset("sSdDwW")


class PatternError(ValueError):
    """A pattern or flags that fn:matches refuses (err:FORX0001 or err:FORX0002)."""


@lru_cache(maxsize=256)
def compile_pattern(pattern: str, flags: str = "") -> re.Pattern[str]:
    """A Python regular expression that ``search``-es as ``fn:matches(input, pattern, flags)``.

    Example:
        >>> bool(compile_pattern("^[a-z-[aeiou]]+$").search("abe"))
        False
        >>> bool(compile_pattern(r"^\\p{IsBasicLatin}+$").search("abc"))
        True

    Raises:
        PatternError: an unknown flag, or a pattern that is not an XPath regular expression.
    """
    unknown = sorted(set(flags) - FLAGS)
    if unknown:
        raise PatternError(f"unknown flag {unknown[0]!r} (REGEX knows s, m, i, x and q)")
    plain = _plain(pattern) if not flags else None
    if plain is not None:
        return plain
    from elementpath.regex import RegexError, translate_pattern  # 0.1 s to import: when needed

    ignore_case = re.IGNORECASE if "i" in flags else 0
    if "q" in flags:  # every character stands for itself; only "i" still applies
        return re.compile(re.escape(pattern), ignore_case)
    options = ignore_case | (re.DOTALL if "s" in flags else 0)
    options |= re.MULTILINE if "m" in flags else 0
    try:
        translated = translate_pattern(_as_xsd_classes(pattern, "x" in flags), options)
        return re.compile(translated, options)
    except (RegexError, re.error, IndexError, ValueError, OverflowError) as error:
        raise PatternError(one_line(error)) from None


def _plain(pattern: str) -> re.Pattern[str] | None:
    """A pattern of the plain kind :func:`store_agrees` describes, compiled without translating:
    there XPath's syntax is Python's, but for ``$``, which is the very end of the string (Python's
    also matches before a final newline). None for any other pattern, or one Python refuses
    (then the translator gives the verdict)."""
    if "(?" in pattern or not _PLAIN_PATTERN.fullmatch(pattern):
        return None
    out, escaped = [], False
    for char in pattern:
        out.append("\\Z" if char == "$" and not escaped else char)
        escaped = char == "\\" and not escaped
    try:
        return re.compile("".join(out))
    except re.error:
        return None


def _as_xsd_classes(pattern: str, free_spacing: bool) -> str:
    """The pattern with each multi-character escape outside brackets put in brackets (``\\w`` as
    ``[\\w]``, which elementpath reads as XSD's class) and, with the ``x`` flag, the whitespace
    outside brackets removed."""
    out: list[str] = []
    depth = 0  # nesting of character class expressions ([a-z-[aeiou]] nests)
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            position += 1
            while free_spacing and depth == 0 and position < len(pattern):
                if pattern[position] not in _WHITESPACE:
                    break
                position += 1
            escaped = pattern[position : position + 1]
            if depth == 0 and escaped in _MULTI_CHARACTER_ESCAPES and escaped:
                out.append(f"[\\{escaped}]")
            else:
                out.append("\\" + escaped)
        elif char == "[" and (depth == 0 or pattern[position - 1 : position] == "-"):
            depth += 1
            out.append(char)
        elif char == "]" and depth > 0:
            depth -= 1
            out.append(char)
        elif not (free_spacing and depth == 0 and char in _WHITESPACE):
            out.append(char)
        position += 1
    return "".join(out)


#: What a plain pattern may hold (ASCII only, used without flags): literal characters, escaped
#: metacharacters, brackets of literal characters and ranges, groups, alternatives, anchors, and
#: quantifiers (reluctant or not) right after an atom. XPath, Python and the store read these alike.
_PLAIN_CHARACTER = r"[A-Za-z0-9 !\"#%',/:;<=>@_`-]"
_ESCAPED = r"\\[\\.?*+{}()\[\]|^$-]"
_BRACKETED = (
    r"\[\^?(?:[A-Za-z0-9 _,:;/@#%'\"!=<>.]|\\[\\.?*+{}()\[\]|^$-]"
    r"|(?<=[A-Za-z0-9])-(?=[A-Za-z0-9]))+\]"
)
_QUANTIFIER = r"(?:[?*+]|\{[0-9]+(?:,[0-9]*)?\})\??"
_PLAIN_PATTERN = re.compile(
    rf"(?:(?:{_PLAIN_CHARACTER}|{_ESCAPED}|{_BRACKETED}|\))(?:{_QUANTIFIER})?|[(|^$])*"
)


def store_agrees(pattern: str, flags: str) -> bool:
    """Whether the store's REGEX matches exactly as :func:`compile_pattern` does: the pattern
    is valid, has no flag, and keeps to ASCII literal characters, escaped metacharacters, groups,
    alternatives, quantifiers, anchors and brackets of characters and ranges (no ``.``, no
    multi-character or category escapes, no back-references, no class subtraction), where
    XPath's and the store's regular expressions are one language.

    Example:
        >>> store_agrees(r"^http://www\\.wikidata\\.org/entity/Q[1-9][0-9]*$", "")
        True
        >>> store_agrees(r"^\\w+$", ""), store_agrees("^a.c$", ""), store_agrees("^abc$", "i")
        (False, False, False)
    """
    return not flags and _plain(pattern) is not None
