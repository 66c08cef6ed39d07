"""Dependencies between workloads, from the service addresses their pods are given.

An address is a URL (``http://rag-llm.serving.svc.cluster.local:8000/v1``), a ``host:port``
(``qdrant:6333``, ``redis-master.data:6379``) or a cluster DNS name (``embed.ml.svc``), found in
environment variables, command lines, the ConfigMap values the pods read, Ray Serve
``env_vars`` and KEDA trigger metadata. Its first label must be the name of a Service (or of a
Service an operator makes: ``<rayservice>-serve-svc``, ``<isvc>-predictor``, a NIMService's
name) in the namespace it names, or the caller's own: other host names are not guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cellguard.importers.context import Context
from cellguard.importers.facts import Text, Workload
from cellguard.importers.k8s_links import config_values
from cellguard.importers.manifests import Origin

_LABEL = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
_ADDRESS = re.compile(
    rf"(?<![-a-z0-9.])(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?:[^@/\s]+@)?"
    rf"(?P<name>{_LABEL})(?:\.(?P<ns>{_LABEL}))?(?P<svc>\.svc(?:\.cluster\.local)?)?"
    rf"(?::(?P<port>\d{{1,5}}))?(?=[/\s\"',;)?]|$)"
)
MAX_TEXT = 4096
"""Longest string searched for addresses (a longer one is a script or a blob, not a URL)."""


@dataclass
class Call:
    """``caller`` reaches ``callee``: where the address was and what held it."""

    caller: Workload
    callee: Workload
    origin: Origin
    where: str
    address: str
    closes_cycle: bool = False
    """Written ``optional: true``: the spec needs one edge of every cycle optional or async."""


def addresses(text: str) -> list[tuple[str, str | None, str]]:
    """(service name, namespace or None, the address as written) found in ``text``."""
    found: list[tuple[str, str | None, str]] = []
    for match in _ADDRESS.finditer(text[:MAX_TEXT]):
        if not (match.group("scheme") or match.group("port") or match.group("svc")):
            continue
        found.append((match.group("name"), match.group("ns"), match.group(0)))
    return found


def _index(ctx: Context) -> dict[tuple[str, str], list[Workload]]:
    index: dict[tuple[str, str], list[Workload]] = {}
    for w in ctx.workloads:
        for name in sorted(w.service_names):
            index.setdefault((w.namespace, name), []).append(w)
    return index


def _texts(
    w: Workload, configs: dict[tuple[str, str], list[tuple[str, str, Origin]]]
) -> list[Text]:
    texts = list(w.texts)
    for name, key, _, variable in w.config_refs:
        for k, value, origin in configs.get((w.namespace, name), []):
            if key is None or k == key:
                texts.append(Text(value, origin, f"ConfigMap {name} key {k} ({variable})"))
    return texts


def find_calls(ctx: Context) -> list[Call]:
    """Every caller -> callee pair, once each, with the first place the address was found."""
    index = _index(ctx)
    configs = config_values(ctx)
    calls: list[Call] = []
    seen: set[tuple[int, int]] = set()
    for caller in ctx.workloads:
        for text in _texts(caller, configs):
            for name, namespace, written in addresses(text.text):
                for callee in index.get((namespace or caller.namespace, name), []):
                    pair = (id(caller), id(callee))
                    if callee is caller or pair in seen:
                        continue
                    seen.add(pair)
                    calls.append(Call(caller, callee, text.origin, text.where, written))
    for caller, callee, origin, where in ctx.links:
        if (id(caller), id(callee)) not in seen and caller is not callee:
            seen.add((id(caller), id(callee)))
            calls.append(Call(caller, callee, origin, where, ""))
    return calls


def break_cycles(calls: list[Call]) -> None:
    """Mark the calls that close a cycle (depth-first, in input order) as ``closes_cycle``."""
    outgoing: dict[int, list[Call]] = {}
    for each in calls:
        outgoing.setdefault(id(each.caller), []).append(each)
    state: dict[int, int] = {}  # 1 on the current path, 2 done
    for start in [c.caller for c in calls]:
        if state.get(id(start)):
            continue
        state[id(start)] = 1
        stack = [(start, iter(outgoing.get(id(start), [])))]
        while stack:
            node, edges = stack[-1]
            call: Call | None = next(edges, None)
            if call is None:
                state[id(node)] = 2
                stack.pop()
                continue
            seen = state.get(id(call.callee), 0)
            if seen == 1:
                call.closes_cycle = True
            elif seen == 0:
                state[id(call.callee)] = 1
                stack.append((call.callee, iter(outgoing.get(id(call.callee), []))))
