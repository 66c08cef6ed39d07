"""The catalog of times to obtain GPU capacity (issue 16 item 4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cellguard.models.catalog.gpu_obtain import (
    family_of,
    instance_family,
    obtain_catalog,
    obtain_time,
    scarce,
)
from cellguard.models.enums import PurchaseOption
from cellguard.models.loader import user_catalogs as user


@pytest.fixture(autouse=True)
def builtin_catalog() -> Iterator[None]:
    yield
    user.activate([])


def test_held_capacity_launches_in_minutes_and_scarce_on_demand_takes_a_day() -> None:
    assert obtain_time(PurchaseOption.ODCR, "p5").minutes == 5  # type: ignore[union-attr]
    assert obtain_time(PurchaseOption.CAPACITY_BLOCK, "p5").minutes == 5  # type: ignore[union-attr]
    p5 = obtain_time(PurchaseOption.ON_DEMAND, "p5")
    assert p5 is not None and p5.minutes == 1440 and p5.estimate
    assert "InsufficientInstanceCapacity" in (p5.source.note or "")
    g6e = obtain_time(PurchaseOption.ON_DEMAND, "g6e")
    assert g6e is not None and g6e.minutes == 10 and g6e.estimate
    # a Savings Plan holds no capacity: obtained as on demand
    assert obtain_time(PurchaseOption.SAVINGS_PLAN, "p4d").minutes == 1440  # type: ignore[union-attr]
    assert scarce("p5") and not scarce("g6e")


def test_every_purchase_option_has_an_entry_for_any_family_with_a_source() -> None:
    for purchase in PurchaseOption:
        entry = obtain_time(purchase, "some-new-family")
        assert entry is not None, purchase
        assert entry.source.url and entry.source.url.startswith("https://docs.aws.amazon.com/")
    # figures without a published source are labelled estimates, and say so in their note
    for entry in obtain_catalog().entries:
        assert entry.estimate
        assert "estimate" in (entry.source.note or "").lower()


def test_the_family_comes_from_the_instance_type_or_the_gpu() -> None:
    assert instance_family("ml.p5.48xlarge") == "p5"
    assert family_of(["g6e.2xlarge", "g6e.xlarge"], "L40S") == "g6e"
    assert family_of([], "H100") == "p5"
    assert family_of([], None) is None


def test_a_user_catalog_overrides_an_estimate_with_a_measurement(tmp_path: Path) -> None:
    directory = tmp_path / "catalog"
    directory.mkdir()
    (directory / "gpu_obtain.yaml").write_text(
        "entries:\n"
        "  - purchase: on_demand\n"
        "    families: [p5]\n"
        "    minutes: 90\n"
        "    estimate: false\n"
        "    source: {title: our p5 launches in us-west-2 2026-11, checked: 2026-11-30}\n",
        encoding="utf-8",
    )
    user.activate([directory])
    entry = obtain_time(PurchaseOption.ON_DEMAND, "p5")
    assert entry is not None and entry.minutes == 90 and not entry.estimate
    assert obtain_time(PurchaseOption.ODCR, "p5").minutes == 5  # type: ignore[union-attr]
    user.activate([])
    assert obtain_time(PurchaseOption.ON_DEMAND, "p5").minutes == 1440  # type: ignore[union-attr]


def test_the_family_of_a_models_serving_block() -> None:
    from types import SimpleNamespace

    from cellguard.models.catalog.gpu_obtain import serving_family

    assert serving_family(SimpleNamespace(instance_types=["ml.p5.48xlarge"], gpu="L40S")) == "p5"
    assert serving_family(SimpleNamespace(instance_types=None, gpu="L40S")) == "g6e"
    assert serving_family(SimpleNamespace(gpu=None)) is None
    assert serving_family(None) is None


def test_a_family_a_user_catalog_adds_with_h100s_is_as_scarce_as_p5(tmp_path: Path) -> None:
    directory = tmp_path / "catalog"
    directory.mkdir()
    (directory / "instances.yaml").write_text(
        "families:\n"
        "  - family: p5x\n"
        "    gpu: H100\n"
        "    interconnect: nvlink\n"
        "    sizes: {48xlarge: 8}\n"
        "    platforms: [ec2]\n"
        "    regions: [us-east-1]\n"
        "    source: {title: a new H100 family, checked: 2026-12-03}\n",
        encoding="utf-8",
    )
    user.activate([directory])
    entry = obtain_time(PurchaseOption.ON_DEMAND, "p5x")
    assert entry is not None and entry.minutes == 1440 and scarce("p5x")
    # a family with a common GPU, or none the catalog knows, keeps the common estimate
    assert obtain_time(PurchaseOption.ON_DEMAND, "g7").minutes == 10  # type: ignore[union-attr]
    assert not scarce("g7")
