"""Running work on a loaded graph in another process, stopped at a deadline: the one place a
query that runs too long is ended, for `kg query --timeout` and for `kg serve`'s workers.

pyoxigraph cannot interrupt a running query, and a signal handler does not run while it does,
so work that must end on time runs in a process of its own, which is killed when the time is
up. :func:`run_before_deadline` forks a child of the calling process (which has the graph
loaded already) for one piece of work; `kg serve`'s workers (:mod:`kg.serve.workers`) are such
processes that answer many, and the server awaits each answer with :func:`await_answer`, the
same rule: an answer within ``seconds``, or the process is killed and :class:`DeadlinePassed`
raised.

Example:
    >>> run_before_deadline(lambda: "answer", 5.0)
    'answer'
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
from collections.abc import Callable
from typing import Any, TypeVar

from kg.base.errors import KgError, one_line

Answer = TypeVar("Answer")

#: prctl(2) option: the signal a process gets when the thread that forked it ends (Linux).
_PR_SET_PDEATHSIG = 1


class DeadlinePassed(KgError):
    """The work ran past its deadline; its process was killed.

    Attributes:
        seconds: the time the work was given.
    """

    def __init__(self, source: str, seconds: float) -> None:
        super().__init__(
            f"{source}: stopped after {seconds:g} s (--timeout); the query did not finish"
        )
        self.seconds = seconds


class ProcessEnded(KgError):
    """The process doing the work ended (or could not be reached) before it answered.

    Attributes:
        exitcode: how it ended, as :attr:`multiprocessing.Process.exitcode` says it (negative:
            the signal that ended it; ``-SIGABRT`` when Rust could not allocate under a memory
            cap); None if unknown.
    """

    def __init__(self, source: str, exitcode: int | None) -> None:
        super().__init__(f"{source}: the query process ended without an answer")
        self.exitcode = exitcode


def cap_memory(megabytes: int) -> None:
    """Limit this process's address space (soft and hard) to ``megabytes``."""
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def await_answer(
    connection: multiprocessing.connection.Connection,
    seconds: float,
    *,
    stop: Callable[[], int | None],
    source: str = "query",
) -> Any:
    """The answer the process at the other end of ``connection`` sends within ``seconds``.

    Args:
        connection: the pipe to the process doing the work.
        seconds: how long to wait.
        stop: kills that process (if it still runs) and returns how it ended.
        source: what to call the work in messages (a query's file name, say).

    Raises:
        DeadlinePassed: no answer in time; the process has been stopped.
        ProcessEnded: the process ended, or the pipe broke, before an answer came; the process
            has been stopped.
    """
    try:
        if not connection.poll(seconds):
            stop()
            raise DeadlinePassed(source, seconds)
        return connection.recv()
    except (EOFError, OSError):
        raise ProcessEnded(source, stop()) from None


def run_before_deadline(
    work: Callable[[], Answer],
    seconds: float,
    *,
    source: str = "query",
    max_memory_mb: int | None = None,
) -> Answer:
    """``work()``'s answer, computed in a forked child process that is killed at the deadline.

    The child sees everything the caller has loaded (a graph, say) without copying it. What
    ``work`` returns must pickle (a serialized answer: text or bytes).

    Args:
        work: the work; a :class:`~kg.base.errors.KgError` it raises is raised here with its message.
        seconds: the deadline, from now.
        source: what to call the work in messages.
        max_memory_mb: an address-space cap for the child (see :func:`cap_memory`); none if None.

    Raises:
        DeadlinePassed: ``work`` did not finish in ``seconds`` (message: ``SOURCE: stopped after
            N s (--timeout); the query did not finish``).
        ProcessEnded: the child ended without an answer (killed, or aborted).
        KgError: ``work`` raised one (its message), or another exception (its type and text).
    """
    receiving, sending = multiprocessing.Pipe(duplex=False)
    parent_pid = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            receiving.close()
            _child_main(work, sending, source, max_memory_mb, parent_pid)
        finally:
            os._exit(0)
    sending.close()
    ended: list[int | None] = []

    def stop() -> int | None:
        """Kill the child if it still runs, reap it, and say how it ended."""
        if not ended:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            try:
                ended.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            except ChildProcessError:  # reaped elsewhere
                ended.append(None)
        return ended[0]

    try:
        status, value = await_answer(receiving, seconds, stop=stop, source=source)
    finally:
        stop()  # an interrupted wait (Ctrl-C) must not leave the work running
        receiving.close()
    if status != "ok":
        raise KgError(value)
    answer: Answer = value
    return answer


def _child_main(
    work: Callable[[], object],
    sending: multiprocessing.connection.Connection,
    source: str,
    max_memory_mb: int | None,
    parent_pid: int,
) -> None:
    """In the child: do the work and send back ("ok", answer) or ("error", one line)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    _end_with_parent(parent_pid)
    payload: tuple[str, object]
    try:
        if max_memory_mb is not None:
            cap_memory(max_memory_mb)
        payload = ("ok", work())
    except KgError as error:
        payload = ("error", error.message)
    except BaseException as error:
        payload = ("error", f"{source}: {type(error).__name__}: {one_line(error)}")
    with contextlib.suppress(OSError):
        sending.send(payload)


def _end_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent ends (Linux), so that killing `kg`
    leaves no query running; elsewhere the parent's own clean-up has to do."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent ended before the line above took effect
        os._exit(1)
