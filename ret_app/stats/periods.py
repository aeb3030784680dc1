"""Periods for statistics: months, quarters and years, with Dutch labels and their bounds.

    last_periods("quarter", 4)          # the last four quarters up to today (oldest first)
    period = Period.parse("2026-Q1")    # what an API query or a form passes: 2026-03 / 2026-Q1 / 2026
    period.start, period.end            # 1 January 2026, 31 March 2026 (both in the period)
    period.label, period.short_label    # "1e kwartaal 2026", "K1 2026"
    lo, hi = period.moments()           # aware UTC moments: lo <= submitted_at < hi

Days are days in the Netherlands (``ret_app.kernel.dates``): a case submitted on 31 March at 23:30
Dutch time belongs to March, whatever the server's clock says; ``moments()`` gives the UTC bounds for
a query on a stored moment. No period is finer than a month: that is as fine as RET's statistics go.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Optional, Union

from ret_app.kernel import dates

# As many periods as one view or API answer may ask for: ten years of months.
MAX_PERIODS = 120

MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december")
MONTH_SHORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

_KEY = re.compile(r"^(?P<year>[0-9]{4})(?:-(?:(?P<month>[0-9]{2})|[Qq](?P<quarter>[1-4])))?$")


class PeriodKind(str, Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.value]

    @property
    def label(self) -> str:
        return {"month": "maand", "quarter": "kwartaal", "year": "jaar"}[self.value]


KindLike = Union[PeriodKind, str]


def kind_of(kind: KindLike) -> PeriodKind:
    """A PeriodKind from itself or its value ("month", "quarter", "year"); ValueError otherwise."""
    try:
        return PeriodKind(kind)
    except ValueError:
        raise ValueError(f"unknown period kind: {str(kind)[:20]!r} (month, quarter or year)") from None


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, quarter or year: ``start`` is its first day (ordering is by start)."""

    start: date
    kind: PeriodKind

    def __post_init__(self):
        kind = kind_of(self.kind)
        object.__setattr__(self, "kind", kind)
        if self.start.day != 1 or (self.start.month - 1) % kind.months:
            raise ValueError(f"{self.start} does not start a {kind.value}")

    # --- construction ----------------------------------------------------------------------------

    @classmethod
    def containing(cls, kind: KindLike, day: date) -> "Period":
        kind = kind_of(kind)
        month = (day.month - 1) // kind.months * kind.months + 1
        return cls(date(day.year, month, 1), kind)

    @classmethod
    def parse(cls, key: str, kind: Optional[KindLike] = None) -> "Period":
        """A period from its key: "2026-03" (month), "2026-Q1" (quarter) or "2026" (year). With
        ``kind``, the key must be of that kind. ValueError for anything else (API: a 400)."""
        match = _KEY.fullmatch(key.strip()) if isinstance(key, str) and len(key) <= 10 else None
        if not match:
            raise ValueError(f"not a period: {str(key)[:20]!r} (e.g. 2026-03, 2026-Q1 or 2026)")
        year = int(match["year"])
        if not 1900 <= year <= 9998:
            raise ValueError(f"year out of range: {year}")
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValueError(f"month out of range: {month}")
            period = cls(date(year, month, 1), PeriodKind.MONTH)
        elif match["quarter"]:
            period = cls(date(year, 3 * int(match["quarter"]) - 2, 1), PeriodKind.QUARTER)
        else:
            period = cls(date(year, 1, 1), PeriodKind.YEAR)
        if kind is not None and period.kind is not kind_of(kind):
            raise ValueError(f"{key} is not a {kind_of(kind).value}")
        return period

    # --- what it is ------------------------------------------------------------------------------

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def end(self) -> date:
        """The last day in the period."""
        return self.next().start - timedelta(days=1)

    @property
    def key(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{self.quarter}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        """Dutch, written out: "maart 2026", "1e kwartaal 2026", "2026"."""
        if self.kind is PeriodKind.MONTH:
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.quarter}e kwartaal {self.start.year}"
        return str(self.start.year)

    @property
    def short_label(self) -> str:
        """Dutch, short (chart axes): "mrt 2026", "K1 2026", "2026"."""
        if self.kind is PeriodKind.MONTH:
            return f"{MONTH_SHORT[self.start.month - 1]} {self.start.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"K{self.quarter} {self.start.year}"
        return str(self.start.year)

    def __str__(self) -> str:
        return self.label

    def contains(self, day: Union[date, datetime]) -> bool:
        """Whether a day (or an aware moment, taken as its day in the Netherlands) falls in it."""
        if isinstance(day, datetime):
            day = dates.local_date(day)
        return self.start <= day <= self.end

    def moments(self) -> tuple[datetime, datetime]:
        """Aware UTC bounds of the period in Dutch time: ``lo <= moment < hi``."""
        return _midnight_utc(self.start), _midnight_utc(self.next().start)

    # --- neighbours ------------------------------------------------------------------------------

    def shifted(self, steps: int) -> "Period":
        months = self.start.year * 12 + self.start.month - 1 + steps * self.kind.months
        return Period(date(months // 12, months % 12 + 1, 1), self.kind)

    def next(self) -> "Period":
        return self.shifted(1)

    def previous(self) -> "Period":
        return self.shifted(-1)


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (earlier when negative); the month's last day when
    that month is shorter (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=dates.AMSTERDAM).astimezone(timezone.utc)


def last_periods(kind: KindLike, n: int, *, today: Optional[date] = None,
                 complete_only: bool = False) -> list[Period]:
    """The last ``n`` periods up to today, oldest first. The last one is the running period (which
    holds today), or with ``complete_only`` the last one that has ended."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_PERIODS:
        raise ValueError(f"the number of periods must be 1 to {MAX_PERIODS}")
    current = Period.containing(kind, today or dates.today())
    if complete_only:
        current = current.previous()
    return [current.shifted(-i) for i in range(n - 1, -1, -1)]


def periods_between(kind: KindLike, first: Union[date, Period], last: Union[date, Period]) -> list[Period]:
    """Every period of ``kind`` from the one holding ``first`` to the one holding ``last``
    (inclusive, oldest first). ValueError when last is before first or there are too many."""
    start = Period.containing(kind, first.start if isinstance(first, Period) else first)
    end = Period.containing(kind, last.end if isinstance(last, Period) else last)
    if end < start:
        raise ValueError("the last period is before the first")
    count = ((end.start.year - start.start.year) * 12 + end.start.month - start.start.month) // start.kind.months + 1
    if count > MAX_PERIODS:
        raise ValueError(f"more than {MAX_PERIODS} periods")
    return [start.shifted(i) for i in range(count)]
