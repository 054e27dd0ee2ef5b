"""Answering the fast engine's queries on its store, in forked worker processes.

pyoxigraph holds the GIL while results are read, so threads do not run queries in parallel;
processes forked after loading share the in-memory store's pages and take queries from one
queue until none is left. Every row is read with its terms as the data wrote them (surrogates
read back, :mod:`kg.shacl.written_literals`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from kg.base.errors import KgError, one_line
from kg.shacl.shapes import Term
from kg.shacl.written_literals import written

#: One answer of a query: variable name -> the term bound to it.
Row = dict[str, Term]


@dataclass(frozen=True)
class Query:
    """A SELECT query to answer on the data, with variables to substitute (SEP-0007), and which
    of its rows to keep (all, without ``keep``)."""

    text: str
    substitutions: tuple[tuple[str, Term], ...] = ()
    keep: Callable[[Row], bool] | None = None


def answer_queries(data: ox.Store, queries: list[Query], workers: int = 1) -> list[list[Row]]:
    """The rows of each query, in order; with ``workers`` > 1, forked processes share the work."""
    if workers <= 1 or len(queries) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [answer(data, query) for query in queries]
    context = multiprocessing.get_context("fork")
    pending = context.SimpleQueue()
    for index in range(len(queries)):
        pending.put(index)
    for _ in range(workers):
        pending.put(None)
    channels = []
    for _ in range(workers - 1):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_answer_from_queue, args=(data, queries, pending, sender), daemon=True
        )
        process.start()
        sender.close()
        channels.append((process, receiver))
    answers: dict[int, list[Row]] = dict(_answers_from_queue(data, queries, pending))
    for process, receiver in channels:
        try:
            outcome, payload = receiver.recv()
        except EOFError:
            outcome, payload = "failed", "a validation worker process stopped unexpectedly"
        process.join()
        if outcome == "failed":
            raise KgError(str(payload))
        answers.update(payload)
    return [answers[index] for index in range(len(queries))]


def answer(data: ox.Store, query: Query) -> list[Row]:
    """The rows of one query that bind ``?this`` (and that ``keep`` keeps)."""
    from kg.sparql.query import execute_on

    solutions = execute_on(
        data, query.text, substitutions=dict(query.substitutions), source="a SHACL-SPARQL query"
    )
    if not isinstance(solutions, ox.QuerySolutions):
        raise KgError(f"a validation query is not a SELECT query: {query.text[:80]!r}")
    if query.keep is None:
        return list(_rows(solutions))
    keep = query.keep
    return [row for row in _rows(solutions) if keep(row)]


def rows_of(solutions: ox.QuerySolutions) -> list[Row]:
    """The solutions that bind ``?this``, as rows, every term as the data wrote it."""
    return list(_rows(solutions))


def _answers_from_queue(
    data: ox.Store, queries: list[Query], pending: object
) -> Iterator[tuple[int, list[Row]]]:
    while (index := pending.get()) is not None:  # type: ignore[attr-defined]
        yield index, answer(data, queries[index])


def _answer_from_queue(
    data: ox.Store, queries: list[Query], pending: object, sender: object
) -> None:
    try:
        answers = dict(_answers_from_queue(data, queries, pending))
    except Exception as error:
        sender.send(("failed", one_line(error)))  # type: ignore[attr-defined]
        return
    sender.send(("answered", answers))  # type: ignore[attr-defined]


def _rows(solutions: ox.QuerySolutions) -> Iterator[Row]:
    """The solutions as rows, every term as the data wrote it (surrogates read back)."""
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        row = {name: written(solution[name]) for name in names if solution[name] is not None}
        if "this" in row:
            yield row
