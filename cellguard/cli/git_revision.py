"""Spec paths as they were at a git revision, written to a temporary directory.

``check --baseline git:REF`` and ``diff git:REF PATH`` assess "the same paths at REF": each
path's repository is found with ``git rev-parse --show-toplevel``, the spec files under it at
REF are listed with ``git ls-tree`` and copied out with ``git cat-file``, keeping their paths
relative to the repository root. Every git call runs without a shell and with a timeout.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cellguard.cli.exit_codes import UserError
from cellguard.models.loader import SpecLoadError
from cellguard.models.loader.organisation import SPEC_SUFFIXES
from cellguard.models.quoting import quoted

GIT_PREFIX = "git:"
GIT_TIMEOUT_S = 60.0
_BLOB = "blob"
_SYMLINK_MODE = "120000"


@dataclass(frozen=True)
class Materialised:
    """Where each requested path was written (``at_ref``), and the paths REF does not have."""

    ref: str
    at_ref: tuple[Path, ...]
    missing: tuple[Path, ...]
    directory: Path
    """The temporary directory holding one ``repoN`` folder per repository."""
    unborn: tuple[Path, ...] = ()
    """Repositories (roots) in which ``HEAD`` has no commit yet: their paths are ``missing``."""

    def load_error(self, exc: SpecLoadError) -> UserError:
        """A one-line error for specs at REF that do not load, naming files as ``REF:path``."""
        first = exc.errors[0].render().splitlines()[0] if exc.errors else str(exc)
        copy = re.escape(f"{self.directory}{os.sep}") + r"repo\d+" + re.escape(os.sep)
        return UserError(
            f"the specs at {self.ref} do not load: {re.sub(copy, f'{self.ref}:', first)}",
            hint="pick a revision where the specs load",
        )


def git_ref(text: str) -> str | None:
    """``REF`` of a ``git:REF`` argument; ``None`` for anything else."""
    if not text.startswith(GIT_PREFIX):
        return None
    ref = text[len(GIT_PREFIX) :]
    if not ref or ref.startswith("-") or any(c.isspace() or c == "\0" for c in ref):
        raise UserError(
            f"invalid git revision {quoted(ref, escape=True)} in {quoted(text, escape=True)}",
            hint="write git:REF with a branch, tag or commit, e.g. git:main or git:HEAD~1",
        )
    return ref


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(cwd), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise UserError(
            "git is not installed", hint="install git, or pass a JSON report as --baseline"
        ) from None
    except subprocess.TimeoutExpired:
        raise UserError(f"git {args[0]} took longer than {GIT_TIMEOUT_S:.0f} s in {cwd}") from None


def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit status {proc.returncode}"


def repository_root(path: Path) -> Path | None:
    """The root of the git work tree holding ``path``, or ``None`` outside any repository."""
    probe = path if path.is_dir() else path.parent
    if not probe.is_dir():
        return None
    proc = _git(probe, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode("utf-8").strip()).resolve()


def _unborn_head(root: Path, ref: str) -> bool:
    """``ref`` is ``HEAD`` of a repository without any commit (``git init``, nothing committed):
    the branch HEAD names does not exist yet."""
    if ref != "HEAD":
        return False
    branch = _git(root, "symbolic-ref", "--quiet", "HEAD")
    if branch.returncode != 0:
        return False
    name = branch.stdout.decode("utf-8", "surrogateescape").strip()
    exists = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", name)
    return exists.returncode != 0


def _verify_ref(root: Path, ref: str) -> str | None:
    """The commit ``ref`` names in ``root``; ``None`` for ``HEAD`` before the first commit."""
    proc = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if proc.returncode != 0:
        if _unborn_head(root, ref):
            return None
        raise UserError(
            f"{quoted(ref, escape=True)} is not a commit in the git repository {root}",
            hint="use a branch, tag or commit that exists here (git fetch it first in CI, "
            "e.g. actions/checkout with fetch-depth: 0)",
        )
    return proc.stdout.decode("ascii").strip()


def _blobs(root: Path, commit: str, relative: str) -> list[tuple[str, str]]:
    """(object id, path) of the spec files at ``relative`` (a file or folder) in ``commit``."""
    proc = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", relative)
    if proc.returncode != 0:
        raise UserError(f"git ls-tree failed in {root}: {_stderr(proc)}")
    found: list[tuple[str, str]] = []
    for entry in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not entry:
            continue
        info, _, name = entry.partition("\t")
        mode, kind, oid = info.split(" ")
        if kind != _BLOB or mode == _SYMLINK_MODE:
            continue
        if PurePosixPath(name).suffix in SPEC_SUFFIXES:
            found.append((oid, name))
    return sorted(found, key=lambda item: item[1])


def _write_blob(root: Path, oid: str, target: Path) -> None:
    proc = _git(root, "cat-file", "blob", oid)
    if proc.returncode != 0:
        raise UserError(f"git cat-file failed in {root}: {_stderr(proc)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(proc.stdout)


@contextmanager
def paths_at_revision(paths: list[Path], ref: str) -> Iterator[Materialised]:
    """Write ``paths`` as of ``ref`` into a temporary directory for the ``with`` block.

    Paths are matched to their repositories one by one (so paths in two repositories work);
    a path with no spec file at ``ref`` is reported in ``missing``, as is every path of a
    repository whose ``HEAD`` has no commit yet (listed in ``unborn``: before the first commit
    everything is new). Raises :class:`UserError` when a path is outside any git repository or
    ``ref`` is not a commit there.
    """
    roots: dict[Path, tuple[int, str | None]] = {}
    with tempfile.TemporaryDirectory(prefix="cellguard-git-") as tmp:
        at_ref: list[Path] = []
        missing: list[Path] = []
        for path in paths:
            try:
                absolute = path.resolve()
            except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (3.11/3.12)
                reason = "a symbolic link loop" if isinstance(exc, RuntimeError) else exc.strerror
                raise UserError(
                    f"{path}:1:1: cannot read file: {reason}",  # as the loader locates it
                    hint="point at a spec file or a directory of spec files",
                ) from None
            root = repository_root(absolute)
            if root is None:
                raise UserError(
                    f"{path} is not inside a git repository",
                    hint="git:REF reads the path from the git repository holding it; "
                    "check also takes a JSON report (assess --format json) as --baseline",
                )
            if root not in roots:
                roots[root] = (len(roots), _verify_ref(root, ref))
            index, commit = roots[root]
            if commit is None:
                missing.append(path)
                continue
            relative = absolute.relative_to(root).as_posix()
            blobs = _blobs(root, commit, relative)
            if not blobs:
                missing.append(path)
                continue
            base = Path(tmp) / f"repo{index}"
            for oid, name in blobs:
                _write_blob(root, oid, base / name)
            at_ref.append(base / relative if relative != "." else base)
        unborn = tuple(root for root, (_, commit) in roots.items() if commit is None)
        yield Materialised(ref, tuple(at_ref), tuple(missing), Path(tmp), unborn)
