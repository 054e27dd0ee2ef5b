"""Coherence checks between ontology, data and shapes: SPARQL files that must return no rows.

Each ``queries/checks/*-violation.rq`` file names what it forbids (Gene Ontology style). They
run over the ontology, the data and the shapes together, so they can compare the three.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.base.bundle import bundled
from kg.base.errors import KgError
from kg.rdf.graph import LoadedGraph, load_files
from kg.sparql.catalog import Catalog, SavedQuery
from kg.sparql.query import run_query
from kg.sparql.results import term_text


@dataclass
class CheckOutcome:
    """One check and the rows it found (each row a violation).

    Attributes:
        check: the saved check query.
        variables: the columns of its rows.
        rows: each violation, its terms as prefixed names or literal values.
    """

    check: SavedQuery
    variables: list[str]
    rows: list[list[str]]

    @property
    def passed(self) -> bool:
        return not self.rows


def checks_catalog() -> Catalog:
    """The bundled check queries."""
    return Catalog(bundled().queries_dir / "checks")


def run_checks(paths: Sequence[str | os.PathLike[str]] | None = None) -> list[CheckOutcome]:
    """Run every check over the given files (the bundled ontology, data and shapes by default).

    Example:
        >>> all(outcome.passed for outcome in run_checks())
        True
    """
    bundle = bundled()
    files = list(paths) if paths is not None else [*bundle.graph_files(), *bundle.shapes_files()]
    graph = load_files(files, use_cache=False)  # many queries: in memory beats the on-disk store
    return [run_check(graph, check) for check in checks_catalog()]


def run_check(graph: LoadedGraph, check: SavedQuery) -> CheckOutcome:
    results = run_query(graph, check.text, source=str(check.path))
    if not isinstance(results, ox.QuerySolutions):
        raise KgError(f"{check.path}: a coherence check must be a SELECT query")
    variables = [v.value for v in results.variables]
    prefixes = {**graph.prefixes, **check.prefixes}
    rows = [[term_text(solution[v], prefixes) for v in variables] for solution in results]
    return CheckOutcome(check=check, variables=variables, rows=rows)
