"""Norm clocks: working days, Dutch holidays, pauses, norms (pure calculation).

Expected dates are worked out by hand from a paper calendar; the loop tests compare
against an independent oracle (hard-coded holiday lists and a naive day-by-day walk), so
they fail if the package, the counting or the pause logic changes.
"""

import random
from datetime import date, datetime, timedelta

import holidays
import pytest

from ret_app.cases.clock import (
    DEFAULT_CALENDAR,
    MAX_NORM_DAYS,
    URGENCIES,
    NormClock,
    Norms,
    Pause,
    WorkCalendar,
    add_working_days,
    clock,
    days_open,
    deadline,
    is_overdue,
    is_paused,
    is_working_day,
    next_working_day,
    working_days_between,
)

CAL = DEFAULT_CALENDAR
D = date
ONE = timedelta(days=1)

# --- independent oracle ----------------------------------------------------------------

# Days off under the default calendar, copied from the official list (rijksoverheid.nl),
# weekend ones included. No Good Friday; Liberation Day only in the lustrum year 2025.
ORACLE_DAYS_OFF = {
    2025: {D(2025, 1, 1), D(2025, 4, 20), D(2025, 4, 21), D(2025, 4, 26), D(2025, 5, 5),
           D(2025, 5, 29), D(2025, 6, 8), D(2025, 6, 9), D(2025, 12, 25), D(2025, 12, 26)},
    2026: {D(2026, 1, 1), D(2026, 4, 5), D(2026, 4, 6), D(2026, 4, 27), D(2026, 5, 14),
           D(2026, 5, 24), D(2026, 5, 25), D(2026, 12, 25), D(2026, 12, 26)},
    2027: {D(2027, 1, 1), D(2027, 3, 28), D(2027, 3, 29), D(2027, 4, 27), D(2027, 5, 6),
           D(2027, 5, 16), D(2027, 5, 17), D(2027, 12, 25), D(2027, 12, 26)},
    2028: {D(2028, 1, 1), D(2028, 4, 16), D(2028, 4, 17), D(2028, 4, 27), D(2028, 5, 25),
           D(2028, 6, 4), D(2028, 6, 5), D(2028, 12, 25), D(2028, 12, 26)},
}
ORACLE_ALL_OFF = set().union(*ORACLE_DAYS_OFF.values())
GOOD_FRIDAYS = {2025: D(2025, 4, 18), 2026: D(2026, 4, 3), 2027: D(2027, 3, 26), 2028: D(2028, 4, 14)}


def oracle_working(day: date) -> bool:
    assert 2025 <= day.year <= 2028, "oracle only knows 2025-2028"
    return day.weekday() < 5 and day not in ORACLE_ALL_OFF


def oracle_between(start: date, end: date) -> int:
    count, day = 0, start
    while day < end:
        day += ONE
        count += oracle_working(day)
    return count


def oracle_add(start: date, n: int) -> date:
    day = start
    while n:
        day += ONE
        n -= oracle_working(day)
    return day


def oracle_paused_days(pauses, today):
    days = set()
    for p in pauses:
        stop = p.end if p.end is not None else today + ONE
        day = p.start
        while day < stop:
            days.add(day)
            day += ONE
    return days


def oracle_deadline_walk(start, n, pauses, today):
    """The n-th working day after start that is not paused (day-by-day walk over a set)."""
    paused = oracle_paused_days(pauses, today)
    day = start
    while n:
        day += ONE
        if oracle_working(day) and day not in paused:
            n -= 1
    return day


def oracle_deadline_shift(start, n, disjoint_pauses, today):
    """The product rule read literally: every pause that began on or before the running
    deadline shifts it by the working days it covered (within the clock)."""
    due = oracle_add(start, n)
    for p in sorted(disjoint_pauses, key=lambda p: p.start):
        if p.start <= due:
            stop = p.end if p.end is not None else today + ONE
            covered = oracle_between(max(p.start - ONE, start), stop - ONE) if stop - ONE > start else 0
            due = oracle_add(due, covered)
    return due


