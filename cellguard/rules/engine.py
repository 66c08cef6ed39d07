"""The rule engine: run every selected rule over the graph and turn outcomes into findings.

For each rule, every outcome becomes a :class:`Finding`: located in the user's file, its
severity adjusted by the business impact of the journeys it touches, then waivers applied. A
rule that raises -- anything but KeyboardInterrupt, SystemExit included -- or yields something
malformed is reported as one ERROR finding and the run goes on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields

from cellguard.assessments.figures import Figures, figures
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.impact import adjust, assess_impact
from cellguard.assessments.scoring import Score, pillar_counts, scores_of
from cellguard.models.business import Journey
from cellguard.models.findings import (
    FIELD_ORDER,
    Finding,
    Impact,
    Location,
    Pillar,
    Place,
    Severity,
    Status,
    TargetKind,
    new_location,
)
from cellguard.models.loader.errors import KeyPath
from cellguard.rules.base import Rule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.ordering import STACK_TALLY_KEY, Tallies, by_place, sorted_findings
from cellguard.rules.outcome import Outcome, Target
from cellguard.rules.parallel import can_split, split_run
from cellguard.rules.templates import bounded
from cellguard.rules.untrusted import CheckedRule, describe_exception, outcomes_of, raised_at
from cellguard.rules.waivers import WaiverReport, apply_waivers

Progress = Callable[[int, int, str], None]
"""Called with (rules done, rules in total, id of the rule about to run)."""


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

    _tally: Counter[tuple[str, Pillar, Status, Severity]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def tally(self) -> Counter[tuple[str, Pillar, Status, Severity]]:
        """How many findings have each (stack, pillar, status, severity), counted once: the
        scores, each stack's and the report's counts by status read it (a pass over 118,000
        findings at 10,000 components was 0.1-0.25 s each). A run's findings do not change."""
        if self._tally is None:
            self._tally = Counter(map(STACK_TALLY_KEY, self.findings))
        return self._tally

    def stack_scores(self) -> dict[str, dict[str, Score]]:
        """Scores of each document's own findings."""
        own: dict[str, dict[tuple[Pillar, Status, Severity], int]] = {n: {} for n in self.stacks}
        for (stack, pillar, status, severity), count in self.tally().items():
            counts = own.get(stack)
            if counts is not None:
                counts[(pillar, status, severity)] = count
        return {name: scores_of(own[name]) for name in self.stacks}

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


_FIELDS = tuple(f.name for f in fields(Finding))
_SET_HERE = FIELD_ORDER[: FIELD_ORDER.index("impact") + 1]
"""The fields the judge sets; ``waiver`` and ``note`` keep their defaults."""
_LOCATION = _SET_HERE.index("location")
_DEFAULTS = {f.name: f.default for f in fields(Finding) if f.name not in _SET_HERE}
FAST_FINDINGS = (
    _FIELDS[: len(_SET_HERE)] == _SET_HERE
    and all(v is not MISSING for v in _DEFAULTS.values())
    and not hasattr(Finding, "__post_init__")
    and "__slots__" not in vars(Finding)
)
"""Whether :func:`_new_finding` may fill a finding's ``__dict__`` directly: true while
:class:`Finding` is a plain frozen dataclass whose other fields have simple defaults (checked
here, so a change to it falls back to its constructor, and tested)."""

_new_object = object.__new__


def _new_finding(*values: object) -> Finding:
    """``Finding(*values)`` (the fields of :data:`_SET_HERE` in order, the others at their
    defaults), without the frozen dataclass's ``__init__``: its ``object.__setattr__`` per
    field was 5 of 6 microseconds a finding, 0.6 s for the 118,000 findings of 10,000
    components. The same object, equal to the constructor's (tested). A
    :class:`~cellguard.models.findings.Place` for the location is looked up when the
    location is first read."""
    if not FAST_FINDINGS:
        place = values[_LOCATION]
        if isinstance(place, Place):
            values = (*values[:_LOCATION], place.lookup(), *values[_LOCATION + 1 :])
        return Finding(*values)  # type: ignore[arg-type]
    finding: Finding = _new_object(Finding)
    state = vars(finding)
    state.update(zip(_SET_HERE, values, strict=True))
    state.update(_DEFAULTS)
    if type(values[_LOCATION]) is Place:
        state["_place"] = state.pop("location")
    return finding


_ADJUSTED: dict[tuple[Severity, int], Severity] = {}
"""Severity after an impact's shift, by (severity, shift): one lookup per finding."""


