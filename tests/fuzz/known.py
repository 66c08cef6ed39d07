"""Known failures: defects other engineers are fixing (issue 14), matched by signature.

A run reports these in its summary without failing, so ``make test`` stays green while the
fixes land; ``make fuzz`` (``CELLGUARD_FUZZ_KNOWN=fail``) fails on them too (see
:mod:`tests.fuzz.campaign`). Each entry names the area (the part of issue 14 fixing it) and matches
as narrowly as it can: the family, the kind of violation, the command and the evidence. Remove
an entry once its fix has landed: a matcher that no longer matches anything hides nothing, but
a stale one could hide a regression.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.fuzz.oracle import Violation

if TYPE_CHECKING:
    from tests.fuzz.families import Case


@dataclass(frozen=True)
class Known:
    """A known defect: the area fixing it, what it is, and which violations it explains."""

    area: str
    what: str
    matches: Callable[[Case, Violation], bool]


CRASHES = frozenset(
    {"exit-3", "memory", "timeout", "signal", "uncaught-exception", "exit-code", "harness"}
)
"""Kinds of violation where the command did not end by itself with 0, 1 or 2."""
INJECTED = frozenset(
    {
        "escape-sequences",
        "invisible-characters",
        "nul",
        "newlines",
        "random-text",
        "control-escape",
        "control-key",
        "date-escape",
        "byte",
        "surrogate",
    }
)
"""Kinds of hostile value that put control or bidi characters into a case."""


def _value_kind(case: Case) -> str:
    value = case.mutation.value
    return value.kind if value is not None else ""


def _argv(case: Case) -> str:
    return "\n".join(" ".join(inv.argv) for inv in case.invocations)


def _injected(case: Case) -> bool:
    """Whether the case put control, bidi or undecodable characters into an input."""
    kind = _value_kind(case)
    return (
        kind in INJECTED
        or kind.startswith("key control")
        or case.mutation.op in ("flip-bit", "insert-byte", "utf-16", "utf-32", "latin-1")
        or any(c in _argv(case) for c in "\x1b\u202e\u009b")
    )


def _today_unnamed(case: Case, v: Violation) -> bool:
    return v.kind == "unlocated-error" and "invalid date" in v.detail


def _dangling_output(case: Case, v: Violation) -> bool:
    return v.kind in ("overwrote", "wrote-on-failure") and v.evidence.startswith("was link:")


def _echo(family: str) -> Callable[[Case, Violation], bool]:
    def matches(case: Case, v: Violation) -> bool:
        return v.kind == "echo-unbounded" and (case.family == family or family == "*")

    return matches


def _family_fault(family: str, kinds: frozenset[str]) -> Callable[[Case, Violation], bool]:
    def matches(case: Case, v: Violation) -> bool:
        return case.family == family and v.kind in kinds

    return matches


def _non_finite(case: Case, v: Violation) -> bool:
    if v.kind == "invalid-json" and "non-finite" in v.detail:
        return True
    numeric = _value_kind(case) in ("non-finite", "huge-number", "tiny-number", "negative")
    return numeric and v.kind in CRASHES and case.family in ("spec", "org", "waivers")


def _replicas(case: Case, v: Violation) -> bool:
    at_replicas = re.search(r"replicas$", case.mutation.where) is not None
    return (at_replicas and v.kind in CRASHES) or "exceed the analysis limit" in v.evidence


KNOWN: tuple[Known, ...] = (
    Known(
        "baselines-dates-outputs",
        "a crash on a damaged or unbounded baseline",
        _family_fault("baseline", CRASHES),
    ),
    Known(
        "baselines-dates-outputs",
        "an invalid --today is reported without naming the option",
        _today_unnamed,
    ),
    Known(
        "baselines-dates-outputs",
        "a dangling symlink at an -o path is replaced without --force",
        _dangling_output,
    ),
    Known(
        "baselines-dates-outputs",
        "a waiver date that is not YYYY-MM-DD is accepted",
        lambda case, v: v.kind == "accepted-bad-input" and case.family == "waivers",
    ),
    Known("baselines-dates-outputs", "echoed values are not shortened", _echo("spec")),
    Known("baselines-dates-outputs", "echoed values are not shortened", _echo("org")),
    Known("baselines-dates-outputs", "echoed values are not shortened", _echo("waivers")),
    Known("baselines-dates-outputs", "echoed values are not shortened", _echo("baseline")),
    Known("non-finite-numbers", "non-finite or overflowing numbers", _non_finite),
    Known(
        "inert-text",
        "control characters from the input reach an output",
        lambda case, v: v.kind == "control-character" and _injected(case),
    ),
    Known(
        "mef-reader",
        "the MEF reader crashes, is unbounded or reports without a line",
        _family_fault("mef", CRASHES | {"unlocated-error", "echo-unbounded", "external-entity"}),
    ),
    Known(
        "rule-packs",
        "a rule pack crashes, misbehaves or is reported without a location",
        _family_fault(
            "packs",
            CRASHES
            | {
                "unlocated-error",
                "echo-unbounded",
                "huge-output",
                "missing-output",
                "wrote-on-failure",
            },
        ),
    ),
    Known("replica-counts", "assessment time and memory grow with replica counts", _replicas),
    Known(
        "signoff-integrity",
        "a tampered sign-off store verifies, or a damaged record is reported badly",
        lambda case, v: (
            v.kind == "tamper-accepted"
            or (
                case.family == "signoff"
                and v.kind in CRASHES | {"unlocated-error", "echo-unbounded"}
            )
        ),
    ),
)
"""Known defects, by the part of issue 14 that fixes them."""


def classify(case: Case, violation: Violation) -> Known | None:
    """The known defect that explains ``violation`` in ``case``, if any."""
    return next((k for k in KNOWN if k.matches(case, violation)), None)
