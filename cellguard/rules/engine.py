"""The rule engine: run every selected rule over the graph and turn outcomes into findings.

For each rule, every outcome becomes a :class:`Finding`: located in the user's file, its
severity adjusted by the business impact of the journeys it touches, then waivers applied. A
rule that raises -- anything but KeyboardInterrupt, SystemExit included -- or yields something
malformed is reported as one ERROR finding and the run goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from cellguard.assessments.figures import Figures, figures
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.impact import adjust, assess_impact
from cellguard.assessments.scoring import Score, scores
from cellguard.models.business import Journey
from cellguard.models.findings import (
    Finding,
    Impact,
    Location,
    Pillar,
    Severity,
    Status,
    TargetKind,
)
from cellguard.models.loader.errors import KeyPath
from cellguard.rules.base import Rule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome
from cellguard.rules.templates import bounded
from cellguard.rules.untrusted import CheckedRule, checked_outcome, describe_exception, raised_at
from cellguard.rules.waivers import WaiverReport, apply_waivers

Progress = Callable[[int, int, str], None]
"""Called with (rules done, rules in total, id of the rule about to run)."""

_PILLAR_ORDER = {p: i for i, p in enumerate(Pillar)}


@dataclass
class Assessment:
    """Everything one run found."""

    findings: list[Finding]
    waivers: list[WaiverReport]
    rules: list[RuleMeta]
    stacks: list[str]
    as_of: dt.date
    scores: dict[str, Score]
    figures: Figures | None = None
    """Availability, blast radius, capacity and latency tables (reported beside the scores)."""
    graph: StackGraph | None = None
    """The graph that was assessed (diagrams in the markdown and HTML reports)."""

    def stack_scores(self) -> dict[str, dict[str, Score]]:
        """Scores of each document's own findings."""
        own: dict[str, list[Finding]] = {name: [] for name in self.stacks}
        for finding in self.findings:  # one pass: stacks × findings was 8M steps at 10k components
            own.setdefault(finding.stack, []).append(finding)
        return {name: scores(own[name]) for name in self.stacks}

    def by_status(self, *statuses: Status) -> list[Finding]:
        """Findings with one of ``statuses``."""
        return [f for f in self.findings if f.status in statuses]

    @property
    def errors(self) -> list[Finding]:
        """Rules that crashed."""
        return self.by_status(Status.ERROR)


def _journeys(ctx: RuleContext, outcome: Outcome) -> list[tuple[str, Journey]]:
    target = outcome.target
    if target.kind is TargetKind.JOURNEY:
        return [(target.stack, ctx.graph.journey(target.stack, target.id))]
    if target.kind is TargetKind.COMPONENT:
        return ctx.journeys_of(f"{target.stack}/{target.id}")
    if target.kind is TargetKind.DEPENDENCY:
        return ctx.journeys_of(f"{target.stack}/{target.id.split('->', 1)[0]}")
    stack = target.stack
    doc = ctx.document(stack)
    found = {
        (s, j.id): (s, j)
        for comp in doc.components
        for s, j in ctx.journeys_of(f"{stack}/{comp.id}")
    }
    found.update({(stack, j.id): (stack, j) for s, j in ctx.journeys() if s == stack})
    return [found[k] for k in sorted(found)]


class _Locator:
    """Where an outcome points in the user's files; each place looked up once per run (rules
    judge the same components' same keys again and again)."""

    def __init__(self, graph: StackGraph) -> None:
        self.graph = graph
        self._found: dict[tuple[str, KeyPath], Location | None] = {}

    def __call__(self, outcome: Outcome) -> Location | None:
        path = (*outcome.target.path, *outcome.field)
        key = (outcome.target.stack, path)
        if key in self._found:
            return self._found[key]
        loaded = self.graph.org.by_name(outcome.target.stack)
        location = None
        if loaded is not None:
            pos, _ = loaded.source.locate(path, prefer_key=True)
            location = Location(loaded.file, pos.line, pos.column)
        self._found[key] = location
        return location


_ADJUSTED: dict[tuple[Severity, int], Severity] = {}
"""Severity after an impact's shift, by (severity, shift): one lookup per finding."""


