"""GPU and instance types the spec checks against cellguard's catalogs.

``serving.gpu`` and ``serving.instance_types`` must name catalogued hardware, or the spec does
not validate. Manifests and templates name whatever the cluster runs (``inf2.xlarge``,
``m7i.2xlarge``, a GPU cellguard does not know), so the draft leaves such a value out and says
so in a placeholder comment with where it came from: the assessment treats the GPU as unknown
rather than the import failing.
"""

from __future__ import annotations

from cellguard.importers.facts import Fact, SpecPath
from cellguard.models.catalog.hardware import find_gpu, find_instance

_GPU: SpecPath = ("serving", "gpu")
_TYPES: SpecPath = ("serving", "instance_types")


def uncatalogued(facts: dict[SpecPath, Fact]) -> list[str]:
    """Remove from ``facts`` the GPU and instance types the catalogs lack; what was removed."""
    notes: list[str] = []
    gpu = facts.get(_GPU)
    if gpu is not None and find_gpu(str(gpu.value)) is None:
        del facts[_GPU]
        notes.append(
            f"serving.gpu: {gpu.value} (from {gpu.origin}) is not in cellguard's GPU catalog; "
            "left out, so the GPU is unknown to the assessment"
        )
    types = facts.get(_TYPES)
    if types is not None and isinstance(types.value, list):
        known = [t for t in types.value if find_instance(str(t)) is not None]
        missing = [str(t) for t in types.value if find_instance(str(t)) is None]
        if missing:
            if known:
                facts[_TYPES] = Fact(known, types.origin, types.note)
            else:
                del facts[_TYPES]
            notes.append(
                f"serving.instance_types: {', '.join(missing)} (from {types.origin}) not in "
                "cellguard's instance catalog; left out"
            )
    return notes
