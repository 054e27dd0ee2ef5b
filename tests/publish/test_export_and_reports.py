"""Nothing lost: ``kg.publish.export`` round-trips every format; deterministic Turtle; CI-friendly
validation reports (JUnit XML, GitHub annotations); `kg export --out` and `kg validate
--format`; the pre-commit hook."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

import kg
from tests.conftest import FIXTURES_DIR, REPO_ROOT, run_kg

RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "xml": "xml"}
BROKEN = FIXTURES_DIR / "broken" / "procurement-mix.ttl"


@pytest.fixture(scope="module")
def bundled_rdflib_graph(bundle) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    graph = rdflib.Graph()
    for path in bundle.graph_files():
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def broken_report(bundle) -> kg.ValidationReport:  # type: ignore[no-untyped-def]
    """The bundled data with a broken procurement mix added (pySHACL reads its 0.30: slow)."""
    return kg.validate(data=[bundle.data_dir, BROKEN])


@pytest.mark.parametrize("output_format", list(RDFLIB_FORMATS))
def test_export_round_trips_isomorphically(
    output_format: str, bundled_rdflib_graph: rdflib.Graph
) -> None:
    exported = rdflib.Graph().parse(
        data=kg.export(format=output_format), format=RDFLIB_FORMATS[output_format]
    )
    assert len(exported) == len(bundled_rdflib_graph)
    assert any(
        isinstance(s, rdflib.BNode) for s in exported.subjects()
    )  # blank nodes made the trip
    assert isomorphic(exported, bundled_rdflib_graph)


def test_export_out_writes_the_export_and_says_where(tmp_path: Path) -> None:
    target = tmp_path / "graph.jsonld"
    run = run_kg("export", "--format", "jsonld", "--out", str(target))
    assert run.exit_code == 0, run.stderr
    assert run.stderr.strip() == f"wrote {target}" and run.stdout == ""
    assert target.read_bytes() == kg.export(format="jsonld")


def test_export_prints_to_standard_output_without_out() -> None:
    run = run_kg("export", "--format", "ntriples")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.encode("utf-8") == kg.export(format="ntriples")


def test_export_keeps_literals_exactly_as_written(tmp_path: Path) -> None:
    source = tmp_path / "spellings.ttl"
    source.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<urn:x> <urn:share> 0.30 ; <urn:n> "05"^^xsd:int , "5"^^xsd:positiveInteger .\n',
        encoding="utf-8",
    )
    exported = kg.export([source], "ntriples", ontology=False).decode("utf-8")
    assert sorted(exported.splitlines()) == sorted(
        [
            '<urn:x> <urn:share> "0.30"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
            '<urn:x> <urn:n> "05"^^<http://www.w3.org/2001/XMLSchema#int> .',
            '<urn:x> <urn:n> "5"^^<http://www.w3.org/2001/XMLSchema#positiveInteger> .',
        ]
    )


def test_turtle_export_is_the_same_bytes_whatever_the_file_order(bundle) -> None:  # type: ignore[no-untyped-def]
    files = list(bundle.graph_files())
    forward = kg.export(files)
    assert forward == kg.export(list(reversed(files)))
    assert forward == kg.export()


def test_junit_report_has_a_failing_case_per_shape_and_focus_node(
    broken_report: kg.ValidationReport,
) -> None:
    assert broken_report.exit_code == 1
    suite = ET.fromstring(broken_report.junit()).find("testsuite")
    assert suite is not None
    failures = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    expected_rows = (
        (FIXTURES_DIR / "broken" / "procurement-mix.expected.tsv")
        .read_text(encoding="utf-8")
        .splitlines()[1:]
    )
    assert {(c.get("classname"), c.get("name")) for c in failures} == {
        (row.split("\t")[1], row.split("\t")[0]) for row in expected_rows
    }
    assert int(suite.get("failures") or 0) == len(failures)
    assert int(suite.get("tests") or 0) > len(failures)  # clean shapes appear as passing cases


def test_junit_report_of_conforming_data_has_no_failure() -> None:
    report = kg.validate()
    assert report.exit_code == 0
    suite = ET.fromstring(report.junit()).find("testsuite")
    assert suite is not None and suite.get("failures") == "0"


@pytest.mark.parametrize("output_format", ["junit", "github", "text"])
def test_validate_format_prints_that_report_and_exits_0_when_the_data_conforms(
    output_format: str,
) -> None:
    run = run_kg("validate", "--format", output_format)
    assert run.exit_code == 0, run.stderr
    assert run.stdout == getattr(kg.validate(), output_format)()


def test_github_annotations_point_at_the_line_defining_the_focus_node(
    broken_report: kg.ValidationReport,
) -> None:
    assert broken_report.exit_code == 1
    lines = broken_report.github().splitlines()
    assert len(lines) == 12  # with the two components of a ratio against its shares
    source_lines = BROKEN.read_text(encoding="utf-8").splitlines()
    for line in lines:
        assert line.startswith(f"::error file={BROKEN},line=")
        number = int(line.split("line=", 1)[1].split(",", 1)[0])
        focus = line.split("::", 2)[2].split()[0]
        assert source_lines[number - 1].startswith(focus), (line, source_lines[number - 1])


@pytest.mark.slow
@pytest.mark.external
def test_pre_commit_hook_validates_another_repository(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which(
        "pre-commit"
    )
    git = shutil.which("git")
    if pre_commit is None or git is None:
        pytest.skip("pre-commit or git is not installed")
    repo = tmp_path / "their-data"
    (repo / "data").mkdir(parents=True)
    (repo / "shapes").mkdir()
    (repo / "shapes" / "shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s:NamedThing> a sh:NodeShape ; sh:targetClass <urn:c:Thing> ;\n"
        "  sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#label> ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    data = repo / "data" / "things.ttl"
    data.write_text(
        '<urn:t:1> a <urn:c:Thing> ; <http://www.w3.org/2000/01/rdf-schema#label> "one" .\n',
        encoding="utf-8",
    )
    env = {
        "HOME": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    subprocess.run([git, "init", "-q", str(repo)], check=True, env=env)
    subprocess.run([git, "-C", str(repo), "add", "-A"], check=True, env=env)

    # A consumer's config: this repository at its current commit, with the consumer's own paths.
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {REPO_ROOT}\n"
        f"    rev: {_head(REPO_ROOT)}\n"
        "    hooks:\n"
        "      - id: kg-validate\n"
        "        args: [--data, data/, --shapes, shapes/, --no-ontology]\n",
        encoding="utf-8",
    )
    subprocess.run([git, "-C", str(repo), "add", "-A"], check=True, env=env)
    passing = subprocess.run(
        [pre_commit, "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert passing.returncode == 0, passing.stdout + passing.stderr
    data.write_text("<urn:t:1> a <urn:c:Thing> .\n", encoding="utf-8")
    subprocess.run([git, "-C", str(repo), "add", "-A"], check=True, env=env)
    failing = subprocess.run(
        [pre_commit, "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "Does not conform: 1 violation." in failing.stdout
    assert "urn:t:1" in failing.stdout


def _head(repo: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip("this checkout is not a git repository")
    return done.stdout.strip()


def test_junit_names_an_anonymous_shape_the_same_on_every_run(tmp_path: Path) -> None:
    """A property shape written as a blank node gets a new label on every run; the JUnit test
    case must not, or CI history sees a new test each time."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <https://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text("<https://example.org/a> <https://example.org/q> 1 .\n", encoding="utf-8")
    first, second = (
        kg.validate(data=[data], shapes=[shapes], ontology=False).junit() for _ in range(2)
    )
    assert first == second
    case = ET.fromstring(first).find("testsuite/testcase")
    assert case is not None and not case.get("classname", "").startswith("_:")
    assert "ex:p" in case.get("classname", "") or "example.org/p" in case.get("classname", "")
