"""What the SHACL specification says `kg validate` answers, one reported case at a time.

Each test writes a tiny shapes graph and data graph, validates them through the public API
(``kg.validate``) and pins the specification's answer (https://www.w3.org/TR/shacl/): whether the
data conforms, and the exact set of (focus node, value, constraint component) of the results.
Tests run on both engines where pySHACL, the reference engine, agrees with the specification;
where pySHACL itself departs from it, only the fast engine is tested and a comment says why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from tests.conftest import run_kg

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""
ENGINES = ["fast", "pyshacl"]

#: Blank-node labels in a report are arbitrary: every blank node is compared as this one.
BLANK = "_:"

Finding = tuple[str, str, str]
"""A validation result as (focus node, value, constraint component), terms as prefixed names."""


def on_engines(
    cases: dict[str, tuple[object, ...]], pyshacl_departs: frozenset[str] = frozenset()
) -> list[object]:
    """pytest parameters ``(engine, *case)``: every case on the fast engine, and on pySHACL
    unless the case is one where pySHACL departs from the specification."""
    return [
        pytest.param(engine, *case, id=f"{engine}-{name}")
        for name, case in cases.items()
        for engine in ENGINES
        if engine == "fast" or name not in pyshacl_departs
    ]


def write_graphs(
    tmp_path: Path, shapes: str, data: str, data_name: str = "data.ttl"
) -> tuple[Path, Path]:
    """The shapes and data (Turtle or TriG, with the usual prefixes) as files in ``tmp_path``."""
    shapes_file, data_file = tmp_path / "shapes.ttl", tmp_path / data_name
    shapes_file.write_text(PREFIXES + shapes, encoding="utf-8")
    data_file.write_text(PREFIXES + data, encoding="utf-8")
    return shapes_file, data_file


def validate(
    tmp_path: Path, shapes: str, data: str, engine: str, data_name: str = "data.ttl"
) -> kg.ValidationReport:
    """``kg.validate`` of ``data`` against ``shapes``, with no ontology merged in."""
    shapes_file, data_file = write_graphs(tmp_path, shapes, data, data_name)
    return kg.validate(data=[data_file], shapes=[shapes_file], ontology=False, engine=engine)


def findings(report: kg.ValidationReport) -> set[Finding]:
    """The report's results as (focus node, value, constraint component)."""

    def term(text: str) -> str:
        return BLANK if text.startswith("_:") else text

    return {(term(r.focus_node), term(r.value), r.constraint) for r in report.results}


def assert_answer(report: kg.ValidationReport, expected: set[Finding]) -> None:
    """The report conforms exactly when nothing is expected, and finds exactly ``expected``."""
    assert (report.conforms, findings(report)) == (not expected, expected)


# --- A. Zero-length paths: the focus node is its own value, in the data graph or not -----------
# Value nodes are the nodes reached from the focus node by the path mapping of sh:path (3.7,
# "Value Nodes"), a SPARQL property path, and a SPARQL zero-length path matches "all subjects and
# objects in the graph, and also any RDF terms explicitly given as endpoints of the path pattern"
# (SPARQL 1.1 Query, ZeroLengthPath): the focus node itself, even when no triple mentions it.
# sh:targetNode targets its value whatever the data graph holds (2.1.3.1).

ZERO_LENGTH_PATHS = ["sh:zeroOrMorePath", "sh:zeroOrOnePath"]
UNRELATED_DATA = 'ex:y ex:p "z" .'


@pytest.mark.parametrize("path", ZERO_LENGTH_PATHS)
@pytest.mark.parametrize("engine", ENGINES)
def test_zero_length_path_reaches_a_focus_node_absent_from_the_data(
    tmp_path: Path, engine: str, path: str
) -> None:
    shapes = f"ex:S sh:targetNode ex:x ; sh:property [ sh:path [ {path} ex:p ] ; sh:datatype xsd:string ] ."
    report = validate(tmp_path, shapes, UNRELATED_DATA, engine)
    assert_answer(report, {("ex:x", "ex:x", "sh:DatatypeConstraintComponent")})


