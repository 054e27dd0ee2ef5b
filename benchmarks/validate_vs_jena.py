"""`kg validate` against Apache Jena's `shacl validate`, in one run, on the same files.

    python benchmarks/validate_vs_jena.py [--triples 1000000] [--repeats 3] [--pyshacl]
        [--peer-python /tmp/peers/bin/python [--slow-peers]]

Both validate the bundled ontology and data plus `python -m kgdev.synth --seed 7` data (with injected
violations, so both must find the same focus nodes) against the bundled shapes. Each run is a
whole process; kg, Jena with its default heap and Jena with ``-Xmx1g`` take turns, so a change
in the machine's load hits all three. The table gives medians of wall time, CPU time and peak
memory, the machine's load average around the runs, and the ratio of kg to Jena's faster
setting. ``--pyshacl`` also runs pySHACL once (minutes at 1M triples) and checks kg's results
against it. Jena comes from Debian's libapache-jena-java (/usr/share/java).

``--peer-python`` names a Python in a venv of its own with SHACL engines from PyPI, run as peers
taking turns with kg: ``shacl`` (Rust). ``--slow-peers`` adds ``pyshacl-turbo`` and ``pyrudof``
when they are installed there; they take about a minute or more at 1M triples, so each runs once
(no warm-up, whatever ``--repeats`` says) after the rounds. Checked with::

    /tmp/peers/bin/pip install shacl==0.3.4 pyshacl-turbo==0.6.5 pyrudof==0.3.35

(pyshacl-turbo brings rdflib 7.6.0 and pyparsing 3.3.3.) A peer that cannot validate the shapes
(it raises an error) shows the error as its result.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / ".data"
RESULTS = ROOT / "benchmarks" / "results"

from benchmarks.measure import run_measured
from tests.jena import jena_classpath, jena_missing


def run(command: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run a whole process: wall and CPU seconds, peak RSS, exit code, stdout, load average."""
    load_before = os.getloadavg()[0]
    measured = run_measured(command, env)
    return {
        "seconds": measured.wall_seconds,
        "cpu_seconds": measured.cpu_seconds,
        "peak_rss_mb": measured.peak_rss_mb,
        "exit": measured.exit_code,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "stdout": measured.text,
    }


def prepare(triples: int, shapes_files: list[Path] | None = None) -> tuple[Path, Path]:
    """One Turtle file with the ontology, the bundled data and synthetic data (with violations)."""
    target = DATA / f"validate-{triples}"
    merged = target / "all.ttl"
    if not merged.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kgdev.synth",
                "--triples",
                str(triples),
                "--seed",
                "7",
                "--violations",
                "2",
                "--out",
                str(target),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        from kg.base.bundle import bundled

        inputs = [*bundled().graph_files(), target / "synthetic.ttl"]
        kg = str(Path(sys.executable).parent / "kg")
        subprocess.run(
            [
                kg,
                "export",
                "--format",
                "turtle",
                "--out",
                str(merged),
                *(f"--data={path}" for path in inputs),
            ],
            check=True,
        )
    from kg.base.bundle import bundled

    chosen = shapes_files or bundled().shapes_files()
    shapes = target / f"shapes-{'-'.join(p.stem for p in chosen)}.ttl"  # Jena takes one shapes file
    if not shapes.exists():
        kg = str(Path(sys.executable).parent / "kg")
        subprocess.run(
            [
                kg,
                "export",
                "--format",
                "turtle",
                "--out",
                str(shapes),
                "--no-ontology",  # the shapes alone, merged into one file
                *(f"--data={path}" for path in chosen),
            ],
            check=True,
        )
    return merged, shapes


#: Exit code of a slow peer's snippet when the engine raised an error (its message is on stdout).
PEER_ERROR_EXIT = 3

