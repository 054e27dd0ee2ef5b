"""The supernode-kg benchmark: cold commands, and load / every saved query / validation at
growing sizes, each beside plain rdflib + pySHACL and raw pyoxigraph, in one run.

    python benchmarks/run.py [--sizes 10000,100000,1000000] [--repeats 3]

Every measurement runs in a fresh process; the table shows medians of the repeats and each
process's peak memory (RSS, from the operating system). Results go to
benchmarks/results/benchmark.json. Synthetic graphs come from `python -m kgdev.synth` (seed 7) and are kept
in benchmarks/.data/ between runs. The load average is recorded before each section, so a
figure taken while something else ran says so. Apache Jena's SHACL is measured beside
`kg validate` by benchmarks/validate_vs_jena.py, and every saved query on the default path,
--no-cache and raw pyoxigraph by benchmarks/query_paths.py.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TASKS = ROOT / "benchmarks" / "tasks.py"
DATA = ROOT / "benchmarks" / ".data"

from benchmarks.measure import run_measured


def median_of(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if len(present) == len(values) and present else None


#: The CPU the cold commands run on, all of them: on these shared machines one core can run
#: half as fast as the other for minutes at a time (measured: the floor took 50 ms on one and
#: 73 ms on the other), and unpinned runs land on either, so medians mixed the two speeds.
COLD_CPU = max(os.sched_getaffinity(0))


def cold_commands(repeats: int) -> dict[str, object]:
    """Whole-process times of the CLI on the bundled graph, and the floor they compare with,
    these pinned to the same CPU (:data:`COLD_CPU`)."""
    python = sys.executable
    kg = shutil.which("kg", path=str(Path(python).parent)) or "kg"
    env = {**os.environ, "KG_NO_CACHE": ""}
    commands = {
        "floor: python -c 'import click, pyoxigraph'": [python, "-c", "import click, pyoxigraph"],
        "kg --help": [kg, "--help"],
        "kg query solutions": [kg, "query", "solutions"],
        "kg query alignments": [kg, "query", "alignments"],
        "kg validate": [kg, "validate"],
        "plain rdflib + pyshacl validate": [
            python,
            str(TASKS),
            "validate-pyshacl",
            *map(str, _bundled_files()),
        ],
    }
    results: dict[str, object] = {}
    for _ in range(2):  # warm the file cache and the bytecode
        for command in commands.values():
            run_measured(command, env, cpu=_cpu_for(command))
    walls: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, list[int]] = {name: [] for name in commands}
    for _ in range(repeats):  # taking turns, so a busy moment falls on every command alike
        for name, command in commands.items():
            run = run_measured(command, env, cpu=_cpu_for(command))
            walls[name].append(run.wall_seconds)
            rss[name].append(run.peak_rss_mb)
    for name in commands:
        results[name] = {
            "seconds": statistics.median(walls[name]),
            "peak_rss_mb": max(rss[name]),
            "runs": walls[name],
        }
    floor = results["floor: python -c 'import click, pyoxigraph'"]["seconds"]  # type: ignore[index]
    for name in ("kg --help", "kg query solutions", "kg query alignments"):
        results[name]["ratio_to_floor"] = results[name]["seconds"] / floor  # type: ignore[index]
    return results


def _cpu_for(command: list[str]) -> int | None:
    """The floor and the commands compared with it run on :data:`COLD_CPU`; validation may use
    both cores, so it is not pinned."""
    return None if "validate" in command or str(TASKS) in command else COLD_CPU


def _bundled_files() -> list[Path]:
    from kg.base.bundle import bundled

    return bundled().graph_files()


def synthetic(size: int) -> Path:
    target = DATA / f"synth-{size}"
    path = target / "synthetic.ttl"
    if not path.exists():
        from kgdev.synth import generate

        generate(size, 7, target)
    return path


def task(
    name: str,
    files: list[Path],
    repeats: int,
    timeout: float = 0.0,
    env: dict[str, str] | None = None,
) -> dict[str, object]:
    command = [sys.executable, str(TASKS), name, *map(str, files)] + (
        ["--timeout", str(timeout)] if timeout else []
    )
    runs = []
    for _ in range(repeats):
        run = run_measured(command, env, timeout=(timeout * 40 + 600) if timeout else None)
        try:
            detail = json.loads(run.text.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            detail = {"seconds": None, "failed": True}
        detail["peak_rss_mb"] = run.peak_rss_mb
        detail["process_seconds"] = run.wall_seconds
        runs.append(detail)
    summary: dict[str, object] = {
        "seconds": median_of([r.get("seconds") for r in runs]),
        "peak_rss_mb": max(int(r["peak_rss_mb"]) for r in runs),
        "runs": runs,
    }
    if "per_query" in runs[0]:
        names = runs[0]["per_query"].keys()
        summary["per_query"] = {n: median_of([r["per_query"][n][0] for r in runs]) for n in names}
    return summary


def sized(
    size: int, repeats: int, rdflib_timeout: float, pyshacl_timeout: float
) -> dict[str, object]:
    from kg.base.bundle import bundled

    files = [*bundled().ontology_files(), synthetic(size)]
    cache_env = {**os.environ, "KG_CACHE_DIR": str(DATA / "cache")}
    no_cache = {**cache_env, "KG_NO_CACHE": "1"}
    slow_repeats = 1 if size >= 100_000 else repeats
    task("load-kg-cached", files, 1, env=cache_env)  # build the cached store once
    return {
        "load": {
            "kg (parse)": task("load-kg", files, repeats, env=no_cache),
            "kg (cached store)": task("load-kg-cached", files, repeats, env=cache_env),
            "raw pyoxigraph": task("load-oxigraph", files, repeats),
            "plain rdflib": task("load-rdflib", files, slow_repeats),
        },
        "queries": {
            "kg": task("queries-kg", files, repeats, env=no_cache),
            "kg (cached)": task("queries-kg-cached", files, repeats, env=cache_env),
            "raw pyoxigraph": task("queries-oxigraph", files, repeats),
            "plain rdflib": task("queries-rdflib", files, slow_repeats, timeout=rdflib_timeout),
        },
        "validate": {
            "kg fast": task("validate-kg", files, repeats, env=no_cache),
            "plain pyshacl": task("validate-pyshacl", files, slow_repeats, timeout=pyshacl_timeout),
        },
    }


def fmt(seconds: object) -> str:
    return "timeout" if seconds is None else f"{seconds:.3f}s"


def ratio(a: object, b: object) -> str:
    if a is None or b is None or not b:
        return "-"
    return f"{a / b:.2f}x"  # type: ignore[operator]


def print_table(report: dict[str, Any]) -> None:
    cold = report["cold"]
    print(
        f"\nsupernode-kg benchmark on {report['machine']['cores']} cores, Python {report['machine']['python']}"
    )
    print(
        f"\nCold commands on the bundled graph (whole process, median; the floor, --help and "
        f"queries on CPU {report.get('cold_cpu', '?')}; load average before: "
        f"{report['load_before_cold']:.2f}):"
    )
    for name, row in cold.items():
        extra = f"  ({row['ratio_to_floor']:.2f}x the floor)" if "ratio_to_floor" in row else ""
        print(f"  {name:<48} {row['seconds'] * 1000:8.1f} ms  {row['peak_rss_mb']:5d} MB{extra}")
    for size, section in report["sizes"].items():
        print(
            f"\n{int(size):,} triples (+ ontology); load average before: {section['load_before']:.2f}"
        )
        load = section["load"]
        print(
            "  load            "
            + "   ".join(
                f"{k}: {fmt(v['seconds'])} ({v['peak_rss_mb']} MB)" for k, v in load.items()
            )
        )
        queries = section["queries"]
        kg, raw, slow = (
            queries[k].get("per_query", {}) for k in ("kg", "raw pyoxigraph", "plain rdflib")
        )
        print(
            f"  {'query':<34} {'kg':>9} {'pyoxigraph':>11} {'rdflib':>9} {'kg/oxi':>7} {'rdflib/kg':>9}"
        )
        for name in kg:
            print(
                f"  {name:<34} {fmt(kg[name]):>9} {fmt(raw.get(name)):>11} {fmt(slow.get(name)):>9} "
                f"{ratio(kg[name], raw.get(name)):>7} {ratio(slow.get(name), kg[name]):>9}"
            )
        cached = queries["kg (cached)"]
        print(
            f"  kg from its cache: {fmt(cached['seconds'])} for all queries ({cached['peak_rss_mb']} MB); "
            + ", ".join(
                f"{n} {fmt(t)}" for n, t in cached.get("per_query", {}).items() if t and t > 0.5
            )
        )
        print(
            f"  all queries: kg {fmt(queries['kg']['seconds'])} ({queries['kg']['peak_rss_mb']} MB), "
            f"pyoxigraph {fmt(queries['raw pyoxigraph']['seconds'])}, rdflib {fmt(queries['plain rdflib']['seconds'])} "
            f"({queries['plain rdflib']['peak_rss_mb']} MB)"
        )
        validate = section["validate"]
        print(
            "  validate        "
            + "   ".join(
                f"{k}: {fmt(v['seconds'])} ({v['peak_rss_mb']} MB)" for k, v in validate.items()
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold-repeats", type=int, default=9)
    parser.add_argument(
        "--rdflib-timeout", type=float, default=60.0, help="seconds per rdflib query"
    )
    parser.add_argument("--pyshacl-timeout", type=float, default=300.0)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "benchmark.json"
    )
    args = parser.parse_args()
    # Time kg as a user's machine runs it: bytecode written once and reused (a shell with
    # PYTHONDONTWRITEBYTECODE=1 would make every kg process compile its modules again).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kg")], check=True)
    report: dict[str, object] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "load_before_cold": os.getloadavg()[0],
        "cold_cpu": COLD_CPU,
        "cold": cold_commands(args.cold_repeats),
        "sizes": {},
    }
    for size in (int(s) for s in args.sizes.split(",") if s):
        load_before = os.getloadavg()[0]
        section = sized(size, args.repeats, args.rdflib_timeout, args.pyshacl_timeout)
        section["load_before"] = load_before
        report["sizes"][str(size)] = section  # type: ignore[index]
        _write(args.out, report)
    _write(args.out, report)
    table = io.StringIO()
    with contextlib.redirect_stdout(table):
        print_table(report)
    args.out.with_suffix(".txt").write_text(table.getvalue().lstrip("\n"), encoding="utf-8")
    print(table.getvalue())
    return 0


def _write(out: Path, report: dict[str, object]) -> None:
    """The results so far (a run cut short keeps the sizes it finished)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
