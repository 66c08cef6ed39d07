"""The JSON reports carry each journey's exact unavailability, digit for digit.

``availability`` is a percentage rounded for people (8 significant digits); ``unavailability``
beside it is the exact engine's probability, a double that JSON round-trips exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.assessments.availability.journeys import journey_availability
from cellguard.assessments.graph import build_graph
from cellguard.cli.main import app
from cellguard.models.loader import load

runner = CliRunner()
OPTS = ["--today", "2026-11-21", "--no-plugins"]
EXAMPLES = [
    "examples/rag-support-assistant.yaml",
    "examples/cell-multi-region.yaml",
    "examples/saas-finetune.yaml",
    "examples/vllm-single-zone.yaml",
    "examples/org",
]

PERFECT = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: perfect, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: web
      criticality: tier1
      objectives: {availability: 99.9}
topology:
  accounts: [prod]
  regions:
    - name: us-east-1
      zones: [use1-az1, use1-az2, use1-az4]
  availability: {zone: 100, region: 100, account: 100}
components:
  - id: web
    kind: app
    placement: {zones: 3}
    replicas: 3
    availability: 100
"""
"""A journey that cannot fail: every availability is 100%."""


def _engine(path: str) -> dict[tuple[str, str], float]:
    graph = build_graph(load(Path(path)))
    return {(j.stack, j.journey): j.unavailability for j in journey_availability(graph)}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: Path(p).stem)
def test_assess_json_carries_the_engines_unavailability_exactly(
    example: str, repo_root: Path
) -> None:
    result = runner.invoke(app, ["assess", example, "-f", "json", *OPTS])
    assert result.exit_code == 0, result.output
    journeys = json.loads(result.stdout)["journeys"]
    engine = _engine(example)
    assert len(journeys) == len(engine) > 0
    for entry in journeys:
        exact = engine[(entry["stack"], entry["journey"])]
        assert entry["unavailability"] == exact  # the same double, not a rounding of it
        assert f'"unavailability": {exact!r}' in result.stdout
        assert entry["availability"] == float(f"{100 * (1 - exact):.8g}")  # rounded for people


def test_the_exact_figure_tells_apart_what_the_rounded_one_does_not(repo_root: Path) -> None:
    result = runner.invoke(
        app, ["assess", "examples/rag-support-assistant.yaml", "-f", "json", *OPTS]
    )
    chat = next(j for j in json.loads(result.stdout)["journeys"] if j["journey"] == "chat")
    assert chat["unavailability"] == 0.003607471682801649
    assert chat["availability"] == 99.639253


def test_diff_json_carries_both_sides_exactly(repo_root: Path, tmp_path: Path) -> None:
    old = "examples/rag-support-assistant.yaml"
    new = tmp_path / "new.yaml"
    new.write_text(
        Path(old).read_text(encoding="utf-8").replace("replicas: 3\n", "replicas: 2\n", 1),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["diff", old, str(new), "-f", "json", *OPTS])
    assert result.exit_code == 0, result.output
    before, after = _engine(old), _engine(str(new))
    rows = json.loads(result.stdout)["journeys"]
    assert rows
    for row in rows:
        key = (row["stack"], row["journey"])
        assert row["old"]["unavailability"] == before[key]
        assert row["new"]["unavailability"] == after[key]


def test_a_journey_that_cannot_fail_has_null_nines_in_valid_json(tmp_path: Path) -> None:
    spec = tmp_path / "perfect.yaml"
    spec.write_text(PERFECT, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(spec), "-f", "json", *OPTS])
    assert result.exit_code == 0, result.output

    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON")

    [journey] = json.loads(result.stdout, parse_constant=refuse)["journeys"]
    assert journey["unavailability"] == 0.0
    assert journey["availability"] == 100.0
    assert journey["nines"] is None
