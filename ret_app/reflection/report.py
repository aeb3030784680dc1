"""The reflection report of one access team or one municipality for a period: what the RET saw from
them, for the periodic reflection with the access teams.

Every count is read from the analyst's protected tables (ret_app/analyst/aggregates.py): an access team
is a row of the municipality tables (municipality x referring access team), a municipality the sum of its
rows — the same numbers the analyst's page and the monitor API publish, so nothing here can be combined
with them to work a hidden count out (docs/suppression.md, "One protected table per year"). The chosen
period is shown with the periods before it side by side. Counts only: never a name, case reference,
date finer than a month or free text; medians and quartiles of working days only from 5 outcomes.

Sections: the flow (referred, taken into intake, fitting help started, closed); outcomes by result
(returned to the access team with advice among them); intended out-of-home placements prevented or
carried out; working days from referral to fitting help; gaps met per category, and per care type in
the chosen period."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app.analyst import aggregates
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Municipality, Organisation, Region
from ret_app.models.organisations import OrganisationKind
from ret_app.outcomes.labels import PLACEMENT_RESULT_LABELS, RESULT_LABELS
from ret_app.pdf import render_pdf
from ret_app.stats.charts import Chart, period_chart
from ret_app.stats.periods import Period, PeriodKind
from ret_app.stats.suppression import Cell

TEAM = "team"
MUNICIPALITY = "municipality"
# How many periods are shown side by side: the chosen one and those before it.
SIDE_BY_SIDE = {PeriodKind.MONTH: 4, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 3}

FLOW_LABELS = {
    "referred": _l("Referred to the RET"),
    "taken_in": _l("Taken into intake"),
    "fitting_help_started": _l("Fitting help started"),
    "closed": _l("Closed"),
}


@dataclass(frozen=True)
class Subject:
    """An access team or a municipality of a region."""

    kind: str  # TEAM | MUNICIPALITY
    id: int
    name: str
    region_id: int
    municipality_id: int
    municipality_name: str

    @property
    def code(self) -> str:
        return f"{self.kind}-{self.id}"

    @property
    def params(self) -> dict:
        return {self.kind: self.id}


def find_subject(kind: str, subject_id: Optional[int]) -> Optional[Subject]:
    """The access team (an organisation of kind access team serving a municipality) or municipality
    with that id, of whatever region (the caller checks the region), or None."""
    if subject_id is None:
        return None
    if kind == TEAM:
        row = db.session.execute(
            select(Organisation.id, Organisation.name, Municipality.region_id, Municipality.id, Municipality.name)
            .join(Municipality, Municipality.id == Organisation.municipality_id)
            .where(Organisation.id == subject_id, Organisation.kind == OrganisationKind.ACCESS_TEAM.value)).first()
    elif kind == MUNICIPALITY:
        row = db.session.execute(
            select(Municipality.id, Municipality.name, Municipality.region_id, Municipality.id, Municipality.name)
            .where(Municipality.id == subject_id)).first()
    else:
        return None
    if row is None:
        return None
    return Subject(kind, row[0], row[1], row[2], row[3], row[4])


def parse_code(code: Optional[str]) -> Optional[tuple[str, int]]:
    """("team", 12) from "team-12"; None when it is not such a code."""
    kind, _sep, number = (code or "").partition("-")
    if kind not in (TEAM, MUNICIPALITY) or not number.isascii() or not number.isdigit() or len(number) > 12:
        return None
    return kind, int(number)


def default_period(today: Optional[date] = None) -> Period:
    """The last whole quarter (a reflection looks back)."""
    return Period.containing(PeriodKind.QUARTER, today or dates.today()).previous()


@dataclass
class Report:
    subject: Subject
    region_name: str
    period: Period
    periods: list[Period]  # oldest first; the chosen one last
    flow: list[tuple[str, list[Cell]]]
    results: list[tuple[str, list[Cell]]]
    placements: list[tuple[str, list[Cell]]]
    days: list[aggregates.Days]
    gaps: list[tuple[str, list[Cell]]]  # categories with something in one of the periods
    gap_care_types: list[tuple[str, str, Cell]]  # (category, care type, count) in the chosen period
    chart: Chart
    has_data: bool

    @property
    def any_suppressed(self) -> bool:
        rows = self.flow + self.results + self.placements + self.gaps
        return (any(cell.suppressed for _l, cells in rows for cell in cells)
                or any(cell.suppressed for _c, _t, cell in self.gap_care_types))

    @property
    def any_days_missing(self) -> bool:
        return any(not d.enough for d in self.days)


def _something(cell: Cell) -> bool:
    return cell.suppressed or bool(cell.value)


def build(subject: Subject, period: Period) -> Report:
    periods = [period.shifted(-i) for i in range(SIDE_BY_SIDE[period.kind] - 1, -1, -1)]
    region_id = subject.region_id
    catalogue = caretypes.names(region_id)
    care_types = list(catalogue)
    team_id = subject.id if subject.kind == TEAM else None
    filters = aggregates.Filters(kind=period.kind, year=period.start.year, municipality_id=subject.municipality_id,
                                 team_id=team_id, shown=tuple(periods))

    def series(family: str, key) -> list[Cell]:
        return aggregates.series(region_id, filters, care_types, family, key)

    flow = [(str(label), series("flow", key)) for key, label in FLOW_LABELS.items()]
    results = [(str(RESULT_LABELS[key]), series("result", key)) for key in aggregates.RESULTS]
    placements = [(str(PLACEMENT_RESULT_LABELS[key]), series("placement", key)) for key in aggregates.PLACEMENTS]
    days = aggregates.days_to_fitting_help(region_id, filters, care_types)
    categories = aggregates.gap_categories(region_id)
    gaps, gap_care_types = [], []
    chosen = aggregates.Filters(kind=period.kind, year=period.start.year, municipality_id=subject.municipality_id,
                                team_id=team_id, shown=(period,))
    for category_id, name in categories:
        cells = series("gap", category_id)
        if not any(_something(cell) for cell in cells):
            continue
        gaps.append((name, cells))
        if not _something(cells[-1]):
            continue
        for code in care_types + [aggregates.NO_CARE_TYPE]:
            one = replace(chosen, care_type=code)
            [cell] = aggregates.series(region_id, one, care_types, "gap", category_id)
            if _something(cell):
                gap_care_types.append((name, catalogue.get(code, _("no care type given")) if code else
                                       _("no care type given"), cell))
    last = -1
    has_data = (any(_something(cells[last]) for _label, cells in flow + results + gaps) or days[last].enough)
    chart = period_chart("bar", periods, [(label, cells) for label, cells in flow],
                         title=_("Cases of %(name)s per period", name=subject.name), chart_id="reflection-flow",
                         value_label=_("number of cases"))
    region = db.session.get(Region, region_id)
    return Report(subject=subject, region_name=region.name if region else "", period=period, periods=periods,
                  flow=flow, results=results, placements=placements, days=days, gaps=gaps,
                  gap_care_types=gap_care_types, chart=chart, has_data=has_data)


def filename(report: Report) -> str:
    kind = "toegangsteam" if report.subject.kind == TEAM else "gemeente"
    return f"reflectieverslag-{kind}-{report.subject.id}-{report.period.key}.pdf"


def pdf(report: Report) -> bytes:
    return render_pdf("pdf/reflection_report.html", document_title=_("Reflection report"),
                      reference=f"{report.subject.name} · {report.period.label}",
                      reference_label=_("Access team") if report.subject.kind == TEAM else _("Municipality"),
                      generated_at=dates.utcnow(), r=report)
