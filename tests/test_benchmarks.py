"""The benchmarks' own measuring: whole processes timed by the kernel, and the raw pyoxigraph
baseline that must stay bare pyoxigraph (no kg) to be a fair peer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.measure import ROOT, run_measured

RAW = ROOT / "benchmarks" / "raw_oxigraph.py"


def test_run_measured_reports_exit_code_stdout_and_the_childs_own_usage() -> None:
    burn = "import sys; sum(range(3_000_000)); print('done'); sys.exit(3)"
    run = run_measured([sys.executable, "-c", burn])
    assert run.exit_code == 3
    assert run.text == "done\n"
    assert 0 < run.cpu_seconds <= run.wall_seconds + 0.05
    assert run.peak_rss_mb > 0


def test_run_measured_kills_a_process_past_its_timeout() -> None:
    run = run_measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert run.exit_code < 0  # killed by a signal
    assert run.wall_seconds < 10


def test_raw_oxigraph_answers_each_query_without_importing_kg(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text("<urn:x:a> <urn:x:p> <urn:x:b> .\n", encoding="utf-8")
    queries = tmp_path / "queries.json"
    queries.write_text(
        json.dumps(
            {"select": "SELECT * { ?s ?p ?o }", "construct": "CONSTRUCT WHERE { ?s ?p ?o }"}
        ),
        encoding="utf-8",
    )
    report_modules = (
        "import runpy, sys\n"
        f"sys.argv = [{str(RAW)!r}, {str(queries)!r}, {str(data)!r}]\n"
        f"runpy.run_path({str(RAW)!r}, run_name='__main__')\n"
        "print(sorted(m for m in sys.modules if m == 'kg' or m.startswith('kg.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", report_modules], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answers, kg_modules = done.stdout.splitlines()
    per_query = json.loads(answers)["per_query"]
    assert set(per_query) == {"select", "construct"}
    assert all(len(row) == 3 and row[1] > 0 for row in per_query.values())
    assert kg_modules == "[]"


def test_run_measured_pins_the_child_to_a_cpu_and_leaves_its_own_cpus_alone() -> None:
    own = os.sched_getaffinity(0)
    cpu = max(own)
    run = run_measured(
        [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"], cpu=cpu
    )
    assert run.text.strip() == f"[{cpu}]"
    assert os.sched_getaffinity(0) == own
