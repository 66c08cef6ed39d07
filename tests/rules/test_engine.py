"""The engine: outcomes become located, impact-weighted, waived findings; crashes are reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from cellguard.assessments.graph import build_graph
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import FailureCategory, Pillar, Severity, Status, TargetKind
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.engine import run_rules
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, failed, passed
from cellguard.rules.registry import Registry, RuleRegistryError
from cellguard.rules.waivers import WaiverState
from tests.helpers import BASE_STACK, load_texts

TODAY = dt.date(2026, 11, 21)


def meta(rule_id: str = "CG-RED-901", severity: Severity = Severity.MEDIUM) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title="Every component passes the test rule",
        pillar=Pillar.REDUNDANCY,
        category=FailureCategory.SINGLE_POINT_OF_FAILURE,
        severity=severity,
        applies_to=("app", "model_endpoint"),
        rationale="A rule used by the engine tests to exercise every path.",
        source="tests",
        remediation="Nothing to do; this is a test.",
        action="test-action",
    )


def fail_llm(ctx: RuleContext) -> Iterator[Outcome]:
    for qid, _ in ctx.components(ComponentKind.APP, ComponentKind.MODEL_ENDPOINT):
        target = ctx.component_target(qid)
        if target.id == "llm":
            yield failed(target, "llm fails", ("hosting",), seen="bedrock")
        else:
            yield passed(target, f"{target.id} passes")


def crash(ctx: RuleContext) -> Iterator[Outcome]:
    raise RuntimeError("boom")
    yield  # pragma: no cover


WAIVED_STACK = BASE_STACK + (
    "waivers:\n"
    "  - {rule: CG-RED-901, target: llm, reason: accepted, owner: ops, expires: 2027-01-01}\n"
    "  - {rule: CG-RED-9*, target: web, reason: nothing fails here, owner: ops,"
    " expires: 2027-01-01}\n"
)


def run(text: str, *rules: PythonRule, today: dt.date = TODAY):  # type: ignore[no-untyped-def]
    return run_rules(build_graph(load_texts(text)), rules, today=today)


def test_outcomes_become_located_findings_with_impact() -> None:
    result = run(BASE_STACK, PythonRule(meta(), fail_llm))
    by_target = {f.target: f for f in result.findings}
    llm = by_target["llm"]
    assert llm.status is Status.FAIL
    assert llm.location is not None
    assert (llm.location.file, llm.location.line) == ("doc0.yaml", 25)  # the "hosting" key
    assert llm.evidence == {"seen": "bedrock"}
    assert llm.impact is not None and llm.impact.journeys == ("demo/chat",)
    assert llm.severity is Severity.MEDIUM  # tier1, no money: no shift
    assert by_target["web"].status is Status.PASS
    assert result.scores["redundancy"].score == pytest.approx(50.0)
    assert result.scores["overall"].score == pytest.approx(50.0)
    assert result.scores["fault_isolation"].score is None


def test_tier0_and_money_raise_severity_and_tier3_lowers_it() -> None:
    tier0 = BASE_STACK.replace(
        "criticality: tier1", "criticality: tier0\n      impact: {revenue_per_hour: 90000}"
    )
    finding = next(
        f for f in run(tier0, PythonRule(meta(), fail_llm)).findings if f.target == "llm"
    )
    assert finding.severity is Severity.CRITICAL  # medium +1 (tier0) +1 (money)
    assert finding.impact is not None and "tier0 (+1)" in finding.impact.reason
    assert "90,000/h" in finding.impact.reason
    tier3 = BASE_STACK.replace("criticality: tier1", "criticality: tier3")
    low = next(f for f in run(tier3, PythonRule(meta(), fail_llm)).findings if f.target == "llm")
    assert low.severity is Severity.INFO


def test_waivers_apply_expire_and_report_unused() -> None:
    result = run(WAIVED_STACK, PythonRule(meta(), fail_llm))
    llm = next(f for f in result.findings if f.target == "llm")
    assert llm.status is Status.WAIVED and llm.waiver is not None and llm.waiver.owner == "ops"
    states = {(w.use.target, w.state) for w in result.waivers}
    assert states == {("llm", WaiverState.ACTIVE), ("web", WaiverState.UNUSED)}
    unused = next(w for w in result.waivers if w.state is WaiverState.UNUSED)
    assert unused.location.file == "doc0.yaml" and unused.location.line == 28  # second waiver
    assert result.scores["overall"].score == pytest.approx(100.0)

    later = run(WAIVED_STACK, PythonRule(meta(), fail_llm), today=dt.date(2027, 1, 2))
    llm = next(f for f in later.findings if f.target == "llm")
    assert llm.status is Status.FAIL
    assert llm.note == "waiver by ops expired on 2027-01-01"
    assert {w.state for w in later.waivers} == {WaiverState.EXPIRED, WaiverState.UNUSED}


def test_waiver_on_its_last_day_still_applies() -> None:
    result = run(WAIVED_STACK, PythonRule(meta(), fail_llm), today=dt.date(2027, 1, 1))
    assert next(f for f in result.findings if f.target == "llm").status is Status.WAIVED


def test_a_crashing_rule_is_an_error_and_the_run_goes_on() -> None:
    result = run(BASE_STACK, PythonRule(meta("CG-RED-902"), crash), PythonRule(meta(), fail_llm))
    errors = result.errors
    assert len(errors) == 1 and errors[0].rule == "CG-RED-902"
    assert "RuntimeError: boom" in errors[0].message
    assert any(f.rule == "CG-RED-901" and f.status is Status.FAIL for f in result.findings)


def yields_garbage(ctx: RuleContext) -> Iterator[Outcome]:
    yield "not an outcome"  # type: ignore[misc]


def yields_unknown_journey(ctx: RuleContext) -> Iterator[Outcome]:
    target = ctx.stack_target("demo")
    yield failed(Target(TargetKind.JOURNEY, "demo", "nope", target.path), "no such journey")


def test_ill_behaved_rules_are_errors_not_internal_errors() -> None:
    result = run(
        BASE_STACK,
        PythonRule(meta("CG-RED-903"), yields_garbage),
        PythonRule(meta("CG-RED-904"), yields_unknown_journey),
        PythonRule(meta(), fail_llm),
    )
    errors = {f.rule: f.message for f in result.errors}
    assert "not an Outcome" in errors["CG-RED-903"]
    assert "no journey 'nope'" in errors["CG-RED-904"]
    assert any(f.rule == "CG-RED-901" and f.status is Status.FAIL for f in result.findings)


def test_registry_rejects_duplicates_and_selects_by_glob() -> None:
    registry = Registry(
        [PythonRule(meta("CG-RED-901"), fail_llm), PythonRule(meta("CG-RED-902"), crash)]
    )
    with pytest.raises(RuleRegistryError, match="duplicate rule id CG-RED-901"):
        registry.register(PythonRule(meta("CG-RED-901"), crash))
    assert registry.select(["cg-red-90*"], ["CG-RED-902"]).ids() == ["CG-RED-901"]
    assert registry.unmatched(["CG-RED-9*", "CG-XX-1"]) == ["CG-XX-1"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "RED-1"}, "must look like CG-FI-001"),
        ({"id": "CG-FI-001"}, "names pillar 'FI'"),
        ({"applies_to": ("spaceship",)}, "unknown applies_to"),
        ({"title": "short"}, "at least 8 characters"),
        ({"action": "Add Backup"}, "should match pattern"),
    ],
)
def test_malformed_metadata_fails_at_definition(changes: dict[str, object], message: str) -> None:
    data = meta().model_dump() | changes
    with pytest.raises(ValueError, match=message):
        RuleMeta.model_validate(data)


def test_journey_and_stack_targets_are_one_object_each() -> None:
    """Rules share each target, so the engine judges a journey's or a document's impact and
    place once, whichever rules ask (issue 21 item 5)."""
    ctx = RuleContext(build_graph(load_texts(BASE_STACK)))
    [(stack, journey)] = ctx.journeys()
    first = ctx.journey_target(stack, journey.id)
    assert ctx.journey_target(stack, journey.id) is first
    assert (first.kind, first.stack, first.id, first.path) == (
        TargetKind.JOURNEY,
        stack,
        journey.id,
        ("business", "journeys", 0),
    )
    assert ctx.stack_target(stack) is ctx.stack_target(stack)
    assert ctx.stack_target(stack) == Target(TargetKind.STACK, stack, stack, ())
    with pytest.raises(KeyError):
        ctx.journey_target(stack, "no-such-journey")
