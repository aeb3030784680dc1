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
- `analyst-figures` (nightly, 03:40 UTC; ret_app/analyst/refresh.py) computes every year of every region again and stores what
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

import functools
import json
from collections.abc import Mapping
from typing import Iterable, Optional

from sqlalchemy import delete, select

from ret_app.erasure.events import CaseErased
from ret_app.extensions import db
from ret_app.kernel.events import subscribe
from ret_app.models import AnalystYearFigures, Case
from ret_app.stats.suppression import HIDDEN, THRESHOLD, ZERO, Cell, SuppressedTable, _shown_cell, _small_cell

VERSION = 1  # of the format below: a stored year of another version is not read (and stored again)
SMALL, COMPLEMENTARY = "s", "x"
PARSED_KEPT = 32  # stored years kept parsed per process (about 12 kB of text each at a region of national size)


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
    small = _small_cell(threshold)
    body = n_rows * n_columns
    zero_row = (ZERO,) * n_columns
    rows: dict[int, list[Cell]] = {}  # the rows that hold something (most rows of a gap table are zeros)
    margins: list[Cell] = [ZERO] * (n_rows + n_columns + 1)
    for index, code in codes:
        cell = small if code == SMALL else HIDDEN if code == COMPLEMENTARY else _shown_cell(code)
        if index < body:
            r, c = divmod(index, n_columns)
            rows.setdefault(r, list(zero_row))[c] = cell
        else:
            margins[index - body] = cell
    return SuppressedTable(
        cells=tuple(tuple(rows[r]) if r in rows else zero_row for r in range(n_rows)),
        row_totals=tuple(margins[:n_rows]), column_totals=tuple(margins[n_rows:n_rows + n_columns]),
        grand_total=margins[-1], threshold=threshold)


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
    data = {
        "v": VERSION,
        "layout": _layout_key(tables.rows, tables.care_types, categories),
        "results": {key: encode_table(tables.results[key]) for key in tables.results},
        "placements": {key: encode_table(tables.placements[key]) for key in tables.placements},
        "flow": {key: encode_table(tables.flow[key]) for key in tables.flow},
        "gaps": {str(cid): encode_table(tables.gaps[cid]) for cid in categories},
        "rereferral": encode_table(tables.rereferral),
        "days": [[scope[0] if scope else None, scope[1] if scope else None, month, sorted(values)]
                 for (scope, month), values in sorted(tables.days.items(), key=lambda item: (
                     item[0][0] is not None, item[0][0] or ("", 0), item[0][1]))],
    }
    return json.dumps(data, separators=(",", ":"))


def load(row: AnalystYearFigures, rows, care_types: list[str], categories: list[int]) -> Optional[dict]:
    """The stored year's parts (aggregates.YearTables's fields: the tables decoded when first read), or
    None when it was made for another layout (or format)."""
    parsed = _parsed(row.data)
    if parsed is None or parsed["layout"] != _layout_key(rows, care_types, categories):
        return None
    return {**parsed["parts"], "computed_at": row.computed_at}


@functools.lru_cache(maxsize=PARSED_KEPT)
def _parsed(data: str) -> Optional[dict]:
    """A stored year parsed, its tables decoded as they are read, kept per process by its content (the
    same text is the same tables: nothing to invalidate); read-only for every caller."""
    loaded = json.loads(data)
    if loaded.get("v") != VERSION:
        return None
    n_rows = len(loaded["layout"][0])
    n_gap_rows = n_rows * len(loaded["layout"][1])
    return {"layout": loaded["layout"], "parts": {
        "results": StoredTables(loaded["results"], n_rows, THRESHOLD),
        "placements": StoredTables(loaded["placements"], n_rows, THRESHOLD),
        "flow": StoredTables(loaded["flow"], n_rows, THRESHOLD),
        "gaps": StoredTables({int(cid): codes for cid, codes in loaded["gaps"].items()}, n_gap_rows, THRESHOLD),
        "rereferral": decode_table(loaded["rereferral"], 2, 12, THRESHOLD),
        "days": {((kind, ident) if kind is not None else None, month): values
                 for kind, ident, month, values in loaded["days"]},
    }}


def usable(row: AnalystYearFigures, rows, care_types: list[str], categories: list[int]) -> bool:
    data = json.loads(row.data)
    return data.get("v") == VERSION and data["layout"] == _layout_key(rows, care_types, categories)


# --- reading ------------------------------------------------------------------------------------------

def stored_rows(region_id: int, years: list[int]) -> list[AnalystYearFigures]:
    return list(db.session.scalars(select(AnalystYearFigures).where(
        AnalystYearFigures.region_id == region_id, AnalystYearFigures.year.in_(years))))


def stored_row(region_id: int, year: int) -> Optional[AnalystYearFigures]:
    return db.session.scalar(select(AnalystYearFigures).where(
        AnalystYearFigures.region_id == region_id, AnalystYearFigures.year == year))


# --- what invalidates ---------------------------------------------------------------------------------

def invalidate(region_id: int, years: Optional[Iterable[int]] = None) -> int:
    """Remove the region's stored years (all, or `years`): they are computed on the request until stored again."""
    stmt = delete(AnalystYearFigures).where(AnalystYearFigures.region_id == region_id)
    if years is not None:
        stmt = stmt.where(AnalystYearFigures.year.in_(list(years)))
    return db.session.execute(stmt).rowcount or 0


def clear() -> int:
    """Remove every stored year (the benchmark, to measure without them)."""
    return db.session.execute(delete(AnalystYearFigures)).rowcount or 0


@subscribe(CaseErased)
def _on_case_erased(event: CaseErased) -> None:
    """An erased case keeps only the months of its dates: its region's stored years go (computed on the
    request until the next hourly run stores them again)."""
    region_id = db.session.scalar(select(Case.region_id).where(Case.id == event.case_id)) if event.case_id else None
    if region_id is not None:
        invalidate(region_id)


