"""CG-RED-001: components on tier0/tier1 journeys run in several zones."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.red._helpers import required_components
from cellguard.rules.context import CRITICAL_TIERS, RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import kind_names, provider_runs

META = RuleMeta(
    id="CG-RED-001",
    title="Components of tier0 and tier1 journeys span several zones",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.HIGH,
    applies_to=kind_names(*ComponentKind),
    rationale=(
        "A component whose replicas all sit in one availability zone (or that has a single "
        "replica) goes down with that zone, a node or a capacity shortfall there, and takes every "
        "journey that needs it down too. GPU fleets are often pinned to the one zone where "
        "capacity was found, which turns a routine zone impairment into a full outage. Regional "
        "managed services (Bedrock, DynamoDB, S3, Lambda, ...) are spread over zones by the "
        "provider and pass."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL10-BP01 (deploy the workload to multiple "
        "locations); Generative AI Lens GENREL05"
    ),
    remediation=(
        "Spread at least two replicas per region over at least two zones: set placement.zones to "
        "2 or more (or list several zone ids) and replicas to at least the number of zones; for "
        "GPU fleets reserve capacity (ODCR) in a second zone and allow several instance types."
    ),
    action="spread-over-zones",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every component on the required path of a tier0 or tier1 journey."""
    critical: dict[str, list[str]] = {}
    for stack, journey in ctx.journeys():
        if journey.criticality in CRITICAL_TIERS:
            for qid in required_components(ctx.graph, stack, journey.id):
                critical.setdefault(qid, []).append(
                    localise(f"{stack}/{journey.id}", ctx.graph.stack_of(qid))
                )
    for qid, comp in ctx.components_for(META):
        target = ctx.component_target(qid)
        journeys = critical.get(qid)
        if not journeys:
            yield not_applicable(
                target, f"{target.id} is not on the required path of a tier0 or tier1 journey."
            )
            continue
        placement = ctx.graph.placement(qid)
        evidence: dict[str, Evidence] = {
            "regions": placement.regions,
            "journeys": journeys,
        }
        managed = provider_runs(comp)
        if managed is not None:
            yield passed(
                target,
                f"{target.id} is a regional managed service ({managed}), spread over zones by "
                "the provider.",
                ("placement",),
                managed=managed,
                **evidence,
            )
            continue
        if not placement.zones_known:
            yield unknown(
                target,
                f"{target.id} serves {', '.join(journeys)} but does not say which zones it runs "
                "in (placement.zones).",
                ("placement",),
                **evidence,
            )
            continue
        if comp.replicas is None:
            yield unknown(
                target,
                f"{target.id} serves {', '.join(journeys)} but does not say how many replicas it "
                "runs (replicas).",
                ("placement", "zones"),
                **evidence,
            )
            continue
        used = {r: sorted(z for z, _ in c) for r, c in ctx.graph.replica_counts(qid).items()}
        zones: dict[str, Evidence] = dict(used)
        evidence.update(zones=zones, replicas=comp.replicas)
        if comp.replicas < 2:
            yield failed(
                target,
                f"{target.id} runs {comp.replicas} replica{'' if comp.replicas == 1 else 's'} per "
                f"region: one failure takes down "
                f"{', '.join(journeys)}.",
                ("replicas",),
                **evidence,
            )
            continue
        narrow = {r: z for r, z in used.items() if len(z) < 2}
        if narrow:
            where = "; ".join(
                f"{r}: only {z[0]}" if z else f"{r}: no zone" for r, z in sorted(narrow.items())
            )
            fallbacks = sorted(
                {
                    localise(e.fallback, target.stack)
                    for e in ctx.graph.dependents(qid)
                    if e.fallback is not None
                }
            )
            after = (
                f", leaving {', '.join(journeys)} on the fallback {', '.join(fallbacks)} alone"
                if fallbacks
                else f", and {', '.join(journeys)} with them"
            )
            yield failed(
                target,
                f"{target.id} keeps its {comp.replicas} replicas per region in a single zone "
                f"({where}): a zone outage takes every replica out at once{after}.",
                ("placement", "zones"),
                **evidence,
            )
            continue
        yield passed(
            target,
            f"{target.id} spreads {comp.replicas} replicas per region over "
            + "; ".join(f"{r}: {', '.join(z)}" for r, z in sorted(used.items()))
            + ".",
            ("placement", "zones"),
            **evidence,
        )


RULE = PythonRule(META, check)
