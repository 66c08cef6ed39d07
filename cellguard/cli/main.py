"""The ``cellguard`` command's entry point, light enough to start fast (issues 19 and 21).

:func:`run` first offers the command line to :mod:`cellguard.cli.fast`, which runs a plain
``faulttree quantify`` without typer or pydantic; every other command line goes to the typer
app of :mod:`cellguard.cli.app`. ``app``, ``CellguardGroup`` and ``main`` are importable from
here as before (PEP 562: importing them imports the typer app).
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING, Any

from cellguard.cli.importing import importing

if TYPE_CHECKING:
    from cellguard.cli.app import CellguardGroup, app, main

__all__ = ["CellguardGroup", "app", "main", "run"]


def run() -> None:
    """Console-script entry point."""
    from cellguard.cli.class_methods import install

    install()  # the dataclasses made from here on compile fewer methods
    if sys.argv[1:3] == ["faulttree", "quantify"]:  # other commands do not import cli.fast
        from cellguard.cli.fast import exit_code

        code = exit_code(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    from cellguard.models.spare import mark

    mark()  # whether a second core is free is judged from the start (models/spare.py)
    with importing():
        from cellguard.cli.app import app

    try:
        app(prog_name="cellguard")
    except SystemExit as done:  # typer's app always leaves this way
        leave_now(done.code)
        raise
    finally:
        # Where leave_now() cannot end the process here, it ends in the interpreter's exit.
        # Frozen, what the command built is left to the operating system instead of the
        # collector's last passes over all of it (2 of 13 s of CPU after assessing 10,000
        # components; 0.4 of 1.9 s at 1,000).
        gc.freeze()


def leave_now(code: object) -> None:
    """End the process with exit status ``code`` at once, as the interpreter's exit would.

    The interpreter's own exit takes its time to free everything the command built, none of
    which writes anything: 0.14-0.16 s after assessing 10,001 components (a 500 MB heap). Here
    the output streams are flushed and the ``atexit`` handlers run (as at a normal exit) and
    then the process ends without the freeing (``os._exit``; mypy leaves the same way). It
    returns, leaving the exit to the interpreter, where that could differ from a normal exit:
    a status that is not a number from 0 to 255 (the interpreter prints a message), a stream
    that cannot be flushed (the interpreter reports it), a thread still running (the
    interpreter waits for it), or a tracer, profiler or coverage measurement that writes its
    results while the interpreter finalises.
    """
    if code is None:
        code = 0
    if not isinstance(code, int) or not 0 <= code <= 255:  # ints, bools and ExitCode
        return
    if sys.gettrace() is not None or sys.getprofile() is not None or "coverage" in sys.modules:
        return
    threading = sys.modules.get("threading")
    if threading is not None and any(
        not thread.daemon and thread is not threading.main_thread()
        for thread in threading.enumerate()
    ):
        return
    import atexit
    import os

    if not _flushed():
        return
    atexit._run_exitfuncs()
    if _flushed():  # a handler's output is written (its failure is the interpreter's to tell)
        os._exit(int(code))


def _flushed() -> bool:
    """Whether standard output and standard error are flushed (or closed: nothing to flush)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None or getattr(stream, "closed", False):
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            return False
    return True


def __getattr__(name: str) -> Any:
    if name in ("app", "CellguardGroup", "main"):
        from cellguard.cli import app as module

        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
