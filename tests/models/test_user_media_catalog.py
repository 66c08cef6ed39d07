"""A user catalog may add non-LLM throughput points (media_throughput.yaml, issue 17 item 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cellguard.assessments.capacity import fleet
from cellguard.assessments.graph import build_graph
from cellguard.models.catalog.media import media_catalog
from cellguard.models.loader import SpecLoadError
from cellguard.models.loader import user_catalogs as user
from tests.assessments.test_capacity_units import IMAGES_30, stack
from tests.helpers import load_texts

L4_POINT = """\
measurements:
  - id: ours-sdxl-l4
    model: sdxl-base-1.0
    gpu: L4
    gpus: 1
    engine: baseline
    per_s: 0.09
    conditions: {steps: 30, resolution: 1024x1024, batch: 1}
    source: {title: Our load test 2026-12, checked: 2026-12-02}
"""


@pytest.fixture(autouse=True)
def builtin_catalog() -> Iterator[None]:
    yield
    user.activate([])


def directory(tmp_path: Path, text: str) -> Path:
    found = tmp_path / "catalog"
    found.mkdir()
    (found / "media_throughput.yaml").write_text(text, encoding="utf-8")
    return found


def test_a_user_point_is_used_as_measured(tmp_path: Path) -> None:
    builtin = len(media_catalog().measurements)
    user.activate([directory(tmp_path, L4_POINT)])
    assert len(media_catalog().measurements) == builtin + 1
    graph = build_graph(load_texts(stack(IMAGES_30, gpu="L4"), org_mode=False))
    model = fleet(graph, "pix/gen")
    assert model is not None
    assert model.row.per_replica == pytest.approx(0.09)
    assert model.row.throughput_source == "measured: Our load test 2026-12"


def test_a_point_for_an_unknown_model_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError) as info:
        user.activate([directory(tmp_path, L4_POINT.replace("sdxl-base-1.0", "sdxl-lightning"))])
    text = "\n".join(d.render() for d in info.value.errors)
    assert "model 'sdxl-lightning' is not among the models" in text
    assert "media_throughput.yaml" in text
    assert len(media_catalog().measurements) == 6  # the built-in catalog stays in use
