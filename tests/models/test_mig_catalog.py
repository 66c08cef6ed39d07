"""The MIG profiles catalog (issue 17 item 5): sourced shares of catalogued GPUs, and a user
catalog may add a GPU's profiles (an A30's four slices)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cellguard.models.catalog.hardware import find_gpu
from cellguard.models.catalog.mig import mig_catalog, mig_slice
from cellguard.models.loader import SpecLoadError
from cellguard.models.loader import user_catalogs as user

A30_GPU = """\
gpus:
  - name: A30
    memory_gb: 24
    memory_bandwidth_gb_s: 933
    dense_tflops: {bf16: 165, int8: 330}
    nvlink: false
    source: {title: NVIDIA A30 datasheet, checked: 2026-12-03}
"""
A30_MIG = """\
gpus:
  - gpu: A30
    compute_slices: 4
    memory_slices: 4
    profiles:
      1g.6gb: {compute: 1, memory: 1, instances: 4}
      2g.12gb: {compute: 2, memory: 2, instances: 2}
      4g.24gb: {compute: 4, memory: 4, instances: 1}
    source: {title: "NVIDIA MIG user guide: A30 profiles", checked: 2026-12-03}
"""


@pytest.fixture(autouse=True)
def builtin_catalog() -> Iterator[None]:
    yield
    user.activate([])


def test_every_builtin_profile_is_a_share_of_a_catalogued_gpu() -> None:
    for entry in mig_catalog().gpus:
        gpu = find_gpu(entry.gpu)
        assert gpu is not None, entry.gpu
        assert entry.source.url and "mig-user-guide" in entry.source.url
        for name, profile in entry.profiles.items():
            # the name's GB is the memory share, nominally
            nominal = float(name.split(".")[1].removesuffix("gb"))
            share = gpu.memory_gb * profile.memory / entry.memory_slices
            assert abs(share - nominal) <= 1.0, (entry.gpu, name, share)
            assert profile.compute * profile.instances <= entry.compute_slices


def directory(tmp_path: Path, **files: str) -> Path:
    found = tmp_path / "catalog"
    found.mkdir()
    for name, text in files.items():
        (found / f"{name}.yaml").write_text(text, encoding="utf-8")
    return found


def test_a_user_catalog_adds_the_profiles_of_a_gpu_with_four_slices(tmp_path: Path) -> None:
    user.activate([directory(tmp_path, gpus=A30_GPU, mig_profiles=A30_MIG)])
    a30 = find_gpu("A30")
    assert a30 is not None
    part = mig_slice(a30, "2g.12gb")
    assert part is not None
    assert part.memory_gb == 12.0  # 2 of 4 memory slices, not of 8
    assert part.dense_tflops["bf16"] == pytest.approx(165 / 2)


def test_a_profile_larger_than_its_gpu_is_an_error(tmp_path: Path) -> None:
    bad = A30_MIG.replace("4g.24gb: {compute: 4", "4g.24gb: {compute: 5")
    with pytest.raises(SpecLoadError) as info:
        user.activate([directory(tmp_path, gpus=A30_GPU, mig_profiles=bad)])
    text = "\n".join(d.render() for d in info.value.errors)
    assert "profile 4g.24gb takes 5 compute and 4 memory slices, more than the GPU's 4" in text
    assert "mig_profiles.yaml" in text
