"""The start-up's and the recovery GPUs' figures share one number format (review of issue 16
item 4)."""

from __future__ import annotations

import pytest

from cellguard.assessments.startup import figure


@pytest.mark.parametrize(
    ("value", "text"),
    [(1441.5, "1,441.5"), (600.0, "600"), (0.25, "0.2"), (1440.0, "1,440"), (92.04, "92")],
)
def test_figures_drop_a_trailing_zero_and_keep_one_decimal(value: float, text: str) -> None:
    assert figure(value) == text
