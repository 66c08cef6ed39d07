"""Findings sent back by the forked child (rules/transfer.py): each rule's constants once and a
row of what varies, written by marshal; anything of another shape pickled as rows of every
field. Either way the same findings come back (issue 21 item 5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import sys
import time

import pytest

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Finding, Location, Severity, Status, WaiverUse
from cellguard.models.loader import load
from cellguard.rules import engine, parallel, transfer
from cellguard.rules.builtin import builtin_rules
from cellguard.rules.context import RuleContext
from tests.helpers import REPO

TODAY = dt.date(2026, 11, 21)


def _by_rule() -> list[list[Finding]]:
    """Each built-in rule's findings on the example organisation, locations not looked up."""
    ctx = RuleContext(build_graph(load(REPO / "examples" / "org")))
    judge = engine._Judge(ctx)
    return [judge.findings(rule.meta, rule.evaluate(ctx)) for rule in builtin_rules()]


def _there(document: str, path: tuple[str | int, ...]) -> Location:
    return Location(f"{document}.yaml", len(path), 7)


def _round_trip(found: list[Finding]) -> tuple[int, list[Finding]]:
    how, data = transfer.packed(found)
    return how, transfer.unpacked(how, data, _there)


def test_every_rules_findings_come_back_the_same_and_compact() -> None:
    assert transfer.PLAIN
    by_rule = _by_rule()
    assert sum(map(len, by_rule)) > 300
    for found in by_rule:
        how, back = _round_trip(found)
        assert how == transfer._COMPACT  # the built-in rules' findings all travel compact
        assert len(back) == len(found)
        for b, f in zip(back, found, strict=True):
            assert type(b) is Finding
            assert list(vars(b)) == list(vars(f))  # the engine's key order
            assert "location" not in vars(b)  # looked up here when read
            assert b.location == _there(f.stack, vars(f)["_place"].path)
            assert b.status is f.status and b.pillar is f.pillar and b.severity is f.severity
            assert b.impact == f.impact and b.evidence == f.evidence
            assert vars(b) == vars(f) or b.location != f.location
        located = [dataclasses.replace(f) for f in found]  # locations looked up: sent as such
        assert _round_trip(located)[1] == located


def test_values_keep_their_types() -> None:
    finding = next(f for found in _by_rule() for f in found if f.impact is not None)
    evidence = {
        "flag": True,
        "count": 10**30,
        "tiny": 1e-300,
        "negative_zero": -0.0,
        "pair": (1, "a"),
        "list": [1.5, None, {"nested": ["x"]}],
        "text": "\u202e\udc80 ünï",
    }
    sent = dataclasses.replace(finding, evidence=evidence, location=Location("f", 1, 2))  # type: ignore[arg-type]
    how, [back] = _round_trip([sent])
    assert how == transfer._COMPACT and back == sent
    assert type(back.evidence["flag"]) is bool and type(back.evidence["pair"]) is tuple
    assert math.copysign(1.0, back.evidence["negative_zero"]) == -1.0  # type: ignore[arg-type]
    assert back.impact is not None and back.impact == finding.impact


class _Text(str):
    pass


class _Table(dict):  # type: ignore[type-arg]
    pass


@pytest.mark.parametrize(
    "change",
    [
        {"evidence": {"status": Status.FAIL}},  # an enumeration member: marshal refuses it
        {"evidence": _Table(a=1)},
        {"stack": _Text("s")},
        {"note": "a note"},
        {"waiver": WaiverUse("s", "R", None, "me", "why", "2026-12-01", None, False)},
        {"title": "another title"},
        {"severity": "high"},  # not a member: written as it is
    ],
)
def test_findings_of_another_shape_travel_as_rows(change: dict[str, object]) -> None:
    found = [dataclasses.replace(f) for f in next(f for f in _by_rule() if len(f) > 2)]
    found[1] = dataclasses.replace(found[1], **change)  # type: ignore[arg-type]
    how, back = _round_trip(found)
    assert how == transfer._ROWS
    assert back == found
    for name, value in change.items():
        assert type(getattr(back[1], name)) is type(value)
        if isinstance(value, dict):
            assert [type(v) for v in getattr(back[1], name).values()] == [
                type(v) for v in value.values()
            ]


def test_a_value_neither_can_write_fails_the_child_message() -> None:
    found = next(f for f in _by_rule() if f)
    found[0] = dataclasses.replace(found[0], evidence={"f": lambda: 1})  # type: ignore[dict-item]
    with pytest.raises(Exception, match=r"pickle|lambda"):
        transfer.packed(found)


def test_no_findings_and_a_crash_finding_come_back() -> None:
    assert _round_trip([]) == (transfer._COMPACT, [])
    meta = builtin_rules()[0].meta
    crash = engine._error(meta, "rules/x.py", RuntimeError("boom"))
    how, back = _round_trip([crash])
    assert back == [crash] and back[0].severity is Severity(meta.severity)
    assert how == transfer._COMPACT


@pytest.mark.skipif(not parallel.can_split(10**9), reason="no fork or one core")
def test_only_the_rule_whose_findings_cannot_be_sent_is_evaluated_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child packs each rule's findings when it has made them: one that cannot be written
    is left out (and evaluated here), the others it took still come back."""
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)
    parent = os.getpid()
    rules = [_Named(f"R{i}") for i in range(8)]
    here: list[str] = []
    two = next(found for found in _by_rule() if len(found) > 1)[:2]

    def run_one(rule: _Named) -> list[Finding]:
        found = [
            dataclasses.replace(f, target=rule.meta.id, evidence=dict(f.evidence)) for f in two
        ]
        if os.getpid() == parent:
            here.append(rule.meta.id)
        elif rule.meta.id == "R3":
            found[0].evidence["f"] = lambda: 1  # type: ignore[assignment]
        return found

    def slow() -> None:  # the child meanwhile takes every shared rule
        time.sleep(1.0)

    got, _ = parallel.split_run(
        rules,  # type: ignore[arg-type]
        run_one,  # type: ignore[arg-type]
        movable=lambda r: r.meta.id != "R0",
        alongside=slow,
        locate=_there,
    )
    assert here == ["R0", "R3"]
    assert [[f.target for f in found] for found in got] == [[r.meta.id] * 2 for r in rules]
    assert all("f" not in found[0].evidence for found in got)


class _Named:
    def __init__(self, name: str) -> None:
        self.meta = type("Meta", (), {"id": name})()


def test_the_rules_of_a_thousand_components_are_not_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 1,001 components a split gained no wall time and cost CPU (issue 21 item 5)."""
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)
    monkeypatch.setattr(parallel, "second_core_free", lambda: True)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert not parallel.can_split(1001)
    if sys.platform.startswith("linux"):
        assert parallel.can_split(3001)
