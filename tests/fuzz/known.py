"""Known failures: defects other engineers are fixing (issue 14), matched by signature.

A run reports these in its summary without failing, so ``make test`` stays green while the
fixes land; ``make fuzz`` (``CELLGUARD_FUZZ_KNOWN=fail``) fails on them too (see
:mod:`tests.fuzz.campaign`). Each entry names the area (the part of issue 14 fixing it) and matches
as narrowly as it can: the family, the kind of violation, the mutation. Remove
an entry once its fix has landed: a matcher that no longer matches anything hides nothing, but
a stale one could hide a regression.
"""

from __future__ import annotations

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


KNOWN: tuple[Known, ...] = ()
"""Known defects that still reproduce, by the part of issue 14 that fixes them. Entries whose
fixes have landed are removed (the history of this file lists them)."""


def classify(case: Case, violation: Violation) -> Known | None:
    """The known defect that explains ``violation`` in ``case``, if any."""
    return next((k for k in KNOWN if k.matches(case, violation)), None)
