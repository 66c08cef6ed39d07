"""A plan as markdown (for a pull request) or JSON (``schema_version`` 1, for tools).

Both list every change with the findings it resolves (rule, target, fingerprint) and the
spec keys it set, its monthly cost (USD, with the rates behind it; estimates said so) and the
teams it needs, the manual steps, what stays unresolved and why, the scores per pillar and
each journey's nines, downtime and money per year, before and after, and the plan's monthly
cost beside the loss it avoids per month (and the changes a budget left out). Output is
deterministic.

Text from the spec or a rule pack is inert in both: the markdown writes prose through
:func:`~cellguard.reports.markdown.md_prose` and values and names as code spans
(:func:`~cellguard.reports.markdown.code_span`); the JSON escapes control, bidi and zero-width
characters as ``\\uXXXX`` (:func:`cellguard.models.text.json_safe`).
"""

from __future__ import annotations

from typing import Any

from cellguard import __version__
from cellguard.assessments.scoring import Score
from cellguard.models.json_text import dumps
from cellguard.models.text import json_safe
from cellguard.models.wording import plural
from cellguard.planner.model import Change, Cost, Edit, EditOp, FindingRef, Plan
from cellguard.reports.md_text import code_span, md_inline, md_prose

SCHEMA_VERSION = 1
_VALUE_CHARS = 160
"""Longest value shown inline in markdown; longer ones (new components) are shortened."""


def _score(score: Score | None) -> float | None:
    return score.score if score is not None else None


def _ref(ref: FindingRef) -> dict[str, str]:
    return {
        "rule": ref.rule,
        "stack": ref.stack,
        "target": ref.target,
        "fingerprint": ref.fingerprint,
        "title": ref.title,
    }


def _edit(edit: Edit) -> dict[str, Any]:
    return {
        "stack": edit.stack,
        "path": edit.dotted,
        "op": edit.op.value,
        "before": edit.before,
        "after": edit.after,
    }


def _cost(cost: Cost | None) -> dict[str, Any] | None:
    if cost is None:
        return None
    return {
        "usd_per_month": round(cost.usd, 2),
        "estimate": cost.estimate,
        "basis": list(cost.lines),
        "unknown": list(cost.unknown),
        "usage_priced": list(cost.usage),
    }


