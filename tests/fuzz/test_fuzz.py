"""Structure-aware fuzzing of every command that reads user input (issue 14).

One test per input family (see :mod:`tests.fuzz.families`): hypothesis draws a seed, a mutation
and a command line; :class:`~tests.fuzz.campaign.Campaign` runs it in a limited child process
and applies the oracle (:mod:`tests.fuzz.oracle`). Violations are collected rather than raised,
so one run finds every distinct failure instead of stopping at the first; the test fails at the
end if any violation is not a known one (:mod:`tests.fuzz.known`). ``make test`` runs a bounded,
derandomised budget; ``make fuzz`` runs at length (``CELLGUARD_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz import config_family, families, trust_families
from tests.fuzz.campaign import Campaign, budget, known_fail
from tests.fuzz.families import Case
from tests.fuzz.known import classify

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks a child per case"),
]

STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    "spec": families.spec_case,
    "org": families.org_case,
    "waivers": families.waiver_case,
    "baseline": families.baseline_case,
    "mef": families.mef_case,
    "packs": trust_families.packs_case,
    "signoff": trust_families.signoff_case,
    "config": config_family.config_case,
}


def _campaign(family: str, base: Path, artifacts: Path) -> list[str]:
    """Run the family's budget of cases; the violations that fail the test (not known ones,
    unless ``CELLGUARD_FUZZ_KNOWN=fail``), each with its case."""
    campaign = Campaign(family, base, artifacts)
    failures: list[str] = []
    chosen = os.environ.get("CELLGUARD_FUZZ_SEED")

    @settings(
        max_examples=budget(family),
        derandomize=chosen is None,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=STRATEGIES[family]())
    def run(case: Case) -> None:
        for violation in campaign.run(case):
            known = classify(case, violation)
            if known is None or known_fail():
                failures.append(f"{violation.signature}  <- {case.describe()[:300]}")

    if chosen is not None:
        run = seed(int(chosen))(run)
    run()
    return failures


@pytest.mark.parametrize("family", sorted(STRATEGIES))
def test_fuzz(family: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No case of the family breaks the oracle (beyond known, being-fixed defects)."""
    artifacts = tmp_path_factory.getbasetemp() / "fuzz-artifacts"
    failures = _campaign(family, tmp_path_factory.mktemp(f"fuzz-{family}"), artifacts)
    distinct = sorted({f.split("  <- ")[0]: f for f in failures}.values())
    what = "known and new" if known_fail() else "new"
    assert not distinct, f"{len(distinct)} {what} failure signature(s):\n" + "\n".join(distinct)
