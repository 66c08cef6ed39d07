"""GPU types and GPU instance types (``gpus.yaml``, ``instances.yaml``).

A :class:`Gpu` carries memory, memory bandwidth and dense tensor throughput per precision; an
:class:`InstanceType` says which GPU an instance type has and how many. Names are matched
case-insensitively and without spaces, hyphens or an ``NVIDIA`` prefix, so ``l40s``,
``NVIDIA L40S`` and ``L40S`` are the same GPU.
"""

from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file
from cellguard.models.enums import Precision

BYTES_PER_PARAMETER: dict[Precision, float] = {
    Precision.FP32: 4.0,
    Precision.BF16: 2.0,
    Precision.FP16: 2.0,
    Precision.FP8: 1.0,
    Precision.INT8: 1.0,
    Precision.INT4: 0.5,
}
"""Bytes one weight takes at each precision (by definition of the formats)."""

Interconnect = Literal["nvlink", "pcie"]
"""How the GPUs of one instance are linked: NVLink (through NVSwitch) or only PCIe."""

TensorKey = Literal["bf16", "fp8", "int8"]
"""Keys of :attr:`Gpu.dense_tflops`: the tensor-core arithmetic precisions."""

_TENSOR_KEY: dict[Precision, TensorKey] = {
    Precision.BF16: "bf16",
    Precision.FP16: "bf16",
    Precision.FP8: "fp8",
    Precision.INT8: "int8",
}


def normalise(name: str) -> str:
    """A catalog lookup key: lower case, no ``nvidia`` prefix, no spaces, hyphens or dots."""
    key = name.strip().lower()
    key = key.removeprefix("nvidia")
    return "".join(ch for ch in key if ch.isalnum())


class Gpu(CatalogModel):
    """One GPU type."""

    name: str = Field(min_length=1, description="Canonical name, e.g. L40S.")
    aliases: tuple[str, ...] = Field((), description="Other names the spec may use.")
    memory_gb: float = Field(gt=0, description="GPU memory, GB.")
    memory_bandwidth_gb_s: float = Field(gt=0, description="Peak memory bandwidth, GB/s.")
    dense_tflops: dict[TensorKey, float] = Field(
        description="Dense tensor-core throughput per arithmetic precision, TFLOPS."
    )
    nvlink: bool = Field(description="Whether the part has NVLink (SXM) or only PCIe.")
    source: Source

    @model_validator(mode="after")
    def _has_bf16(self) -> "Gpu":
        if "bf16" not in self.dense_tflops:
            raise ValueError(f"{self.name}: dense_tflops needs a bf16 figure")
        return self

    def tflops(self, precision: Precision) -> float:
        """Dense tensor TFLOPS a model served at ``precision`` computes with.

        fp8/int8 use their own tensor cores where the GPU has them; otherwise (and for int4,
        weight-only quantisation) the arithmetic is 16 bit. fp32 runs as TF32, half the bf16
        rate.
        """
        if precision is Precision.FP32:
            return self.dense_tflops["bf16"] / 2
        key = _TENSOR_KEY.get(precision, "bf16")
        return self.dense_tflops.get(key, self.dense_tflops["bf16"])

    def matches(self, name: str) -> bool:
        """Whether ``name`` names this GPU (canonical name or an alias)."""
        key = normalise(name)
        return key == normalise(self.name) or any(key == normalise(a) for a in self.aliases)


class GpuCatalog(CatalogModel):
    """``gpus.yaml``."""

    gpus: tuple[Gpu, ...] = Field(min_length=1)


class InstanceFamily(CatalogModel):
    """One instance family of ``instances.yaml``: a GPU and the GPU count of each size."""

    family: str = Field(min_length=1, description="e.g. g6e.")
    gpu: str = Field(min_length=1, description="Canonical GPU name (gpus.yaml).")
    interconnect: Interconnect = Field(description="How the instance's GPUs are linked.")
    sizes: dict[str, int] = Field(min_length=1, description="Size -> GPUs per instance.")
    shapes: dict[str, tuple[int, int]] = Field(
        default_factory=lambda: {}, description="Size -> (vCPUs, memory in GiB) of the instance."
    )
    platforms: tuple[Literal["ec2", "sagemaker"], ...] = Field(min_length=1)
    regions: tuple[str, ...] = Field(description="Regions known to offer it (partial).")
    source: Source


