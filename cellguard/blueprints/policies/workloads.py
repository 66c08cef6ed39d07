"""Checks of GPU workloads: Kubernetes Deployments and StatefulSets whose pods request GPUs.

A workload counts as a GPU workload when any of its containers names a GPU resource
(``nvidia.com/gpu`` or ``amd.com/gpu``) in its requests or limits; every check ignores other
workloads. Kubernetes defaults a missing request of an extended resource to its limit, so a
container with a GPU limit and no GPU request passes the requests-equal-limits check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import catalog
from .props import (
    Report,
    Resource,
    StackArgs,
    StackResource,
    get,
    items,
    mapping,
    number,
    quantity,
    selector_matches,
)

GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")
"""Extended resource names that mean a container runs on GPUs."""

ZONE_KEYS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
"""Node labels naming the zone (the second is the deprecated form)."""

PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


def pod_spec(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """The pod template's spec of a Deployment or StatefulSet."""
    return mapping(get(props, "spec", "template", "spec"))


def pod_labels(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """The pod template's labels."""
    return mapping(get(props, "spec", "template", "metadata", "labels"))


def namespace(props: Mapping[str, Any]) -> str:
    """The object's namespace (``default`` when unset)."""
    value = get(props, "metadata", "namespace")
    return value if isinstance(value, str) and value else "default"


def describe(resource: Resource) -> str:
    """``Deployment ns/name`` for messages (the logical name when metadata.name is unset)."""
    kind = resource.resource_type.rsplit(":", 1)[-1]
    name = get(resource.props, "metadata", "name")
    shown = name if isinstance(name, str) and name else resource.name
    return f"{kind} {namespace(resource.props)}/{shown}"


def gpu_containers(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The containers of the pod template that request or limit GPUs."""
    found = []
    for container in items(pod_spec(props).get("containers")):
        resources = mapping(get(container, "resources"))
        named = {*mapping(resources.get("requests")), *mapping(resources.get("limits"))}
        if named.intersection(GPU_RESOURCES):
            found.append(mapping(container))
    return found


def is_gpu_workload(resource: Resource) -> bool:
    """Whether ``resource`` is a Deployment or StatefulSet with GPU containers."""
    return resource.resource_type in catalog.GPU_WORKLOAD_TYPES and bool(
        gpu_containers(resource.props)
    )


def _container_name(container: Mapping[str, Any]) -> str:
    name = container.get("name")
    return name if isinstance(name, str) else "?"


def check_requests_equal_limits(args: Resource, report: Report) -> None:
    """GPU limits are set, and GPU requests, where set, equal them."""
    if not is_gpu_workload(args):
        return
    info = catalog.GPU_REQUESTS_EQUAL_LIMITS
    for container in gpu_containers(args.props):
        requests = mapping(get(container, "resources", "requests"))
        limits = mapping(get(container, "resources", "limits"))
        for gpu in GPU_RESOURCES:
            if gpu not in requests and gpu not in limits:
                continue
            limit = quantity(limits.get(gpu))
            request = quantity(requests.get(gpu)) if gpu in requests else limit
            where = f"{describe(args)} container {_container_name(container)}"
            if limit is None:
                report(info.message(f"{where} requests {gpu} {request} without a limit."), None)
            elif request != limit:
                report(
                    info.message(f"{where} requests {gpu} {request} but limits it to {limit}."),
                    None,
                )


def _spreads_over_zones(constraint: object, labels: Mapping[str, Any]) -> bool:
    return get(constraint, "topologyKey") in ZONE_KEYS and selector_matches(
        get(constraint, "labelSelector"), labels
    )


def check_zone_spread(args: Resource, report: Report) -> None:
    """At least two replicas (when set), and a zone spread constraint over the pods' labels."""
    if not is_gpu_workload(args):
        return
    info = catalog.GPU_ZONE_SPREAD
    replicas = number(get(args.props, "spec", "replicas"))
    if replicas is not None and replicas < 2:
        report(
            info.message(
                f"{describe(args)} runs {replicas:g} replica; one replica cannot span zones."
            ),
            None,
        )
    labels = pod_labels(args.props)
    constraints = items(pod_spec(args.props).get("topologySpreadConstraints"))
    if not any(_spreads_over_zones(c, labels) for c in constraints):
        zonal = [c for c in constraints if get(c, "topologyKey") in ZONE_KEYS]
        problem = (
            "has a zone spread constraint whose labelSelector does not select its own pods"
            if zonal
            else "has no topology spread constraint over topology.kubernetes.io/zone"
        )
        report(info.message(f"{describe(args)} {problem}."), None)


def check_probes(args: Resource, report: Report) -> None:
    """Every GPU container has startup, readiness and liveness probes."""
    if not is_gpu_workload(args):
        return
    for container in gpu_containers(args.props):
        missing = [probe for probe in PROBES if not container.get(probe)]
        if missing:
            report(
                catalog.GPU_PROBES.message(
                    f"{describe(args)} container {_container_name(container)} has no "
                    f"{', '.join(missing)}."
                ),
                None,
            )


def _protects(pdb: StackResource, workload: StackResource) -> bool:
    spec = mapping(pdb.props.get("spec"))
    budget = "minAvailable" in spec or "maxUnavailable" in spec
    return (
        budget
        and namespace(pdb.props) == namespace(workload.props)
        and selector_matches(spec.get("selector"), pod_labels(workload.props))
    )


def check_disruption_budgets(args: StackArgs, report: Report) -> None:
    """Every GPU workload of the stack has a PodDisruptionBudget selecting its pods."""
    info = catalog.GPU_DISRUPTION_BUDGET
    pdbs = [r for r in args.resources if r.resource_type == catalog.PDB_TYPE]
    for workload in args.resources:
        if not is_gpu_workload(workload):
            continue
        if not any(_protects(pdb, workload) for pdb in pdbs):
            report(
                info.message(
                    f"{describe(workload)} has no PodDisruptionBudget that selects its pods "
                    "and sets minAvailable or maxUnavailable."
                ),
                workload.urn,
            )
