"""The project's exceptions: errors a user can act on, raised at module boundaries."""

from __future__ import annotations

#: Exit codes every command shares (documented in README.md).
EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2


class KgError(Exception):
    """A failure with a one-line message for the user and the exit code it maps to.

    Modules raise it; only the CLI turns it into text on stderr and an exit code.

    Args:
        message: one line saying what is wrong and where (file, line, node or name).
        exit_code: the process exit code the CLI should use (2 for usage or input errors).
    """

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


def one_line(text: object) -> str:
    """``text`` (an error, or any text) on one line: every run of whitespace, line breaks
    included, becomes one space, so a library's message fits the one-line error rule.

    Example:
        >>> one_line(ValueError("bad\\n  input "))
        'bad input'
    """
    return " ".join(str(text).split())
