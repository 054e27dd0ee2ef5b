"""One measured task, run in its own process by benchmarks/run.py; prints one JSON line.

    python benchmarks/tasks.py TASK [--timeout S] FILE...

Tasks: load-kg, load-kg-cached, load-oxigraph, load-rdflib, queries-kg, queries-kg-cached, queries-oxigraph,
queries-rdflib, validate-kg, validate-pyshacl. Times cover the work only (not the interpreter's
start); the parent reads this process's peak memory from the operating system.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class TimedOut(Exception):
    pass


def _alarm(seconds: float) -> None:
    def ring(*_: object) -> None:
        raise TimedOut

    signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _disarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


def saved_queries() -> list[tuple[str, str]]:
    from kg.sparql.catalog import Catalog
    from kg.sparql.parameters import bind_parameters
    from kg.sparql.query import bound_query_text

    return [
        (q.name, bound_query_text(q.text, bind_parameters(q, {})))
        for q in Catalog.bundled()
        if "network" not in q.tags
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("task")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--timeout", type=float, default=0.0)
    args = parser.parse_args()
    files: list[Path] = args.files
    result: dict[str, object] = {}
    started = time.perf_counter()

    if args.task in ("load-kg", "load-kg-cached"):
        from kg.rdf.graph import load_files

        graph = load_files(files, use_cache=args.task == "load-kg-cached")
        result["triples"] = len(graph)
    elif args.task == "load-oxigraph":
        from benchmarks.oxigraph_queries import load_turtle_files

        result["triples"] = len(load_turtle_files(map(str, files)))
    elif args.task == "load-rdflib":
        import rdflib

        rdflib_graph = rdflib.Graph()
        for path in files:
            rdflib_graph.parse(path, format="turtle")
        result["triples"] = len(rdflib_graph)
    elif args.task in ("queries-kg", "queries-kg-cached"):
        import kg
        from kg.rdf.graph import load_files
        from kg.sparql.catalog import Catalog
        from kg.sparql.text import query_form

        # in memory, parsed, or loaded from the cache (the N-Quads dump) that `kg query` reads on large inputs
        graph = kg.Graph(load_files(files, use_cache=args.task == "queries-kg-cached"))

        per_query = {}
        started = time.perf_counter()
        for saved in Catalog.bundled():
            if "network" in saved.tags:
                continue
            output_format = (
                "turtle" if query_form(saved.text) in ("CONSTRUCT", "DESCRIBE") else "json"
            )
            t = time.perf_counter()
            output = kg.query(saved, graph).serialize(output_format)
            per_query[saved.name] = [time.perf_counter() - t, len(output)]
        result["per_query"] = per_query
    elif args.task == "queries-oxigraph":
        from benchmarks.oxigraph_queries import answer_each, load_turtle_files

        store = load_turtle_files(map(str, files))
        queries = saved_queries()
        started = time.perf_counter()
        # seconds, bytes of results, CPU seconds (benchmarks/query_paths.py uses the last)
        result["per_query"] = answer_each(store, queries)
    elif args.task == "queries-rdflib":
        import rdflib

        rdflib_graph = rdflib.Graph()
        for path in files:
            rdflib_graph.parse(path, format="turtle")
        timed: dict[str, list[float | None]] = {}
        queries = saved_queries()
        started = time.perf_counter()
        for name, text in queries:
            t = time.perf_counter()
            try:
                if args.timeout:
                    _alarm(args.timeout)
                serialized = rdflib_graph.query(text).serialize(
                    format="json" if "CONSTRUCT" not in text else "turtle"
                )
                timed[name] = [time.perf_counter() - t, len(serialized or b"")]
            except TimedOut:
                timed[name] = [None, 0]
            finally:
                _disarm()
        result["per_query"] = timed
    elif args.task in ("validate-kg", "validate-pyshacl"):
        from kg.base.bundle import bundled
        from kg.shacl.validation import validate

        ontology = bundled().ontology_files()
        data = [f for f in files if f not in ontology]
        try:
            if args.timeout:
                _alarm(args.timeout)
            outcome = validate(
                data=data,
                ontology=ontology,
                engine="fast" if args.task == "validate-kg" else "pyshacl",
            )
            result["violations"] = len(outcome.violations)
            result["engine"] = outcome.engine
        except TimedOut:
            result["timed_out"] = True
        finally:
            _disarm()
    else:
        parser.error(f"unknown task {args.task}")
    result["seconds"] = None if result.get("timed_out") else time.perf_counter() - started
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
