"""CG-CAP-008: ingestion pipelines bound their parallelism and throttle their sources."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import IngestionPipeline
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.loader.errors import KeyPath
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

META = RuleMeta(
    id="CG-CAP-008",
    title="Ingestion pipelines bound their parallelism and throttle their sources",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=("ingestion_pipeline",),
    rationale=(
        "An ingestion run with unbounded parallelism competes with live traffic for the "
        "embedding model's capacity or quota, and a source read without throttling is "
        "either overloaded (a production ticketing system, a wiki) or answers with 429s "
        "and bans that stall the run. Bounded workers and per-source rate limits keep a "
        "re-index from becoming an incident, for the stack or for the source's owners."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL05-BP02 (throttle requests); Generative AI "
        "Lens GENREL01"
    ),
    remediation=(
        "Cap the pipeline's concurrent workers below the embedding model's spare capacity and "
        "rate-limit every source to its documented API limits; declare parallelism, and "
        "sources[].throttled (with rate_limit_rps) for each source."
    ),
    action="throttle-ingestion",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every ingestion pipeline."""
    for qid, comp in ctx.components(ComponentKind.INGESTION_PIPELINE):
        assert isinstance(comp, IngestionPipeline)
        target = ctx.component_target(qid)
        unthrottled = [(i, s.name) for i, s in enumerate(comp.sources) if s.throttled is False]
        undeclared = [(i, s.name) for i, s in enumerate(comp.sources) if s.throttled is None]
        evidence: dict[str, Evidence] = {
            "parallelism": comp.parallelism,
            "sources": [s.name for s in comp.sources],
            "unthrottled_sources": [name for _, name in unthrottled],
            "undeclared_sources": [name for _, name in undeclared],
            "rate_limits_rps": {
                s.name: s.rate_limit_rps for s in comp.sources if s.rate_limit_rps is not None
            },
            "retried_sources": [s.name for s in comp.sources if s.retries],
        }
        gaps = []
        if comp.parallelism is None:
            gaps.append("its parallelism (parallelism)")
        if undeclared:
            names = ", ".join(name for _, name in undeclared)
            gaps.append(f"whether {names} {'is' if len(undeclared) == 1 else 'are'} throttled")
        field: KeyPath
        if unthrottled:
            names = ", ".join(name for _, name in unthrottled)
            field = ("sources", unthrottled[0][0], "throttled")
            retried = [n for i, n in unthrottled if comp.sources[i].retries]
            again = f"; retrying failed reads of {', '.join(retried)} adds to it" if retried else ""
            yield failed(
                target,
                f"{target.id} reads {names} without throttling: a run can overload "
                f"{'that source' if len(unthrottled) == 1 else 'those sources'} or be "
                f"throttled and stall{again}.",
                field,
                **evidence,
            )
        elif not comp.sources:
            yield unknown(
                target,
                f"{target.id} does not list the sources it reads (sources).",
                ("sources",),
                **evidence,
            )
        elif gaps:
            field = ("parallelism",) if comp.parallelism is None else ("sources", undeclared[0][0])
            yield unknown(
                target,
                f"{target.id} does not declare {' or '.join(gaps)}.",
                field,
                **evidence,
            )
        else:
            yield passed(
                target,
                f"{target.id} runs at most {comp.parallelism} workers and throttles every "
                f"source it reads ({', '.join(s.name for s in comp.sources)}).",
                ("parallelism",),
                **evidence,
            )


RULE = PythonRule(META, check)
