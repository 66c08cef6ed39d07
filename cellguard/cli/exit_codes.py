"""Exit codes (DESIGN §7) and the one place that maps exceptions to them."""

from __future__ import annotations

import errno
import functools
import os
from collections.abc import Callable
from enum import IntEnum
from typing import ParamSpec, TypeVar

from cellguard.models.loader.errors import SpecLoadError
from cellguard.models.text import inert

P = ParamSpec("P")
R = TypeVar("R")


class ExitCode(IntEnum):
    """Process exit codes of every command."""

    OK = 0
    FINDINGS = 1
    INPUT_ERROR = 2
    INTERNAL_ERROR = 3


class UserError(Exception):
    """A problem with the user's input or environment: reported in one line, exit code 2."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
"""Errors of a write the device or quota refused: a full disk is no bug of cellguard's."""


def _debug() -> bool:
    return os.environ.get("CELLGUARD_DEBUG", "") not in ("", "0")


def report_failure(exc: BaseException, echo: Callable[[str], None]) -> int | None:
    """Write what the user needs to know about ``exc`` with ``echo`` (one line each, to the
    error stream) and return the exit code; ``None`` when ``exc`` must propagate as it is
    (``SystemExit``, or any unexpected exception with ``CELLGUARD_DEBUG`` set)."""
    if isinstance(exc, SpecLoadError):
        echo(exc.render())
        count = len(exc.errors)
        echo(f"cellguard: {count} error{'s' if count != 1 else ''}")
        return ExitCode.INPUT_ERROR
    if isinstance(exc, UserError):
        echo(inert(f"cellguard: error: {exc}", single_line=True))
        if exc.hint:
            echo(inert(f"    hint: {exc.hint}", single_line=True))
        return ExitCode.INPUT_ERROR
    if isinstance(exc, KeyboardInterrupt):
        echo("cellguard: interrupted")
        return 130
    if isinstance(exc, OSError) and exc.errno in _FULL:  # the environment's, not a bug
        where = f" ({inert(exc.filename, single_line=True)})" if exc.filename else ""
        echo(f"cellguard: error: cannot write the output{where}: {exc.strerror or exc}")
        echo("    hint: free space on that device (or quota), or write elsewhere with -o PATH")
        return ExitCode.INPUT_ERROR
    if not isinstance(exc, Exception) or _debug():
        return None
    echo(
        f"cellguard: internal error: {inert(type(exc).__name__)}: "
        f"{inert(exc, single_line=True)}\n"
        "    this is a bug in cellguard; rerun with CELLGUARD_DEBUG=1 for the traceback "
        "and report it"
    )
    return ExitCode.INTERNAL_ERROR


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Run a command, turning known failures into messages and exit codes, never a traceback.

    Set ``CELLGUARD_DEBUG=1`` to let unexpected exceptions propagate with their traceback.
    """
    import typer  # here, not at the top: cellguard.cli.fast reports errors without typer

    def echo(message: str) -> None:
        typer.echo(message, err=True)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except BaseException as exc:
            code = report_failure(exc, echo)
            if code is None:
                raise
            raise typer.Exit(code) from None

    return wrapper


def fail(message: str, hint: str | None = None) -> None:
    """Abort the command with a user error."""
    raise UserError(message, hint)
