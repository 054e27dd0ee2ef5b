"""Token-level reading of SPARQL text: its variables, and binding variables to RDF terms.

Why not pyoxigraph's ``substitutions``: it binds only variables of the outer SELECT's
projection, while grlc parameters are used anywhere (inside sub-queries too) and never
projected. Binding here follows grlc's query-wide semantics on every engine, local or remote,
and stays safe: each value is first an RDF term, validated by pyoxigraph, and is written in
N-Triples form (quotes and backslashes escaped) in place of the variable's tokens only. A
value can never close a string or an IRI, so it cannot change the query's structure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from kg.base.errors import KgError, one_line

#: How deep ``{}``, ``()`` and ``[]`` may nest in a query. SPARQL parsers recurse:
#: pyoxigraph's overflows its stack and kills the process at a few thousand levels.
MAX_NESTING = 128

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\n]|\\.)*"
             | '(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)  # PN_CHARS: \w is Unicode-aware
  | (?P<other>(?:[^#"'<?$\\]|\\.)+|.)  # \# in a prefixed name (PN_LOCAL_ESC) is no comment
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """Split SPARQL text into ``(kind, text)`` tokens: comment, string, iri, var or other.

    Joining the texts gives the input back unchanged.
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        yield kind, match.group()


_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def expand_codepoint_escapes(text: str, source: str = "query") -> str:
    """The query with its ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes replaced by the characters
    they stand for, everywhere, before any parsing, as SPARQL 1.1 (19.2) says. rdflib does this;
    Oxigraph expands them only inside strings and IRIs, so the two would read
    ``FILTER("\\u0022) } #") SERVICE ...`` differently: once expanded, both read one text.

    Raises:
        KgError: an escape of a surrogate or of no character at all.
    """
    if "\\u" not in text and "\\U" not in text:
        return text

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise KgError(f"{source}: {match.group()} is not the escape of a character")
        return chr(code)

    return _CODEPOINT_ESCAPE.sub(character, text)


def nesting_depth(text: str) -> int:
    """How deep brackets (``{}``, ``()``, ``[]``) nest outside comments, strings and IRIs.

    Example:
        >>> nesting_depth('SELECT * { ?s ?p "{{{" FILTER (?p) }')
        2
    """
    depth = deepest = 0
    for kind, token in tokens(text):
        if kind != "other":
            continue
        for bracket in _BRACKET.findall(token):
            if bracket in "{([":
                depth += 1
                deepest = max(deepest, depth)
            else:
                depth -= 1
    return deepest


_BRACKET = re.compile(r"[{}()\[\]]")


def check_nesting(text: str, source: str) -> None:
    """Refuse a query nested deeper than :data:`MAX_NESTING`, before any parser sees it.

    Raises:
        KgError: naming ``source`` and the limit.
    """
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise KgError(
            f"{source}: brackets nested {depth} levels deep, more than kg's limit of {MAX_NESTING}"
        )


def variables(text: str) -> list[str]:
    """The names of the variables a query mentions (without ``?``/``$``), in order, once each.

    Example:
        >>> variables('SELECT ?a WHERE { ?a <http://x#?no> "?no" ; ?b ?a } # ?no')
        ['a', 'b']
    """
    seen: dict[str, None] = {}
    for kind, token in tokens(text):
        if kind == "var":
            seen.setdefault(token[1:], None)
    return list(seen)


def service_variables(text: str) -> list[str]:
    """The variables a query uses as a ``SERVICE`` target (``SERVICE ?x``, ``SERVICE SILENT ?x``).

    Example:
        >>> service_variables("SELECT * { SERVICE SILENT ?_wikidata_iri { ?s ?p ?o } ?a ?b ?c }")
        ['_wikidata_iri']
    """
    found: list[str] = []
    after_service = False
    for kind, token in tokens(text):
        if kind == "comment":
            continue
        if kind == "other":
            if _SERVICE_KEYWORD.search(token):
                after_service = True
            elif token.strip():
                after_service = False
        elif kind == "var" and after_service:
            found.append(token[1:])
            after_service = False
        else:
            after_service = False
    return found


