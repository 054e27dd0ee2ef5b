"""The fast SHACL engine against the reference on random shapes and data (tests/shacl/differential.py).

The differential test runs in chunks of seeds, so that pytest-xdist spreads them over the cores.
``KG_DIFFERENTIAL_CASES`` sets the number of cases (``KG_DIFFERENTIAL_SEED`` the first seed);
``python scripts/shacl_differential.py`` runs many more and writes the disagreeing cases to files.
A failure shows, for each disagreeing case, its seed, the shapes and data, both engines' answers
and the expected one; ``generate(seed)`` in tests/shacl/differential.py remakes the case.

The other tests here check the generator and the spec-level judge on hand-written cases, each
pinned to the specification's answer (https://www.w3.org/TR/shacl/).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from tests.shacl.differential import (
    Answer,
    Case,
    Constraint,
    Disagreement,
    Engines,
    Key,
    Path,
    ShapeDef,
    check_many,
    decide,
    generate,
    judge,
    make_case,
    sibling_shapes,
)

CASES = int(os.environ.get("KG_DIFFERENTIAL_CASES", "") or 1000)
FIRST_SEED = int(os.environ.get("KG_DIFFERENTIAL_SEED", "") or 0)
CHUNKS = 10
#: Disagreements a failure shows in full (the others by seed).
SHOWN = 3


def chunk(index: int) -> range:
    """The seeds of chunk ``index`` (of :data:`CHUNKS`)."""
    size = -(-CASES // CHUNKS)
    start = FIRST_SEED + index * size
    return range(start, min(start + size, FIRST_SEED + CASES))


@pytest.fixture(scope="module")
def engines() -> Iterator[Engines]:
    with Engines() as both:
        yield both


@pytest.mark.slow
@pytest.mark.external  # runs pySHACL, the reference
@pytest.mark.parametrize("index", range(CHUNKS), ids=lambda i: f"chunk{i}")
def test_the_fast_engine_agrees_with_the_specification_on_what_it_answers_itself(
    index: int, engines: Engines
) -> None:
    seeds = chunk(index)
    cases = [generate(seed) for seed in seeds]
    verdicts = list(check_many(cases, engines))
    # Cases the fast engine hands to pySHACL (sh:node, sh:not, ...) inherit pySHACL's own
    # departures from the specification; scripts/shacl_differential.py counts them apart. The
    # fast engine must agree with the specification on every case it answers itself.
    disagreements = [
        Disagreement(case, verdict)
        for case, verdict in zip(cases, verdicts, strict=True)
        if verdict.status == "disagree" and not verdict.delegated
    ]
    shown = "\n\n".join(str(d) for d in disagreements[:SHOWN])
    more = ", ".join(str(d.case.seed) for d in disagreements[SHOWN:])
    if disagreements:
        pytest.fail(
            f"{len(disagreements)} of {len(seeds)} cases (seeds {seeds.start}..{seeds.stop - 1}) "
            f"disagree{f' (also seeds {more})' if more else ''}:\n\n{shown}",
            pytrace=False,
        )


# --- the generator ------------------------------------------------------------------------------


def test_the_same_seed_makes_the_same_case() -> None:
    first, again = generate(12345), generate(12345)
    assert (first.shapes, first.data) == (again.shapes, again.data)
    assert generate(12346).shapes != first.shapes


def test_cases_are_rdf_and_use_every_feature() -> None:
    seen: set[str] = set()
    for seed in range(400):
        case = generate(seed)
        ox.parse(case.shapes.encode(), format=ox.RdfFormat.TURTLE)
        data_format = ox.RdfFormat.TRIG if case.data_format == "trig" else ox.RdfFormat.TURTLE
        ox.parse(case.data.encode(), format=data_format)
        seen |= {word for word in case.shapes.split() if word.startswith("sh:")}
        seen |= {case.data_format, *(["invalid"] if case.invalid else [])}
    wanted = {
        *("sh:targetNode", "sh:targetClass", "sh:targetSubjectsOf", "sh:targetObjectsOf"),
        *("sh:inversePath", "sh:alternativePath", "sh:zeroOrMorePath", "sh:oneOrMorePath"),
        *("sh:zeroOrOnePath", "sh:class", "sh:datatype", "sh:nodeKind", "sh:minCount"),
        *("sh:maxCount", "sh:minInclusive", "sh:maxInclusive", "sh:minExclusive"),
        *("sh:maxExclusive", "sh:minLength", "sh:maxLength", "sh:pattern", "sh:flags"),
        *("sh:languageIn", "sh:uniqueLang", "sh:equals", "sh:disjoint", "sh:lessThan"),
        *("sh:lessThanOrEquals", "sh:in", "sh:hasValue", "sh:node", "sh:and", "sh:or"),
        *("sh:not", "sh:xone", "sh:qualifiedValueShape", "sh:qualifiedMinCount"),
        *("sh:qualifiedMaxCount", "sh:closed", "sh:ignoredProperties", "sh:severity"),
        *("sh:Warning", "sh:Info", "trig", "ttl", "invalid"),
        *("sh:qualifiedValueShapesDisjoint", "sh:deactivated", "sh:property"),
    }
    assert wanted <= seen, sorted(wanted - seen)


def test_cases_nest_property_shapes_and_have_sibling_qualified_shapes() -> None:
    nested = siblings = 0
    for seed in range(400):
        model = generate(seed).model
        nested += any(s.path is not None and s.properties for s in model.values())
        siblings += any(
            sibling_shapes(model, iri, c) for iri, s in model.items() for c in s.constraints
        )
    assert nested >= 20 and siblings >= 20, (nested, siblings)


# --- the judge: the specification's answers -----------------------------------------------------


def one_shape(constraint: Constraint, data: str, path: Path | None = None) -> Case:
    """``ex:S``, targeting ``ex:a``, with one constraint (on ``path``, ``ex:p`` by default)."""
    shape = ShapeDef(
        "ex:S",
        path=path or Path("pred", "ex:p"),
        targets=[("targetNode", "ex:a")],
        constraints=[constraint],
    )
    return make_case([shape], data)


def found(case: Case) -> set[tuple[str, str]]:
    """The judge's certain results as (value, component)."""
    return {(key[2], key[3]) for key in judge(case).certain}


