"""A query's prologue (PREFIX and BASE declarations) is read in one place, by the SPARQL grammar."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.shacl.components.sparql_based import split_prologue as _split_prologue
from kg.sparql.catalog import query_from_text
from kg.sparql.text import prologue_prefixes, read_prologue, with_project_prefixes

# (prologue text, prefixes it declares, base it declares)
PROLOGUES = [
    pytest.param(
        "PREFIX\tex:\n\n  <http://x/>PREFIX y:<http://y/>",
        {"ex": "http://x/", "y": "http://y/"},
        None,
        id="odd-spacing",
    ),
    pytest.param(
        "# a comment\nPREFIX ex: <http://x/> # PREFIX no: <http://no/>\n#+ tags: a\nPREFIX\n# between\ny: <http://y/>",
        {"ex": "http://x/", "y": "http://y/"},
        None,
        id="comments-between-declarations",
    ),
    pytest.param(
        "PREFIX ex: <http://x/ontology#> PREFIX y: <http://y/#> # not <http://z/>",
        {"ex": "http://x/ontology#", "y": "http://y/#"},
        None,
        id="hash-inside-iris",
    ),
    pytest.param(
        "BASE <http://base/> PREFIX ex: <http://x/> base <http://base/2/>",
        {"ex": "http://x/"},
        "http://base/2/",
        id="base",
    ),
    pytest.param(
        "prefix ex: <http://x/> Prefix : <http://empty/> PREFIX: <http://empty/2/>",
        {"ex": "http://x/", "": "http://empty/2/"},
        None,
        id="lowercase-and-empty-prefix",
    ),
    pytest.param(
        "PREFIX ex: <http://1/> PREFIX ex: <http://2/> PREFIX 数据.v2: <http://3/>",
        {"ex": "http://2/", "数据.v2": "http://3/"},
        None,
        id="redeclared-and-unicode",
    ),
]


@pytest.mark.parametrize(("prologue", "prefixes", "base"), PROLOGUES)
def test_read_prologue_reads_declarations_and_where_they_end(
    prologue: str, prefixes: dict[str, str], base: str | None
) -> None:
    query = prologue + "\nSELECT * { ?s ?p ?o }"
    read = read_prologue(query)
    assert (read.prefixes, read.base) == (prefixes, base)
    assert query[read.end :].lstrip(" \n").removeprefix("# not <http://z/>\n") == (
        "SELECT * { ?s ?p ?o }"
    )


@pytest.mark.parametrize(("prologue", "prefixes", "base"), PROLOGUES)
def test_read_prologue_agrees_with_oxigraph(
    prologue: str, prefixes: dict[str, str], base: str | None
) -> None:
    """Each prefix means, in Oxigraph, the namespace read_prologue says it declares."""
    for prefix, namespace in prefixes.items():
        solutions = ox.Store().query(f"{prologue}\nSELECT ({prefix}:local AS ?iri) {{}}")
        assert isinstance(solutions, ox.QuerySolutions)
        assert [s["iri"] for s in solutions] == [ox.NamedNode(namespace + "local")]


def test_prefix_in_a_string_later_in_the_query_is_not_a_declaration() -> None:
    query = 'PREFIX ex: <http://x/>\nSELECT * { ?s ?p "\nPREFIX no: <http://no/>" }'
    assert read_prologue(query).prefixes == {"ex": "http://x/"}
    assert prologue_prefixes(query) == {"ex": "http://x/"}
    assert query_from_text(query).prefixes == {"ex": "http://x/"}


def test_prefix_after_the_query_starts_is_not_a_declaration() -> None:
    query = "SELECT * { ?s ?p ?o } # PREFIX no: <http://no/>\nPREFIX no: <http://no/>"
    assert read_prologue(query).prefixes == {}
    assert read_prologue(query).end == 0


def test_a_keyword_run_into_its_name_is_not_a_declaration() -> None:
    assert read_prologue("PREFIXex: <http://x/> SELECT * {}").prefixes == {}


def test_saved_query_prefixes_come_from_the_prologue() -> None:
    saved = query_from_text("#+ summary: s\n# note\nprefix ex:<http://x/#>\nSELECT ?_v_ex_t {}")
    assert saved.prefixes == {"ex": "http://x/#"}
    assert saved.parameters[0].datatype == "http://x/#t"


def test_project_prefixes_are_not_added_twice_after_commented_declarations() -> None:
    query = "# header\nPREFIX snk: # the ontology\n  <http://other/>\nSELECT * { ?s a snk:Claim }"
    assert with_project_prefixes(query, {"snk": "http://project/"}) == query


def test_fast_validation_splits_a_commented_prologue_from_its_select() -> None:
    constraint = "PREFIX ex: <http://x/>\n# why\nPREFIX y: <http://y/#>\nSELECT $this { }"
    prologue, select = _split_prologue(constraint)
    assert prologue == "PREFIX ex: <http://x/>\n# why\nPREFIX y: <http://y/#>"
    assert select.strip() == "SELECT $this { }"


def test_prefix_names_outside_ascii_follow_the_grammar() -> None:
    """Non-ASCII text takes the full PN_CHARS classes (ASCII text a cheaper pattern)."""
    from kg.sparql.text import read_prologue

    prologue = read_prologue("PREFIX 超节点: <urn:zh:> prefix É·x: <urn:e:> SELECT * {}")
    assert prologue.prefixes == {"超节点": "urn:zh:", "É·x": "urn:e:"}
    # '·' may not start a name (PN_CHARS_BASE), so this is not a declaration
    assert read_prologue("PREFIX ·x: <urn:e:> SELECT * {}").prefixes == {}