_SERVICE_KEYWORD = re.compile(r"\bSERVICE(\s+SILENT)?\s*$", re.IGNORECASE)


def bind(text: str, terms: Mapping[str, str]) -> str:
    """Replace each variable named in ``terms`` by that term's N-Triples text.

    Args:
        text: the query.
        terms: variable name (without ``?``) -> the RDF term in N-Triples syntax, as
            ``str()`` of a pyoxigraph term gives it.

    Example:
        >>> bind("ASK { ?s ?p ?_o_en }", {"_o_en": '"x"@en'})
        'ASK { ?s ?p "x"@en }'
    """
    if not terms:
        return text
    out = []
    for kind, token in tokens(text):
        if kind == "var" and token[1:] in terms:
            out.append(terms[token[1:]])
        else:
            out.append(token)
    return "".join(out)


def strip_comments(text: str) -> str:
    """The query without its comments (strings and IRIs that contain ``#`` are kept)."""
    return "".join(token for kind, token in tokens(text) if kind != "comment")


_UPDATE_KEYWORD = re.compile(
    r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE
)
_QUERY_KEYWORD = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def looks_like_update(text: str) -> bool:
    """Whether the text's first operation keyword (outside comments, strings, IRIs) is an update's."""
    for kind, token in tokens(text):
        if kind != "other":
            continue
        query = _QUERY_KEYWORD.search(token)
        update = _UPDATE_KEYWORD.search(token)
        if query or update:
            if query and update:
                return update.start() < query.start()
            return update is not None
    return False


