"""The DR action chooses how a recovery obtains the GPUs its strategy leaves out of the recovery
region (capacity.recovery_purchase): the cheapest purchase whose obtain and start-up time fits
the RTO, as CG-RED-008 computes it, else the fastest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cellguard.assessments.graph import build_graph
from cellguard.models.enums import DrStrategy, PurchaseOption
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import load
from cellguard.planner.actions.redundancy import upgrade_dr_strategy
from cellguard.planner.context import ActionContext
from cellguard.planner.model import Change
from cellguard.planner.workspace import Workspace
from tests.helpers import REPO
from tests.planner.conftest import assess

FORGE = REPO / "examples" / "vllm-single-zone.yaml"
PURCHASE = ("components", "coder-llm", "capacity", "recovery_purchase")


def _forge(tmp_path: Path, *, rto: int, llm: dict[str, Any] | None = None) -> Path:
    """The Forge example with a day-long RTO on every journey, a recovery region and
    ``llm`` merged into coder-llm's keys."""
    doc = yaml.safe_load(FORGE.read_text(encoding="utf-8"))
    for journey in doc["business"]["journeys"]:
        journey["objectives"]["rto_minutes"] = rto
    doc["practices"]["disaster_recovery"] = {"strategy": "none", "recovery_region": "us-west-2"}
    comp = next(c for c in doc["components"] if c["id"] == "coder-llm")
    for key, value in (llm or {}).items():
        comp[key] = {**comp.get(key, {}), **value}
    path = tmp_path / "forge.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _act(path: Path) -> tuple[Finding, Change]:
    org = load(path)
    before = assess(org)
    (finding,) = [
        f for f in before.findings if f.rule == "CG-RED-008" and f.target == "code-completion"
    ]
    assert finding.status is Status.FAIL  # strategy none
    (result,) = upgrade_dr_strategy(
        Workspace(org.documents), finding, ActionContext(before, build_graph(org))
    )
    assert isinstance(result, Change)
    return finding, result


def _edits(change: Change) -> dict[tuple[object, ...], object]:
    return {tuple(e.path): e.after for e in change.edits}


def _gpu_verdict(path: Path, change: Change, tmp_path: Path) -> str:
    """CG-RED-008's message on code-completion once the change's edits are applied."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for edit in change.edits:
        node = doc
        *parents, last = edit.path
        for key in parents:
            node = (
                next(c for c in node if c["id"] == key)
                if isinstance(node, list)
                else node.setdefault(key, {})
            )
        node[last] = edit.after
    after = tmp_path / "after" / "forge.yaml"
    after.parent.mkdir()
    after.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    (finding,) = [
        f
        for f in assess(load(after)).findings
        if f.rule == "CG-RED-008" and f.target == "code-completion"
    ]
    return finding.message


def test_a_day_long_rto_buys_common_gpus_on_demand(tmp_path: Path) -> None:
    path = _forge(tmp_path, rto=1440)
    _, change = _act(path)
    edits = _edits(change)
    assert edits[("practices", "disaster_recovery", "strategy")] == DrStrategy.BACKUP_RESTORE.value
    # g6e is not scarce: on demand obtains one in 10 min (an estimate) plus its start-up
    assert edits[PURCHASE] == PurchaseOption.ON_DEMAND.value
    assert "coder-llm's GPUs in us-west-2 as on_demand (" in change.description
    assert "min, an estimate)" in change.description  # gpu_obtain.yaml: no published figure
    message = _gpu_verdict(path, change, tmp_path)
    assert "obtains its GPUs" not in message  # no longer unknown
    assert "coder-llm needs g6e GPUs in us-west-2 bought as on_demand" in message


def test_scarce_gpus_are_held_in_the_recovery_region(tmp_path: Path) -> None:
    path = _forge(
        tmp_path, rto=1440, llm={"serving": {"gpu": "H100", "instance_types": ["p5.48xlarge"]}}
    )
    _, change = _act(path)
    # p5 on demand: a day to find (an estimate) plus start-up, beyond the RTO; an ODCR fits
    assert _edits(change)[PURCHASE] == PurchaseOption.ODCR.value
    assert "as odcr (" in change.description
    assert "still beyond the RTO" not in change.description
    message = _gpu_verdict(path, change, tmp_path)
    assert "coder-llm needs p5 GPUs in us-west-2 bought as odcr" in message
    assert "bought as on_demand" not in message


def test_held_capacity_already_declared_is_kept(tmp_path: Path) -> None:
    path = _forge(
        tmp_path,
        rto=1440,
        llm={
            "serving": {"gpu": "H100", "instance_types": ["p5.48xlarge"]},
            "capacity": {"recovery_purchase": "capacity_block"},
        },
    )
    _, change = _act(path)
    assert PURCHASE not in _edits(change)
    assert "GPUs in us-west-2 as" not in change.description


def test_a_strategy_that_runs_the_gpus_in_the_recovery_region_buys_nothing(
    tmp_path: Path,
) -> None:
    path = _forge(tmp_path, rto=30)  # warm standby or better: coder-llm runs in us-west-2 too
    _, change = _act(path)
    edits = _edits(change)
    assert edits[("practices", "disaster_recovery", "strategy")] != DrStrategy.BACKUP_RESTORE.value
    assert PURCHASE not in edits
