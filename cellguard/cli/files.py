"""Writing user files safely: atomically, and never over an existing file without ``--force``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from cellguard.cli.exit_codes import UserError


def write_text_atomic(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` via a temporary file and rename; refuse to overwrite unless forced."""
    if path.exists() and not force:
        raise UserError(f"{path} already exists", hint="pass --force to overwrite it")
    if path.exists() and path.is_dir():
        raise UserError(f"{path} is a directory")
    parent = path.parent if str(path.parent) else Path()
    if not parent.is_dir():
        raise UserError(f"directory {parent} does not exist", hint="create it first")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def emit(text: str, output: Path | None, *, force: bool) -> None:
    """Print ``text`` to stdout, or write it to ``output`` (``-`` also means stdout)."""
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
    else:
        write_text_atomic(output, text, force=force)
        typer.echo(f"wrote {output}", err=True)
