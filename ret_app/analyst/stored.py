"""The protected tables of a region's years, stored: computed by the job runner, read by every request.

Protecting one year's tables (ret_app/analyst/aggregates.py, `ret_app.stats.suppression`) takes a few
hundred ms at a region of national size (about 240 cases a year: a gap category's table alone is
municipalities x referrers x care types x 12 months, audited by network flows and integer programs),
and reading a year's outcomes, gaps, flow and re-referrals another 30-50 ms of SQL. The aggregates page
shows five years, so computing them on each request cost 0.6-1.5 s. Here each (region, year) is computed
once and stored (`AnalystYearFigures`): the published cells of every table, never a hidden value.

What is stored, when, and what invalidates it:

- every publication of these counts (the analyst's page and start card, the reflection report, the
  signal report, the monitor API) reads the stored year when there is one (`aggregates.year_tables`):
  so they all publish the same protected table, as before;
- `analyst-figures` (nightly, 03:40 UTC) computes every year of every region again and stores what
  changed: past years do change, a little — a re-referral confirmed today counts in the month the earlier
  case closed, an outcome can be corrected, a fitting-help date entered afterwards, a case erased at the
  end of its retention period keeps only the month of its dates;
- `analyst-figures-current` (hourly, at 25 past) computes the current year of every region again (the
  outcomes recorded today), and every year that has no stored tables (a new region; a year removed by
  an erasure, below);
- a stored year whose layout is no longer the region's (a municipality, access team, gap category or
  care type added or removed) is not used: that year is computed on the request, as without a store,
  until the next run stores it again;
- erasing a case (`CaseErased`) removes its region's stored years in the erasure's own transaction: the
  next request computes them from what is left, the next hourly run stores them again.

So a stored table differs from a fresh computation only by what was recorded since it was computed, and
the page says when that was ("berekend op ...", `View.computed_at`): the figures of the moment the job
ran, protected as a whole, as a published statistic is. A test compares every stored table with a fresh
computation, cell by cell (tests/test_analyst_stored.py).
"""

from __future__ import annotations

import json
from datetime import date
from collections.abc import Mapping
from typing import Iterable, Optional

from sqlalchemy import delete, func, select

from ret_app.erasure.events import CaseErased
from ret_app.extensions import db
from ret_app.jobs import registry as jobs
from ret_app.kernel import dates
from ret_app.kernel.events import subscribe
from ret_app.models import AnalystYearFigures, Case, CaseOutcome, Region
from ret_app.stats.suppression import HIDDEN, ZERO, Cell, SuppressedTable, _shown_cell, _small_cell

VERSION = 1  # of the format below: a stored year of another version is not read (and stored again)
NIGHTLY = "analyst-figures"
HOURLY = "analyst-figures-current"
SMALL, COMPLEMENTARY = "s", "x"


# --- the format ---------------------------------------------------------------------------------------

def encode_table(table: SuppressedTable) -> list:
    """The published cells of a table with its margins, as [index, code] for every cell that is not a
    shown 0 (most are): code is the shown count, "s" ("<5") or "x". Index: the cells row by row, then
    the row totals, the column totals and the grand total."""
    out = []
    for index, cell in enumerate(table.all_cells()):
        if cell.suppressed:
            out.append([index, SMALL if cell.reason == "small" else COMPLEMENTARY])
        elif cell.value:
            out.append([index, cell.value])
    return out


def decode_table(codes: list, n_rows: int, n_columns: int, threshold: int) -> SuppressedTable:
    cells: list[Cell] = [ZERO] * (n_rows * n_columns + n_rows + n_columns + 1)
    small = _small_cell(threshold)
    for index, code in codes:
        cells[index] = small if code == SMALL else HIDDEN if code == COMPLEMENTARY else _shown_cell(code)
    body = n_rows * n_columns
    return SuppressedTable(
        cells=tuple(tuple(cells[r * n_columns:(r + 1) * n_columns]) for r in range(n_rows)),
        row_totals=tuple(cells[body:body + n_rows]),
        column_totals=tuple(cells[body + n_rows:body + n_rows + n_columns]),
        grand_total=cells[-1], threshold=threshold)


class StoredTables(Mapping):
    """key -> the stored table, decoded when first read (a page reads some of a year's tables)."""

    def __init__(self, codes: dict, n_rows: int, threshold: int) -> None:
        self._codes, self._n_rows, self._threshold = codes, n_rows, threshold
        self._tables: dict = {}

    def __getitem__(self, key) -> SuppressedTable:
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = decode_table(self._codes[key], self._n_rows, 12, self._threshold)
        return table

    def __iter__(self):
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


def _layout_key(rows, care_types, categories) -> list:
    return [[[row.municipality_id, row.team_id] for row in rows], list(care_types), list(categories)]


