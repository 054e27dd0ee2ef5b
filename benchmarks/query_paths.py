"""Does the cache ever make a query slower? Every saved query, whole process, three ways.

    python benchmarks/query_paths.py [--sizes 100000,1000000,3000000] [--repeats 3]

Per size (a `python -m kgdev.synth --seed 7` graph plus the bundled ontology) and per saved query:

- default: ``kg query NAME --data ... --format json`` (turtle for CONSTRUCT) with a warm cache (built once per size
  in a fresh ``$KG_CACHE_DIR``; that build's time and peak memory are recorded too);
- no-cache: the same with ``--no-cache`` (parse the files into memory);
- raw pyoxigraph: a script that loads the same files into an in-memory ``Store`` and runs
  the same query text (defaults bound), serializing the results
  (``benchmarks/raw_oxigraph.py``, which imports nothing but pyoxigraph). One process per repeat runs every query in turn; a query's whole
  process is that process's wall time minus the other queries' times (start, load, that
  query, exit), which saves 15 loads per repeat.

Runs take turns (default, no-cache, raw for each query, then the next repeat), all on one CPU
(``--cpu``), so a change in the machine's load, or a core that runs slower, hits all three alike; the table shows medians. ``ratio`` is default /
min(no-cache, raw); every ratio above 1.1 is flagged. The same ratio of CPU seconds (user +
system) is shown beside it: on a shared machine it moves less than wall time. Before each size the load average and
the busiest other processes are recorded (``--note`` adds what else runs, such as other
helpers' jobs). Results: benchmarks/results/query-paths.{json,txt}. Each repeat at 3M runs 32
kg processes of 7 to 15 s, so sizes above 1M get ``--repeats-above-1m`` (1 by default): about
12 minutes on 2 cores at the defaults (measured with other jobs running: 100k 14 s, 1M 2.2 min,
3M 6.9 min per repeat), some 25 with ``--repeats-above-1m 3``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.measure import run_measured
from benchmarks.run import DATA, synthetic

RESULTS = ROOT / "benchmarks" / "results"
RAW = ROOT / "benchmarks" / "raw_oxigraph.py"
FLAG_ABOVE = 1.1
PATHS = ("default", "no-cache", "raw pyoxigraph")


def measured(command: list[str], env: dict[str, str], cpu: int | None) -> dict[str, object]:
    """Run a command to completion (on ``cpu`` if given); its wall and CPU seconds, peak RSS
    (MB), exit code, stdout."""
    run = run_measured(command, env, cpu=cpu)
    return {
        "wall": run.wall_seconds,
        "cpu": run.cpu_seconds,
        "peak_rss_mb": run.peak_rss_mb,
        "exit_code": run.exit_code,
        "stdout": run.stdout,
    }


def saved_query_formats() -> dict[str, str]:
    """Each saved query (but those that call remote services) and the format it prints as:
    JSON results, as raw pyoxigraph serializes them, or Turtle for CONSTRUCT and DESCRIBE."""
    from kg.sparql.catalog import Catalog
    from kg.sparql.text import query_form

    return {
        q.name: "turtle" if query_form(q.text) in ("CONSTRUCT", "DESCRIBE") else "json"
        for q in Catalog.bundled()
        if "network" not in q.tags
    }


def bound_query_texts(names: list[str]) -> dict[str, str]:
    """Each query's text with its parameters' defaults bound, as `kg query NAME` runs it."""
    from kg.sparql.catalog import Catalog
    from kg.sparql.parameters import bind_parameters
    from kg.sparql.query import bound_query_text

    catalog = Catalog.bundled()
    return {
        name: bound_query_text(catalog.get(name).text, bind_parameters(catalog.get(name), {}))
        for name in names
    }


def machine_state(note: str) -> dict[str, object]:
    """The load average and the processes using the CPU now, other than this benchmark."""
    uptime = subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()
    mine = {os.getpid(), os.getppid()}
    busy = []
    listing = subprocess.run(
        ["ps", "-eo", "pid=,pcpu=,comm="], check=False, capture_output=True, text=True
    ).stdout
    for line in listing.splitlines():
        pid, pcpu, comm = line.split(None, 2)
        if int(pid) not in mine and float(pcpu) >= 10.0 and comm != "ps":
            busy.append(f"{comm} ({pcpu}% CPU)")
    return {"uptime": uptime, "load_average": os.getloadavg(), "busy": busy, "note": note}


def timed_environment() -> dict[str, str]:
    """The environment of the timed processes: as a user's, where Python has written kg's
    bytecode once (a shell with PYTHONDONTWRITEBYTECODE=1 would make every `kg` run compile
    its modules again, some 30 ms that the raw script, importing only pyoxigraph, never pays)."""
    env = {**os.environ}
    for name in ("KG_NO_CACHE", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def kg_command(name: str, output_format: str, files: list[Path], *extra: str) -> list[str]:
    kg = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
    data = [arg for path in files for arg in ("--data", str(path))]
    return [kg, "query", name, *data, "--format", output_format, *extra]


def one_size(
    size: int, repeats: int, note: str, only: list[str], cpu: int | None
) -> dict[str, object]:
    from kg.base.bundle import bundled

    files = [*bundled().ontology_files(), synthetic(size)]
    formats = saved_query_formats()
    names = [name for name in formats if not only or name in only]
    cache = DATA / f"query-paths-cache-{size}"
    shutil.rmtree(cache, ignore_errors=True)
    env = timed_environment()
    env["KG_CACHE_DIR"] = str(cache)
    query_texts = DATA / f"query-paths-{size}.json"  # for the raw script: only pyoxigraph
    state = machine_state(note)
    query_texts.write_text(json.dumps(bound_query_texts(names)), encoding="utf-8")
    build = measured(
        kg_command(names[0], formats[names[0]], files), env, cpu
    )  # the first run writes the cache
    runs: dict[str, dict[str, list[dict[str, object]]]] = {
        name: {path: [] for path in PATHS} for name in names
    }
    for _ in range(repeats):
        for name in names:
            for path in PATHS[:2]:
                extra = ("--no-cache",) if path == "no-cache" else ()
                run = measured(kg_command(name, formats[name], files, *extra), env, cpu)
                if run["exit_code"] != 0:
                    raise SystemExit(f"{path} {name} at {size} failed: exit {run['exit_code']}")
                runs[name][path].append(_without_stdout(run))
        raw = run_measured(
            [sys.executable, str(RAW), str(query_texts), *map(str, files)], env, cpu=cpu
        )
        per_query = json.loads(raw.stdout.decode().strip().splitlines()[-1])["per_query"]
        total = sum(seconds for seconds, _, _ in per_query.values())
        total_cpu = sum(cpu for _, _, cpu in per_query.values())
        for name in names:
            others = total - per_query[name][0]
            others_cpu = total_cpu - per_query[name][2]
            runs[name]["raw pyoxigraph"].append(
                {
                    "wall": raw.wall_seconds - others,
                    "cpu": raw.cpu_seconds - others_cpu,
                    "peak_rss_mb": raw.peak_rss_mb,
                    "query_seconds": per_query[name][0],
                }
            )
    table = {}
    for name in names:
        medians = {
            path: statistics.median(float(r["wall"]) for r in runs[name][path])  # type: ignore[arg-type]
            for path in PATHS
        }
        cpu = {
            path: statistics.median(float(r["cpu"]) for r in runs[name][path])  # type: ignore[arg-type]
            for path in PATHS
        }
        ratio = medians["default"] / min(medians["no-cache"], medians["raw pyoxigraph"])
        table[name] = {
            "seconds": medians,
            "cpu_seconds": cpu,
            "cpu_ratio": cpu["default"] / min(cpu["no-cache"], cpu["raw pyoxigraph"]),
            "peak_rss_mb": {
                path: max(int(r["peak_rss_mb"]) for r in runs[name][path])  # type: ignore[call-overload]
                for path in PATHS
            },
            "ratio": ratio,
            "flagged": ratio > FLAG_ABOVE,
            "runs": runs[name],
        }
    return {
        "repeats": repeats,
        "machine_before": state,
        "cache_build": _without_stdout(build),
        "queries": table,
        "machine_after": machine_state(note),
    }


def _without_stdout(run: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in run.items() if k != "stdout"}


def text_table(report: dict[str, object]) -> str:
    lines = [
        "Saved queries, whole process: default (warm cache) / no-cache / raw pyoxigraph, medians "
        "of the repeats taking turns; ratio = default / min(no-cache, raw), "
        f"! above {FLAG_ABOVE}. {report['machine']['cores']} cores, Python "  # type: ignore[index]
        f"{report['machine']['python']}, started {report['started']}; every process on "  # type: ignore[index]
        f"CPU {report.get('cpu')}."
    ]
    for size, section in report["sizes"].items():  # type: ignore[attr-defined]
        before = section["machine_before"]
        build = section["cache_build"]
        lines += [
            "",
            f"{int(size):,} triples (+ ontology), {section['repeats']} repeats. "
            f"Before: {before['uptime']}",
            f"  busy other processes: {', '.join(before['busy']) or 'none'}"
            + (f"; note: {before['note']}" if before["note"] else ""),
            f"  first run (parse, answer, write the cache): {build['wall']:.2f} s, "
            f"peak {build['peak_rss_mb']} MB",
            f"  {'query':<34} {'default':>9} {'no-cache':>9} {'raw oxi':>9} {'ratio':>7}"
            f" {'CPU ratio':>9} {'MB default':>10} {'MB no-cache':>11}",
        ]
        for name, row in section["queries"].items():
            s, mb = row["seconds"], row["peak_rss_mb"]
            lines.append(
                f"  {name:<34} {s['default']:8.2f}s {s['no-cache']:8.2f}s "
                f"{s['raw pyoxigraph']:8.2f}s {row['ratio']:6.2f}x{'!' if row['flagged'] else ' '}"
                f" {row['cpu_ratio']:8.2f}x {mb['default']:10d} {mb['no-cache']:11d}"
            )
        flagged = [n for n, r in section["queries"].items() if r["flagged"]]
        worst = max(r["ratio"] for r in section["queries"].values())
        lines.append(
            f"  worst ratio {worst:.2f}x; above {FLAG_ABOVE}: {', '.join(flagged) or 'none'}"
        )
        lines.append(f"  after: {section['machine_after']['uptime']}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,3000000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--repeats-above-1m",
        type=int,
        default=1,
        help="repeats for sizes above 1M triples (3M at 3 repeats alone takes some 15 minutes)",
    )
    parser.add_argument("--note", default="", help="what else runs on the machine")
    parser.add_argument("--queries", default="", help="only these saved queries (comma-separated)")
    parser.add_argument("--out", type=Path, default=RESULTS / "query-paths.json")
    parser.add_argument(
        "--cpu",
        default=str(max(os.sched_getaffinity(0))),
        help="run every measured process on this CPU, so that the three paths meet the same "
        "core (one core of a shared machine can run far slower than the other for minutes); "
        "'none' lets the kernel place them (default: the last CPU)",
    )
    args = parser.parse_args()
    cpu = None if args.cpu == "none" else int(args.cpu)
    sizes: dict[str, object] = {}
    report: dict[str, object] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "repeats": args.repeats,
        "repeats_above_1m": args.repeats_above_1m,
        "cpu": cpu,
        "bytecode": "kg compiled first; PYTHONDONTWRITEBYTECODE removed for the timed runs",
        "sizes": sizes,
    }
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "kg")],
        check=True,
        env=timed_environment(),
    )
    for size in (int(s) for s in args.sizes.split(",") if s):
        repeats = args.repeats if size <= 1_000_000 else args.repeats_above_1m
        sizes[str(size)] = one_size(
            size, repeats, args.note, [q for q in args.queries.split(",") if q], cpu
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    table = text_table(report)
    args.out.with_suffix(".txt").write_text(table, encoding="utf-8")
    print(table, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
