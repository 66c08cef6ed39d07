"""The blueprint model: pure data between a cellguard spec and the Pulumi components.

No pulumi import here: ``cellguard.iac`` (verification, round trip) and the components both read
it. :func:`cellguard.blueprints.from_spec.blueprint_of` builds it from a loaded spec; every
component takes the slice it needs. Numbers (replicas, nodes per zone) are decided here, once, so
that the components only translate them into resources.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cellguard.models.enums import ChaosExperimentType, PurchaseOption


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Placeholder(_Data):
    """The stand-in container for services whose spec names no image (stack config data).

    A planned component (a cell router, an orchestrator split out of an app) has no image yet;
    it still gets its Deployment, PDB, HPA and Service so that the infrastructure the plan
    promised exists. Its pods carry the ``cellguard.io/placeholder-image`` annotation: replace
    the image (set ``image:`` in the spec) before serving traffic.
    """

    image: str = Field(description="Image reference of the stand-in (config placeholderImage).")
    args: list[str] = Field(
        default_factory=list, description="Its container args (config placeholderArgs)."
    )


class Workload(_Data):
    """One deployable service of a cell: a Kubernetes Deployment with its Service, PDB and HPA."""

    component: str = Field(description="Spec component id (a DNS-1123 label).")
    image: str = Field(description="Container image reference, as data.")
    replicas: int = Field(ge=1, description="Replicas in one cell.")
    max_replicas: int = Field(ge=1, description="Autoscaling ceiling in one cell.")
    zones: list[str] = Field(description="Zone ids the replicas spread over.")
    port: int = Field(description="Container port.")
    gpu_pool: str | None = Field(None, description="GPU pool id when the workload needs GPUs.")
    gpus_per_replica: int = Field(
        0, ge=0, description="nvidia.com/gpu per pod (requests = limits)."
    )
    model_id: str | None = Field(None, description="Model served by vLLM, as data.")
    model_revision: str | None = Field(None, description="Pinned model revision, as data.")
    cold_start_seconds: int = Field(60, ge=1, description="Start-up budget of one pod.")
    model_cache: bool = Field(False, description="Weights cached on the node, pre-pulled.")
    queue_autoscaling: bool = Field(False, description="Scale on vLLM queue depth.")
    placeholder: bool = Field(
        False, description="The spec names no image: ``image`` is the configured placeholder."
    )
    args: list[str] = Field(default_factory=list, description="Container args, as data.")
    cpu_millis: int = Field(1000, ge=1, description="CPU request = limit, in millicores.")
    memory_mib: int = Field(2048, ge=1, description="Memory request = limit, in MiB.")
    quantization: str | None = Field(
        None, description="vLLM --quantization (fp8 when the spec serves fp8 weights)."
    )
    reads_stores: list[str] = Field(
        default_factory=list, description="DynamoDB store components it calls (spec depends_on)."
    )
    reads_models: list[str] = Field(
        default_factory=list, description="Bedrock model ids it calls (spec depends_on)."
    )

    @property
    def calls_aws(self) -> bool:
        """Whether its pods need an AWS identity of their own (tables, Bedrock)."""
        return bool(self.reads_stores or self.reads_models)

    @property
    def is_gpu(self) -> bool:
        """Whether the pods request GPUs."""
        return self.gpus_per_replica > 0


class GpuPool(_Data):
    """GPU nodes for one self-hosted model in one region: a managed node group per zone."""

    id: str = Field(description="Pool id: the component id.")
    region: str = Field(description="Region of the pool.")
    gpu: str | None = Field(None, description="GPU model.")
    instance_types: list[str] = Field(description="Instance types, preferred first.")
    gpus_per_node: int = Field(ge=1, description="GPUs of the first instance type.")
    zones: list[str] = Field(description="Zone ids with a node group.")
    nodes_per_zone: int = Field(
        ge=1, description="Nodes per zone, including static-stability spare."
    )
    max_nodes_per_zone: int = Field(ge=1, description="Autoscaling ceiling per zone.")
    purchase: PurchaseOption = Field(description="How the nodes are bought.")
    reserved_nodes_per_zone: int = Field(0, ge=0, description="Nodes covered by reservations.")
    node_auto_repair: bool = Field(True, description="EKS node auto-repair.")


class CellPlan(_Data):
    """A cell, or the implicit per-region unit of a stack without cells."""

    id: str = Field(description="Cell id (namespace name).")
    region: str = Field(description="Region of the cell.")
    zones: list[str] = Field(description="Zones of the cell.")
    implicit: bool = Field(False, description="Not a spec cell: the region's shared unit.")
    partner: str | None = Field(None, description="Cell in another region taking over its tenants.")
    workloads: list[Workload] = Field(default_factory=list, description="Services deployed.")

    @property
    def unit_name(self) -> str:
        """Unique across regions, for resource names: the implicit unit has the same id (its
        namespace) in every region, so its name carries the region."""
        return f"{self.id}-{self.region}" if self.implicit else self.id


class RegionPlan(_Data):
    """A region with its VPC, EKS cluster and the cells it hosts."""

    name: str = Field(description="Region name.")
    zones: list[str] = Field(description="Zone ids (subnets and NAT gateways per zone).")
    index: int = Field(ge=0, description="Position, used for the VPC CIDR block.")
    cells: list[CellPlan] = Field(default_factory=list, description="Cells in the region.")
    gpu_pools: list[GpuPool] = Field(default_factory=list, description="GPU pools.")


class TablePlan(_Data):
    """A DynamoDB global table (prompts, sessions): one per cell group, or one for the stack."""

    component: str = Field(description="Spec component id.")
    name: str = Field(description="Table name.")
    home_region: str = Field(description="Region the table is created in.")
    replica_regions: list[str] = Field(description="Other regions holding replicas.")
    copy_region: str | None = Field(
        None, description="Region AWS Backup copies the table's backups to (None: no copy job)."
    )
    copy_every_minutes: int | None = Field(
        None, ge=1, description="How often the spec wants the cross-region copy."
    )
    role: str | None = Field(
        None, description="``cellguard:role`` tag (``prompts`` for a prompt store's table)."
    )


class VectorStorePlan(_Data):
    """A per-cell vector store with snapshots copied to the recovery region."""

    component: str = Field(description="Spec component id.")
    cell: str = Field(description="Cell the store belongs to.")
    region: str = Field(description="Region of the store.")
    zones: int = Field(ge=1, description="Zones the store spans.")
    opensearch: bool = Field(description="An OpenSearch domain is created (engine opensearch).")
    unit_name: str = Field(description="The cell's name in resource names (CellPlan.unit_name).")


class DataPlan(_Data):
    """What DataReplication creates."""

    primary_region: str
    recovery_region: str | None = Field(None, description="Where copies go (None: one region).")
    artifact_bucket: bool = Field(description="A model-artifact bucket (self-hosted models exist).")
    tables: list[TablePlan] = Field(default_factory=list)
    vector_stores: list[VectorStorePlan] = Field(default_factory=list)


class AlarmPlan(_Data):
    """Thresholds of the per-cell SLO alarms."""

    ttft_p99_ms: int = Field(ge=1, description="Time-to-first-token objective.")
    error_rate_percent: float = Field(gt=0, description="Error budget burn threshold.")
    queue_depth: int = Field(ge=1, description="Waiting requests per pod that page.")


class RouterPlan(_Data):
    """The thin cell router (Route 53 plus a stateless router deployment per region)."""

    component: str | None = Field(None, description="Router component id, if the spec has one.")
    image: str | None = Field(None, description="Router image, as data.")
    placeholder: bool = Field(False, description="``image`` is the configured placeholder.")
    args: list[str] = Field(default_factory=list, description="Container args, as data.")
    replicas: int = Field(2, ge=1, description="Router replicas per region.")
    zones: int = Field(1, ge=1, description="Zones the router spreads over.")


class Blueprint(_Data):
    """Everything the components need, derived from one spec."""

    stack: str = Field(description="Stack name (an identifier).")
    regions: list[RegionPlan]
    data: DataPlan
    alarms: AlarmPlan
    router: RouterPlan
    chaos: list[ChaosExperimentType] = Field(description="FIS templates to create.")
    managed_models: list[str] = Field(
        default_factory=list, description="Managed (Bedrock, ...) models: no compute is created."
    )
    not_deployed: list[str] = Field(
        default_factory=list, description="Components the blueprint cannot express, with why."
    )

    @property
    def cells(self) -> list[CellPlan]:
        """Every cell, region by region."""
        return [c for r in self.regions for c in r.cells]

    def region(self, name: str) -> RegionPlan:
        """The region called ``name``."""
        return next(r for r in self.regions if r.name == name)
