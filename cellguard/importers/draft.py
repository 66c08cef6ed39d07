"""The draft spec: imported workloads as components, placeholders for what manifests cannot say.

Every imported value is written with a ``# from FILE:LINE`` comment (and how it was read, where
that is not obvious). What the manifests cannot say is a placeholder marked
``# TODO(cellguard import): ...``, chosen so that the draft validates and the assessment reports
the verdicts that need it as UNKNOWN rather than inventing them:

- journeys: one per entry point (an exposed workload, or one nothing else calls), tier2 (a
  placeholder tier: the tier0/tier1-only checks do not judge an invented tier) and no impact,
  objectives or demand (the availability, RTO/RPO, latency and capacity verdicts stay UNKNOWN);
- the account, and the region and zones unless node constraints name them;
- a component's zones unless a node selector, a node pool or a hard zone spread says them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from cellguard.importers.catalog_fit import uncatalogued
from cellguard.importers.classify import allowed
from cellguard.importers.context import Context
from cellguard.importers.dependencies import Call
from cellguard.importers.facts import K8S_WORDING, Fact, SpecPath, Wording, Workload
from cellguard.importers.manifests import Origin
from cellguard.importers.nodes import region_of_zone
from cellguard.importers.writer import Mapping, Scalar, Sequence
from cellguard.importers.zones import zone_fact, zone_id, zone_number, zone_placeholders
from cellguard.models.components import (
    Autoscaling,
    Capacity,
    ContainerImage,
    ModelInfo,
    Placement,
    Rollout,
    Serving,
)
from cellguard.models.text import inert

TODO = "TODO(cellguard import)"
PLACEHOLDER_REGION = "xx-todo-1"
PLACEHOLDER_ACCOUNT = "todo-account"
PLACEHOLDER_TIER = "tier2"

_ORDER = (
    "runtime",
    "hosting",
    "engine",
    "product",
    "platform",
    "gpu",
    "gpus",
    "instance_types",
    "model",
    "serving",
    "image",
    "placement",
    "replicas",
    "autoscaling",
    "capacity",
    "health",
    "rollout",
    "labels",
)
_ID = re.compile(r"[^a-z0-9._-]+")


def identifier(text: str, fallback: str = "workload") -> str:
    """``text`` as a spec identifier: lower case, ``[a-z0-9._-]``, at most 63 characters."""
    cleaned = _ID.sub("-", text.lower())[:63].strip("-._")
    return cleaned or fallback


def comment(fact: Fact) -> str:
    """``from FILE:LINE (note)``."""
    return f"from {fact.origin}" + (f" ({fact.note})" if fact.note else "")


@dataclass
class Draft:
    """The draft's tree and what the summary reports."""

    root: Mapping
    components: int
    placeholders: int
    journeys: list[str] = field(default_factory=list)


def assign_ids(workloads: list[Workload]) -> None:
    """Give every workload a unique component id, from its name (and suffix)."""
    wanted = [
        identifier(f"{w.manifest.name}-{w.suffix}" if w.suffix else w.manifest.name)
        for w in workloads
    ]
    counts = Counter(wanted)
    used: set[str] = set()
    for w, base in zip(workloads, wanted, strict=True):
        candidate = base
        if counts[base] > 1:
            candidate = identifier(f"{base}-{w.namespace}")
        number = 2
        while candidate in used:
            candidate = identifier(f"{base}-{number}")
            number += 1
        used.add(candidate)
        w.id = candidate


