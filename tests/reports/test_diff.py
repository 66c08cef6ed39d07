"""The diff of two assessments: findings by fingerprint, score and journey deltas, renderings."""

from __future__ import annotations

import json
import math

import pytest

from cellguard.models.findings import Status
from cellguard.reports.diff import DiffFormat, diff_assessments
from cellguard.reports.diff_text import render_diff
from cellguard.rules.engine import Assessment
from tests.helpers import BASE_STACK
from tests.reports.report_fixtures import ONE_ZONE, assess_text


@pytest.fixture(scope="module")
def pair() -> tuple[Assessment, Assessment]:
    return assess_text(BASE_STACK), assess_text(ONE_ZONE)


def test_identical_inputs_have_an_empty_diff(pair: tuple[Assessment, Assessment]) -> None:
    base, _ = pair
    diff = diff_assessments(base, assess_text(BASE_STACK), old_label="a", new_label="b")
    assert diff.new == diff.resolved == diff.severity_changed == ()
    assert all(s.delta in (0.0, None) for s in diff.scores)
    assert [(j.stack, j.journey) for j in diff.journeys] == [("demo", "chat")]
    assert diff.journeys[0].nines_delta == 0.0 and diff.journeys[0].downtime_delta == 0.0


def test_a_worse_spec_shows_new_findings_and_lower_availability(
    pair: tuple[Assessment, Assessment],
) -> None:
    base, worse = pair
    diff = diff_assessments(base, worse, old_label="base", new_label="worse")
    before = {f.fingerprint for f in base.findings if f.status is Status.FAIL}
    after = {f.fingerprint for f in worse.findings if f.status is Status.FAIL}
    assert {c.fingerprint for c in diff.new} == after - before != set()
    assert {c.fingerprint for c in diff.resolved} == before - after
    assert (diff.failing_old, diff.failing_new) == (len(before), len(after))
    assert all(c.old_severity is None and c.new_severity is not None for c in diff.new)
    ranks = [c.sort_key for c in diff.new]
    assert ranks == sorted(ranks)  # worst first, then rule
    overall = next(s for s in diff.scores if s.key == "overall")
    assert overall.old is not None and overall.new is not None
    assert overall.delta == round(overall.new - overall.old, 1) < 0
    [journey] = diff.journeys
    assert journey.old is not None and journey.new is not None
    old_j = base.figures.journeys[0] if base.figures else None
    new_j = worse.figures.journeys[0] if worse.figures else None
    assert old_j is not None and new_j is not None
    assert journey.nines_delta == pytest.approx(new_j.nines - old_j.nines)
    assert journey.downtime_delta == pytest.approx(
        (new_j.unavailability - old_j.unavailability) * 8766 * 60
    )
    assert journey.nines_delta is not None and journey.nines_delta < 0


def test_renderings_agree_and_are_deterministic(pair: tuple[Assessment, Assessment]) -> None:
    base, worse = pair
    diff = diff_assessments(base, worse, old_label="base", new_label="worse")
    data = json.loads(render_diff(diff, DiffFormat.JSON))
    assert data["summary"]["new"] == len(diff.new)
    assert [f["rule"] for f in data["new_findings"]] == [c.rule for c in diff.new]
    for value in (data["journeys"][0]["nines_delta"], data["journeys"][0]["old"]["nines"]):
        assert isinstance(value, float) and math.isfinite(value)
    table = render_diff(diff, DiffFormat.TABLE)
    markdown = render_diff(diff, DiffFormat.MARKDOWN)
    for change in diff.new:
        assert change.rule in table and f"`{change.rule}`" in markdown
    assert f"New findings ({len(diff.new)})" in table
    assert "| demo/chat |" in markdown
    again = diff_assessments(base, worse, old_label="base", new_label="worse")
    for fmt in DiffFormat:
        assert render_diff(again, fmt) == render_diff(diff, fmt)


def test_markdown_cells_are_escaped() -> None:
    from cellguard.reports.diff_text import _md

    assert _md("a|b\n<c>") == "a\\|b &lt;c&gt;"