def days_of(year_from: int, year_to: int):
    day = D(year_from, 1, 1)
    while day.year <= year_to:
        yield day
        day += ONE


# --- the holiday calendar --------------------------------------------------------------

@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_default_calendar_is_exactly_the_expected_dutch_days_off(year):
    assert CAL.days_off(year) == ORACLE_DAYS_OFF[year]


@pytest.mark.parametrize("day,what", [
    (D(2026, 1, 1), "New Year's Day"),
    (D(2026, 4, 6), "Easter Monday"),
    (D(2026, 4, 27), "King's Day"),
    (D(2026, 5, 14), "Ascension Day"),
    (D(2026, 5, 25), "Whit Monday"),
    (D(2026, 12, 25), "Christmas Day"),
])
def test_each_2026_weekday_holiday_is_not_a_working_day_and_is_skipped(day, what):
    assert day.weekday() < 5, what
    assert not is_working_day(day, CAL), what
    assert is_working_day(day - ONE, CAL) or (day - ONE).weekday() >= 5
    # Counting from the working day before, one working day lands after the holiday.
    before = day - ONE
    while not is_working_day(before, CAL):
        before -= ONE
    assert add_working_days(before, 1, CAL) == next_working_day(day + ONE, CAL)
    assert add_working_days(before, 1, CAL) > day


@pytest.mark.parametrize("start,n,due", [
    (D(2026, 4, 24), 1, D(2026, 4, 28)),  # Fri before King's Day (Mon 27 Apr) -> Tue
    (D(2026, 5, 13), 1, D(2026, 5, 15)),  # Wed before Ascension (Thu 14 May) -> Fri
    (D(2026, 5, 22), 1, D(2026, 5, 26)),  # Fri before Whit Monday -> Tue
    (D(2026, 4, 2), 1, D(2026, 4, 3)),  # Good Friday is a working day by default
    (D(2026, 4, 2), 2, D(2026, 4, 7)),  # ... Easter Monday is not
    (D(2026, 12, 24), 1, D(2026, 12, 28)),  # Thu 24 Dec -> (Christmas Fri, weekend) -> Mon
    (D(2025, 12, 31), 1, D(2026, 1, 2)),  # New Year's Day 2026 is a Thursday
])
def test_add_working_days_skips_holidays(start, n, due):
    assert add_working_days(start, n, CAL) == due


def test_good_friday_is_configurable():
    with_good_friday = WorkCalendar(good_friday=True)
    for year, good_friday in GOOD_FRIDAYS.items():
        assert is_working_day(good_friday, CAL)
        assert not is_working_day(good_friday, with_good_friday)
    assert add_working_days(D(2026, 4, 2), 1, with_good_friday) == D(2026, 4, 7)


def test_liberation_day_is_a_day_off_in_lustrum_years_only_unless_configured():
    every_year = WorkCalendar(liberation_day_every_year=True)
    assert not is_working_day(D(2025, 5, 5), CAL)  # Monday, lustrum year
    assert add_working_days(D(2025, 5, 2), 1, CAL) == D(2025, 5, 6)
    assert is_working_day(D(2026, 5, 5), CAL)  # Tuesday, not a lustrum year
    assert add_working_days(D(2026, 5, 4), 1, CAL) == D(2026, 5, 5)
    assert not is_working_day(D(2026, 5, 5), every_year)
    assert add_working_days(D(2026, 5, 4), 1, every_year) == D(2026, 5, 6)
    assert D(2030, 5, 5) in CAL.days_off(2030)
    assert D(2027, 5, 5) not in CAL.days_off(2027) and D(2027, 5, 5) in every_year.days_off(2027)