class _Judge:
    """Turns outcomes into findings: each target's business impact and each place in the
    user's files looked up once per run (rules judge the same components' same keys again and
    again), a target found again by identity (rules share their :class:`Target` objects)."""

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self._impacts: dict[tuple[object, ...], Impact] = {}
        self._places: dict[tuple[str, KeyPath], Location | None] = {}
        self._targets: dict[int, tuple[Target, Impact, dict[KeyPath, Place]]] = {}

    def findings(self, meta: RuleMeta, outcomes: Iterable[object]) -> list[Finding]:
        """The findings of one rule's outcomes; anything but an :class:`Outcome` is a bug in
        the rule (TypeError)."""
        rule, title, pillar, category = meta.id, meta.title, meta.pillar, meta.category
        base, remediation = meta.severity, meta.remediation
        severities: dict[int, Severity] = {}
        targets = self._targets
        found: list[Finding] = []
        for outcome in outcomes:
            if not isinstance(outcome, Outcome):
                raise TypeError(f"the rule yielded {bounded(repr(outcome), 80)}, not an Outcome")
            target = outcome.target
            known = targets.get(id(target))
            if known is None or known[0] is not target:  # kept alive here: ids stay unique
                known = targets[id(target)] = (target, self._impact(outcome), {})
            _, impact, places = known
            field = outcome.field
            location = places.get(field)
            if location is None:
                path = (*target.path, *field)
                location = places[field] = Place(self.locate, target.stack, path)
            severity = severities.get(impact.shift)
            if severity is None:
                severity = severities[impact.shift] = _adjusted(base, impact)
            if not FAST_FINDINGS:
                found.append(
                    _new_finding(
                        rule,
                        title,
                        pillar,
                        category,
                        outcome.status,
                        severity,
                        base,
                        target.stack,
                        target.id,
                        target.kind,
                        outcome.message,
                        remediation,
                        location,
                        dict(outcome.evidence),
                        impact,
                    )
                )
                continue
            # _new_finding written out: a key at a time is a third of its time (118,000 times)
            finding = _new_object(Finding)
            state = finding.__dict__
            state["rule"] = rule
            state["title"] = title
            state["pillar"] = pillar
            state["category"] = category
            state["status"] = outcome.status
            state["severity"] = severity
            state["base_severity"] = base
            state["stack"] = target.stack
            state["target"] = target.id
            state["target_kind"] = target.kind
            state["message"] = outcome.message
            state["remediation"] = remediation
            state["_place"] = location
            state["evidence"] = dict(outcome.evidence)
            state["impact"] = impact
            state.update(_DEFAULTS)
            found.append(finding)
        return found

    def _impact(self, outcome: Outcome) -> Impact:
        target = outcome.target
        key = (target.kind, target.stack, target.id)
        impact = self._impacts.get(key)
        if impact is None:
            journeys = _journeys(self.ctx, outcome)
            touched = ("journeys", *((stack, j.id) for stack, j in journeys))
            impact = self._impacts.get(touched)  # the components of a journey share its impact
            if impact is None:
                impact = self._impacts[touched] = assess_impact(journeys)
            self._impacts[key] = impact
        return impact

    def locate(self, stack: str, path: KeyPath) -> Location | None:
        """Where ``path`` of document ``stack`` is in the user's files (``None`` for no
        document), each place looked up once."""
        key = (stack, path)
        if key in self._places:
            return self._places[key]
        loaded = self.ctx.graph.org.by_name(stack)
        location = None
        if loaded is not None:
            pos, _ = loaded.source.locate(path, prefer_key=True)
            location = new_location(loaded.file, pos.line, pos.column)
        self._places[key] = location
        return location


def _adjusted(severity: Severity, impact: Impact) -> Severity:
    found = _ADJUSTED.get((severity, impact.shift))
    if found is None:
        found = _ADJUSTED[(severity, impact.shift)] = adjust(severity, impact)
    return found


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


def run_rules(
    graph: StackGraph,
    rules: Iterable[Rule],
    *,
    today: dt.date,
    progress: Progress | None = None,
) -> Assessment:
    """Run ``rules`` over ``graph`` and return the scored, waived findings."""
    ctx = RuleContext(graph)
    judge = _Judge(ctx)
    chosen = list(rules)

    def run_one(rule: Rule) -> list[Finding]:
        meta = rule.meta
        try:  # sorted here: on two cores, where the rule ran (see ordering.sorted_findings)
            return by_place(judge.findings(meta, outcomes_of(rule, ctx)))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a crashing or ill-behaved rule is reported, the run
            # goes on; SystemExit from a pack's rule too (exit 0 with no report would pass a gate)
            return [_error(meta, rule.origin, exc)]

    runs: list[list[Finding]]
    counted = Tallies()
    figs: Figures | None = None
    if progress is None and can_split(len(graph.components())):
        ctx.warm()  # once, here: the child inherits what the rules of both processes share
        results, figs = split_run(
            chosen,
            run_one,
            movable=lambda r: not isinstance(r, CheckedRule),
            alongside=lambda: figures(graph),  # while the child evaluates rules
            locate=judge.locate,
            arrived=counted.arrived,  # while the child evaluates rules
        )
        runs = results
    else:
        runs = []
        for done, rule in enumerate(chosen):
            if progress is not None:
                progress(done, len(chosen), rule.meta.id)
            runs.append(run_one(rule))
    if progress is not None:
        progress(len(chosen), len(chosen), "")
    made = [finding for run in runs for finding in run]
    findings, waivers = apply_waivers(made, graph.org, today)  # order, rules, places kept
    findings = sorted_findings(findings, [len(run) for run in runs])
    tally = counted.total(runs, made, findings)
    assessment = Assessment(
        findings=findings,
        waivers=waivers,
        rules=sorted((r.meta for r in chosen), key=lambda m: m.sort_key),
        stacks=graph.stacks(),
        as_of=today,
        scores=scores_of(pillar_counts(tally)),
        figures=figures(graph) if figs is None else figs,
        graph=graph,
    )
    assessment._tally = tally
    return assessment
