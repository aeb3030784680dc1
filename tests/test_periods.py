"""Periods for statistics (ret_app/stats/periods.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from ret_app.stats.periods import (
    MAX_PERIODS,
    Period,
    PeriodKind,
    last_periods,
    periods_between,
)


@pytest.mark.parametrize("kind, day, key, label, short, start, end", [
    ("month", date(2026, 2, 14), "2026-02", "februari 2026", "feb 2026", date(2026, 2, 1), date(2026, 2, 28)),
    ("month", date(2028, 2, 29), "2028-02", "februari 2028", "feb 2028", date(2028, 2, 1), date(2028, 2, 29)),
    ("month", date(2026, 3, 31), "2026-03", "maart 2026", "mrt 2026", date(2026, 3, 1), date(2026, 3, 31)),
    ("month", date(2026, 12, 1), "2026-12", "december 2026", "dec 2026", date(2026, 12, 1), date(2026, 12, 31)),
    ("quarter", date(2026, 1, 1), "2026-Q1", "1e kwartaal 2026", "K1 2026", date(2026, 1, 1), date(2026, 3, 31)),
    ("quarter", date(2026, 6, 30), "2026-Q2", "2e kwartaal 2026", "K2 2026", date(2026, 4, 1), date(2026, 6, 30)),
    ("quarter", date(2026, 11, 5), "2026-Q4", "4e kwartaal 2026", "K4 2026", date(2026, 10, 1), date(2026, 12, 31)),
    ("year", date(2026, 7, 7), "2026", "2026", "2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_a_period_holds_a_day_and_knows_its_bounds_key_and_dutch_labels(kind, day, key, label, short, start, end):
    period = Period.containing(kind, day)
    assert (period.key, period.label, period.short_label) == (key, label, short)
    assert (period.start, period.end) == (start, end)
    assert period.contains(day) and period.contains(start) and period.contains(end)
    assert not period.contains(start - timedelta(days=1)) and not period.contains(end + timedelta(days=1))
    assert Period.parse(key) == period and Period.parse(key, kind) == period
    assert str(period) == label and period.kind is PeriodKind(kind)


def test_neighbours_cross_year_boundaries():
    assert Period.parse("2026-01").previous() == Period.parse("2025-12")
    assert Period.parse("2025-Q4").next() == Period.parse("2026-Q1")
    assert Period.parse("2026-03").shifted(-15).key == "2024-12"
    assert Period.parse("2026").shifted(2).key == "2028"


def test_moments_are_dutch_midnights_in_utc():
    lo, hi = Period.parse("2026-03").moments()
    assert lo == datetime(2026, 2, 28, 23, 0, tzinfo=timezone.utc)   # winter time, UTC+1
    assert hi == datetime(2026, 3, 31, 22, 0, tzinfo=timezone.utc)   # summer time from 29 March, UTC+2
    # 31 March 23:30 in the Netherlands is still March; 1 April 00:30 is not
    assert Period.parse("2026-03").contains(datetime(2026, 3, 31, 21, 30, tzinfo=timezone.utc))
    assert not Period.parse("2026-03").contains(datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc))


def test_last_periods_end_with_the_running_one_oldest_first():
    today = date(2026, 2, 10)
    assert [p.key for p in last_periods("month", 3, today=today)] == ["2025-12", "2026-01", "2026-02"]
    assert [p.key for p in last_periods("quarter", 4, today=today)] == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert [p.key for p in last_periods("year", 2, today=today, complete_only=True)] == ["2024", "2025"]


@freeze_time("2026-12-31 23:30:00")  # UTC: already 1 January 2027 in the Netherlands
def test_last_periods_count_from_the_dutch_today():
    assert last_periods("month", 1)[0].key == "2027-01"


def test_periods_between_are_inclusive():
    keys = [p.key for p in periods_between("quarter", date(2025, 11, 20), date(2026, 4, 1))]
    assert keys == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert [p.key for p in periods_between("month", Period.parse("2026-Q1"), Period.parse("2026-Q1"))] == [
        "2026-01", "2026-02", "2026-03"]
    assert len(periods_between("month", date(2017, 1, 1), date(2026, 12, 31))) == MAX_PERIODS


@pytest.mark.parametrize("key", ["", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-03", "2026/03", "2026-3",
                                 "x" * 10_000, "2026-03-01", "0000", "9999", "２０２６", None, 2026])
def test_malformed_keys_are_refused_with_a_value_error(key):
    with pytest.raises(ValueError):
        Period.parse(key)


def test_refusals():
    with pytest.raises(ValueError):
        Period.parse("2026-Q1", "month")
    with pytest.raises(ValueError):
        Period(date(2026, 2, 1), PeriodKind.QUARTER)
    with pytest.raises(ValueError):
        Period.containing("week", date(2026, 1, 1))
    for n in (0, -1, MAX_PERIODS + 1, 10**9, True):
        with pytest.raises(ValueError):
            last_periods("month", n, today=date(2026, 1, 1))
    with pytest.raises(ValueError):
        periods_between("month", date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ValueError):
        periods_between("month", date(2000, 1, 1), date(2026, 1, 1))
