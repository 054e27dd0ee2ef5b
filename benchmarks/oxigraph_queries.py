"""Bare pyoxigraph answering queries: the baseline that kg's query path is measured against.

Imports nothing but pyoxigraph and the standard library, so a process that uses it pays for no
more than a user of pyoxigraph alone would (``benchmarks/raw_oxigraph.py`` runs it as a whole
process; ``benchmarks/tasks.py`` as its ``load-oxigraph`` and ``queries-oxigraph`` tasks).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable

import pyoxigraph as ox


def load_turtle_files(paths: Iterable[str]) -> ox.Store:
    """An in-memory store holding the triples of the Turtle files at ``paths``."""
    store = ox.Store()
    for path in paths:
        store.load(path=path, format=ox.RdfFormat.TURTLE)
    return store


def answer_each(store: ox.Store, queries: Iterable[tuple[str, str]]) -> dict[str, list[float]]:
    """Run each (name, query text) in turn, serializing its results (JSON, or Turtle for
    CONSTRUCT and DESCRIBE) into memory.

    Returns:
        Per query name: [wall seconds, bytes of results, CPU seconds].
    """
    per_query: dict[str, list[float]] = {}
    for name, text in queries:
        started, cpu = time.perf_counter(), time.process_time()
        results = store.query(text)
        buffer = io.BytesIO()
        if isinstance(results, ox.QueryTriples):
            ox.serialize(results, buffer, format=ox.RdfFormat.TURTLE)
        else:
            results.serialize(buffer, format=ox.QueryResultsFormat.JSON)
        per_query[name] = [time.perf_counter() - started, buffer.tell(), time.process_time() - cpu]
    return per_query
