"""Dates as cellguard reads them: ISO ``YYYY-MM-DD`` and nothing else.

pydantic's lax date parsing takes a number as a Unix timestamp (``expires: 86400`` would be
1970-01-02), a string of digits likewise, and a date-time at midnight as its date. A spec date
is a calendar day someone wrote down, so anything but ``YYYY-MM-DD`` is an input error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
"""The only accepted form of a date (checked with ``fullmatch``)."""


def _detail(value: Any) -> str:
    """Why a value is not a date, for the end of the message ("" when its display says it)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return ", got a number (a timestamp is not a date)"
    if isinstance(value, dt.datetime) or (
        isinstance(value, str) and ISO_DATE.match(value) is not None
    ):
        return ", got a date and time"
    return ""


def _iso_date(value: Any) -> Any:
    """Let a ``YYYY-MM-DD`` string (or a ``datetime.date``) through to pydantic's date parsing,
    which checks the calendar; refuse anything else."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError(
        "date_format",
        "Input should be a valid date, expected YYYY-MM-DD{detail}",
        {"detail": _detail(value)},
    )


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A spec date: ``YYYY-MM-DD`` only (no timestamps, no times, no other ISO forms)."""


def parse_iso_date(text: str) -> dt.date:
    """``text`` as a date if it is ``YYYY-MM-DD`` and a real calendar day; ``ValueError``
    (with the reason) otherwise."""
    if not ISO_DATE.fullmatch(text):
        raise ValueError("not written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
