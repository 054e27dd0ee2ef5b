"""Keeping third-party libraries' logged warnings off the terminal.

rdflib logs a multi-line traceback for every literal it cannot convert (``"abc"^^xsd:int``),
and pySHACL logs and warns as it goes; what matters of either reaches the user as a report or
a one-line error, never as a traceback.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

_LOGGERS = ("rdflib", "rdflib.term", "pyshacl")


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Silence rdflib's and pySHACL's loggers and Python warnings for the duration."""
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
