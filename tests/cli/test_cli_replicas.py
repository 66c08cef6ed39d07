"""``cellguard assess`` with many replicas: time independent of the count, figures exact.

Each replica used to be a basic event of the journey's tree: ``replicas: 64`` took 6 s,
``replicas: 1000`` more than 90 s, and 6,000 replicas on one journey passed the analysis limit
(exit 3). The replicas of a component are now aggregated per zone in closed form
(``cellguard.assessments.availability.replicas``).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.assessments.availability import journeys
from cellguard.assessments.availability.journeys import journey_availability
from cellguard.assessments.graph import build_graph
from cellguard.assessments.placement import EffectivePlacement
from cellguard.cli.main import app
from tests.helpers import load_texts

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]

STACK = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: big, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier1
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
  availability: {zone: 99.9, region: 99.99, account: 99.999}
components:
  - id: api
    kind: app
    runtime: eks
    placement: {zones: 3}
    replicas: 100000
    min_healthy_replicas: 49900
    availability: 50
"""


def below_exact(n: int, k: int) -> Fraction:
    """``P(Bin(n, 1/2) < k)`` for even ``n`` and ``k ≤ n/2``, in exact integers: half of the
    mass below the middle (symmetry) less the terms from ``k`` to the middle."""
    assert n % 2 == 0 and k <= n // 2
    low_half = (2**n - math.comb(n, n // 2)) // 2  # sum of C(n, x) for x < n/2
    term, between = math.comb(n, k), 0
    for x in range(k, n // 2):
        between += term
        term = term * (n - x) // (x + 1)
    return Fraction(low_half - between, 2**n)


def closed_form() -> float:
    """The journey's unavailability: account OR region OR (fewer than 49,900 of the replicas
    in the zones that are up are up), summed over the 8 states of the three zones."""
    q_zone, q_region, q_account = (Fraction((100 - a) / 100) for a in (99.9, 99.99, 99.999))
    per_zone = (33334, 33333, 33333)  # round-robin
    body = Fraction(0)
    for down in product((False, True), repeat=3):
        p_state = math.prod(q_zone if d else 1 - q_zone for d in down)
        up = sum(n for n, d in zip(per_zone, down, strict=True) if not d)
        # With a zone down at most 66,667 are left, whose mean is 33,334: P(49,900 or more
        # up) < 1e-1000, so "fewer than 49,900 up" is 1 to far beyond double precision.
        body += p_state * (below_exact(up, 49900) if up == 100000 else 1)
    return float(1 - (1 - q_account) * (1 - q_region) * (1 - body))


def test_a_hundred_thousand_replicas_assess_quickly_with_the_binomial_closed_form(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "big.yaml"
    spec.write_text(STACK, encoding="utf-8")
    started = time.perf_counter()
    result = runner.invoke(app, ["assess", str(spec), "--format", "json", *TODAY])
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert seconds < 2.0, f"assess took {seconds:.2f} s"
    [journey] = json.loads(result.stdout)["journeys"]
    expected = closed_form()
    assert journey["exact"] is True
    assert math.isclose(journey["unavailability"], expected, rel_tol=1e-12)  # 0.264804...
    assert journey["basic_events"] < 20  # not 100,000
    [exact] = journey_availability(build_graph(load_texts(STACK)))
    assert math.isclose(exact.unavailability, expected, rel_tol=1e-12)


def chain_of(replicas: int, count: int, availability: float = 99.5) -> str:
    """A journey through ``count`` components of ``replicas`` replicas each."""
    lines = [STACK.split("components:")[0] + "components:"]
    for i in range(count):
        lines += [
            f"  - id: {'api' if i == 0 else f'c{i}'}",
            "    kind: app",
            "    runtime: eks",
            "    placement: {zones: 3}",
            f"    replicas: {replicas}",
            f"    availability: {availability}",
        ]
        if i + 1 < count:
            lines.append(f"    depends_on: [{{to: c{i + 1}, timeout_ms: 1000}}]")
    return "\n".join(lines) + "\n"


def test_six_thousand_replicas_on_a_journey_stay_within_the_analysis(tmp_path: Path) -> None:
    spec = tmp_path / "org.yaml"
    spec.write_text(chain_of(1000, 6, 50), encoding="utf-8")  # was "6016 events exceed ..."
    result = runner.invoke(app, ["assess", str(spec), "--format", "json", *TODAY])
    assert result.exit_code == 0, result.output
    [journey] = json.loads(result.stdout)["journeys"]
    assert journey["exact"] is True
    # account, region, 3 zones and per component 3 zone groups ("all 334 replicas of ... in
    # use1-az1 down", 2^-334)
    assert journey["basic_events"] == 23
    assert journey["failures_per_year"] is not None


def test_a_tree_beyond_the_analysis_limit_is_quantified_by_the_modular_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "org.yaml"
    spec.write_text(chain_of(3, 4), encoding="utf-8")
    analysed = runner.invoke(app, ["assess", str(spec), "--format", "json", *TODAY])
    monkeypatch.setattr(journeys, "ANALYSIS_LIMIT", 5)
    fallback = runner.invoke(app, ["assess", str(spec), "--format", "json", *TODAY])
    assert fallback.exit_code == 0, fallback.output
    [full] = json.loads(analysed.stdout)["journeys"]
    [limited] = json.loads(fallback.stdout)["journeys"]
    assert limited["unavailability"] == full["unavailability"]
    assert limited["exact"] is True
    assert limited["failures_per_year"] is None  # needs the importance analysis
    assert limited["top_importances"] == []


def test_replicas_spread_too_unevenly_over_too_many_zones_are_a_labelled_bound(
    tmp_path: Path,
) -> None:
    zones = ", ".join(f"z{i}" for i in range(100))
    text = (
        STACK.replace("[use1-az1, use1-az2, use1-az4]", f"[{zones}]")
        .replace("placement: {zones: 3}", "placement: {zones: 100}")
        .replace("replicas: 100000", "replicas: 150")
        .replace("min_healthy_replicas: 49900", "min_healthy_replicas: 75")
        .replace("availability: 50", "availability: 99")
    )
    spec = tmp_path / "wide.yaml"
    spec.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(spec), "--format", "json", *TODAY])
    assert result.exit_code == 0, result.output
    [journey] = json.loads(result.stdout)["journeys"]
    assert journey["exact"] is False
    labels = " ".join(i["label"] for i in journey["top_importances"])
    assert "upper bound: every zone counted with 1 replicas" in labels


def test_replica_counts_are_round_robin_without_listing_each_replica() -> None:
    for n in range(13):
        for m in range(5):
            zones = tuple(f"z{i}" for i in range(m))
            placement = EffectivePlacement("a", ("r",), {"r": zones} if m else None, n)
            listed = Counter(placement.replica_zones()["r"])
            assert placement.replica_counts()["r"] == [(z, listed[z]) for z in zones if listed[z]]
    huge = EffectivePlacement("a", ("r",), {"r": ("z1", "z2", "z3")}, 10**12)
    assert huge.replica_counts()["r"] == [
        ("z1", 333333333334),
        ("z2", 333333333333),
        ("z3", 333333333333),
    ]


FLEETS = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: fleets, owner: team}
business:
  journeys:
    - {id: chat, entrypoint: llm0, criticality: tier1, demand: {peak_rps: 50}}
topology:
  accounts: [prod]
  regions:
    - {name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}
    - {name: us-west-2, zones: [usw2-az1, usw2-az2, usw2-az3]}
    - {name: eu-west-1, zones: [euw1-az1, euw1-az2, euw1-az3]}
components:
"""

FLEET = """\
  - id: llm{i}
    kind: model_endpoint
    hosting: self_hosted
    model: {{name: meta-llama/Llama-3.1-8B-Instruct, context_tokens: 128000}}
    serving: {{engine: vllm, gpu: L40S, instance_types: [g6e.xlarge]}}
    placement: {{zones: 3, regions: [us-east-1, us-west-2, eu-west-1]}}
    replicas: 1000000
"""


def test_million_replica_fleets_in_three_regions_cost_no_list_per_replica(tmp_path: Path) -> None:
    """Capacity (zone loss), CG-RED-001 and the diagram took each replica's zone from a list
    of one entry per replica: 0.3 s per region and fleet at 10^6 replicas."""
    spec = tmp_path / "fleets.yaml"
    spec.write_text(FLEETS + "".join(FLEET.format(i=i) for i in range(4)), encoding="utf-8")
    out = tmp_path / "report.html"
    started = time.perf_counter()
    result = runner.invoke(
        app, ["assess", str(spec), "-f", "json", "-f", "html", "-o", "-", "-o", str(out), *TODAY]
    )
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert seconds < 3.0, f"assess took {seconds:.2f} s"
    [row] = [c for c in json.loads(result.stdout)["capacity"] if c["id"] == "llm0"]
    assert row["replicas_after_zone_loss"] == 666666  # 333,334 in the first zone
