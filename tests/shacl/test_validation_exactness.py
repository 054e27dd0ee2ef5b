"""Validation (``kg.validate``, `kg validate`) of other people's shapes: each case the fast engine once answered wrongly and
silently (issue 10), now answered exactly or handed to pySHACL with a note, on both engines."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.base.errors import KgError
from kg.shacl.shapes import (
    COMPILED_TERMS,
    DESCRIPTIVE_TERMS,
    REPORT_TERMS,
    ShapesGraph,
    UnsupportedShapes,
    read_shapes,
)
from kg.shacl.validation import ValidationOutcome, validate
from tests.conftest import run_kg

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""
ENGINES = ["fast", "pyshacl"]


def check(
    tmp_path: Path, data: str, shapes: str, engine: str, **options: object
) -> ValidationOutcome:
    (tmp_path / "data.ttl").write_text(PREFIXES + data, encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shapes, encoding="utf-8")
    return validate(
        data=[tmp_path / "data.ttl"],
        shapes=[tmp_path / "shapes.ttl"],
        ontology=[],
        engine=engine,
        **options,
    )  # type: ignore[arg-type]


def results(outcome: ValidationOutcome) -> list[tuple[str, str, str, str]]:
    return sorted((v.focus_node, v.value, v.constraint, v.severity) for v in outcome.violations)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_implicit_class_target_is_validated(tmp_path: Path, engine: str) -> None:
    outcome = check(
        tmp_path,
        'ex:i a ex:Person ; ex:name "A" .',
        "ex:Person a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minLength 2 ] .",
        engine,
    )
    assert not outcome.conforms
    assert results(outcome) == [("ex:i", '"A"', "sh:MinLengthConstraintComponent", "Violation")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_property_shape_with_its_own_target_and_a_sequence_path_is_validated(
    tmp_path: Path, engine: str
) -> None:
    outcome = check(
        tmp_path,
        "ex:a ex:knows ex:b . ex:b ex:age 300 .",
        "ex:S sh:targetNode ex:a ; sh:path ( ex:knows ex:age ) ; sh:maxInclusive 150 .",
        engine,
    )
    assert results(outcome) == [
        ("ex:a", '"300"^^xsd:integer', "sh:MaxInclusiveConstraintComponent", "Violation")
    ]
    assert outcome.violations[0].path == "(ex:knows/ex:age)"


@pytest.mark.parametrize("engine", ENGINES)
def test_deactivated_shapes_are_skipped(tmp_path: Path, engine: str) -> None:
    outcome = check(
        tmp_path,
        "ex:a ex:p 1 .",
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:deactivated true ; sh:property [ sh:path ex:p ; sh:minCount 2 ] .\n"
        "ex:T a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:deactivated true ] .",
        engine,
    )
    assert outcome.conforms and outcome.violations == []


@pytest.mark.parametrize("engine", ENGINES)
def test_warnings_keep_their_severity_and_allow_warnings_lets_them_conform(
    tmp_path: Path, engine: str
) -> None:
    data = "ex:a ex:p 1 ."
    shapes = (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:severity sh:Warning ] ;"
        " sh:property [ sh:path ex:p ; sh:datatype xsd:string ; sh:severity sh:Info ] ."
    )
    strict = check(tmp_path, data, shapes, engine)
    assert not strict.conforms
    assert sorted(v.severity for v in strict.violations) == ["Info", "Warning"]
    assert (
        "resultSeverity sh:Warning" in strict.report_turtle().replace("\n", " ").replace("  ", " ")
        or "sh:Warning" in strict.report_turtle()
    )
    lenient = check(tmp_path, data, shapes, engine, allow_warnings=True)
    assert lenient.conforms and len(lenient.violations) == 2


SEVERITIES = (
    "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:severity sh:Warning ] ;"
    " sh:property [ sh:path ex:p ; sh:datatype xsd:string ; sh:severity sh:Info ] ."
)


def test_the_exit_code_and_github_levels_follow_severity(tmp_path: Path) -> None:
    (tmp_path / "data.ttl").write_text(PREFIXES + "ex:a ex:p 1 .", encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(PREFIXES + SEVERITIES, encoding="utf-8")
    paths = {"data": tmp_path / "data.ttl", "shapes": tmp_path / "shapes.ttl", "ontology": False}
    strict = kg.validate(**paths)  # type: ignore[arg-type]
    assert strict.exit_code == 1
    assert kg.validate(**paths, allow_warnings=True).exit_code == 0  # type: ignore[arg-type]
    github = strict.github().splitlines()
    assert sorted(line.split(" ", 1)[0] for line in github) == ["::notice", "::warning"]


def test_the_cli_exit_code_follows_severity_and_allow_warnings(tmp_path: Path) -> None:
    (tmp_path / "data.ttl").write_text(PREFIXES + "ex:a ex:p 1 .", encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(PREFIXES + SEVERITIES, encoding="utf-8")
    args = [
        "validate",
        "--no-ontology",
        "--data",
        str(tmp_path / "data.ttl"),
        "--shapes",
        str(tmp_path / "shapes.ttl"),
    ]
    assert run_kg(*args).exit_code == 1
    assert run_kg(*args, "--allow-warnings").exit_code == 0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("value", "datatype"),
    [
        ('"5"^^xsd:byte', "xsd:integer"),
        ('"abc"^^xsd:int', "xsd:int"),
        ('"c"^^xsd:byte', "xsd:byte"),
    ],
)
def test_a_literal_is_checked_as_written_against_sh_datatype(
    tmp_path: Path, engine: str, value: str, datatype: str
) -> None:
    outcome = check(
        tmp_path,
        f"ex:a ex:p {value} .",
        f"ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:datatype {datatype} .",
        engine,
    )
    assert not outcome.conforms
    assert [v.value for v in outcome.violations] == [value]


@pytest.mark.parametrize("engine", ENGINES)
def test_one_point_zero_and_one_point_zero_zero_are_two_values(tmp_path: Path, engine: str) -> None:
    outcome = check(
        tmp_path,
        "ex:a ex:p 1.0, 1.00 .",
        'ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:minCount 2 ; sh:pattern "\\\\.0$" .',
        engine,
    )
    assert not outcome.conforms
    assert results(outcome) == [
        ("ex:a", '"1.00"^^xsd:decimal', "sh:PatternConstraintComponent", "Violation")
    ]


def test_the_fast_engine_answers_literals_the_store_would_rewrite_itself(tmp_path: Path) -> None:
    """1.00 used to send the whole validation to pySHACL (Oxigraph's store keeps it as 1.0); the
    fast engine now keeps it as written and answers, with no note."""
    outcome = check(
        tmp_path,
        "ex:a ex:p 1.00, 1.0 .",
        "ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:maxCount 1 .",
        "fast",
    )
    assert outcome.engine == "fast" and not outcome.engine_note
    assert results(outcome) == [("ex:a", "", "sh:MaxCountConstraintComponent", "Violation")]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_value_of_has_value_is_required(tmp_path: Path, engine: str) -> None:
    outcome = check(
        tmp_path,
        "ex:a ex:p ex:x .",
        "ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:hasValue ex:x, ex:y .",
        engine,
    )
    assert results(outcome) == [("ex:a", "", "sh:HasValueConstraintComponent", "Violation")]
    assert "ex:y" in outcome.violations[0].message


@pytest.mark.parametrize("engine", ENGINES)
def test_unique_lang_reports_each_duplicated_language(tmp_path: Path, engine: str) -> None:
    outcome = check(
        tmp_path,
        'ex:a ex:p "a"@en, "b"@en, "c"@de, "d"@de, "e"@fr .',
        "ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:uniqueLang true .",
        engine,
    )
    assert [v.constraint for v in outcome.violations] == ["sh:UniqueLangConstraintComponent"] * 2


@pytest.mark.parametrize("engine", ENGINES)
def test_this_is_prebound_inside_filter_not_exists(tmp_path: Path, engine: str) -> None:
    outcome = check(
        tmp_path,
        "ex:a ex:q 1 . ex:b ex:p 1 .",
        (
            'ex:S a sh:NodeShape ; sh:targetNode ex:a, ex:b ; sh:sparql [ sh:message "no ex:p" ; '
            'sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/p> ?o } }" ] .'
        ),
        engine,
    )
    assert [v.focus_node for v in outcome.violations] == ["ex:a"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_sparql_constraint_on_a_property_shape_is_run(tmp_path: Path, engine: str) -> None:
    outcome = check(
        tmp_path,
        'ex:a ex:p "x" .',
        (
            "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:sparql [ "
            'sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER (?value = \\"x\\") }" ] ] .'
        ),
        engine,
    )
    assert [(v.focus_node, v.value) for v in outcome.violations] == [("ex:a", '"x"')]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "query",
    [
        "SELECT $this WHERE { $this ?p ?o . MINUS { $this ?p 1 } }",
        "SELECT $this WHERE { $this ?p ?o . VALUES ?o { 1 } }",
        "SELECT $this WHERE { $this ?p ?o . { SELECT * WHERE { ?s ?p ?o } } }",
    ],
)
def test_sparql_that_shacl_forbids_is_refused_with_one_line(
    tmp_path: Path, engine: str, query: str
) -> None:
    with pytest.raises(KgError) as refused:
        check(
            tmp_path,
            "ex:a ex:p 1 .",
            f'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "{query}" ] .',
            engine,
        )
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_shapes_graph_without_shapes_is_an_error(tmp_path: Path, engine: str) -> None:
    with pytest.raises(KgError, match="no SHACL shapes"):
        check(tmp_path, "ex:a ex:p 1 .", "ex:a ex:p 1 .", engine)
    (tmp_path / "mine.ttl").write_text(PREFIXES + "ex:a ex:p 1 .", encoding="utf-8")
    run = run_kg(
        "validate", "--data", str(tmp_path / "mine.ttl"), "--shapes", str(tmp_path / "mine.ttl")
    )
    assert run.exit_code == 2 and "no SHACL shapes" in run.stderr


@pytest.mark.parametrize("engine", ENGINES)
def test_a_shape_without_a_message_gets_one_naming_the_value_and_the_table_shows_it(
    tmp_path: Path, engine: str
) -> None:
    outcome = check(
        tmp_path,
        'ex:a ex:founded "1999" .',
        "ex:S sh:targetNode ex:a ; sh:path ex:founded ; sh:datatype xsd:gYear .",
        engine,
    )
    (violation,) = outcome.violations
    assert violation.message and "xsd:gYear" in violation.message
    assert violation.value == '"1999"'
    report = kg.validate(tmp_path / "data.ttl", tmp_path / "shapes.ttl", False, engine=engine)
    assert '"1999"' in report.text()


def test_ill_typed_literals_give_no_traceback_on_either_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "d.ttl").write_text(
        PREFIXES + 'ex:a ex:founded "soon"^^xsd:date .', encoding="utf-8"
    )
    (tmp_path / "s.ttl").write_text(
        PREFIXES + "ex:S sh:targetNode ex:a ; sh:path ex:founded ; sh:datatype xsd:date .",
        encoding="utf-8",
    )
    for engine in ENGINES:
        report = kg.validate(tmp_path / "d.ttl", tmp_path / "s.ttl", False, engine=engine)
        assert report.exit_code == 1
        said = capsys.readouterr().err + caplog.text
        assert "Traceback" not in said and "Failed to convert" not in said


def _shacl_vocabulary() -> list[str]:
    """Every term the SHACL namespace document defines (the copy pySHACL ships)."""
    import pyshacl

    document = Path(pyshacl.__file__).parent / "assets" / "shacl.ttl"
    quads = ox.parse(document.read_bytes(), format=ox.RdfFormat.TURTLE)
    sh = "http://www.w3.org/ns/shacl#"
    return sorted(
        {
            q.subject.value
            for q in quads
            if isinstance(q.subject, ox.NamedNode)
            and q.subject.value.startswith(sh)
            and q.subject.value != sh
        }
    )


def test_every_term_of_the_shacl_vocabulary_is_compiled_or_sends_the_shapes_to_pyshacl() -> None:
    vocabulary = _shacl_vocabulary()
    assert len(vocabulary) > 100
    for term in vocabulary:
        if term in COMPILED_TERMS or term in DESCRIPTIVE_TERMS or term in REPORT_TERMS:
            continue
        for used in (f"<{term}> <http://example.org/o>", f"<http://example.org/p> <{term}>"):
            shapes = ox.parse(
                PREFIXES.encode() + f"ex:S a sh:NodeShape ; sh:targetNode ex:a ; {used} .".encode(),
                format=ox.RdfFormat.TURTLE,
            )
            with pytest.raises(UnsupportedShapes):
                read_shapes(ShapesGraph(shapes))


def test_github_titles_and_junit_messages_never_show_blank_node_ids(tmp_path: Path) -> None:
    (tmp_path / "d.ttl").write_text(PREFIXES + "ex:a ex:p 1 .", encoding="utf-8")
    (tmp_path / "s.ttl").write_text(
        PREFIXES + "ex:S a sh:NodeShape ; sh:targetNode ex:a ; "
        "sh:property [ sh:path ex:p ; sh:datatype xsd:string ] .",
        encoding="utf-8",
    )
    report = kg.validate(tmp_path / "d.ttl", tmp_path / "s.ttl", False)
    github = report.github()
    assert (
        "title=DatatypeConstraintComponent (the shape of ex%3Ap)" in github and "_%3A" not in github
    )
    junit = report.junit()
    assert 'message=""' not in junit and "xsd:string" in junit


@pytest.mark.parametrize("engine", ENGINES)
def test_results_under_sh_detail_are_not_results_of_the_report(tmp_path: Path, engine: str) -> None:
    """pySHACL explains a sh:node result with the nested shape's own result under sh:detail;
    only the sh:result values of the report are its results (found by the differential test)."""
    outcome = check(
        tmp_path,
        "ex:a ex:r 5 .",
        "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:r ; sh:node ex:N .\n"
        "ex:N a sh:NodeShape ; sh:maxExclusive 1 .",
        engine,
    )
    assert results(outcome) == [
        ('"5"^^xsd:integer', '"5"^^xsd:integer', "sh:NodeConstraintComponent", "Violation")
    ]
