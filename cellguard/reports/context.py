"""What a report shows besides the assessment: a ``check`` run's baseline and threshold, the graph
for diagrams, and the last sign-off. Renderers import this module; :mod:`.formats` imports the
renderers (one way)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cellguard.models.findings import Finding, Severity, Status

if TYPE_CHECKING:
    from cellguard.assessments.graph import StackGraph
    from cellguard.assessments.scoring import Score


@dataclass(frozen=True)
class SignoffBlock:
    """The last sign-off of the assessed spec, shown in the HTML report's sign-off block.

    ``problems`` says whether it still verifies: ``()`` it does, else why not, as pairs of a
    kind (spec changed, findings changed, record edited, chain broken, ...) and an explanation
    (the report shows them in a red banner); None when it was not checked.
    """

    reviewer: str
    decision: str
    date: str
    spec_sha256: str
    findings_sha256: str
    comment: str | None = None
    record: str | None = None
    problems: tuple[tuple[str, str], ...] | None = None

    @property
    def verified(self) -> bool:
        """Checked, and it still verifies."""
        return self.problems == ()


@dataclass(frozen=True)
class ReportContext:
    """What a report shows besides the assessment.

    ``baselined`` holds the fingerprints of failing findings that the baseline already had:
    reports mark them as such and ``check`` does not fail on them. ``fail_on`` is the
    threshold of a ``check`` run (None for ``assess``). ``baseline_scores`` (when a baseline
    was given) lets reports show score deltas; ``signoff`` fills the HTML sign-off block.
    ``graph`` is the assessed organisation graph: the markdown (Mermaid) and HTML (SVG)
    reports draw it and leave the diagram out when it is None. ``top`` caps the findings a
    PR comment lists in full.
    """

    baselined: frozenset[str] = frozenset()
    fail_on: Severity | None = None
    baseline_scores: dict[str, Score] | None = None
    signoff: SignoffBlock | None = None
    min_severity: Severity | None = None
    include_passed: bool = False
    graph: StackGraph | None = None
    top: int = 10

    def is_baselined(self, finding: Finding) -> bool:
        """A failing finding the baseline already had."""
        return finding.status is Status.FAIL and finding.fingerprint in self.baselined

    def blocking(self, finding: Finding) -> bool:
        """A FAIL at or above ``fail_on`` that is not baselined (``check`` fails on it).

        With no ``fail_on`` every new FAIL blocks.
        """
        if finding.status is not Status.FAIL or self.is_baselined(finding):
            return False
        return self.fail_on is None or finding.severity.rank >= self.fail_on.rank