@pytest.mark.parametrize("path", ZERO_LENGTH_PATHS)
@pytest.mark.parametrize("engine", ENGINES)
def test_zero_length_path_counts_an_absent_focus_node_as_its_own_value(
    tmp_path: Path, engine: str, path: str
) -> None:
    shapes = f"ex:S sh:targetNode ex:x ; sh:property [ sh:path [ {path} ex:p ] ; sh:minCount 1 ] ."
    assert_answer(validate(tmp_path, shapes, UNRELATED_DATA, engine), set())


@pytest.mark.parametrize(
    ("datatype", "expected"),
    [
        ("xsd:string", set()),
        ("xsd:integer", {('"a"', '"a"', "sh:DatatypeConstraintComponent")}),
    ],
    ids=["string", "integer"],
)
@pytest.mark.parametrize("path", ZERO_LENGTH_PATHS)
@pytest.mark.parametrize("engine", ENGINES)
def test_zero_length_path_from_a_literal_target_node_is_the_literal(
    tmp_path: Path, engine: str, path: str, datatype: str, expected: set[Finding]
) -> None:
    shapes = f'ex:S sh:targetNode "a" ; sh:property [ sh:path [ {path} ex:p ] ; sh:datatype {datatype} ] .'
    assert_answer(validate(tmp_path, shapes, UNRELATED_DATA, engine), expected)


# --- B. xsd:integer has no bounds (XSD 1.1 Part 2, 3.4.13): no 64-bit overflow ------------------

BIG = "12345678901234567890"


