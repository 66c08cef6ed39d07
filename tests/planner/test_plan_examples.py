"""Plan every example, assess the target through the real loader, and check the promises:
every finding a change says it resolves no longer fails, the overall score does not drop (nor
any pillar's upper score), planning the target changes nothing."""

from __future__ import annotations

from pathlib import Path

from cellguard.models.findings import Status
from cellguard.models.loader import load
from tests.planner.conftest import Planned, assess, plan_of, write_targets


def _status(assessment: object, fingerprint: str) -> Status | None:
    found = [f.status for f in assessment.findings if f.fingerprint == fingerprint]  # type: ignore[attr-defined]
    return found[0] if found else None


def test_target_resolves_every_promised_finding(planned: Planned, tmp_path: Path) -> None:
    result = planned.plan
    after = assess(load(write_targets(result, tmp_path)))
    before_score = planned.before.scores["overall"].score
    after_score = after.scores["overall"].score
    print(f"\n{planned.path.name}: overall {before_score} -> {after_score}")
    for j in result.journeys:
        print(f"  {j.stack}/{j.journey}: {j.nines_before:.2f} -> {j.nines_after:.2f} nines")
    for u in result.unresolved:
        print(f"  still FAIL {u.finding.rule} {u.finding.stack}/{u.finding.target}: {u.reason}")
    promised = [r for c in result.changes for r in c.resolves] + list(result.side_effects)
    failing_before = {f.fingerprint for f in planned.before.by_status(Status.FAIL)}
    if failing_before:
        assert promised, "a plan for a failing spec resolves something"
    for ref in promised:
        assert _status(after, ref.fingerprint) is not Status.FAIL, ref
    assert before_score is not None and after_score is not None
    assert after_score >= before_score
    # Per pillar, the plan never adds failing weight (the upper score, UNKNOWN counted as
    # passing, does not drop); what it adds may still be UNKNOWN (a router in front of a
    # service whose own calls do not declare their retries), which the headline counts.
    for pillar, score in planned.before.scores.items():
        if score.upper is not None:
            assert (after.scores[pillar].upper or 0.0) >= score.upper, pillar
    # the plan reports what re-assessment finds
    assert after_score == result.scores_after["overall"].score
    assert len(after.by_status(Status.FAIL)) == result.failing_after
    assert {u.finding.fingerprint for u in result.unresolved} == {
        f.fingerprint for f in after.by_status(Status.FAIL)
    }
    assert not result.new_failures


def test_every_change_is_tied_to_a_finding_and_edits_the_spec(planned: Planned) -> None:
    failing = {f.fingerprint for f in planned.before.by_status(Status.FAIL)}
    for change in planned.plan.changes:
        assert change.edits
        assert change.resolves == (change.finding,)
        # a finding that failed before, or one an earlier change caused and this one fixes
        assert change.finding.fingerprint in failing or change.resolves
        for edit in change.edits:
            assert edit.before != edit.after


def test_journeys_do_not_lose_nines(planned: Planned) -> None:
    for j in planned.plan.journeys:
        assert j.nines_after >= j.nines_before - 1e-9, (j.stack, j.journey)
        assert j.downtime_hours_after <= j.downtime_hours_before + 1e-9


def test_planning_the_target_changes_nothing(planned: Planned, tmp_path: Path) -> None:
    target = write_targets(planned.plan, tmp_path / "target")
    again = plan_of(target)
    assert again.plan.changes == ()
    assert dict(again.plan.targets) == dict(planned.plan.targets)  # byte-identical YAML
    assert again.plan.failing_after == planned.plan.failing_after


def test_cell_based_components_have_cells_in_every_region_they_run_in(
    planned: Planned, tmp_path: Path
) -> None:
    """A target that serves from a recovery region places its cells there too (saas-finetune
    used to claim active_active with every cell in us-east-1)."""
    from cellguard.models.loader import load
    from cellguard.models.stack import Stack

    target = load(write_targets(planned.plan, tmp_path))
    for loaded in target.documents:
        doc = loaded.document
        if not isinstance(doc, Stack):
            continue
        region_of = {c.id: c.region for c in doc.topology.cells}
        for comp in doc.components:
            placement = comp.placement
            if placement is None or not placement.cells or not placement.regions:
                continue
            cell_regions = {region_of[c] for c in placement.cells}
            assert cell_regions == set(placement.regions), (doc.metadata.name, comp.id)
