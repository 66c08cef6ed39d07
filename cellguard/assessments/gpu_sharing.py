"""Endpoints sharing GPUs as one capacity domain (``serving.gpu_sharing``, issue 17 item 5).

Endpoints naming the same ``group`` (in the same account and regions) run on the same GPUs:
each GPU holds one replica of every member (a MIG instance of its profile, or a process
under MPS or time slicing). What they need of the GPUs adds up:

* **mig**: the instances are isolated, so each member's throughput and memory are its
  profile's slice (:func:`~cellguard.models.catalog.mig.mig_slice`, applied in
  :mod:`.replica`; CG-CAP-011 judges each member on it). The profiles must fit one GPU
  together: their compute slices at most the GPU's (7 on an A100, H100 or H200), their memory
  slices at most its 8 and no profile more often than the GPU allows (``mig_profiles.yaml``).
* **mps** and **time_slicing**: every member computes on the whole GPUs, taking turns, so the
  GPUs' busy share is the sum of the members' utilisations (each member's peak demand over its
  own supply on the whole GPUs) and must stay at or below the target utilisation; and with no
  memory isolation, the members' weights and hot sets (per GPU: a replica's over its GPUs) must
  fit together in the share of a GPU's memory weights may take.

Members whose figures are missing, or that are declared in a document that is not loaded,
leave the group's verdict unknown, and so does an MPS or time-sliced group with one member
(nothing else on its GPUs is described; a MIG instance alone is isolated and judged on its
slice); members disagreeing on the mode or the GPU contradict each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from cellguard.assessments.capacity import fleet
from cellguard.assessments.cold_load import hot_set
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.spec_fields import field_or_none
from cellguard.assessments.throughput_model import MEMORY_HEADROOM
from cellguard.models.catalog.hardware import Gpu, find_gpu, find_instance
from cellguard.models.catalog.mig import COMPUTE_SLICES, MEMORY_SLICES, mig_gpu, mig_profile
from cellguard.models.components.gpu_sharing import GpuSharing, GpuSharingMode
from cellguard.models.references import split_reference

_GROUPS: WeakKeyDictionary[StackGraph, dict[str, SharedGpus]] = WeakKeyDictionary()


@dataclass(frozen=True)
class Member:
    """One endpoint on the shared GPUs, with its figures (``None`` where unknown)."""

    qid: str
    profile: str | None
    utilisation: float | None
    demand_complete: bool
    memory_gb: float | None
    """Weights and hot set of one replica per GPU of it, GB."""
    replicas: int | None


@dataclass(frozen=True)
class SharedGpus:
    """A group of endpoints on the same GPUs and what they need of them together."""

    group: str
    """``<document>/<group>``."""
    mode: GpuSharingMode
    gpu: str | None
    members: tuple[Member, ...]
    contradictions: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    compute_slices: int | None = None
    memory_slices: int | None = None
    compute_per_gpu: int = COMPUTE_SLICES
    """The GPU's compute slices (``mig_profiles.yaml``: 7 on an A100, H100 or H200)."""
    memory_per_gpu: int = MEMORY_SLICES
    """The GPU's memory slices (8 on an A100, H100 or H200)."""
    over_instances: tuple[str, ...] = ()
    memory_budget_gb: float | None = None

    @property
    def names(self) -> list[str]:
        """The members' qualified ids."""
        return [m.qid for m in self.members]

    @property
    def utilisation(self) -> float | None:
        """The GPUs' busy share at peak (MPS, time slicing): the sum of the members'
        utilisations; ``None`` when one is unknown."""
        values = [m.utilisation for m in self.members]
        if any(v is None for v in values):
            return None
        return sum(v or 0.0 for v in values)

    @property
    def memory_gb(self) -> float | None:
        """GB the members keep in one GPU's memory (MPS, time slicing); ``None`` if unknown."""
        values = [m.memory_gb for m in self.members]
        if any(v is None for v in values):
            return None
        return sum(v or 0.0 for v in values)

    @property
    def partition_fits(self) -> bool:
        """Whether the members' MIG profiles fit one GPU together (compute, memory, counts)."""
        return (
            (self.compute_slices or 0) <= self.compute_per_gpu
            and (self.memory_slices or 0) <= self.memory_per_gpu
            and not self.over_instances
        )


def _sharing(graph: StackGraph, qid: str) -> GpuSharing | None:
    serving = field_or_none(graph.component(qid), "serving")
    sharing: GpuSharing | None = field_or_none(serving, "gpu_sharing")
    return sharing


def _gpu_of(serving: object) -> Gpu | None:
    """The whole GPU a member's serving names: ``serving.gpu``, else the GPU of its first
    catalogued instance type."""
    named = getattr(serving, "gpu", None)
    if named:
        return find_gpu(named)
    for name in getattr(serving, "instance_types", None) or ():
        instance = find_instance(name)
        if instance is not None:
            return find_gpu(instance.gpu)
    return None


