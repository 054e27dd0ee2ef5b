"""Bounded load test of `kg serve` on 127.0.0.1: concurrent clients for a fixed time.

    python benchmarks/load_serve.py [--clients 8] [--seconds 20] [--workers 2]

Starts `kg serve` on a free loopback port, then each client POSTs saved queries (round-robin,
each with its defaults bound) until the time is up, and stops by itself. Prints requests per
second, the error count and latency percentiles, and writes them to
benchmarks/results/load-serve.json. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.catalog import Catalog  # noqa: E402
from kg.parameters import bind_parameters  # noqa: E402
from kg.query import bound_query_text  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load-serve.json")
    args = parser.parse_args()

    queries = [bound_query_text(q.text, bind_parameters(q, {})) for q in Catalog.bundled() if "network" not in q.tags]
    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", "0", "--workers", str(args.workers)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = (server.stdout.readline() if server.stdout else "").split(" at ", 1)[1].split()[0]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def client(offset: int) -> None:
            index = offset
            while time.monotonic() < deadline:
                query = queries[index % len(queries)]
                index += 1
                request = urllib.request.Request(url, data=query.encode(), headers={
                    "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle"})
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        response.read()
                        ok = response.status == 200
                        problem = "" if ok else f"HTTP {response.status}"
                except (urllib.error.URLError, OSError) as error:
                    ok, problem = False, str(error)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(problem)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)

    ordered = sorted(latencies)
    summary = {
        "clients": args.clients, "seconds": round(wall, 2), "server_workers": args.workers,
        "requests": len(latencies), "errors": len(errors),
        "requests_per_second": round(len(latencies) / wall, 1),
        "latency_ms": {
            "p50": round(1000 * statistics.median(ordered), 2),
            "p90": round(1000 * ordered[int(0.90 * (len(ordered) - 1))], 2),
            "p99": round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 2),
            "max": round(1000 * ordered[-1], 2),
        },
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "first_errors": errors[:5],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"{summary['requests']} requests in {summary['seconds']} s from {args.clients} clients "
          f"({args.workers} server workers, {os.cpu_count()} cores): {summary['requests_per_second']} req/s, "
          f"{summary['errors']} errors, p50 {summary['latency_ms']['p50']} ms, p99 {summary['latency_ms']['p99']} ms")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
