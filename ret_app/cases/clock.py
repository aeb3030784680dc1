"""Norm clocks: deadlines counted in Dutch working days, shifted by pauses.

Pure calculation (no database, no Flask, no reading of the system clock: ``today`` is
always a parameter) so the case services, dashboards and exports all agree on one answer
and it can be tested exhaustively.

Working days
------------
Monday to Friday, except the public holidays of the Netherlands as given by the pinned
``holidays`` package (category "public"), adjusted by a :class:`WorkCalendar`:

* Counted as days off: New Year's Day, Easter Monday, King's Day (27 April, or Saturday
  26 April when the 27th is a Sunday, so that shift never touches a working day),
  Ascension Day, Whit Monday, Christmas Day and Boxing Day. Easter Sunday and Whit Sunday
  are Sundays anyway.
* Good Friday is in the package's public list, but it is not a general day off in the
  Netherlands; it is *excluded* by default (``good_friday=False``).
* Liberation Day (5 May) is a national holiday but, in most collective agreements
  (including government), a paid day off only in lustrum years (2025, 2030, ...). By
  default it is a day off only when ``year % 5 == 0`` (the package agrees: it lists 5 May
  as "public" in those years and as "optional" otherwise); ``liberation_day_every_year=True``
  makes it a day off every year.
* ``extra_closed_days`` lets a region add its own closing days (e.g. between Christmas and
  New Year).

We compute Good Friday (Easter - 2) and 5 May ourselves rather than matching the package's
holiday names, so a translation or renaming in a future ``holidays`` release cannot
silently change deadlines; tests pin the full 2026-2028 calendars.

Counting
--------
* A norm of *n* working days from ``start`` counts from the day AFTER ``start``: a referral
  submitted on Friday with n=1 is due the following Monday. The start day itself never
  counts (it is usually partly gone).
* n=0 means "due on ``start`` if that is a working day, else on the next working day".
* :func:`working_days_between` counts working days in ``(start, end]``, and is negative
  (``-working_days_between(end, start)``) when ``end < start``. For n >= 1,
  ``working_days_between(d, add_working_days(d, n)) == n`` for every day ``d``.

Pauses (opschorting)
--------------------
A pause is a half-open range of days ``[start, end)``: it starts on the day the case is
paused and ``end`` is the day it is resumed (work continues that day, so that day is not
paused). An open pause (``end=None``) covers up to and including ``today``; that gives the
same answer as if it were resumed tomorrow, so the numbers do not jump when it is resumed.

The product rule is that a pause shifts every deadline by its length, not just sets a
flag. Concretely, a deadline is the n-th working day after ``start`` that is not paused.
Equivalently: every pause that begins on or before the (running, already shifted)
deadline pushes it by the number of the clock's working days it covered; a pause that
starts after the deadline has passed does not move it; overlapping pauses are merged so
no day is counted twice; paused days before or on the clock's start do not count (they
were not part of this clock). A case that is paused right now is never overdue.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import easter

ONE_DAY = timedelta(days=1)

# A norm longer than one working year is a configuration mistake, not a policy.
MAX_NORM_DAYS = 260

# Mirrors ret_app.models.cases.Urgency; kept literal so this module stays import-free of
# the models. An unknown urgency is an error rather than silently "regular".
URGENCIES = frozenset({"regular", "urgent", "crisis"})


def _require_date(value: object, name: str) -> date:
    # datetime is a subclass of date, but mixing them breaks comparisons and set lookups.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value


def _require_days(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


@lru_cache(maxsize=512)
def _dutch_days_off(year: int, liberation_day_every_year: bool, good_friday: bool) -> frozenset[date]:
    """The Dutch public days off of one year under the given choices (cached per year)."""
    days = set(holidays.country_holidays("NL", years=year, categories=("public",)))
    good_friday_date = easter(year) - timedelta(days=2)
    liberation_day = date(year, 5, 5)
    days.discard(good_friday_date)
    days.discard(liberation_day)
    if good_friday:
        days.add(good_friday_date)
    if liberation_day_every_year or year % 5 == 0:
        days.add(liberation_day)
    return frozenset(days)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days count as working days; explicit so a region can configure it.

    Hashable (frozen), so holiday sets are cached per (year, options).
    """

    liberation_day_every_year: bool = False
    good_friday: bool = False
    extra_closed_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        extra = frozenset(self.extra_closed_days)
        for day in extra:
            _require_date(day, "extra_closed_days item")
        object.__setattr__(self, "extra_closed_days", extra)

    def days_off(self, year: int) -> frozenset[date]:
        """Every non-weekend day off in ``year`` (public holidays plus extra closed days);
        may include holidays that fall on a weekend."""
        public = _dutch_days_off(year, self.liberation_day_every_year, self.good_friday)
        if not self.extra_closed_days:
            return public
        return public | {d for d in self.extra_closed_days if d.year == year}

    def is_day_off(self, day: date) -> bool:
        return day in self.days_off(day.year)


