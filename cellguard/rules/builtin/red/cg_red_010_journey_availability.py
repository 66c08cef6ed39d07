"""CG-RED-010: each journey's exact availability meets its objective."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.availability.journeys import journey_availability, sig
from cellguard.assessments.availability.provenance import journey_provenance
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

META = RuleMeta(
    id="CG-RED-010",
    title="Each journey's exact availability meets its objective",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.HIGH,
    applies_to=("journey",),
    rationale=(
        "Multiplying SLAs, or ignoring that a zone, a region, an account or a shared store "
        "fails many components at once, understates unavailability by orders of magnitude. "
        "cellguard compiles the journey into a fault tree over its replicas, managed services "
        "and failure domains (shared events) and quantifies it exactly with a BDD; this is the "
        "availability the architecture can deliver, before any operational mistake. A "
        "component without an availability prior (a managed service the catalog does not "
        "know, a runtime of 'managed' or 'other') is not given an invented figure: the "
        "journey's availability is then an upper bound, which can prove a FAIL but never a "
        "PASS."
    ),
    source=(
        "Generative AI Lens GENREL05; AWS Well-Architected REL10-BP01; priors in "
        "cellguard/models/catalog/availability.yaml"
    ),
    remediation=(
        "Remove the events with the largest Fussell-Vesely importance first: spread replicas "
        "over zones, add a fallback model, or serve the journey from a second region; or set an "
        "objective the business agrees the architecture can meet. For a journey whose figure "
        "is unproven, set the availability of each component without a prior (or name its "
        "managed service in runtime, engine, hosting or provider)."
    ),
    action="raise-journey-availability",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Compare every journey's exact availability with its objective."""
    provenance = journey_provenance(ctx.graph)
    for result in journey_availability(ctx.graph):
        target = ctx.journey_target(result.stack, result.journey)
        prov = provenance[(result.stack, result.journey)]
        figures = {**result.to_json(), **prov.to_json()}
        evidence = {
            key: figures[key]
            for key in (
                "availability",
                "unavailability",
                "objective",
                "downtime_hours_per_year",
                "failures_per_year",
                "loss_per_year",
                "top_importances",
                "single_points_of_failure",
                "prior_shares",
                "components_without_prior",
            )
        }
        # evidence is read by people: the unavailability to 6 digits, as the other figures
        # (the JSON report's journeys section has it exact)
        evidence["unavailability"] = sig(result.unavailability)
        shown = f"{result.availability:.4f}%"
        if not prov.proven and (result.objective is None or result.meets_objective):
            missing = ", ".join(f"{c}: availability" for c in prov.unknown)
            against = (
                f", which would meet its {result.objective:g}% objective"
                if result.objective is not None
                else ""
            )
            yield unknown(
                target,
                f"{target.id}'s availability is unproven: at most {shown}{against} if the "
                f"components without an availability prior never failed; set {missing}.",
                ("objectives", "availability"),
                **evidence,
            )
            continue
        if result.objective is None:
            yield unknown(
                target,
                f"{target.id} reaches {shown} exactly but states no availability objective.",
                ("objectives",),
                **evidence,
            )
            continue
        field = ("objectives", "availability")
        if result.meets_objective:
            yield passed(
                target,
                f"{target.id} reaches {shown}, meeting its {result.objective:g}% objective.",
                field,
                **evidence,
            )
            continue
        top = result.importances[0] if result.importances else None
        driver = (
            f"; the largest contributor is {result.labels.get(top.event, top.event)} "
            f"(Fussell-Vesely {top.fussell_vesely:.0%})"
            if top is not None
            else ""
        )
        reach, least = ("only", "") if prov.proven else ("at most", "at least ")
        yield failed(
            target,
            f"{target.id} reaches {reach} {shown} against its {result.objective:g}% "
            f"objective ({least}{result.downtime_hours:.1f} h of downtime a year){driver}.",
            field,
            **evidence,
        )


RULE = PythonRule(META, check)