class InstanceType(CatalogModel):
    """One instance type, expanded from its family."""

    name: str = Field(description="e.g. g6e.xlarge or ml.g6e.xlarge.")
    gpu: str = Field(description="Canonical GPU name.")
    gpus: int = Field(gt=0, description="GPUs per instance.")
    interconnect: Interconnect = Field(description="How the instance's GPUs are linked.")
    vcpus: int | None = Field(None, gt=0, description="vCPUs per instance (None: not recorded).")
    memory_gib: int | None = Field(None, gt=0, description="Memory in GiB (None: not recorded).")
    platform: Literal["ec2", "sagemaker"]
    regions: tuple[str, ...] = Field(description="Regions known to offer it (partial).")
    source: Source


class NodeFamily(CatalogModel):
    """A general-purpose (CPU-only) instance family: the shape of each size."""

    family: str = Field(min_length=1, description="e.g. m7i.")
    shapes: dict[str, tuple[int, int]] = Field(
        min_length=1, description="Size -> (vCPUs, memory in GiB)."
    )
    source: Source


class InstanceCatalog(CatalogModel):
    """``instances.yaml``."""

    families: tuple[InstanceFamily, ...] = Field(min_length=1)
    general_purpose: tuple[NodeFamily, ...] = Field(
        default=(), description="CPU-only families the blueprints use for system nodes."
    )

    def shape(self, name: str) -> tuple[int, int] | None:
        """(vCPUs, memory GiB) of an EC2 instance type, GPU or general purpose; None if unknown."""
        family, _, size = name.strip().lower().partition(".")
        shapes = [f.shapes for f in self.families if f.family == family]
        shapes += [f.shapes for f in self.general_purpose if f.family == family]
        return next((s[size] for s in shapes if size in s), None)

    def instance_types(self) -> list[InstanceType]:
        """Every instance type of every family, SageMaker ones with their ``ml.`` prefix."""
        found: list[InstanceType] = []
        for fam in self.families:
            for size, gpus in fam.sizes.items():
                for platform in fam.platforms:
                    prefix = "ml." if platform == "sagemaker" else ""
                    found.append(
                        InstanceType(
                            name=f"{prefix}{fam.family}.{size}",
                            gpu=fam.gpu,
                            gpus=gpus,
                            interconnect=fam.interconnect,
                            vcpus=fam.shapes[size][0] if size in fam.shapes else None,
                            memory_gib=fam.shapes[size][1] if size in fam.shapes else None,
                            platform=platform,
                            regions=fam.regions,
                            source=fam.source,
                        )
                    )
        return sorted(found, key=lambda t: t.name)


@cache
def gpu_catalog() -> GpuCatalog:
    """The packaged GPU catalog (parsed once)."""
    return load_catalog_file("gpus.yaml", GpuCatalog)


@cache
def instance_catalog() -> InstanceCatalog:
    """The packaged instance catalog (parsed once)."""
    return load_catalog_file("instances.yaml", InstanceCatalog)


@cache
def _instances_by_name() -> dict[str, InstanceType]:
    return {t.name: t for t in instance_catalog().instance_types()}


@cache
def _gpus_by_key() -> dict[str, Gpu]:
    """Each GPU by the key (:func:`normalise`) of its name and of each alias (the first GPU
    listed wins a key, as a walk in catalog order would)."""
    found: dict[str, Gpu] = {}
    for gpu in gpu_catalog().gpus:
        for name in (gpu.name, *gpu.aliases):
            found.setdefault(normalise(name), gpu)
    return found


def find_gpu(name: str) -> Gpu | None:
    """The GPU called ``name`` (or one of its aliases); ``None`` if the catalog lacks it."""
    return _gpus_by_key().get(normalise(name))


def find_instance(name: str) -> InstanceType | None:
    """The instance type called ``name`` (``g6e.xlarge``, ``ml.g5.12xlarge``); ``None`` if unknown."""
    return _instances_by_name().get(name.strip().lower())


def weight_bytes(params_b: float, precision: Precision) -> float:
    """Bytes of the weights of a ``params_b`` billion-parameter model at ``precision``."""
    return params_b * 1e9 * BYTES_PER_PARAMETER[precision]