DEFAULT_CALENDAR = WorkCalendar()


def is_working_day(day: date, calendar: WorkCalendar) -> bool:
    """Monday-Friday and not a day off: norms are promises about office days, so weekends
    and public holidays must not eat into the time a team has."""
    _require_date(day, "day")
    return day.weekday() < 5 and not calendar.is_day_off(day)


def next_working_day(day: date, calendar: WorkCalendar) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    _require_date(day, "day")
    while not is_working_day(day, calendar):
        day += ONE_DAY
    return day


def add_working_days(start: date, n: int, calendar: WorkCalendar) -> date:
    """The n-th working day after ``start`` (the start day does not count), so a Friday
    submission with n=1 is due Monday; n=0 gives ``start`` or the next working day."""
    _require_date(start, "start")
    _require_days(n, "n")
    if n == 0:
        return next_working_day(start, calendar)
    day = start
    while n:
        day += ONE_DAY
        if is_working_day(day, calendar):
            n -= 1
    return day


def _weekdays_in(after: date, upto: date) -> int:
    """Number of Monday-Friday days in ``(after, upto]``; ``after <= upto``."""
    total = (upto - after).days
    weeks, rest = divmod(total, 7)
    count = weeks * 5
    day = after + timedelta(days=weeks * 7)
    for _ in range(rest):
        day += ONE_DAY
        if day.weekday() < 5:
            count += 1
    return count


def _working_days_in(after: date, upto: date, calendar: WorkCalendar) -> int:
    """Working days in ``(after, upto]``; 0 if the range is empty. Arithmetic, not a day
    loop, because dashboards compute this for every open case."""
    if upto <= after:
        return 0
    count = _weekdays_in(after, upto)
    for year in range(after.year, upto.year + 1):
        count -= sum(1 for d in calendar.days_off(year) if after < d <= upto and d.weekday() < 5)
    return count


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> int:
    """Working days after ``start`` up to and including ``end`` (the inverse of
    :func:`add_working_days`); negative when ``end`` is before ``start``."""
    _require_date(start, "start")
    _require_date(end, "end")
    if end < start:
        return -_working_days_in(end, start, calendar)
    return _working_days_in(start, end, calendar)


