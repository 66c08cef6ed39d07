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


def test_what_a_replica_fetches_from_a_start_up_service_adds_to_its_start_up() -> None:
    from types import SimpleNamespace

    from cellguard.assessments.startup import startup_time
    from cellguard.models.components.startup import Startup

    startup = Startup.model_validate(
        {
            "services": [
                {"external": "licence-server"},
                {"external": "adapter-hub", "size_gb": 2, "gb_per_s": 0.1},
            ],
            "load_seconds": 30,
        }
    )
    started = startup_time(SimpleNamespace(startup=startup), provision=False)
    assert started is not None
    assert started.seconds == 20 + 30
    assert "2 GB / 0.1 GB/s = 20 s" in started.arithmetic()