#: pyshacl-turbo's pySHACL-style API: validate(data, shacl_graph=...) takes file paths and
#: returns (conforms, report as an rdflib Graph, text); a ValidationFailure comes back in
#: place of the report graph rather than raised.
PYSHACL_TURBO_SNIPPET = f"""
import sys
try:
    import pyshacl_turbo
    conforms, report, text = pyshacl_turbo.validate(sys.argv[1], shacl_graph=sys.argv[2])
    if isinstance(report, pyshacl_turbo.ValidationFailure):
        raise report
    out = report.serialize(format="turtle")
except BaseException as error:
    sys.stdout.write(f"{{type(error).__name__}}: {{error}}")
    sys.exit({PEER_ERROR_EXIT})
sys.stdout.write(out)
"""

#: pyrudof's session API: Rudof(RudofConfig()); read_data(path) and read_shacl(path) (Turtle by
#: default); validate_shacl() (the native engine by default) returns the report, and
#: serialize_shacl_validation_results(ResultShaclValidationFormat.Turtle) writes it as RDF.
PYRUDOF_SNIPPET = f"""
import sys
try:
    import pyrudof
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(sys.argv[1])
    rudof.read_shacl(sys.argv[2])
    rudof.validate_shacl()
    out = rudof.serialize_shacl_validation_results(pyrudof.ResultShaclValidationFormat.Turtle)
except BaseException as error:
    sys.stdout.write(f"{{type(error).__name__}}: {{error}}")
    sys.exit({PEER_ERROR_EXIT})
sys.stdout.write(out)
"""

#: the slow peers: their distribution on PyPI and the snippet the peer Python runs
SLOW_PEERS = {
    "pyshacl-turbo (PyPI, Rust)": ("pyshacl-turbo", PYSHACL_TURBO_SNIPPET),
    "pyrudof (PyPI, Rust)": ("pyrudof", PYRUDOF_SNIPPET),
}


