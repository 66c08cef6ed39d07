"""CG-TIM-002: chat journeys stream the model's response."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from cellguard.assessments.graph import StackGraph
from cellguard.models.business import Journey
from cellguard.models.enums import ComponentKind, DependencyMode, Interaction
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.tim._helpers import a, blocking_reach, edge_label, unresolved_calls
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-TIM-002",
    title="Chat journeys stream the model's response",
    pillar=Pillar.TIMELY_OUTPUT,
    category=FailureCategory.EXCESSIVE_LATENCY,
    severity=Severity.MEDIUM,
    applies_to=("journey",),
    rationale=(
        "A chat answer of a few hundred tokens takes seconds to generate; without streaming the "
        "user sees nothing until the last token, so the perceived latency is the full generation "
        "time rather than the time to first token, clients and proxies time out on long answers, "
        "and a TTFT objective cannot be met. Every hop between the user and the model must "
        "stream: one component that buffers the response (a router or API calling the next hop "
        "synchronously) turns the whole journey back into a wait for the last token."
    ),
    source=(
        "C. Huyen, AI Engineering (O'Reilly, 2025), ch. 9 (latency metrics: TTFT vs. total "
        "latency); Amazon Bedrock ConverseStream / InvokeModelWithResponseStream documentation"
    ),
    remediation=(
        "Call the model with its streaming API (ConverseStream, vLLM/OpenAI 'stream: true') and "
        "pass the stream through every hop to the client (SSE or WebSocket); declare "
        "mode: stream on each depends_on entry from the journey's entrypoint to the model."
    ),
    action="stream-model-responses",
)


def _stream_path(graph: StackGraph, start: str, models: set[str]) -> list[str] | None:
    """The first path from ``start`` to one of ``models`` over streaming calls only."""
    parent: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node in models:
            path = [node]
            while (prev := parent[path[-1]]) is not None:
                path.append(prev)
            return path[::-1]
        if node != start and graph.kind(node) is ComponentKind.MODEL_ENDPOINT:
            continue
        for edge in graph.dependencies(node):
            if edge.mode is DependencyMode.STREAM and edge.target not in parent:
                parent[edge.target] = node
                queue.append(edge.target)
    return None


def _leads_to_model(graph: StackGraph, reach: set[str], models: set[str]) -> set[str]:
    """Components of ``reach`` from which a blocking call chain ends at one of ``models``."""
    leads = set(models)
    changed = True
    while changed:
        changed = False
        for node in reach - leads:
            if graph.kind(node) is ComponentKind.MODEL_ENDPOINT:
                continue
            if any(e.blocking and e.target in leads for e in graph.dependencies(node)):
                leads.add(node)
                changed = True
    return leads


def _judge(ctx: RuleContext, stack: str, journey: Journey) -> Outcome:
    target = ctx.journey_target(stack, journey.id)
    graph = ctx.graph
    if journey.interaction is None:
        return unknown(
            target,
            f"{journey.id} does not say how users experience it (interaction), so whether it "
            "must stream is unknown.",
            ("interaction",),
            interaction=None,
        )
    if journey.interaction is not Interaction.CHAT:
        return not_applicable(
            target, f"{journey.id} is {a(journey.interaction.value)} journey, not a chat."
        )
    start = graph.entrypoint(stack, journey.id)
    if graph.kind(start) is ComponentKind.MODEL_ENDPOINT:
        return unknown(
            target,
            f"Clients call model {localise(start, stack)} directly; the spec does not say whether "
            "they stream its response.",
            ("entrypoint",),
            interaction=journey.interaction.value,
        )
    reach = blocking_reach(graph, start, ComponentKind.MODEL_ENDPOINT)
    models = {q for q in reach if graph.kind(q) is ComponentKind.MODEL_ENDPOINT}
    names = sorted(localise(q, stack) for q in models)
    path = _stream_path(graph, start, models)
    if path is not None:
        hops = " -> ".join(localise(q, stack) for q in path)
        return passed(
            target,
            f"{journey.id} streams the model's answer end to end ({hops}).",
            ("interaction",),
            models=names,
            streamed_path=[localise(q, stack) for q in path],
        )
    calls = unresolved_calls(graph, reach - models)
    streamed = [e for e in calls if e.mode is DependencyMode.STREAM]
    pending = sorted(edge_label(e, stack) for e in streamed or calls)
    if pending:
        return unknown(
            target,
            f"{journey.id} reaches no model over streaming calls among the loaded documents; "
            f"it calls components of documents that are not loaded ({', '.join(pending)}).",
            ("interaction",),
            models=names,
            unresolved_calls=pending,
        )
    if not models:
        return not_applicable(
            target, f"{journey.id} waits on no model endpoint (no blocking call reaches one)."
        )
    leads = _leads_to_model(graph, reach, models)
    buffered = sorted(
        edge_label(e, stack)
        for node in reach - models
        for e in graph.dependencies(node)
        if e.mode is DependencyMode.SYNC and e.target in leads
    )
    return failed(
        target,
        f"Chat journey {journey.id} does not stream the answer of {', '.join(names)}: "
        f"{', '.join(buffered)} {'is' if len(buffered) == 1 else 'are'} synchronous, so users "
        "wait for the last token instead of the first.",
        ("interaction",),
        models=names,
        synchronous_calls=buffered,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey."""
    for stack, journey in ctx.journeys():
        yield _judge(ctx, stack, journey)


RULE = PythonRule(META, check)
