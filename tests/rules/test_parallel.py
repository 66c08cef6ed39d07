"""Rules on two cores and findings built without the dataclass constructor: the same findings,
in the same order, as one process and the constructor give (issue 21 item 5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import re

import pytest

from cellguard.assessments.graph import build_graph
from cellguard.models import spare
from cellguard.models.findings import (
    FailureCategory,
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
from cellguard.models.loader import load
from cellguard.rules import engine, ordering, outcome, parallel, transfer
from cellguard.rules.builtin import builtin_rules
from cellguard.rules.engine import run_rules
from tests.helpers import REPO

TODAY = dt.date(2026, 11, 21)
EXAMPLE = REPO / "examples" / "org"


@pytest.fixture(autouse=True)
def _single_threaded(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests of a full run may leave threads behind (a timed-out CLI run in a worker
    thread), and nothing is split while threads run; these tests are about the split."""
    if request.node.name != "test_no_split_while_other_threads_run":
        monkeypatch.setattr(parallel, "_other_threads", lambda: False)
    monkeypatch.setattr(spare, "_mark", None)  # an assessment run before: not the machine's load


def _assess(split: bool, monkeypatch: pytest.MonkeyPatch) -> engine.Assessment:
    monkeypatch.setattr(parallel, "MIN_COMPONENTS", 0 if split else 10**9)
    graph = build_graph(load(EXAMPLE))
    return run_rules(graph, builtin_rules(), today=TODAY)


def test_split_rules_give_the_findings_of_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    if not parallel.can_split(10**9):
        pytest.skip("fork is unavailable or one core is all there is")
    calls: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        calls.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    split = _assess(True, monkeypatch)
    assert calls == [1]
    serial = _assess(False, monkeypatch)
    assert len(calls) == 1
    assert split.findings == serial.findings
    assert split.scores == serial.scores
    assert split.figures == serial.figures
    assert len(split.findings) > 100


def _findings(rule: object) -> list[Finding]:
    name = str(rule)
    return [
        Finding(
            rule=name,
            title="t",
            pillar=Pillar.REDUNDANCY,
            category=FailureCategory.SHARED_FATE,
            status=Status.FAIL,
            severity=Severity.LOW,
            base_severity=Severity.LOW,
            stack="s",
            target=f"{name}-{i}",
            target_kind=TargetKind.COMPONENT,
            message="m",
            remediation="r",
            location=Location("f.yaml", i + 1, 1),
            evidence={"i": i, "of": [name]},
        )
        for i in range(3)
    ]


class _Rule:
    def __init__(self, name: str) -> None:
        self.name = name
        self.meta = type("Meta", (), {"id": name})()

    def __str__(self) -> str:
        return self.name


RULES = [_Rule(f"R{i}") for i in range(12)]


def _nowhere(document: str, path: tuple[str | int, ...]) -> Location | None:
    raise AssertionError(f"no finding here has a location to look up ({document}, {path})")


@pytest.mark.skipif(not parallel.can_split(10**9), reason="no fork or one core")
def test_what_the_child_does_not_send_back_is_evaluated_here() -> None:
    parent = os.getpid()

    def run_one(rule: object) -> list[Finding]:
        if os.getpid() != parent and str(rule) == "R3":
            os._exit(7)  # the child dies: nothing it took comes back
        return _findings(rule)

    got, also = parallel.split_run(
        RULES,  # type: ignore[arg-type]
        run_one,
        movable=lambda r: True,
        alongside=lambda: os.getpid(),
        locate=_nowhere,
    )
    assert got == [_findings(r) for r in RULES]
    assert also == parent


@pytest.mark.skipif(not parallel.can_split(10**9), reason="no fork or one core")
def test_the_childs_findings_are_read_while_rules_run_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the child sends is read between this process's own rules, not all at the end."""
    import time

    parent = os.getpid()
    events: list[str] = []
    real = parallel.unpacked

    def unpacked(how: int, data: bytes, locate: object) -> list[Finding]:
        events.append("read")
        return real(how, data, locate)  # type: ignore[arg-type]

    def run_one(rule: object) -> list[Finding]:
        if os.getpid() == parent and str(rule) == "R0":
            time.sleep(0.5)  # meanwhile the child evaluates the others and sends them
        return _findings(rule)

    monkeypatch.setattr(parallel, "unpacked", unpacked)
    got, _ = parallel.split_run(
        RULES,  # type: ignore[arg-type]
        run_one,
        movable=lambda r: str(r) != "R0",
        alongside=lambda: events.append("alongside"),
        locate=_nowhere,
    )
    assert got == [_findings(r) for r in RULES]
    assert "read" in events[: events.index("alongside")]