def test_kings_day_moves_to_26_april_when_27_april_is_a_sunday():
    for year in (2025, 2031):
        assert D(year, 4, 27).weekday() == 6
        assert D(year, 4, 26) in CAL.days_off(year)
        assert D(year, 4, 27) not in CAL.days_off(year)
    assert D(2026, 4, 27) in CAL.days_off(2026) and D(2026, 4, 26) not in CAL.days_off(2026)


def test_package_assumptions_we_rely_on():
    """Canaries for a `holidays` upgrade: we remove Good Friday and decide 5 May ourselves,
    so the package must still list them as we expect (else revisit the module docstring)."""
    for year in range(2020, 2041):
        public = holidays.country_holidays("NL", years=year, categories=("public",))
        assert (D(year, 5, 5) in public) == (year % 5 == 0), year
    for year, good_friday in GOOD_FRIDAYS.items():
        assert good_friday in holidays.country_holidays("NL", years=year, categories=("public",))


def test_extra_closed_days_and_calendar_is_hashable_and_cached():
    closed = WorkCalendar(extra_closed_days={D(2026, 12, 28), D(2026, 12, 29)})
    assert isinstance(closed.extra_closed_days, frozenset)
    assert add_working_days(D(2026, 12, 24), 1, closed) == D(2026, 12, 30)
    assert D(2026, 12, 28) not in closed.days_off(2027)
    assert hash(WorkCalendar()) == hash(CAL) and WorkCalendar() == CAL
    assert CAL.days_off(2026) is CAL.days_off(2026)
    with pytest.raises(AttributeError):
        CAL.good_friday = True  # frozen
    with pytest.raises(TypeError):
        WorkCalendar(extra_closed_days={datetime(2026, 1, 2, 9, 0)})


def test_oracle_agrees_with_is_working_day_on_every_day_2025_to_2028():
    mismatches = [d for d in days_of(2025, 2028) if is_working_day(d, CAL) != oracle_working(d)]
    assert mismatches == []


def test_weekends_are_never_working_days():
    for day in days_of(2026, 2026):
        if day.weekday() >= 5:
            assert not is_working_day(day, CAL)
    assert sum(is_working_day(d, CAL) for d in days_of(2026, 2026)) == 261 - 6


# --- counting --------------------------------------------------------------------------

def test_friday_submission_is_due_monday():
    friday = D(2026, 3, 6)
    assert friday.weekday() == 4
    assert add_working_days(friday, 1, CAL) == D(2026, 3, 9)
    assert add_working_days(friday, 5, CAL) == D(2026, 3, 13)
    assert working_days_between(friday, D(2026, 3, 9), CAL) == 1
    assert working_days_between(friday, D(2026, 3, 8), CAL) == 0  # weekend


def test_weekend_start_counts_from_monday():
    saturday, sunday = D(2026, 3, 7), D(2026, 3, 8)
    assert add_working_days(saturday, 1, CAL) == D(2026, 3, 9)
    assert add_working_days(sunday, 1, CAL) == D(2026, 3, 9)
    assert add_working_days(saturday, 5, CAL) == D(2026, 3, 13)


def test_zero_days_is_start_or_next_working_day():
    assert add_working_days(D(2026, 3, 6), 0, CAL) == D(2026, 3, 6)
    assert add_working_days(D(2026, 3, 7), 0, CAL) == D(2026, 3, 9)
    assert add_working_days(D(2026, 12, 25), 0, CAL) == D(2026, 12, 28)


def test_deadlines_across_christmas_and_new_year():
    # 2025: Christmas Thu/Fri, New Year Thu.
    assert add_working_days(D(2025, 12, 24), 5, CAL) == D(2026, 1, 5)
    assert working_days_between(D(2025, 12, 24), D(2026, 1, 5), CAL) == 5
    # 2026: Christmas Fri (Boxing Day Sat), New Year 2027 Fri.
    assert add_working_days(D(2026, 12, 23), 5, CAL) == D(2026, 12, 31)
    assert add_working_days(D(2026, 12, 23), 6, CAL) == D(2027, 1, 4)
    # Ten working days from mid-December 2026 (the default first-session norm).
    assert add_working_days(D(2026, 12, 17), 10, CAL) == D(2027, 1, 4)


