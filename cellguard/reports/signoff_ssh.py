"""Keyed signatures of sign-off records with OpenSSH (``ssh-keygen -Y sign`` / ``-Y verify``).

The unkeyed chain cannot stop someone who rewrites the store and recomputes the digests. A
record can also carry ``signature``: an SSH signature (namespace ``cellguard-signoff``) of
its ``digest``, which covers every field and the predecessor's digest. ``verify`` with an
allowed-signers file (``ssh-keygen(1)`` ALLOWED SIGNERS: ``alice ssh-ed25519 AAAA...``)
requires the checked record to be signed by a key listed for its ``reviewer`` as principal.
Every call runs ``ssh-keygen`` without a shell and with a timeout.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cellguard.reports.signoff import SignoffRecord
from cellguard.reports.signoff_store import SignoffError

NAMESPACE = "cellguard-signoff"
"""The ``-n`` namespace: a signature made for anything else does not verify as a sign-off."""

TIMEOUT_S = 60.0


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise SignoffError(
            "ssh-keygen not found: signing and checking signatures needs OpenSSH 8.1 or later"
        )
    return found


def _run(arguments: list[str], data: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            [_ssh_keygen(), *arguments],
            input=data.encode("ascii"),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SignoffError(f"ssh-keygen did not finish in {TIMEOUT_S:.0f} s") from None
    except OSError as exc:
        raise SignoffError(f"cannot run ssh-keygen: {exc.strerror or exc}") from None


def _reason(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else f"ssh-keygen exit code {result.returncode}"


def sign_digest(digest: str, key: Path) -> str:
    """The SSH signature of ``digest`` with ``key`` (a private key, or a public key in ssh-agent)."""
    if not key.is_file():
        raise SignoffError(f"--sign-key {key}: no such key file")
    result = _run(["-Y", "sign", "-f", str(key), "-n", NAMESPACE], digest)
    if result.returncode != 0 or not result.stdout.startswith(b"-----BEGIN SSH SIGNATURE-----"):
        raise SignoffError(f"cannot sign with {key}: {_reason(result)}")
    return result.stdout.decode("ascii")


@dataclass(frozen=True)
class AllowedSigners:
    """An allowed-signers file: which keys may sign for which reviewer."""

    path: Path

    def check(self, record: SignoffRecord) -> str | None:
        """None when ``record`` is signed by a key allowed for its reviewer, else why not."""
        if record.signature is None:
            return f"it is not signed, and {self.path} requires signatures"
        with tempfile.TemporaryDirectory(prefix="cellguard-sig-") as tmp:
            signature = Path(tmp) / "record.sig"
            signature.write_text(record.signature, encoding="ascii", errors="replace")
            result = _run(
                [
                    "-Y",
                    "verify",
                    "-f",
                    str(self.path),
                    "-I",
                    record.reviewer,
                    "-n",
                    NAMESPACE,
                    "-s",
                    str(signature),
                ],
                record.digest,
            )
        if result.returncode == 0:
            return None
        return (
            f"its signature does not verify as reviewer {record.reviewer!r} against "
            f"{self.path} ({_reason(result)})"
        )
