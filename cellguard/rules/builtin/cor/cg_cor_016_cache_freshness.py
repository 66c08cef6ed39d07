"""CG-COR-016: cached answers expire no later than the index they come from is refreshed.

Judged: journeys that reach a cache and a vector store an ingestion pipeline writes. Each cache's
``ttl_seconds`` is compared with the longest gap between two runs of the pipeline's
``schedule`` (cron, EventBridge ``rate()``/``cron()`` or prose such as ``nightly``): a cache
keeping entries longer than that serves answers older than the documents the index was just
rebuilt from. A streaming pipeline updates its index continuously and sets no such bound.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.business import Journey
from cellguard.models.components import Cache, IngestionPipeline
from cellguard.models.enums import ComponentKind, PipelineMode
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise, qualify
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cor._refresh import refresh_minutes
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-COR-016",
    title="Cached answers expire no later than their index is refreshed",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.LOW,
    applies_to=("journey",),
    rationale=(
        "A response or semantic cache in front of a retrieval-augmented model answers from what "
        "the index held when the entry was written. When the ingestion pipeline rebuilds the "
        "index (a policy changed, an article was withdrawn), entries written before the run "
        "keep being served until they expire: with a TTL longer than the refresh interval, "
        "users get answers older than the documents the index was rebuilt from, and no error "
        "says so."
    ),
    source=(
        "Amazon ElastiCache User Guide, 'Caching strategies' (lazy loading and write-through "
        "both rely on a TTL to bound stale data)"
    ),
    remediation=(
        "Set the cache's ttl_seconds at or below the pipeline's refresh interval, or flush the "
        "cache when a new index is swapped in (then waive this finding with that reason); "
        "declare the pipeline's schedule as cron, rate(...) or a period such as 'nightly'."
    ),
    action="bound-cache-ttl",
)


def _duration(minutes: float) -> str:
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes >= size and minutes % size == 0:
            return f"{minutes / size:g} {unit}"
    return f"{minutes:g} min"


def _refreshed(ctx: RuleContext, stack: str, journey: Journey) -> dict[str, list[str]]:
    """Ingestion pipelines writing a vector store the journey reads (local names), with the
    stores they write."""
    graph = ctx.graph
    fed: dict[str, list[str]] = {}
    for qid in graph.journey_components(stack, journey.id):
        if graph.kind(qid) is not ComponentKind.VECTOR_STORE:
            continue
        for edge in graph.dependents(qid):
            if graph.kind(edge.source) is ComponentKind.INGESTION_PIPELINE:
                fed.setdefault(localise(edge.source, stack), []).append(localise(qid, stack))
    return fed


def _judge(ctx: RuleContext, stack: str, journey: Journey) -> Outcome:
    target = ctx.journey_target(stack, journey.id)
    graph = ctx.graph
    caches = {
        localise(q, stack): comp.ttl_seconds
        for q in graph.journey_components(stack, journey.id)
        if isinstance(comp := graph.component(q), Cache)
    }
    fed = _refreshed(ctx, stack, journey)
    if not caches or not fed:
        what = "no cache" if not caches else "no index an ingestion pipeline refreshes"
        return not_applicable(target, f"{journey.id} reaches {what}.")
    intervals: dict[str, int | None] = {}
    schedules: dict[str, str | None] = {}
    for name in sorted(fed):
        runs = graph.component(qualify(name, stack))
        assert isinstance(runs, IngestionPipeline)
        if runs.mode is PipelineMode.STREAMING:
            continue
        schedules[name] = runs.schedule
        intervals[name] = refresh_minutes(runs.schedule) if runs.schedule else None
    if not intervals:
        return not_applicable(
            target, f"{journey.id}'s index is updated by streaming ingestion, continuously."
        )
    evidence: dict[str, Evidence] = {
        "ttl_seconds": dict(sorted(caches.items())),
        "schedules": schedules,
        "refresh_minutes": intervals,
    }
    known = {n: m for n, m in intervals.items() if m is not None}
    ttls = {n: t for n, t in caches.items() if t is not None}
    if known and ttls:
        pipeline, bound = min(known.items(), key=lambda item: (item[1], item[0]))
        cache, ttl = max(ttls.items(), key=lambda item: (item[1], item[0]))
        if ttl / 60 > bound:
            stores = ", ".join(sorted(set(fed[pipeline])))
            return failed(
                target,
                f"Cache {cache} keeps entries for {_duration(ttl / 60)} while {pipeline} "
                f"rebuilds {stores} every {_duration(bound)}: after a run, {journey.id} serves "
                f"answers up to {_duration(ttl / 60 - bound)} older than the refreshed documents.",
                (),
                **evidence,
            )
    if len(ttls) < len(caches):
        silent = sorted(n for n, t in caches.items() if t is None)
        return unknown(
            target,
            f"Cache {', '.join(silent)} on {journey.id} does not declare ttl_seconds, so how "
            "long its entries outlive an index refresh is unknown.",
            (),
            **evidence,
        )
    if len(known) < len(intervals):
        unread = sorted(n for n, m in intervals.items() if m is None)
        said = "; ".join(f"{n}: {schedules[n]!r}" if schedules[n] else f"{n}: none" for n in unread)
        return unknown(
            target,
            f"How often {', '.join(unread)} refreshes the index {journey.id} reads is unknown "
            f"(schedule {said}); write cron, rate(...) or a period such as 'nightly'.",
            (),
            **evidence,
        )
    pipeline, bound = min(known.items(), key=lambda item: (item[1], item[0]))
    longest = max(ttls.values())
    return passed(
        target,
        f"{journey.id}'s cached answers expire within {_duration(longest / 60)}, no later than "
        f"{pipeline} refreshes the index (every {_duration(bound)}).",
        (),
        **evidence,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey."""
    for stack, journey in ctx.journeys():
        yield _judge(ctx, stack, journey)


RULE = PythonRule(META, check)
