"""Build the :class:`~cellguard.blueprints.model.Blueprint` of a loaded stack spec.

Rules of the translation (each a decision a maintainer may want to change in one place):

- Cells: the spec's cells; a stack without cells gets one implicit unit per region (namespace
  ``shared``), which the round trip does not report as a cell. Components with
  ``placement.cells`` run in those cells; other EKS services run in the implicit unit of each of
  their regions. ``replicas`` (per region) are divided evenly over the region's cells.
- GPU pools: one per self-hosted model per region, a node group per zone. Nodes per zone carry
  the region's replicas with one zone lost (static stability): ``ceil(replicas / (zones - 1))``.
  Fewer than two instance types in the spec are completed from the catalog (same GPU, enough
  GPUs per node).
- Managed models (Bedrock, SageMaker, external APIs) create no compute; components the blueprint
  cannot express (Lambda, ECS, batch pipelines) are listed in ``not_deployed``. An EKS service or
  router without an image (typically one the planner added) is deployed with the configured
  placeholder image (stack config ``placeholderImage``/``placeholderArgs``, default
  :data:`PLACEHOLDER`), flagged on the workload so the pods are annotated as placeholders.
- DynamoDB tables: a global table per cell group when the spec replicates the store across
  regions, else one table per cell (or one for the stack) in its own region. A
  ``cross_region`` backup in the spec adds an AWS Backup plan whose copy action goes to the
  recovery region (another region of the stack when the table lives in the recovery region).
- Alarm thresholds: the tightest TTFT objective; the error-rate alarm fires at a 14.4x burn rate of
  the tightest availability objective (the one-hour fast-burn alert of the Google SRE workbook).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cellguard.blueprints.aws_reads import with_reads
from cellguard.blueprints.data_plan import is_opensearch, tables, vector_stores
from cellguard.blueprints.gpu_pools import gpu_pools, is_self_hosted_model
from cellguard.blueprints.model import (
    AlarmPlan,
    Blueprint,
    CellPlan,
    DataPlan,
    Placeholder,
    RegionPlan,
    RouterPlan,
    Workload,
)
from cellguard.blueprints.sizing import with_requests
from cellguard.models.components import (
    ComponentBase,
    EmbeddingModel,
    IngestionPipeline,
    ModelEndpoint,
    Router,
    VectorStore,
)
from cellguard.models.components.common import ServiceFields
from cellguard.models.enums import (
    ChaosExperimentType,
    Precision,
    Runtime,
)
from cellguard.models.stack import Stack

IMPLICIT_UNIT = "shared"
"""Namespace of the per-region unit of a stack without cells."""

DEFAULT_VLLM_IMAGE = "docker.io/vllm/vllm-openai:v0.11.0"
"""Image of a self-hosted model whose spec names none (pin a digest in the spec instead)."""

APP_PORT = 8080

PLACEHOLDER = Placeholder(
    image="registry.k8s.io/e2e-test-images/agnhost:2.53",
    args=["netexec", f"--http-port={APP_PORT}"],
)
"""Default stand-in image for services without one: the Kubernetes e2e test server, which
answers ``/healthz`` on the app port. Overridden by stack config; the spec's image wins."""
VLLM_PORT = 8000
FAST_BURN = 14.4
FIS_EXPERIMENTS = (
    ChaosExperimentType.AZ_POWER_INTERRUPTION,
    ChaosExperimentType.POD_KILL,
    ChaosExperimentType.GPU_NODE_LOSS,
)
_K8S_RUNTIMES = {Runtime.EKS, Runtime.KUBERNETES}


def _regions_of(stack: Stack, comp: ComponentBase) -> list[str]:
    if comp.placement and comp.placement.regions:
        return list(comp.placement.regions)
    return [stack.topology.regions[0].name]


def _zones_for(comp: ComponentBase, available: list[str]) -> list[str]:
    """The zones of ``available`` the component spreads over (count or explicit ids)."""
    zones = comp.placement.zones if comp.placement else None
    if zones is None:
        return list(available)
    if isinstance(zones, int):
        return list(available[:zones]) or list(available)
    chosen = [z for z in zones if z in available]
    return chosen or list(zones)


