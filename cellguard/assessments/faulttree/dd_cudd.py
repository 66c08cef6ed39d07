"""``dd.cudd`` imported without networkx (issue 21: the ``faulttree`` command imports only the
engine).

dd's helper module ``dd._utils`` imports networkx at its top, although dd uses networkx only to
export a diagram as a graph (``dd.bdd.to_nx``) and to name its type (``_utils.MultiDiGraph``,
written in annotations as a string); nothing cellguard calls in dd touches it. The import cost
0.2-0.3 s of CPU per process on this machine (``python -X importtime -c "import dd.cudd"``:
340 ms with networkx, 44 ms without), more than the rest of the engine.

dd already treats networkx as optional (``try: import networkx`` ... ``except ImportError``), so
``dd.cudd`` is imported here with networkx hidden (``sys.modules["networkx"] = None`` makes
``import networkx`` raise ``ImportError``) and networkx is given back to ``dd._utils`` to be
imported when first asked for: ``_utils.import_module("networkx")`` (what ``to_nx`` calls) and
``_utils.MultiDiGraph`` import it then, and fail as dd would when it is not installed.

When networkx or ``dd._utils`` is already imported (``cellguard assess`` builds its graph with
networkx), dd is imported as usual. The hiding lasts only while dd's modules execute, in the
importing thread; another thread importing networkx in that instant would get the
``ImportError`` (cellguard imports the engine before it starts threads).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = ["cudd"]


def _restore_networkx(utils: ModuleType) -> None:
    """Let ``dd._utils`` import networkx on first use, as if it had imported it at its top."""
    original = utils.import_module

    def import_module(module_name: str) -> ModuleType:
        if module_name == "networkx":
            return importlib.import_module("networkx")  # ImportError when not installed, as dd's
        result: ModuleType = original(module_name)
        return result

    def module_getattr(name: str) -> object:
        if name == "MultiDiGraph":
            try:
                return importlib.import_module("networkx").MultiDiGraph
            except ImportError:
                pass
        raise AttributeError(f"module 'dd._utils' has no attribute {name!r}")

    utils.import_module = import_module  # type: ignore[attr-defined]
    utils.__getattr__ = module_getattr  # type: ignore[method-assign]  # PEP 562


def _import_cudd() -> ModuleType:
    hide = "networkx" not in sys.modules and "dd._utils" not in sys.modules
    if not hide:
        import dd.cudd

        return sys.modules["dd.cudd"]
    sys.modules["networkx"] = None  # type: ignore[assignment]  # `import networkx` raises
    try:
        import dd._utils
        import dd.cudd
    finally:
        if "networkx" in sys.modules and sys.modules["networkx"] is None:
            del sys.modules["networkx"]
    if getattr(dd._utils, "_nx", True) is None:  # dd's own fallback ran: give networkx back
        _restore_networkx(dd._utils)
    return sys.modules["dd.cudd"]


cudd = _import_cudd()
"""The ``dd.cudd`` module."""
