"""The time limit holds inside one CUDD operation (:mod:`cellguard.assessments.faulttree.interrupt`).

Before the termination callback, the gate loop checked the limit only between operations, and a
gate whose diagram explodes (Aralia's nus9601) ran on for minutes past ``--time-limit``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest

from cellguard.assessments.faulttree.dd_cudd import cudd
from cellguard.assessments.faulttree.interrupt import deadline
from cellguard.assessments.faulttree.live_nodes import manager_pointer

EXPLODING = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, "tests/assessments/faulttree")
    from trees import make_tree
    from cellguard.assessments.faulttree.quantify import quantify
    from cellguard.assessments.faulttree.tree import GateOp

    n = 36  # variable order x0..x35 then y0..y35 (see below): AND(xi | yi) is exponential
    xs, ys = [f"x{i}" for i in range(n)], [f"y{i}" for i in range(n)]
    gates = [("hx", GateOp.OR, tuple(xs), None), ("hy", GateOp.OR, tuple(ys), None)]
    gates += [(f"o{i}", GateOp.OR, (xs[i], ys[i]), None) for i in range(n)]
    half = n // 2  # c and d take 2^18 nodes each, built a doubling at a time; c AND d, 2^36,
    gates.append(("c", GateOp.AND, tuple(f"o{i}" for i in range(half)), None))  # in one
    gates.append(("d", GateOp.AND, tuple(f"o{i}" for i in range(half, n)), None))  # operation
    gates.append(("a", GateOp.AND, ("hx", "hy"), None))  # as heavy as "b" and "e": both
    gates.append(("b", GateOp.AND, ("c", "d"), None))  # static orders visit "a" first
    gates.append(("e", GateOp.OR, ("c", "d"), None))  # (c and d are shared: not flattened)
    gates.append(("top", GateOp.AND, ("a", "b", "e"), None))
    events = {e: 0.5 for e in xs + ys}
    if len(sys.argv) > 2:  # a small module above the exploding one: q1 AND q2, OR it
        events.update(q1=0.1, q2=0.2)
        gates += [("q", GateOp.AND, ("q1", "q2"), None), ("all", GateOp.OR, ("q", "top"), None)]
    tree = make_tree(sys.argv[2] if len(sys.argv) > 2 else "top", events, gates)
    result = quantify(tree, time_limit=float(sys.argv[1]))
    print(json.dumps({"exact": result.exact, "lower": result.lower, "upper": result.upper,
                      "free": list(result.free_gates)}))
    """
)


def _vars(bdd: Any, n: int) -> list[Any]:
    names = [f"v{i}" for i in range(n)]
    bdd.declare(*names)
    return [bdd.var(name) for name in names]


def _exploding(*args: str) -> dict[str, Any]:
    """The EXPLODING script's result in a child; the hang guard is the subprocess timeout."""
    done = subprocess.run(
        [sys.executable, "-c", EXPLODING, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_an_exploding_gate_becomes_free_at_the_time_limit() -> None:
    # the hang guard is the subprocess timeout, not a timing assertion: without the interrupt
    # this build does not finish (it needs 2^40 nodes) and the test fails with TimeoutExpired
    result = _exploding("3.0")
    assert result["exact"] is False
    assert "b" in result["free"] or "e" in result["free"]
    assert 0.0 <= result["lower"] <= result["upper"] <= 1.0


def test_a_small_module_reached_after_the_limit_is_still_built() -> None:
    # the exploding module uses up the limit; the module above it (all = (q1 AND q2) OR top)
    # still gets its moment, so the bound keeps P(q1 AND q2) = 0.02 instead of [0, 1]
    result = _exploding("3.0", "all")
    assert result["exact"] is False
    assert "all" not in result["free"]
    assert result["lower"] >= 0.02 - 1e-12
    assert result["upper"] <= 1.0


def test_operations_after_an_interrupt_still_work() -> None:
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    if not manager_pointer(bdd):
        pytest.skip("the manager layout check failed: no callback on this build")
    v = _vars(bdd, 60)
    kept = v[0] & v[1]
    with deadline(bdd, time.perf_counter() + 0.2) as guard:
        assert guard.active
        f = bdd.true
        stopped = False
        try:
            for i in range(30):
                f = f & (v[i] | v[i + 30])
        except (ValueError, RuntimeError):
            stopped = guard.stopped()
        assert stopped
    assert kept == v[1] & v[0]
    bdd.declare("late")  # declaring works again once the deadline is unregistered
    assert (v[2] | v[3]) == ~(~v[2] & ~v[3])


def test_a_deadline_in_the_future_changes_nothing() -> None:
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    v = _vars(bdd, 8)
    with deadline(bdd, time.perf_counter() + 3600.0):
        f = (v[0] & v[1]) | (v[2] & v[3])
    assert f == (v[3] & v[2]) | (v[1] & v[0])


CTRL_C = textwrap.dedent(
    """
    import signal, time
    from cellguard.assessments.faulttree.dd_cudd import cudd
    from cellguard.assessments.faulttree.interrupt import deadline

    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    names = [f"v{i}" for i in range(48)]
    bdd.declare(*names)
    v = [bdd.var(n) for n in names]

    def handler(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with deadline(bdd, time.perf_counter() + 3600):
            f = bdd.true
            for i in range(22):  # the last products take most of a minute
                f = f & (v[i] | v[i + 24])
        print("completed")
    except KeyboardInterrupt:
        print("interrupted")
    """
)


def test_ctrl_c_inside_an_operation_is_raised_not_swallowed() -> None:
    # the callback is Python, so a signal handler runs inside it; ctypes would print and drop
    # its KeyboardInterrupt and the product would run on (review3 found it); the hang guard is
    # the subprocess timeout
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C], capture_output=True, text=True, timeout=40, check=True
    )
    assert done.stdout.strip() == "interrupted"
    assert "Exception ignored" not in done.stderr