@pytest.mark.parametrize(
    ("parameter", "shared"),
    [("lessThan", "ex:o"), ("lessThanOrEquals", "ex:o"), ("lessThanOrEquals", "_:b")],
)
def test_judge_cannot_compare_iris_or_blank_nodes(parameter: str, shared: str) -> None:
    # 4.5.3/4.5.4: a pair SPARQL's < or <= cannot compare is a result; they are not defined on
    # IRIs or blank nodes
    case = one_shape(Constraint(parameter, "ex:q"), f"ex:a ex:p {shared} ; ex:q {shared} .")
    component = f"sh:{parameter[0].upper()}{parameter[1:]}ConstraintComponent"
    assert found(case) == {("_:" if shared == "_:b" else shared, component)}


@pytest.mark.parametrize(
    ("constraint", "component"),
    [
        (Constraint("minLength", "0"), "sh:MinLengthConstraintComponent"),
        (Constraint("maxLength", "9"), "sh:MaxLengthConstraintComponent"),
        (Constraint("pattern", '".*"'), "sh:PatternConstraintComponent"),
    ],
    ids=["minLength", "maxLength", "pattern"],
)
def test_judge_reports_a_blank_node_for_lengths_and_patterns(
    constraint: Constraint, component: str
) -> None:
    # 4.4.1-4.4.3: "... or where v is a blank node, there is a validation result"
    case = one_shape(constraint, 'ex:a ex:p _:b, "x" .')
    assert found(case) == {("_:", component)}


def test_judge_compares_terms_as_written() -> None:
    # 4.8.3 sh:in: "matching of literals needs to be exact"; RDF terms, not values
    data = 'ex:a ex:p "01"^^xsd:integer, 1 ; ex:q "2.0"^^xsd:decimal .'
    in_case = one_shape(Constraint("in", values=("1",)), data)
    assert found(in_case) == {('"01"^^xsd:integer', "sh:InConstraintComponent")}
    has_value = one_shape(Constraint("hasValue", '"2"^^xsd:decimal'), data, Path("pred", "ex:q"))
    assert found(has_value) == {("", "sh:HasValueConstraintComponent")}
    equals = one_shape(Constraint("equals", "ex:q"), data)
    assert found(equals) == {
        ('"01"^^xsd:integer', "sh:EqualsConstraintComponent"),
        ('"1"^^xsd:integer', "sh:EqualsConstraintComponent"),
        ('"2.0"^^xsd:decimal', "sh:EqualsConstraintComponent"),
    }


