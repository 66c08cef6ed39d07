"""cellguard: resilience assessment and architecture-as-code for generative-AI stacks.

``__version__`` has one source: the installed distribution's metadata (the ``version`` in
``pyproject.toml`` at build time). It is read on first use, so that importing cellguard does not
import ``importlib.metadata``.
"""

from __future__ import annotations

__all__ = ["__version__"]

UNKNOWN_VERSION = "0.0.0+unknown"


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cellguard")
    except PackageNotFoundError:  # a source tree on sys.path without an install
        return UNKNOWN_VERSION


def __getattr__(name: str) -> str:
    if name == "__version__":
        value = _installed_version()
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
