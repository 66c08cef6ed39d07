"""Cells that declare zones confine the components placed in them (issue 15 item 6: a cell's
``zones`` was accepted and read by no analysis)."""

from __future__ import annotations

from cellguard.assessments.placement import effective_placement
from cellguard.models.components import App
from cellguard.models.topology import Topology

TOPOLOGY = Topology.model_validate(
    {
        "accounts": ["prod"],
        "regions": [{"name": "us-east-1", "zones": ["use1-az1", "use1-az2", "use1-az4"]}],
        "cells": [
            {"id": "a", "region": "us-east-1", "zones": ["use1-az2", "use1-az4"]},
            {"id": "b", "region": "us-east-1"},
        ],
    }
)


def _zones(placement: dict[str, object]) -> dict[str, tuple[str, ...]] | None:
    app = App.model_validate({"id": "x", "kind": "app", "placement": placement, "replicas": 4})
    return effective_placement("s", TOPOLOGY, app).zones


def test_zones_omitted_in_a_cell_with_zones_are_the_cells() -> None:
    assert _zones({"cells": ["a"]}) == {"us-east-1": ("use1-az2", "use1-az4")}


def test_a_zone_count_takes_the_cells_zones_first() -> None:
    assert _zones({"cells": ["a"], "zones": 1}) == {"us-east-1": ("use1-az2",)}
    assert _zones({"cells": ["a"], "zones": 3}) == {"us-east-1": ("use1-az2", "use1-az4")}


def test_a_cell_without_zones_changes_nothing() -> None:
    assert _zones({"cells": ["b"]}) is None
    assert _zones({"cells": ["b"], "zones": 2}) == {"us-east-1": ("use1-az1", "use1-az2")}
    assert _zones({"zones": ["use1-az1"]}) == {"us-east-1": ("use1-az1",)}