@pytest.mark.parametrize(
    ("value", "bound", "reported"),
    [
        ('"NaN"^^xsd:double', "0", True),  # NaN is unordered
        ("true", "0", True),  # a boolean is not a number
        ('"abc"^^xsd:integer', "0", True),  # ill-typed
        ('"x"@en', '"a"', True),  # a language string is not a string
        ('"5"^^xsd:byte', "0", False),  # derived integer types are numbers
        ("12345678901234567890", '"1.0E0"^^xsd:double', False),  # promoted to double
    ],
)
def test_judge_follows_sparql_operators(value: str, bound: str, reported: bool) -> None:
    case = one_shape(Constraint("minInclusive", bound), f"ex:a ex:p {value} .")
    assert bool(found(case)) == reported


def test_judge_leaves_a_comparison_with_the_implicit_time_zone_open() -> None:
    # XPath's comparison of a date-time without a time zone uses the implicit time zone, which
    # the implementation chooses: 10:00 may be before or after 10:00Z
    case = one_shape(
        Constraint("maxExclusive", '"2025-01-01T10:00:00Z"^^xsd:dateTime'),
        'ex:a ex:p "2025-01-01T10:00:00"^^xsd:dateTime, "2025-01-03T10:00:00"^^xsd:dateTime .',
    )
    spec = judge(case)
    assert {k[2] for k in spec.certain} == {'"2025-01-03T10:00:00"^^xsd:dateTime'}
    assert {k[2] for k in spec.uncertain} == {'"2025-01-01T10:00:00"^^xsd:dateTime'}


def test_judge_follows_an_inverse_sequence_path() -> None:
    # ^(ex:p/ex:q) from ex:g: the nodes n with n ex:p/ex:q ex:g
    sequence = Path("sequence", members=(Path("pred", "ex:p"), Path("pred", "ex:q")))
    shape = ShapeDef(
        "ex:S",
        path=Path("inverse", members=(sequence,)),
        targets=[("targetNode", "ex:g")],
        constraints=[Constraint("nodeKind", "sh:Literal")],
    )
    case = make_case([shape], "ex:e ex:p ex:f . ex:f ex:q ex:g .")
    assert found(case) == {("ex:e", "sh:NodeKindConstraintComponent")}


def test_judge_checks_nested_shapes() -> None:
    nested = ShapeDef("ex:N", constraints=[Constraint("datatype", "xsd:integer")])
    shape = ShapeDef(
        "ex:S",
        path=Path("pred", "ex:p"),
        targets=[("targetNode", "ex:a")],
        constraints=[Constraint("or", values=("ex:N", "ex:N")), Constraint("not", "ex:N")],
    )
    case = make_case([shape, nested], 'ex:a ex:p "abc"^^xsd:integer, 5 .')
    assert found(case) == {
        ('"abc"^^xsd:integer', "sh:OrConstraintComponent"),  # ill-typed: not an xsd:integer
        ('"5"^^xsd:integer', "sh:NotConstraintComponent"),
    }


def test_judge_validates_the_value_nodes_against_a_nested_property_shape() -> None:
    # 4.7.2: each value node of ex:S (a property shape) is validated as a focus node against
    # ex:P, and ex:P's own value nodes against ex:P2; their results are results of the report
    shapes = [
        ShapeDef("ex:S", path=Path("pred", "ex:p"), targets=[("targetNode", "ex:a")]),
        ShapeDef("ex:P", path=Path("pred", "ex:q"), constraints=[Constraint("minCount", "1")]),
        ShapeDef("ex:P2", path=Path("pred", "ex:r"), constraints=[Constraint("class", "ex:C")]),
    ]
    shapes[0].properties, shapes[1].properties = ["ex:P"], ["ex:P2"]
    case = make_case(shapes, "ex:a ex:p ex:b, ex:c . ex:b ex:q ex:d . ex:d ex:r ex:e .")
    assert {(k[0], k[2], k[3], k[4]) for k in judge(case).certain} == {
        ("ex:c", "", "sh:MinCountConstraintComponent", "ex:P"),
        ("ex:d", "ex:e", "sh:ClassConstraintComponent", "ex:P2"),
    }
    expected = results(case)
    assert decide(case, expected, expected).status == "agree"  # not taken for sh:detail


