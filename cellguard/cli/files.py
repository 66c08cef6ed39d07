"""Writing user files safely: atomically, and never over an existing file without ``--force``.

An existing entry is anything ``lstat`` finds, so a dangling or looping symbolic link counts;
with ``--force`` the link itself is replaced (``rename``), never the file it points to.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import typer

from cellguard.cli.exit_codes import UserError
from cellguard.cli.overlap import write_overlapped
from cellguard.models.quoting import clipped
from cellguard.models.text import inert


def _default_mode() -> int:
    """The mode ``open()`` would give a new file: 0666 minus the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def occupied(path: Path) -> bool:
    """Whether a directory entry exists at ``path``: a file, a directory, or a symbolic link --
    dangling or looping ones too (``Path.exists()`` follows links and says no to those)."""
    return os.path.lexists(path)


def _entry(path: Path) -> os.stat_result | None:
    """The status of the directory entry ``path`` itself (a link, not what it points to)."""
    try:
        return path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None  # a parent that is a file is reported by check_writable
    except OSError as exc:
        raise UserError(f"cannot use {path}: {exc.strerror or exc}") from None


def _link(path: Path) -> str:
    """What the symbolic link ``path`` is: ``a symbolic link to T``, dangling or looping."""
    try:
        target = clipped(str(path.readlink()))
    except OSError:
        target = "?"
    try:
        path.stat()
    except FileNotFoundError:
        return f"a dangling symbolic link to {target}"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"a symbolic link to {target}, which loops"
        return f"a symbolic link to {target} ({exc.strerror or exc})"
    return f"a symbolic link to {target}"


_SPECIAL = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
}


def _special(mode: int) -> str | None:
    """The kind of a file that is neither a regular file, a directory nor a link."""
    return _SPECIAL.get(stat.S_IFMT(mode))


def check_writable(path: Path, *, force: bool) -> None:
    """Raise :class:`UserError` unless ``path`` names a file that may be (over)written.

    Any existing entry needs ``force``, a symbolic link included (dangling or looping: with
    ``force`` the link itself is replaced, its target never written). A directory -- or a link
    to one -- and a device, pipe or socket (or a link to one) are never replaced.
    """
    entry = _entry(path)
    if entry is not None and stat.S_ISLNK(entry.st_mode):
        what = _link(path)
        try:
            pointed = path.stat().st_mode
        except OSError:
            pointed = None
        if pointed is not None and stat.S_ISDIR(pointed):
            raise UserError(f"{path} is {what}, a directory", hint="give a file name")
        if pointed is not None and _special(pointed):
            raise UserError(
                f"{path} is {what}, {_special(pointed)}",
                hint="cellguard writes regular files; for standard output use -o - or leave out -o",
            )
        if not force:
            raise UserError(
                f"{path} already exists ({what})",
                hint="pass --force to replace the link itself (its target is not written)",
            )
    elif entry is not None and stat.S_ISDIR(entry.st_mode):
        raise UserError(f"{path} is a directory", hint="give a file name")
    elif entry is not None and _special(entry.st_mode):
        raise UserError(
            f"{path} is {_special(entry.st_mode)}, not a regular file",
            hint="cellguard writes regular files; for standard output use -o - or leave out -o",
        )
    elif entry is not None and not force:
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


def _place(tmp: Path, path: Path, *, force: bool) -> None:
    """Give the finished temporary file ``tmp`` the name ``path``, atomically.

    With ``force`` a rename replaces whatever entry is there (a link is replaced, not followed).
    Without, a hard link refuses to replace an entry created since :func:`check_writable`
    looked; where hard links are not supported, the check is repeated just before renaming.
    """
    if force:
        tmp.replace(path)
        return
    try:
        os.link(tmp, path, follow_symlinks=False)
    except FileExistsError:
        raise UserError(f"{path} already exists", hint="pass --force to overwrite it") from None
    except OSError:
        if occupied(path):
            raise UserError(f"{path} already exists", hint="pass --force to overwrite it") from None
        tmp.replace(path)


def write_text_atomic(path: Path, text: str | Iterable[str], *, force: bool) -> None:
    """Write ``text`` to ``path`` via a temporary file and rename; refuse to overwrite unless forced.

    ``text`` may come in pieces (:func:`~cellguard.reports.formats.render_chunks`): each is
    written while the next is made (:mod:`cellguard.cli.overlap`); the file gets its name only
    once all are written.

    A regular file that is replaced keeps its mode; a replaced symbolic link becomes a regular
    file with the default mode, and the file it pointed to is left as it was. Every
    file-system failure becomes a :class:`UserError` naming the path (exit code 2).
    """
    check_writable(path, force=force)
    tmp: Path | None = None
    try:
        entry = _entry(path)
        regular = entry is not None and stat.S_ISREG(entry.st_mode)
        mode = stat.S_IMODE(entry.st_mode) if entry is not None and regular else _default_mode()
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        os.fchmod(fd, mode)  # mkstemp makes 0600; keep the file's mode, or use the umask's
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                write_overlapped(text, handle.write)
            handle.flush()
            os.fsync(handle.fileno())
        _place(tmp, path, force=force)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def emit(text: str | Iterable[str], output: Path | None, *, force: bool) -> None:
    """Print ``text`` to stdout, or write it to ``output`` (``-`` also means stdout). Text in
    pieces is written a piece at a time while the next is made (:mod:`cellguard.cli.overlap`)."""
    if output is None or str(output) == "-":
        if isinstance(text, str):
            typer.echo(text, nl=False)
        else:
            try:
                write_overlapped(text, _echo)
            except BrokenPipeError:
                _reader_gone()
    else:
        write_text_atomic(output, text, force=force)
        typer.echo(inert(f"wrote {output}", single_line=True), err=True)


def _echo(piece: str) -> None:
    typer.echo(piece, nl=False)


def _reader_gone() -> None:
    """Standard output's reader closed it (``cellguard assess ... | head``): the rest of the
    report goes nowhere, and the streams' flushing at exit finds nothing left to fail on; the
    exit code is the assessment's. (The one write of a whole report was as quiet when the
    reader closed in its middle; a reader gone before it made it an internal error, exit 3.)"""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real stream (tests' runners)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