def _workload(
    comp: ComponentBase,
    replicas: int,
    max_replicas: int,
    zones: list[str],
    placeholder: Placeholder,
) -> Workload:
    image = comp.image.reference if isinstance(comp, ServiceFields) and comp.image else None
    if isinstance(comp, ModelEndpoint | EmbeddingModel) and is_self_hosted_model(comp):
        serving = comp.serving
        return Workload(
            component=comp.id,
            image=image or DEFAULT_VLLM_IMAGE,
            replicas=replicas,
            max_replicas=max_replicas,
            zones=zones,
            port=VLLM_PORT,
            gpu_pool=comp.id,
            gpus_per_replica=(serving.gpus_per_replica if serving else None) or 1,
            model_id=comp.model.name if comp.model else None,
            model_revision=comp.model.pinned_version if comp.model else None,
            quantization="fp8" if comp.model and comp.model.precision is Precision.FP8 else None,
            cold_start_seconds=(serving.cold_start_seconds if serving else None) or 600,
            model_cache=bool(serving and serving.model_cache),
            queue_autoscaling=True,
        )
    return Workload(
        component=comp.id,
        image=image or placeholder.image,
        replicas=replicas,
        max_replicas=max_replicas,
        zones=zones,
        port=APP_PORT,
        placeholder=image is None,
        args=[] if image else list(placeholder.args),
    )


def _deployable(comp: ComponentBase, not_deployed: list[str], managed: list[str]) -> bool:
    """Whether the component becomes a Deployment; records why not otherwise."""
    if isinstance(comp, ModelEndpoint | EmbeddingModel) and not is_self_hosted_model(comp):
        managed.append(comp.id)
        return False
    if isinstance(comp, VectorStore) and not is_opensearch(comp):
        engine = comp.engine.value if comp.engine else "unset"
        not_deployed.append(f"{comp.id}: vector store engine {engine} is not generated")
        return False
    if isinstance(comp, Router) or not isinstance(comp, ServiceFields):
        return False
    if isinstance(comp, IngestionPipeline):
        not_deployed.append(
            f"{comp.id}: batch/stream pipelines are not generated (jobs, not services)"
        )
        return False
    if comp.runtime is not None and comp.runtime not in _K8S_RUNTIMES:
        not_deployed.append(f"{comp.id}: runtime {comp.runtime.value} is not generated (EKS only)")
        return False
    return True


def _per_cell(total: int, cells: int) -> int:
    return max(1, math.ceil(total / max(cells, 1)))


def _cell_ceiling(replicas: int, auto_max: int, cells: int) -> int:
    """Autoscaling ceiling of one cell: its share of the ceiling, and when the component
    autoscales at least one replica above the cell's share of ``replicas`` (rounding the shares
    up must not turn an autoscaled service into fixed fleets)."""
    ceiling = _per_cell(max(auto_max, replicas), cells)
    if auto_max > replicas:
        ceiling = max(ceiling, _per_cell(replicas, cells) + 1)
    return ceiling


def _cells(
    stack: Stack, deployable: Sequence[ComponentBase], placeholder: Placeholder
) -> dict[str, list[CellPlan]]:
    """Cells per region, with their workloads."""
    spec_cells = {c.id for c in stack.topology.cells}
    unit = IMPLICIT_UNIT if IMPLICIT_UNIT not in spec_cells else f"{IMPLICIT_UNIT}-unit"
    out: dict[str, list[CellPlan]] = {}
    for region in stack.topology.regions:
        cells = [c for c in stack.topology.cells if c.region == region.name]
        loads: dict[str, list[Workload]] = {c.id: [] for c in cells}
        shared: list[Workload] = []
        for comp in deployable:
            if region.name not in _regions_of(stack, comp):
                continue
            replicas = comp.replicas or 1
            auto_max = (
                comp.autoscaling.max
                if isinstance(comp, ServiceFields) and comp.autoscaling
                else replicas
            )
            placed = [c for c in cells if comp.placement and c.id in (comp.placement.cells or [])]
            for cell in placed:
                zones = _zones_for(comp, cell.zones or region.zones)
                loads[cell.id].append(
                    _workload(
                        comp,
                        _per_cell(replicas, len(placed)),
                        _cell_ceiling(replicas, auto_max, len(placed)),
                        zones,
                        placeholder,
                    )
                )
            if not placed:
                shared.append(
                    _workload(
                        comp,
                        replicas,
                        max(auto_max, replicas),
                        _zones_for(comp, region.zones),
                        placeholder,
                    )
                )
        plans = [
            CellPlan(
                id=c.id, region=region.name, zones=c.zones or region.zones, workloads=loads[c.id]
            )
            for c in cells
        ]
        if shared:
            plans.append(
                CellPlan(
                    id=unit, region=region.name, zones=region.zones, implicit=True, workloads=shared
                )
            )
        out[region.name] = plans
    return _with_partners(stack, out)


