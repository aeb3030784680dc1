"""The analyst's figures for the monitor: outcomes, gaps and signals per period, read from
ret_app/analyst (aggregates.view and analyst.signals.signals_per_period) and nothing else, so that every
number equals the analyst's page for the same filters.

A call names its periods as the page does (a `year`: its months or quarters, or the five years up to
it) or as /api/v1/flow does (`from`/`to`). Either way each period is read from the analyst's view of its
year (for years: the view of the last year asked, which shows the five years up to it), so a range over
two years gives the periods of two page views side by side — the same protected numbers, never a new
sum across years or measures (docs/suppression.md, "One protected table per year").
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select

from ret_app.analyst import aggregates
from ret_app.analyst import signals as analyst_signals
from ret_app.extensions import db
from ret_app.models import GapCategory
from ret_app.stats.periods import Period, PeriodKind


def gap_categories(region_id: int) -> dict[str, tuple[int, str]]:
    """code -> (id, name) of the region's gap categories (retired ones too)."""
    return {code: (cid, name) for cid, code, name in db.session.execute(
        select(GapCategory.id, GapCategory.code, GapCategory.name).where(GapCategory.region_id == region_id))}


def _filters_year(kind: PeriodKind, periods: list[Period], period: Period) -> int:
    return periods[-1].start.year if kind is PeriodKind.YEAR else period.start.year


def views_per_period(region_id: int, kind: PeriodKind, periods: list[Period], care_types: list[str],
                     municipality_id: Optional[int] = None, care_type: Optional[str] = None,
                     ) -> list[tuple[Period, aggregates.View, int]]:
    """(period, the analyst's view holding it, its index in that view) for each period asked."""
    views: dict[int, tuple[aggregates.View, dict[str, int]]] = {}
    out = []
    for period in periods:
        year = _filters_year(kind, periods, period)
        if year not in views:
            filters = aggregates.Filters(kind=kind, year=year, municipality_id=municipality_id, care_type=care_type)
            view = aggregates.view(region_id, filters, care_types)
            views[year] = (view, {p.key: i for i, p in enumerate(view.periods)})
        view, index = views[year]
        out.append((period, view, index[period.key]))
    return out


def signals(region_id: int, kind: PeriodKind, periods: list[Period], care_type: Optional[str],
            category_id: Optional[int]) -> analyst_signals.SignalsView:
    filters = aggregates.Filters(kind=kind, year=periods[-1].start.year, care_type=care_type)
    return analyst_signals.signals_per_period(region_id, filters, periods, category_id=category_id)


