"""CG-TIM-003: long agentic work runs asynchronously.

Two kinds of target:

* every agent: ``execution: async`` passes; ``sync`` fails when a request may run long (more
  than 5 iterations, a budget above 30 s, or no bound at all) and passes when it is short. An
  agent that does not declare ``execution`` passes when every caller calls it asynchronously
  (the callers say so), and is unknown otherwise.
* every journey with ``interaction: agentic``: it fails when it waits (a blocking call on the
  journey) for an agent that neither declares ``execution: async`` nor is short. The agent
  finding judges the agent's design; the journey finding shows which business journey pays for
  it, so a long synchronous agent on an agentic journey is reported on both.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.graph import StackGraph
from cellguard.models.business import Journey
from cellguard.models.components import Agent
from cellguard.models.enums import ComponentKind, Interaction
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.tim._helpers import AgentRun, a, edge_label
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-TIM-003",
    title="Long agentic work runs asynchronously",
    pillar=Pillar.TIMELY_OUTPUT,
    category=FailureCategory.EXCESSIVE_LATENCY,
    severity=Severity.MEDIUM,
    applies_to=("agent", "journey"),
    rationale=(
        "An agent that plans, calls tools and re-prompts a model for many iterations runs for "
        "tens of seconds to minutes. Run synchronously, every request holds a connection and a "
        "worker for that long, collides with client, load balancer and API Gateway (29 s) "
        "timeouts, and a timed-out client's retry starts the whole run again while the first "
        "one is still going. Long agentic work belongs behind a queue or a job API with a status "
        "or callback; a short, bounded agent (at most 5 iterations and 30 s) can be awaited."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENREL03-BP02 (timeout mechanisms on agentic "
        "workflows) and GENCOST05-BP01 (stopping conditions; asynchronous workflows)"
    ),
    remediation=(
        "Accept the request, enqueue it (SQS, Step Functions, a job API) and notify the user "
        "(callback, WebSocket, status polling); set execution: async on the agent and mode: "
        "async on the depends_on entries that start it. Keep synchronous agents short: "
        "max_iterations <= 5 and timeout_seconds <= 30."
    ),
    action="run-agents-async",
)


def _judge_agent(ctx: RuleContext, qid: str, agent: Agent) -> Outcome:
    target = ctx.component_target(qid)
    run = AgentRun.of(agent)
    bounds = {"max_iterations": run.max_iterations, "timeout_seconds": run.timeout_seconds}
    if agent.execution == "async":
        return passed(
            target, f"{target.id} runs asynchronously.", ("execution",), execution="async", **bounds
        )
    if agent.execution == "sync":
        if run.long:
            return failed(
                target,
                f"{target.id} runs synchronously with {run.describe()} per request: callers "
                "hold a connection for the whole run and their timeouts and retries restart it.",
                ("execution",),
                execution="sync",
                **bounds,
            )
        return passed(
            target,
            f"{target.id} runs synchronously but briefly ({run.describe()}).",
            ("execution",),
            execution="sync",
            **bounds,
        )
    stack = target.stack
    callers = ctx.graph.dependents(qid)
    if callers and not any(e.blocking for e in callers):
        return passed(
            target,
            f"Every caller starts {target.id} asynchronously "
            f"({', '.join(edge_label(e, stack) for e in callers)}).",
            ("execution",),
            execution=None,
            callers=[edge_label(e, stack) for e in callers],
            **bounds,
        )
    return unknown(
        target,
        f"{target.id} does not say whether callers wait for it (execution: sync or async).",
        ("execution",),
        execution=None,
        **bounds,
    )


def _waited_for(graph: StackGraph, start: str) -> dict[str, list[DependencyEdge]]:
    """Components a request entering at ``start`` waits for, with the blocking calls that reach
    them; agents that run asynchronously are not walked past (their calls happen after the
    caller has its answer)."""
    seen: dict[str, list[DependencyEdge]] = {start: []}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        comp = graph.component(node)
        if isinstance(comp, Agent) and comp.execution == "async":
            continue
        for edge in graph.dependencies(node):
            if not edge.blocking:
                continue
            if edge.target not in seen:
                seen[edge.target] = []
                queue.append(edge.target)
            seen[edge.target].append(edge)
    return seen


def _judge_journey(ctx: RuleContext, stack: str, journey: Journey) -> Outcome:
    target = ctx.journey_target(stack, journey.id)
    graph = ctx.graph
    if journey.interaction is not Interaction.AGENTIC:
        kind = a(journey.interaction.value if journey.interaction else "unclassified")
        return not_applicable(target, f"{journey.id} is {kind} journey, not an agentic one.")
    agents = [
        q
        for q in graph.journey_components(stack, journey.id)
        if graph.kind(q) is ComponentKind.AGENT
    ]
    if not agents:
        return unknown(
            target,
            f"Agentic journey {journey.id} has no agent component, so where its agent loop runs "
            "and whether users wait for it is unknown.",
            ("interaction",),
            agents=[],
        )
    start = graph.entrypoint(stack, journey.id)
    reach = _waited_for(graph, start)
    waits: list[str] = []
    unsure: list[str] = []
    for qid in agents:
        agent = graph.component(qid)
        assert isinstance(agent, Agent)
        name = localise(qid, stack)
        if agent.execution == "async" or qid not in reach:
            continue
        run = AgentRun.of(agent)
        if not run.long:
            continue
        if qid == start:
            if agent.execution == "sync":
                waits.append(f"{name} (the entrypoint, {run.describe()})")
            else:
                unsure.append(name)
            continue
        calls = sorted(edge_label(e, stack) for e in reach[qid])
        waits.append(f"{name} ({', '.join(calls)}; {run.describe()})")
    names = [localise(q, stack) for q in agents]
    if waits:
        return failed(
            target,
            f"Agentic journey {journey.id} waits synchronously for long agent work: "
            f"{'; '.join(waits)}.",
            ("interaction",),
            agents=names,
            waits_for=waits,
        )
    if unsure:
        return unknown(
            target,
            f"Users enter {journey.id} at agent {', '.join(unsure)}, which does not say whether "
            "it runs asynchronously (execution).",
            ("interaction",),
            agents=names,
        )
    return passed(
        target,
        f"{journey.id} does not wait synchronously for long agent work ({', '.join(names)}).",
        ("interaction",),
        agents=names,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every agent and every journey."""
    for qid, comp in ctx.components(ComponentKind.AGENT):
        assert isinstance(comp, Agent)
        yield _judge_agent(ctx, qid, comp)
    for stack, journey in ctx.journeys():
        yield _judge_journey(ctx, stack, journey)


RULE = PythonRule(META, check)