def query_form(text: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first such keyword outside
    comments, strings and IRIs; None if there is none (an update, or not SPARQL)."""
    for kind, token in tokens(text):
        if kind == "other":
            match = _QUERY_KEYWORD.search(token)
            if match:
                return match.group(1).upper()
    return None


_SELECT_STAR = re.compile(r"\bSELECT\s+((DISTINCT|REDUCED)\s+)?\*", re.IGNORECASE)


def is_select_star(text: str) -> bool:
    """Whether the query's first query keyword is a ``SELECT *`` (outside comments and strings).

    Example:
        >>> is_select_star("# SELECT ?x\\nSELECT DISTINCT * { ?s ?p ?o }")
        True
    """
    for kind, token in tokens(text):
        if kind == "other":
            match = _QUERY_KEYWORD.search(token)
            if match:
                return bool(_SELECT_STAR.match(token, match.start()))
    return False


# The SPARQL 1.1 grammar's terminals for a prologue (SPARQL 1.1 Query, section 19.8).
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_IRIREF = r"<(?P<iri>[^<>\"{}|^`\\\x00-\x20]*)>"
#: Whitespace and comments, which may stand between any two tokens.
_GAP = r"(?:[ \t\r\n]|\#[^\r\n]*)*"


def _declaration(pn_chars_base: str, pn_chars: str) -> re.Pattern[str]:
    """One PREFIX or BASE declaration, with a prefix name made of these character classes.
    Only the keywords ignore case (case-folding the classes' Unicode ranges costs time)."""
    pn_prefix = f"[{pn_chars_base}](?:[{pn_chars}.]*[{pn_chars}])?"
    return re.compile(
        rf"""
        {_GAP}
        (?:
            (?P<prefix_keyword>(?i:PREFIX))
            (?:
                (?:[ \t\r\n]|\#[^\r\n]*)+ (?P<name>{pn_prefix})  # a gap, or they read as one name
              | {_GAP}  # the empty prefix: PREFIX : <...>, PREFIX: <...>
            )
            : {_GAP} {_IRIREF}
          | (?P<base_keyword>(?i:BASE)) {_GAP} <(?P<base>[^<>\"{{}}|^`\\\x00-\x20]*)>
        )
        """,
        re.VERBOSE,
    )


#: For ASCII text, where the name classes are their ASCII part (cheap to compile at start-up).
_ASCII_DECLARATION = _declaration("A-Za-z", "A-Za-z_\\-0-9")


@functools.cache
def _unicode_declaration() -> re.Pattern[str]:
    """The full grammar's name classes, compiled when a query first holds non-ASCII text."""
    return _declaration(_PN_CHARS_BASE, _PN_CHARS)


class Prologue(NamedTuple):
    """What a query's prologue declares (SPARQL 1.1 ``Prologue``: ``BASE`` and ``PREFIX``).

    Attributes:
        prefixes: prefix (``""`` for the empty one) -> namespace IRI as written; a prefix
            declared twice means what its later declaration says, as in every engine.
        base: the last ``BASE`` IRI as written, or None.
        end: the offset just after the last declaration (0 when there is none): the text from
            there on is the query after its prologue, starting with any comments that follow.
    """

    prefixes: dict[str, str]
    base: str | None
    end: int


def read_prologue(text: str) -> Prologue:
    """The ``PREFIX`` and ``BASE`` declarations at the start of a query, read by the SPARQL
    1.1 grammar: keywords in any case, comments and whitespace between any two tokens, a ``#``
    inside an IRI that is part of the IRI. Reading stops at the first token that is not a
    declaration, so a ``PREFIX`` later in the query (inside a string, say) is not one.

    Example:
        >>> prologue = read_prologue("# hi\\nprefix ex: <http://x/#> BASE <http://b/> SELECT * {}")
        >>> prologue.prefixes, prologue.base, prologue.end
        ({'ex': 'http://x/#'}, 'http://b/', 45)
    """
    prefixes: dict[str, str] = {}
    base: str | None = None
    end = 0
    declaration = _ASCII_DECLARATION if text.isascii() else _unicode_declaration()
    while match := declaration.match(text, end):
        if match.group("prefix_keyword"):
            prefixes[match.group("name") or ""] = match.group("iri")
        else:
            base = match.group("base")
        end = match.end()
    return Prologue(prefixes, base, end)


_PREFIXED_NAME = re.compile(r"(?<![\w.:-])([A-Za-z][\w.-]*)?:(?=[\w%\\-]|$)")


def prologue_prefixes(text: str) -> dict[str, str]:
    """The prefixes a query's prologue declares (see :func:`kg.sparql.text.read_prologue`)."""
    return read_prologue(text).prefixes


def with_project_prefixes(text: str, prefixes: Mapping[str, str] | None = None) -> str:
    """``text`` with a ``PREFIX`` declaration in front for each project prefix it uses but
    does not declare (as Wikidata Query Service does). The declarations go on the query's first
    line, so line numbers in syntax errors stay those of the text as written.

    Example:
        >>> with_project_prefixes("SELECT * { ?s a snk:Claim }")
        'PREFIX snk: <https://w3id.org/supernode-kg/ontology#> SELECT * { ?s a snk:Claim }'
    """
    if prefixes is None:
        from kg.rdf.prefixes import project_prefixes

        prefixes = project_prefixes()
    known = dict(prefixes)
    declared = prologue_prefixes(text)
    used: dict[str, None] = {}
    for kind, token in tokens(text):
        if kind == "other":
            for match in _PREFIXED_NAME.finditer(token):
                used.setdefault(match.group(1) or "", None)
    missing = [p for p in used if p in known and p not in declared]
    if not missing:
        return text
    return "".join(f"PREFIX {p}: <{known[p]}> " for p in missing) + text


def syntax_error_message(error: SyntaxError) -> str:
    """The one line every `kg` command and `kg serve` give for a query Oxigraph's parser refuses:
    ``SPARQL syntax error at LINE:COLUMN: reason``."""
    return "SPARQL syntax error " + one_line(error.msg or error).removeprefix("error ")
