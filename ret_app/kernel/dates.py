"""Time: stored as timezone-aware UTC, counted and shown in the Netherlands.

There is one "today" in RET: the calendar day in Europe/Amsterdam (`today()`). Mandates are valid
per day, deadlines count Dutch working days and due dates are Dutch dates, so the server's own
time zone never matters (tests/test_structure.py fails on the server's date or a naive "now"
anywhere in the application).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    """Now, as an aware UTC moment (what the database stores)."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today in the Netherlands: the one "today" of the application."""
    return datetime.now(AMSTERDAM).date()


def local_date(moment: datetime) -> date:
    """The calendar day of an aware moment in the Netherlands."""
    return moment.astimezone(AMSTERDAM).date()


def local_datetime(moment: datetime) -> datetime:
    """An aware moment as wall-clock time in the Netherlands."""
    return moment.astimezone(AMSTERDAM)
