"""MIG profiles of the GPUs that support Multi-Instance GPU (``mig_profiles.yaml``).

A profile is a share of one GPU: compute slices out of :data:`COMPUTE_SLICES` (the SMs) and
memory slices out of :data:`MEMORY_SLICES` (memory, L2 and bandwidth). :func:`mig_slice`
turns a GPU and a profile into a :class:`~cellguard.models.catalog.hardware.Gpu` of that
share, so every figure computed from a GPU (weights fit, KV cache, decode bandwidth, FLOP/s)
is the instance's.
"""

from functools import cache

from pydantic import Field, model_validator

from cellguard.models.catalog.hardware import Gpu, find_gpu
from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file

COMPUTE_SLICES = 7
"""Compute slices of an A100, H100 or H200 (the default of :attr:`MigGpu.compute_slices`)."""
MEMORY_SLICES = 8
"""Memory slices of an A100, H100 or H200 (the default of :attr:`MigGpu.memory_slices`)."""
_MAX_SLICES = 8


class MigProfile(CatalogModel):
    """One MIG profile: its compute and memory slices and how many fit on a GPU."""

    compute: int = Field(ge=1, le=_MAX_SLICES, description="Compute slices.")
    memory: int = Field(ge=1, le=_MAX_SLICES, description="Memory slices.")
    instances: int = Field(ge=1, le=_MAX_SLICES, description="Instances of it on one GPU.")


class MigGpu(CatalogModel):
    """The MIG profiles of one catalogued GPU."""

    gpu: str = Field(min_length=1, description="Canonical GPU name (gpus.yaml).")
    compute_slices: int = Field(
        COMPUTE_SLICES, ge=1, le=_MAX_SLICES, description="Compute slices of the GPU (A30: 4)."
    )
    memory_slices: int = Field(
        MEMORY_SLICES, ge=1, le=_MAX_SLICES, description="Memory slices of the GPU (A30: 4)."
    )
    profiles: dict[str, MigProfile] = Field(min_length=1)
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> "MigGpu":
        """Every profile is a share of the GPU."""
        for name, p in self.profiles.items():
            if p.compute > self.compute_slices or p.memory > self.memory_slices:
                raise ValueError(
                    f"{self.gpu} profile {name} takes {p.compute} compute and {p.memory} memory "
                    f"slices, more than the GPU's {self.compute_slices} and {self.memory_slices}"
                )
        return self


class MigCatalog(CatalogModel):
    """``mig_profiles.yaml``."""

    source: Source
    gpus: tuple[MigGpu, ...] = Field(min_length=1)


@cache
def mig_catalog() -> MigCatalog:
    """The packaged MIG catalog (parsed once)."""
    return load_catalog_file("mig_profiles.yaml", MigCatalog)


def mig_gpu(gpu: Gpu) -> MigGpu | None:
    """The MIG profiles of ``gpu``; ``None`` for a GPU without MIG (L40S, L4, A10G)."""
    return next((m for m in mig_catalog().gpus if gpu.matches(m.gpu)), None)


def mig_profile(gpu: Gpu, profile: str) -> MigProfile | None:
    """Profile ``profile`` (``3g.40gb``) of ``gpu``; ``None`` if the GPU has no such profile."""
    found = mig_gpu(gpu)
    return found.profiles.get(profile.strip().lower()) if found is not None else None


def mig_slice(gpu: Gpu, profile: str) -> Gpu | None:
    """A GPU of the share of ``gpu`` that one instance of ``profile`` has (``None`` if the
    catalog lacks the profile): memory and bandwidth x its memory slices over the GPU's (8),
    tensor throughput x its compute slices over the GPU's (7), no NVLink (an instance cannot
    span GPUs)."""
    found = mig_profile(gpu, profile)
    owner = mig_gpu(gpu)
    if found is None or owner is None:
        return None
    memory = found.memory / owner.memory_slices
    compute = found.compute / owner.compute_slices
    return Gpu(
        name=f"{gpu.name} MIG {profile.strip().lower()}",
        aliases=(),
        memory_gb=gpu.memory_gb * memory,
        memory_bandwidth_gb_s=gpu.memory_bandwidth_gb_s * memory,
        dense_tflops={key: value * compute for key, value in gpu.dense_tflops.items()},
        nvlink=False,
        source=owner.source,
    )


def profiles_of(name: str) -> list[str]:
    """The profile names of the GPU called ``name``, in catalog order (empty without MIG)."""
    gpu = find_gpu(name)
    found = mig_gpu(gpu) if gpu is not None else None
    return list(found.profiles) if found is not None else []
