"""Every case of every built-in rule, run through the real loader, graph and engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Finding, Status, TargetKind
from cellguard.models.loader import build_organisation, parse_document
from cellguard.rules.cases import CASES_DIR, Case, case_texts, load_case_file, run_case
from cellguard.rules.packs import load_rules

REGISTRY = load_rules(plugins=False)
CASE_FILES = sorted(p for p in CASES_DIR.glob("*.yaml") if not p.name.startswith("_"))


def _params() -> list[object]:
    params = []
    for path in CASE_FILES:
        spec = load_case_file(path)
        for index, case in enumerate(spec.cases):
            params.append(pytest.param(spec.rule, case, id=f"{spec.rule}[{index}:{case.name}]"))
    return params


@pytest.mark.parametrize(("rule_id", "case"), _params())
def test_rule_case(rule_id: str, case: Case) -> None:
    findings = run_case(rule_id, case, REGISTRY)
    keys = [(f.stack, f.target) for f in findings]
    assert len(keys) == len(set(keys)), f"{rule_id} reported a target twice: {keys}"
    assert not [f for f in findings if f.status is Status.ERROR], findings
    _assert_within_applies_to(rule_id, case, findings)
    by_key = {(f.stack, f.target): f for f in findings}
    for want in case.expect:
        got = by_key.get((want.stack, want.target))
        assert got is not None, (
            f"{rule_id} reported nothing for {want.stack}/{want.target}; "
            f"it reported {sorted(by_key)}"
        )
        assert got.status is want.status, f"{want.target}: {got.status} ({got.message})"
        if want.severity is not None:
            assert got.severity.value == want.severity, got
        if want.message_contains is not None:
            assert want.message_contains in got.message, got.message
        for key, value in want.evidence.items():
            assert got.evidence.get(key) == value, (key, got.evidence)


def _assert_within_applies_to(rule_id: str, case: Case, findings: list[Finding]) -> None:
    """A rule judges only what its metadata says it applies to (docs and planner rely on it)."""
    rule = REGISTRY.get(rule_id)
    assert rule is not None
    scopes = set(rule.meta.applies_to)
    graph = build_graph(
        build_organisation(
            [parse_document(t, f"case{i}.yaml") for i, t in enumerate(case_texts(case))],
            org_mode=True,
        )
    )
    for f in findings:
        if f.target_kind is TargetKind.COMPONENT:
            kind = graph.kind(f"{f.stack}/{f.target}").value
            assert kind in scopes, f"{rule_id} judged {f.target} ({kind}), not in {sorted(scopes)}"
        else:
            assert f.target_kind.value in scopes, f"{rule_id} judged a {f.target_kind.value}"


def test_case_files_exist_and_are_named_for_their_rule() -> None:
    assert len(CASE_FILES) >= 2
    assert all(isinstance(p, Path) for p in CASE_FILES)
    for path in CASE_FILES:
        assert load_case_file(path).rule == path.stem, path.name
