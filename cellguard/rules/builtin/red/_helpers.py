"""Shared helpers of the redundancy rules: copies of data, DR strategy classes, journey regions."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from cellguard.assessments.graph import StackGraph
from cellguard.assessments.spec_fields import field_or_none
from cellguard.models.components import ComponentBase
from cellguard.models.components.common import StatefulFields
from cellguard.models.enums import BackupScope, DrStrategy
from cellguard.models.findings import Evidence
from cellguard.rules.context import RuleContext
from cellguard.rules.outcome import Outcome, failed, passed, unknown
from cellguard.rules.predicates import DATA_KINDS

# -- disaster recovery strategies ------------------------------------------------------------

DR_SOURCE = (
    "AWS whitepaper 'Disaster Recovery of Workloads on AWS: Recovery in the Cloud' (2021), "
    "section 'Disaster recovery options in the cloud'"
)
"""Where the recovery-time classes of the DR strategies come from."""


@dataclass(frozen=True)
class DrClass:
    """The recovery time a DR strategy typically achieves.

    ``words`` paraphrases the whitepaper's class ("hours", "10s of minutes", "minutes",
    "real-time");
    ``fastest`` and ``slowest`` (minutes) turn it into numbers: an RTO below ``fastest`` is out
    of the strategy's reach, an RTO at or above ``slowest`` is within it, and in between it
    depends on how fast this team's recovery actually is (which the spec does not record).
    """

    words: str
    fastest: float
    slowest: float

    def describe(self) -> str:
        """E.g. ``hours (60-1440 min)``."""
        return f"{self.words} ({self.fastest:g}-{self.slowest:g} min)"


DR_CLASSES: dict[DrStrategy, DrClass] = {
    # "Backup & Restore: RPO/RTO hours" -- restore data, redeploy the stack from IaC.
    DrStrategy.BACKUP_RESTORE: DrClass("hours", 60.0, 1440.0),
    # "Pilot light: RPO/RTO 10s of minutes" -- data live, compute switched off; up to a few
    # hours when GPU capacity must first be found and launched in the recovery region.
    DrStrategy.PILOT_LIGHT: DrClass("tens of minutes to hours", 10.0, 240.0),
    # "Warm standby: RPO/RTO minutes" -- a scaled-down copy runs and is scaled up.
    DrStrategy.WARM_STANDBY: DrClass("minutes", 5.0, 30.0),
    # "Multi-site active/active: RPO/RTO real-time" -- bounded by detection and DNS/routing.
    DrStrategy.ACTIVE_ACTIVE: DrClass("near zero", 0.0, 5.0),
}
"""Typical recovery time of each DR strategy, after :data:`DR_SOURCE`."""

REGIONAL_STRATEGIES = (DrStrategy.PILOT_LIGHT, DrStrategy.WARM_STANDBY, DrStrategy.ACTIVE_ACTIVE)
"""Strategies that keep a live footprint (data at least) in a recovery region."""

# -- copies of data --------------------------------------------------------------------------


def recreate_hours(comp: ComponentBase) -> float | None:
    """Hours to recreate the store's data from source (``data.recreate_hours``), if declared."""
    data = field_or_none(comp, "data")
    value = field_or_none(data, "recreate_hours") if data is not None else None
    return float(value) if value is not None else None


def backup_scopes(comp: ComponentBase) -> list[str] | None:
    """Scopes of the declared backups, sorted; ``None`` when ``backups`` is unset."""
    if not isinstance(comp, StatefulFields) or comp.backups is None:
        return None
    return sorted({b.scope.value for b in comp.backups})


def replicates_cross_region(comp: ComponentBase, own_regions: tuple[str, ...]) -> bool | None:
    """``replication.cross_region``, or true when ``replication.regions`` names another region."""
    if not isinstance(comp, StatefulFields) or comp.replication is None:
        return None
    repl = comp.replication
    if repl.cross_region:
        return True
    if any(r not in own_regions for r in repl.regions):
        return True
    return repl.cross_region


def replicates_cross_account(comp: ComponentBase) -> bool | None:
    """``replication.cross_account``."""
    if not isinstance(comp, StatefulFields) or comp.replication is None:
        return None
    return comp.replication.cross_account