def test_working_days_between_is_signed_and_excludes_start():
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 9), CAL) == 0
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 13), CAL) == 4
    assert working_days_between(D(2026, 3, 13), D(2026, 3, 9), CAL) == -4
    assert working_days_between(D(2026, 1, 1), D(2027, 1, 1), CAL) == 255  # whole of 2026


def test_invariants_for_every_day_of_2026_and_norms_up_to_25():
    for start in days_of(2026, 2026):
        previous = None
        for n in range(0, 26):
            due = add_working_days(start, n, CAL)
            assert is_working_day(due, CAL)
            assert due == (oracle_add(start, n) if n else next_working_day(start, CAL))
            if n:
                assert working_days_between(start, due, CAL) == n, (start, n)
                assert working_days_between(start, due - ONE, CAL) == n - 1, (start, n)
                # n=0 and n=1 coincide when start is not a working day (both: next one).
                assert due > previous if (n > 1 or is_working_day(start, CAL)) else due == previous
            previous = due


def test_working_days_between_matches_naive_count_and_is_antisymmetric():
    rng = random.Random(20261201)
    days = list(days_of(2025, 2028))
    for _ in range(3000):
        a, b = rng.choice(days), rng.choice(days)
        expected = oracle_between(a, b) if a <= b else -oracle_between(b, a)
        assert working_days_between(a, b, CAL) == expected, (a, b)
        assert working_days_between(b, a, CAL) == -expected
    for start in days_of(2026, 2026):
        for k in range(0, 15):
            assert working_days_between(start, start + timedelta(days=k), CAL) == \
                oracle_between(start, start + timedelta(days=k))


@pytest.mark.parametrize("call", [
    lambda: add_working_days(D(2026, 1, 5), -1, CAL),
    lambda: deadline(D(2026, 1, 5), -1, [], CAL, D(2026, 1, 5)),
    lambda: Pause(D(2026, 1, 5), D(2026, 1, 4)),
])
def test_bad_values_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("call", [
    lambda: add_working_days(datetime(2026, 1, 5, 9), 1, CAL),
    lambda: add_working_days(D(2026, 1, 5), 1.0, CAL),
    lambda: add_working_days(D(2026, 1, 5), True, CAL),
    lambda: working_days_between(D(2026, 1, 5), "2026-01-09", CAL),
    lambda: is_working_day(datetime(2026, 1, 5), CAL),
    lambda: Pause(datetime(2026, 1, 5, 10)),
    lambda: deadline(D(2026, 1, 5), 5, [], CAL, datetime(2026, 1, 5, 10)),
])
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


# --- pauses ----------------------------------------------------------------------------
# A clock started Mon 30 Nov 2026 with 5 working days is due Mon 7 Dec (no holidays near).

START = D(2026, 11, 30)
DUE = D(2026, 12, 7)


def due_with(*pauses, today=D(2026, 12, 20), n=5):
    return deadline(START, n, list(pauses), CAL, today)


def test_no_pause_deadline_is_add_working_days():
    assert START.weekday() == 0
    assert due_with() == DUE == add_working_days(START, 5, CAL)


def test_closed_pause_before_deadline_shifts_it_by_its_working_days():
    # Paused Wed 2 Dec, resumed Fri 4 Dec: Wed and Thu paused (2 working days).
    assert due_with(Pause(D(2026, 12, 2), D(2026, 12, 4))) == D(2026, 12, 9)
    # Paused Tue 1 Dec, resumed Tue 8 Dec: a working week (5 days) -> due a week later.
    assert due_with(Pause(D(2026, 12, 1), D(2026, 12, 8))) == D(2026, 12, 14)


