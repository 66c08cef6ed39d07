"""Round trip: assess the topology derived from captured resources beside the target.

The plan promised rule results for the target spec; the blueprint must deliver them. For the
rules in :data:`EXPRESSED` (each with the reason the infrastructure expresses it) the derived
spec (:func:`cellguard.iac.derive.derive`) must get the same status as the target for every
finding target. A rule agrees when every (stack, target) it reports has the same status in both
assessments, including findings present in only one of them (status ``absent``), or when the
infrastructure passes a rule the target did not (``NOT_APPLICABLE``, ``FAIL``, ``WAIVED`` or
``UNKNOWN`` -> ``PASS``): the round trip checks that the infrastructure delivers at least what
the spec promises, and the blueprint deliberately does more than some specs say (a cell router
with a health-checked record in every region, two instance types per GPU pool, FIS templates,
GPU-health alarms). Those are listed as ``BETTER``, never hidden; every other change of status
(weaker, or merely different) is a difference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cellguard.iac.derive import Derivation, derive
from cellguard.iac.mockrun import Capture
from cellguard.models.stack import Stack

EXPRESSED: dict[str, str] = {
    "CG-FI-005": "cells are the InferenceCell namespaces",
    "CG-FI-006": "which cell each service runs in comes from the namespaces",
    "CG-CAP-001": "capacity reservations / capacity-block node groups",
    "CG-CAP-002": "instance types of the GPU node groups",
    "CG-CAP-003": "HorizontalPodAutoscalers",
    "CG-CAP-011": "Deployment replicas and GPUs per pod",
    "CG-CAP-012": "replicas per zone and region after losing one",
    "CG-CAP-014": "autoscaling ceilings and replicas",
    "CG-COR-008": "FIS experiment templates",
    "CG-COR-010": "GPU-health alarms and node auto-repair",
    "CG-RED-001": "zone affinity and DoNotSchedule topology spread",
    "CG-RED-002": "regions with a VPC, cluster and cells",
    "CG-RED-003": "PITR and OpenSearch automated snapshots",
    "CG-RED-004": "global-table replicas and snapshot buckets in another region",
    "CG-RED-007": "backup frequency and replication of the generated stores",
    "CG-RED-008": "regions, health-checked routing and replicas (DR strategy)",
    "CG-RED-010": "exact availability of the deployed replicas, zones, regions and cells",
    "CG-RED-011": "single points of failure among the deployed resources",
    "CG-OBS-001": "per-cell CloudWatch alarms",
    "CG-OBS-002": "GPU-health alarms",
}
"""Rule id -> the resources that express it. Not listed, with why: CG-RED-005 (the blueprint
creates no cross-account copies), CG-RED-006 and CG-CAP-013 (managed models and quotas create no
resources), CG-RED-009 (failover tests are operations), the TIM rules (timeouts are in code),
and the other COR/FI rules (process, guardrail behaviour and sharing across stacks)."""

ABSENT = "absent"
PASS = "PASS"


@dataclass(frozen=True)
class RuleComparison:
    """One rule's results on the target and on the derived spec, per finding target."""

    rule: str
    reason: str
    target: dict[str, str]
    derived: dict[str, str]

    @property
    def agrees(self) -> bool:
        """Same status for every finding target, or better than a target without promise."""
        return not self.differences()

    def _changes(self, better: bool) -> list[str]:
        keys = sorted(set(self.target) | set(self.derived))
        out = []
        for k in keys:
            pair = (self.target.get(k, ABSENT), self.derived.get(k, ABSENT))
            if pair[0] != pair[1] and (pair[1] == PASS and pair[0] != ABSENT) == better:
                out.append(f"{k}: {pair[0]} -> {pair[1]}")
        return out

    def differences(self) -> list[str]:
        """``target: TARGET_STATUS -> DERIVED_STATUS`` for each finding target that differs."""
        return self._changes(better=False)

    def improvements(self) -> list[str]:
        """The same, for finding targets the infrastructure does better than promised."""
        return self._changes(better=True)


@dataclass(frozen=True)
class RoundTrip:
    """The comparison of every expressed rule, and how the spec was derived."""

    rules: list[RuleComparison]
    derivation: Derivation

    @property
    def agree(self) -> list[RuleComparison]:
        return [r for r in self.rules if r.agrees]

    @property
    def differ(self) -> list[RuleComparison]:
        return [r for r in self.rules if not r.agrees]

    def summary(self) -> str:
        """``round trip: N rules agree, M differ``."""
        return f"round trip: {len(self.agree)} rules agree, {len(self.differ)} differ"

    def lines(self) -> list[str]:
        """The summary, each differing rule with both statuses, and the derivation's gaps."""
        out = [self.summary()]
        for r in self.differ:
            out.extend(f"  DIFF {r.rule} ({r.reason}) {d}" for d in r.differences())
        for r in self.rules:
            out.extend(f"  BETTER {r.rule} ({r.reason}) {d}" for d in r.improvements())
        d = self.derivation
        if d.missing:
            out.append(f"  not deployed: {', '.join(d.missing)}")
        if d.copied:
            out.append(f"  copied from the target (no resources): {', '.join(d.copied)}")
        return out


def _statuses(stack: Stack, rules: list[str], today: dt.date) -> dict[str, dict[str, str]]:
    from cellguard.assessments.graph import build_graph
    from cellguard.models.loader.document import parse_document
    from cellguard.models.loader.organisation import build_organisation
    from cellguard.models.spec_writer import dump_document
    from cellguard.rules.engine import run_rules
    from cellguard.rules.packs import load_rules

    selected = [r for r in load_rules([], plugins=False).select([], []) if r.meta.id in rules]
    doc = parse_document(dump_document(stack), f"{stack.name}.yaml")
    org = build_organisation([doc], org_mode=False)
    out: dict[str, dict[str, str]] = {rule: {} for rule in rules}
    for f in run_rules(build_graph(org), selected, today=today).findings:
        out[f.rule][f"{f.stack}/{f.target}"] = str(f.status.value)
    return out


def round_trip(
    cap: Capture,
    target: Stack,
    *,
    today: dt.date,
    rules: dict[str, str] | None = None,
) -> RoundTrip:
    """Derive the deployed spec from ``cap`` and compare it with ``target`` on ``rules``."""
    chosen = EXPRESSED if rules is None else rules
    derivation = derive(cap, target)
    ids = sorted(chosen)
    before = _statuses(target, ids, today)
    after = _statuses(derivation.stack, ids, today)
    return RoundTrip(
        rules=[RuleComparison(r, chosen[r], before[r], after[r]) for r in ids],
        derivation=derivation,
    )
