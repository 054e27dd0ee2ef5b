"""SHACL-SPARQL pre-binding (SHACL 5.2.1 and appendix A) on the fast engine: ``$this`` in
constraints that one query cannot answer for every focus node, ``$currentShape`` and
``$shapesGraph`` that the query does not select."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.shacl.shapes import prebind
from tests.shacl.test_spec_semantics import assert_answer, validate


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT $this WHERE { $this ?p ?o }", "SELECT $this WHERE { <urn:x> ?p ?o }"),
        (
            "SELECT $this { FILTER bound($this) . FILTER (BOUND ( ?this ) && true) }",
            "SELECT $this { FILTER (true) . FILTER ((true) && true) }",
        ),
        (  # a sub-select's projection keeps the variable; its pattern is pre-bound
            "SELECT $this { { SELECT $this WHERE { FILTER ($this = 1) } } }",
            "SELECT $this { { SELECT $this WHERE { FILTER (<urn:x> = 1) } } }",
        ),
        (  # strings, IRIs and comments are not variables
            'SELECT ?x { ?x <urn:$this> "$this" # $this\n }',
            'SELECT ?x { ?x <urn:$this> "$this" # $this\n }',
        ),
        ("SELECT ?x { ?x ?thisOne ?this2 }", "SELECT ?x { ?x ?thisOne ?this2 }"),
    ],
)
def test_prebind_writes_the_value_where_the_variable_is_used(query: str, expected: str) -> None:
    assert prebind(query, "this", "<urn:x>") == expected


def sparql_shape(select: str, target: str = "sh:targetClass ex:C") -> str:
    return (
        f'ex:S {target} ; sh:sparql [ sh:prefixes ex: ; sh:select """{select}""" ] .\n'
        'ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .'
    )


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_constraint_that_is_not_join_safe_runs_once_per_focus_node(
    tmp_path: Path, engine: str
) -> None:
    # $this inside a nested group: one query for all focus nodes would see it unbound there
    shapes = sparql_shape(
        "SELECT $this ?value WHERE { { $this ex:p ?value . FILTER (?value > 1) } } ORDER BY ?value LIMIT 1"
    )
    data = "ex:a a ex:C ; ex:p 1 , 2 , 3 .  ex:b a ex:C ; ex:p 5 .  ex:c a ex:C ; ex:p 0 ."
    report = validate(tmp_path, shapes, data, engine)
    assert report.engine_note == ""
    assert_answer(
        report,
        {
            ("ex:a", '"2"^^xsd:integer', "sh:SPARQLConstraintComponent"),
            ("ex:b", '"5"^^xsd:integer', "sh:SPARQLConstraintComponent"),
        },
    )


def test_shapes_graph_names_the_shapes_graph(tmp_path: Path) -> None:
    shapes = (
        sparql_shape(
            "SELECT $this WHERE { $this ex:p ?limit . "
            "GRAPH $shapesGraph { $currentShape ex:limit ?max } FILTER (?limit > ?max) }"
        )
        + "\nex:S ex:limit 3 ."
    )
    report = validate(tmp_path, shapes, "ex:a a ex:C ; ex:p 2 .  ex:b a ex:C ; ex:p 4 .", "fast")
    assert report.engine_note == ""
    assert_answer(report, {("ex:b", "ex:b", "sh:SPARQLConstraintComponent")})
