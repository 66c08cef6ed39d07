"""Checks of a document against the hardware catalog and AWS naming: settings that cannot be
true are load errors, never UNKNOWN verdicts (issue 15).

* ``serving.gpu`` must name a GPU of the catalog (``gpus.yaml``; aliases and spelling variants
  count, see :func:`~cellguard.models.catalog.hardware.normalise`): a typo would otherwise turn
  every capacity and latency verdict of the endpoint into UNKNOWN. No spec key supplies a GPU's
  own figures yet, so an unknown GPU is always an error.
* each of ``serving.instance_types`` must be an instance type of the catalog
  (``instances.yaml``), carry the declared ``serving.gpu``, and hold a replica's GPUs: at least
  ``gpus_per_replica`` of them, or whole 8-GPU instances that a replica spans (multi-node
  serving, as LeaderWorkerSet or Ray do on p4/p5). Listed types carrying different GPUs need
  ``serving.gpu`` to say which one the fleet runs.
* zones are AWS zone *ids* (``use1-az1``), the same in every account; a zone *name*
  (``us-east-1a``) maps to a different zone in each account. A zone id whose prefix belongs to
  another region (``usw2-az1`` in ``us-east-1``) contradicts its region.

The checks cover model endpoints and embedding models, whose figures the capacity and latency
analyses read; a training job's ``gpu`` and ``instance_types`` feed no analysis.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from cellguard.models.catalog.hardware import (
    Gpu,
    InstanceType,
    find_gpu,
    find_instance,
    gpu_catalog,
    instance_catalog,
    normalise,
)
from cellguard.models.catalog.mig import mig_catalog, mig_gpu
from cellguard.models.components import ComponentBase
from cellguard.models.components.gpu_sharing import GpuSharingMode
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.loader.errors import KeyPath, one_of
from cellguard.models.quoting import quoted
from cellguard.models.topology import Topology
from cellguard.models.wording import plural

MULTI_NODE_GPUS = 8
"""GPUs of an instance a replica may span several of (full p4/p5 nodes with EFA)."""

ZONE_NAME = re.compile(r"^(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d+)(?P<letter>[a-z])$")
"""An AWS availability zone name: its region and a letter (``eu-west-1a``)."""
ZONE_ID = re.compile(r"^(?P<prefix>[a-z]+\d+)-az\d+$")
"""An AWS availability zone id: a region prefix and ``az`` with a number (``euw1-az1``)."""
REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d+$")
"""An AWS region name (``eu-west-1``, ``us-gov-west-1``)."""
_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


class Report(Protocol):
    """Records one diagnostic (``_Checker.error`` of :mod:`semantic`)."""

    def __call__(
        self,
        path: KeyPath,
        message: str,
        code: str,
        *,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> None: ...


Suggest = Callable[[str, list[str]], str | None]
"""The nearest of some candidates to a word, if it is a likely typo."""


def zone_id_prefix(region: str) -> str | None:
    """The prefix of the zone ids of an AWS region (``us-east-1`` -> ``use1``,
    ``ap-northeast-1`` -> ``apne1``, ``us-gov-west-1`` -> ``usgw1``); ``None`` for a name that
    is not an AWS region's."""
    if not REGION.match(region):
        return None
    parts = region.split("-")
    area, direction, number = parts[0], parts[-2], parts[-1]
    short = _DIRECTIONS.get(direction)
    if short is None:
        return None
    gov = "g" if "gov" in parts else ""
    return f"{area}{gov}{short}{number}"


