"""Shapes inside shapes, answered by the fast engine itself (SHACL 4.6, 4.7, 4.8.1).

sh:node, sh:not, sh:and, sh:or, sh:xone and qualified value shapes whose nested shapes are more
than one SPARQL expression, sh:property on a property shape, and sh:closed: each case pins the
specification's answer and checks that the fast engine gave it without handing the shapes to
pySHACL; pySHACL, the reference, must give the same answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shacl.test_spec_semantics import ENGINES, Finding, assert_answer, validate

#: A nested node shape with a property shape: never one SPARQL expression.
NAMED = "ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ] .\n"

CASES: dict[str, tuple[str, str, set[Finding]]] = {
    "node": (
        NAMED + "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:friend ; sh:node ex:Named ] .",
        'ex:a a ex:C ; ex:friend ex:b , ex:c .  ex:b ex:name "Bo" .  ex:c ex:name 3 .',
        {("ex:a", "ex:c", "sh:NodeConstraintComponent")},
    ),
    "node on a literal value written as no store keeps it": (
        "ex:Small a sh:NodeShape ; sh:maxInclusive 5 ; sh:property [ sh:path ex:q ; sh:maxCount 0 ] .\n"
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:n ; sh:node ex:Small ] .",
        'ex:a a ex:C ; ex:n "01"^^xsd:integer , "07"^^xsd:integer .',
        {("ex:a", '"07"^^xsd:integer', "sh:NodeConstraintComponent")},
    ),
    "node on blank node values": (
        NAMED + "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:friend ; sh:node ex:Named ] .",
        'ex:a a ex:C ; ex:friend [ ex:name "Bo" ] , [ ex:age 3 ] .',
        {("ex:a", "_:", "sh:NodeConstraintComponent")},
    ),
    "not": (
        NAMED + "ex:S sh:targetClass ex:C ; sh:not ex:Named .",
        'ex:a a ex:C ; ex:name "A" .  ex:b a ex:C .',
        {("ex:a", "ex:a", "sh:NotConstraintComponent")},
    ),
    "and": (
        NAMED + "ex:S sh:targetClass ex:C ; sh:and ( ex:Named [ sh:class ex:D ] ) .",
        'ex:a a ex:C , ex:D ; ex:name "A" .  ex:b a ex:C ; ex:name "B" .',
        {("ex:b", "ex:b", "sh:AndConstraintComponent")},
    ),
    "or": (
        NAMED + "ex:S sh:targetClass ex:C ; sh:or ( ex:Named [ sh:class ex:D ] ) .",
        'ex:a a ex:C ; ex:name "A" .  ex:b a ex:C , ex:D .  ex:c a ex:C .',
        {("ex:c", "ex:c", "sh:OrConstraintComponent")},
    ),
    "xone": (
        NAMED + "ex:S sh:targetClass ex:C ; sh:xone ( ex:Named [ sh:class ex:D ] ) .",
        'ex:a a ex:C ; ex:name "A" .  ex:b a ex:C , ex:D ; ex:name "B" .  ex:c a ex:C .',
        {
            ("ex:b", "ex:b", "sh:XoneConstraintComponent"),
            ("ex:c", "ex:c", "sh:XoneConstraintComponent"),
        },
    ),
    "nested twice": (
        NAMED
        + "ex:Knows a sh:NodeShape ; sh:property [ sh:path ex:friend ; sh:minCount 1 ; sh:node ex:Named ] .\n"
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:member ; sh:node ex:Knows ] .",
        'ex:g a ex:C ; ex:member ex:a , ex:b , ex:c .  ex:a ex:friend ex:n .  ex:n ex:name "N" .'
        "  ex:b ex:friend ex:m .  ex:c ex:name 1 .",
        {
            ("ex:g", "ex:b", "sh:NodeConstraintComponent"),
            ("ex:g", "ex:c", "sh:NodeConstraintComponent"),
        },
    ),
    "qualified, disjoint from its siblings": (
        "ex:S sh:targetClass ex:Hand ;\n"
        "  sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Thumb ] ;\n"
        "    sh:qualifiedValueShapesDisjoint true ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] ;\n"
        "  sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Finger ] ;\n"
        "    sh:qualifiedValueShapesDisjoint true ; sh:qualifiedMinCount 4 ; sh:qualifiedMaxCount 4 ] .",
        "ex:good a ex:Hand ; ex:digit ex:t , ex:f1 , ex:f2 , ex:f3 , ex:f4 .\n"
        "ex:bad a ex:Hand ; ex:digit ex:tf , ex:f1 , ex:f2 , ex:f3 , ex:f4 .\n"
        "ex:t a ex:Thumb .  ex:tf a ex:Thumb , ex:Finger .\n"
        "ex:f1 a ex:Finger .  ex:f2 a ex:Finger .  ex:f3 a ex:Finger .  ex:f4 a ex:Finger .",
        {("ex:bad", "", "sh:QualifiedMinCountConstraintComponent")},
    ),
    "property of a property shape": (
        "ex:S sh:targetClass ex:Person ; sh:property [ sh:path ex:address ;\n"
        "  sh:property [ sh:path ex:city ; sh:minCount 1 ] ] .",
        "ex:p a ex:Person ; ex:address ex:home , ex:work .  ex:home ex:city ex:x .  ex:work ex:street 1 .",
        {("ex:work", "", "sh:MinCountConstraintComponent")},
    ),
    "property of a property of a property shape": (
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:a ; sh:property [ sh:path ex:b ;\n"
        "  sh:property [ sh:path ex:c ; sh:minCount 1 ] ] ] .",
        "ex:x a ex:C ; ex:a ex:y .  ex:y ex:b ex:z , ex:w .  ex:z ex:d 1 .  ex:w ex:c 2 .",
        {("ex:z", "", "sh:MinCountConstraintComponent")},
    ),
    "closed, with ignored properties": (
        "ex:S sh:targetClass ex:C ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;\n"
        "  sh:property [ sh:path ex:name ] .",
        'ex:a a ex:C ; ex:name "A" ; ex:age 3 .  ex:b a ex:C ; ex:name "B" .',
        {("ex:a", '"3"^^xsd:integer', "sh:ClosedConstraintComponent")},
    ),
    "closed, nothing allowed": (
        "ex:S sh:targetNode ex:a ; sh:closed true .",
        'ex:a ex:name "A" .',
        {("ex:a", '"A"', "sh:ClosedConstraintComponent")},
    ),
    "deactivated nested shape": (
        "ex:Off sh:deactivated true ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .\n"
        "ex:S sh:targetClass ex:C ; sh:node ex:Off ; sh:not [ sh:node ex:Off ] .",
        "ex:a a ex:C .",
        {("ex:a", "ex:a", "sh:NotConstraintComponent")},
    ),
}
RDF_PREFIX = "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("shapes", "data", "expected"), CASES.values(), ids=list(CASES))
def test_nested_shapes(
    tmp_path: Path, engine: str, shapes: str, data: str, expected: set[Finding]
) -> None:
    report = validate(tmp_path, RDF_PREFIX + shapes, data, engine)
    assert_answer(report, expected)
    if engine == "fast":
        assert report.engine_note == ""


def test_recursive_shapes_go_to_the_reference_and_say_so(tmp_path: Path) -> None:
    shapes = "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:knows ; sh:node ex:S ] ."
    report = validate(tmp_path, shapes, "ex:a a ex:C ; ex:knows ex:b .", "fast")
    assert "recursive" in report.engine_note