def test_judge_takes_every_node_to_conform_to_a_deactivated_shape() -> None:
    # 2.1.5: all RDF terms conform to a deactivated shape; sh:not of it fails on every value
    nested = ShapeDef("ex:N", constraints=[Constraint("class", "ex:C")], deactivated="true")
    inner = ShapeDef("ex:P", path=Path("pred", "ex:q"), constraints=[Constraint("minCount", "1")])
    inner.deactivated = "true"
    shape = ShapeDef(
        "ex:S",
        path=Path("pred", "ex:p"),
        targets=[("targetNode", "ex:a")],
        constraints=[Constraint("node", "ex:N"), Constraint("not", "ex:N")],
        properties=["ex:P"],
    )
    case = make_case([shape, nested, inner], "ex:a ex:p ex:b .")
    assert found(case) == {("ex:b", "sh:NotConstraintComponent")}


@pytest.mark.parametrize(
    ("disjoint", "reported"), [("true", True), ("false", False), (None, False)]
)
def test_judge_counts_only_values_that_conform_to_no_sibling_shape(
    disjoint: str | None, reported: bool
) -> None:
    # 4.7.3: with sh:qualifiedValueShapesDisjoint true, ex:b conforms to ex:N2, the qualified
    # value shape of a sibling property shape (deactivated: its sh:qualifiedValueShape still
    # makes ex:N2 a sibling shape), so it is not counted
    extra: tuple[tuple[str, str], ...] = (("qualifiedMinCount", "1"),)
    if disjoint is not None:
        extra += (("qualifiedValueShapesDisjoint", disjoint),)
    counted = ShapeDef(
        "ex:P1",
        path=Path("pred", "ex:p"),
        constraints=[Constraint("qualifiedValueShape", "ex:N1", extra=extra)],
    )
    sibling = ShapeDef(
        "ex:P2",
        path=Path("pred", "ex:q"),
        constraints=[
            Constraint("qualifiedValueShape", "ex:N2", extra=(("qualifiedMaxCount", "0"),))
        ],
        deactivated="true",
    )
    shapes = [
        ShapeDef("ex:S", targets=[("targetNode", "ex:a")], properties=["ex:P1", "ex:P2"]),
        counted,
        sibling,
        ShapeDef("ex:N1", constraints=[Constraint("class", "ex:C")]),
        ShapeDef("ex:N2", constraints=[Constraint("class", "ex:D")]),
    ]
    case = make_case(shapes, "ex:a ex:p ex:b ; ex:q ex:b . ex:b a ex:C, ex:D .")
    assert found(case) == ({("", "sh:QualifiedMinCountConstraintComponent")} if reported else set())


# --- the verdict --------------------------------------------------------------------------------


def results(case: Case) -> Answer:
    spec = judge(case)
    return Answer(not spec.certain, spec.certain)


def test_an_ill_formed_shape_must_make_the_fast_engine_fail() -> None:
    case = next(c for c in map(generate, range(2000)) if c.invalid)
    refused = Answer(error="shape ex:S: sh:pattern is not a regular expression", exit_code=2)
    assert decide(case, refused, Answer(True)).status == "agree"
    assert decide(case, Answer(True), Answer(True)).kinds == ("invalid-shape-accepted",)


def test_a_reference_refusal_is_not_a_disagreement() -> None:
    case = one_shape(Constraint("lessThan", "ex:q"), "ex:a ex:p _:b ; ex:q 1 .")
    refusal = Answer(error="shapes are not valid SHACL: Cannot use sh:lessThan", exit_code=2)
    assert decide(case, results(case), refusal).status == "refused"


def test_the_judge_decides_where_pyshacl_departs() -> None:
    case = one_shape(Constraint("lessThan", "ex:q"), "ex:a ex:p ex:o ; ex:q ex:o .")
    expected = results(case)
    pyshacl_answer = Answer(True)  # pySHACL orders IRIs as strings: ex:o <= ex:o holds
    verdict = decide(case, expected, pyshacl_answer)
    assert (verdict.status, verdict.corrected) == ("agree", ("sh:LessThanConstraintComponent",))
    assert decide(case, pyshacl_answer, pyshacl_answer).status == "disagree"


def test_pyshacl_decides_elsewhere() -> None:
    case = one_shape(Constraint("datatype", "xsd:string"), 'ex:a ex:p "x" .')
    reported: Key = ("ex:a", "ex:p", '"x"', "sh:DatatypeConstraintComponent", "ex:S", "Violation")
    verdict = decide(case, Answer(True), Answer(False, frozenset({reported})))
    assert verdict.missing == {reported} and verdict.judge_differs == (
        "sh:DatatypeConstraintComponent",
    )
