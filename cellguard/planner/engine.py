"""``plan(org, assessment)``: apply actions for every FAIL, re-assess, repeat to a fixed point.

Each round takes the failing findings sorted by (rule, stack, target), runs the action each
rule names on a copy of the spec, writes the copy through the loader and re-assesses it. A
change is kept only when its finding no longer fails; when some did not help, the round is
redone with only the helpful actions, so the target never carries an edit that resolved
nothing. Rounds stop when no FAIL is left, no action changes anything, or after
:data:`MAX_ROUNDS`. Because unhelpful edits are dropped, planning a target changes nothing.

Every kept change gets its monthly cost and the teams it needs (:mod:`.costing`); with a
budget, the changes are kept in plan order while their costs fit, the rest are left out and
the target is re-assessed without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cellguard.assessments.graph import build_graph
from cellguard.blueprints.coverage import not_generated
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import Organisation, SpecLoadError
from cellguard.models.stack import Stack
from cellguard.planner.avoided import loss_avoided
from cellguard.planner.context import Action, ActionContext
from cellguard.planner.costing import (
    change_costs,
    needs_teams,
    replayed_documents,
    within_budget,
)
from cellguard.planner.figures import journey_figures
from cellguard.planner.model import (
    ActionResult,
    Change,
    Cost,
    FindingRef,
    ManualStep,
    Plan,
    Unresolved,
)
from cellguard.planner.workspace import PathError, Workspace
from cellguard.rules.base import Rule
from cellguard.rules.engine import Assessment, run_rules

MAX_ROUNDS = 6
"""Most apply-and-reassess rounds; a plan that still changes things after it stops there."""


@dataclass
class _Round:
    results: list[tuple[Finding, list[ActionResult]]]
    failures: dict[str, str]
    """Fingerprint -> why the action could not run."""

    @property
    def changes(self) -> list[Change]:
        return [r for _, rs in self.results for r in rs if isinstance(r, Change)]


FIRST = ("add-recovery-region", "upgrade-dr-strategy", "spread-over-zones", "adopt-cells")
"""Actions that change the topology (cells, regions, zones) run first in a round, so that the
capacity actions after them size fleets for the regions and zones the target will have."""


def _failing(assessment: Assessment, actions: dict[str, str] | None = None) -> list[Finding]:
    """FAIL findings by rule, stack and target (topology actions first when ``actions``)."""
    fails = assessment.by_status(Status.FAIL)
    known = actions or {}
    phase = {a: i for i, a in enumerate(FIRST)}
    return sorted(
        fails,
        key=lambda f: (phase.get(known.get(f.rule, ""), len(FIRST)), f.rule, f.stack, f.target),
    )


def _run_actions(
    ws: Workspace,
    findings: Sequence[Finding],
    actions: dict[str, str],
    ctx: ActionContext,
    registry: dict[str, Action],
    org_mode: bool,
    *,
    validate: bool = False,
) -> _Round:
    results: list[tuple[Finding, list[ActionResult]]] = []
    failures: dict[str, str] = {}
    for finding in findings:
        action_id = actions.get(finding.rule)
        action = registry.get(action_id) if action_id else None
        if action is None:
            failures[finding.fingerprint] = (
                f"no planner action '{action_id}' is registered for {finding.rule}"
            )
            continue
        trial = ws.copy()
        try:
            produced = action(trial, finding, ctx)
            if validate and trial.documents != ws.documents:
                trial.organisation(org_mode=org_mode)
        except SpecLoadError as exc:
            first = exc.diagnostics[0].message if exc.diagnostics else str(exc)
            failures[finding.fingerprint] = (
                f"action {action_id} would make the spec invalid: {first}"
            )
            continue
        except (PathError, KeyError, ValueError) as exc:
            failures[finding.fingerprint] = f"action {action_id} could not edit the spec: {exc}"
            continue
        ws.documents = trial.documents
        results.append((finding, produced))
    return _Round(results, failures)


class Planner:
    """Re-assesses candidate specs with the rules of the original assessment."""

    def __init__(
        self,
        org: Organisation,
        assessment: Assessment,
        rules: Sequence[Rule],
        *,
        org_mode: bool,
        recovery_region: str | None = None,
        budget: float | None = None,
    ) -> None:
        self.org = org
        self.assessment = assessment
        self.rules = list(rules)
        self.org_mode = org_mode
        self.actions = {m.id: m.action for m in assessment.rules}
        self.recovery_region = recovery_region
        self.budget = budget
        self.originals = {d.name: d.document for d in org.documents}

    def assess(self, ws: Workspace) -> Assessment:
        """Assess the workspace's documents as the loader reads them."""
        org = ws.organisation(org_mode=self.org_mode)
        return run_rules(build_graph(org), self.rules, today=self.assessment.as_of)

    def _apply(
        self,
        ws: Workspace,
        findings: Sequence[Finding],
        ctx: ActionContext,
        registry: dict[str, Action],
    ) -> tuple[Workspace, _Round]:
        """Run the actions on a copy of ``ws``; if the result does not load, run them again
        checking each action's result, so one bad edit only drops its own change."""
        cand = ws.copy()
        done = _run_actions(cand, findings, self.actions, ctx, registry, self.org_mode)
        try:
            cand.organisation(org_mode=self.org_mode)
        except SpecLoadError:
            cand = ws.copy()
            done = _run_actions(
                cand, findings, self.actions, ctx, registry, self.org_mode, validate=True
            )
        return cand, done

    def run(self, registry: dict[str, Action], max_rounds: int = MAX_ROUNDS) -> Plan:
        """Plan to a fixed point and verify every claim on the final assessment."""
        ws = Workspace(self.org.documents)
        current = self.assessment
        kept: list[Change] = []
        manual: dict[tuple[str, str], ManualStep] = {}
        pinned: set[tuple[str, str]] = set()
        failures: dict[str, str] = {}
        tried: dict[str, str] = {}
        rounds = 0
        for _ in range(max_rounds):
            fails = _failing(current, self.actions)
            if not fails:
                break
            graph = build_graph(ws.organisation(org_mode=self.org_mode))
            ctx = ActionContext(current, graph, self.recovery_region)
            cand, done = self._apply(ws, fails, ctx, registry)
            failures.update(done.failures)
            for finding, results in done.results:
                for r in results:
                    if isinstance(r, ManualStep):
                        manual.setdefault((r.action, r.finding.fingerprint), r)
                    else:
                        tried.setdefault(finding.fingerprint, r.description)
            if not done.changes:
                break
            after = self.assess(cand)
            still = {f.fingerprint for f in after.by_status(Status.FAIL)}
            helped = [
                f
                for f, rs in done.results
                if f.fingerprint not in still and any(isinstance(r, Change) for r in rs)
            ]
            if not helped:
                break
            if len(helped) < len(
                {f.fingerprint for f, rs in done.results if any(isinstance(r, Change) for r in rs)}
            ):
                cand, done = self._apply(ws, helped, ctx, registry)
                after = self.assess(cand)
            rounds += 1
            for _, results in done.results:
                for r in results:
                    if isinstance(r, Change):
                        kept.append(r)
                    else:
                        pinned.add((r.action, r.finding.fingerprint))
            ws, current = cand, after
        over: list[tuple[Change, str, Cost | None]] = []
        if self.budget is not None and kept:
            fits, left = within_budget(self.originals, kept, self.budget)
            if left:
                over = [(kept[i], why, cost) for i, (why, cost) in sorted(left.items())]
                try:
                    ws = Workspace(replayed_documents(self.org.documents, fits))
                except SpecLoadError:  # the changes that fit do not stand alone: stop at the
                    first = min(left)  # first one left out instead
                    fits = kept[:first]
                    stop = "the plan stops at the budget before it"
                    over = [(c, stop, None) for c in kept[first:]]
                    over[0] = (kept[first], *left[first])
                    ws = Workspace(replayed_documents(self.org.documents, fits))
                kept = fits
                current = self.assess(ws)
        return self._plan(ws, current, kept, manual, pinned, failures, tried, rounds, over)

    def _plan(
        self,
        ws: Workspace,
        final: Assessment,
        kept: list[Change],
        manual: dict[tuple[str, str], ManualStep],
        pinned: set[tuple[str, str]],
        failures: dict[str, str],
        tried: dict[str, str],
        rounds: int,
        over: Sequence[tuple[Change, str, Cost | None]] = (),
    ) -> Plan:
        """Verify every claim against the final assessment and assemble the plan."""
        before_fail = {f.fingerprint: f for f in self.assessment.by_status(Status.FAIL)}
        after_fail = {f.fingerprint: f for f in final.by_status(Status.FAIL)}
        costs, total = change_costs(self.originals, kept)
        avoided = loss_avoided(self.org.documents, kept, org_mode=self.org_mode)
        changes = tuple(
            replace(
                c,
                resolves=(c.finding,) if c.finding.fingerprint not in after_fail else (),
                cost=cost,
                needs=needs_teams(self.originals, c),
                loss_avoided=saved,
            )
            for c, cost, saved in zip(kept, costs, avoided, strict=True)
        )
        left = tuple(
            replace(c, cost=cost, needs=needs_teams(self.originals, c)) for c, _, cost in over
        )
        for c, why, _ in over:
            failures.setdefault(
                c.finding.fingerprint, f"left out over the budget: {c.action} ({why})"
            )
            tried.pop(c.finding.fingerprint, None)
        kept_for = {c.finding.fingerprint for c in kept}
        side = _refs(
            f for fp, f in before_fail.items() if fp not in after_fail and fp not in kept_for
        )
        dropped = {fp for fp in tried if fp not in kept_for}
        steps = tuple(
            sorted(
                (
                    s
                    for key, s in manual.items()
                    if key in pinned
                    or (
                        s.finding.fingerprint in after_fail and s.finding.fingerprint not in dropped
                    )
                ),
                key=lambda s: (*s.finding.sort_key, s.action),
            )
        )
        step_of = {s.finding.fingerprint: s for s in steps}
        unresolved = [
            Unresolved(FindingRef.of(f), self._reason(f, step_of, failures, tried, dropped))
            for f in _failing(final)
        ]
        return Plan(
            changes=changes,
            manual_steps=steps,
            unresolved=tuple(unresolved),
            side_effects=side,
            new_failures=_refs(f for fp, f in after_fail.items() if fp not in before_fail),
            scores_before=self.assessment.scores,
            scores_after=final.scores,
            journeys=journey_figures(self.assessment, final),
            rounds=rounds,
            failing_before=len(before_fail),
            failing_after=len(after_fail),
            sources=dict(ws.files),
            targets=ws.texts(),
            cost=total,
            budget=self.budget,
            over_budget=left,
            currency=_currency(self.originals),
            not_generated={
                name: tuple(found)
                for name, doc in sorted(ws.documents.items())
                if isinstance(doc, Stack) and (found := not_generated(doc))
            },
        )

    def _reason(
        self,
        finding: Finding,
        steps: dict[str, ManualStep],
        failures: dict[str, str],
        tried: dict[str, str],
        dropped: set[str],
    ) -> str:
        """Why a finding still fails on the target."""
        fp = finding.fingerprint
        if fp in dropped:
            return (
                f"the planner tried ({tried[fp]}) but re-assessment still failed it, so the "
                "change was left out; see the finding's remediation"
            )
        if fp in steps:
            return "manual step: " + steps[fp].description
        if fp in failures:
            return failures[fp]
        action = self.actions.get(finding.rule, "?")
        return f"no change the planner can express in the spec resolved it ({action})"


def _currency(documents: dict[str, Any]) -> str:
    return next((str(d.metadata.currency) for _, d in sorted(documents.items())), "USD")


def _refs(findings: Iterable[Finding]) -> tuple[FindingRef, ...]:
    return tuple(sorted((FindingRef.of(f) for f in findings), key=lambda r: r.sort_key))
