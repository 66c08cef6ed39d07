"""The plan sizes a fleet counted in images in that unit (issue 17 item 1)."""

from __future__ import annotations

from pathlib import Path

from tests.assessments.test_capacity_units import IMAGES_30, stack
from tests.planner.conftest import plan_of


def test_an_image_fleet_is_sized_in_images_per_second(tmp_path: Path) -> None:
    spec = tmp_path / "pix.yaml"
    spec.write_text(stack(IMAGES_30), encoding="utf-8")
    planned = plan_of(spec)
    changes = {c.action: c for c in planned.plan.changes if c.target == "gen"}
    # 0.056 images/s a replica (SDXL on an A10G, estimate): 30 / (0.056 x 0.8) = 670
    add = changes["add-gpu-capacity"].description
    assert "at least 670 replicas per region for peak 30 images/s at 80% (0.056 per replica)" in add
    stable = changes["statically-stable-gpus"].description
    assert "1340 replicas per region over 2 zones" in stable
    assert "0.056 per replica (estimate)" in stable
