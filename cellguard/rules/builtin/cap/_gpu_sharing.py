"""CG-CAP-011 on endpoints sharing GPUs (``serving.gpu_sharing``): the group's verdict.

The members of a group are one capacity domain (:mod:`cellguard.assessments.gpu_sharing`):
MIG profiles that do not fit one GPU together, or MPS and time-sliced members whose summed
utilisation exceeds the target or whose weights do not fit the GPUs' memory together, FAIL
every member; missing figures of any member make the group UNKNOWN.
"""

from __future__ import annotations

from cellguard.assessments.gpu_sharing import SharedGpus
from cellguard.models.components.gpu_sharing import GpuSharingMode
from cellguard.models.findings import Evidence
from cellguard.rules.builtin.cap._capacity import percent
from cellguard.rules.outcome import Outcome, Target, failed, unknown

_FIELD = ("serving", "gpu_sharing")


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits) + 0.0


def sharing_evidence(group: SharedGpus) -> dict[str, Evidence]:
    """The group's figures, for every member's finding."""
    evidence: dict[str, Evidence] = {
        "gpu_sharing_group": group.group,
        "gpu_sharing_mode": group.mode.value,
        "shared_gpu": group.gpu,
        "sharing_members": group.names,
        "member_utilisation": {m.qid: _round(m.utilisation, 3) for m in group.members},
    }
    if group.mode is GpuSharingMode.MIG:
        evidence["mig_profiles"] = {m.qid: m.profile for m in group.members}
        evidence["compute_slices"] = group.compute_slices
        evidence["memory_slices"] = group.memory_slices
        evidence["compute_slices_per_gpu"] = group.compute_per_gpu
        evidence["memory_slices_per_gpu"] = group.memory_per_gpu
    else:
        evidence["shared_utilisation"] = _round(group.utilisation, 3)
        evidence["member_memory_gb"] = {m.qid: _round(m.memory_gb, 1) for m in group.members}
        evidence["shared_memory_gb"] = _round(group.memory_gb, 1)
        evidence["memory_budget_gb"] = _round(group.memory_budget_gb, 1)
    return evidence


def sharing_outcome(
    target: Target, group: SharedGpus, target_utilisation: float
) -> tuple[Outcome | None, dict[str, Evidence]]:
    """A FAIL or UNKNOWN for the group ``target`` is a member of, or ``None`` when the shared
    GPUs hold the group; with the group's evidence."""
    evidence = sharing_evidence(group)
    me = f"{target.stack}/{target.id}"
    others = [n for n in group.names if n != me] or ["no other loaded endpoint"]
    on = (
        f"{target.id} shares {group.gpu or 'its'} GPUs ({group.mode.value}, group "
        f"{group.group}) with {', '.join(others)}"
    )
    if group.contradictions:
        return unknown(
            target,
            f"{on}, but {'; '.join(group.contradictions)}: one group runs on one kind of GPU "
            "shared one way.",
            _FIELD,
            **evidence,
        ), evidence
    mig = group.mode is GpuSharingMode.MIG and group.compute_slices is not None
    if mig and not group.partition_fits:
        over = f"; too many {', '.join(group.over_instances)}" if group.over_instances else ""
        return failed(
            target,
            f"{on}: their MIG instances need {group.compute_slices} of {group.compute_per_gpu} "
            f"compute slices and {group.memory_slices} of {group.memory_per_gpu} memory slices of "
            f"each GPU{over}, so they cannot all run on the shared GPUs.",
            _FIELD,
            **evidence,
        ), evidence
    if group.mode is not GpuSharingMode.MIG:
        memory, budget = group.memory_gb, group.memory_budget_gb
        if memory is not None and budget is not None and memory > budget:
            return failed(
                target,
                f"{on}: without memory isolation their weights take {memory:,.1f} GB of each "
                f"GPU together, more than the {budget:,.1f} GB weights may take, so they "
                "cannot all be resident.",
                _FIELD,
                **evidence,
            ), evidence
        busy = group.utilisation
        if busy is not None and busy > target_utilisation:
            return failed(
                target,
                f"{on}: their peak demand adds up to {percent(busy)} of the shared GPUs, above "
                f"the {percent(target_utilisation)} target ("
                + ", ".join(f"{m.qid} {percent(m.utilisation or 0.0)}" for m in group.members)
                + ").",
                _FIELD,
                **evidence,
            ), evidence
    if group.missing:
        return unknown(
            target,
            f"{on}, but whether the shared GPUs hold them all is unknown: the spec lacks "
            f"{'; '.join(group.missing)}.",
            _FIELD,
            **evidence,
        ), evidence
    return None, evidence


def sharing_note(target: Target, group: SharedGpus) -> str:
    """One sentence for a PASS: who shares the GPUs and what they take of them together."""
    me = f"{target.stack}/{target.id}"
    others = [n for n in group.names if n != me]
    if group.mode is GpuSharingMode.MIG:
        taken = (
            f"their MIG instances take {group.compute_slices} of {group.compute_per_gpu} compute "
            f"and {group.memory_slices} of {group.memory_per_gpu} memory slices of each GPU"
        )
    else:
        taken = f"their peak demand adds up to {percent(group.utilisation or 0.0)} of the GPUs"
    return (
        f" It shares its GPUs ({group.mode.value}, group {group.group}) with "
        f"{', '.join(others) or 'no other loaded endpoint'}: {taken}."
    )
