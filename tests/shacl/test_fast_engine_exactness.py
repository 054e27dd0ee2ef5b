"""The fast engine answers by the SHACL specification itself, without handing data to pySHACL:
literals as written (surrogates), zero-length paths, exact comparisons, XPath patterns, named
graphs. Each case pins the results and that the fast engine answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.base.errors import KgError
from kg.shacl.validation import ValidationOutcome, validate

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""
ENGINES = ["fast", "pyshacl"]

Finding = tuple[str, str, str]

XSD = "http://www.w3.org/2001/XMLSchema#"


def check(
    tmp_path: Path, shapes: str, data: str, engine: str = "fast", data_name: str = "data.ttl"
) -> ValidationOutcome:
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shapes, encoding="utf-8")
    prefixes = "" if data_name.endswith(".nq") else PREFIXES
    (tmp_path / data_name).write_text(prefixes + data, encoding="utf-8")
    return validate(
        data=[tmp_path / data_name], shapes=[tmp_path / "shapes.ttl"], ontology=[], engine=engine
    )


def findings(outcome: ValidationOutcome) -> set[Finding]:
    def term(text: str) -> str:
        return "_:" if text.startswith("_:") else text

    return {(term(v.focus_node), term(v.value), v.constraint) for v in outcome.violations}


def answered(outcome: ValidationOutcome, engine: str, expected: set[Finding]) -> None:
    """The outcome finds exactly ``expected``, and the engine asked for answered it."""
    assert (outcome.engine, outcome.engine_note) == (engine, "")
    assert (outcome.conforms, findings(outcome)) == (not expected, expected)


# --- sh:datatype: an ill-typed literal does not have its datatype (SHACL 4.1.2) -----------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("literal", "datatype"),
    [
        ('"abc"^^xsd:integer', "xsd:integer"),
        ('"-5"^^xsd:nonNegativeInteger', "xsd:nonNegativeInteger"),
        ('"2025-02-29"^^xsd:date', "xsd:date"),
        ('"yes"^^xsd:boolean', "xsd:boolean"),
    ],
)
def test_an_ill_typed_literal_violates_its_datatype(
    tmp_path: Path, engine: str, literal: str, datatype: str
) -> None:
    shapes = (
        f"ex:S sh:targetSubjectsOf ex:v ; sh:property [ sh:path ex:v ; sh:datatype {datatype} ] ."
    )
    outcome = check(tmp_path, shapes, f"ex:a ex:v {literal} .", engine)
    answered(outcome, engine, {("ex:a", literal, "sh:DatatypeConstraintComponent")})


def test_a_literal_of_the_private_surrogate_datatype_stays_itself(tmp_path: Path) -> None:
    literal = '"1"^^<urn:x-kg:written:http://www.w3.org/2001/XMLSchema#integer>'
    shapes = """ex:S sh:targetSubjectsOf ex:v ; sh:property [ sh:path ex:v ;
        sh:datatype xsd:integer ; sh:maxCount 1 ] ."""
    outcome = check(tmp_path, shapes, f"ex:a ex:v {literal}, 1 .")
    answered(
        outcome,
        "fast",
        {
            ("ex:a", literal, "sh:DatatypeConstraintComponent"),
            ("ex:a", "", "sh:MaxCountConstraintComponent"),
        },
    )


# --- Literals as written: the fast engine answers such data itself ---------------------------


def test_non_canonical_literals_are_validated_by_the_fast_engine(tmp_path: Path) -> None:
    shapes = """ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ;
        sh:in ( 1 "0002"^^xsd:integer 3.50 ) ; sh:maxLength 4 ; sh:datatype xsd:integer ] ."""
    data = 'ex:a ex:n "01"^^xsd:integer .\nex:b ex:n 1 .\nex:c ex:n "0002"^^xsd:integer .\nex:d ex:n 3.50 .'
    outcome = check(tmp_path, shapes, data)
    answered(
        outcome,
        "fast",
        {
            ("ex:a", '"01"^^xsd:integer', "sh:InConstraintComponent"),
            ("ex:d", '"3.50"^^xsd:decimal', "sh:DatatypeConstraintComponent"),
        },
    )


def test_a_sparql_constraint_reads_literals_as_written_on_the_fast_engine(tmp_path: Path) -> None:
    # the constraint reads a triple whose literal the store holds as a surrogate: it runs on the
    # data as written (its value, lexical form and datatype), and the blank node it reports is
    # the node the core constraint reports
    shapes = (
        "ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:m ; sh:maxCount 0 ] ;\n"
        '  sh:sparql [ sh:select """SELECT $this ?value WHERE { $this ex:n ?value .\n'
        '    FILTER (?value = 1 && str(?value) = "01" && datatype(?value) = xsd:integer) }""" ;\n'
        "    sh:prefixes ex: ] .\n"
        'ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] ,\n'
        '  [ sh:prefix "xsd" ; sh:namespace "http://www.w3.org/2001/XMLSchema#"^^xsd:anyURI ] .'
    )
    data = 'ex:a ex:n "01"^^xsd:integer .  [ ex:n "01"^^xsd:integer ; ex:m 2 ] .  ex:c ex:n 1 .'
    outcome = check(tmp_path, shapes, data)
    answered(
        outcome,
        "fast",
        {
            ("ex:a", '"01"^^xsd:integer', "sh:SPARQLConstraintComponent"),
            ("_:", '"01"^^xsd:integer', "sh:SPARQLConstraintComponent"),
            ("_:", "", "sh:MaxCountConstraintComponent"),
        },
    )
    blank = {v.focus_node for v in outcome.violations if v.focus_node.startswith("_:")}
    assert len(blank) == 1, blank


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_report_a_double_as_written(tmp_path: Path, engine: str) -> None:
    shapes = "ex:S sh:targetSubjectsOf ex:v ; sh:property [ sh:path ex:v ; sh:maxInclusive 100 ] ."
    outcome = check(tmp_path, shapes, 'ex:a ex:v "1.5E2"^^xsd:double .', engine)
    answered(
        outcome, engine, {("ex:a", '"1.5E2"^^xsd:double', "sh:MaxInclusiveConstraintComponent")}
    )


