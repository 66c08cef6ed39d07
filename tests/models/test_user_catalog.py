"""User catalogs (--catalog DIR, config 'catalogs'): validated like specs, laid over the built-in
catalog, entry by entry (issue 15 item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

from cellguard.assessments.capacity import fleet
from cellguard.assessments.graph import build_graph
from cellguard.models.catalog.availability import shared_domain_prior
from cellguard.models.catalog.hardware import find_gpu, gpu_catalog
from cellguard.models.catalog.throughput import throughput_catalog
from cellguard.models.loader import SpecLoadError, load
from cellguard.models.loader import user_catalogs as user
from tests.helpers import REPO

EXAMPLE = REPO / "examples" / "vllm-single-zone.yaml"

GPU = """\
gpus:
  - name: MI300X
    aliases: [AMD MI300X]
    memory_gb: 192
    memory_bandwidth_gb_s: 5300
    dense_tflops: {bf16: 1307, fp8: 2615}
    nvlink: true
    source:
      title: AMD Instinct MI300X data sheet
      url: https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html
      checked: 2026-12-01
"""

MEASUREMENT = """\
measurements:
  - id: ours-qwen-coder-l40s
    model: Qwen/Qwen2.5-Coder-7B-Instruct
    params_b: 7.6
    precision: bf16
    gpu: L40S
    gpus: 1
    engine: vllm
    output_tokens_per_s: 900
    conditions: {scenario: concurrency, concurrency: 128}
    source: {title: Forge load test 2026-11, checked: 2026-11-30}
"""


@pytest.fixture(autouse=True)
def builtin_catalog() -> Iterator[None]:
    yield
    user.activate([])


def catalog(tmp_path: Path, **files: str) -> Path:
    directory = tmp_path / "catalog"
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / f"{name}.yaml").write_text(dedent(text), encoding="utf-8")
    return directory


def test_entries_are_added_and_the_builtin_catalog_returns(tmp_path: Path) -> None:
    builtin = len(throughput_catalog().measurements)
    assert find_gpu("MI300X") is None
    user.activate([catalog(tmp_path, gpus=GPU, throughput=MEASUREMENT)])
    gpu = find_gpu("AMD MI300X")
    assert (
        gpu is not None and gpu.memory_gb == 192 and gpu.source.checked.isoformat() == "2026-12-01"
    )
    assert len(throughput_catalog().measurements) == builtin + 1
    user.activate([])
    assert find_gpu("MI300X") is None and len(throughput_catalog().measurements) == builtin


def test_a_user_measurement_is_used_for_the_fleet(tmp_path: Path) -> None:
    user.activate([catalog(tmp_path, throughput=MEASUREMENT)])
    model = fleet(build_graph(load(EXAMPLE)), "forge-code-assistant/coder-llm")
    assert model is not None
    assert model.row.per_replica == 900
    assert model.row.throughput_source == "measured: Forge load test 2026-11"


def test_an_entry_with_a_builtin_identity_replaces_it(tmp_path: Path) -> None:
    override = """\
    gpus:
      - name: L40S
        memory_gb: 48
        memory_bandwidth_gb_s: 800
        dense_tflops: {bf16: 362}
        nvlink: false
        source: {title: our measurement of achievable bandwidth, checked: 2026-11-30}
    """
    priors = """\
    shared_domains:
      eks_control_plane:
        availability: 99.5
        repair_hours: 1
        basis: assumption
        source: {title: our incident history, checked: 2026-11-30}
    """
    user.activate([catalog(tmp_path, gpus=override)])
    l40s = find_gpu("L40S")
    assert l40s is not None and l40s.memory_bandwidth_gb_s == 800
    assert [g.name for g in gpu_catalog().gpus].count("L40S") == 1  # replaced, not added
    user.activate([catalog(tmp_path, availability=priors)])
    assert shared_domain_prior("eks_control_plane").availability == 99.5
    assert shared_domain_prior("network").availability == 99.99  # the built-in ones stay


def test_user_files_are_validated_like_specs(tmp_path: Path) -> None:
    bad_gpu = GPU.replace("memory_bandwidth_gb_s", "memory_bandwdith_gb_s")
    bad_gpu = bad_gpu.replace("    source:\n", "    sauce:\n")
    bad_point = MEASUREMENT.replace("gpu: L40S", "gpu: B200")
    directory = catalog(tmp_path, gpus=bad_gpu, prices="x: 1\n")
    with pytest.raises(SpecLoadError) as info:
        user.activate([directory])
    rendered = "\n".join(d.render() for d in info.value.errors)
    assert "gpus.yaml:5:5: error[unknown-key] gpus[0].memory_bandwdith_gb_s" in rendered
    assert "did you mean 'memory_bandwidth_gb_s'?" in rendered
    assert "missing required key 'source'" in rendered  # every entry carries its source
    assert "prices.yaml is not a catalog file" in rendered
    assert find_gpu("MI300X") is None  # nothing was laid over
    (directory / "gpus.yaml").unlink()
    (directory / "prices.yaml").unlink()
    (directory / "throughput.yaml").write_text(bad_point, encoding="utf-8")
    with pytest.raises(SpecLoadError) as info:
        user.activate([directory])
    rendered = "\n".join(d.render() for d in info.value.errors)
    assert "throughput.yaml:6:" in rendered and "'B200' is in neither the built-in" in rendered
    assert len(throughput_catalog().measurements) == 6  # the failed catalog was taken back


def cellguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "cellguard", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
    )


def test_cli_flag_and_config_file(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace("gpu: L40S", "gpu: MI300X")
    spec.write_text(text.replace("instance_types: [g6e.2xlarge]", "instance_types: []"))
    catalog(tmp_path, gpus=GPU)
    (tmp_path / ".git").mkdir()  # the config search stops here
    without = cellguard("validate", str(spec), cwd=tmp_path)
    assert without.returncode == 2 and "not-in-catalog" in without.stderr
    flag = cellguard("--catalog", "catalog", "validate", str(spec), cwd=tmp_path)
    assert flag.returncode == 0, flag.stderr
    (tmp_path / ".cellguard.yaml").write_text("catalogs: [catalog]\n", encoding="utf-8")
    configured = cellguard("validate", str(spec), cwd=tmp_path)
    assert configured.returncode == 0, configured.stderr
    shown = cellguard("config", cwd=tmp_path)
    assert "catalogs" in shown.stdout and ".cellguard.yaml:1" in shown.stdout
    (tmp_path / ".cellguard.yaml").write_text("catalogs: [nowhere]\n", encoding="utf-8")
    missing = cellguard("validate", str(spec), cwd=tmp_path)
    assert missing.returncode == 2 and ".cellguard.yaml:1" in missing.stderr
    assert "no such file or directory" in missing.stderr
