"""CG-CAP-011 failures of endpoints sharing GPUs (``serving.gpu_sharing``, issue 17 item 5).

MIG profiles that do not fit one GPU together, weights that do not fit the GPUs' memory
together (MPS, time slicing) and a MIG slice too small for its model are not fixed by more
replicas: the step says what does. A group whose summed utilisation is over the target is:
:func:`replicas_for_group` gives each member the replicas that bring the sum to the target.
"""

from __future__ import annotations

import math

from cellguard.assessments.replica import ReplicaSpec
from cellguard.assessments.stability import TARGET_UTILISATION
from cellguard.assessments.throughput_model import MEMORY_HEADROOM
from cellguard.models.catalog.hardware import find_gpu
from cellguard.models.catalog.mig import COMPUTE_SLICES, MEMORY_SLICES, mig_gpu
from cellguard.models.findings import Finding
from cellguard.planner.context import manual
from cellguard.planner.model import ActionResult


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _slice_step(action: str, finding: Finding, spec: ReplicaSpec) -> list[ActionResult] | None:
    """A MIG instance too small for its model's weights: a larger profile, or whole GPUs."""
    if spec.fits is not False or spec.gpu is None or " MIG " not in spec.gpu.name:
        return None
    whole_name, _, profile = spec.gpu.name.partition(" MIG ")
    whole = find_gpu(whole_name)
    owner = mig_gpu(whole) if whole is not None else None
    weights = (spec.weights or 0.0) / 1e9
    holding = (
        [
            name
            for name, p in owner.profiles.items()
            if weights <= MEMORY_HEADROOM * whole.memory_gb * p.memory / owner.memory_slices
        ]
        if owner is not None and whole is not None
        else []
    )
    whole_gpus = f"give {finding.target} whole GPUs (remove serving.gpu_sharing)"
    fix = (
        f"Use a MIG profile that holds them ({', '.join(holding)}; the group's profiles must "
        f"still fit one GPU together), or {whole_gpus}."
        if holding
        else f"No MIG profile of {whole_name} holds them: {whole_gpus}."
    )
    return manual(
        action,
        finding,
        f"{finding.target}: more replicas cannot fix this; each replica is one MIG {profile} "
        f"instance ({spec.gpu.memory_gb:g} GB) and the weights take {weights:,.0f} GB. {fix}",
    )


def sharing_step(
    action: str, finding: Finding, spec: ReplicaSpec | None
) -> list[ActionResult] | None:
    """The manual step for a shared-GPU failure more replicas cannot fix; ``None`` otherwise."""
    ev = finding.evidence
    if spec is not None:  # a MIG slice too small: its weights-fit finding has no group figures
        found = _slice_step(action, finding, spec)
        if found is not None:
            return found
    mode, group = ev.get("gpu_sharing_mode"), ev.get("gpu_sharing_group")
    if mode is None:
        return None
    compute, memory = _number(ev.get("compute_slices")), _number(ev.get("memory_slices"))
    most_compute = _number(ev.get("compute_slices_per_gpu")) or COMPUTE_SLICES
    most_memory = _number(ev.get("memory_slices_per_gpu")) or MEMORY_SLICES
    if mode == "mig" and ((compute or 0) > most_compute or (memory or 0) > most_memory):
        return manual(
            action,
            finding,
            f"The MIG instances of group {group} need {compute or 0:g} of {most_compute:g} "
            f"compute and {memory or 0:g} of {most_memory:g} memory slices of each GPU: more "
            "replicas cannot fix this. Give some of its endpoints smaller profiles "
            "(serving.gpu_sharing.profile, from mig_profiles.yaml) or move one to GPUs of "
            "its own (another group, or no gpu_sharing).",
        )
    shared, budget = _number(ev.get("shared_memory_gb")), _number(ev.get("memory_budget_gb"))
    if shared is not None and budget is not None and shared > budget:
        return manual(
            action,
            finding,
            f"The endpoints of group {group} keep {shared:,.1f} GB in each GPU together, more "
            f"than the {budget:,.1f} GB weights may take ({mode}: no memory isolation): more "
            "replicas cannot fix this. Move an endpoint to GPUs of its own, to MIG instances "
            "that hold it, or use GPUs with more memory.",
        )
    return None


def replicas_for_group(finding: Finding, replicas: int) -> int:
    """Replicas per region a member of an MPS or time-sliced group needs so that the group's
    summed utilisation falls to the target (every member scaled alike); ``replicas`` when the
    group is within it or the figures are missing."""
    busy = _number(finding.evidence.get("shared_utilisation"))
    if busy is None or busy <= TARGET_UTILISATION:
        return replicas
    return math.ceil(round(replicas * busy / TARGET_UTILISATION, 9))


def group_note(finding: Finding, needed: int) -> str:
    """A sentence for the change when the group's summed utilisation set the count."""
    busy = _number(finding.evidence.get("shared_utilisation"))
    if busy is None or busy <= TARGET_UTILISATION:
        return ""
    group = finding.evidence.get("gpu_sharing_group")
    return (
        f" Its GPUs are shared (group {group}): the members take {busy:.0%} of them together, so "
        f"each needs {needed} replicas to bring that to {TARGET_UTILISATION:.0%}."
    )
