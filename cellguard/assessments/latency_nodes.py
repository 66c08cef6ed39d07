"""What one component takes for one request of a journey: its own time to first token and
end-to-end time, as :mod:`.latency` adds them up along the journey's calls (the rules of each
kind are in that module's docstring: GPU fleets, managed models and their quotas, priors)."""

from __future__ import annotations

from dataclasses import dataclass

from cellguard.assessments.capacity import OUTPUT_TPS, QUOTA, TOKENS_PS, Fleet, fleet
from cellguard.assessments.cold_load import cold_load_p99_ms
from cellguard.assessments.demand import JourneyLoad
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.spec_fields import field_or_none
from cellguard.models.business import DemandUnit
from cellguard.models.catalog.latency import component_prior, model_prior
from cellguard.models.components import ComponentBase
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.enums import ComponentKind, Hosting


@dataclass(frozen=True)
class Span:
    """Time spent in part of a journey, split by how it is known.

    ``derived_ms`` comes from the spec and the hardware catalog, ``assumed_ms`` from latency
    priors (the components in ``assumed``); ``unknown`` components have no figure and
    ``saturated`` ones no finite one. ``queueing_ms`` is the part of ``derived_ms`` spent
    waiting for a model replica.
    """

    derived_ms: float = 0.0
    assumed_ms: float = 0.0
    queueing_ms: float = 0.0
    assumed: frozenset[str] = frozenset()
    unknown: frozenset[str] = frozenset()
    saturated: frozenset[str] = frozenset()

    @property
    def total_ms(self) -> float:
        """Derived plus assumed time (a lower bound while anything is unknown)."""
        return self.derived_ms + self.assumed_ms

    @property
    def complete(self) -> bool:
        """Whether every component on it has a finite figure."""
        return not self.unknown and not self.saturated

    def then(self, other: Span) -> Span:
        """``self`` followed by ``other``: times add up."""
        return Span(
            self.derived_ms + other.derived_ms,
            self.assumed_ms + other.assumed_ms,
            self.queueing_ms + other.queueing_ms,
            self.assumed | other.assumed,
            self.unknown | other.unknown,
            self.saturated | other.saturated,
        )

    def alongside(self, other: Span) -> Span:
        """``self`` and ``other`` in parallel: the slower one's time, both ones' gaps."""
        slow = self if self.total_ms >= other.total_ms else other
        return Span(
            slow.derived_ms,
            slow.assumed_ms,
            slow.queueing_ms,
            self.assumed | other.assumed,
            self.unknown | other.unknown,
            self.saturated | other.saturated,
        )


@dataclass(frozen=True)
class NodeTime:
    """A component's time to first token and end-to-end time, its calls included."""

    ttft: Span
    e2e: Span


def _assumed(qid: str, ms: float) -> Span:
    return Span(assumed_ms=ms, assumed=frozenset({qid}))


def unknown_span(qid: str) -> Span:
    """``qid`` without a latency figure."""
    return Span(unknown=frozenset({qid}))


def tpot_seconds(model: Fleet) -> float | None:
    """Time per output token of a GPU-served model at its peak operating point."""
    spec, row = model.replica, model.row
    floor = spec.decode_step_seconds() if spec is not None else None
    if floor is None or spec is None:
        return None
    if spec.concurrency and row.per_replica and row.utilisation is not None:
        return max(floor, min(row.utilisation, 1.0) * spec.concurrency / row.per_replica)
    return floor


def _gpu_model(qid: str, model: Fleet, load: JourneyLoad) -> NodeTime:
    if model.row.queue_saturated:
        saturated = Span(saturated=frozenset({qid}))
        return NodeTime(saturated, saturated)
    spec = model.replica
    wait = model.row.p99_wait_ms
    if model.row.unit not in (OUTPUT_TPS, TOKENS_PS):
        # counted in images, embeddings or requests: the answer comes whole, after the wait
        # for a replica and one request's service time (throughput_media)
        if wait is None or model.service_seconds is None:
            return NodeTime(unknown_span(qid), unknown_span(qid))
        whole = Span(derived_ms=wait + model.service_seconds * 1000, queueing_ms=wait)
        return NodeTime(whole, whole)
    prefill = spec.first_token_seconds(load.input_tokens) if spec else None
    if wait is None or prefill is None:
        return NodeTime(unknown_span(qid), unknown_span(qid))
    ttft = Span(derived_ms=wait + prefill * 1000, queueing_ms=wait)
    tpot = tpot_seconds(model)
    if tpot is None or load.output_tokens is None:
        return NodeTime(ttft, unknown_span(qid))
    return NodeTime(ttft, ttft.then(Span(derived_ms=load.output_tokens * tpot * 1000)))


def _managed_model(qid: str, hosting: Hosting, load: JourneyLoad) -> NodeTime:
    prior = model_prior(hosting)
    if prior is None:
        return NodeTime(unknown_span(qid), unknown_span(qid))
    if load.unit is not DemandUnit.TOKENS and not load.output_tokens:
        # images, embeddings, audio or requests without tokens: the text model's prior
        # (time to first token, tokens per second) does not describe the call
        return NodeTime(unknown_span(qid), unknown_span(qid))
    ttft = _assumed(qid, prior.ttft_p99_ms)
    if load.output_tokens is None:
        return NodeTime(ttft, unknown_span(qid))
    stream = load.output_tokens / prior.output_tokens_per_s * 1000
    return NodeTime(ttft, _assumed(qid, prior.ttft_p99_ms + stream))


def over_quota(graph: StackGraph, qid: str) -> bool:
    """Whether ``qid`` is a managed model or embedding endpoint whose quota its known peak
    demand reaches or exceeds (:mod:`capacity`, ``CG-CAP-013``): throttled, saturated."""
    model = fleet(graph, qid)
    if model is None or model.row.basis != QUOTA:
        return False
    return model.row.utilisation is not None and model.row.utilisation >= 1.0


def _provider(comp: ComponentBase) -> str | None:
    for name in ("provider", "engine"):
        value = field_or_none(comp, name)
        if value is not None:
            return str(value)
    return None


def own_time(graph: StackGraph, qid: str, load: JourneyLoad) -> NodeTime:
    """The time ``qid`` itself takes for one request of a journey with ``load``."""
    kind = graph.kind(qid)
    comp = graph.component(qid)
    hosting = comp.hosting if isinstance(comp, HostedModelFields) else None
    if over_quota(graph, qid):
        saturated = Span(saturated=frozenset({qid}))
        return NodeTime(saturated, saturated)
    if kind is ComponentKind.MODEL_ENDPOINT and hosting is not None:
        model = fleet(graph, qid)
        if hosting in (Hosting.SELF_HOSTED, Hosting.SAGEMAKER) and model is not None:
            time, cold = _gpu_model(qid, model, load), cold_load_p99_ms(comp)
            # a hosted model not resident is loaded first (cold_load: in the p99 above 1% misses)
            extra = unknown_span(qid) if cold is None else Span(derived_ms=cold)
            return NodeTime(extra.then(time.ttft), extra.then(time.e2e))
        return _managed_model(qid, hosting, load)
    if kind is ComponentKind.EMBEDDING_MODEL and hosting in (
        Hosting.SELF_HOSTED,
        Hosting.SAGEMAKER,
    ):
        hosting = None  # self-hosted embedders take the kind's generic prior
    prior = component_prior(kind, provider=_provider(comp), hosting=hosting)
    span = _assumed(qid, prior.p99_ms) if prior is not None else unknown_span(qid)
    return NodeTime(span, span)
