"""CG-TIM-008 for a journey throttled at a managed model's quota: the plan raises the quota,
it does not ask to tune latency (review leftover of issue 15 item 5)."""

from __future__ import annotations

from pathlib import Path

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Status
from cellguard.models.loader import load
from cellguard.planner.actions.timeliness import fit_latency_budget
from cellguard.planner.context import ActionContext
from cellguard.planner.model import Change, ManualStep
from cellguard.planner.workspace import Workspace
from tests.planner.conftest import assess

SPEC = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: demo, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier1
      objectives: {ttft_p99_ms: 5000, latency_p99_ms: 30000}
      demand: {peak_rps: 10, input_tokens: 3100, output_tokens: 300}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - id: api
    kind: app
    depends_on: [{to: llm, timeout_ms: 30000, retries: 2, mode: stream}]
  - id: llm
    kind: model_endpoint
    hosting: bedrock
    model: {name: anthropic.claude-3-haiku-20240307-v1:0}
    quota: {tokens_per_minute: 400000, requests_per_minute: 2000}
"""


def test_a_journey_throttled_at_a_quota_gets_the_quota_raised(tmp_path: Path) -> None:
    spec = tmp_path / "demo.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    org = load(spec)
    before = assess(org)
    (finding,) = [f for f in before.findings if f.rule == "CG-TIM-008" and f.target == "chat"]
    # 10 rps x 3,400 tokens = 34,000 tokens/s against 400,000 / 60 = 6,667: 510% of the quota
    assert finding.status is Status.FAIL
    assert "llm is over its quota at peak (34,000 tokens/s is 510% of 6,667 tokens/s" in (
        finding.message
    )
    results = fit_latency_budget(
        Workspace(org.documents), finding, ActionContext(before, build_graph(org))
    )
    changes = [r for r in results if isinstance(r, Change)]
    steps = [r for r in results if isinstance(r, ManualStep)]
    # the quota covers peak at 80%: 34,000 / 0.8 x 60 = 2,550,000 tokens per minute
    assert [(c.action, [(e.path[-1], e.after) for e in c.edits]) for c in changes] == [
        ("fit-latency-budget", [("tokens_per_minute", 2_550_000)])
    ]
    assert [s.description for s in steps] == [
        "chat misses its latency objective because llm is over its quota at peak: throttled "
        "calls wait and are retried whatever the latency design, so raise the quota first "
        "(request the increase in Service Quotas and wait for approval), then see whether the "
        "latency still misses."
    ]
    assert not any("Shorten" in s.description for s in steps)
