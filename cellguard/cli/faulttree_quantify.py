"""``cellguard faulttree quantify`` without the command-line framework (issue 21 item 3).

The quantification, its output and its limits live here, importing neither typer nor pydantic,
so that :mod:`cellguard.cli.fast` can run a plain ``cellguard faulttree quantify FILE [OPTIONS]``
without them and :mod:`cellguard.cli.faulttree_cmd` (the typer command: help, errors, every other
form of the command line) runs the very same code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cellguard.cli.exit_codes import UserError
from cellguard.models.json_text import dumps
from cellguard.models.text import inert

if TYPE_CHECKING:
    from cellguard.assessments.faulttree.montecarlo import MonteCarloResult
    from cellguard.assessments.faulttree.quantify import Quantification
    from cellguard.assessments.faulttree.tree import FaultTree

MC_TRIALS = 1 << 20
"""Monte Carlo trials run beside a bound (das9701: about 1 s, nus9601 about 6 s)."""

MC_WORK = 1 << 32
"""Most trials × (gates + events) one estimate may simulate: a tree of 30,000 gates and
events gets 143,165 trials instead of taking minutes; every Aralia tree keeps its 2^20."""

MC_MEMORY = 512 * 1024 * 1024
"""Bytes of simulated words the estimate may hold at once (8 bytes a word, one row per node)."""

STACK_PER_VARIABLE = 256
"""C stack bytes given per gate and event: CUDD recurses once per variable of the order, and a
deeper recursion than the stack crashes. A 100,000-variable chain needed 4 to 8 MiB (at most 84
bytes a level); 256 leaves room for the variables that gate rewriting adds."""

MIN_STACK = 16 * 1024 * 1024
"""The smallest stack of the thread that quantifies."""

T = TypeVar("T")


class QuantifyFormat(StrEnum):
    """Output formats of ``faulttree quantify``."""

    TABLE = "table"
    JSON = "json"


def _read(path: Path, top: str | None, mission_time: float | None) -> FaultTree:
    """Read a MEF file; unreadable or invalid files are user errors (exit code 2)."""
    from cellguard.assessments.faulttree.mef import MefError, read_mef_file
    from cellguard.assessments.faulttree.mef_expr import MISSION_TIME

    try:
        return read_mef_file(
            path, top=top, mission_time=MISSION_TIME if mission_time is None else mission_time
        )
    except MefError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None


def _with_stack(work: Callable[[], T], variables: int) -> T:
    """Run ``work`` in a thread whose stack fits CUDD's recursion over ``variables``.

    The main thread's stack (8 MiB, or whatever ``ulimit -s`` says) overflows -- a segmentation
    fault, not an exception -- when a tree of some 100,000 gates and events is quantified. If
    no such thread can be made, ``work`` runs here.
    """
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(work())
        except BaseException as exc:  # handed to the caller's thread, raised there
            errors.append(exc)

    previous = threading.stack_size()
    try:
        threading.stack_size(max(MIN_STACK, STACK_PER_VARIABLE * variables))
        thread = threading.Thread(target=target, name="cellguard-quantify", daemon=True)
        thread.start()
    except (ValueError, RuntimeError):  # stack size refused, or no thread to be had
        return work()
    finally:
        threading.stack_size(previous)
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def _monte_carlo(tree: FaultTree, trials: int) -> MonteCarloResult:
    """The estimate beside a bound, within :data:`MC_WORK` and :data:`MC_MEMORY`."""
    from cellguard.assessments.faulttree.montecarlo import BITS, CHUNK_WORDS, simulate

    size = len(tree.gates) + len(tree.events)
    trials = min(trials, max(BITS, MC_WORK // size))
    chunk_words = min(CHUNK_WORDS, max(1, MC_MEMORY // (8 * size)))
    return simulate(tree, trials=trials, seed=0, chunk_words=chunk_words)


def _monte_carlo_json(mc: MonteCarloResult) -> dict[str, object]:
    """The ``monte_carlo`` object of the JSON output: an estimate, not a bound."""
    return {
        "probability": mc.probability,
        "lower": mc.lower,
        "upper": mc.upper,
        "confidence": 0.95,
        "trials": mc.trials,
        "hits": mc.hits,
        "seed": mc.seed,
    }


def _table(path: Path, tree: FaultTree, result: Quantification, mc: MonteCarloResult | None) -> str:
    """A short human summary of one quantification."""
    rows = [
        ("fault tree", f"{tree.name} ({path})"),
        ("top event", result.top_event),
        ("basic events", f"{len(tree.events)}, gates {len(tree.gates)}, modules {result.modules}"),
    ]
    if result.exact:
        rows.append(("probability", f"{result.probability:.6e} (exact)"))
    else:
        rows.append(("probability", f"between {result.lower:.6e} and {result.upper:.6e} (bound)"))
        rows.append(
            ("free gates", f"{len(result.free_gates)}: left free or truncated (size or time limit)")
        )
    if mc is not None:
        rows.append(
            (
                "estimate",
                f"{mc.probability:.4e}, 95% interval [{mc.lower:.4e}, {mc.upper:.4e}] "
                f"(Monte Carlo, {mc.trials:,} trials, {mc.hits:,} hits; statistical, not a bound)",
            )
        )
    rows += [("BDD nodes", f"{result.bdd_nodes:,}"), ("seconds", f"{result.seconds:.3f}")]
    width = max(len(label) for label, _ in rows)
    return "".join(f"{label:<{width}}  {inert(value, single_line=True)}\n" for label, value in rows)


def quantify_output(
    file: Path,
    output_format: QuantifyFormat,
    top: str | None,
    node_budget: int | None,
    time_limit: float | None,
    mc_trials: int,
    mission_time: float | None = None,
) -> tuple[str, bool]:
    """The text ``faulttree quantify`` prints and whether it ends in a newline of its own
    (the JSON does not: the caller adds one); input errors raise :class:`UserError`."""
    from cellguard.assessments.faulttree.quantify import (
        DEFAULT_NODE_BUDGET,
        DEFAULT_TIME_LIMIT,
        quantify,
    )

    tree = _read(file, top, mission_time)
    result = _with_stack(
        lambda: quantify(
            tree,
            node_budget=DEFAULT_NODE_BUDGET if node_budget is None else node_budget,
            time_limit=DEFAULT_TIME_LIMIT if time_limit is None else time_limit,
        ),
        len(tree.gates) + len(tree.events),
    )
    mc = _monte_carlo(tree, mc_trials) if not result.exact and mc_trials > 0 else None
    if output_format is QuantifyFormat.JSON:
        data = result.to_json()
        if mc is not None:
            data["monte_carlo"] = _monte_carlo_json(mc)
        return dumps(data, indent=2), False
    return _table(file, tree, result, mc), True
