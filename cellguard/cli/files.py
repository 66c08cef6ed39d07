"""Writing user files safely: atomically, and never over an existing file without ``--force``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from cellguard.cli.exit_codes import UserError
from cellguard.models.text import inert


def _default_mode() -> int:
    """The mode ``open()`` would give a new file: 0666 minus the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_writable(path: Path, *, force: bool) -> None:
    """Raise :class:`UserError` unless ``path`` names a file that may be (over)written."""
    if path.is_dir():
        raise UserError(f"{path} is a directory", hint="give a file name")
    if path.exists() and not force:
        raise UserError(f"{path} already exists", hint="pass --force to overwrite it")
    if path.parent.exists() and not path.parent.is_dir():
        raise UserError(f"{path.parent} is not a directory", hint="give a path inside a directory")
    if not path.parent.is_dir():
        raise UserError(f"directory {path.parent} does not exist", hint="create it first")


def make_directory(path: Path, *, parents: bool = True) -> None:
    """Create ``path`` (and its missing parents, if ``parents``; existing is fine), or raise
    :class:`UserError`."""
    try:
        path.mkdir(parents=parents, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {path}: {exc.strerror or exc}") from None


def write_text_atomic(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` via a temporary file and rename; refuse to overwrite unless forced.

    Every file-system failure becomes a :class:`UserError` naming the path (exit code 2).
    """
    check_writable(path, force=force)
    tmp: Path | None = None
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else _default_mode()
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        os.fchmod(fd, mode)  # mkstemp makes 0600; keep the file's mode, or use the umask's
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def emit(text: str, output: Path | None, *, force: bool) -> None:
    """Print ``text`` to stdout, or write it to ``output`` (``-`` also means stdout)."""
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
    else:
        write_text_atomic(output, text, force=force)
        typer.echo(inert(f"wrote {output}", single_line=True), err=True)