def test_open_pause_shifts_with_today_and_matches_resuming_tomorrow():
    open_pause = Pause(D(2026, 12, 2))
    assert due_with(open_pause, today=D(2026, 12, 2)) == D(2026, 12, 8)  # Wed
    assert due_with(open_pause, today=D(2026, 12, 3)) == D(2026, 12, 9)  # Wed, Thu
    assert due_with(open_pause, today=D(2026, 12, 4)) == D(2026, 12, 10)  # + Fri
    assert due_with(open_pause, today=D(2026, 12, 5)) == D(2026, 12, 10)  # Saturday: no change
    assert due_with(open_pause, today=D(2026, 12, 7)) == D(2026, 12, 11)  # + Mon
    for offset in range(0, 40):
        today = D(2026, 12, 2) + timedelta(days=offset)
        resumed_tomorrow = Pause(D(2026, 12, 2), today + ONE)
        assert due_with(open_pause, today=today) == due_with(resumed_tomorrow, today=today)
        assert due_with(open_pause, today=today) > today  # a paused clock is never past due


def test_open_pause_that_has_not_started_yet_shifts_nothing():
    assert due_with(Pause(D(2026, 12, 4)), today=D(2026, 12, 2)) == DUE


def test_pause_after_the_deadline_does_not_shift_it():
    assert due_with(Pause(D(2026, 12, 8), D(2026, 12, 10))) == DUE
    assert due_with(Pause(D(2026, 12, 8)), today=D(2026, 12, 18)) == DUE


def test_pause_starting_on_the_deadline_day_shifts_it():
    assert due_with(Pause(D(2026, 12, 7), D(2026, 12, 8))) == D(2026, 12, 8)


def test_pause_shifted_into_by_an_earlier_pause_also_shifts():
    later = Pause(D(2026, 12, 9), D(2026, 12, 10))  # starts after the original deadline
    assert due_with(later) == DUE
    earlier = Pause(D(2026, 12, 3), D(2026, 12, 5))  # Thu, Fri -> due Wed 9 Dec
    assert due_with(earlier) == D(2026, 12, 9)
    assert due_with(earlier, later) == D(2026, 12, 10)  # now the later one counts too
    assert due_with(later, earlier) == D(2026, 12, 10)  # order of the list is irrelevant


def test_overlapping_pauses_are_not_counted_twice():
    a = Pause(D(2026, 12, 2), D(2026, 12, 4))  # Wed, Thu
    b = Pause(D(2026, 12, 3), D(2026, 12, 8))  # Thu, Fri, Mon
    # Union Wed-Mon = 4 working days (not 2 + 3 = 5).
    assert due_with(a, b) == D(2026, 12, 11)
    assert due_with(a, a) == due_with(a) == D(2026, 12, 9)  # the same pause twice
    inner = Pause(D(2026, 12, 3), D(2026, 12, 4))
    assert due_with(b, inner) == due_with(b)  # nested
    # A closed pause overlapping a still-open one: Wed 2 - Mon 7 Dec, 4 working days.
    assert due_with(a, Pause(D(2026, 12, 3)), today=D(2026, 12, 7)) == D(2026, 12, 11)
    # Adjacent pauses (resumed and paused again the same day) simply add up.
    assert due_with(a, Pause(D(2026, 12, 4), D(2026, 12, 5))) == D(2026, 12, 10)


def test_pause_starting_on_a_weekend_counts_only_its_working_days():
    # Sat 5 Dec - resumed Wed 9 Dec: Mon and Tue paused.
    assert due_with(Pause(D(2026, 12, 5), D(2026, 12, 9))) == D(2026, 12, 9)
    # Sat 5 Dec - resumed Mon 7 Dec: only the weekend, no shift.
    assert due_with(Pause(D(2026, 12, 5), D(2026, 12, 7))) == DUE


def test_pause_resumed_the_same_day_shifts_nothing():
    assert due_with(Pause(D(2026, 12, 2), D(2026, 12, 2))) == DUE


