"""Monte Carlo estimate of a fault tree's top-event probability, bit-sliced with numpy.

This is the independent cross-check of the exact BDD engine (:mod:`.quantify`): it shares
nothing with it but the :class:`~cellguard.assessments.faulttree.tree.FaultTree` structure.

**Bit slicing.** Each trial is one bit; a ``uint64`` word holds 64 trials, and every event or
gate is an array of words. A basic event's bits are independent Bernoulli(p) draws (uniform
floats compared with ``p``, packed eight to a byte and viewed as words), so one numpy operation
on a word array evaluates a gate for 64 trials per word at once:

* ``and`` is ``&``, ``or`` is ``|``, ``xor`` is ``^``, ``not`` is ``~``;
* ``atleast k`` keeps ``k`` saturating counter words ``c[j]`` = "at least ``j`` of the
  arguments seen so far failed" and, per argument ``x``, updates ``c[j] |= c[j-1] & x`` from
  ``j = k`` down to 1 (the bit-sliced form of the engine's ``k``-of-``n`` recurrence):
  ``O(n·k)`` word operations and never a per-trial Python loop.

Trials are simulated in chunks of :data:`CHUNK_WORDS` words so memory stays bounded, and a
gate's words are released as soon as the last gate that reads them is evaluated. The bits of
the top event are counted (``np.bitwise_count``, or a byte lookup table on numpy < 2) to give
the estimate, its standard error and a Wilson score interval. The generator is
``np.random.default_rng(seed)``, so a run is reproducible.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree, GateOp

Words = npt.NDArray[np.uint64]
"""One bit per trial, 64 trials per word."""

BITS = 64
"""Trials per word."""

CHUNK_WORDS = 2048
"""Words simulated at once (131,072 trials): bounds memory to a few MiB per live node."""

DEFAULT_TRIALS = 1 << 16
"""Trials of :func:`simulate` when none are given."""

DEFAULT_Z = 1.959963984540054
"""Standard-normal quantile of a two-sided 95% interval."""

_ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)


@dataclass(frozen=True)
class MonteCarloResult:
    """A Monte Carlo estimate of the top-event probability.

    ``probability`` is ``hits / trials``; ``lower``/``upper`` is the Wilson score interval at
    the normal quantile ``z``; ``standard_error`` is the binomial ``sqrt(p(1-p)/n)``.
    """

    probability: float
    lower: float
    upper: float
    standard_error: float
    trials: int
    hits: int
    z: float
    seed: int
    seconds: float

    def contains(self, value: float) -> bool:
        """True when ``value`` lies inside the confidence interval (bounds included)."""
        return self.lower <= value <= self.upper


def wilson_interval(hits: int, trials: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``hits / trials`` at quantile ``z``."""
    if trials <= 0:
        raise ValueError("trials must be positive")
    n = float(trials)
    p = hits / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    lower = 0.0 if hits == 0 else max(0.0, centre - half)
    upper = 1.0 if hits == trials else min(1.0, centre + half)
    return lower, upper


def _popcount_table() -> npt.NDArray[np.uint8]:
    """Set bits of every byte value (fallback for numpy without ``bitwise_count``)."""
    values = np.arange(256, dtype=np.uint8)
    table: npt.NDArray[np.uint8] = (
        np.unpackbits(values[:, None], axis=1).sum(axis=1).astype(np.uint8)
    )
    return table


def popcount(words: Words) -> int:
    """Number of set bits in ``words``."""
    counter: Callable[[Any], Any] | None = getattr(np, "bitwise_count", None)
    if counter is not None:
        return int(counter(words).sum(dtype=np.int64))
    table = _popcount_table()
    return int(table[words.view(np.uint8)].sum(dtype=np.int64))


def bernoulli_words(rng: np.random.Generator, p: float, words: int) -> Words:
    """``words`` words whose ``64·words`` bits are independent Bernoulli(``p``) draws."""
    if p <= 0.0:
        return np.zeros(words, dtype=np.uint64)
    if p >= 1.0:
        return np.full(words, _ALL, dtype=np.uint64)
    bits = rng.random((words, BITS)) < p
    packed = np.packbits(bits, axis=1, bitorder="little")
    return packed.view(np.uint64).reshape(words)