# --- Zero-length paths built of sequences, alternatives and nested shapes ---------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "path",
    [
        "( [ sh:zeroOrMorePath ex:p ] [ sh:zeroOrOnePath ex:q ] )",
        "[ sh:alternativePath ( ex:q [ sh:zeroOrMorePath ex:p ] ) ]",
        "[ sh:inversePath [ sh:zeroOrMorePath ex:p ] ]",
    ],
)
def test_a_path_that_can_be_empty_reaches_the_focus_node(
    tmp_path: Path, engine: str, path: str
) -> None:
    shapes = f"ex:S sh:targetNode ex:x ; sh:property [ sh:path {path} ; sh:nodeKind sh:Literal ] ."
    outcome = check(tmp_path, shapes, 'ex:y ex:p "z" .', engine)
    answered(outcome, engine, {("ex:x", "ex:x", "sh:NodeKindConstraintComponent")})


@pytest.mark.parametrize("engine", ENGINES)
def test_has_value_and_counts_see_the_focus_node_on_a_zero_length_path(
    tmp_path: Path, engine: str
) -> None:
    shapes = """ex:S sh:targetNode ex:x, ex:a ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ;
        sh:hasValue ex:x ; sh:minCount 2 ; sh:maxCount 2 ] ."""
    outcome = check(tmp_path, shapes, "ex:a ex:p ex:x .", engine)
    answered(outcome, engine, {("ex:x", "", "sh:MinCountConstraintComponent")})


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("kind", "expected"),
    [("sh:IRI", set()), ("sh:Literal", {("ex:x", "", "sh:QualifiedMinCountConstraintComponent")})],
)
def test_qualified_counts_see_the_focus_node_on_a_zero_length_path(
    tmp_path: Path, engine: str, kind: str, expected: set[Finding]
) -> None:
    shapes = f"""ex:S sh:targetNode ex:x ; sh:property [ sh:path [ sh:zeroOrOnePath ex:p ] ;
        sh:qualifiedValueShape [ sh:nodeKind {kind} ] ; sh:qualifiedMinCount 1 ] ."""
    outcome = check(tmp_path, shapes, 'ex:y ex:p "z" .', engine)
    answered(outcome, engine, expected)


@pytest.mark.parametrize("engine", ENGINES)
def test_unique_lang_on_a_zero_length_path(tmp_path: Path, engine: str) -> None:
    shapes = """ex:S sh:targetNode ex:x ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ;
        sh:uniqueLang true ] ."""
    outcome = check(tmp_path, shapes, 'ex:x ex:p "a"@en, "b"@en, "c"@de .', engine)
    answered(outcome, engine, {("ex:x", "", "sh:UniqueLangConstraintComponent")})


# --- Value ranges and property pairs: exact where the store is not ---------------------------


@pytest.mark.parametrize(
    ("value", "constraint", "violates"),
    [
        ("0.0000000000000000001", "sh:maxInclusive 0", True),
        ("0.0000000000000000001", "sh:minExclusive 0", False),
        ("0.0000000000000000001", "sh:minInclusive 0.0000000000000000002", True),
        ("1", "sh:minInclusive 0.5", False),
        ("1", "sh:minInclusive 1.5E0", True),
        (
            '"2025-01-01T00:00:00"^^xsd:dateTime',
            'sh:minInclusive "2025-01-01T00:00:00Z"^^xsd:dateTime',
            True,
        ),
        (
            '"2025-01-01T00:00:00"^^xsd:dateTime',
            'sh:minInclusive "2024-12-31T00:00:00Z"^^xsd:dateTime',
            False,
        ),
        ('"b"@en', 'sh:minInclusive "a"', True),
        ('"b"', 'sh:minInclusive "a"', False),
        ('"NaN"^^xsd:double', 'sh:maxInclusive "NaN"^^xsd:double', True),
        ('"NaN"^^xsd:double', "sh:maxInclusive 1.0E0", True),
        ("ex:o", "sh:minInclusive 0", True),
        ('"P2D"^^xsd:dayTimeDuration', 'sh:minInclusive "PT36H"^^xsd:dayTimeDuration', False),
    ],
)
def test_value_ranges_are_exact(
    tmp_path: Path, value: str, constraint: str, violates: bool
) -> None:
    shapes = f"ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; {constraint} ] ."
    outcome = check(tmp_path, shapes, f"ex:a ex:n {value} .")
    assert (outcome.engine, outcome.conforms) == ("fast", not violates)
    assert len(outcome.violations) == int(violates)


