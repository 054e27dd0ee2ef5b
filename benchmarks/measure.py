"""Measure one whole process: its wall time, CPU time and peak memory, as the kernel counts them.

Every benchmark script times its commands through :func:`run_measured`, so their figures are
taken the same way: stdout goes to a temporary file (a pipe could fill and stall the child),
stderr is dropped, the child runs in the checkout, and ``os.wait4`` returns the child's own
resource usage (CPU seconds and peak RSS of that process alone, not of the benchmark).
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: How often a process with a deadline is checked on.
POLL_SECONDS = 0.002


@dataclass(frozen=True)
class MeasuredRun:
    """What one process cost and printed."""

    wall_seconds: float
    #: user + system CPU seconds of the process
    cpu_seconds: float
    peak_rss_mb: int
    exit_code: int
    stdout: bytes

    @property
    def text(self) -> str:
        """The process's stdout as text (undecodable bytes replaced)."""
        return self.stdout.decode("utf-8", "replace")


def run_measured(
    command: list[str],
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    cpu: int | None = None,
) -> MeasuredRun:
    """Run ``command`` in the checkout to completion and measure it.

    Args:
        command: the program and its arguments.
        env: the process's environment (this process's when None).
        timeout: seconds after which the process is killed (its figures are still returned,
            with the kill's exit code); None waits as long as it runs.
        cpu: run the process on this CPU only. On these shared machines one core can run
            half as fast as the other for minutes at a time, so short commands compared with
            each other are pinned to the same core.
    """
    with tempfile.TemporaryFile() as out:
        own_cpus = os.sched_getaffinity(0)
        if cpu is not None:  # the child inherits this process's CPUs when it is started
            os.sched_setaffinity(0, {cpu})
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
            )
        finally:
            os.sched_setaffinity(0, own_cpus)
        if timeout is None:
            _, status, usage = os.wait4(process.pid, 0)
        else:
            status, usage = _wait_or_kill(process, started + timeout)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read()
    return MeasuredRun(
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss // 1024,
        exit_code=process.returncode,
        stdout=stdout,
    )


def _wait_or_kill(
    process: subprocess.Popen[bytes], deadline: float
) -> tuple[int, resource.struct_rusage]:
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            return status, usage
        if time.perf_counter() > deadline:
            process.kill()
            _, status, usage = os.wait4(process.pid, 0)
            return status, usage
        time.sleep(POLL_SECONDS)
