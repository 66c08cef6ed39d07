"""Importing a command with the cycle collector off (issue 21 item 5)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from cellguard.models.collector import paused


def importing() -> AbstractContextManager[None]:
    """Import a command's modules with the cycle collector off, as it was afterwards.

    Importing what ``assess`` needs allocates some 80,000 objects that live as long as the
    process (pydantic's models and validators above all); the collector's 118 automatic
    passes over them while they were made took 13-18% of the imports' CPU (75-105 ms). What
    was imported then goes to the oldest generation unscanned (``freeze``, ``unfreeze``):
    otherwise the first allocation afterwards would scan all of it as young.
    """
    return paused()
