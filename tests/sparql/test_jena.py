"""Apache Jena agrees with `kg`: every saved query gives the same rows on Jena ARQ over `kg export`
as on `kg query` (parameterized ones with their defaults bound), and Jena's SHACL engine gives the
same verdict and the same focus nodes as `kg validate`, on the bundled graph and on every broken
fixture. Each Jena tool is a fresh JVM, so they run up front, two at a time, once per module."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

import kg
from kg.base.bundle import bundled
from kg.rdf.graph import load_bundled_graph
from kg.shacl.validation import validate
from kg.sparql.catalog import Catalog, SavedQuery
from kg.sparql.parameters import bind_parameters
from kg.sparql.query import bound_query_text, run_query
from kg.sparql.text import query_form
from tests.answers import comparable_answer
from tests.jena import jena_classpath, jena_missing, run_jena
from tests.shacl.test_shapes_catch_broken_data import BLANK_NODE, FIXTURES

#: Apache Jena's ARQ and SHACL in a JVM
pytestmark = [pytest.mark.slow, pytest.mark.external]

SAVED = [
    q
    for q in [*Catalog.bundled(), *Catalog(bundled().queries_dir / "entity")]
    if "network" not in q.tags
]
SAVED_IDS = [str(q.path.relative_to(bundled().queries_dir)) for q in SAVED]
CASES = [None, *FIXTURES]
CASE_IDS = ["bundled", *(p.stem for p in FIXTURES)]


def in_parallel(jobs: dict[str, Callable[[], object]]) -> dict[str, object]:
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {key: pool.submit(job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.fixture(scope="module")
def classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    reason = jena_missing()
    if reason:
        pytest.skip(reason)
    return jena_classpath(tmp_path_factory.mktemp("jena"))


@pytest.fixture(scope="module")
def jena_answers(classpath: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("arq")
    graph = folder / "supernode.nt"
    kg.export(format="ntriples", out=graph)

    def job(saved: SavedQuery, index: int) -> Callable[[], object]:
        def run() -> object:
            query = folder / f"{index}.rq"  # defaults bound as RDF terms, as `kg query` binds them
            query.write_text(
                bound_query_text(saved.text, bind_parameters(saved, {})), encoding="utf-8"
            )
            graph_form = query_form(saved.text) in ("CONSTRUCT", "DESCRIBE")
            out = run_jena(
                classpath,
                "arq.sparql",
                "--data",
                str(graph),
                "--query",
                str(query),
                "--results",
                "ntriples" if graph_form else "json",
            ).stdout
            if graph_form:
                return comparable_answer(
                    [q.triple for q in ox.parse(out, format=ox.RdfFormat.N_TRIPLES)], saved.text
                )
            return comparable_answer(
                ox.parse_query_results(out, format=ox.QueryResultsFormat.JSON), saved.text
            )

        return run

    return in_parallel(
        {
            saved_id: job(saved, i)
            for i, (saved_id, saved) in enumerate(zip(SAVED_IDS, SAVED, strict=True))
        }
    )


@pytest.mark.parametrize("saved", SAVED, ids=SAVED_IDS)
def test_saved_query_gives_the_same_rows_on_jena_arq_as_on_kg(
    saved: SavedQuery, jena_answers: dict[str, object]
) -> None:
    text = bound_query_text(saved.text, bind_parameters(saved, {}))
    ours = comparable_answer(run_query(load_bundled_graph(), text), saved.text)
    assert jena_answers[str(saved.path.relative_to(bundled().queries_dir))] == ours


def focus_nodes_in_report(report: rdflib.Graph) -> tuple[bool, set[str]]:
    (conforms,) = report.objects(None, SH.conforms)
    focus = {
        BLANK_NODE if isinstance(node, rdflib.BNode) else str(node)
        for node in report.objects(None, SH.focusNode)
    }
    return bool(conforms.toPython()), focus


@pytest.fixture(scope="module")
def jena_shacl_verdicts(
    classpath: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("shacl")
    # Jena's shacl validate takes one shapes file: the bundled shapes files, merged losslessly
    shapes = [str(folder / "shapes.ttl")]
    kg.export(bundled().shapes_files(), "turtle", ontology=False, out=shapes[0])

    def job(case: Path | None, case_id: str) -> Callable[[], object]:
        def run() -> object:
            # the export keeps every literal as written, which sh:datatype and sh:pattern need
            data = folder / f"{case_id}.nt"
            kg.export([*bundled().data_files(), *([case] if case else [])], "ntriples", out=data)
            out = run_jena(
                classpath, "shacl.shacl", "validate", "--shapes", shapes[0], "--data", str(data)
            ).stdout
            return focus_nodes_in_report(rdflib.Graph().parse(data=out, format="turtle"))

        return run

    return in_parallel(
        {case_id: job(case, case_id) for case, case_id in zip(CASES, CASE_IDS, strict=True)}
    )


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_jena_shacl_gives_the_verdict_and_focus_nodes_of_kg_validate(
    case: Path | None, jena_shacl_verdicts: dict[str, object]
) -> None:
    outcome = validate(data=[bundled().data_dir, *([case] if case else [])])
    ours = (outcome.conforms, {v.focus_iri or BLANK_NODE for v in outcome.violations})
    assert jena_shacl_verdicts["bundled" if case is None else case.stem] == ours