def test_pauses_outside_the_clock_do_not_count():
    assert due_with(Pause(D(2026, 11, 2), D(2026, 11, 6))) == DUE  # before the clock
    assert due_with(Pause(START, START + ONE)) == DUE  # only the start day, which never counts
    # Started before the clock, ran into it: only Tue 1 Dec counts.
    assert due_with(Pause(D(2026, 11, 27), D(2026, 12, 2))) == D(2026, 12, 8)


def test_pause_across_christmas_shifts_by_working_days_only():
    start = D(2026, 12, 14)
    assert add_working_days(start, 5, CAL) == D(2026, 12, 21)
    pause = Pause(D(2026, 12, 18), D(2027, 1, 4))  # 9 working days (Christmas, New Year off)
    assert working_days_between(D(2026, 12, 17), D(2027, 1, 3), CAL) == 9
    assert deadline(start, 5, [pause], CAL, D(2027, 1, 10)) == D(2027, 1, 5)
    assert deadline(start, 5, [pause], CAL, D(2027, 1, 10)) == add_working_days(D(2026, 12, 21), 9, CAL)


def test_zero_day_norm_with_pause_is_first_unpaused_working_day():
    assert deadline(D(2026, 12, 5), 0, [], CAL, D(2026, 12, 5)) == D(2026, 12, 7)
    assert deadline(D(2026, 12, 7), 0, [Pause(D(2026, 12, 7), D(2026, 12, 9))], CAL,
                    D(2026, 12, 20)) == D(2026, 12, 9)


def _random_pause(rng, base, today):
    start = base + timedelta(days=rng.randint(-10, 60))
    if rng.random() < 0.25:
        return Pause(start)
    return Pause(start, start + timedelta(days=rng.randint(0, 20)))


def test_deadline_matches_day_by_day_oracle_for_random_pauses():
    rng = random.Random(5)
    days = list(days_of(2026, 2027))[:-90]
    for _ in range(1500):
        start = rng.choice(days)
        n = rng.randint(0, 25)
        today = start + timedelta(days=rng.randint(0, 80))
        pauses = [_random_pause(rng, start, today) for _ in range(rng.randint(0, 4))]
        got = deadline(start, n, pauses, CAL, today)
        if n:
            assert got == oracle_deadline_walk(start, n, pauses, today), (start, n, pauses, today)
        assert got >= add_working_days(start, n, CAL)
        assert is_working_day(got, CAL)


def test_deadline_matches_the_running_shift_rule_for_disjoint_pauses():
    """The product wording: each pause that began on or before the running deadline shifts
    it by the working days it covered; later ones do not."""
    rng = random.Random(77)
    days = list(days_of(2026, 2027))[:-90]
    for _ in range(1500):
        start = rng.choice(days)
        n = rng.randint(1, 25)
        today = start + timedelta(days=rng.randint(30, 80))
        pauses, cursor = [], start + timedelta(days=rng.randint(-5, 10))
        for _ in range(rng.randint(0, 3)):
            length = rng.randint(0, 12)
            pauses.append(Pause(cursor, cursor + timedelta(days=length)))
            cursor += timedelta(days=length + rng.randint(1, 15))
        assert deadline(start, n, pauses, CAL, today) == oracle_deadline_shift(start, n, pauses, today), \
            (start, n, pauses)


def test_single_closed_pause_shifts_by_exactly_its_working_days():
    for start in list(days_of(2026, 2026))[:300]:
        plain = add_working_days(start, 10, CAL)
        pause_start = start + ONE + timedelta(days=start.toordinal() % 9)
        pause = Pause(pause_start, pause_start + timedelta(days=start.toordinal() % 13))
        covered = working_days_between(pause_start - ONE, pause.end - ONE, CAL) if pause.end > pause_start else 0
        shifted = deadline(start, 10, [pause], CAL, D(2027, 6, 1))
        if pause_start <= plain:
            assert working_days_between(plain, shifted, CAL) == covered, (start, pause)
        else:
            assert shifted == plain


# --- overdue, days open, paused ----------------------------------------------------------

