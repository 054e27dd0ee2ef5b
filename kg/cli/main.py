"""The ``kg`` command: parses arguments, calls the Python API (:mod:`kg.api`) or the modules
that do the work, prints.

Exit codes: 0 success (the data conforms), 1 the data does not conform, 2 usage or input error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import NoReturn

import click

from kg.base.errors import EXIT_OK, EXIT_USAGE, KgError, one_line
from kg.base.version import __version__
from kg.cli.process import KEPT_UNTIL_EXIT

_DEBUG = {"enabled": False}

#: Errors of a write that failed for want of room or a working device, not for a bug of kg's.
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


#: Each command's name -> ``module:attribute`` of its click command.
COMMANDS = {
    "queries": "kg.cli.ask:list_queries",
    "query": "kg.cli.ask:run_saved_query",
    "describe": "kg.cli.ask:describe_command",
    "validate": "kg.cli.check:validate_command",
    "check": "kg.cli.check:check_command",
    "reason": "kg.cli.check:reason_command",
    "viz": "kg.cli.draw:viz_command",
    "chart": "kg.cli.draw:chart_command",
    "docs": "kg.cli.draw:docs_command",
    "export": "kg.cli.publish:export_command",
    "push": "kg.cli.publish:push_command",
    "serve": "kg.cli.serve:serve_command",
}


class CommandsFromModules(click.Group):
    """A click group whose commands are imported from the module that owns each only when that
    command runs (or ``kg --help`` lists them): ``kg query`` does not pay for ``kg serve``'s
    options."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        import importlib

        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=CommandsFromModules, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
def cli(debug: bool) -> None:
    """Ask the supernode knowledge graph: saved SPARQL queries and SHACL validation.

    \b
    Examples:
      kg queries
      kg query solutions
      kg query partners --param org=snd:tencent --format csv
      kg validate
      kg reason
      kg check
    """
    _DEBUG["enabled"] = debug


def console_main() -> NoReturn:
    """The ``kg`` command (and ``python -m kg``): :func:`main`, then the process ends.

    A command that answered from an in-memory store leaves it to the operating system to
    free, as clang's ``-disable-free`` does: freeing a store object by object takes 20 ms at
    100k triples and 0.3 s at 1M, after the answer is printed. Standard output is flushed
    first; a write error there is reported as any other (exit 2), a closed pipe is not.
    """
    code = main()
    if not KEPT_UNTIL_EXIT:
        sys.exit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OSError as error:
        _report(f"kg: error: cannot write: {error.strerror or error}")
        code = EXIT_USAGE
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run ``kg``; return its exit code. Errors print one line on stderr, never a traceback
    (unless ``--debug``)."""
    try:
        return _run(argv)
    finally:
        if argv is not None:  # in process (tests, scripts): nothing is kept past the call
            KEPT_UNTIL_EXIT.clear()


def _run(argv: list[str] | None) -> int:
    try:
        code = cli.main(args=argv, prog_name="kg", standalone_mode=False)
    except KgError as error:
        _report(f"kg: error: {error.message}")
        return error.exit_code
    except click.exceptions.Abort:
        _report("kg: aborted")
        return EXIT_USAGE
    except click.ClickException as error:
        # One line, as every other error: click's own usage block takes three.
        hint = ""
        if isinstance(error, click.UsageError) and error.ctx is not None:
            hint = f" (see '{error.ctx.command_path} --help')"
        _report(f"kg: error: {one_line(error.format_message())}{hint}")
        return EXIT_USAGE if error.exit_code not in (0, 1) else error.exit_code
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int | None) else EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:
        if isinstance(error, OSError) and error.errno in _WRITE_ERRORS:
            _report(f"kg: error: cannot write: {error.strerror}")  # a full disk, say
        else:
            _report(
                f"kg: internal error: {type(error).__name__}: {one_line(error)} (run with --debug for details)"
            )
        return EXIT_USAGE
    return code if isinstance(code, int) else EXIT_OK


def _report(message: str) -> None:
    if _DEBUG["enabled"]:
        import traceback

        traceback.print_exc()
    from kg.base.terminal import paint

    prefix, _, rest = printable(message).partition(": ")
    click.echo(
        f"{paint(prefix + ':', stream=sys.stderr, fg='red', bold=True)} {rest}" if rest else prefix,
        err=True,
    )


def printable(message: str) -> str:
    """The message on one line: control and other unprintable characters (which a bad input
    can carry into it) written as escapes, so that no terminal or log sees a line break."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in message
    )
