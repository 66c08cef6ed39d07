"""CG-CAP-015: ingestion parallelism fits the embedding model's spare capacity.

The run's request rate is its parallelism divided by the assumed p99 latency of one embedding
call (``latency.yaml``): the slowest plausible call gives the lowest rate the workers can
drive, so a run that still exceeds the spare capacity at that rate surely does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cellguard.assessments.capacity import (
    QUOTA,
    REQUESTS_PS,
    TARGET_UTILISATION,
    Fleet,
    fleet,
    rounded,
)
from cellguard.models.catalog.latency import component_prior
from cellguard.models.components import EmbeddingModel, IngestionPipeline
from cellguard.models.enums import ComponentKind, Hosting
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._capacity import amount, percent
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-CAP-015",
    title="Ingestion parallelism fits the embedding model's spare capacity",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=("ingestion_pipeline",),
    rationale=(
        "An ingestion run embeds chunks as fast as its workers can send them: parallelism "
        "divided by the time one embedding call takes. The same embedding model (or quota) "
        "embeds the live journeys' queries; a run that asks for more than the capacity left "
        "above live peak either throttles itself into a stall or starves retrieval, and "
        "every chat request with it."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL05-BP02 (throttle requests); Generative AI "
        "Lens GENREL01"
    ),
    remediation=(
        "Cap the pipeline's parallelism at what the embedding model can take above live "
        "peak (spare requests/s x the latency of one call), give ingestion its own quota or "
        "embedding replicas, or schedule runs off-peak with a rate limiter in front of the "
        "embedder."
    ),
    action="bound-ingestion-parallelism",
)


@dataclass(frozen=True)
class Headroom:
    """What one embedder can give an ingestion run, in requests per second."""

    embedder: str
    capacity_rps: float | None
    live_rps: float
    latency_ms: float | None
    basis: str

    @property
    def spare_rps(self) -> float | None:
        """Capacity at the target utilisation minus live peak."""
        if self.capacity_rps is None:
            return None
        return max(0.0, self.capacity_rps * TARGET_UTILISATION - self.live_rps)


def _latency_ms(embedder: EmbeddingModel) -> float | None:
    hosting = (
        embedder.hosting if embedder.hosting in (Hosting.BEDROCK, Hosting.EXTERNAL_API) else None
    )
    prior = component_prior(ComponentKind.EMBEDDING_MODEL, hosting=hosting)
    return prior.p99_ms if prior is not None else None


def headroom(model: Fleet, embedder: EmbeddingModel, qid: str) -> Headroom:
    """The spare capacity of an embedding model for ingestion, from its quota or its replicas.

    A quota gives requests/s directly. Replicas give concurrent slots (replicas x regions x
    ``serving.max_concurrency``), turned into requests/s with the latency of one call.
    """
    row = model.row
    latency = _latency_ms(embedder)
    # live peak in requests/s: a fleet counted in embedded items (demand.unit embeddings)
    # carries its journeys' requests, not their items, into the slots below
    live = (row.demand or 0.0) if row.unit == REQUESTS_PS else model.load.rps
    if row.basis == QUOTA:
        capacity = row.supply if row.unit == REQUESTS_PS else None
        return Headroom(qid, capacity, live, latency, "quota")
    slots = embedder.serving.max_concurrency if embedder.serving else None
    if slots is None or latency is None or row.replicas is None:
        return Headroom(qid, None, live, latency, "replicas")
    capacity = slots * row.replicas * max(len(row.regions), 1) / (latency / 1000)
    return Headroom(qid, capacity, live, latency, "replicas")


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every ingestion pipeline that calls an embedding model."""
    for qid, comp in ctx.components(ComponentKind.INGESTION_PIPELINE):
        assert isinstance(comp, IngestionPipeline)
        target = ctx.component_target(qid)
        embedders = [
            e.target
            for e in ctx.graph.dependencies(qid)
            if ctx.graph.kind(e.target) is ComponentKind.EMBEDDING_MODEL
        ]
        if not embedders:
            yield not_applicable(
                target, f"{target.id} calls no embedding model of the loaded stacks."
            )
            continue
        rooms = []
        for name in embedders:
            model = fleet(ctx.graph, name)
            embedder = ctx.graph.component(name)
            if model is not None and isinstance(embedder, EmbeddingModel):
                rooms.append(headroom(model, embedder, name))
        worst = min(rooms, key=lambda r: (r.spare_rps is not None, r.spare_rps or 0.0))
        callee = localise(worst.embedder, target.stack)
        rps = (
            comp.parallelism / (worst.latency_ms / 1000)
            if comp.parallelism is not None and worst.latency_ms
            else None
        )
        spare = worst.spare_rps
        evidence: dict[str, Evidence] = {
            "embedder": worst.embedder,
            "parallelism": comp.parallelism,
            "embedding_latency_ms": worst.latency_ms,
            "latency_source": "assumption (latency.yaml)",
            "ingestion_rps": rounded(rps, 1),
            "capacity_rps": rounded(worst.capacity_rps, 1),
            "live_peak_rps": rounded(worst.live_rps, 1),
            "spare_rps": rounded(spare, 1),
            "capacity_basis": worst.basis,
            "target_utilisation": TARGET_UTILISATION,
        }
        if comp.parallelism is None:
            yield unknown(
                target,
                f"{target.id} does not declare its parallelism.",
                ("parallelism",),
                **evidence,
            )
        elif rps is None or spare is None or worst.capacity_rps is None:
            lacks = (
                "no requests-per-minute quota"
                if worst.basis == "quota"
                else "no serving.max_concurrency"
            )
            yield unknown(
                target,
                f"{target.id} runs {comp.parallelism} embedding requests at a time, but "
                f"{callee}'s capacity is unknown (it declares {lacks}).",
                ("parallelism",),
                **evidence,
            )
        elif rps > spare:
            yield failed(
                target,
                f"{target.id}'s {comp.parallelism} parallel workers can send about {amount(rps)} "
                f"requests/s to {callee} (at {worst.latency_ms:g} ms a call), but only "
                f"{amount(spare)} requests/s are spare above live peak ({amount(worst.live_rps)} "
                f"of {amount(worst.capacity_rps)} at {percent(TARGET_UTILISATION)}): a run throttles or starves "
                "live retrieval.",
                ("parallelism",),
                **evidence,
            )
        else:
            yield passed(
                target,
                f"{target.id}'s {comp.parallelism} workers send at most about {amount(rps)} "
                f"requests/s to {callee}, within the {amount(spare)} requests/s spare above "
                "live peak.",
                ("parallelism",),
                **evidence,
            )


RULE = PythonRule(META, check)