def test_a_broken_message_leaves_the_rules_not_read_to_run_here() -> None:
    """A rule sent twice, or a message cut short, ends the reading; what was read stays."""
    results: list[list[Finding] | None] = [None] * 3
    first, second = transfer.packed(_findings("R1")), transfer.packed(_findings("R2"))
    incoming, out = os.pipe()
    try:
        received = parallel._Received(incoming, results, _nowhere)
        received.poll()  # nothing yet: no waiting
        os.write(out, parallel._frame(0, *first)[:5])
        received.poll()
        assert results == [None] * 3
        os.write(out, parallel._frame(0, *first)[5:] + parallel._frame(0, *second))
        os.write(out, parallel._frame(1, *second))
        os.close(out)
        out = -1
        received.drain()
    finally:
        os.close(incoming)
        if out >= 0:
            os.close(out)
    assert results[0] == _findings("R1")
    assert received.broken and results[1:] == [None, None]


@pytest.mark.skipif(not parallel.can_split(10**9), reason="no fork or one core")
def test_unpicklable_findings_are_evaluated_here() -> None:
    parent = os.getpid()
    here: list[str] = []

    def run_one(rule: object) -> list[Finding]:
        found = _findings(rule)
        if os.getpid() == parent:
            here.append(str(rule))
        else:  # a value pickle cannot send: the child's whole message fails
            found[0].evidence["f"] = lambda: 1  # type: ignore[assignment]
        return found

    got, _ = parallel.split_run(
        RULES,  # type: ignore[arg-type]
        run_one,
        movable=lambda r: str(r) != "R0",
        alongside=lambda: None,
        locate=_nowhere,
    )
    assert [len(found) for found in got] == [3] * len(RULES)
    assert sorted(here, key=lambda n: int(n[1:])) == [str(r) for r in RULES]  # all, in the end
    assert all("f" not in found[0].evidence for found in got)


def test_pinned_rules_are_the_ones_reading_journey_figures() -> None:
    """Rules that read the graph's journey availability run where the reports read it again."""
    builtin = REPO / "cellguard" / "rules" / "builtin"
    reading = set()
    for path in builtin.rglob("cg_*.py"):
        text = path.read_text()
        if re.search(r"journey_(availability|result|provenance)\b", text):
            found = re.search(r'id="(CG-[A-Z]+-\d+)"', text)
            assert found, path
            reading.add(found.group(1))
    assert reading == set(parallel.PINNED)


def test_fast_findings_equal_the_constructors() -> None:
    assert engine.FAST_FINDINGS
    impact = Impact(("s/j",), "tier1", 10.0, 0.0, 1, "why")
    values = (
        "CG-RED-001",
        "title",
        Pillar.REDUNDANCY,
        FailureCategory.SHARED_FATE,
        Status.FAIL,
        Severity.HIGH,
        Severity.MEDIUM,
        "stack",
        "target",
        TargetKind.COMPONENT,
        "message",
        "remediation",
        Location("f.yaml", 3, 5),
        {"x": 1},
        impact,
    )
    fast = engine._new_finding(*values)
    slow = Finding(*values)  # type: ignore[arg-type]
    assert type(fast) is Finding
    assert fast == slow
    assert vars(fast) == vars(slow)
    assert fast.waiver is None and fast.note is None
    assert hash(fast.location) == hash(slow.location)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.status = Status.PASS  # type: ignore[misc]
    assert dataclasses.replace(fast, note="n") == dataclasses.replace(slow, note="n")