def has_copy(comp: ComponentBase, scope: BackupScope, own_regions: tuple[str, ...]) -> bool | None:
    """Whether the store has a copy in ``scope``: a backup there or (across regions or accounts)
    replication there. ``None`` when ``backups`` is unset and no replication says yes; an
    explicit ``backups`` list is taken as the whole truth about backups."""
    scopes = backup_scopes(comp)
    if scopes is not None and scope.value in scopes:
        return True
    if scope is BackupScope.CROSS_REGION and replicates_cross_region(comp, own_regions):
        return True
    if scope is BackupScope.CROSS_ACCOUNT and replicates_cross_account(comp):
        return True
    return None if scopes is None else False


@dataclass(frozen=True)
class RecoveryPoint:
    """The newest copy a store can be recovered from, in minutes of data at risk."""

    minutes: float | None
    """Shortest backup interval or replication lag; ``None`` when no schedule is declared."""
    via: str
    """What gives it, e.g. ``same_region backup every 60 min`` (empty when nothing does)."""
    explicitly_none: bool
    """``backups: []`` and no replication: there is no copy at all."""
    lag_unknown: bool = False
    """The store replicates but declares no ``replication.lag_seconds``."""


def recovery_point(comp: ComponentBase) -> RecoveryPoint:
    """The best recovery point of a stateful component (backups and replication)."""
    if not isinstance(comp, StatefulFields):
        return RecoveryPoint(None, "", False)
    candidates: list[tuple[float, str]] = [
        (float(b.every_minutes), f"{b.scope.value} backup every {b.every_minutes} min")
        for b in comp.backups or []
        if b.every_minutes is not None
    ]
    repl = comp.replication
    replicated = repl is not None and bool(repl.cross_region or repl.cross_account or repl.regions)
    if repl is not None and replicated and repl.lag_seconds is not None:
        candidates.append((repl.lag_seconds / 60.0, f"replication lag {repl.lag_seconds} s"))
    lag_unknown = replicated and repl is not None and repl.lag_seconds is None
    if candidates:
        minutes, via = min(candidates)
        return RecoveryPoint(minutes, via, False, lag_unknown)
    explicitly_none = comp.backups == [] and not replicated
    return RecoveryPoint(None, "", explicitly_none, lag_unknown)


# -- journeys --------------------------------------------------------------------------------


def needed_components(graph: StackGraph, stack: str, journey_id: str) -> list[str]:
    """Components the journey cannot complete without: reachable over required (non-optional)
    dependencies, async ones included; fallback targets and soft dependencies are left out."""
    start = graph.entrypoint(stack, journey_id)
    seen = {start}
    queue = deque([start])
    while queue:
        for edge in graph.dependencies(queue.popleft()):
            if edge.required and edge.target not in seen:
                seen.add(edge.target)
                queue.append(edge.target)
    return sorted(seen)


def required_components(graph: StackGraph, stack: str, journey_id: str) -> list[str]:
    """Every component on the journey's required paths, sorted."""
    edges = graph.required_edges(stack, journey_id)
    return sorted({graph.entrypoint(stack, journey_id), *(e.target for e in edges)})


def serving_regions(graph: StackGraph, stack: str, journey_id: str) -> list[str]:
    """Regions from which the journey can be served alone: every component of its required
    paths (or the fallback of the call that reaches it) runs there. Judged per call
    (:meth:`StackGraph.required_edges`), not per path: there may be exponentially many."""
    regions = set(graph.placement(graph.entrypoint(stack, journey_id)).regions)
    for edge in graph.required_edges(stack, journey_id):
        here = set(graph.placement(edge.target).regions)
        for call in graph.dependencies(edge.source):
            fallback = call.fallback
            if call.target == edge.target and fallback is not None and fallback in graph.nx:
                here |= set(graph.placement(fallback).regions)
        regions &= here
    return sorted(regions)


def all_regions(graph: StackGraph, qids: list[str]) -> list[str]:
    """Every region any of ``qids`` runs in, sorted."""
    return sorted({r for qid in qids for r in graph.placement(qid).regions})


# -- backup scope rules (CG-RED-003..005) ----------------------------------------------------

_SCOPE_WORDS = {
    BackupScope.SAME_REGION: "same-region backup",
    BackupScope.CROSS_REGION: "cross-region copy",
    BackupScope.CROSS_ACCOUNT: "cross-account copy",
}
_SCOPE_RISK = {
    BackupScope.SAME_REGION: "a bad write, deletion or corruption cannot be rolled back",
    BackupScope.CROSS_REGION: "a regional outage or loss leaves nothing to restore elsewhere",
    BackupScope.CROSS_ACCOUNT: (
        "a compromised or misconfigured account (ransomware, a bad policy) can destroy every copy"
    ),
}


