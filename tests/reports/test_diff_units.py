"""The diff shows rates below one a second in images (issue 17) with their digits."""

from __future__ import annotations

from cellguard.reports.diff import DiffFormat, diff_assessments
from cellguard.reports.diff_text import render_diff
from tests.assessments.test_capacity_units import IMAGES_30, stack
from tests.reports.report_fixtures import assess_text


def test_an_image_fleet_s_supply_moves_from_0_112_to_0_224() -> None:
    old = assess_text(stack(IMAGES_30, replicas=2))
    new = assess_text(stack(IMAGES_30, replicas=4))
    diff = diff_assessments(old, new, old_label="two", new_label="four")
    text = render_diff(diff, DiffFormat.TABLE)
    assert "images/s" in text
    # 0.056 images/s per A10G replica (estimate): two replicas, then four
    assert "0.112 -> 0.224" in text