def test_is_overdue_only_after_the_due_day_and_never_while_paused():
    assert not is_overdue(DUE, DUE, paused_now=False)
    assert not is_overdue(DUE, DUE - ONE, paused_now=False)
    assert is_overdue(DUE, DUE + ONE, paused_now=False)
    assert not is_overdue(DUE, DUE + ONE, paused_now=True)
    assert not is_overdue(DUE, D(2027, 6, 1), paused_now=True)


def test_is_paused_is_half_open():
    pause = Pause(D(2026, 12, 2), D(2026, 12, 4))
    assert not is_paused([pause], D(2026, 12, 1))
    assert is_paused([pause], D(2026, 12, 2)) and is_paused([pause], D(2026, 12, 3))
    assert not is_paused([pause], D(2026, 12, 4))  # resumed that day
    assert is_paused([Pause(D(2026, 12, 2))], D(2027, 3, 1))
    assert not is_paused([Pause(D(2026, 12, 2))], D(2026, 12, 1))
    assert not is_paused([], D(2026, 12, 2))


def test_days_open_excludes_paused_working_days():
    today = D(2026, 12, 11)
    assert days_open(START, today, [], CAL) == 9
    assert days_open(START, today, [Pause(D(2026, 12, 2), D(2026, 12, 4))], CAL) == 7
    assert days_open(START, today, [Pause(D(2026, 12, 9))], CAL) == 6  # open: 9, 10, 11
    overlapping = [Pause(D(2026, 12, 2), D(2026, 12, 4)), Pause(D(2026, 12, 3), D(2026, 12, 8))]
    assert days_open(START, today, overlapping, CAL) == 5
    assert days_open(START, START, [], CAL) == 0
    assert days_open(START, START - timedelta(days=3), [], CAL) == 0
    assert days_open(D(2025, 12, 24), D(2026, 1, 5), [], CAL) == 5  # across Christmas/New Year


def test_days_open_matches_oracle_and_never_decreases():
    rng = random.Random(11)
    days = list(days_of(2026, 2027))[:-90]
    for _ in range(300):
        start = rng.choice(days)
        last_today = start + timedelta(days=60)
        pauses = [_random_pause(rng, start, last_today) for _ in range(rng.randint(0, 3))]
        closed = [p if p.end is not None else Pause(p.start, last_today + timedelta(days=30)) for p in pauses]
        previous = 0
        for offset in range(0, 61):
            today = start + timedelta(days=offset)
            # With only closed pauses, "today" changes nothing but the window.
            used = days_open(start, today, closed, CAL)
            paused = oracle_paused_days(closed, today)
            expected = sum(1 for k in range(1, offset + 1)
                           if oracle_working(start + timedelta(days=k)) and start + timedelta(days=k) not in paused)
            assert used == expected, (start, today, closed)
            assert used >= previous
            previous = used


# --- the clock for the case page ---------------------------------------------------------

def test_clock_on_time():
    c = clock("intake_decision", START, 5, [], CAL, D(2026, 12, 3))
    assert c == NormClock(name="intake_decision", start=START, working_days=5, due=DUE,
                          days_used=3, days_left=2, overdue=False, paused=False)


def test_clock_on_the_due_day_and_overdue():
    on_due = clock("intake_decision", START, 5, [], CAL, DUE)
    assert (on_due.days_used, on_due.days_left, on_due.overdue) == (5, 0, False)
    late = clock("intake_decision", START, 5, [], CAL, D(2026, 12, 9))
    assert (late.due, late.days_used, late.days_left, late.overdue) == (DUE, 7, -2, True)


def test_clock_while_paused_moves_the_deadline_and_is_not_overdue():
    c = clock("intake_decision", START, 5, [Pause(D(2026, 12, 3))], CAL, D(2026, 12, 9))
    # Paused Thu 3 - Wed 9 Dec (5 working days): due Mon 7 -> Mon 14; used Tue 1, Wed 2.
    assert (c.due, c.days_used, c.days_left, c.overdue, c.paused) == (D(2026, 12, 14), 2, 3, False, True)