def at_least_words(args: list[Words], k: int) -> Words:
    """Bitwise "at least ``k`` of ``args`` are set", with ``k`` saturating counter words."""
    size = args[0].shape[0]
    counts = [np.zeros(size, dtype=np.uint64) for _ in range(k)]  # counts[j-1]: at least j
    for x in args:
        for j in range(k - 1, 0, -1):
            counts[j] |= counts[j - 1] & x
        counts[0] |= x
    return counts[k - 1]


def gate_words(op: GateOp, args: list[Words], k: int | None) -> Words:
    """Combine argument word arrays with a gate's connective (new array; inputs untouched)."""
    if op is GateOp.NOT:
        return ~args[0]
    if op is GateOp.ATLEAST:
        assert k is not None
        return at_least_words(args, k)
    out = args[0].copy()
    if op is GateOp.AND:
        for x in args[1:]:
            out &= x
    elif op is GateOp.OR:
        for x in args[1:]:
            out |= x
    else:  # XOR: odd number of set arguments
        for x in args[1:]:
            out ^= x
    return out


def _tail_mask(trials: int, words: int) -> Words:
    """All-ones words except the bits past ``trials`` in the last word, which are cleared."""
    mask = np.full(words, _ALL, dtype=np.uint64)
    rest = trials - (words - 1) * BITS
    if rest < BITS:
        mask[-1] = np.uint64((1 << rest) - 1)
    return mask


class _Simulator:
    """The evaluation plan of one tree: gates in topological order and use counts."""

    def __init__(self, tree: FaultTree) -> None:
        tree.validate()
        self.tree = tree
        self.gates = tree.topological_order()
        self.events = tree.event_order()
        self.uses: dict[str, int] = {}
        for name in self.gates:
            for arg in tree.gates[name].args:
                self.uses[arg] = self.uses.get(arg, 0) + 1

    def top_words(self, rng: np.random.Generator, words: int) -> Words:
        """Simulate ``64·words`` trials and return the top event's words."""
        tree = self.tree
        values: dict[str, Words] = {
            name: bernoulli_words(rng, tree.events[name].probability, words) for name in self.events
        }
        if tree.top in tree.events:
            return values[tree.top]
        values[TRUE] = np.full(words, _ALL, dtype=np.uint64)
        values[FALSE] = np.zeros(words, dtype=np.uint64)
        remaining = dict(self.uses)
        for name in self.gates:
            gate = tree.gates[name]
            values[name] = gate_words(gate.op, [values[a] for a in gate.args], gate.k)
            for arg in gate.args:
                remaining[arg] -= 1
                if remaining[arg] == 0 and arg in tree.gates:
                    del values[arg]
        return values[tree.top]


def simulate(
    tree: FaultTree,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    z: float = DEFAULT_Z,
    *,
    chunk_words: int = CHUNK_WORDS,
) -> MonteCarloResult:
    """Estimate ``P(top)`` of ``tree`` from ``trials`` simulated independent trials.

    Deterministic for a given ``(tree, trials, seed, chunk_words)``. ``z`` sets the width of
    the Wilson interval (1.96 for 95%; use a larger one where a miss must be very unlikely,
    e.g. 4.5 in tests).
    """
    if trials < 1:
        raise ValueError("trials must be at least 1")
    if not z > 0.0:
        raise ValueError("z must be positive")
    if chunk_words < 1:
        raise ValueError("chunk_words must be at least 1")
    started = time.perf_counter()
    simulator = _Simulator(tree)
    rng = np.random.default_rng(seed)
    hits = 0
    left = trials
    while left > 0:
        chunk_trials = min(left, chunk_words * BITS)
        words = -(-chunk_trials // BITS)
        top = simulator.top_words(rng, words) & _tail_mask(chunk_trials, words)
        hits += popcount(top)
        left -= chunk_trials
    estimate = hits / trials
    lower, upper = wilson_interval(hits, trials, z)
    return MonteCarloResult(
        probability=estimate,
        lower=lower,
        upper=upper,
        standard_error=math.sqrt(estimate * (1.0 - estimate) / trials),
        trials=trials,
        hits=hits,
        z=z,
        seed=seed,
        seconds=time.perf_counter() - started,
    )