def check_zones(topology: Topology, report: Report) -> None:
    """Zone names where ids are required, and ids of another region."""
    for ri, region in enumerate(topology.regions):
        prefix = zone_id_prefix(region.name)
        for zi, zone in enumerate(region.zones):
            path: KeyPath = ("topology", "regions", ri, "zones", zi)
            named = ZONE_NAME.match(zone)
            if named:
                home = named["region"]
                own = zone_id_prefix(home)
                example = f"{own}-az1" if own else "use1-az1"
                report(
                    path,
                    f"{quoted(zone)} is an availability zone name; cellguard needs zone ids",
                    "zone-name",
                    expected=f"a zone id such as {example}: a zone name maps to a different "
                    "physical zone in each account, an id is the same everywhere",
                    suggestion="list the ids with `aws ec2 describe-availability-zones --region "
                    f"{home} --query 'AvailabilityZones[].[ZoneName,ZoneId]'`",
                )
                continue
            found = ZONE_ID.match(zone)
            if found and prefix is not None and found["prefix"] != prefix:
                report(
                    path,
                    f"zone id {quoted(zone)} belongs to another region than {region.name} "
                    f"(whose zone ids start with {prefix}-)",
                    "zone-region",
                    expected=f"a zone id of {region.name}, e.g. {prefix}-az1",
                    suggestion="move the zone to its own region's entry, or fix the id",
                )


def _gpu_names() -> dict[str, str]:
    """Normalised name or alias -> canonical GPU name."""
    names: dict[str, str] = {}
    for gpu in gpu_catalog().gpus:
        for name in (gpu.name, *gpu.aliases):
            names.setdefault(normalise(name), gpu.name)
    return names


def nearest_gpu(name: str, suggest: Suggest) -> str | None:
    """The catalog GPU ``name`` most likely means: the longest catalog name it starts with
    (``h100-80gb`` -> H100), else the nearest by spelling."""
    key = normalise(name)
    names = _gpu_names()
    prefixes = [k for k in names if k and key.startswith(k)]
    if prefixes:
        return names[max(prefixes, key=len)]
    near = suggest(key, sorted(names))
    return names[near] if near is not None else None


def _instance_names(sagemaker: bool) -> list[str]:
    return [
        t.name for t in instance_catalog().instance_types() if t.name.startswith("ml.") == sagemaker
    ]


def _families() -> str:
    return ", ".join(sorted({f"{f.family} ({f.gpu})" for f in instance_catalog().families}))


def check_serving(comp: ComponentBase, base: KeyPath, report: Report, suggest: Suggest) -> None:
    """The GPU and instance types of a model's ``serving`` against the catalog."""
    if not isinstance(comp, HostedModelFields) or comp.serving is None:
        return
    serving = comp.serving
    path: KeyPath = (*base, "serving")
    gpu: Gpu | None = None
    if serving.gpu is not None:
        gpu = find_gpu(serving.gpu)
        if gpu is None:
            near = nearest_gpu(serving.gpu, suggest)
            report(
                (*path, "gpu"),
                f"GPU {quoted(serving.gpu)} is not in cellguard's GPU catalog",
                "not-in-catalog",
                expected="a catalogued GPU: " + one_of(g.name for g in gpu_catalog().gpus),
                suggestion=f"did you mean '{near}'?"
                if near
                else "a GPU outside the catalog cannot be assessed yet; name the closest one",
            )
    found: list[tuple[int, InstanceType]] = []
    for ti, name in enumerate(serving.instance_types):
        instance = find_instance(name)
        if instance is None:
            pool = _instance_names(name.strip().lower().startswith("ml."))
            near = suggest(name.strip().lower(), pool)
            report(
                (*path, "instance_types", ti),
                f"instance type {quoted(name)} is not in cellguard's instance catalog",
                "not-in-catalog",
                expected=f"an instance type of a catalogued family: {_families()}",
                suggestion=f"did you mean '{near}'?" if near else None,
            )
            continue
        found.append((ti, instance))
    for ti, instance in found:
        _fits(comp, path, ti, instance, gpu, report)
    if gpu is None and serving.gpu is None and found:
        gpu = find_gpu(found[0][1].gpu)
    check_mig(comp, path, gpu, report, suggest)
    carried = sorted({i.gpu for _, i in found})
    if serving.gpu is None and len(carried) > 1:
        report(
            (*path, "instance_types"),
            f"the instance types carry different GPUs ({', '.join(carried)}), so which one "
            "serves the model is ambiguous",
            "contradiction",
            expected="instance types of one GPU, or serving.gpu naming the one the fleet runs",
        )