def dump(tables, categories: list[int]) -> str:
    """A year's tables (aggregates.YearTables) as stored: every table protected now."""
    from ret_app.analyst.aggregates import FLOW, PLACEMENTS, RESULTS

    data = {
        "v": VERSION,
        "layout": _layout_key(tables.rows, tables.care_types, categories),
        "results": {key: encode_table(tables.results[key]) for key in RESULTS},
        "placements": {key: encode_table(tables.placements[key]) for key in PLACEMENTS},
        "flow": {key: encode_table(tables.flow[key]) for key in FLOW},
        "gaps": {str(cid): encode_table(tables.gaps[cid]) for cid in categories},
        "rereferral": encode_table(tables.rereferral),
        "days": [[scope[0] if scope else None, scope[1] if scope else None, month, sorted(values)]
                 for (scope, month), values in sorted(tables.days.items(), key=lambda item: (
                     item[0][0] is not None, item[0][0] or ("", 0), item[0][1]))],
    }
    return json.dumps(data, separators=(",", ":"))


def load(row: AnalystYearFigures, rows, care_types: list[str], categories: list[int]):
    """The stored year as aggregates.YearTables, or None when it was made for another layout (or format)."""
    from ret_app.analyst.aggregates import YearTables
    from ret_app.stats.suppression import THRESHOLD

    data = json.loads(row.data)
    if data.get("v") != VERSION or data["layout"] != _layout_key(rows, care_types, categories):
        return None
    n_rows, n_gap_rows = len(rows), len(rows) * len(care_types)
    days = {((kind, ident) if kind is not None else None, month): values
            for kind, ident, month, values in data["days"]}
    tables = YearTables(
        year=row.year, rows=list(rows), care_types=list(care_types),
        results=StoredTables(data["results"], n_rows, THRESHOLD),
        placements=StoredTables(data["placements"], n_rows, THRESHOLD),
        flow=StoredTables(data["flow"], n_rows, THRESHOLD),
        gaps=StoredTables({int(cid): codes for cid, codes in data["gaps"].items()}, n_gap_rows, THRESHOLD),
        rereferral_counts=None, days=days, computed_at=row.computed_at)
    tables.__dict__["rereferral"] = decode_table(data["rereferral"], 2, 12, THRESHOLD)  # the cached_property
    return tables


# --- reading ------------------------------------------------------------------------------------------

def stored_row(region_id: int, year: int) -> Optional[AnalystYearFigures]:
    return db.session.scalar(select(AnalystYearFigures).where(
        AnalystYearFigures.region_id == region_id, AnalystYearFigures.year == year))


# --- computing and storing (the jobs) ---------------------------------------------------------------

def refresh(region_id: int, year: int) -> bool:
    """Compute the year's tables of the region now and store them; True when what is stored changed
    (the moment of computing is stored either way: the figures are those of now)."""
    from ret_app.analyst import aggregates
    from ret_app.caretypes import services as caretypes

    care_types = list(caretypes.names(region_id))
    tables = aggregates.compute_year(region_id, year, care_types)
    categories = [cid for cid, _name in aggregates.gap_categories(region_id)]
    data = dump(tables, categories)
    row = stored_row(region_id, year)
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
    from ret_app.analyst.aggregates import FIRST_YEAR, YEARS_SHOWN

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
    from ret_app.analyst import aggregates
    from ret_app.caretypes import services as caretypes

    rows = aggregates.table_rows(region_id)
    care_types = list(caretypes.names(region_id)) + [aggregates.NO_CARE_TYPE]
    categories = [cid for cid, _name in aggregates.gap_categories(region_id)]
    key = _layout_key(rows, care_types, categories)
    usable = set()
    for row in db.session.scalars(select(AnalystYearFigures).where(AnalystYearFigures.region_id == region_id)):
        data = json.loads(row.data)
        if data.get("v") == VERSION and data["layout"] == key:
            usable.add(row.year)
    return usable


def invalidate(region_id: int, years: Optional[Iterable[int]] = None) -> int:
    """Remove the region's stored years (all, or `years`): they are computed on the request until stored again."""
    stmt = delete(AnalystYearFigures).where(AnalystYearFigures.region_id == region_id)
    if years is not None:
        stmt = stmt.where(AnalystYearFigures.year.in_(list(years)))
    return db.session.execute(stmt).rowcount or 0


def clear() -> int:
    """Remove every stored year (the benchmark, to measure without them)."""
    return db.session.execute(delete(AnalystYearFigures)).rowcount or 0


# --- what invalidates ---------------------------------------------------------------------------------

@subscribe(CaseErased)
def _on_case_erased(event: CaseErased) -> None:
    """An erased case keeps only the months of its dates: its region's stored years go (computed on the
    request until the next hourly run stores them again)."""
    region_id = db.session.scalar(select(Case.region_id).where(Case.id == event.case_id)) if event.case_id else None
    if region_id is not None:
        invalidate(region_id)


jobs.register(NIGHTLY, refresh_all, "40 3 * * *", "Compute and store the analyst's protected figures of every year")
jobs.register(HOURLY, refresh_current, "25 * * * *",
              "Compute and store the analyst's protected figures of the current year and of missing years")
