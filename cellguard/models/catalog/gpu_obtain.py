"""Time to obtain GPU capacity by purchase option and instance family (``gpu_obtain.yaml``).

Used for the node-provisioning step of a replica's start-up (scale-out and replacement) and
for a DR plan that must find GPUs in its recovery region during an outage. Held capacity (an
ODCR, an active Capacity Block) launches in minutes; capacity bought when needed (on demand,
spot) has no published figure and the catalog's entries for it are labelled estimates.
"""

from functools import cache

from pydantic import Field

from cellguard.models.catalog.hardware import instance_catalog, normalise
from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file
from cellguard.models.enums import PurchaseOption

ANY_FAMILY = "*"


class ObtainTime(CatalogModel):
    """Minutes to obtain a node of the listed families bought with ``purchase``."""

    purchase: PurchaseOption
    families: tuple[str, ...] = Field(min_length=1)
    minutes: float = Field(gt=0)
    estimate: bool
    source: Source

    def matches(self, purchase: PurchaseOption, family: str) -> bool:
        """Whether this entry is the one for ``purchase`` and ``family``."""
        return self.purchase is purchase and (
            ANY_FAMILY in self.families or family in self.families
        )


class ObtainCatalog(CatalogModel):
    """Everything ``gpu_obtain.yaml`` holds."""

    scarce_families: tuple[str, ...]
    entries: tuple[ObtainTime, ...] = Field(min_length=1)


@cache
def obtain_catalog() -> ObtainCatalog:
    """The packaged catalog of obtain times."""
    return load_catalog_file("gpu_obtain.yaml", ObtainCatalog)


def instance_family(instance_type: str) -> str:
    """``p5`` for ``p5.48xlarge`` and ``ml.p5.48xlarge``."""
    name = instance_type.strip().lower().removeprefix("ml.")
    return name.split(".", 1)[0]


def family_of(instance_types: list[str], gpu: str | None) -> str | None:
    """The instance family of a replica: its first instance type's, else the first catalog
    family with ``gpu`` (``None``: neither is known)."""
    if instance_types:
        return instance_family(instance_types[0])
    if gpu is None:
        return None
    key = normalise(gpu)
    for family in instance_catalog().families:
        if normalise(family.gpu) == key:
            return family.family
    return None


def serving_family(serving: object) -> str | None:
    """:func:`family_of` a model's ``serving`` (its ``instance_types`` and ``gpu``)."""
    return family_of(
        list(getattr(serving, "instance_types", None) or []), getattr(serving, "gpu", None)
    )


def _like(family: str) -> str:
    """The family whose obtain times ``family`` takes: itself when the catalog names it, else a
    scarce family with the same GPU (a family a user catalog adds with H100s is as hard to find
    as p5), else itself (the ``"*"`` entries)."""
    listed = {f for e in obtain_catalog().entries for f in e.families}
    if family in listed:
        return family
    gpus = {f.family: normalise(f.gpu) for f in instance_catalog().families}
    gpu = gpus.get(family)
    if gpu is None:
        return family
    return next(
        (s for s in obtain_catalog().scarce_families if gpus.get(s) == gpu),
        family,
    )


def obtain_time(purchase: PurchaseOption, family: str) -> ObtainTime | None:
    """The catalog's time to obtain a ``family`` node bought with ``purchase`` (a family the
    catalog does not list takes the times of a scarce family with the same GPU)."""
    like = _like(family)
    return next((e for e in obtain_catalog().entries if e.matches(purchase, like)), None)


def scarce(family: str) -> bool:
    """Whether ``family`` is one of the scarce GPU families (H100, H200, A100, B200), or
    carries the GPU of one."""
    return _like(family) in obtain_catalog().scarce_families


__all__ = [
    "ObtainCatalog",
    "ObtainTime",
    "family_of",
    "instance_family",
    "obtain_time",
    "scarce",
    "serving_family",
]