@dataclass(frozen=True)
class Pause:
    """A pause (opschorting) of a case: days ``[start, end)``; ``end`` is the day it was
    resumed, ``None`` while it is still running."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        _require_date(self.start, "Pause.start")
        if self.end is not None:
            _require_date(self.end, "Pause.end")
            if self.end < self.start:
                raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")

    def covered(self, today: date) -> tuple[date, date] | None:
        """The half-open day range ``[first, stop)`` this pause covers as of ``today``, or
        None if it covers no day (resumed the day it started, or starts after today)."""
        stop = self.end if self.end is not None else today + ONE_DAY
        return (self.start, stop) if stop > self.start else None

    def is_running(self, today: date) -> bool:
        return self.start <= today and (self.end is None or today < self.end)


def _merged_pauses(pauses: Iterable[Pause], today: date) -> list[tuple[date, date]]:
    """Pauses as sorted, disjoint half-open ranges, so overlapping pauses count once."""
    ranges = sorted(r for r in (p.covered(today) for p in pauses) if r is not None)
    merged: list[tuple[date, date]] = []
    for first, stop in ranges:
        if merged and first <= merged[-1][1]:
            if stop > merged[-1][1]:
                merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((first, stop))
    return merged


def _in_ranges(day: date, ranges: list[tuple[date, date]], firsts: list[date]) -> bool:
    i = bisect.bisect_right(firsts, day) - 1
    return i >= 0 and day < ranges[i][1]


def is_paused(pauses: Iterable[Pause], today: date) -> bool:
    """Whether the case is paused on ``today`` (then none of its clocks is overdue)."""
    _require_date(today, "today")
    return any(p.is_running(today) for p in pauses)


def deadline(start: date, working_days: int, pauses: Sequence[Pause], calendar: WorkCalendar,
             today: date) -> date:
    """The day a norm of ``working_days`` started on ``start`` is due: the n-th working day
    after ``start`` that is not paused. This is how a pause shifts the deadline by its
    length (only pauses reached before the running deadline count; overlaps count once)."""
    _require_date(start, "start")
    _require_days(working_days, "working_days")
    _require_date(today, "today")
    ranges = _merged_pauses(pauses, today)
    firsts = [first for first, _ in ranges]

    def counts(day: date) -> bool:
        return is_working_day(day, calendar) and not _in_ranges(day, ranges, firsts)

    day = start
    if working_days == 0:
        while not counts(day):
            day += ONE_DAY
        return day
    remaining = working_days
    while remaining:
        day += ONE_DAY
        if counts(day):
            remaining -= 1
    return day


def is_overdue(deadline: date, today: date, paused_now: bool) -> bool:
    """Past its deadline (due today is not yet overdue), unless paused right now: a paused
    case waits on the family, not on the team, so it must not be flagged."""
    _require_date(deadline, "deadline")
    _require_date(today, "today")
    return not paused_now and today > deadline


def _unpaused_working_days(after: date, upto: date, ranges: list[tuple[date, date]],
                           calendar: WorkCalendar) -> int:
    """Working days in ``(after, upto]`` outside the (merged) pause ranges."""
    count = _working_days_in(after, upto, calendar)
    for first, stop in ranges:
        # [first, stop) intersected with (after, upto] is (max(first - 1, after), min(stop - 1, upto)].
        count -= _working_days_in(max(first - ONE_DAY, after), min(stop - ONE_DAY, upto), calendar)
    return count


def days_open(start: date, today: date, pauses: Sequence[Pause], calendar: WorkCalendar) -> int:
    """Working days in ``(start, today]`` that were not paused: the time actually used.
    0 when ``today`` is not after ``start``."""
    _require_date(start, "start")
    _require_date(today, "today")
    return _unpaused_working_days(start, today, _merged_pauses(pauses, today), calendar)


@dataclass(frozen=True)
class Norms:
    """A region's time norms in working days (no national norm exists: regional policy)."""

    intake_decision: int = 5  # after submission
    first_session: int = 10  # after intake
    first_session_crisis: int = 2  # after intake, urgency "crisis"
    screening: int = 20  # screening finished, after intake

    def __post_init__(self) -> None:
        for name in ("intake_decision", "first_session", "first_session_crisis", "screening"):
            value = _require_days(getattr(self, name), name)
            if value > MAX_NORM_DAYS:
                raise ValueError(f"{name} must be at most {MAX_NORM_DAYS} working days, got {value}")
        if self.first_session_crisis > self.first_session:
            raise ValueError("first_session_crisis must not be longer than first_session")

    def first_session_days(self, urgency: str) -> int:
        """The first-session norm for a case's urgency: a crisis cannot wait the regular
        term. Unknown urgencies raise, so a typo never silently gets the slow norm."""
        if urgency not in URGENCIES:
            raise ValueError(f"unknown urgency {urgency!r}")
        return self.first_session_crisis if urgency == "crisis" else self.first_session


@dataclass(frozen=True)
class NormClock:
    """One norm's state for the case page ("open 7 working days; intake decision due
    3 Dec, 2 left"). ``days_left`` is negative when overdue: the unpaused working days
    past the deadline."""

    name: str
    start: date
    working_days: int
    due: date
    days_used: int
    days_left: int
    overdue: bool
    paused: bool


def clock(name: str, start: date, working_days: int, pauses: Sequence[Pause],
          calendar: WorkCalendar, today: date) -> NormClock:
    """Everything the case page and dashboards show about one norm, computed once."""
    due = deadline(start, working_days, pauses, calendar, today)
    ranges = _merged_pauses(pauses, today)
    paused = is_paused(pauses, today)
    # Counted from today to the deadline rather than as norm minus used, so that a norm of
    # 0 started on a weekend shows 0 left (not -1) on its due day.
    if today <= due:
        left = _unpaused_working_days(today, due, ranges, calendar)
    else:
        left = -_unpaused_working_days(due, today, ranges, calendar)
    return NormClock(
        name=name,
        start=start,
        working_days=working_days,
        due=due,
        days_used=_unpaused_working_days(start, today, ranges, calendar),
        days_left=left,
        overdue=is_overdue(due, today, paused),
        paused=paused,
    )
