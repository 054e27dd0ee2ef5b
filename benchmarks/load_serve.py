"""Bounded load and attack test of `kg serve` on 127.0.0.1.

    python benchmarks/load_serve.py [--clients 8 32 64] [--seconds 20] [--attack-seconds 15] [--workers 2]

Starts `kg serve` on a free loopback port. First, for each client count, that many clients
POST saved queries (round-robin, each with its defaults bound) for ``--seconds``; each client
connects from its own loopback address (127.0.1.N), as distinct users would. Then three attacks,
each for ``--attack-seconds`` from an address of its own, while one probe client asks a normal
query four times a second from 127.0.0.1:

- slow senders: 300 connections that send a request one header byte a second;
- oversized headers: 200 connections that each send 60 KB of header lines, slowly;
- a flood of time-capped queries: 16 clients sending a query that runs until the time cap;
- unread large results: 120 connections from 40 addresses that each ask for about 44 MB of
  results (under
  ``--max-result``) and never read them (before ``--max-held`` the server held every unsent
  answer in memory: 5.1 GB).

Reports, per phase, requests, errors (by kind), p50/p99/max latency, probe latency and failures,
and the server's peak RSS (its own process, and with its workers); writes them to
benchmarks/results/load-serve.json. Traffic goes to 127.0.0.0/8 only, and the script stops by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.sparql.catalog import Catalog
from kg.sparql.parameters import bind_parameters
from kg.sparql.query import bound_query_text

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
PROBE = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"
#: about 44 MB of SPARQL JSON on the bundled graph: under the 50 MB result cap
LARGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 100000"


class _SourceConnection(HTTPConnection):
    """An HTTP connection from a chosen loopback address."""

    def __init__(self, port: int, source: str, timeout: float) -> None:
        super().__init__("127.0.0.1", port, timeout=timeout, source_address=(source, 0))


def _post(port: int, source: str, query: str, timeout: float = 30.0) -> tuple[float, str]:
    """POST one query on a fresh connection; return (seconds, '' or the error)."""
    started = time.perf_counter()
    connection = _SourceConnection(port, source, timeout)
    try:
        connection.request(
            "POST",
            "/sparql",
            body=query.encode(),
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, text/turtle",
            },
        )
        response = connection.getresponse()
        body = response.read()
        problem = (
            ""
            if response.status == 200
            else f"HTTP {response.status} {body[:40].decode(errors='replace').strip()}"
        )
    except OSError as error:
        problem = type(error).__name__
    finally:
        connection.close()
    return time.perf_counter() - started, problem


class _MemoryWatch:
    """Samples the RSS of the server process and of its descendants (the workers)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.server_peak = 0
        self.total_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _rss(pid: int) -> int:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _descendants(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    parents[int(entry.name)] = int(
                        (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                    )
        found, frontier = [], [self.pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            found += children
            frontier += children
        return found

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            server = self._rss(self.pid)
            self.server_peak = max(self.server_peak, server)
            self.total_peak = max(
                self.total_peak, server + sum(self._rss(p) for p in self._descendants())
            )

    def reset(self) -> None:
        self.server_peak = self.total_peak = 0

    def stop(self) -> None:
        self._stop.set()


def _summary(latencies: list[float], errors: list[str], wall: float) -> dict[str, object]:
    ordered = sorted(latencies) or [0.0]
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "requests_per_second": round(len(latencies) / wall, 1),
        "error_kinds": dict(Counter(errors).most_common(5)),
        "latency_ms": {
            "p50": round(1000 * statistics.median(ordered), 1),
            "p99": round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 1),
            "max": round(1000 * ordered[-1], 1),
        },
    }


def _load(port: int, queries: list[str], clients: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        source = f"127.0.1.{offset + 1}"
        index = offset
        while time.monotonic() < deadline:
            elapsed, problem = _post(port, source, queries[index % len(queries)])
            index += 1
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"clients": clients, **_summary(latencies, errors, time.monotonic() - started)}


def _slow_sender(
    port: int, source: str, stop: threading.Event, header: bytes, pause: float
) -> None:
    """Open a connection and dribble a request's headers until the server closes it; repeat."""
    while not stop.is_set():
        try:
            with socket.create_connection(
                ("127.0.0.1", port), timeout=5, source_address=(source, 0)
            ) as sock:
                sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                while not stop.is_set():
                    sock.sendall(header)
                    if stop.wait(pause):
                        break
        except OSError:
            stop.wait(0.2)


def _flood(port: int, source: str, stop: threading.Event, answers: list[str]) -> None:
    while not stop.is_set():
        _, problem = _post(port, source, HEAVY, timeout=60)
        answers.append(problem or "HTTP 200")


def _unread(port: int, source: str, stop: threading.Event) -> None:
    """Ask for a large result and never read it, until the attack stops."""
    body = urllib.parse.urlencode({"query": LARGE}).encode()
    with (
        contextlib.suppress(OSError),
        socket.create_connection(
            ("127.0.0.1", port), timeout=5, source_address=(source, 0)
        ) as sock,
    ):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        stop.wait()


def _attack(port: int, name: str, seconds: float) -> dict[str, object]:
    stop = threading.Event()
    attackers: list[threading.Thread] = []
    flood_answers: list[str] = []
    if name == "slow senders":
        attackers = [
            threading.Thread(target=_slow_sender, args=(port, "127.0.0.2", stop, b"X", 1.0))
            for _ in range(300)
        ]
    elif name == "oversized headers":
        line = b"X-Padding: " + b"a" * 1000 + b"\r\n"
        attackers = [
            threading.Thread(target=_slow_sender, args=(port, "127.0.0.3", stop, line * 60, 2.0))
            for _ in range(200)
        ]
    elif name == "unread large results":
        attackers = [
            threading.Thread(target=_unread, args=(port, f"127.0.5.{n % 40 + 1}", stop))
            for n in range(120)
        ]
    elif name == "time-capped query flood":
        attackers = [
            threading.Thread(target=_flood, args=(port, "127.0.0.4", stop, flood_answers))
            for _ in range(16)
        ]
    for thread in attackers:
        thread.daemon = True
        thread.start()
    time.sleep(1.0)  # let the attack build up before probing
    probes: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        elapsed, problem = _post(port, "127.0.0.1", PROBE, timeout=10)
        probes.append(elapsed)
        if problem:
            failures.append(problem)
        time.sleep(0.25)
    stop.set()
    for thread in attackers:
        thread.join(10)
    ordered = sorted(probes)
    result: dict[str, object] = {
        "attack": name,
        "probes": len(probes),
        "probe_failures": len(failures),
        "probe_failure_kinds": dict(Counter(failures).most_common(3)),
        "probe_ms": {
            "p50": round(1000 * statistics.median(ordered), 1),
            "p99": round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 1),
            "max": round(1000 * ordered[-1], 1),
        },
    }
    if flood_answers:
        result["flood_answers"] = dict(Counter(a[:60] for a in flood_answers).most_common(4))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32, 64])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--attack-seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--max-held",
        type=int,
        default=None,
        help="kg serve's --max-held (its default if not given)",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "load-serve.json"
    )
    args = parser.parse_args()

    queries = [
        bound_query_text(q.text, bind_parameters(q, {}))
        for q in Catalog.bundled()
        if "network" not in q.tags
    ]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            "--port",
            "0",
            "--workers",
            str(args.workers),
            "--max-client-connections",
            "128",
            *(["--max-held", str(args.max_held)] if args.max_held else []),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    watch = _MemoryWatch(server.pid)
    phases: list[dict[str, object]] = []
    try:
        url = (server.stdout.readline() if server.stdout else "").split(" at ", 1)[1].split()[0]
        port = urllib.parse.urlsplit(url).port or 0
        for clients in args.clients:
            watch.reset()
            phase = _load(port, queries, clients, args.seconds)
            phases.append(
                {
                    **phase,
                    "server_rss_mb": round(watch.server_peak / 2**20),
                    "with_workers_rss_mb": round(watch.total_peak / 2**20),
                }
            )
            print(
                f"{clients:>3} clients: {phase['requests']} requests, {phase['requests_per_second']} req/s, "
                f"{phase['errors']} errors {phase['error_kinds'] or ''}, latency p50/p99/max "
                f"{phase['latency_ms']['p50']}/{phase['latency_ms']['p99']}/{phase['latency_ms']['max']} ms, "
                f"server RSS {phases[-1]['server_rss_mb']} MB ({phases[-1]['with_workers_rss_mb']} MB with workers)",
                flush=True,
            )
        for name in (
            "slow senders",
            "oversized headers",
            "time-capped query flood",
            "unread large results",
        ):
            watch.reset()
            phase = _attack(port, name, args.attack_seconds)
            phases.append(
                {
                    **phase,
                    "server_rss_mb": round(watch.server_peak / 2**20),
                    "with_workers_rss_mb": round(watch.total_peak / 2**20),
                }
            )
            print(
                f"{name}: probe p50/p99/max {phase['probe_ms']['p50']}/{phase['probe_ms']['p99']}/{phase['probe_ms']['max']} ms, "
                f"{phase['probe_failures']}/{phase['probes']} probes failed {phase['probe_failure_kinds'] or ''}, "
                f"server RSS {phases[-1]['server_rss_mb']} MB ({phases[-1]['with_workers_rss_mb']} MB with workers)"
                + (f", flood answers {phase['flood_answers']}" if "flood_answers" in phase else ""),
                flush=True,
            )
    finally:
        watch.stop()
        server.terminate()
        server.wait(10)

    summary = {
        "server_workers": args.workers,
        "phases": phases,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_end": os.getloadavg(),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