def test_clock_paused_after_it_was_overdue():
    paused_now = clock("x", START, 5, [Pause(D(2026, 12, 9))], CAL, D(2026, 12, 10))
    assert (paused_now.due, paused_now.overdue, paused_now.paused, paused_now.days_left) == (DUE, False, True, -1)
    resumed = clock("x", START, 5, [Pause(D(2026, 12, 9), D(2026, 12, 11))], CAL, D(2026, 12, 11))
    assert (resumed.due, resumed.overdue, resumed.paused, resumed.days_left) == (DUE, True, False, -2)


def test_clock_zero_norm_started_on_a_weekend():
    c = clock("x", D(2026, 12, 5), 0, [], CAL, D(2026, 12, 7))
    assert (c.due, c.days_left, c.overdue) == (D(2026, 12, 7), 0, False)
    late = clock("x", D(2026, 12, 5), 0, [], CAL, D(2026, 12, 8))
    assert (late.days_used, late.days_left, late.overdue) == (2, -1, True)  # one day late, not two


def test_clock_days_used_plus_left_is_the_norm_until_due():
    rng = random.Random(3)
    days = list(days_of(2026, 2027))[:-90]
    for _ in range(500):
        start = rng.choice(days)
        n = rng.randint(1, 20)
        today = start + timedelta(days=rng.randint(0, 40))
        pauses = [_random_pause(rng, start, today) for _ in range(rng.randint(0, 3))]
        c = clock("x", start, n, pauses, CAL, today)
        assert c.days_used + c.days_left == n, (start, n, pauses, today)
        assert c.overdue == (today > c.due and not c.paused)
        assert c.paused == is_paused(pauses, today)
        if c.paused:
            assert c.due > today or any(p.start > c.due for p in pauses)


# --- norms -------------------------------------------------------------------------------

def test_norm_defaults_and_crisis_rule():
    norms = Norms()
    assert (norms.intake_decision, norms.first_session, norms.first_session_crisis, norms.screening) == (5, 10, 2, 20)
    assert norms.first_session_days("crisis") == 2
    assert norms.first_session_days("regular") == 10
    assert norms.first_session_days("urgent") == 10
    regional = Norms(first_session=15, first_session_crisis=1)
    assert regional.first_session_days("crisis") == 1 and regional.first_session_days("regular") == 15
    with pytest.raises(ValueError):
        norms.first_session_days("Crisis")
    with pytest.raises(ValueError):
        norms.first_session_days("")


def test_urgencies_match_the_case_model():
    from ret_app.models.cases import Urgency

    assert {u.value for u in Urgency} == URGENCIES
    assert Norms().first_session_days(Urgency.CRISIS) == 2


@pytest.mark.parametrize("field", ["intake_decision", "first_session", "first_session_crisis", "screening"])
def test_norms_reject_negative_and_absurd_values(field):
    with pytest.raises(ValueError):
        Norms(**{field: -1})
    if field != "first_session_crisis":  # crisis above MAX would first exceed first_session
        with pytest.raises(ValueError, match="at most"):
            Norms(**{field: MAX_NORM_DAYS + 1})
    with pytest.raises(TypeError):
        Norms(**{field: 2.5})
    with pytest.raises(TypeError):
        Norms(**{field: True})


def test_norms_accept_the_bounds():
    assert Norms(intake_decision=0, first_session=MAX_NORM_DAYS, first_session_crisis=0,
                 screening=MAX_NORM_DAYS).screening == MAX_NORM_DAYS
    assert Norms(first_session=3, first_session_crisis=3).first_session_days("crisis") == 3


def test_crisis_norm_may_not_be_slower_than_the_regular_one():
    with pytest.raises(ValueError):
        Norms(first_session=3, first_session_crisis=4)


def test_norms_are_frozen():
    with pytest.raises(AttributeError):
        Norms().intake_decision = 3
