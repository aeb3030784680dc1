"""The jobs that compute and store the analyst's protected tables (ret_app/analyst/stored.py says what is
stored, when and what invalidates it): `analyst-figures` every night for every year of every region,
`analyst-figures-current` every hour for the current year and for every year without usable stored
tables. Idempotent: a run stores the tables of the moment; a second run finds nothing changed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from ret_app.analyst import aggregates, stored
from ret_app.analyst.aggregates import FIRST_YEAR, YEARS_SHOWN
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.jobs import registry as jobs
from ret_app.kernel import dates
from ret_app.models import AnalystYearFigures, Case, CaseOutcome, Region

NIGHTLY = "analyst-figures"
HOURLY = "analyst-figures-current"


def refresh(region_id: int, year: int) -> bool:
    """Compute the year's tables of the region now and store them; True when what is stored changed
    (the moment of computing is stored either way: the figures are those of now)."""
    care_types = list(caretypes.names(region_id))
    tables = aggregates.compute_year(region_id, year, care_types)
    categories = [cid for cid, _name in aggregates.gap_categories(region_id)]
    data = stored.dump(tables, categories)
    row = stored.stored_row(region_id, year)
    now = dates.utcnow()
    if row is None:
        db.session.add(AnalystYearFigures(region_id=region_id, year=year, computed_at=now, data=data))
        return True
    changed = row.data != data
    row.data, row.computed_at = data, now
    return changed


def years_with_data(region_id: int, today: date) -> list[int]:
    """The years from the region's first case (or outcome) to this year, and at least the years the page
    opens on (the last YEARS_SHOWN)."""
    first = db.session.scalar(select(func.min(Case.submitted_at)).where(Case.region_id == region_id))
    first_outcome = db.session.scalar(select(func.min(CaseOutcome.recorded_at)).join(
        Case, Case.id == CaseOutcome.case_id).where(Case.region_id == region_id))
    moments = [dates.local_date(m).year for m in (first, first_outcome) if m is not None]
    start = max(FIRST_YEAR, min(moments + [today.year - YEARS_SHOWN + 1]))
    return list(range(start, today.year + 1))


def _regions() -> list[int]:
    return list(db.session.scalars(select(Region.id).order_by(Region.id)))


def refresh_all(today: date) -> int:
    """The nightly job: every year of every region computed again. Returns the years whose figures changed."""
    changed = 0
    for region_id in _regions():
        years = years_with_data(region_id, today)
        db.session.execute(delete(AnalystYearFigures).where(
            AnalystYearFigures.region_id == region_id, AnalystYearFigures.year.not_in(years)))
        for year in years:
            changed += refresh(region_id, year)
    db.session.flush()
    return changed


def refresh_current(today: date) -> int:
    """The hourly job: the current year of every region, and every year that has no usable stored tables."""
    changed = 0
    for region_id in _regions():
        have = _usable_years(region_id)
        for year in years_with_data(region_id, today):
            if year == today.year or year not in have:
                changed += refresh(region_id, year)
    db.session.flush()
    return changed


def _usable_years(region_id: int) -> set[int]:
    rows = aggregates.table_rows(region_id)
    care_types = list(caretypes.names(region_id)) + [aggregates.NO_CARE_TYPE]
    categories = [cid for cid, _name in aggregates.gap_categories(region_id)]
    return {row.year for row in db.session.scalars(select(AnalystYearFigures).where(
        AnalystYearFigures.region_id == region_id)) if stored.usable(row, rows, care_types, categories)}


jobs.register(NIGHTLY, refresh_all, "40 3 * * *", "Compute and store the analyst's protected figures of every year")
jobs.register(HOURLY, refresh_current, "25 * * * *",
              "Compute and store the analyst's protected figures of the current year and of missing years")