def _member(graph: StackGraph, qid: str, sharing: GpuSharing) -> tuple[Member, list[str]]:
    model = fleet(graph, qid)
    row = model.row if model is not None else None
    spec = model.replica if model is not None else None
    missing: list[str] = []
    memory: float | None = None
    if spec is not None:
        hot = hot_set(graph.component(qid))
        weights = spec.weights
        if (
            hot is not None
            and weights is None
            and getattr(graph.component(qid), "model", None) is None
        ):
            weights = 0.0  # a pool of hosted models only: the hot set is its memory
        if weights is None:
            missing.append(f"the weights of {qid} (model.params_b and model.precision)")
        else:
            memory = (weights / 1e9 + (hot.gb if hot else 0.0)) / spec.gpus
    utilisation = row.utilisation if row is not None else None
    if row is not None and row.journeys and utilisation is None:
        missing.append(f"the supply of {qid} ({'; '.join(row.missing) or 'unknown'})")
    elif row is not None and not row.journeys:
        utilisation = 0.0
    complete = row is not None and (row.demand_complete or not row.journeys)
    if row is not None and not complete:
        missing.append(f"the peak demand of {qid}'s journeys")
    member = Member(
        qid=qid,
        profile=sharing.profile,
        utilisation=utilisation,
        demand_complete=complete,
        memory_gb=memory,
        replicas=row.replicas if row is not None else None,
    )
    return member, missing


def _group(graph: StackGraph, key: str, qids: Iterable[str]) -> SharedGpus:
    members: list[Member] = []
    missing: list[str] = []
    modes: set[GpuSharingMode] = set()
    gpus: set[str] = set()
    for qid in sorted(qids):
        sharing = _sharing(graph, qid)
        assert sharing is not None
        modes.add(sharing.mode)
        gpu = _gpu_of(getattr(graph.component(qid), "serving", None))
        gpus.add(gpu.name if gpu is not None else "unknown")
        member, gaps = _member(graph, qid, sharing)
        members.append(member)
        missing += gaps
    contradictions: list[str] = []
    if len(modes) > 1:
        contradictions.append(
            f"the members share the GPUs by different modes ({', '.join(sorted(modes))})"
        )
    named_gpus = sorted(gpus - {"unknown"})
    if len(named_gpus) > 1:
        contradictions.append(f"the members name different GPUs ({', '.join(named_gpus)})")
    if "unknown" in gpus:
        missing.append("the GPU the group shares (serving.gpu)")
    owner = key.split("/", 1)[0]
    mode = min(modes)
    if owner not in graph.stacks():
        missing.append(f"the other members of {key} (document {owner} is not loaded)")
    elif len(members) == 1 and mode is not GpuSharingMode.MIG:
        # MPS or time slicing with nothing else on the GPUs named: a misspelt group, or GPUs
        # shared with work the spec does not describe; its demand and memory are unknown
        missing.append(
            f"the other users of {key}'s GPUs (no other endpoint names the group: a misspelt "
            "group, or work the spec does not describe)"
        )
    found = find_gpu(named_gpus[0]) if len(named_gpus) == 1 else None
    compute = memory_slices = None
    over: list[str] = []
    budget = MEMORY_HEADROOM * found.memory_gb if found is not None else None
    parts = mig_gpu(found) if found is not None else None
    totals = (
        (parts.compute_slices, parts.memory_slices) if parts else (COMPUTE_SLICES, MEMORY_SLICES)
    )
    if mode is GpuSharingMode.MIG and found is not None:
        compute = memory_slices = 0
        counts: dict[str, int] = {}
        for m in members:
            profile = mig_profile(found, m.profile or "")
            if profile is None:
                missing.append(f"MIG profile {m.profile} of {found.name} (mig_profiles.yaml)")
                continue
            compute += profile.compute
            memory_slices += profile.memory
            counts[m.profile or ""] = counts.get(m.profile or "", 0) + 1
            if counts[m.profile or ""] == profile.instances + 1:
                over.append(f"{m.profile} (at most {profile.instances} per GPU)")
    return SharedGpus(
        group=key,
        mode=mode,
        gpu=found.name if found is not None else None,
        members=tuple(members),
        contradictions=tuple(contradictions),
        missing=tuple(dict.fromkeys(missing)),
        compute_slices=compute,
        memory_slices=memory_slices,
        over_instances=tuple(over),
        memory_budget_gb=budget,
        compute_per_gpu=totals[0],
        memory_per_gpu=totals[1],
    )


def _groups(graph: StackGraph) -> dict[str, SharedGpus]:
    cached = _GROUPS.get(graph)
    if cached is not None:
        return cached
    keyed: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    for qid in graph.components():
        sharing = _sharing(graph, qid)
        if sharing is None:
            continue
        owner, group = split_reference(sharing.group, graph.stack_of(qid))
        placement = graph.placement(qid)
        key = (f"{owner}/{group}", placement.account, tuple(sorted(placement.regions)))
        keyed.setdefault(key, []).append(qid)
    found: dict[str, SharedGpus] = {}
    for key, qids in sorted(keyed.items()):
        shared = _group(graph, key[0], qids)
        for qid in qids:
            found[qid] = shared
    _GROUPS[graph] = found
    return found


def shared_gpus(graph: StackGraph, qid: str) -> SharedGpus | None:
    """The group of endpoints on the GPUs ``qid`` shares; ``None`` when it shares none."""
    return _groups(graph).get(qid)