def _other_backups(comp: ComponentBase, scope: BackupScope) -> str | None:
    """What the store's backups outside ``scope`` give when ``scope`` has none: a point to
    roll a bad write back to, at the RPO of the most frequent one (``None`` without any)."""
    others = [b for b in getattr(comp, "backups", None) or [] if b.scope is not scope]
    if not others:
        return None
    kinds = sorted({b.scope.value.replace("_", "-") for b in others})
    where = " and ".join(kinds)
    stated = [b.every_minutes for b in others if b.every_minutes is not None]
    if stated:
        rpo = min(stated)
        across = "another region" if "cross-region" in kinds else "another account"
        return (
            f"a bad write, deletion or corruption can be rolled back only to the last "
            f"{where} backup (every {rpo:g} min): an RPO of {rpo:g} min, and a restore from "
            f"{across}, slower than one in place"
        )
    return (
        f"a bad write, deletion or corruption can be rolled back to the last {where} backup, "
        "but its interval is not declared (backups[].every_minutes), so the RPO it gives is "
        "unknown"
    )


def copy_outcomes(ctx: RuleContext, scope: BackupScope) -> Iterator[Outcome]:
    """One outcome per data store: does it have a copy in ``scope``?"""
    words = _SCOPE_WORDS[scope]
    for qid, comp in ctx.components(*DATA_KINDS):
        target = ctx.component_target(qid)
        own = ctx.graph.placement(qid).regions
        scopes = backup_scopes(comp)
        xr = replicates_cross_region(comp, own)
        xa = replicates_cross_account(comp)
        hours = recreate_hours(comp)
        evidence: dict[str, Evidence] = {
            "backup_scopes": scopes,
            "replication_cross_region": xr,
            "replication_cross_account": xa,
            "recreate_hours": hours,
        }
        ok = has_copy(comp, scope, own)
        if ok:
            if scopes is not None and scope.value in scopes:
                stated = [
                    b.every_minutes
                    for b in getattr(comp, "backups", None) or []
                    if b.scope is scope and b.every_minutes is not None
                ]
                every = f" every {min(stated)} min" if stated else ""
                how = f"a {scope.value} backup{every}"
            elif scope is BackupScope.CROSS_REGION:
                how = "cross-region replication"
            else:
                how = "cross-account replication"
            yield passed(target, f"{target.id} has {how}.", ("backups",), **evidence)
            continue
        if ok is None:
            yield unknown(
                target,
                f"{target.id} does not declare its backups (backups), so whether it has a "
                f"{words} is unknown.",
                (),
                **evidence,
            )
            continue
        have = f"only {', '.join(scopes)} backups" if scopes else "backups: []"
        if scope is BackupScope.CROSS_REGION:
            have += ", no cross-region replication"
        elif scope is BackupScope.CROSS_ACCOUNT:
            have += ", no cross-account replication"
        consequence = _SCOPE_RISK[scope]
        replica = scope is BackupScope.SAME_REGION and xr is True
        elsewhere = _other_backups(comp, scope) if scope is BackupScope.SAME_REGION else None
        if elsewhere is not None:
            # a backup in another region or account still rolls a bad write back, to its
            # last copy (issue 17 item 6 review): say the RPO it gives, not "cannot"
            consequence = elsewhere
        elif replica:
            # the replica survives what the bucket's own fate would take (issue 17 item 6):
            # what is missing is a point in time to restore, not a copy to recreate from
            consequence = (
                "its cross-region replica survives a lost region or a deleted store, but "
                "replication carries bad writes to the replica too, so nothing restores the "
                "data to a point in time before them"
            )
            if field_or_none(comp, "versioning"):
                consequence += " (versioning keeps earlier versions, one object at a time)"
        elif scope is BackupScope.SAME_REGION and field_or_none(comp, "versioning"):
            consequence = (
                "object versioning undoes overwrites but shares the bucket's fate: a bad "
                "lifecycle rule, a compromised role or a deleted bucket loses every version"
            )
        if hours is not None and not replica and elsewhere is None:
            consequence += f"; recreating its data from source takes about {hours:g} h"
        yield failed(
            target,
            f"{target.id} has no {words} ({have}): {consequence}.",
            ("backups",),
            **evidence,
        )
