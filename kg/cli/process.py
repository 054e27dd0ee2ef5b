"""What a `kg` process keeps until it ends (see :func:`kg.cli.main.console_main`)."""

from __future__ import annotations

#: What a command answered from (an in-memory store of the data), kept alive until the process
#: ends: freeing 1M triples object by object takes 0.3 s, after the answer is printed.
KEPT_UNTIL_EXIT: list[object] = []


def keep_until_exit(thing: object) -> None:
    """Keep ``thing`` alive until the process ends, for the operating system to free."""
    KEPT_UNTIL_EXIT.append(thing)
