"""The raw pyoxigraph baseline of benchmarks/query_paths.py: nothing but pyoxigraph.

    python benchmarks/raw_oxigraph.py QUERIES.json FILE...

Loads the Turtle files into an in-memory ``Store``, then runs each query of QUERIES.json (name
-> query text, parameters already bound) in turn, serializing its results (JSON, or Turtle for
CONSTRUCT). Prints one JSON line: per query, [wall seconds, bytes, CPU seconds].
"""

import json
import os
import sys

# the checkout, for benchmarks.oxigraph_queries (which, like this script, never imports kg)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.oxigraph_queries import answer_each, load_turtle_files

with open(sys.argv[1], encoding="utf-8") as stream:
    queries = json.load(stream)
store = load_turtle_files(sys.argv[2:])
print(json.dumps({"per_query": answer_each(store, queries.items())}))