class _Builder:
    def __init__(
        self, ctx: Context, calls: list[Call], name: str | None, words: Wording = K8S_WORDING
    ) -> None:
        self.ctx = ctx
        self.calls = calls
        self.name = name
        self.words = words
        self.placeholders = 0
        self.zones: dict[str, Origin] = {}
        self.zone_ids = zone_placeholders(ctx.workloads)
        self.spread_zones = 0
        self.pools: dict[str, tuple[Origin, bool, list[str]]] = {}
        self.calls_of: dict[int, list[Call]] = {}
        for call in calls:
            self.calls_of.setdefault(id(call.caller), []).append(call)

    def todo(self, text: str) -> str:
        self.placeholders += 1
        return f"{TODO}: {text}"

    def stack_name(self) -> str:
        if self.name:
            return self.name
        namespaces = Counter(w.namespace for w in self.ctx.workloads)
        common = [ns for ns, _ in namespaces.most_common() if ns != "default"]
        return identifier(common[0]) if common else "imported-stack"

    def component(self, w: Workload) -> Mapping:
        node = Mapping()
        m = w.manifest
        node.add("id", Scalar(w.id, f"{w.key} at {m.origin('metadata', 'name')}"))
        node.add("kind", Scalar(w.component_kind, self._kind_reason(w)))
        facts = {p: f for p, f in w.facts.items() if allowed(w.component_kind, p)}
        facts[("labels", w.label)] = Fact(w.key, m.origin("kind"))
        for text in uncatalogued(facts):
            node.note(self.todo(inert(text, single_line=True)))
        self._model(w, facts, node)
        self._zones(w, facts)
        if ("autoscaling", "min") not in facts or ("autoscaling", "max") not in facts:
            facts = {p: f for p, f in facts.items() if p[0] != "autoscaling"}
        for top in sorted({p[0] for p in facts}, key=_rank):
            paths = sorted((p for p in facts if p[0] == top), key=_nested_rank)
            for path in paths:
                target = node
                for key in path[:-1]:
                    target = target.child(key)
                value = facts[path].value
                target.add(path[-1], Scalar(_plain(value), comment(facts[path])))
        if w.node_pools:
            names = sorted({identifier(n) for n, _ in w.node_pools})
            where = f"from {w.node_pools[0][1]} ({self.words.pool})"
            node.add("shared_domains", Scalar(names, where))
            for name, origin in w.node_pools:
                gpus = ("serving", "gpus_per_replica") in w.facts or "gpu" in {
                    p[-1] for p in w.facts
                }
                known = self.pools.get(identifier(name), (origin, False, []))
                members = known[2] if w.id in known[2] else [*known[2], w.id]
                self.pools[identifier(name)] = (known[0], known[1] or gpus, members)
        self._dependencies(w, node)
        secrets = sorted({name for name, _ in w.secrets})
        if secrets:
            listed = inert(", ".join(secrets), single_line=True)
            node.note(f"secrets used (names only, values never read): {listed}")
        return node

    def _kind_reason(self, w: Workload) -> str:
        if w.kind_why:
            return w.kind_why
        if w.component_kind in ("model_endpoint", "embedding_model"):
            engine = w.facts.get(("serving", "engine"))
            gpus = w.facts.get(("serving", "gpus_per_replica"))
            if engine is not None:
                return f"serves with {engine.value} ({engine.origin})"
            if gpus is not None:
                return f"asks for GPUs ({gpus.origin})"
        if w.component_kind == "training_job":
            return f"a {w.manifest.kind} using GPUs"
        if w.component_kind != "app":
            return self.words.kind_by
        return self.todo("an app; make it a gateway, agent, tool, ... if it is one")

    def _model(self, w: Workload, facts: dict[SpecPath, Fact], node: Mapping) -> None:
        if w.component_kind not in ("model_endpoint", "embedding_model"):
            return
        if ("model", "name") not in facts:
            for path in [p for p in facts if p[0] == "model"]:
                del facts[path]
            node.note(
                self.todo(f"model.name: the {self.words.source} do not say which model it serves")
            )
        if ("replicas",) not in facts:
            node.note(self.todo(f"replicas: the {self.words.source} do not say how many serve it"))

    def _zones(self, w: Workload, facts: dict[SpecPath, Fact]) -> None:
        fact = zone_fact(w)
        if fact is None:
            return
        if isinstance(fact.value, list):
            # Node labels name zones (us-east-1a), which map to different physical zones in each
            # account; the spec needs zone ids, so the draft lists one placeholder id per zone
            # name (the same name, the same placeholder in every component: two components
            # pinned to different zones do not share one) and the topology maps them back.
            for zone in fact.value:
                self.zones.setdefault(zone, fact.origin)
            names = ", ".join(str(z) for z in fact.value)
            ids = sorted({self.zone_ids[str(z)] for z in fact.value}, key=zone_number)
            fact = Fact(
                ids,
                fact.origin,
                f"placeholders for the zones the {self.words.source} name: {names}",
            )
        else:
            self.spread_zones = max(self.spread_zones, fact.value)
        facts[("placement", "zones")] = fact

    def _dependencies(self, w: Workload, node: Mapping) -> None:
        calls = self.calls_of.get(id(w), [])
        if not calls:
            return
        items = Sequence()
        for call in calls:
            item = Mapping()
            item.add("to", Scalar(call.callee.id, f"from {call.origin} ({call.where})"))
            if call.closes_cycle:
                item.add(
                    "optional",
                    Scalar(
                        True,
                        self.todo("closes a call cycle; make one edge of it optional or async"),
                    ),
                )
            item.note(self.todo(f"timeout_ms, retries and mode are not in the {self.words.source}"))
            items.items.append(item)
        node.add("depends_on", items)

    def topology(self, root: Mapping) -> None:
        topo = root.child("topology")
        topo.add(
            "accounts",
            Scalar(
                [PLACEHOLDER_ACCOUNT],
                self.todo(f"the cloud account {self.words.place} runs in"),
            ),
        )
        region = self._region()
        item = Mapping()
        if region is not None:
            item.add("name", Scalar(region[0], f"from {region[1]}"))
        else:
            item.add(
                "name",
                Scalar(
                    PLACEHOLDER_REGION, self.todo(f"the region (not in the {self.words.source})")
                ),
            )
        if self.zones:
            first = min(self.zones.values())
            named = sorted(self.zones, key=lambda z: zone_number(self.zone_ids[z]))
            count = max(len(named), self.spread_zones)
            ids = [zone_id(i) for i in range(1, count + 1)]
            mapped = ", ".join(f"{self.zone_ids[z]} = {z}" for z in named)
            note = (
                f"{TODO}: the zone ids of {mapped} (from {first}) and any others "
                f"{self.words.place} uses; zone names differ per account, list the ids with "
                "`aws ec2 describe-availability-zones`"
            )
            item.add("zones", Scalar(ids, note))
            self.placeholders += 1
        else:
            count = max(1, self.spread_zones)
            names = [zone_id(i) for i in range(1, count + 1)]
            item.add("zones", Scalar(names, self.todo(f"the zone ids {self.words.place} uses")))
        topo.add("regions", Sequence([item]))
        if self.pools:
            pools = Sequence()
            for name, (origin, gpus, members) in sorted(self.pools.items()):
                pool = Mapping()
                pool.add("id", Scalar(name, f"from {origin}"))
                pool.add("type", Scalar("gpu_node_pool" if gpus else "other"))
                text = f"{self.words.pool} {name}: {', '.join(members)}"
                pool.add("description", Scalar(text))
                pools.items.append(pool)
            topo.add("shared_domains", pools)

    def _region(self) -> tuple[str, Origin] | None:
        if self.ctx.region is not None:
            return self.ctx.region
        for zone, origin in sorted(self.zones.items()):
            region = region_of_zone(zone)
            if region is not None:
                return region, origin
        return None

    def journeys(self, root: Mapping, entrypoints: list[Workload]) -> list[str]:
        business = root.child("business")
        journeys = Sequence()
        for w in entrypoints:
            item = Mapping()
            why = (
                f"exposed by {w.exposed.value} (from {w.exposed.origin})"
                if w.exposed
                else (f"nothing else in the {self.words.source} calls it")
            )
            item.add("id", Scalar(w.id, self.todo("name the journey")))
            item.add("entrypoint", Scalar(w.id, why))
            item.add(
                "criticality",
                Scalar(
                    PLACEHOLDER_TIER,
                    self.todo("placeholder tier; set tier0..tier3 for the business"),
                ),
            )
            item.note(
                f"{TODO}: impact (revenue_per_hour, penalty_per_incident, reputation),\n"
                "  objectives (availability, ttft_p99_ms, latency_p99_ms, rto_minutes, rpo_minutes)"
                "\n  and demand (peak_rps, input_tokens, output_tokens): verdicts that need them"
                "\n  are UNKNOWN until they are set"
            )
            journeys.items.append(item)
        business.add("journeys", journeys)
        return [w.id for w in entrypoints]