def test_runs_sorted_where_they_were_made_give_the_one_stable_sort() -> None:
    """Each rule's findings sorted by stack and target where the rule ran, then put in order
    by their lengths: the order of :func:`ordering.sorted_findings` on all of them, a rule that occurs
    in two runs merged and sorted again."""

    def finding(rule: str, pillar: Pillar, stack: str, target: str, message: str) -> Finding:
        return dataclasses.replace(
            _findings(rule)[0], pillar=pillar, stack=stack, target=target, message=message
        )

    pillars = list(Pillar)
    runs = [
        [
            finding(
                rule, pillars[int(rule[1]) % 2], f"s{(i * 5 + k) % 3}", f"t{i * 7 % 4}", f"{k}.{i}"
            )
            for i in range(12)
        ]
        for k, rule in enumerate(["R3", "R1", "R2", "R1", "R0"])  # R1 twice
    ]
    runs.append([])  # a rule with no findings
    flat = [f for run in runs for f in run]
    expected = [f.message for f in ordering.sorted_findings(flat)]
    made = [f for run in runs for f in ordering.by_place(run)]
    assert [f.message for f in made] != expected
    got = ordering.sorted_findings(made, [len(run) for run in runs])
    assert [f.message for f in got] == expected
    with pytest.raises(ValueError, match="runs of 60 findings for 59"):
        ordering.sorted_findings(made[:-1], [len(run) for run in runs])


