"""The raw pyoxigraph baseline of benchmarks/query_paths.py: nothing but pyoxigraph.

    python benchmarks/raw_oxigraph.py QUERIES.json FILE...

Loads the Turtle files into an in-memory ``Store``, then runs each query of QUERIES.json (name
-> query text, parameters already bound) in turn, serializing its results (JSON, or Turtle for
CONSTRUCT). Prints one JSON line: per query, [wall seconds, bytes, CPU seconds].
"""

import io
import json
import sys
import time

import pyoxigraph as ox

with open(sys.argv[1], encoding="utf-8") as stream:
    queries = json.load(stream)
store = ox.Store()
for path in sys.argv[2:]:
    store.load(path=path, format=ox.RdfFormat.TURTLE)
per_query = {}
for name, text in queries.items():
    started, cpu = time.perf_counter(), time.process_time()
    results = store.query(text)
    buffer = io.BytesIO()
    if isinstance(results, ox.QueryTriples):
        ox.serialize(results, buffer, format=ox.RdfFormat.TURTLE)
    else:
        results.serialize(buffer, format=ox.QueryResultsFormat.JSON)
    per_query[name] = [time.perf_counter() - started, buffer.tell(), time.process_time() - cpu]
print(json.dumps({"per_query": per_query}))
