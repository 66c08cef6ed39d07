"""CG-COR-008: tier0 and tier1 stacks run chaos experiments.

Applies to stacks with a tier0/tier1 journey and to platforms whose components serve one. A
non-empty ``practices.chaos.experiments`` passes; the message names the failure modes the
stack is exposed to that no experiment rehearses yet (zone loss always, GPU node loss when it
runs its own GPUs, region isolation when it spans regions), as advice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from cellguard.models.enums import ChaosExperimentType
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.practices import ChaosExperiment
from cellguard.models.stack import Platform, Stack
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cor._helpers import serves_critical_journey
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import runs_gpus

META = RuleMeta(
    id="CG-COR-008",
    title="Tier0 and tier1 stacks run chaos experiments",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("stack",),
    rationale=(
        "Fallbacks, timeouts, failover and static stability that were never exercised "
        "usually fail the first time they are needed. Regular, controlled fault injection "
        "(zone power loss, pod and GPU node loss, dependency failure, region isolation) "
        "proves the recovery paths of critical journeys before a real outage does."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar, 'Test resiliency using chaos engineering'; "
        "Principles of Chaos Engineering (principlesofchaos.org)"
    ),
    remediation=(
        "Run scheduled experiments with AWS Fault Injection Service, Chaos Mesh or Litmus "
        "(az_power_interruption, pod_kill, gpu_node_loss, dependency_failure, "
        "region_isolation) against the critical journeys, and record them in "
        "practices.chaos.experiments with their targets and last_run."
    ),
    action="add-chaos-experiments",
)


def _relevant(ctx: RuleContext, doc: Stack | Platform) -> list[ChaosExperimentType]:
    """Experiment types the document's failure modes call for."""
    wanted = [ChaosExperimentType.AZ_POWER_INTERRUPTION]
    qids = ctx.graph.components(doc.name)
    if any(runs_gpus(ctx.graph.component(q)) for q in qids):
        wanted.append(ChaosExperimentType.GPU_NODE_LOSS)
    regions = {r for q in qids for r in ctx.graph.placement(q).regions}
    if len(regions) > 1:
        wanted.append(ChaosExperimentType.REGION_ISOLATION)
    return wanted


def _last_runs(experiments: list[ChaosExperiment]) -> dict[str, str | None]:
    """The latest ``last_run`` of each experiment type (``None`` where none is recorded)."""
    runs: dict[str, str | None] = {}
    for e in sorted(experiments, key=lambda e: (e.type, e.last_run or dt.date.min)):
        runs[e.type.value] = e.last_run.isoformat() if e.last_run else runs.get(e.type.value)
    return runs


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every stack and platform that serves a tier0 or tier1 journey."""
    for doc in ctx.documents():
        target = ctx.stack_target(doc.name)
        critical = serves_critical_journey(ctx, doc)
        if not critical:
            yield not_applicable(target, f"{doc.name} serves no tier0 or tier1 journey.")
            continue
        experiments = doc.practices.chaos.experiments
        field = ("practices", "chaos", "experiments")
        evidence: dict[str, Evidence] = {"critical_journeys": critical}
        if experiments is None:
            yield unknown(
                target,
                f"{doc.name} does not say whether it runs chaos experiments "
                "(practices.chaos.experiments).",
                field,
                **evidence,
            )
            continue
        types = sorted({e.type for e in experiments})
        evidence["experiments"] = [t.value for t in types]
        evidence["last_run"] = _last_runs(experiments)
        evidence["targets"] = sorted({t for e in experiments for t in e.targets})
        if not types:
            yield failed(
                target,
                f"{doc.name} serves tier0/tier1 journeys ({', '.join(critical)}) but runs no "
                "chaos experiments: its recovery paths are untested.",
                field,
                **evidence,
            )
            continue
        uncovered = [t.value for t in _relevant(ctx, doc) if t not in types]
        evidence["not_rehearsed"] = uncovered
        advice = f"; none yet rehearses {', '.join(uncovered)}" if uncovered else ""
        yield passed(
            target,
            f"{doc.name} runs chaos experiments ({', '.join(t.value for t in types)}){advice}.",
            field,
            **evidence,
        )


RULE = PythonRule(META, check)