def _finding(
    meta: RuleMeta, outcome: Outcome, impact: Impact, location: Location | None
) -> Finding:
    severity = _ADJUSTED.get((meta.severity, impact.shift))
    if severity is None:
        severity = _ADJUSTED[(meta.severity, impact.shift)] = adjust(meta.severity, impact)
    return Finding(
        rule=meta.id,
        title=meta.title,
        pillar=meta.pillar,
        category=meta.category,
        status=outcome.status,
        severity=severity,
        base_severity=meta.severity,
        stack=outcome.target.stack,
        target=outcome.target.id,
        target_kind=outcome.target.kind,
        message=outcome.message,
        remediation=meta.remediation,
        location=location,
        evidence=dict(outcome.evidence),
        impact=impact,
    )


def _error(meta: RuleMeta, origin: str, exc: BaseException) -> Finding:
    line = raised_at(exc, origin)
    where = f"{origin}:{line}" if line > 1 else origin
    return Finding(
        rule=meta.id,
        title=meta.title,
        pillar=meta.pillar,
        category=meta.category,
        status=Status.ERROR,
        severity=meta.severity,
        base_severity=meta.severity,
        stack="",
        target=meta.id,
        target_kind=TargetKind.RULE,
        message=f"the rule crashed: {describe_exception(exc)} (in {where}); its checks did not run",
        remediation="Report this to the rule's author; run with --ignore to skip the rule meanwhile.",
        location=None,
    )


def _judged(
    ctx: RuleContext,
    meta: RuleMeta,
    outcome: object,
    impacts: dict[tuple[object, ...], Impact],
    locate: _Locator,
) -> Finding:
    """The finding of one outcome; a rule yielding anything else is a bug in that rule."""
    if not isinstance(outcome, Outcome):
        raise TypeError(f"the rule yielded {bounded(repr(outcome), 80)}, not an Outcome")
    target = outcome.target
    key = (target.kind, target.stack, target.id)
    impact = impacts.get(key)
    if impact is None:
        journeys = _journeys(ctx, outcome)
        touched = ("journeys", *((stack, j.id) for stack, j in journeys))
        impact = impacts.get(touched)  # the components of a journey share its impact
        if impact is None:
            impact = impacts[touched] = assess_impact(journeys)
        impacts[key] = impact
    return _finding(meta, outcome, impact, locate(outcome))


MAX_OUTCOMES_PER_TARGET = 10
"""A pack's rule may yield at most this many outcomes per possible target (plus 1,000)."""


def _outcomes(rule: Rule, ctx: RuleContext) -> Iterator[Outcome]:
    """The outcomes of ``rule``; a pack's rule's are checked and copied (see
    :func:`~cellguard.rules.untrusted.checked_outcome`) and their number bounded."""
    produced = rule.evaluate(ctx)
    if not isinstance(rule, CheckedRule):
        yield from produced
        return
    graph = ctx.graph
    targets = len(graph.stacks()) + len(graph.journeys()) + len(graph.components())
    limit = MAX_OUTCOMES_PER_TARGET * (targets + len(graph.dependency_edges())) + 1000
    for count, outcome in enumerate(produced, start=1):
        if count > limit:
            raise ValueError(f"the rule yielded over {limit:,} outcomes (a runaway generator?)")
        yield checked_outcome(outcome)


def run_rules(
    graph: StackGraph,
    rules: Iterable[Rule],
    *,
    today: dt.date,
    progress: Progress | None = None,
) -> Assessment:
    """Run ``rules`` over ``graph`` and return the scored, waived findings."""
    ctx = RuleContext(graph)
    locate = _Locator(graph)
    chosen = list(rules)
    findings: list[Finding] = []
    impacts: dict[tuple[object, ...], Impact] = {}
    for done, rule in enumerate(chosen):
        meta = rule.meta
        if progress is not None:
            progress(done, len(chosen), meta.id)
        try:
            produced = [_judged(ctx, meta, o, impacts, locate) for o in _outcomes(rule, ctx)]
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a crashing or ill-behaved rule is reported, the run
            # goes on; SystemExit from a pack's rule too (exit 0 with no report would pass a gate)
            findings.append(_error(meta, rule.origin, exc))
            continue
        findings.extend(produced)
    if progress is not None:
        progress(len(chosen), len(chosen), "")
    findings, waivers = apply_waivers(findings, graph.org, today)
    findings.sort(key=lambda f: (_PILLAR_ORDER[f.pillar], f.rule, f.stack, f.target))
    return Assessment(
        findings=findings,
        waivers=waivers,
        rules=sorted((r.meta for r in chosen), key=lambda m: m.sort_key),
        stacks=graph.stacks(),
        as_of=today,
        scores=scores(findings),
        figures=figures(graph),
        graph=graph,
    )