def _with_partners(stack: Stack, cells: dict[str, list[CellPlan]]) -> dict[str, list[CellPlan]]:
    """Pair the k-th cell of each region with the k-th cell of the next region."""
    names = [r.name for r in stack.topology.regions]
    real = {r: [c for c in cells[r] if not c.implicit] for r in names}
    out: dict[str, list[CellPlan]] = {}
    for i, region in enumerate(names):
        other = real[names[(i + 1) % len(names)]] if len(names) > 1 else []
        out[region] = []
        for k, cell in enumerate(cells[region]):
            partner = other[k].id if not cell.implicit and k < len(other) else None
            out[region].append(cell.model_copy(update={"partner": partner}))
    return out


def _alarms(stack: Stack) -> AlarmPlan:
    objectives = [j.objectives for j in stack.business.journeys if j.objectives]
    ttfts = [o.ttft_p99_ms for o in objectives if o.ttft_p99_ms]
    avails = [o.availability for o in objectives if o.availability]
    budget = 100.0 - max(avails) if avails else 0.1
    return AlarmPlan(
        ttft_p99_ms=int(min(ttfts)) if ttfts else 2000,
        error_rate_percent=round(max(budget, 0.001) * FAST_BURN, 4),
        queue_depth=10,
    )


def _router(stack: Stack, placeholder: Placeholder) -> RouterPlan:
    router = next((c for c in stack.components if isinstance(c, Router)), None)
    if router is None:
        return RouterPlan()
    zones = router.placement.zones if router.placement else None
    image = router.image.reference if router.image else None
    return RouterPlan(
        component=router.id,
        image=image or placeholder.image,
        placeholder=image is None,
        args=[] if image else list(placeholder.args),
        replicas=router.replicas or 2,
        zones=zones if isinstance(zones, int) else len(zones) if zones else 1,
    )


def blueprint_of(stack: Stack, placeholder: Placeholder = PLACEHOLDER) -> Blueprint:
    """The blueprint of ``stack``: what each Pulumi component creates, as data."""
    not_deployed: list[str] = []
    managed: list[str] = []
    deployable = [c for c in stack.components if _deployable(c, not_deployed, managed)]
    cells = _cells(stack, deployable, placeholder)
    regions: list[RegionPlan] = []
    for index, region in enumerate(stack.topology.regions):
        zones_by_model: dict[str, list[str]] = {}
        cell_pods: dict[str, list[tuple[int, int]]] = {}
        for cell in cells[region.name]:
            for w in cell.workloads:
                if w.gpu_pool:
                    merged = zones_by_model.setdefault(w.gpu_pool, [])
                    merged.extend(z for z in w.zones if z not in merged)
                    cell_pods.setdefault(w.gpu_pool, []).append((w.replicas, w.max_replicas))
        regions.append(
            RegionPlan(
                name=region.name,
                zones=list(region.zones),
                index=index,
                cells=cells[region.name],
                gpu_pools=gpu_pools(stack, region.name, zones_by_model, cell_pods),
            )
        )
    names = [r.name for r in stack.topology.regions]
    recovery = stack.practices.disaster_recovery.recovery_region
    if recovery not in names or recovery == names[0]:
        recovery = names[1] if len(names) > 1 else None
    blueprint = Blueprint(
        stack=stack.name,
        regions=regions,
        data=DataPlan(
            primary_region=names[0],
            recovery_region=recovery,
            artifact_bucket=any(p for r in regions for p in r.gpu_pools),
            tables=tables(stack, cells, recovery),
            vector_stores=vector_stores(stack, cells),
        ),
        alarms=_alarms(stack),
        router=_router(stack, placeholder),
        chaos=list(FIS_EXPERIMENTS),
        managed_models=sorted(managed),
        not_deployed=sorted(not_deployed),
    )
    return with_reads(with_requests(blueprint), stack)
