"""Exit codes (DESIGN §7) and the one place that maps exceptions to them."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from enum import IntEnum
from typing import ParamSpec, TypeVar

import typer

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


def _debug() -> bool:
    return os.environ.get("CELLGUARD_DEBUG", "") not in ("", "0")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Run a command, turning known failures into messages and exit codes, never a traceback.

    Set ``CELLGUARD_DEBUG=1`` to let unexpected exceptions propagate with their traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except SpecLoadError as exc:
            typer.echo(exc.render(), err=True)
            count = len(exc.errors)
            typer.echo(f"cellguard: {count} error{'s' if count != 1 else ''}", err=True)
            raise typer.Exit(ExitCode.INPUT_ERROR) from None
        except UserError as exc:
            typer.echo(inert(f"cellguard: error: {exc}", single_line=True), err=True)
            if exc.hint:
                typer.echo(inert(f"    hint: {exc.hint}", single_line=True), err=True)
            raise typer.Exit(ExitCode.INPUT_ERROR) from None
        except KeyboardInterrupt:
            typer.echo("cellguard: interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if _debug():
                raise
            typer.echo(
                f"cellguard: internal error: {inert(type(exc).__name__)}: "
                f"{inert(exc, single_line=True)}\n"
                "    this is a bug in cellguard; rerun with CELLGUARD_DEBUG=1 for the traceback "
                "and report it",
                err=True,
            )
            raise typer.Exit(ExitCode.INTERNAL_ERROR) from None

    return wrapper


def fail(message: str, hint: str | None = None) -> None:
    """Abort the command with a user error."""
    raise UserError(message, hint)
