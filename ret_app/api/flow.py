"""In-, through- and outflow of a region's RET cases per period, suppressed for publication.

Four counts per period: cases referred (submitted), taken into intake, whose fitting help started,
and closed — each case counted in the period its day falls in (the day in the Netherlands).

How the counts are protected (docs/api.md, docs/suppression.md): whatever a caller asks (a month,
quarter or year; a range; the region or one municipality), every number comes from one table per
calendar year and measure — the analyst's (ret_app/analyst/aggregates.py: rows the municipalities, each
split by referring access team, x months, with the rows' year totals, the region's month totals and
the region's year total as margins) — suppressed as a whole by `ret_app.stats.suppression.suppress_table`.
The reflection report per access team reads the same tables. A region's month is a column total, a
year a margin; a municipality's month or year is the sum of its rows, and a quarter the sum of its
three months, published only when all parts are (otherwise it is hidden too). So every answer is made of the same protected numbers and their sums: no two calls,
however their ranges, periods and municipalities are chosen, give more than the one protected table,
and no small count can be computed back by subtracting one answer from another. Years are never
added up, so the tables of different years stand apart.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import select

from ret_app.analyst import aggregates
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.models import Municipality
from ret_app.stats import periods as stats_periods
from ret_app.stats.periods import Period
from ret_app.stats.suppression import THRESHOLD, Cell  # noqa: F401  (THRESHOLD: the API answer names it)

MEASURES = aggregates.FLOW
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


def region_municipalities(region_id: int) -> list[tuple[int, str, str]]:
    """(id, name, CBS code) of the region's municipalities, in a fixed order (the table's rows)."""
    return [tuple(row) for row in db.session.execute(
        select(Municipality.id, Municipality.name, Municipality.cbs_code)
        .where(Municipality.region_id == region_id).order_by(Municipality.id))]


def flow(region_id: int, municipality_row: Optional[int], municipality_ids: list[int], kind: str,
         first_day: date, last_day: date) -> list[tuple[Period, dict[str, Cell]]]:
    """Per period of `kind` from `first_day` to `last_day`: measure -> its published count, for the
    region (`municipality_row` None) or the municipality in that row of `municipality_ids`."""
    periods = periods_between(kind, first_day, last_day)
    if not municipality_ids:  # a region without municipalities has no cases
        zero = Cell(value=0, shown="0", suppressed=False, reason=None)
        return [(period, {measure: zero for measure in MEASURES}) for period in periods]
    municipality_id = None if municipality_row is None else municipality_ids[municipality_row]
    filters = aggregates.Filters(kind=stats_periods.kind_of(kind), year=periods[-1].start.year,
                                 municipality_id=municipality_id, shown=tuple(periods))
    care_types = list(caretypes.names(region_id))
    counts = {measure: aggregates.series(region_id, filters, care_types, "flow", measure) for measure in MEASURES}
    return [(period, {measure: counts[measure][i] for measure in MEASURES}) for i, period in enumerate(periods)]
