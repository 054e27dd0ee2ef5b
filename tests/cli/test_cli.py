"""The `kg` command through its public interface: listing, querying, output formats, errors."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.query import Result

from kg import __version__
from kg.sparql.catalog import Catalog
from tests.conftest import FIXTURES_DIR, run_kg

QUERIES = FIXTURES_DIR / "queries"
RDF = FIXTURES_DIR / "rdf"


def assert_one_line_error(run, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert run.exit_code == 2, (run.exit_code, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_help_lists_commands_with_examples() -> None:
    run = run_kg("--help")
    assert run.exit_code == 0
    for command in ("queries", "query", "validate"):
        assert command in run.stdout
    assert "Examples:" in run.stdout
    for command in ("queries", "query", "validate"):
        assert "Example" in run_kg(command, "--help").stdout


def test_version() -> None:
    run = run_kg("--version")
    assert run.exit_code == 0
    assert __version__ in run.stdout


def test_queries_lists_every_saved_query_with_its_summary() -> None:
    run = run_kg("queries", "--format", "tsv")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == "name\tsummary\tparameters"
    listed = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert set(listed) == set(Catalog.bundled().names())
    assert (
        listed["partners"][1] == "The partners of an organization and what each partnership is for"
    )
    assert listed["partners"][2] == "org?=<IRI>"  # it has a default: not required
    assert listed["claims"][2] == "paragraph?=<xsd:integer>"


def test_query_prints_a_readable_table() -> None:
    run = run_kg("query", "solutions")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split()[:4] == ["solution", "solutionLabel", "provider", "providerLabel"]
    assert any("Panjiu" in line and "Alibaba" in line for line in lines)
    assert lines[-1] == "(5 rows)"


def test_format_option_prints_a_standard_results_format() -> None:
    """Each format's content is tested on the API (tests/test_api.py); here, that the option
    reaches it."""
    run = run_kg("query", "procurement-mix", "--format", "csv")
    assert run.exit_code == 0, run.stderr
    result = Result.parse(io.BytesIO(run.stdout.encode("utf-8")), format="csv")
    assert len(result) == 4
    assert [str(v) for v in result.vars][:3] == ["buyer", "buyerLabel", "ratio"]


def test_ask_query_prints_boolean() -> None:
    run = run_kg("query", "--file", str(QUERIES / "ask-tomahawk.rq"))
    assert (run.exit_code, run.stdout) == (0, "true\n")
    run = run_kg("query", "--file", str(QUERIES / "ask-tomahawk.rq"), "--format", "json")
    assert json.loads(run.stdout)["boolean"] is True


def test_construct_prints_deterministic_turtle_or_the_format_asked_for() -> None:
    query = str(QUERIES / "construct-offers.rq")
    first = run_kg("query", "--file", query)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == run_kg("query", "--file", query).stdout
    assert "@prefix snk:" in first.stdout
    run = run_kg("query", "--file", query, "--format", "jsonld")
    assert run.exit_code == 0, run.stderr
    graph = rdflib.Graph().parse(data=run.stdout, format="json-ld")
    assert (
        len(graph) == 4
    )  # Tencent, NVIDIA, Huawei, Alibaba: ByteDance's is not called a supernode solution
    assert (
        rdflib.URIRef("https://w3id.org/supernode-kg/id/alibaba"),
        rdflib.URIRef("https://w3id.org/supernode-kg/ontology#offers"),
        rdflib.URIRef("https://w3id.org/supernode-kg/id/panjiu"),
    ) in graph


def test_query_runs_on_other_data() -> None:
    run = run_kg(
        "query",
        "--file",
        str(QUERIES / "ask-tomahawk.rq"),
        "--data",
        str(RDF / "undeclared-prefix.ttl"),
    )
    assert_one_line_error(run, "undeclared-prefix.ttl:3:1", "prefix snd: has not been declared")


def test_validate_bundled_data_conforms() -> None:
    run = run_kg("validate")
    assert (run.exit_code, run.stdout.strip()) == (0, "Conforms: the data satisfies every shape.")


def test_validate_reports_violations_and_exits_1(bundle) -> None:  # type: ignore[no-untyped-def]
    broken = RDF / "mix-not-adding-up.ttl"
    run = run_kg("validate", "--data", str(bundle.data_dir), "--data", str(broken))
    assert run.exit_code == 1, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Does not conform: 1 violation."
    assert lines[1].split() == [
        "severity",
        "focus",
        "node",
        "path",
        "value",
        "constraint",
        "message",
    ]
    assert "mix-not-adding-up" in lines[3]
    assert "Violation" in lines[3] and "SPARQL" in lines[3]
    assert "add up to 1.2, not 1" in lines[3]


def test_validate_turtle_is_a_standard_shacl_report(bundle) -> None:  # type: ignore[no-untyped-def]
    broken = RDF / "mix-not-adding-up.ttl"
    run = run_kg(
        "validate", "--data", str(bundle.data_dir), "--data", str(broken), "--format", "turtle"
    )
    assert run.exit_code == 1
    report = rdflib.Graph().parse(data=run.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    (node,) = report.subjects(rdflib.RDF.type, sh.ValidationReport)
    assert report.value(node, sh.conforms) == rdflib.Literal(False)
    assert len(list(report.objects(node, sh.result))) >= 1


# Bad input: one line, exit 2, naming the file, line or name.


def test_unparsable_turtle_names_file_line_and_column() -> None:
    run = run_kg("validate", "--data", str(RDF / "unparsable.ttl"))
    assert_one_line_error(run, "unparsable.ttl:6:1", "dot is expected")


def test_missing_data_path() -> None:
    assert_one_line_error(
        run_kg("validate", "--data", "no/such/dir"), "no/such/dir: no such file or directory"
    )


def test_empty_data_directory(tmp_path: Path) -> None:
    assert_one_line_error(
        run_kg("validate", "--data", str(tmp_path)), str(tmp_path), "no RDF files"
    )


def test_unknown_query_suggests_close_names() -> None:
    assert_one_line_error(
        run_kg("query", "partner"), "no saved query named 'partner'", "did you mean partners"
    )


def test_unknown_parameter_lists_known_ones() -> None:
    assert_one_line_error(
        run_kg("query", "partners", "--param", "organisation=snd:tencent"),
        "no parameter 'organisation'",
        "its parameters: org",
    )


@pytest.mark.parametrize(
    ("query", "param", "expected"),
    [
        ("partners", "org=not an iri", "--param org: expected an absolute IRI"),
        ("claims", "paragraph=ten", "--param paragraph: expected a whole number"),
        ("partners", "org", "--param 'org': expected name=value"),
    ],
)
def test_parameter_of_the_wrong_type(query: str, param: str, expected: str) -> None:
    assert_one_line_error(run_kg("query", query, "--param", param), expected)


def test_sparql_syntax_error_gives_position() -> None:
    assert_one_line_error(
        run_kg("query", "--file", str(QUERIES / "syntax-error.rq")),
        "syntax-error.rq: SPARQL syntax error at ",
        "expected",
    )


def test_update_is_refused() -> None:
    assert_one_line_error(
        run_kg("query", "--file", str(QUERIES / "update.rq")), "this is a SPARQL update"
    )


def test_format_that_does_not_fit_the_query_form() -> None:
    assert_one_line_error(
        run_kg("query", "solutions", "--format", "turtle"),
        "--format turtle is for CONSTRUCT/DESCRIBE",
    )


def test_name_and_file_together_is_a_usage_error() -> None:
    assert_one_line_error(
        run_kg("query", "solutions", "--file", str(QUERIES / "ask-tomahawk.rq")), "not both"
    )


# Parameters are bound as RDF terms: a value cannot change the query (values that try are in
# tests/test_api.py).


def test_bound_query_keeps_its_structure() -> None:
    from kg.sparql.catalog import read_saved_query
    from kg.sparql.parameters import bind_parameters
    from kg.sparql.query import bound_query_text
    from kg.sparql.text import tokens

    saved = read_saved_query(QUERIES / "label-lookup.rq")
    bindings = bind_parameters(saved, {"name": 'x" } ; DROP ALL ; #'})
    bound = bound_query_text(saved.text, bindings)
    original_kinds = [kind for kind, _ in tokens(saved.text)]
    bound_kinds = [kind for kind, _ in tokens(bound)]
    position = next(i for i, (_, text) in enumerate(tokens(saved.text)) if text == "?_name_en")
    assert bound_kinds[:position] == original_kinds[:position]
    assert bound_kinds[position] == "string"  # the value became one string token ...
    assert (
        bound_kinds[position + 1 :] == original_kinds[position + 1 :]
    )  # ... and nothing else moved


def test_iri_parameter_rejects_injection_attempt() -> None:
    assert_one_line_error(
        run_kg("query", "partners", "--param", "org=<http://a> . ?s ?p ?o"),
        "--param org: expected an absolute IRI",
    )


def test_installed_kg_command_runs_a_saved_query() -> None:
    """The console script, as installed by pip, finds the bundled graph and answers."""
    script = shutil.which("kg", path=str(Path(sys.executable).parent)) or shutil.which("kg")
    if script is None:
        pytest.skip("the kg console script is not installed in this environment")
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [script, "query", "solutions"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "ETH-X" in done.stdout and "Tencent" in done.stdout
    done = subprocess.run(
        [script, "query", "nope"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "kg: error: no saved query named 'nope'; `kg queries` lists them"
