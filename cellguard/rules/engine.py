"""The rule engine: run every selected rule over the graph and turn outcomes into findings.

For each rule, every outcome becomes a :class:`Finding`: located in the user's file, its
severity adjusted by the business impact of the journeys it touches, then waivers applied. A
rule that raises -- anything but KeyboardInterrupt, SystemExit included -- or yields something
malformed is reported as one ERROR finding and the run goes on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, dataclass, field, fields
from itertools import groupby
from operator import attrgetter

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
from cellguard.rules.outcome import Outcome, Target
from cellguard.rules.parallel import can_split, split_run
from cellguard.rules.templates import bounded
from cellguard.rules.untrusted import CheckedRule, describe_exception, outcomes_of, raised_at
from cellguard.rules.waivers import WaiverReport, apply_waivers

Progress = Callable[[int, int, str], None]
"""Called with (rules done, rules in total, id of the rule about to run)."""

_PILLAR_ORDER = {p: i for i, p in enumerate(Pillar)}

_PILLAR_RULE = attrgetter("pillar", "rule")
_STACK_TALLY_KEY = attrgetter("stack", "pillar", "status", "severity")
"""A finding's stack and :data:`~cellguard.assessments.scoring.TALLY_KEY`."""
_TallyKey = tuple[str, Pillar, Status, Severity]


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
            self._tally = Counter(map(_STACK_TALLY_KEY, self.findings))
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


_SHOWN = frozenset({Status.FAIL, Status.UNKNOWN})
"""Statuses a report lists by default whose findings have a place in the user's files (with
WAIVED, a FAIL a waiver matched, and ERROR, which has none)."""


def _located(found: list[Finding]) -> None:
    """Look up now the locations of those of ``found`` a report lists by default: on two
    cores, this process does it while the child evaluates rules (:mod:`.parallel`), instead
    of while the report is written (43,600 of the 118,000 findings of 10,000 components,
    0.2-0.25 s). The child leaves them to this process: there, looking them up copied the
    pages of the loaded documents it touched."""
    for finding in found:
        if finding.status in _SHOWN:
            finding.location  # noqa: B018  # looked up and kept (Finding.__getattr__)


class _Tallies:
    """The :meth:`Assessment.tally` of a run counted a rule's findings at a time: on two cores
    as each rule's findings arrive in this process while the child evaluates rules
    (:meth:`arrived`), instead of over all 118,000 findings of 10,000 components once the
    rules are done (0.05-0.1 s)."""

    def __init__(self) -> None:
        self.counts: dict[int, tuple[list[Finding], Counter[_TallyKey]]] = {}

    def arrived(self, found: list[Finding]) -> None:
        """Count ``found`` now (and look up the locations a report lists, :func:`_located`)."""
        _located(found)
        self.counts[id(found)] = (found, Counter(map(_STACK_TALLY_KEY, found)))

    def total(
        self, runs: list[list[Finding]], made: list[Finding], waived: list[Finding]
    ) -> Counter[_TallyKey]:
        """The tally of ``waived``: ``made`` (the runs' findings in order) after the waivers,
        which replaced some of them (a FAIL became WAIVED, or got a note)."""
        if not self.counts or len(made) != len(waived):  # one process: counted at once
            return Counter(map(_STACK_TALLY_KEY, waived))
        tally: Counter[_TallyKey] = Counter()
        for run in runs:
            known = self.counts.get(id(run))
            tally.update(
                known[1] if known is not None and known[0] is run else map(_STACK_TALLY_KEY, run)
            )
        for before, after in zip(made, waived, strict=True):
            if before is not after:
                old = _STACK_TALLY_KEY(before)
                tally[old] -= 1
                if not tally[old]:
                    del tally[old]
                tally[_STACK_TALLY_KEY(after)] += 1
        return tally


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


def _sorted(findings: list[Finding], runs: list[int] | None = None) -> list[Finding]:
    """``findings`` sorted stably by pillar, rule, stack and target.

    Each rule's findings are gathered in order, the groups put in pillar and rule order and
    each sorted by stack and target: the order of one stable sort on all four, without a key
    tuple per finding built and compared (a run yields 118,000 at 10,000 components). The
    findings come a rule at a time: each run of one pillar and rule is gathered at once.

    ``runs``, when given, are the lengths of the consecutive runs ``findings`` is made of,
    each of one rule's findings already sorted by stack and target (:func:`_by_place`, done
    where the rule ran: on two cores, :mod:`.parallel`): those are put in order as they are,
    and only the runs of a rule that occurs twice are merged and sorted again (a stable sort
    of runs each sorted stably gives what one stable sort of them all gives)."""
    gathered = groupby(findings, key=_PILLAR_RULE) if runs is None else _runs(findings, runs)
    groups: dict[tuple[int, str], list[Finding]] = {}
    merged: set[tuple[int, str]] = set()
    for (pillar, rule), run in gathered:
        key = (_PILLAR_ORDER[pillar], rule)
        group = groups.get(key)
        if group is None:
            groups[key] = list(run)
        else:
            group.extend(run)
            merged.add(key)
    result: list[Finding] = []
    for key in sorted(groups):
        group = groups[key]
        result.extend(group if runs is not None and key not in merged else _by_place(group))
    return result


def _runs(
    findings: list[Finding], runs: list[int]
) -> Iterator[tuple[tuple[Pillar, str], list[Finding]]]:
    """``findings`` cut into runs of the given lengths, each with its pillar and rule (a
    rule's findings share them: the judge and :func:`_error` set them from its metadata)."""
    start = 0
    for size in runs:
        if size:
            run = findings[start : start + size]
            yield _PILLAR_RULE(run[0]), run
            start += size
    if start != len(findings):
        raise ValueError(f"runs of {start} findings for {len(findings)}")


_BY_PLACE = attrgetter("stack", "target")


def _by_place(findings: list[Finding]) -> list[Finding]:
    """``findings`` sorted stably by stack and target."""
    return sorted(findings, key=_BY_PLACE)


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
        try:  # sorted here: on two cores, where the rule ran (see _sorted)
            return _by_place(judge.findings(meta, outcomes_of(rule, ctx)))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a crashing or ill-behaved rule is reported, the run
            # goes on; SystemExit from a pack's rule too (exit 0 with no report would pass a gate)
            return [_error(meta, rule.origin, exc)]

    runs: list[list[Finding]]
    counted = _Tallies()
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
    findings = _sorted(findings, [len(run) for run in runs])
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