def _change(change: Change) -> dict[str, Any]:
    return {
        "action": change.action,
        "stack": change.stack,
        "target": change.target,
        "description": change.description,
        "finding": _ref(change.finding),
        "resolves": [_ref(r) for r in change.resolves],
        "edits": [_edit(e) for e in change.edits],
        "cost": _cost(change.cost),
        "loss_avoided_per_month": (
            None if change.loss_avoided is None else round(change.loss_avoided, 2)
        ),
        "needs_teams": list(change.needs),
    }


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data."""
    pillars = sorted(plan.scores_before.keys() | plan.scores_after.keys())
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cellguard", "version": __version__},
        "summary": {
            "failing_before": plan.failing_before,
            "failing_after": plan.failing_after,
            "resolved": len(plan.resolved),
            "changes": len(plan.changes),
            "manual_steps": len(plan.manual_steps),
            "unresolved": len(plan.unresolved),
            "rounds": plan.rounds,
            "monthly_cost": _cost(plan.cost),
            "loss_avoided_per_month": round(plan.loss_avoided_per_month, 2),
            "currency": plan.currency,
            "budget_usd_per_month": plan.budget,
        },
        "scores": {
            p: {
                "before": _score(plan.scores_before.get(p)),
                "after": _score(plan.scores_after.get(p)),
            }
            for p in pillars
        },
        "journeys": [
            {
                "stack": j.stack,
                "journey": j.journey,
                "objective": j.objective,
                "availability_before": round(j.availability_before, 6),
                "availability_after": round(j.availability_after, 6),
                "nines_before": round(j.nines_before, 3),
                "nines_after": round(j.nines_after, 3),
                "downtime_hours_before": round(j.downtime_hours_before, 2),
                "downtime_hours_after": round(j.downtime_hours_after, 2),
                "loss_per_year_before": round(j.loss_before, 2),
                "loss_per_year_after": round(j.loss_after, 2),
            }
            for j in plan.journeys
        ],
        "changes": [_change(c) for c in plan.changes],
        "resolved_as_side_effect": [_ref(r) for r in plan.side_effects],
        "manual_steps": [
            {"action": s.action, "description": s.description, "finding": _ref(s.finding)}
            for s in plan.manual_steps
        ],
        "unresolved": [{"finding": _ref(u.finding), "reason": u.reason} for u in plan.unresolved],
        "new_failures": [_ref(r) for r in plan.new_failures],
        "over_budget": [_change(c) for c in plan.over_budget],
        "not_generated": [
            {"stack": stack, "component": cid, "reason": why}
            for stack, found in sorted(plan.not_generated.items())
            for cid, why in found
        ],
        "sources": dict(sorted(plan.sources.items())),
    }


def render_json(plan: Plan) -> str:
    """The plan as indented JSON with a trailing newline."""
    return json_safe(dumps(plan_data(plan), indent=2, ensure_ascii=False)) + "\n"


def _value(value: object) -> str:
    text = dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if len(text) > _VALUE_CHARS:
        text = text[: _VALUE_CHARS - 3] + "..."
    return code_span(text)


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _finding(ref: FindingRef) -> str:
    return f"{md_inline(ref.rule)} {code_span(f'{ref.stack}/{ref.target}')} ({md_inline(ref.fingerprint)})"


def _edit_line(edit: Edit) -> str:
    where = f"{code_span(edit.stack)}: {code_span(edit.dotted)}"
    if edit.op is EditOp.ADD:
        return f"  - {where} += {_value(edit.after)}"
    return f"  - {where}: {_value(edit.before)} -> {_value(edit.after)}"


def money(cost: Cost | None) -> str:
    """``+$3,273/month (estimate)``; ``unknown`` parts said so."""
    if cost is None:
        return "n/a"
    text = f"{'+' if cost.usd >= 0 else '-'}${abs(cost.usd):,.0f}/month"
    if cost.estimate:
        text += " (estimate)"
    if cost.unknown:
        text += f", plus {len(cost.unknown)} unpriced"
    return text


def _cost_lines(change: Change) -> list[str]:
    cost = change.cost
    out: list[str] = []
    if cost is not None:
        saved = (
            ""
            if change.loss_avoided is None
            else f"; loss avoided (in plan order): {change.loss_avoided:,.0f}/month"
        )
        out.append(f"  - monthly cost: {money(cost)}{saved}")
        out += [f"    - {md_prose(line)}" for line in cost.lines]
        out += [f"    - cost unknown: {md_prose(line)}" for line in cost.unknown]
        out += [f"    - {md_prose(line)}" for line in cost.usage]
    if change.needs:
        teams = ", ".join(code_span(t) for t in change.needs)
        out.append(f"  - **needs {teams}**: it changes what that team owns")
    return out


def _summary_cost(plan: Plan) -> list[str]:
    if plan.cost is None:
        return []
    avoided = f"{plan.loss_avoided_per_month:,.0f} {plan.currency}/month"
    out = [
        f"Monthly cost of the plan: **{money(plan.cost)}** (USD at On-Demand list rates; the "
        f"rates are in each change) against an expected loss avoided of **{avoided}**.",
    ]
    if plan.budget is not None:
        left = len(plan.over_budget)
        out.append(
            f"Budget: ${plan.budget:,.0f}/month; "
            + (
                f"{plural(left, 'change')} over it left out (below)."
                if left
                else "every change fits."
            )
        )
    return ["", *out]


def render_markdown(plan: Plan) -> str:
    """The plan as a markdown document."""
    overall_b = _score(plan.scores_before.get("overall"))
    overall_a = _score(plan.scores_after.get("overall"))
    out = [
        "# cellguard remediation plan",
        "",
        f"Failing findings: **{plan.failing_before} -> {plan.failing_after}** "
        f"({len(plan.resolved)} resolved by {plural(len(plan.changes), 'change')} in "
        f"{plural(plan.rounds, 'round')}); overall score **{_num(overall_b)} -> {_num(overall_a)}**; "
        f"{plural(len(plan.manual_steps), 'manual step')}.",
        *_summary_cost(plan),
        "",
        "## Scores",
        "",
        "| pillar | before | after |",
        "|---|---:|---:|",
    ]
    for pillar in sorted(plan.scores_before.keys() | plan.scores_after.keys()):
        out.append(
            f"| {pillar} | {_num(_score(plan.scores_before.get(pillar)))} | "
            f"{_num(_score(plan.scores_after.get(pillar)))} |"
        )
    out += [
        "",
        "## Journeys",
        "",
        "| journey | objective | availability | nines | downtime h/yr | loss/yr |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for j in plan.journeys:
        objective = f"{j.objective:g}%" if j.objective is not None else "-"
        out.append(
            f"| {md_inline(f'{j.stack}/{j.journey}')} | {objective} | {j.availability_before:.4f}% -> "
            f"{j.availability_after:.4f}% | {j.nines_before:.2f} -> {j.nines_after:.2f} | "
            f"{j.downtime_hours_before:,.1f} -> {j.downtime_hours_after:,.1f} | "
            f"{j.loss_before:,.0f} -> {j.loss_after:,.0f} |"
        )
    out += ["", "## Changes", ""]
    if not plan.changes:
        out.append("None: the spec already is the target.")
    for i, change in enumerate(plan.changes, 1):
        resolves = ", ".join(_finding(r) for r in change.resolves) or "nothing on its own"
        out += [
            f"{i}. **{md_inline(change.action)}** on {code_span(f'{change.stack}/{change.target}')}: "
            f"{md_prose(change.description)}",
            f"  - resolves: {resolves}",
            *_cost_lines(change),
            *(_edit_line(e) for e in change.edits),
        ]
    if plan.over_budget:
        out += ["", "## Left out: over the budget", ""]
        for change in plan.over_budget:
            out += [
                f"- **{md_inline(change.action)}** on "
                f"{code_span(f'{change.stack}/{change.target}')}: {md_prose(change.description)}",
                *_cost_lines(change),
            ]
    if plan.side_effects:
        out += ["", "## Also resolved by the changes above", ""]
        out += [f"- {_finding(r)}: {md_prose(r.title)}" for r in plan.side_effects]
    out += ["", "## Manual steps", ""]
    if not plan.manual_steps:
        out.append("None.")
    out += [
        f"- [ ] **{md_inline(s.action)}** ({_finding(s.finding)}): {md_prose(s.description)}"
        for s in plan.manual_steps
    ]
    out += ["", "## Not resolved", ""]
    if not plan.unresolved:
        out.append("None: every failing finding is resolved.")
    out += [f"- {_finding(u.finding)}: {md_prose(u.reason)}" for u in plan.unresolved]
    if plan.new_failures:
        out += ["", "## New failures on the target", ""]
        out += [f"- {_finding(r)}: {md_prose(r.title)}" for r in plan.new_failures]
    if plan.not_generated:
        out += [
            "",
            "## Not generated by `cellguard blueprint`",
            "",
            "The blueprint deploys the target's cells on EKS (services, routers, GPU node pools",
            "of self-hosted models), DynamoDB tables and OpenSearch domains; it does not create",
            "these components, which the team builds by other means:",
            "",
        ]
        out += [
            f"- {code_span(stack if cid == '*' else f'{stack}/{cid}')}: {md_prose(why)}"
            for stack, found in sorted(plan.not_generated.items())
            for cid, why in found
        ]
    return "\n".join(out) + "\n"
