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
    if sys.argv[1:3] == ["faulttree", "quantify"]:  # other commands do not import cli.fast
        from cellguard.cli.fast import exit_code

        code = exit_code(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    with importing():
        from cellguard.cli.app import app

    try:
        app(prog_name="cellguard")
    finally:
        # The process ends here. Frozen, what the command built is left to the operating
        # system instead of the collector's last passes over all of it at exit (2 of 13 s of
        # CPU after assessing 10,000 components; 0.4 of 1.9 s at 1,000).
        gc.freeze()


def __getattr__(name: str) -> Any:
    if name in ("app", "CellguardGroup", "main"):
        from cellguard.cli import app as module

        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