def test_fast_locations_equal_the_constructors() -> None:
    fast, slow = new_location("dir/f.yaml", 12, 3), Location("dir/f.yaml", 12, 3)
    assert type(fast) is Location and fast == slow and hash(fast) == hash(slow)
    assert vars(fast) == vars(slow) and repr(fast) == repr(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.line = 1  # type: ignore[misc]


def test_sorted_is_one_stable_sort_on_pillar_rule_stack_and_target() -> None:
    def finding(rule: str, pillar: Pillar, stack: str, target: str, message: str) -> Finding:
        return Finding(
            rule=rule,
            title="t",
            pillar=pillar,
            category=FailureCategory.SHARED_FATE,
            status=Status.PASS,
            severity=Severity.LOW,
            base_severity=Severity.LOW,
            stack=stack,
            target=target,
            target_kind=TargetKind.COMPONENT,
            message=message,
            remediation="r",
            location=None,
        )

    pillars = list(Pillar)
    items = [
        finding(f"R{(i * 7) % 5}", pillars[(i * 3) % 2], f"s{(i * 5) % 3}", f"t{i % 2}", str(i))
        for i in range(60)
    ]
    order = {p: i for i, p in enumerate(Pillar)}
    expected = sorted(items, key=lambda f: (order[f.pillar], f.rule, f.stack, f.target))
    assert [f.message for f in ordering.sorted_findings(items)] == [f.message for f in expected]


def test_findings_travel_as_rows_and_come_back_equal() -> None:
    assert transfer.PLAIN
    one_rule = _findings("R1")
    mixed = [*one_rule, dataclasses.replace(_findings("R2")[0], location=None, note="n")]
    for sent, how in ((one_rule, transfer._COMPACT), (mixed, transfer._ROWS)):
        packed = transfer.packed(sent)
        assert packed[0] == how
        back = transfer.unpacked(*packed, _nowhere)
        assert back == sent
        assert [vars(b) == vars(s) for b, s in zip(back, sent, strict=True)] == [True] * len(sent)
        assert all(type(b) is Finding for b in back)
        assert hash(back[0].location) == hash(sent[0].location)


def _placed(looked_up: list[tuple[str, tuple[str | int, ...]]]) -> Finding:
    def locate(document: str, path: tuple[str | int, ...]) -> Location:
        looked_up.append((document, path))
        return Location(f"{document}.yaml", len(path), 3)

    values = list(vars(_findings("R1")[0]).values())[: len(engine._SET_HERE)]
    values[engine._LOCATION] = Place(locate, "s", ("components", 2, "replicas"))
    return engine._new_finding(*values)


def test_a_location_is_looked_up_when_first_read_and_kept() -> None:
    looked_up: list[tuple[str, tuple[str | int, ...]]] = []
    finding = _placed(looked_up)
    assert looked_up == [] and "location" not in vars(finding)
    assert finding.location == Location("s.yaml", 3, 3)
    assert finding.location is finding.location
    assert looked_up == [("s", ("components", 2, "replicas"))]
    assert vars(finding)["location"] == finding.location and "_place" not in vars(finding)
    with pytest.raises(AttributeError, match="no attribute 'locaton'"):
        finding.locaton  # type: ignore[attr-defined]  # noqa: B018
    # equality, copies and pickles see the location; a row sends the place to look up there
    assert _placed([]) == finding and dataclasses.replace(_placed([])) == finding
    assert pickle.loads(pickle.dumps(_placed([]))) == finding
    back: list[tuple[str, tuple[str | int, ...]]] = []
    how, data = transfer.packed([_placed(back)])
    assert back == [] and how == transfer._COMPACT
    [again] = transfer.unpacked(how, data, lambda d, p: Location("there.yaml", len(p), 1))
    assert "location" not in vars(again)
    assert again.location == Location("there.yaml", 3, 1)


def test_only_the_locations_read_are_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = engine._Judge.locate

    def counted(self: engine._Judge, stack: str, path: tuple[str | int, ...]) -> Location | None:
        calls.append(stack)
        return real(self, stack, path)

    monkeypatch.setattr(engine._Judge, "locate", counted)
    assessment = _assess(False, monkeypatch)
    assert calls == []
    shown = [f for f in assessment.findings if f.status is Status.FAIL]
    assert all(f.location is not None for f in shown)
    assert 0 < len(calls) <= len(shown) < len(assessment.findings)


@pytest.mark.skipif(not parallel.can_split(10**9), reason="no fork or one core")
def test_on_two_cores_the_listed_locations_are_looked_up_during_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Split, the locations of the FAILs and UNKNOWNs (what a report lists) are looked up in
    this process while the child evaluates rules; the others when first read, as alone."""
    here: list[str] = []
    parent = os.getpid()
    real = engine._Judge.locate

    def counted(self: engine._Judge, stack: str, path: tuple[str | int, ...]) -> Location | None:
        if os.getpid() == parent:
            here.append(stack)
        return real(self, stack, path)

    monkeypatch.setattr(engine._Judge, "locate", counted)
    split = _assess(True, monkeypatch)
    listed = [f for f in split.findings if f.status in (Status.FAIL, Status.UNKNOWN)]
    others = [f for f in split.findings if f.status in (Status.PASS, Status.NOT_APPLICABLE)]
    assert listed and all("location" in vars(f) for f in listed)
    assert sum("_place" in vars(f) for f in others) > len(others) // 2
    assert 0 < len(here) <= len(listed)
    looked_up = len(here)
    alone = _assess(False, monkeypatch)
    assert [f.location for f in split.findings] == [f.location for f in alone.findings]
    assert len(here) > looked_up


@pytest.mark.skipif(not parallel.can_split(10**9), reason="no fork or one core")
def test_on_two_cores_the_tally_is_counted_as_findings_arrive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Split, each rule's findings are counted as they arrive here; the tally is that of the
    findings after the waivers, as counted at once by one process."""
    from collections import Counter

    real = engine.apply_waivers

    def waiving(found: list[Finding], *args: object) -> tuple[list[Finding], object]:
        result, reports = real(found, *args)  # type: ignore[arg-type]
        fails = [i for i, f in enumerate(result) if f.status is Status.FAIL]
        for i in fails[:3]:  # as a waiver does: a FAIL becomes WAIVED
            result[i] = dataclasses.replace(result[i], status=Status.WAIVED)
        return result, reports

    monkeypatch.setattr(engine, "apply_waivers", waiving)
    counted: list[int] = []
    real_counter = ordering.Counter  # where the run's findings are counted

    def counter(*args: object) -> Counter[object]:
        made = real_counter(*args)  # type: ignore[arg-type]
        counted.append(sum(made.values()))
        return made

    monkeypatch.setattr(ordering, "Counter", counter)
    split = _assess(True, monkeypatch)
    assert max(counted) < len(split.findings)  # never all of them at once
    tally = split.tally()
    assert tally == Counter((f.stack, f.pillar, f.status, f.severity) for f in split.findings)
    assert all(tally.values())
    assert sum(1 for f in split.findings if f.status is Status.WAIVED) == 3
    alone = _assess(False, monkeypatch)
    assert tally == alone.tally() and split.scores == alone.scores


def _refuse(*_: object) -> int:
    raise BlockingIOError(11, "Resource temporarily unavailable")


def test_a_refused_fork_runs_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    # review3: os.fork failing (EAGAIN under a process limit, ENOMEM, seccomp) made assess
    # exit 3 with an internal error; it must fall back to one process and the same findings
    if not parallel.can_split(10**9):
        pytest.skip("fork is unavailable or one core is all there is")
    serial = _assess(False, monkeypatch)
    monkeypatch.setattr(os, "fork", _refuse)
    refused = _assess(True, monkeypatch)
    assert refused.findings == serial.findings
    assert refused.figures == serial.figures


def test_no_split_while_other_threads_run() -> None:
    import threading

    if not parallel.can_split(10**9):
        pytest.skip("fork is unavailable or one core is all there is")
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not parallel.can_split(10**9)  # its locks would be copied into the child
    finally:
        stop.set()
        worker.join()
    assert parallel.can_split(10**9) == (threading.active_count() == 1)  # others may linger


def test_findings_written_out_equal_the_constructors_on_an_organisation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = _assess(False, monkeypatch).findings
    monkeypatch.setattr(engine, "FAST_FINDINGS", False)
    slow = _assess(False, monkeypatch).findings
    assert len(fast) == len(slow) > 100
    assert fast == slow
    for a, b in zip(fast, slow, strict=True):
        assert a.location == b.location  # looked up: the fields are all there now
        assert sorted(vars(a).items(), key=str) == sorted(vars(b).items(), key=str)


def test_fast_outcomes_equal_the_constructors() -> None:
    assert outcome.FAST_OUTCOMES
    target = outcome.Target(TargetKind.COMPONENT, "s", "c", ("components", 0))
    for made, status in [
        (outcome.passed(target, "m", ("replicas",), n=2), Status.PASS),
        (outcome.failed(target, "m", ("replicas",), n=2), Status.FAIL),
        (outcome.unknown(target, "m", ("replicas",), n=2), Status.UNKNOWN),
    ]:
        slow = outcome.Outcome(status, target, "m", {"n": 2}, ("replicas",))
        assert type(made) is outcome.Outcome and made == slow and vars(made) == vars(slow)
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.message = "x"  # type: ignore[misc]
    none = outcome.not_applicable(target, "m")
    assert vars(none) == vars(outcome.Outcome(Status.NOT_APPLICABLE, target, "m", {}, ()))


@pytest.mark.skipif(not parallel.can_split(10**9), reason="no fork or one core")
def test_the_fleets_are_made_here_after_the_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child inherits the context's indexes; the model fleets and latencies are made after
    the fork, in this process only: the rules that read them stay here with the figures."""
    from cellguard.assessments import capacity

    seen: list[bool] = []
    real_fork = parallel._fork

    def fork() -> tuple[int, int, int] | None:
        seen.append(len(capacity._FLEETS) == 0)
        return real_fork()

    monkeypatch.setattr(parallel, "_fork", fork)
    monkeypatch.setattr(capacity, "_FLEETS", type(capacity._FLEETS)())
    split = _assess(True, monkeypatch)
    assert seen == [True]  # not made before the fork
    assert len(capacity._FLEETS) == 1  # made here, for the figures and the rules kept here
    monkeypatch.setattr(capacity, "_FLEETS", type(capacity._FLEETS)())
    assert split.findings == _assess(False, monkeypatch).findings


def test_fleet_rules_are_the_ones_reading_fleets_or_latencies() -> None:
    """Each built-in rule run alone on a fresh graph: those that make the model fleets or the
    journey latencies are kept in this process (:data:`parallel.FLEET_RULES`)."""
    from cellguard.assessments import capacity, latency
    from cellguard.rules.context import RuleContext
    from cellguard.rules.untrusted import outcomes_of

    org = load(EXAMPLE)
    reading = set()
    for rule in builtin_rules():
        graph = build_graph(org)
        list(outcomes_of(rule, RuleContext(graph)))
        if graph in capacity._FLEETS or graph in latency._ROWS:
            reading.add(rule.meta.id)
    assert {"CG-CAP-011", "CG-TIM-008"} <= reading <= parallel.FLEET_RULES
    assert not parallel.FLEET_RULES & parallel.PINNED


def test_one_tally_gives_the_scores_of_the_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import Counter

    from cellguard.assessments.scoring import scores, scores_of

    assessment = _assess(False, monkeypatch)
    found = assessment.findings
    tally = assessment.tally()
    assert tally is assessment.tally()  # counted once
    assert tally == Counter((f.stack, f.pillar, f.status, f.severity) for f in found)
    assert assessment.scores == scores(found)
    for stack, own in assessment.stack_scores().items():
        assert own == scores(f for f in found if f.stack == stack)
    fresh = dataclasses.replace(assessment, findings=found[:10])  # not carried over
    assert sum(fresh.tally().values()) == 10
    assert scores_of({}) == scores([])
