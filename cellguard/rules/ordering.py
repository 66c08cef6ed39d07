"""The order of a run's findings and their tally, made a rule at a time (issue 21 item 5).

A run yields 118,000 findings at 10,000 components: each rule's findings are sorted by stack
and target where the rule ran (:func:`by_place`; on two cores, in the process that evaluated
it), so that :func:`sorted_findings` only puts the runs in pillar and rule order; and
:class:`Tallies` counts each rule's findings as they arrive, while the child of
:mod:`.parallel` still evaluates rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import groupby
from operator import attrgetter

from cellguard.models.findings import Finding, Pillar, Severity, Status

_PILLAR_ORDER = {p: i for i, p in enumerate(Pillar)}

_PILLAR_RULE = attrgetter("pillar", "rule")
STACK_TALLY_KEY = attrgetter("stack", "pillar", "status", "severity")
"""A finding's stack and :data:`~cellguard.assessments.scoring.TALLY_KEY`."""
TallyKey = tuple[str, Pillar, Status, Severity]


_SHOWN = frozenset({Status.FAIL, Status.UNKNOWN})
"""Statuses a report lists by default whose findings have a place in the user's files (with
WAIVED, a FAIL a waiver matched, and ERROR, which has none)."""


def located(found: list[Finding]) -> None:
    """Look up now the locations of those of ``found`` a report lists by default: on two
    cores, this process does it while the child evaluates rules (:mod:`.parallel`), instead
    of while the report is written (43,600 of the 118,000 findings of 10,000 components,
    0.2-0.25 s). The child leaves them to this process: there, looking them up copied the
    pages of the loaded documents it touched."""
    for finding in found:
        if finding.status in _SHOWN:
            finding.location  # noqa: B018  # looked up and kept (Finding.__getattr__)


class Tallies:
    """The :meth:`Assessment.tally` of a run counted a rule's findings at a time: on two cores
    as each rule's findings arrive in this process while the child evaluates rules
    (:meth:`arrived`), instead of over all 118,000 findings of 10,000 components once the
    rules are done (0.05-0.1 s)."""

    def __init__(self) -> None:
        self.counts: dict[int, tuple[list[Finding], Counter[TallyKey]]] = {}

    def arrived(self, found: list[Finding]) -> None:
        """Count ``found`` now (and look up the locations a report lists, :func:`located`)."""
        located(found)
        self.counts[id(found)] = (found, Counter(map(STACK_TALLY_KEY, found)))

    def total(
        self, runs: list[list[Finding]], made: list[Finding], waived: list[Finding]
    ) -> Counter[TallyKey]:
        """The tally of ``waived``: ``made`` (the runs' findings in order) after the waivers,
        which replaced some of them (a FAIL became WAIVED, or got a note)."""
        if not self.counts or len(made) != len(waived):  # one process: counted at once
            return Counter(map(STACK_TALLY_KEY, waived))
        tally: Counter[TallyKey] = Counter()
        for run in runs:
            known = self.counts.get(id(run))
            tally.update(
                known[1] if known is not None and known[0] is run else map(STACK_TALLY_KEY, run)
            )
        for before, after in zip(made, waived, strict=True):
            if before is not after:
                old = STACK_TALLY_KEY(before)
                tally[old] -= 1
                if not tally[old]:
                    del tally[old]
                tally[STACK_TALLY_KEY(after)] += 1
        return tally


def sorted_findings(findings: list[Finding], runs: list[int] | None = None) -> list[Finding]:
    """``findings`` sorted stably by pillar, rule, stack and target.

    Each rule's findings are gathered in order, the groups put in pillar and rule order and
    each sorted by stack and target: the order of one stable sort on all four, without a key
    tuple per finding built and compared (a run yields 118,000 at 10,000 components). The
    findings come a rule at a time: each run of one pillar and rule is gathered at once.

    ``runs``, when given, are the lengths of the consecutive runs ``findings`` is made of,
    each of one rule's findings already sorted by stack and target (:func:`by_place`, done
    where the rule ran: on two cores, :mod:`.parallel`): those are put in order as they are,
    and only the runs of a rule that occurs twice are merged and sorted again (a stable sort
    of runs each sorted stably gives what one stable sort of them all gives)."""
    gathered = groupby(findings, key=_PILLAR_RULE) if runs is None else _runs(findings, runs)
    groups: dict[tuple[int, str], list[Finding]] = {}
    merged: set[tuple[int, str]] = set()
    for (pillar, rule), run in gathered:
        key = (_PILLAR_ORDER[pillar], rule)
        group = groups.get(key)
        if group is None:
            groups[key] = list(run)
        else:
            group.extend(run)
            merged.add(key)
    result: list[Finding] = []
    for key in sorted(groups):
        group = groups[key]
        result.extend(group if runs is not None and key not in merged else by_place(group))
    return result


def _runs(
    findings: list[Finding], runs: list[int]
) -> Iterator[tuple[tuple[Pillar, str], list[Finding]]]:
    """``findings`` cut into runs of the given lengths, each with its pillar and rule (a
    rule's findings share them: the rule engine sets them from its metadata, a crash finding too)."""
    start = 0
    for size in runs:
        if size:
            run = findings[start : start + size]
            yield _PILLAR_RULE(run[0]), run
            start += size
    if start != len(findings):
        raise ValueError(f"runs of {start} findings for {len(findings)}")


_BY_PLACE = attrgetter("stack", "target")


def by_place(findings: list[Finding]) -> list[Finding]:
    """``findings`` sorted stably by stack and target."""
    return sorted(findings, key=_BY_PLACE)