@pytest.mark.parametrize(
    ("value", "other", "violates"),
    [
        ("1", "1.5E0", False),
        ("2", "1.5E0", True),
        ("12345678901234567890", "12345678901234567891", False),
        ("12345678901234567891", "12345678901234567890", True),
        ('"a"@en', '"b"@en', True),
        ("false", "true", False),
        ('"2025-01-01"^^xsd:date', '"2025-01-02"^^xsd:date', False),
        ("1", '"2"', True),
    ],
)
def test_less_than_is_exact(tmp_path: Path, value: str, other: str, violates: bool) -> None:
    shapes = "ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:lessThan ex:q ] ."
    outcome = check(tmp_path, shapes, f"ex:a ex:p {value} ; ex:q {other} .")
    assert (outcome.engine, outcome.conforms) == ("fast", not violates)


# --- sh:pattern -------------------------------------------------------------------------------


def test_pattern_checks_iris_and_reports_blank_nodes(tmp_path: Path) -> None:
    shapes = 'ex:S sh:targetSubjectsOf ex:s ; sh:property [ sh:path ex:s ; sh:pattern "^http://example\\\\.org/[a-z]+$" ] .'
    data = 'ex:a ex:s ex:ok, ex:NO, _:b, "http://example.org/yes" .'
    outcome = check(tmp_path, shapes, data)
    answered(
        outcome,
        "fast",
        {
            ("ex:a", "ex:NO", "sh:PatternConstraintComponent"),
            ("ex:a", "_:", "sh:PatternConstraintComponent"),
        },
    )


def test_pattern_with_the_x_flag(tmp_path: Path) -> None:
    shapes = 'ex:S sh:targetSubjectsOf ex:s ; sh:property [ sh:path ex:s ; sh:pattern "^ a b c $" ; sh:flags "x" ] .'
    outcome = check(tmp_path, shapes, 'ex:a ex:s "abc" . ex:b ex:s "a b c" .')
    answered(outcome, "fast", {("ex:b", '"a b c"', "sh:PatternConstraintComponent")})


@pytest.mark.parametrize("engine", ENGINES)
def test_an_invalid_pattern_in_a_nested_shape_is_an_error(tmp_path: Path, engine: str) -> None:
    shapes = """ex:S sh:targetSubjectsOf ex:s ; sh:property [ sh:path ex:s ;
        sh:or ( ex:Broken [ sh:datatype xsd:integer ] ) ] .
    ex:Broken sh:pattern "(a" ."""
    with pytest.raises(KgError) as raised:
        check(tmp_path, shapes, 'ex:a ex:s "a" .', engine)
    assert raised.value.exit_code == 2 and "ex:Broken" in str(raised.value)


# --- Named graphs: the union, each triple once --------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_triple_in_several_graphs_of_n_quads_is_one_triple(tmp_path: Path, engine: str) -> None:
    shapes = "ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:maxCount 1 ; sh:datatype xsd:string ] ."
    data = "\n".join(
        f'<http://example.org/a> <http://example.org/n> "x" {graph} .'
        for graph in ("", "<http://example.org/g1>", "<http://example.org/g2>")
    )
    outcome = check(tmp_path, shapes, data + "\n", engine, data_name="data.nq")
    answered(outcome, engine, set())


@pytest.mark.parametrize(
    ("pattern", "reads_the_literal"),
    [
        ("$this <http://example.org/label> ?value", False),  # never meets the surrogate
        ("$this <http://example.org/n> ?value", True),  # ex:n holds it
        ("$this ?p ?value", True),  # any predicate
        ("$this <http://example.org/label>* ?value", False),  # may meet it; finds none
    ],
)
def test_sparql_constraints_read_literals_the_store_rewrites_as_written(
    tmp_path: Path, pattern: str, reads_the_literal: bool
) -> None:
    # on the store the literal would be a surrogate of a private datatype: a constraint that can
    # meet it runs on the data as written, where its datatype is xsd:integer
    shapes = f"""ex:S sh:targetSubjectsOf ex:n ; sh:sparql [ sh:select
        "SELECT $this ?value WHERE {{ {pattern} . FILTER (datatype(?value) = <{XSD}integer>) }}" ] ;
        sh:property [ sh:path ex:n ; sh:in ( 1 ) ] ."""
    outcome = check(tmp_path, shapes, 'ex:a ex:n "01"^^xsd:integer ; ex:label "x" .')
    assert outcome.engine == "fast", outcome.engine_note
    sparql = ("ex:a", '"01"^^xsd:integer', "sh:SPARQLConstraintComponent")
    assert (sparql in findings(outcome)) is reads_the_literal
    assert ("ex:a", '"01"^^xsd:integer', "sh:InConstraintComponent") in findings(outcome)
