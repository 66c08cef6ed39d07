"""Zones in a draft: what the manifests or templates say about them, and placeholder zone ids.

The spec needs zone ids (``use1-az1``), which neither Kubernetes manifests (node labels name
zones: ``us-east-1a``, a different physical zone in each account) nor CloudFormation templates
(subnets, zone counts) give. The draft writes placeholder ids ``todo-zone-N``: one per zone name
(the same name, the same placeholder in every component, so that two components pinned to
different zones do not share one in the assessment), then as many more as the largest stated
count needs. A component whose zones are not stated gets no ``placement.zones``: the
assessment reports its zonal verdicts UNKNOWN instead of placing it.
"""

from __future__ import annotations

from cellguard.importers.facts import Fact, Workload


def zone_id(number: int) -> str:
    """The draft's placeholder for the id of the ``number``-th zone: ``todo-zone-1``."""
    return f"{ZONE_PLACEHOLDER}{number}"


ZONE_PLACEHOLDER = "todo-zone-"


def zone_number(placeholder: str) -> int:
    """The number of a placeholder zone id (``todo-zone-2`` -> 2)."""
    return int(placeholder.removeprefix(ZONE_PLACEHOLDER))


def zone_placeholders(workloads: list[Workload]) -> dict[str, str]:
    """One placeholder id per zone name the workloads' node constraints name, in name order."""
    names = sorted(
        {
            str(zone)
            for w in workloads
            for fact in [zone_fact(w)]
            if fact is not None and isinstance(fact.value, list)
            for zone in fact.value
        }
    )
    return {name: zone_id(i) for i, name in enumerate(names, start=1)}


def zone_fact(w: Workload) -> Fact | None:
    """``placement.zones`` of a workload: the zones its node constraints name, a count the
    template states (subnets of an Auto Scaling group, an OpenSearch domain's zone count), or a
    count from a hard zone spread (2 for a DoNotSchedule topology spread -- at least two when the
    cluster has them -- and one per replica for required anti-affinity); ``None`` when unknown."""
    fact = w.facts.get(("placement", "zones"))
    if fact is not None and isinstance(fact.value, list | int):
        return fact
    replicas = w.value(("replicas",))
    if w.zone_spread is None or not isinstance(replicas, int) or replicas < 2:
        return None
    how, origin = w.zone_spread
    if how == "preferred":
        return None
    if how == "anti-affinity":
        return Fact(
            replicas, origin, "required pod anti-affinity on the zone: one replica per zone"
        )
    return Fact(
        2, origin, "a DoNotSchedule zone spread: at least 2 zones when the cluster has them"
    )
