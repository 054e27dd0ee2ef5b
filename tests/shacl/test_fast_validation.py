"""The fast validation engine (SPARQL on Oxigraph) reports exactly what pySHACL reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.base.bundle import bundled
from kg.shacl.validation import ValidationOutcome, validate
from tests.conftest import FIXTURES_DIR, run_kg

#: both engines on every broken fixture: the pySHACL reference runs
pytestmark = [pytest.mark.slow, pytest.mark.external]

BROKEN = sorted((FIXTURES_DIR / "broken").glob("*.ttl"))


def results(outcome: ValidationOutcome) -> set[tuple[str, str, str, str]]:
    """(focus node, path, constraint component, source shape); blank focus nodes as []."""
    return {
        (
            "[]" if v.focus_node.startswith("_:") else v.focus_node,
            v.path,
            v.constraint,
            v.source_shape,
        )
        for v in outcome.violations
    }


def test_both_engines_agree_on_the_bundled_data() -> None:
    fast, reference = validate(engine="fast"), validate(engine="pyshacl")
    assert (fast.engine, reference.engine) == ("fast", "pyshacl")
    assert fast.conforms and reference.conforms
    assert results(fast) == results(reference) == set()


@pytest.mark.parametrize("fixture", BROKEN, ids=[p.stem for p in BROKEN])
def test_both_engines_report_the_same_violations_on_each_broken_fixture(fixture: Path) -> None:
    data = [bundled().data_dir, fixture]
    fast, reference = validate(data=data, engine="fast"), validate(data=data, engine="pyshacl")
    if (
        fast.engine != "fast"
    ):  # a literal the store would rewrite (claim.ttl writes 3.0): pySHACL answers
        assert "literals not in canonical form" in fast.engine_note
    assert not fast.conforms and not reference.conforms
    assert results(fast) == results(reference)


def test_unsupported_shapes_fall_back_to_pyshacl_and_say_so(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix snk: <https://w3id.org/supernode-kg/ontology#> .\n"
        "<urn:s:Short> a sh:NodeShape ; sh:targetClass snk:Region ; sh:property <urn:s:Type> .\n"
        "<urn:s:Type> sh:path <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ; sh:closed true .\n",
        encoding="utf-8",
    )
    run = run_kg("validate", "--shapes", str(shapes))
    assert run.exit_code == 1
    assert run.stderr.startswith(
        "note: the fast engine does not support property shape <urn:s:Type> has sh:closed"
    )
    assert "snd:china" in run.stdout


def test_engine_option_chooses_pyshacl() -> None:
    broken = FIXTURES_DIR / "rdf" / "mix-not-adding-up.ttl"
    outputs = []
    for engine in ("fast", "pyshacl"):
        run = run_kg(
            "validate", "--engine", engine, "--data", str(bundled().data_dir), "--data", str(broken)
        )
        assert run.exit_code == 1
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]


def test_fast_engine_turtle_report_is_a_standard_shacl_report() -> None:
    import rdflib

    broken = FIXTURES_DIR / "broken" / "claim.ttl"
    run = run_kg(
        "validate", "--data", str(bundled().data_dir), "--data", str(broken), "--format", "turtle"
    )
    assert run.exit_code == 1
    report = rdflib.Graph().parse(data=run.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    (node,) = report.subjects(rdflib.RDF.type, sh.ValidationReport)
    assert report.value(node, sh.conforms) == rdflib.Literal(False)
    results_ = list(report.objects(node, sh.result))
    # claim.expected.tsv's 32 rows, two of them for two cited markers each (3 and 4)
    assert len(results_) == 34
    for result in results_:
        assert report.value(result, sh.focusNode) is not None
        assert report.value(result, sh.sourceConstraintComponent) is not None
        assert report.value(result, sh.resultSeverity) == sh.Violation


def test_forked_query_workers_give_the_results_of_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = [bundled().data_dir, FIXTURES_DIR / "broken" / "partnership.ttl"]
    outcomes = []
    for workers in ("1", "3"):
        monkeypatch.setenv("KG_VALIDATION_WORKERS", workers)
        outcomes.append(validate(data=data, engine="fast"))
    assert outcomes[0].engine == outcomes[1].engine == "fast"
    assert outcomes[0].violations == outcomes[1].violations != []
    assert outcomes[0].report_turtle().count("sh:result ") == outcomes[1].report_turtle().count(
        "sh:result "
    )


def test_default_messages_name_their_own_shape_s_count(tmp_path: Path) -> None:
    """Each default message keeps the count of its own parameter, not of one read after it
    (sh:maxLength 5 after sh:minCount 2, sh:qualifiedMaxCount 7 after sh:qualifiedMinCount 2)."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s:S> a sh:NodeShape ; sh:targetClass <urn:c:C> ;\n"
        "  sh:property [ sh:path <urn:p:name> ; sh:minCount 2 ; sh:maxLength 5 ] ;\n"
        "  sh:property [ sh:path <urn:p:alias> ; sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 7 ;\n"
        "    sh:qualifiedValueShape [ sh:datatype <http://www.w3.org/2001/XMLSchema#string> ] ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text('<urn:x:a> a <urn:c:C> ; <urn:p:name> "ab" ; <urn:p:alias> "q" .\n')
    outcome = validate(data=[data], shapes=[shapes], ontology=[], engine="fast")
    assert outcome.engine == "fast"
    assert sorted(v.message for v in outcome.violations) == [
        "Less than 2 values of <urn:p:alias> of <urn:x:a> conform to the qualified shape",
        "Less than 2 values on <urn:x:a>-><urn:p:name>",
    ]
