"""CG-CAP-011: GPU fleets cover peak demand within the target utilisation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from cellguard.assessments.capacity import Fleet
from cellguard.assessments.cold_load import cold_load_p99_ms, cold_loads, hot_set
from cellguard.assessments.gpu_sharing import SharedGpus, shared_gpus
from cellguard.assessments.throughput import MEMORY_HEADROOM
from cellguard.models.components.gpu_sharing import GpuSharingMode
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity, Status
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._capacity import (
    judge_fleets,
    missing_text,
    percent,
    rate,
    row_evidence,
    without_demand,
)
from cellguard.rules.builtin.cap._gpu_sharing import sharing_note, sharing_outcome
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, failed, passed, unknown

META = RuleMeta(
    id="CG-CAP-011",
    title="GPU fleets cover peak demand within the target utilisation",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.HIGH,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "A GPU fleet whose throughput is below peak demand builds a queue that only grows: "
        "time to first token climbs from milliseconds to the client's timeout and every "
        "retry adds to the backlog. Above about 80% utilisation the M/M/c wait already rises "
        "steeply and nothing is left for forecast error or a slow replica. Demand is the "
        "journeys' peak output tokens per second, or their images, embedded items, audio "
        "seconds or requests per second where they declare that demand.unit; supply is "
        "replicas times the measured per-replica throughput, or an estimate (bandwidth-bound "
        "for LLMs, FLOP/s-bound for diffusion and embedding models) labelled as such. A replica "
        "whose weights and minimum KV cache do not fit in its GPUs' memory supplies nothing: "
        "the endpoint cannot start. Models hosted together (serving.hosted_models: a "
        "multi-model endpoint, inference components, multi-LoRA) share the replica's memory: "
        "when the models each replica must keep resident to reach the declared hit ratios take "
        "more than that, the hit ratio cannot be reached and every miss waits for a cold load. "
        "Endpoints sharing GPUs (serving.gpu_sharing) are one capacity domain: a MIG "
        "instance serves with its profile's share of the GPU's memory and throughput, and the "
        "profiles of one group must fit a GPU together; under MPS or time slicing the members' "
        "utilisations add up on the GPUs and, without memory isolation, so do their weights; an "
        "MPS or time-sliced endpoint alone in its group is unknown (what else runs on its GPUs "
        "is not described)."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENREL01-BP01 (scale and balance foundation "
        "model throughput as a function of utilization)"
    ),
    remediation=(
        "Add replicas (or faster GPUs, FP8 weights, a smaller model) until peak utilisation is "
        "at most 80%: the capacity table's 'replicas needed' column gives the count that also "
        "survives a zone loss. Measure your own throughput at your input/output mix and declare "
        "it as serving.measured (output_tokens_per_s, at_concurrency, measured_on, method) when "
        "the figure is an estimate. Weights that do not fit "
        "need more GPUs per replica (tensor parallelism), GPUs with more memory, or a lower "
        "precision. A hot set that does not fit needs fewer resident models (a lower "
        "serving.hosted_models access.hit_ratio, with its cold loads in the latency budget), "
        "smaller models (adapters instead of full copies) or GPUs with more memory. Shared "
        "GPUs that cannot hold their group need smaller MIG profiles, fewer endpoints in the "
        "group or more replicas of them, or GPUs of their own."
    ),
    action="add-gpu-capacity",
)

FIELDS = (
    "unit",
    "demand",
    "supply",
    "utilisation",
    "target_utilisation",
    "per_replica",
    "replicas",
    "regions",
    "replicas_needed",
    "journeys",
)


def _cannot_start(target: Target, model: Fleet, declared_gpus: bool) -> Outcome | None:
    """A FAIL when the weights and the minimum KV cache do not fit in a replica's declared
    GPUs (the endpoint cannot start); ``None`` when they fit or the figures are missing. With
    ``gpus_per_replica`` left out (one GPU assumed) it is UNKNOWN, not a FAIL."""
    spec = model.replica
    if spec is None or spec.fits is not False or spec.gpu is None:
        return None
    weights = (spec.weights or 0.0) / 1e9
    memory = spec.gpu.memory_gb * spec.gpus
    reserve = (1 - MEMORY_HEADROOM) * memory
    evidence: dict[str, Evidence] = {
        "params_b": spec.params_b,
        "precision": spec.precision.value if spec.precision else None,
        "weights_gb": round(weights, 1),
        "gpu": spec.gpu.name,
        "gpu_memory_gb": spec.gpu.memory_gb,
        "gpus_per_replica": spec.gpus,
        "replica_memory_gb": round(memory, 1),
        "min_kv_cache_gb": round(reserve, 1),
    }
    figures = (
        f"{weights:,.0f} GB of weights ({spec.params_b:g}B parameters at "
        f"{evidence['precision']}) plus a minimum KV cache of {reserve:,.0f} GB do not fit in "
        f"{spec.gpus} x {spec.gpu.memory_gb:g} GB of {spec.gpu.name}"
    )
    if not declared_gpus:
        return unknown(
            target,
            f"{target.id}: {figures} (one GPU per replica assumed: serving.gpus_per_replica is "
            "not declared).",
            ("serving",),
            **evidence,
        )
    return failed(
        target,
        f"{target.id} cannot start: {figures}.",
        ("serving", "gpus_per_replica"),
        **evidence,
    )


def _ms(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _hot_set(
    target: Target, model: Fleet, comp: object
) -> tuple[Outcome | None, dict[str, Evidence]]:
    """The hosted models each replica keeps resident against its GPU memory (weights may take
    :data:`MEMORY_HEADROOM` of it): a FAIL when they do not fit, an UNKNOWN when the replica's
    memory is unknown, ``None`` when they fit or nothing is hosted; with the figures."""
    hot = hot_set(comp)
    if hot is None:
        return None, {}
    spec = model.replica
    gpu, gpus = (spec.gpu, spec.gpus) if spec is not None else (None, 1)
    budget = MEMORY_HEADROOM * gpu.memory_gb * gpus if gpu is not None else None
    evidence: dict[str, Evidence] = {
        "hot_models": hot.models,
        "hot_set_gb": round(hot.gb, 1),
        "hot_set_estimated": list(hot.estimated),
        "weights_budget_gb": round(budget, 1) if budget is not None else None,
        # the cold loads the latency budget counts (cold_load), shown where the hot set is
        "miss_ratio": {c.name: round(c.miss_ratio, 4) for c in cold_loads(comp)},
        "cold_load_seconds": {
            c.name: round(c.load_seconds, 1) if c.load_seconds is not None else None
            for c in cold_loads(comp)
        },
        "cold_load_p99_ms": _ms(cold_load_p99_ms(comp)),
    }
    guess = (
        f" (for {', '.join(hot.estimated)}: count x hit_ratio, the uniform-access estimate; "
        "declare access.hot_models for a skewed pattern)"
        if hot.estimated
        else ""
    )
    plural = "" if hot.models == 1 else "s"
    held = f"{hot.models:,} hosted model{plural} ({hot.gb:,.1f} GB) resident on each replica{guess}"
    if budget is None or gpu is None:
        return unknown(
            target,
            f"{target.id} keeps {held}, but its GPU memory is unknown (serving.gpu).",
            ("serving", "gpu"),
            **evidence,
        ), evidence
    if hot.gb <= budget:
        return None, evidence
    return failed(
        target,
        f"{target.id} cannot keep {held}: weights may take {budget:,.1f} GB of {gpus} x "
        f"{gpu.memory_gb:g} GB of {gpu.name} ({MEMORY_HEADROOM:.0%}), so the "
        "declared hit ratio cannot be reached.",
        ("serving", "hosted_models"),
        **evidence,
    ), evidence


def _judge(
    target: Target,
    model: Fleet,
    declared_gpus: bool,
    comp: object = None,
    group: SharedGpus | None = None,
) -> Iterator[Outcome]:
    """Judge one GPU fleet: it must be able to start and hold its hot set, its shared GPUs
    (``serving.gpu_sharing``) must hold its group, then it must cover its peak demand (a hot
    set or a group whose fit is unknown turns a PASS into an UNKNOWN)."""
    one_instance = group is not None and group.mode is GpuSharingMode.MIG  # one GPU, always
    start = _cannot_start(target, model, declared_gpus or one_instance)
    if start is not None:
        yield start
        return
    hot, figures = _hot_set(target, model, comp)
    if hot is not None and hot.status is Status.FAIL:
        yield hot
        return
    if group is not None:
        shared, more = sharing_outcome(target, group, model.row.target_utilisation)
        figures = {**figures, **more}
        if shared is not None:
            shared = replace(shared, evidence={**shared.evidence, **figures})
            if shared.status is Status.FAIL:
                yield shared
                return
            hot = hot or shared
    for outcome in _supply(target, model):
        if hot is not None and outcome.status is Status.PASS:
            yield hot
        elif group is not None and outcome.status is Status.PASS:
            note = sharing_note(target, group)
            yield replace(
                outcome, message=outcome.message + note, evidence={**outcome.evidence, **figures}
            )
        else:
            yield replace(outcome, evidence={**outcome.evidence, **figures})


def _supply(target: Target, model: Fleet) -> Iterator[Outcome]:
    """Judge whether the fleet covers its peak demand."""
    row = model.row
    idle = without_demand(target, row)
    if idle is not None:
        yield idle
        return
    evidence = row_evidence(row, *FIELDS)
    demand = rate(row.demand or 0.0, row.unit)
    source = f" ({row.throughput_source})" if row.throughput_source else ""
    if row.supply == 0 and row.demand:
        yield failed(
            target,
            f"{target.id} has no replicas for {demand} of peak demand.",
            ("replicas",),
            **evidence,
        )
    elif row.supply is None or row.utilisation is None:
        yield unknown(
            target,
            f"{target.id} serves {demand} at peak, but its supply is unknown: the spec or "
            f"catalog lacks {missing_text(row)}.",
            ("serving",),
            **evidence,
        )
    elif row.utilisation > row.target_utilisation:
        short = "is below" if row.utilisation > 1 else "covers"
        yield failed(
            target,
            f"{target.id}'s supply of {rate(row.supply, row.unit)}{source} {short} peak "
            f"demand of {demand}: {percent(row.utilisation)} utilisation, above the "
            f"{percent(row.target_utilisation)} target"
            + (
                f"; {row.replicas_needed} replicas per region would be statically stable."
                if row.replicas_needed
                else "."
            ),
            ("replicas",),
            **evidence,
        )
    elif not row.demand_complete:
        yield unknown(
            target,
            f"{target.id} runs at {percent(row.utilisation)} for the journeys that declare "
            f"their demand, but {missing_text(row)} is missing.",
            (),
            **evidence,
        )
    else:
        yield passed(
            target,
            f"{target.id} serves {demand} at {percent(row.utilisation)} of its "
            f"{rate(row.supply, row.unit)}{source}.",
            ("replicas",),
            **evidence,
        )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every model served on the team's GPUs."""

    def judge(target: Target, model: Fleet) -> Iterator[Outcome]:
        serving = getattr(ctx.graph.component(model.row.qid), "serving", None)
        declared = serving is not None and serving.gpus_per_replica is not None
        group = shared_gpus(ctx.graph, model.row.qid)
        return _judge(target, model, declared, ctx.graph.component(model.row.qid), group)

    yield from judge_fleets(
        ctx,
        judge,
        quota=False,
        elsewhere="{target} is served by its provider under a quota (CG-CAP-013).",
    )


RULE = PythonRule(META, check)