def peer_versions(python: Path, distributions: list[str]) -> dict[str, str | None]:
    """The installed version of each distribution in the peer Python (None when missing)."""
    script = (
        "import json, sys\n"
        "from importlib.metadata import PackageNotFoundError, version\n"
        "found = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        found[name] = version(name)\n"
        "    except PackageNotFoundError:\n"
        "        found[name] = None\n"
        "print(json.dumps(found))\n"
    )
    done = subprocess.run(
        [str(python), "-c", script, *distributions], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def focus_nodes_of_turtle_report(report: str) -> set[str]:
    import rdflib

    graph = rdflib.Graph().parse(data=report, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    return {str(o) for o in graph.objects(None, sh.focusNode) if not isinstance(o, rdflib.BNode)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--pyshacl", action="store_true", help="also run pySHACL once and compare its results"
    )
    parser.add_argument(
        "--peer-python",
        type=Path,
        help="a Python with the `shacl` package from PyPI (the Rust engine): it runs as a peer "
        "(`pip install shacl` in a venv of its own, so kg's dependencies stay apart)",
    )
    parser.add_argument(
        "--slow-peers",
        action="store_true",
        help="also run pyshacl-turbo and pyrudof from --peer-python's venv when installed there; "
        "each runs once, whatever --repeats says (a minute or more each at 1M triples)",
    )
    parser.add_argument(
        "--shapes",
        type=Path,
        action="append",
        help="shapes files (repeatable); the bundled ones by default",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="the JSON results (a .txt of the printed table goes beside it); by default "
        "benchmarks/results/validate-vs-jena.json for the bundled shapes, "
        "validate-vs-jena-<shapes>.json for others, so runs never overwrite each other",
    )
    args = parser.parse_args()
    if args.slow_peers and args.peer_python is None:
        parser.error("--slow-peers needs --peer-python")
    if args.out is None:
        suffix = "-".join(p.stem for p in args.shapes) if args.shapes else ""
        args.out = RESULTS / (
            f"validate-vs-jena-{suffix}.json" if suffix else "validate-vs-jena.json"
        )
    missing = jena_missing()
    if missing:
        print(f"cannot run Apache Jena: {missing}", file=sys.stderr)
        return 2
    data, shapes = prepare(args.triples, args.shapes)
    workdir = Path(tempfile.mkdtemp(prefix="kg-jena-"))
    classpath = jena_classpath(workdir)
    kg = str(Path(sys.executable).parent / "kg")
    commands = {
        "kg validate": [
            kg,
            "validate",
            "--format",
            "turtle",
            "--no-ontology",
            "--data",
            str(data),
            "--shapes",
            str(shapes),
        ],
        "jena shacl (default heap)": [
            "java",
            "-cp",
            classpath,
            "shacl.shacl",
            "validate",
            "--shapes",
            str(shapes),
            "--data",
            str(data),
        ],
        "jena shacl (-Xmx1g)": [
            "java",
            "-Xmx1g",
            "-cp",
            classpath,
            "shacl.shacl",
            "validate",
            "--shapes",
            str(shapes),
            "--data",
            str(data),
        ],
    }
    if args.peer_python is not None:
        commands["shacl (PyPI, Rust)"] = [
            str(args.peer_python),
            "-c",
            "import shacl, sys; sys.stdout.write(shacl.validate(sys.argv[1], sys.argv[2]).turtle)",
            str(data),
            str(shapes),
        ]
    versions: dict[str, str | None] = {}
    slow_commands: dict[str, list[str]] = {}
    not_installed: list[str] = []
    if args.peer_python is not None:
        wanted = (
            ["shacl", *(dist for dist, _ in SLOW_PEERS.values())] if args.slow_peers else ["shacl"]
        )
        versions = peer_versions(args.peer_python, wanted)
    if args.slow_peers:
        for name, (dist, snippet) in SLOW_PEERS.items():
            if versions.get(dist) is None:
                not_installed.append(dist)
                continue
            slow_commands[name] = [
                str(args.peer_python),
                "-c",
                snippet,
                str(data),
                str(shapes),
            ]
    env = {**os.environ, "KG_NO_CACHE": "1"}
    started = time.strftime("%Y-%m-%dT%H:%M:%S")  # before the first run, not after the last
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in commands}
    for command in commands.values():  # warm the file cache and the bytecode once
        run(command, env)
    for _ in range(args.repeats):
        for name, command in commands.items():
            runs[name].append(run(command, env))
    for name, command in slow_commands.items():  # once each, after the rounds, no warm-up
        runs[name] = [run(command, env)]
    summary: dict[str, object] = {}
    for name, results in runs.items():
        summary[name] = {
            "seconds": statistics.median(float(r["seconds"]) for r in results),  # type: ignore[arg-type]
            "cpu_seconds": statistics.median(float(r["cpu_seconds"]) for r in results),  # type: ignore[arg-type]
            "peak_rss_mb": max(int(r["peak_rss_mb"]) for r in results),  # type: ignore[call-overload]
            "exits": [r["exit"] for r in results],
            "runs": [round(float(r["seconds"]), 3) for r in results],  # type: ignore[arg-type]
            "load_average": [round(float(r["load_before"]), 2) for r in results],  # type: ignore[arg-type]
        }
        if name in slow_commands:
            summary[name]["single_run"] = True  # type: ignore[index]
            if results[-1]["exit"] == PEER_ERROR_EXIT:  # the engine raised: its message
                summary[name]["error"] = str(results[-1]["stdout"]).strip()  # type: ignore[index]

    def succeeded(name: str) -> bool:
        exits = summary[name]["exits"]  # type: ignore[index]
        if name in slow_commands:  # the snippets exit 0, or PEER_ERROR_EXIT when they raise
            return all(code == 0 for code in exits)
        return all(code in (0, 1) for code in exits)

    kg_nodes = focus_nodes_of_turtle_report(str(runs["kg validate"][-1]["stdout"]))
    jena_nodes = focus_nodes_of_turtle_report(str(runs["jena shacl (default heap)"][-1]["stdout"]))
    best_jena = min(summary[n]["seconds"] for n in commands if n.startswith("jena"))  # type: ignore[index]
    peers = {  # a peer that failed reported nothing to compare
        name: focus_nodes_of_turtle_report(str(runs[name][-1]["stdout"]))
        if succeeded(name)
        else None
        for name in runs
        if name != "kg validate"
    }
    fastest = min(  # nan when every peer failed
        (summary[n]["seconds"] for n in runs if n != "kg validate" and succeeded(n)),  # type: ignore[index]
        default=float("nan"),
    )
    report: dict[str, object] = {
        "triples": args.triples,
        "cores": os.cpu_count(),
        "shapes": str(shapes.name),
        "started": started,
        "summary": summary,
        "kg_to_best_jena": summary["kg validate"]["seconds"] / best_jena,  # type: ignore[index]
        "same_focus_nodes_as_jena": kg_nodes == jena_nodes,
        "kg_to_fastest_peer": summary["kg validate"]["seconds"] / fastest,  # type: ignore[index]
        "same_focus_nodes_as_each_peer": {
            name: None if nodes is None else nodes == kg_nodes for name, nodes in peers.items()
        },
        "focus_node_differences": {
            name: {
                "peer_focus_nodes": len(nodes),
                "only_peer": sorted(nodes - kg_nodes),
                "only_kg": sorted(kg_nodes - nodes),
            }
            for name, nodes in peers.items()
            if nodes is not None and nodes != kg_nodes
        },
        "violating_focus_nodes": len(kg_nodes),
        "peer_versions": versions,
        "slow_peers_not_installed": not_installed,
    }
    if args.pyshacl:
        reference = run(
            [
                kg,
                "validate",
                "--engine",
                "pyshacl",
                "--format",
                "turtle",
                "--no-ontology",
                "--data",
                str(data),
                "--shapes",
                str(shapes),
            ],
            env,
        )
        report["pyshacl"] = {
            "seconds": reference["seconds"],
            "peak_rss_mb": reference["peak_rss_mb"],
        }
        report["same_focus_nodes_as_pyshacl"] = (
            focus_nodes_of_turtle_report(str(reference["stdout"])) == kg_nodes
        )
    lines = [
        f"{args.triples:,} triples (+ ontology and bundled data), shapes {shapes.name}, {os.cpu_count()} cores, "
        f"medians of {args.repeats}, started {report['started']}:"
    ]
    for name, row in summary.items():
        once = f" (1 run, not {args.repeats}: slow)" if name in slow_commands else ""
        if "error" in row:  # type: ignore[operator]
            message = " ".join(str(row["error"]).split())  # type: ignore[index]
            lines.append(
                f"  {name:<28} cannot validate these shapes{once}: "
                f"{message[:300]}{'...' if len(message) > 300 else ''}"
            )
            continue
        if not succeeded(
            name
        ):  # a run that failed measured nothing: say so rather than print its time
            lines.append(f"  {name:<28} FAILED (exit codes {row['exits']}){once}")  # type: ignore[index]
            continue
        lines.append(
            f"  {name:<28} {row['seconds']:7.2f} s wall  {row['cpu_seconds']:7.2f} s CPU  {row['peak_rss_mb']:6d} MB"  # type: ignore[index]
            f"  load average before {'the' if once else 'each'} run {row['load_average']}{once}"  # type: ignore[index]
        )
    lines.append(
        f"  kg / faster Jena: {report['kg_to_best_jena']:.2f}x; same violating focus nodes as Jena: "
        f"{report['same_focus_nodes_as_jena']} ({len(kg_nodes)})"
    )
    lines.append(
        f"  kg / fastest peer: {report['kg_to_fastest_peer']:.2f}x; same violating focus nodes as "
        f"each peer: {report['same_focus_nodes_as_each_peer']}"
    )
    for name, difference in report["focus_node_differences"].items():  # type: ignore[attr-defined]
        lines.append(
            f"  {name}: {difference['peer_focus_nodes']} violating focus nodes, "
            f"{len(difference['only_peer'])} kg does not report, "
            f"{len(difference['only_kg'])} of kg's missing"
        )
    if versions:
        lines.append(
            "  peer versions: "
            + ", ".join(f"{dist} {version}" for dist, version in versions.items() if version)
        )
    if not_installed:
        lines.append(
            f"  not installed in {args.peer_python}, so not run: {', '.join(not_installed)}"
        )
    if args.pyshacl:
        lines.append(
            f"  pySHACL: {report['pyshacl']['seconds']:.1f} s; same focus nodes as kg: {report['same_focus_nodes_as_pyshacl']}"  # type: ignore[index]
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    args.out.with_suffix(".txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
