"""One deadline runner (kg.sparql.deadline) for `kg query --timeout` and `kg serve`: work runs in a
forked child that is killed at the deadline, with a one-line error, and no child outlives it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.base.errors import KgError
from kg.rdf.graph import load_bundled_graph
from kg.sparql.deadline import DeadlinePassed, ProcessEnded, run_before_deadline
from kg.sparql.query import run_query
from tests.conftest import run_kg

#: A cross join of the bundled graph with itself four times: it does not finish in a test's time.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="the runner forks")


def child_processes() -> set[int]:
    """This process's children, zombies included (from /proc/PID/stat's parent field)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == os.getpid():
            found.add(int(stat.parent.name))
    return found


def process_is_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state  # a zombie runs nothing


@needs_fork
def test_the_answer_comes_back_from_the_child() -> None:
    graph = load_bundled_graph()
    answer = run_before_deadline(lambda: bool(run_query(graph, "ASK { ?s ?p ?o }")), 30)
    assert answer is True


@needs_fork
def test_a_runaway_query_on_the_loaded_graph_is_stopped_at_the_deadline() -> None:
    graph = load_bundled_graph()
    children_before = child_processes()
    started = time.monotonic()
    with pytest.raises(DeadlinePassed) as caught:
        run_before_deadline(lambda: list(run_query(graph, RUNAWAY)), 1, source="runaway.rq")
    assert time.monotonic() - started < 10
    assert caught.value.message == (
        "runaway.rq: stopped after 1 s (--timeout); the query did not finish"
    )
    assert child_processes() <= children_before  # killed and reaped: not even a zombie


@needs_fork
def test_an_error_in_the_work_comes_back_as_its_one_line() -> None:
    def failing() -> str:
        raise KgError("q.rq: SPARQL syntax error at 1:5")

    with pytest.raises(KgError, match=r"^q\.rq: SPARQL syntax error at 1:5$"):
        run_before_deadline(failing, 30)
    with pytest.raises(
        KgError, match=r"^q\.rq: ZeroDivisionError: integer division or modulo by zero$"
    ):
        run_before_deadline(lambda: 1 // 0, 30, source="q.rq")


@needs_fork
def test_a_child_killed_before_it_answers_is_reported() -> None:
    with pytest.raises(ProcessEnded) as caught:
        run_before_deadline(lambda: os.kill(os.getpid(), signal.SIGKILL), 30, source="q.rq")
    assert caught.value.exitcode == -signal.SIGKILL
    assert caught.value.message == "q.rq: the query process ended without an answer"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_memory_cap_applies_to_the_child_only() -> None:
    # In a fresh interpreter: a long test session's heap can hold a freed gigabyte that the
    # child reuses without asking the kernel for address space, so the cap would not be tested.
    code = (
        "from pathlib import Path\n"
        "from kg.sparql.deadline import run_before_deadline\n"
        "from kg.base.errors import KgError\n"
        "size_mb = next(int(line.split()[1]) // 1024 for line in Path('/proc/self/status').read_text().splitlines()\n"
        "               if line.startswith('VmSize:'))\n"
        "try:\n"
        "    run_before_deadline(lambda: len(bytearray(2**30)), 30, max_memory_mb=size_mb + 256)\n"
        "    print('child not capped')\n"
        "except KgError as error:\n"
        "    print('child:', error)\n"
        "print('parent:', len(bytearray(2**28)) == 2**28)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    assert len(lines) == 2 and lines[0].startswith("child:") and "MemoryError" in lines[0], lines
    assert lines[1] == "parent: True"  # the process that ran it is not capped


def test_kg_query_timeout_on_a_runaway_cross_join_exits_2_with_one_line() -> None:
    started = time.monotonic()
    run = run_kg("query", "--query", RUNAWAY, "--timeout", "1")
    assert time.monotonic() - started < 15
    assert run.exit_code == 2, run
    assert run.stderr.splitlines() == [
        "kg: error: --query: stopped after 1 s (--timeout); the query did not finish"
    ]


@pytest.mark.skipif(sys.platform != "linux", reason="the kernel ends the child (prctl)")
def test_killing_kg_query_leaves_no_query_running(tmp_path: Path) -> None:
    script = tmp_path / "runner.py"
    script.write_text(
        "import os, time\n"
        "from kg.sparql.deadline import run_before_deadline\n"
        "def work():\n"
        "    print(os.getpid(), flush=True)\n"
        "    time.sleep(120)\n"
        "run_before_deadline(work, 120)\n",
        encoding="utf-8",
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        parent.kill()  # SIGKILL: the parent cannot clean up
        parent.wait(10)
        deadline = time.monotonic() + 5
        while not process_is_gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process_is_gone(child)
    finally:
        parent.kill()