def _fits(
    comp: HostedModelFields,
    path: KeyPath,
    index: int,
    instance: InstanceType,
    gpu: Gpu | None,
    report: Report,
) -> None:
    """One catalogued instance type against the declared GPU and GPUs per replica."""
    serving = comp.serving
    assert serving is not None
    where: KeyPath = (*path, "instance_types", index)
    if gpu is not None and not gpu.matches(instance.gpu):
        report(
            where,
            f"{instance.name} carries {instance.gpus} x {instance.gpu}, not the declared "
            f"{gpu.name} (serving.gpu)",
            "contradiction",
            expected=f"an instance type with {gpu.name} GPUs: "
            + one_of(sorted({f.family for f in instance_catalog().families if f.gpu == gpu.name})),
            suggestion="fix serving.gpu or the instance type",
        )
        return
    need = serving.gpus_per_replica
    if need is None or need <= instance.gpus:
        return
    spans = instance.gpus >= MULTI_NODE_GPUS and need % instance.gpus == 0
    if not spans:
        report(
            where,
            f"{instance.name} has {plural(instance.gpus, 'GPU')}, fewer than the {need} of one replica "
            "(serving.gpus_per_replica)",
            "contradiction",
            expected=f"an instance type with at least {need} GPUs, or a replica spanning whole "
            f"{MULTI_NODE_GPUS}-GPU instances",
            suggestion="pick a larger size of the family, or fix serving.gpus_per_replica",
        )


def check_mig(
    comp: HostedModelFields, path: KeyPath, gpu: Gpu | None, report: Report, suggest: Suggest
) -> None:
    """A MIG instance (``serving.gpu_sharing`` mode mig) is a profile of a MIG-capable GPU
    (``mig_profiles.yaml``) and one replica's only GPU."""
    serving = comp.serving
    sharing = serving.gpu_sharing if serving is not None else None
    if serving is None or sharing is None or sharing.mode is not GpuSharingMode.MIG:
        return
    where: KeyPath = (*path, "gpu_sharing")
    capable = one_of(m.gpu for m in mig_catalog().gpus)
    if gpu is None:
        if serving.gpu is None:
            report(
                where,
                "a MIG instance is a slice of a GPU, but the endpoint names no GPU",
                "missing",
                expected=f"serving.gpu naming a MIG-capable GPU: {capable}",
            )
        return
    profiles = mig_gpu(gpu)
    if profiles is None:
        report(
            (*where, "mode"),
            f"{gpu.name} does not support MIG",
            "contradiction",
            expected=f"a MIG-capable GPU: {capable}",
            suggestion="use mode mps or time_slicing on this GPU, or a MIG-capable GPU",
        )
        return
    profile = sharing.profile or ""
    if profile not in profiles.profiles:
        near = suggest(profile, list(profiles.profiles))
        report(
            (*where, "profile"),
            f"{quoted(profile)} is not a MIG profile of {gpu.name}",
            "not-in-catalog",
            expected=f"a profile of {gpu.name}: {one_of(profiles.profiles)}",
            suggestion=f"did you mean '{near}'?" if near else None,
        )
    if serving.gpus_per_replica is not None and serving.gpus_per_replica > 1:
        report(
            (*path, "gpus_per_replica"),
            f"a replica on a MIG instance runs on one slice of one GPU, not "
            f"{serving.gpus_per_replica} GPUs",
            "contradiction",
            expected="gpus_per_replica: 1 (or left out) with gpu_sharing mode mig",
            suggestion="a model that needs several GPUs needs whole GPUs: remove gpu_sharing",
        )
