"""In-, through- and outflow of a region's RET cases per period, suppressed for publication.

Four counts per period: cases referred (submitted), taken into intake, whose fitting help started,
and closed — each case counted in the period its day falls in (the day in the Netherlands).

How the counts are protected (docs/api.md, docs/suppression.md): whatever a caller asks (a month,
quarter or year; a range; the region or one municipality), every number comes from one table per
calendar year and measure — municipalities x months, with the municipalities' year totals, the region's
month totals and the region's year total as margins — suppressed as a whole by
`ret_app.stats.suppression.suppress_table`. A month is a cell (or the region's margin), a year a
margin, and a quarter the sum of its three months, published only when all three are (otherwise it
is hidden too). So every answer is made of the same protected numbers and their sums: no two calls,
however their ranges, periods and municipalities are chosen, give more than the one protected table,
and no small count can be computed back by subtracting one answer from another. Years are never
added up, so the tables of different years stand apart.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Optional

from sqlalchemy import and_, or_, select

from ret_app.extensions import db
from ret_app.kernel.dates import AMSTERDAM, local_date
from ret_app.models import Case, Municipality
from ret_app.stats import periods as stats_periods
from ret_app.stats.periods import Period
from ret_app.stats.suppression import THRESHOLD, Cell, sum_of, suppress_table

MEASURES = ("referred", "taken_in", "fitting_help_started", "closed")
# The longest range one call may ask for, in periods (a few years: enough for a monitor's trend).
MAX_PERIODS = {"month": 36, "quarter": 20, "year": 5}
# How far back `from` defaults to, in periods before the one of `to`.
DEFAULT_SPAN = {"month": 11, "quarter": 3, "year": 2}


def periods_between(kind: str, first_day: date, last_day: date) -> list[Period]:
    """The whole periods from the one holding `first_day` to the one holding `last_day` (at most
    MAX_PERIODS: the route refuses a longer range first, with count_periods)."""
    return stats_periods.periods_between(kind, first_day, last_day)


def count_periods(kind: str, first_day: date, last_day: date) -> int:
    """How many periods a range spans, whatever its length (to refuse one that is too long)."""
    first, last = Period.containing(kind, first_day), Period.containing(kind, last_day)
    months = (last.start.year - first.start.year) * 12 + last.start.month - first.start.month
    return months // first.kind.months + 1


def default_start(kind: str, last_day: date) -> date:
    """The first day of the period DEFAULT_SPAN periods before the one holding `last_day`."""
    return Period.containing(kind, last_day).shifted(-DEFAULT_SPAN[kind]).start


def _months_of(period: Period) -> range:
    """The months (1..12) of its year that a period spans."""
    return range(period.start.month, period.start.month + period.kind.months)


def region_municipalities(region_id: int) -> list[tuple[int, str, str]]:
    """(id, name, CBS code) of the region's municipalities, in a fixed order (the table's rows)."""
    return [tuple(row) for row in db.session.execute(
        select(Municipality.id, Municipality.name, Municipality.cbs_code)
        .where(Municipality.region_id == region_id).order_by(Municipality.id))]


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, AMSTERDAM)


def _raw_tables(region_id: int, municipality_ids: list[int], years: list[int]) -> dict:
    """{(measure, year): rows municipalities x 12 months of raw counts}, from one query."""
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    since, until = _utc_start(first), _utc_start(last + timedelta(days=1))
    moments = (Case.submitted_at, Case.intake_at, Case.closed_at)
    stmt = (select(Case.municipality_id, Case.submitted_at, Case.intake_at, Case.fitting_help_started_on,
                   Case.closed_at)
            .where(Case.region_id == region_id,
                   or_(*(and_(column >= since, column < until) for column in moments),
                       and_(Case.fitting_help_started_on >= first, Case.fitting_help_started_on <= last))))
    row_of = {municipality_id: index for index, municipality_id in enumerate(municipality_ids)}
    tables = {(measure, year): [[0] * 12 for _ in municipality_ids] for measure in MEASURES for year in years}
    for municipality_id, submitted, intake, fitting, closed in db.session.execute(stmt):
        row = row_of.get(municipality_id)
        if row is None:  # a case of a municipality that has left the region since: not in its figures
            continue
        days = (local_date(submitted) if submitted else None, local_date(intake) if intake else None, fitting,
                local_date(closed) if closed else None)
        for measure, day in zip(MEASURES, days):
            if day is not None and first <= day <= last:
                tables[(measure, day.year)][row][day.month - 1] += 1
    return tables


def flow(region_id: int, municipality_row: Optional[int], municipality_ids: list[int], kind: str,
         first_day: date, last_day: date) -> list[tuple[Period, dict[str, Cell]]]:
    """Per period of `kind` from `first_day` to `last_day`: measure -> its published count, for the
    region (`municipality_row` None) or the municipality in that row of `municipality_ids`."""
    periods = periods_between(kind, first_day, last_day)
    if not municipality_ids:  # a region without municipalities has no cases
        zero = Cell(value=0, shown="0", suppressed=False, reason=None)
        return [(period, {measure: zero for measure in MEASURES}) for period in periods]
    years = sorted({period.start.year for period in periods})
    raw = _raw_tables(region_id, municipality_ids, years)
    protected = {key: suppress_table(counts, row_totals=True, column_totals=True, threshold=THRESHOLD)
                 for key, counts in raw.items()}
    out = []
    for period in periods:
        counts = {}
        for measure in MEASURES:
            table = protected[(measure, period.start.year)]
            if kind == "year":
                counts[measure] = table.grand_total if municipality_row is None else table.row_totals[municipality_row]
                continue
            months = [table.column_totals[month - 1] if municipality_row is None
                      else table.cells[municipality_row][month - 1] for month in _months_of(period)]
            counts[measure] = months[0] if kind == "month" else sum_of(months)
        out.append((period, counts))
    return out
