"""Generators of valid specs whose dependency graphs are deep or wide.

Every shape is a stack of ``app`` components with one self-run replica each in one zone, so
that a component's availability is its own and the shared zone, region and account (set to
100% by default) add nothing: a journey over a chain of such components is up exactly when
every component on it is. ``SHAPES`` maps a shape's name to its generator; each takes ``n``
(components, or the depth for the tree shapes) and returns the YAML text.

* ``chain``: ``c1 -> c2 -> ... -> cN``, one journey entering at ``c1``;
* ``caterpillar``: a binary tree of depth ``n`` (the spine ``c1 -> ... -> cN``, and every spine
  component also calls its own leaf ``l<i>``);
* ``tree``: a complete binary tree of ``n`` components (``c<i>`` calls ``c<2i>`` and ``c<2i+1>``);
* ``fanout``: ``c0`` calls ``c1 .. cN`` (each once);
* ``diamond``: a lattice of ``n // 2`` levels of two components, each calling both of the
  next level (``2^(n/2)`` paths from the entry);
* ``journeys``: the chain, with a journey entering at every component.

Run as a script (``python -m tests.cli.deep_specs DIR N...``) it writes every shape for each
``N`` into ``DIR`` (``<shape>-<N>.yaml``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

HEADER = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {{name: deep, owner: team}}
business:
  journeys:
{journeys}
topology:
  accounts: [prod]
  regions: [{{name: us-east-1, zones: [use1-az1]}}]
  availability: {{zone: {zone}, region: {region}, account: {account}}}
components:
"""

JOURNEY = """\
    - id: {id}
      entrypoint: {entry}
      criticality: tier1
      impact: {{revenue_per_hour: 1000}}
      objectives: {{availability: 99.9, latency_p99_ms: 60000}}
      demand: {{peak_rps: 10}}
"""

COMPONENT = """\
  - id: {id}
    kind: app
    runtime: eks
    placement: {{zones: 1}}
    replicas: 1
    availability: {availability}
"""

CALL = "      - {{to: {to}, timeout_ms: {timeout}, retries: {retries}}}\n"


def availability_of(index: int) -> float:
    """The availability (percent) of the ``index``-th component: close to, not exactly, 100."""
    return 99.999 + (index % 7) * 0.0001


def _component(cid: str, index: int, calls: Iterable[str], retries: int) -> str:
    text = COMPONENT.format(id=cid, availability=availability_of(index))
    targets = list(calls)
    if targets:
        text += "    depends_on:\n"
        text += "".join(CALL.format(to=t, timeout=1000, retries=retries) for t in targets)
    return text


def stack(
    components: list[str],
    entries: Iterable[str],
    *,
    zone: float = 100,
    region: float = 100,
    account: float = 100,
) -> str:
    """A stack of the given component texts with one journey per entry component."""
    journeys = "".join(
        JOURNEY.format(id=f"j-{entry}", entry=entry) for entry in dict.fromkeys(entries)
    )
    head = HEADER.format(journeys=journeys.rstrip("\n"), zone=zone, region=region, account=account)
    return head + "".join(components)


def chain(n: int, retries: int = 1, journeys_at_every: bool = False) -> str:
    """``c1 -> ... -> cn`` with ``retries`` on every call."""
    comps = [
        _component(f"c{i}", i, [f"c{i + 1}"] if i < n else [], retries) for i in range(1, n + 1)
    ]
    entries = [f"c{i}" for i in range(1, n + 1)] if journeys_at_every else ["c1"]
    return stack(comps, entries)


def caterpillar(n: int, retries: int = 1) -> str:
    """A binary tree of depth ``n``: the spine ``c1..cn``, each with a leaf ``l<i>``."""
    comps: list[str] = []
    for i in range(1, n + 1):
        calls = [f"l{i}"] + ([f"c{i + 1}"] if i < n else [])
        comps.append(_component(f"c{i}", i, calls, retries))
        comps.append(_component(f"l{i}", n + i, [], retries))
    return stack(comps, ["c1"])


def tree(n: int, retries: int = 1) -> str:
    """A complete binary tree of ``n`` components in heap order."""
    comps = [
        _component(f"c{i}", i, [f"c{c}" for c in (2 * i, 2 * i + 1) if c <= n], retries)
        for i in range(1, n + 1)
    ]
    return stack(comps, ["c1"])


def fanout(n: int, retries: int = 1) -> str:
    """``c0`` calling ``c1 .. cn``."""
    comps = [_component("c0", 0, [f"c{i}" for i in range(1, n + 1)], retries)]
    comps += [_component(f"c{i}", i, [], retries) for i in range(1, n + 1)]
    return stack(comps, ["c0"])


def diamond(n: int, retries: int = 1) -> str:
    """``n // 2`` levels of two components ``a<i>``/``b<i>``, each calling both of level
    ``i + 1``; the journey enters at ``top``, which calls both of level 1."""
    levels = max(1, n // 2)
    comps = [_component("top", 0, ["a1", "b1"], retries)]
    for i in range(1, levels + 1):
        nxt = [f"a{i + 1}", f"b{i + 1}"] if i < levels else []
        comps.append(_component(f"a{i}", 2 * i, nxt, retries))
        comps.append(_component(f"b{i}", 2 * i + 1, nxt, retries))
    return stack(comps, ["top"])


def journeys(n: int, retries: int = 1) -> str:
    """The chain with a journey at every component."""
    return chain(n, retries, journeys_at_every=True)


SHAPES: dict[str, Callable[[int], str]] = {
    "chain": chain,
    "caterpillar": caterpillar,
    "tree": tree,
    "fanout": fanout,
    "diamond": diamond,
    "journeys": journeys,
}


def main(argv: list[str]) -> int:
    """Write ``<shape>-<n>.yaml`` for every shape and every ``n`` into ``argv[0]``."""
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for n in (int(a) for a in argv[1:]):
        for name, make in SHAPES.items():
            path = out / f"{name}-{n}.yaml"
            path.write_text(make(n), encoding="utf-8")
            print(f"{path} {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
