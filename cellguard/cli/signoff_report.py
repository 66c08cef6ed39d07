"""The sign-off block of an HTML report, for ``assess`` and ``check``.

Only an HTML report of a single spec shows one; every other run of those commands is spared
importing the sign-off command's modules (records, signatures, the store, verification:
15-20 ms of each run's start, issue 21 item 5).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from cellguard.reports.formats import ReportFormat

if TYPE_CHECKING:
    from cellguard.reports.formats import SignoffBlock
    from cellguard.rules.engine import Assessment


def report_signoff(
    paths: list[Path], formats: list[ReportFormat] | None, assessment: Assessment
) -> SignoffBlock | None:
    """The sign-off block of an HTML report of a single PATH, with whether it still verifies."""
    if ReportFormat.HTML not in (formats or []) or len(paths) != 1:
        return None
    from cellguard.cli.signoff_cmd import ALLOWED_SIGNERS_ENV, check_signoff

    allowed = os.environ.get(ALLOWED_SIGNERS_ENV)
    signers = Path(allowed) if allowed else None
    return check_signoff(paths[0], assessment, allowed_signers=signers).block()