def _plain(value: object) -> object:
    return sorted(value) if isinstance(value, set) else value


def _rank(key: str) -> int:
    return _ORDER.index(key) if key in _ORDER else len(_ORDER)


_NESTED: dict[str, list[str]] = {
    "model": list(ModelInfo.model_fields),
    "serving": list(Serving.model_fields),
    "autoscaling": list(Autoscaling.model_fields),
    "capacity": list(Capacity.model_fields),
    "rollout": list(Rollout.model_fields),
    "placement": list(Placement.model_fields),
    "image": list(ContainerImage.model_fields),
}


def _nested_rank(path: SpecPath) -> tuple[int, SpecPath]:
    """Keys inside a nested mapping in the model's order (labels alphabetically)."""
    order = _NESTED.get(path[0], [])
    key = path[1] if len(path) > 1 else ""
    return (order.index(key) if key in order else len(order)), path[1:]


def entrypoints(workloads: list[Workload], calls: list[Call]) -> list[Workload]:
    """Exposed workloads, and those nothing else calls, in input order."""
    called = {id(c.callee) for c in calls}
    return [w for w in workloads if w.exposed is not None or id(w) not in called]


def build_draft(
    ctx: Context, calls: list[Call], *, name: str | None, words: Wording = K8S_WORDING
) -> Draft:
    """The draft spec tree for the workloads of ``ctx``, its comments worded by ``words``."""
    builder = _Builder(ctx, calls, name, words)
    root = Mapping()
    root.add("apiVersion", Scalar("cellguard/v1"))
    root.add("kind", Scalar("Stack"))
    meta = root.child("metadata")
    stack = builder.stack_name()
    meta.add("name", Scalar(stack, "" if name else builder.todo("name the stack")))
    meta.note(f"{TODO}: owner, description and labels.department")
    components = Sequence([builder.component(w) for w in ctx.workloads])
    starts = entrypoints(ctx.workloads, calls)
    journeys = builder.journeys(root, starts)
    builder.topology(root)
    root.add("components", components)
    root.note(
        f"{TODO}: practices (change management, evaluation, observability, chaos, disaster\n"
        f"  recovery) are not in the {words.source}; unset means unknown"
    )
    return Draft(root, len(ctx.workloads), builder.placeholders, journeys)