@pytest.mark.parametrize(
    ("value", "constraint", "expected"),
    [
        (BIG, "sh:minInclusive 0", set()),
        (
            BIG,
            "sh:maxInclusive 0",
            {("ex:a", f'"{BIG}"^^xsd:integer', "sh:MaxInclusiveConstraintComponent")},
        ),
        (f"-{BIG}", "sh:maxInclusive 0", set()),
        (
            f"-{BIG}",
            "sh:minInclusive 0",
            {("ex:a", f'"-{BIG}"^^xsd:integer', "sh:MinInclusiveConstraintComponent")},
        ),
        ("5", f"sh:maxInclusive {BIG}", set()),
        (
            "5",
            f"sh:minInclusive {BIG}",
            {("ex:a", '"5"^^xsd:integer', "sh:MinInclusiveConstraintComponent")},
        ),
    ],
    ids=[
        "big-above-0",
        "big-not-below-0",
        "negative-below-0",
        "negative-not-above-0",
        "big-bound-above",
        "big-bound-below",
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_value_range_compares_integers_beyond_64_bits(
    tmp_path: Path, engine: str, value: str, constraint: str, expected: set[Finding]
) -> None:
    shapes = f"ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; {constraint} ] ."
    assert_answer(validate(tmp_path, shapes, f"ex:a ex:n {value} .", engine), expected)


# --- C. Booleans are ordered: SPARQL 1.1's operator mapping has op:boolean-less-than, false < true


@pytest.mark.parametrize(
    ("value", "constraint", "expected"),
    [
        ("false", "sh:maxExclusive true", set()),
        (
            "false",
            "sh:minExclusive true",
            {("ex:a", '"false"^^xsd:boolean', "sh:MinExclusiveConstraintComponent")},
        ),
        ("true", "sh:minInclusive false", set()),
        (
            "true",
            "sh:maxInclusive false",
            {("ex:a", '"true"^^xsd:boolean', "sh:MaxInclusiveConstraintComponent")},
        ),
    ],
    ids=["false-below-true", "false-not-above-true", "true-above-false", "true-not-below-false"],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_value_range_orders_false_before_true(
    tmp_path: Path, engine: str, value: str, constraint: str, expected: set[Finding]
) -> None:
    shapes = f"ex:S sh:targetSubjectsOf ex:b ; sh:property [ sh:path ex:b ; {constraint} ] ."
    assert_answer(validate(tmp_path, shapes, f"ex:a ex:b {value} .", engine), expected)


# --- D, H. Property pairs: a pair the SPARQL operator cannot compare is a result, not an error --
# sh:lessThan (4.5.3): a result "for each pair of value nodes and the values of the property
# $lessThan at the given focus node where the first value is not less than the second value (based
# on SPARQL's < operator) or where the two values cannot be compared"; sh:lessThanOrEquals (4.5.4)
# likewise with <=. SPARQL's < and <= are not defined on IRIs or blank nodes (a type error), and
# NaN is neither less than nor equal to anything, itself included.
#
# pySHACL departs from this: it orders IRIs as strings (so ex:o <= ex:o holds; ex:o < ex:o fails,
# which happens to be the specification's answer), stops with an error on a blank node ("Cannot
# use sh:lessThan to compare a BlankNode"), and finds no result for NaN.

PAIR_COMPONENTS = {
    "sh:lessThan": "sh:LessThanConstraintComponent",
    "sh:lessThanOrEquals": "sh:LessThanOrEqualsConstraintComponent",
}
NAN = '"NaN"^^xsd:double'
INCOMPARABLE_PAIRS: dict[str, tuple[object, ...]] = {
    "lessThan-same-iri": ("sh:lessThan", "ex:o", "ex:o"),
    "lessThanOrEquals-same-iri": ("sh:lessThanOrEquals", "ex:o", "ex:o"),
    "lessThan-same-blank-node": ("sh:lessThan", "_:b", BLANK),
    "lessThanOrEquals-same-blank-node": ("sh:lessThanOrEquals", "_:b", BLANK),
    "lessThan-nan": ("sh:lessThan", NAN, NAN),
    "lessThanOrEquals-nan": ("sh:lessThanOrEquals", NAN, NAN),
}


@pytest.mark.parametrize(
    ("engine", "parameter", "shared", "reported"),
    on_engines(
        INCOMPARABLE_PAIRS, pyshacl_departs=frozenset(INCOMPARABLE_PAIRS) - {"lessThan-same-iri"}
    ),
)
def test_property_pair_cannot_compare_a_node_with_itself(
    tmp_path: Path, engine: str, parameter: str, shared: str, reported: str
) -> None:
    shapes = f"ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; {parameter} ex:q ] ."
    report = validate(tmp_path, shapes, f"ex:a ex:p {shared} ; ex:q {shared} .", engine)
    assert_answer(report, {("ex:a", reported, PAIR_COMPONENTS[parameter])})


@pytest.mark.parametrize(
    ("data", "reported"),
    [("ex:a ex:p _:b ; ex:q 5 .", BLANK), ("ex:a ex:p 3 ; ex:q _:b .", '"3"^^xsd:integer')],
    ids=["blank-value-node", "blank-other-value"],
)
def test_less_than_with_a_blank_node_is_a_violation_not_an_error(
    tmp_path: Path, data: str, reported: str
) -> None:
    # Fast engine only: pySHACL stops with an error on the blank node (see above).
    shapes = "ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:lessThan ex:q ] ."
    shapes_file, data_file = write_graphs(tmp_path, shapes, data)
    report = kg.validate(data=[data_file], shapes=[shapes_file], ontology=False, engine="fast")
    assert_answer(report, {("ex:a", reported, "sh:LessThanConstraintComponent")})
    run = run_kg(
        "validate", "--data", str(data_file), "--shapes", str(shapes_file), "--no-ontology"
    )
    assert run.exit_code == 1, run.stderr


# --- E. sh:pattern is SPARQL REGEX, whose syntax is XPath's (F&O 3.1, 5.6.1), built on XSD's ----
# SHACL 4.4.3: a value node whose string "does not match the regular expression $pattern (as
# defined by the SPARQL REGEX function)" is a result. REGEX is fn:matches, with XSD regular
# expressions (XSD 1.1 Part 2, appendix G) extended by ^, $, back-references and flags.
#
# pySHACL matches with Python's re module, which agrees with XPath on back-references and the
# "i" flag but not on block escapes, class subtraction, "." or \w: those four pin only the fast
# engine.


def pattern_findings(
    tmp_path: Path, engine: str, pattern: str, flags: str, values: list[str]
) -> kg.ValidationReport:
    """Validate ``ex:v0 ex:s VALUE0``, ``ex:v1 ex:s VALUE1``... against ``sh:pattern``."""
    flag_line = f'; sh:flags "{flags}" ' if flags else ""
    shapes = f'ex:S sh:targetSubjectsOf ex:s ; sh:property [ sh:path ex:s ; sh:pattern "{pattern}" {flag_line}] .'
    data = "\n".join(f"ex:v{i} ex:s {value} ." for i, value in enumerate(values))
    return validate(tmp_path, shapes, data, engine)


def pattern_result(index: int, value: str) -> Finding:
    return (f"ex:v{index}", value, "sh:PatternConstraintComponent")


@pytest.mark.parametrize("engine", ENGINES)
def test_pattern_uses_xpath_backreferences(tmp_path: Path, engine: str) -> None:
    report = pattern_findings(tmp_path, engine, r"^(a)\\1$", "", ['"aa"', '"ab"'])
    assert_answer(report, {pattern_result(1, '"ab"')})


@pytest.mark.parametrize("engine", ENGINES)
def test_pattern_flag_i_ignores_case(tmp_path: Path, engine: str) -> None:
    report = pattern_findings(tmp_path, engine, "^abc$", "i", ['"ABC"', '"abd"'])
    assert_answer(report, {pattern_result(1, '"abd"')})


def test_pattern_knows_xsd_block_escapes(tmp_path: Path) -> None:
    # \p{IsBasicLatin} is the Unicode block U+0000..U+007F (XSD 1.1 Part 2, appendix G, block
    # escapes); Python's re has no \p at all.
    report = pattern_findings(tmp_path, "fast", r"^\\p{IsBasicLatin}+$", "", ['"abc"', '"中"'])
    assert_answer(report, {pattern_result(1, '"中"')})


def test_pattern_supports_character_class_subtraction(tmp_path: Path) -> None:
    # [a-z-[aeiou]] is the consonants (XSD 1.1 Part 2, appendix G, character class subtraction);
    # Python's re reads it as a class followed by a literal "]".
    report = pattern_findings(tmp_path, "fast", "^[a-z-[aeiou]]+$", "", ['"bcd"', '"abe"'])
    assert_answer(report, {pattern_result(1, '"abe"')})


def test_pattern_dot_matches_neither_newline_nor_carriage_return(tmp_path: Path) -> None:
    # Without the s flag "the meta-character . matches any character except a newline (#x0A) or
    # carriage return (#x0D) character" (F&O 3.1, 5.6.2), as XSD's . is [^\n\r]; Python's .
    # matches a carriage return.
    report = pattern_findings(tmp_path, "fast", "^.$", "", ['"x"', r'"\r"', r'"\n"'])
    assert_answer(report, {pattern_result(1, r'"\r"'), pattern_result(2, r'"\n"')})


def test_pattern_word_escape_follows_xsd(tmp_path: Path) -> None:
    # XSD's \w is [#x0000-#x10FFFF]-[\p{P}\p{Z}\p{C}] (XSD 1.1 Part 2, appendix G): "_" (Pc,
    # punctuation) and " " (Zs) are not word characters, "+" (Sm, a symbol) is. Python's \w is
    # letters, digits and "_".
    report = pattern_findings(tmp_path, "fast", r"^\\w$", "", ['"a"', '"+"', '"_"', '" "'])
    assert_answer(report, {pattern_result(2, '"_"'), pattern_result(3, '" "')})


# An sh:pattern that is not a valid REGEX pattern makes the shape ill-formed (4.4.3's syntax
# rules), and validation with an ill-formed shapes graph "SHOULD produce a failure" (3.4.2); an
# unknown flag makes REGEX itself an error (F&O 3.1, 5.6.2, err:FORX0001), so the pattern has no
# answer. Either way the data must not silently conform: kg raises its error and `kg validate`
# exits 2, naming the shape.
#
# pySHACL fails on the invalid pattern (Python's re cannot compile it either) but ignores flags it
# does not know, so the unknown flag pins only the fast engine.

BROKEN_PATTERNS: dict[str, tuple[object, ...]] = {
    "invalid-pattern": ("[a-", ""),
    "unknown-flag": ("^a$", "k"),
}
BROKEN_PATTERN_PARAMS = on_engines(BROKEN_PATTERNS, pyshacl_departs=frozenset({"unknown-flag"}))


def broken_pattern_shapes(pattern: str, flags: str) -> str:
    flag_line = f'sh:flags "{flags}" ;' if flags else ""
    return f'ex:CodeFormat a sh:PropertyShape ; sh:targetSubjectsOf ex:s ; sh:path ex:s ; sh:pattern "{pattern}" ; {flag_line} .'


@pytest.mark.parametrize(("engine", "pattern", "flags"), BROKEN_PATTERN_PARAMS)
def test_pattern_that_regex_cannot_run_is_an_error(
    tmp_path: Path, engine: str, pattern: str, flags: str
) -> None:
    with pytest.raises(kg.KgError) as raised:
        validate(tmp_path, broken_pattern_shapes(pattern, flags), 'ex:a ex:s "a" .', engine)
    assert raised.value.exit_code == 2
    assert "CodeFormat" in str(raised.value)


@pytest.mark.parametrize(("engine", "pattern", "flags"), BROKEN_PATTERN_PARAMS)
def test_kg_validate_exits_2_on_a_pattern_that_regex_cannot_run(
    tmp_path: Path, engine: str, pattern: str, flags: str
) -> None:
    shapes_file, data_file = write_graphs(
        tmp_path, broken_pattern_shapes(pattern, flags), 'ex:a ex:s "a" .'
    )
    run = run_kg(
        "validate",
        "--data",
        str(data_file),
        "--shapes",
        str(shapes_file),
        "--no-ontology",
        "--engine",
        engine,
    )
    assert run.exit_code == 2, run.stdout + run.stderr
    assert "CodeFormat" in run.stderr


# --- F. Named graphs: the validator sees the triples `kg query` sees ---------------------------
# `kg query --data file.trig` queries the union of a TriG file's graphs as its default graph
# (SELECT * { ?s ?p ?o } returns the triples of the named graphs too), so validation of the same
# file must see the same triples: a violating triple inside a named graph is reported, and a focus
# node whose triples are spread over several graphs is one node.

TRIG_SHAPES = """ex:Item a rdfs:Class, sh:NodeShape ;
    sh:property [ sh:path ex:n ; sh:datatype xsd:integer ; sh:maxCount 1 ] ."""


@pytest.mark.parametrize("engine", ENGINES)
def test_violation_inside_a_named_graph_is_reported(tmp_path: Path, engine: str) -> None:
    data = 'ex:g1 { ex:a a ex:Item ; ex:n "x" . }\nex:b a ex:Item ; ex:n 1 .'
    report = validate(tmp_path, TRIG_SHAPES, data, engine, data_name="data.trig")
    assert_answer(report, {("ex:a", '"x"', "sh:DatatypeConstraintComponent")})


@pytest.mark.parametrize("engine", ENGINES)
def test_focus_node_spread_over_named_graphs_is_one_node(tmp_path: Path, engine: str) -> None:
    data = "ex:a a ex:Item .\nex:g1 { ex:a ex:n 1 . }\nex:g2 { ex:a ex:n 2 . }"
    report = validate(tmp_path, TRIG_SHAPES, data, engine, data_name="data.trig")
    assert_answer(report, {("ex:a", "", "sh:MaxCountConstraintComponent")})


# --- G. Literals as written: SHACL compares RDF terms, not their values -----------------------
# sh:in (4.8.3) and sh:hasValue (4.8.2) test membership of RDF terms ("matching of literals needs
# to be exact, e.g. "04"^^xsd:byte does not match "4"^^xsd:integer"), and value nodes are a set of
# terms: "01"^^xsd:integer and "1"^^xsd:integer are two terms (RDF 1.1 Concepts, 3.3, literal term
# equality), as are "2.0"^^xsd:decimal and "2"^^xsd:decimal. sh:minLength and sh:maxLength (4.4.1,
# 4.4.2) count the characters of str(value), the lexical form. A result's sh:value is the value
# node: the term as the data writes it.
#
# pySHACL can depart from this where rdflib rewrites a literal into its canonical form ("01" reads
# as "1", "1.5E2" as "150.0", "1"^^xsd:boolean as "true"; see PITFALLS.md): sh:in, sh:maxCount,
# the lengths and the reports of those two literals pin only the fast engine, which keeps every
# literal as written itself (kg/shacl/written_literals.py) instead of handing them to pySHACL.


def test_in_compares_terms_not_values(tmp_path: Path) -> None:
    shapes = "ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:in ( 1 ) ] ."
    report = validate(tmp_path, shapes, 'ex:a ex:n "01"^^xsd:integer .\nex:b ex:n 1 .', "fast")
    assert_answer(report, {("ex:a", '"01"^^xsd:integer', "sh:InConstraintComponent")})


def test_max_count_counts_distinct_terms(tmp_path: Path) -> None:
    shapes = "ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:maxCount 1 ] ."
    report = validate(tmp_path, shapes, 'ex:a ex:n 1, "01"^^xsd:integer .', "fast")
    assert_answer(report, {("ex:a", "", "sh:MaxCountConstraintComponent")})


@pytest.mark.parametrize("engine", ENGINES)
def test_has_value_compares_terms_not_values(tmp_path: Path, engine: str) -> None:
    shapes = 'ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:hasValue "2"^^xsd:decimal ] .'
    report = validate(tmp_path, shapes, 'ex:a ex:n "2.0"^^xsd:decimal .', engine)
    assert_answer(report, {("ex:a", "", "sh:HasValueConstraintComponent")})


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("sh:minLength 4", set()),
        ("sh:maxLength 3", {("ex:a", '"0001"^^xsd:integer', "sh:MaxLengthConstraintComponent")}),
    ],
    ids=["min-length", "max-length"],
)
def test_length_counts_the_lexical_form(
    tmp_path: Path, constraint: str, expected: set[Finding]
) -> None:
    shapes = f"ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; {constraint} ] ."
    report = validate(tmp_path, shapes, 'ex:a ex:n "0001"^^xsd:integer .', "fast")
    assert_answer(report, expected)


# sh:datatype (4.1.2): a literal matches when its datatype is the given IRI and, for the datatypes
# SPARQL 1.1 supports, it is not ill-typed; no datatype stands for another (xsd:int is not
# xsd:integer). Every literal below is well-typed, so each must be accepted as it is, reported as
# it is written when the datatype differs, and never make validation fail with an error.

WELL_TYPED: dict[str, tuple[object, ...]] = {
    "int": ('"1"^^xsd:int', "xsd:int"),
    "long": ('"1"^^xsd:long', "xsd:long"),
    "byte": ('"1"^^xsd:byte', "xsd:byte"),
    "nonNegativeInteger": ('"1"^^xsd:nonNegativeInteger', "xsd:nonNegativeInteger"),
    "decimal": ('"1.0"^^xsd:decimal', "xsd:decimal"),
    "double": ('"1.5E2"^^xsd:double', "xsd:double"),
    "dateTime": ('"2025-01-01T00:00:00+00:00"^^xsd:dateTime', "xsd:dateTime"),
    "dateTimeStamp": ('"2025-01-01T00:00:00Z"^^xsd:dateTimeStamp', "xsd:dateTimeStamp"),
    "boolean": ('"1"^^xsd:boolean', "xsd:boolean"),
}
#: The literals above that pySHACL reports rewritten ("150.0"^^xsd:double, "true"^^xsd:boolean).
PYSHACL_REWRITES = frozenset({"double", "boolean"})


@pytest.mark.parametrize(("engine", "literal", "datatype"), on_engines(WELL_TYPED))
def test_datatype_accepts_a_well_typed_literal_as_written(
    tmp_path: Path, engine: str, literal: str, datatype: str
) -> None:
    shapes = (
        f"ex:S sh:targetSubjectsOf ex:v ; sh:property [ sh:path ex:v ; sh:datatype {datatype} ] ."
    )
    assert_answer(validate(tmp_path, shapes, f"ex:a ex:v {literal} .", engine), set())


@pytest.mark.parametrize(
    ("engine", "literal", "datatype"), on_engines(WELL_TYPED, pyshacl_departs=PYSHACL_REWRITES)
)
def test_datatype_reports_another_datatype_as_written(
    tmp_path: Path, engine: str, literal: str, datatype: str
) -> None:
    shapes = (
        "ex:S sh:targetSubjectsOf ex:v ; sh:property [ sh:path ex:v ; sh:datatype xsd:string ] ."
    )
    report = validate(tmp_path, shapes, f"ex:a ex:v {literal} .", engine)
    assert_answer(report, {("ex:a", literal, "sh:DatatypeConstraintComponent")})


# Value ranges compare with SPARQL's operators (4.3): the derived integer types are numeric (the
# operator mapping of SPARQL 1.1, 17.3, follows XPath's subtype substitution), and dateTimes
# compare as instants (+00:00 is Z). Each case: the literal, a bound at or below it, one above it.
RANGE_CASES: dict[str, tuple[object, ...]] = {
    "int": ('"1"^^xsd:int', "0", "2"),
    "long": ('"1"^^xsd:long', "0", "2"),
    "byte": ('"1"^^xsd:byte', "0", "2"),
    "nonNegativeInteger": ('"1"^^xsd:nonNegativeInteger', "0", "2"),
    "decimal": ('"1.0"^^xsd:decimal', "1", "1.5"),
    "double": ('"1.5E2"^^xsd:double', "150", "200"),
    "dateTime": (
        '"2025-01-01T00:00:00+00:00"^^xsd:dateTime',
        '"2025-01-01T00:00:00Z"^^xsd:dateTime',
        '"2025-01-01T00:00:01Z"^^xsd:dateTime',
    ),
}


@pytest.mark.parametrize(("engine", "literal", "below", "above"), on_engines(RANGE_CASES))
def test_min_inclusive_accepts_a_derived_or_timezoned_literal_at_or_above_it(
    tmp_path: Path, engine: str, literal: str, below: str, above: str
) -> None:
    shapes = (
        f"ex:S sh:targetSubjectsOf ex:v ; sh:property [ sh:path ex:v ; sh:minInclusive {below} ] ."
    )
    assert_answer(validate(tmp_path, shapes, f"ex:a ex:v {literal} .", engine), set())


@pytest.mark.parametrize(
    ("engine", "literal", "below", "above"),
    on_engines(RANGE_CASES, pyshacl_departs=PYSHACL_REWRITES),
)
def test_min_inclusive_reports_a_literal_below_it_as_written(
    tmp_path: Path, engine: str, literal: str, below: str, above: str
) -> None:
    shapes = (
        f"ex:S sh:targetSubjectsOf ex:v ; sh:property [ sh:path ex:v ; sh:minInclusive {above} ] ."
    )
    report = validate(tmp_path, shapes, f"ex:a ex:v {literal} .", engine)
    assert_answer(report, {("ex:a", literal, "sh:MinInclusiveConstraintComponent")})


# --- Counts: each of sh:minCount and sh:maxCount is a constraint of its own (4.2.1, 4.2.2) -------
# With sh:minCount above sh:maxCount a count can break both: each gives its own result (found by
# the differential test, scripts/shacl_differential.py, seed 4694).


@pytest.mark.parametrize("engine", ENGINES)
def test_a_count_that_breaks_both_bounds_gives_both_results(tmp_path: Path, engine: str) -> None:
    shapes = "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:q ; sh:minCount 2 ; sh:maxCount 0 ."
    report = validate(tmp_path, shapes, "ex:a ex:q 5 .", engine)
    assert_answer(
        report,
        {
            ("ex:a", "", "sh:MinCountConstraintComponent"),
            ("ex:a", "", "sh:MaxCountConstraintComponent"),
        },
    )
