"""Observability actions: the telemetry layers a stack declares (the work is a manual step)."""

from __future__ import annotations

from cellguard.models.findings import Finding
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult
from cellguard.planner.workspace import Workspace


def _layer(action: str, flag: str, words: str, step: str) -> Action:
    def act(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
        edits = ws.set(finding.stack, ("practices", "observability", flag), True)
        return change(action, finding, words, edits) + manual(action, finding, step)

    act.__doc__ = f"Set practices.observability.{flag}."
    return act


ACTIONS: dict[str, Action] = {
    "enable-component-metrics": _layer(
        "enable-component-metrics",
        "metrics",
        "Component metrics (RED: rate, errors, duration) for every service.",
        "Export and alarm on component metrics (CloudWatch or Prometheus).",
    ),
    "enable-gpu-metrics": _layer(
        "enable-gpu-metrics",
        "gpu_metrics",
        "GPU metrics from the DCGM exporter (utilisation, memory, XID errors, throttling).",
        "Deploy the DCGM exporter on the GPU nodes and alarm on XID errors and throttling.",
    ),
    "enable-distributed-tracing": _layer(
        "enable-distributed-tracing",
        "tracing",
        "Distributed tracing (OpenTelemetry) across agents, tools and model calls.",
        "Instrument the services with OpenTelemetry and propagate trace context to model calls.",
    ),
    "collect-user-feedback": _layer(
        "collect-user-feedback",
        "user_feedback",
        "End-user feedback (thumbs up/down with the trace id) is collected.",
        "Add the feedback control to the client and store feedback with its trace id.",
    ),
    "add-drift-baselines": _layer(
        "add-drift-baselines",
        "drift_baselines",
        "Drift baselines of queries, embeddings and outputs, with alarms on divergence.",
        "Record the baselines from current production traffic and schedule the drift checks.",
    ),
}
"""Observability actions by id."""
