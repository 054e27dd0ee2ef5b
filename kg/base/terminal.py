"""Terminal manners: colour only on a terminal and never with NO_COLOR, progress only on a
terminal, so pipes, files and CI logs get plain text."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

import click


def colour_enabled(stream: IO[str] | None = None) -> bool:
    """Whether to colour output to ``stream`` (stdout by default): a TTY, and NO_COLOR unset."""
    stream = stream or sys.stdout
    if "NO_COLOR" in os.environ:  # https://no-color.org: any value, even empty, disables colour
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def paint(text: str, *, stream: IO[str] | None = None, **style: object) -> str:
    """``text`` styled with :func:`click.style` where colour is enabled, else unchanged."""
    return click.style(text, **style) if colour_enabled(stream) else text  # type: ignore[arg-type]


@contextmanager
def steps(label: str, total: int) -> Iterator[callable]:  # type: ignore[valid-type]
    """A progress bar on stderr for work in ``total`` steps, shown only on a terminal.

    Yields a function to call with a short description as each step starts.
    """
    if not colour_enabled(sys.stderr) and not sys.stderr.isatty():
        yield lambda description: None
        return
    with click.progressbar(
        length=total, label=label, file=sys.stderr, show_pos=True, item_show_func=lambda item: item
    ) as bar:
        done = {"count": 0}

        def advance(description: str) -> None:
            if done["count"]:
                bar.update(1, description)
            else:
                bar.update(0, description)
            done["count"] += 1

        yield advance
        bar.update(total - bar.pos)


@contextmanager
def counter(label: str) -> Iterator[Callable[[str], None]]:
    """A one-line count on stderr for work of unknown length (``label: query 12``), shown only
    on a terminal and cleared at the end.

    Yields a function to call with a short description as each piece starts.
    """
    if not sys.stderr.isatty():
        yield lambda description: None
        return
    width = {"last": 0}

    def show(description: str) -> None:
        line = f"{label}: {description}"
        sys.stderr.write("\r" + line.ljust(width["last"]))
        sys.stderr.flush()
        width["last"] = len(line)

    try:
        yield show
    finally:
        sys.stderr.write("\r" + " " * width["last"] + "\r")
        sys.stderr.flush()
