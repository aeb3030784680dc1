"""The analyst's aggregates of one region: the one place every published outcome, placement, gap and
re-referral count is made (the analyst's pages; the reflection report and the API's outcome and gap
endpoints read the same functions), so every publication of a count comes from the same protected
table (docs/suppression.md, "One protected table per year").

How the counts are protected — the API's flow approach (ret_app/api/flow.py), widened to care types:

- per calendar year and per *measure* (one outcome result, one placement result, one gap category,
  the re-referral counts) there is ONE table of raw counts: rows x the year's 12 months, with the rows'
  year totals, the months' region totals and the year's region total as margins, protected as a whole
  by `ret_app.stats.suppression.suppress_table`;
- the rows are the region's municipalities, each split by who referred the case: one row per access
  team of that municipality (`Organisation.municipality_id`) and one for every other referrer (a
  certified institution, an access team of another municipality) — so a municipality's number is the
  sum of its published access-team rows and the reflection report of one access team reads a row of
  the same table (outcomes, placements, and the flow: referred, taken in, fitting help started,
  closed, which the monitor API reads too); for a gap category the rows are those (municipality,
  referrer) rows x care type (a gap without a care type in a row of its own), so that a filter on a
  municipality, an access team, a care type or any of them together reads the same table; for
  re-referral they are "referred again" and "not referred again" (the region only);
- a month of the region is a column total, a year a row total or the grand total; whatever else is
  asked — a quarter, a municipality over its referrers, a municipality over all care types, a care type
  over all municipalities — is the sum of protected numbers, published only when each of them is (else
  it is hidden as "x"; a sum whose other parts are published zeros is its one remaining part). So no
  answer, however its filters are chosen, holds more than the one protected table and sums of its
  published numbers: nothing hidden can be worked out by subtracting one view from another;
- no total is published across measures (over results, categories or care types of different
  tables): it would add a line between tables that were protected apart.

The times (working days from referral to fitting help) are not counts: per period the median and the
quartiles of the outcomes recorded in it, shown only when at least THRESHOLD (5) outcomes contribute
(else `Days.enough` is False and the page says so); the number behind them is not published.

Never a name, reference, date finer than a month or free text: only codes, counts and ids of
municipalities, categories and care types of the region leave this module.

Stored: a year's tables are computed by the job runner and stored (ret_app/analyst/stored.py: what, when,
what invalidates them); `year_tables` reads the stored year when there is one made for the region's
present layout, and computes it here otherwise — the same tables either way (a test compares them).

Queries: the region's layout once, then per year one (its stored tables) or, computed here, one per table
family (outcomes with placements and days; gaps; flow; re-referral); cached for the request, so a page
costs a constant number of queries whatever the data.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime
from typing import Optional

from flask import g, has_app_context
from sqlalchemy import and_, or_, select

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Case, CaseOutcome, GapCategory, Municipality, Organisation, OutcomeGap
from ret_app.models.organisations import OrganisationKind
from ret_app.models.outcomes import OutcomeResult, PlacementResult
from ret_app.rereferrals import measures
from ret_app.stats.periods import Period, PeriodKind
from ret_app.stats.suppression import THRESHOLD, Cell, SuppressedTable, sum_of, suppress_table

RESULTS = tuple(result.value for result in OutcomeResult)
PLACEMENTS = (PlacementResult.PREVENTED.value, PlacementResult.CARRIED_OUT.value)
# The flow of cases, each counted in the month its day falls in (the day in the Netherlands).
FLOW = ("referred", "taken_in", "fitting_help_started", "closed")
NO_CARE_TYPE = ""  # the row of gaps recorded without a care type
# As many years side by side as the year view shows.
YEARS_SHOWN = 5
FIRST_YEAR = 2000  # no RET case is older; a year filter before it has no data

ZERO = Cell(value=0, shown="0", suppressed=False, reason=None)


@dataclass(frozen=True)
class Filters:
    kind: PeriodKind
    year: int
    municipality_id: Optional[int] = None  # None: the region
    care_type: Optional[str] = None  # None: every care type (only the gaps have care types)
    team_id: Optional[int] = None  # an access team of `municipality_id`: the cases it referred
    shown: Optional[tuple[Period, ...]] = None  # periods of `kind` chosen by the caller (the reflection report)

    def periods(self) -> list[Period]:
        """The periods shown: the year's months or quarters, or the YEARS_SHOWN years up to `year`
        (or the caller's own `shown`)."""
        if self.shown is not None:
            return list(self.shown)
        if self.kind is PeriodKind.YEAR:
            first = max(FIRST_YEAR, self.year - YEARS_SHOWN + 1)
            return [Period(date(year, 1, 1), PeriodKind.YEAR) for year in range(first, self.year + 1)]
        first = Period(date(self.year, 1, 1), self.kind)
        return [first.shifted(i) for i in range(12 // self.kind.months)]

    @property
    def years(self) -> list[int]:
        return sorted({period.start.year for period in self.periods()})


@dataclass(frozen=True)
class Days:
    """Working days from referral to fitting help in one period: median and quartiles, or not enough."""

    enough: bool
    median: Optional[float] = None
    q1: Optional[float] = None
    q3: Optional[float] = None


@dataclass(frozen=True)
class Row:
    """One row of the municipality tables: the cases of a municipality referred by one of its access
    teams, or (team_id None) by anyone else."""

    municipality_id: int
    team_id: Optional[int]


@dataclass
class YearTables:
    """The protected tables of one region and one year (see the module's docstring)."""

    year: int
    rows: list[Row]  # row order of the municipality tables
    care_types: list[str]  # the care-type part of the gap rows (NO_CARE_TYPE last)
    results: Mapping[str, SuppressedTable]
    placements: Mapping[str, SuppressedTable]
    flow: Mapping[str, SuppressedTable]  # FLOW measure -> rows x months
    gaps: Mapping[int, SuppressedTable]  # gap category id -> rows (municipality, referrer) x care type
    rereferral_counts: Optional[list[list[int]]]  # rows: referred again, not referred again (raw; None: stored)
    days: dict[tuple, list[int]]  # (scope, month) -> working days; scope: None, ("m", id) or ("t", id)
    computed_at: Optional[datetime] = None  # stored tables: when the job computed them (None: now)

    @cached_property
    def rereferral(self) -> SuppressedTable:
        return protect(self.rereferral_counts)

    @property
    def municipalities(self) -> list[int]:
        return list(dict.fromkeys(row.municipality_id for row in self.rows))

    def gap_row(self, row_index: int, care_index: int) -> int:
        return row_index * len(self.care_types) + care_index

    def row_indexes(self, municipality_id: Optional[int] = None, team_id: Optional[int] = None) -> list[int]:
        """The rows of a municipality, or the one row of an access team (none: not of this region)."""
        if team_id is not None:
            return [i for i, row in enumerate(self.rows) if row.team_id == team_id]
        return [i for i, row in enumerate(self.rows) if row.municipality_id == municipality_id]


# --- reading the region ----------------------------------------------------------------------------

def municipalities(region_id: int) -> list[tuple[int, str]]:
    """(id, name) of the region's municipalities, by id (read once a request: the page's filter and the
    tables' rows both need them)."""
    cache = _cache()
    key = ("municipalities", region_id)
    if key not in cache:
        cache[key] = [tuple(row) for row in db.session.execute(
            select(Municipality.id, Municipality.name).where(Municipality.region_id == region_id)
            .order_by(Municipality.id))]
    return list(cache[key])


def access_teams(region_id: int) -> list[tuple[int, str, int]]:
    """(id, name, municipality id) of the access teams serving a municipality of the region (inactive
    ones too: their old cases stay theirs), by name."""
    return [tuple(row) for row in db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.municipality_id)
        .join(Municipality, Municipality.id == Organisation.municipality_id)
        .where(Municipality.region_id == region_id, Organisation.kind == OrganisationKind.ACCESS_TEAM.value)
        .order_by(Organisation.name, Organisation.id))]


def table_rows(region_id: int) -> list[Row]:
    """The rows of the municipality tables: per municipality (by id) its access teams (by id), then the
    row of every other referrer."""
    teams: dict[int, list[int]] = {}
    for team_id, _name, municipality_id in sorted(access_teams(region_id), key=lambda t: t[0]):
        teams.setdefault(municipality_id, []).append(team_id)
    return [Row(mid, team) for mid, _name in municipalities(region_id) for team in teams.get(mid, []) + [None]]


def gap_categories(region_id: int) -> list[tuple[int, str]]:
    """Every category of the region (retired ones too: old outcomes keep them), in the admin's order."""
    return [tuple(row) for row in db.session.execute(
        select(GapCategory.id, GapCategory.name).where(GapCategory.region_id == region_id)
        .order_by(GapCategory.position, GapCategory.id))]


def _cache() -> dict:
    if not has_app_context():
        return {}
    if "analyst_tables" not in g:
        g.analyst_tables = {}
    return g.analyst_tables


def year_tables(region_id: int, year: int, care_types: list[str]) -> YearTables:
    """The protected tables of `region_id` for `year` (cached for the request): the stored ones when the
    job runner has stored them for the region's present layout, else computed now. `care_types`: the
    codes of the region's catalogue (the gap rows; gaps with another code count under no care type)."""
    key = (region_id, year, tuple(care_types))
    cache = _cache()
    if key not in cache:
        cache[key] = _stored(region_id, year, care_types) or _build(region_id, year, list(care_types))
    return cache[key]


def compute_year(region_id: int, year: int, care_types: list[str]) -> YearTables:
    """The protected tables of `region_id` for `year` computed now from the records (never the stored
    ones, never cached): what the job stores, and what a test compares the stored tables with."""
    return _build(region_id, year, list(care_types))


def _layout(region_id: int) -> tuple[list[Row], list[int]]:
    """The region's table rows and gap category ids, read once a request."""
    cache = _cache()
    key = ("layout", region_id)
    if key not in cache:
        cache[key] = (table_rows(region_id), [cid for cid, _name in gap_categories(region_id)])
    return cache[key]


def prefetch(region_id: int, years: list[int]) -> None:
    """Read the stored tables of these years at once (one statement for the years a view shows)."""
    from ret_app.analyst import stored

    cache = _cache()
    wanted = [year for year in years if ("stored", region_id, year) not in cache]
    if wanted:
        found = {row.year: row for row in stored.stored_rows(region_id, wanted)}
        for year in wanted:
            cache[("stored", region_id, year)] = found.get(year)


def _stored(region_id: int, year: int, care_types: list[str]) -> Optional[YearTables]:
    from ret_app.analyst import stored

    prefetch(region_id, [year])
    row = _cache()[("stored", region_id, year)] if has_app_context() else stored.stored_row(region_id, year)
    if row is None:
        return None
    rows, categories = _layout(region_id)
    care_rows = list(care_types) + [NO_CARE_TYPE]
    parts = stored.load(row, rows, care_rows, categories)
    if parts is None:
        return None
    rereferral = parts.pop("rereferral")
    tables = YearTables(year=year, rows=list(rows), care_types=care_rows, rereferral_counts=None, **parts)
    tables.__dict__["rereferral"] = rereferral  # the cached_property, stored protected
    return tables


def _build(region_id: int, year: int, care_types: list[str]) -> YearTables:
    rows = table_rows(region_id)
    row_of = {(row.municipality_id, row.team_id): i for i, row in enumerate(rows)}
    known = {row.municipality_id for row in rows}

    def row_index(municipality_id: int, submitter_id: Optional[int]) -> Optional[int]:
        if municipality_id not in known:  # a municipality that has left the region: not in its figures
            return None
        return row_of.get((municipality_id, submitter_id), row_of[(municipality_id, None)])

    care_rows = care_types + [NO_CARE_TYPE]
    care_index = {code: i for i, code in enumerate(care_rows)}
    lo, hi = Period(date(year, 1, 1), PeriodKind.YEAR).moments()

    def empty(n_rows: int) -> list[list[int]]:
        return [[0] * 12 for _ in range(n_rows)]

    results = {result: empty(len(rows)) for result in RESULTS}
    placements = {placement: empty(len(rows)) for placement in PLACEMENTS}
    days: dict[tuple, list[int]] = {}
    month_of: dict[int, tuple[int, int]] = {}  # outcome id -> (row, month index)
    for outcome_id, municipality_id, submitter_id, recorded_at, result, placement, working_days in db.session.execute(
            select(CaseOutcome.id, Case.municipality_id, Case.submitting_organisation_id, CaseOutcome.recorded_at,
                   CaseOutcome.result, CaseOutcome.placement_result, CaseOutcome.working_days_to_fitting_help)
            .join(Case, Case.id == CaseOutcome.case_id)
            .where(Case.region_id == region_id, CaseOutcome.recorded_at >= lo, CaseOutcome.recorded_at < hi)):
        row = row_index(municipality_id, submitter_id)
        if row is None:
            continue
        month = dates.local_date(recorded_at).month - 1
        month_of[outcome_id] = (row, month)
        if result in results:
            results[result][row][month] += 1
        if placement in placements:
            placements[placement][row][month] += 1
        if working_days is not None:
            days.setdefault((None, month), []).append(working_days)
            days.setdefault((("m", municipality_id), month), []).append(working_days)
            if rows[row].team_id is not None:
                days.setdefault((("t", rows[row].team_id), month), []).append(working_days)

    categories = [cid for cid, _name in gap_categories(region_id)]
    gaps = {cid: empty(len(rows) * len(care_rows)) for cid in categories}
    for outcome_id, category_id, care_type in db.session.execute(
            select(OutcomeGap.outcome_id, OutcomeGap.gap_category_id, OutcomeGap.care_type)
            .join(CaseOutcome, CaseOutcome.id == OutcomeGap.outcome_id)
            .join(Case, Case.id == CaseOutcome.case_id)
            .where(Case.region_id == region_id, CaseOutcome.recorded_at >= lo, CaseOutcome.recorded_at < hi)):
        if outcome_id not in month_of or category_id not in gaps:
            continue
        row, month = month_of[outcome_id]
        column = care_index.get(care_type or NO_CARE_TYPE, care_index[NO_CARE_TYPE])
        gaps[category_id][row * len(care_rows) + column][month] += 1

    flow = {measure: empty(len(rows)) for measure in FLOW}
    first, last = date(year, 1, 1), date(year, 12, 31)
    moments = (Case.submitted_at, Case.intake_at, Case.closed_at)
    for municipality_id, submitter_id, submitted, intake, fitting, closed in db.session.execute(
            select(Case.municipality_id, Case.submitting_organisation_id, Case.submitted_at, Case.intake_at,
                   Case.fitting_help_started_on, Case.closed_at)
            .where(Case.region_id == region_id,
                   or_(*(and_(column >= lo, column < hi) for column in moments),
                       and_(Case.fitting_help_started_on >= first, Case.fitting_help_started_on <= last)))):
        row = row_index(municipality_id, submitter_id)
        if row is None:
            continue
        days_of_case = (dates.local_date(submitted) if submitted else None,
                        dates.local_date(intake) if intake else None, fitting,
                        dates.local_date(closed) if closed else None)
        for measure, day in zip(FLOW, days_of_case):
            if day is not None and first <= day <= last:
                flow[measure][row][day.month - 1] += 1

    again = empty(2)
    months = [Period(date(year, month + 1, 1), PeriodKind.MONTH) for month in range(12)]
    for month, share in enumerate(measures.shares_referred_again(region_id, [(p.start, p.end) for p in months])):
        again[0][month] = share.referred_again
        again[1][month] = share.youths - share.referred_again

    return YearTables(
        year=year, rows=rows, care_types=care_rows,
        results=Protected(results), placements=Protected(placements), flow=Protected(flow),
        gaps=Protected(gaps), rereferral_counts=again, days=days)


def protect(counts: list[list[int]]) -> SuppressedTable:
    """One year's table of one measure, protected as a whole with its margins."""
    return suppress_table(counts, row_totals=True, column_totals=True, threshold=THRESHOLD)


class Protected(Mapping):
    """key -> the protected table of `counts[key]`, protected when first read: a page reads a few of
    a year's tables (the monitor's flow only the flow, the start page only the outcomes), and each
    table is protected on its own, so the ones never read need no protection."""

    def __init__(self, counts: dict) -> None:
        self._counts = counts
        self._tables: dict = {}

    def __getitem__(self, key) -> SuppressedTable:
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = protect(self._counts[key])
        return table

    def __iter__(self):
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __repr__(self) -> str:  # as the dict of every protected table
        return repr(dict(self.items()))


# --- reading a protected table for a view -----------------------------------------------------------

def add_up(cells: list[Cell]) -> Cell:
    """The published sum of published cells: `sum_of`, except that published zeros add nothing, so a
    sum of one count and zeros is that count as shown ("<5" stays "<5": it tells nothing new)."""
    parts = [cell for cell in cells if cell.suppressed or cell.value]
    if not parts:
        return ZERO
    if len(parts) == 1:
        return parts[0]
    return sum_of(parts)


def _value(table: SuppressedTable, rows: Optional[list[int]], period: Period) -> Cell:
    """The published count of `period` over `rows` (None: every row, read from the margins)."""
    if period.kind is PeriodKind.YEAR:
        if rows is None:
            return table.grand_total
        return add_up([table.row_totals[r] for r in rows])
    months = range(period.start.month - 1, period.start.month - 1 + period.kind.months)
    if rows is None:
        return add_up([table.column_totals[m] for m in months])
    return add_up([table.cells[r][m] for r in rows for m in months])


def _scope_rows(tables: YearTables, filters: Filters) -> Optional[list[int]]:
    """The rows of the municipality tables the filters ask for (None: the region, from the margins)."""
    if filters.team_id is not None:
        return tables.row_indexes(team_id=filters.team_id)
    if filters.municipality_id is not None:
        return tables.row_indexes(municipality_id=filters.municipality_id)
    return None


def series(region_id: int, filters: Filters, care_types: list[str], family: str, key) -> list[Cell]:
    """One measure over the filters' periods: `family` "result" / "placement" / "flow" / "gap" (key: the
    code, the FLOW measure or the gap category id) or "rereferral" (key: "again" or "youths")."""
    out = []
    for period in filters.periods():
        tables = year_tables(region_id, period.start.year, care_types)
        rows = _scope_rows(tables, filters)
        if rows == []:  # not a municipality or access team of the region: nothing of it
            out.append(ZERO)
            continue
        if family == "result":
            out.append(_value(tables.results[key], rows, period))
        elif family == "placement":
            out.append(_value(tables.placements[key], rows, period))
        elif family == "flow":
            out.append(_value(tables.flow[key], rows, period))
        elif family == "gap":
            table = tables.gaps.get(key)
            if table is None:
                out.append(ZERO)
                continue
            if filters.care_type is None and rows is None:
                gap_rows = None
            else:
                c_rows = (range(len(tables.care_types)) if filters.care_type is None
                          else [tables.care_types.index(filters.care_type)])
                gap_rows = [tables.gap_row(r, c) for r in (rows if rows is not None else range(len(tables.rows)))
                            for c in c_rows]
            out.append(_value(table, gap_rows, period))
        elif family == "rereferral":
            rereferral_rows = [0] if key == "again" else None  # youths: both rows (the margins)
            out.append(_value(tables.rereferral, rereferral_rows, period))
        else:
            raise ValueError(f"unknown family {family!r}")
    return out


def _days_scope(filters: Filters):
    if filters.team_id is not None:
        return ("t", filters.team_id)
    if filters.municipality_id is not None:
        return ("m", filters.municipality_id)
    return None


def days_to_fitting_help(region_id: int, filters: Filters, care_types: list[str]) -> list[Days]:
    out = []
    scope = _days_scope(filters)
    for period in filters.periods():
        tables = year_tables(region_id, period.start.year, care_types)
        months = range(period.start.month - 1, period.start.month - 1 + period.kind.months)
        values = [value for m in months for value in tables.days.get((scope, m), [])]
        out.append(days_of(values))
    return out


def days_of(values: list[int]) -> Days:
    """Median and quartiles (the inclusive method: halfway between the values around each point) of at
    least THRESHOLD values; fewer: not enough."""
    if len(values) < THRESHOLD:
        return Days(enough=False)
    q1, median, q3 = statistics.quantiles(sorted(values), n=4, method="inclusive")
    return Days(enough=True, median=median, q1=q1, q3=q3)


# --- one view -----------------------------------------------------------------------------------------

@dataclass
class View:
    filters: Filters
    periods: list[Period]
    results: list[tuple[str, list[Cell]]]
    placements: list[tuple[str, list[Cell]]]
    gaps: list[tuple[int, str, list[Cell]]]
    rereferral_again: list[Cell]
    rereferral_youths: list[Cell]
    days: list[Days]
    computed_at: Optional[datetime] = None  # the oldest stored year shown: when it was computed (None: now)

    @property
    def has_data(self) -> bool:
        """Whether anything at all was recorded in the periods shown (a hidden count is data too)."""
        cells = [c for _k, cells in self.results for c in cells] + self.rereferral_youths
        cells += [c for _k, _n, cells in self.gaps for c in cells]
        return any(c.suppressed or c.value for c in cells) or any(d.enough for d in self.days)

    def rereferral_share(self, index: int) -> Optional[float]:
        again, youths = self.rereferral_again[index], self.rereferral_youths[index]
        if again.suppressed or youths.suppressed or not youths.value or youths.value < THRESHOLD:
            return None
        return again.value / youths.value


def view(region_id: int, filters: Filters, care_types: list[str]) -> View:
    """Everything the aggregates page shows for `filters` (every count protected, see above)."""
    prefetch(region_id, filters.years)
    return View(
        filters=filters, periods=filters.periods(),
        results=[(key, series(region_id, filters, care_types, "result", key)) for key in RESULTS],
        placements=[(key, series(region_id, filters, care_types, "placement", key)) for key in PLACEMENTS],
        gaps=[(cid, name, series(region_id, filters, care_types, "gap", cid))
              for cid, name in gap_categories(region_id)],
        rereferral_again=series(region_id, filters, care_types, "rereferral", "again"),
        rereferral_youths=series(region_id, filters, care_types, "rereferral", "youths"),
        days=days_to_fitting_help(region_id, filters, care_types),
        computed_at=computed_at(region_id, filters, care_types))


def computed_at(region_id: int, filters: Filters, care_types: list[str]) -> Optional[datetime]:
    """When the oldest of the stored years the filters show was computed (None: every one computed now)."""
    moments = [year_tables(region_id, year, care_types).computed_at for year in filters.years]
    stored = [moment for moment in moments if moment is not None]
    return min(stored) if stored else None
