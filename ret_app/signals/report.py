"""The signal report of a region for a period (PDF and CSV): what the RET hands to purchasing and
policy. Counts only, no case reference, no name, no free text, no date finer than a month. It is made
as an export job (ret_app/exports: `render` below, registered by the capability as "signal-report"):
the chair or a RET member asks for it on the gap overview and downloads it from the job's page.

Sections: the signals open at the end of the period or raised in it (category, care type, status, owner,
month raised, cases); gaps recorded per category and municipality in the period; requests declined
for lack of capacity or expertise per care type; escalations to the network and their results; cases
not solved; the trend of gaps recorded and cases not solved over the period and the three before it.

What the analyst also publishes is read from the analyst's protected tables (ret_app/analyst/aggregates.py),
not counted and protected again here: the gaps per category x municipality, their totals, and the cases
not solved (outcome result "not realised"). A quarter is the sum of its published months, hidden when any
of them is, and a total across categories is the sum of published numbers, hidden likewise. So a reader
holding both this report and the analyst's page (or the API) holds one protected table and sums of its
published numbers: nothing hidden can be worked out by combining them. A signal's number of cases is not
given (as on the analyst's page and in the API): with the gap tables it could pin a hidden count. The counts
the analyst does not publish (declines per care type, escalations) are suppressed here on their own
(ret_app.stats.suppression: 1..4 shown as "<5", complementary suppression where totals would give a small
count away); docs/suppression.md says so. Every export is audited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ret_app import audit, policy
from ret_app.analyst import aggregates
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import GapSignal, Municipality, OutcomeResult, Region, SignalStatus
from ret_app.pdf import render_pdf
from ret_app.signals import overview as gap_overview
from ret_app.signals.labels import DECLINE_LABELS, GAP_DECLINES, OWNER_LABELS, STATUS_LABELS
from ret_app.escalations.labels import RESULT_LABELS as ESCALATION_RESULT_LABELS
from ret_app.stats.periods import Period, PeriodKind
from ret_app.stats.suppression import Cell, SuppressedTable, sum_of, suppress_counts, suppress_table

KIND = "signal-report"
LABEL = _l("Signal report")
FORMATS = ("pdf", "csv")
MIMETYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
TREND_PERIODS = 4
NOT_SOLVED = OutcomeResult.NOT_REALISED.value  # "cases not solved"


def default_period(today=None) -> Period:
    """The running quarter (so far)."""
    return Period.containing(PeriodKind.QUARTER, today or dates.today())


@dataclass
class Report:
    region: "RegionRow"
    period: Period
    signals: list["SignalRow"]
    care_names: dict[str, str]
    categories: list  # CategoryRow: the gap table's rows,: categories with a gap recorded (or hidden)
    municipalities: list  # MunicipalityRow: the gap table's columns
    gaps: SuppressedTable  # categories x municipalities, margins: read from the analyst's tables
    declines: object  # SuppressedTable: care types x (no capacity, not our expertise), with margins
    decline_care_types: list[str]
    escalations: object  # SuppressedCounts: result/status -> Cell, with total
    escalation_labels: dict[str, str]
    not_solved: Cell  # the analyst's count of outcomes "not realised" in the period
    chart: object


@dataclass(frozen=True)
class CategoryRow:
    id: int
    name: str


@dataclass(frozen=True)
class SignalRow:
    """What the report shows of a signal, read at once (the job commits its progress in between, which
    would make every loaded row load again)."""

    id: int
    category: CategoryRow
    care_type: Optional[str]
    status: str
    owner: Optional[str]
    raised_at: object
    case_count: int


@dataclass(frozen=True)
class RegionRow:
    id: int
    name: str


@dataclass(frozen=True)
class MunicipalityRow:
    id: int
    name: str


def _noop(percent: int, message=None) -> None:
    pass


def published(region_id: int, period: Period, care_types: list[str], family: str, key,
              municipality_id: Optional[int] = None) -> Cell:
    """The analyst's published count of one measure for `period` (the region, or one municipality):
    the very number the analyst's page and the API show for the same filters."""
    filters = aggregates.Filters(kind=period.kind, year=period.start.year, municipality_id=municipality_id)
    return aggregates.series(region_id, filters, care_types, family, key)[filters.periods().index(period)]


def _gap_table(region_id: int, period: Period, care_types: list[str],
               municipality_ids: list[int]) -> tuple[list, SuppressedTable]:
    rows, cells, totals = [], [], []
    for category_id, name in aggregates.gap_categories(region_id):
        total = published(region_id, period, care_types, "gap", category_id)
        row = [published(region_id, period, care_types, "gap", category_id, mid) for mid in municipality_ids]
        if not (total.suppressed or total.value or any(c.suppressed or c.value for c in row)):
            continue
        rows.append(CategoryRow(category_id, name))
        cells.append(tuple(row))
        totals.append(total)
    # Totals across categories: sums of published numbers, hidden when any part is hidden.
    column_totals = tuple(sum_of([row[j] for row in cells]) for j in range(len(municipality_ids)))
    return rows, SuppressedTable(cells=tuple(cells), row_totals=tuple(totals), column_totals=column_totals,
                                 grand_total=sum_of(totals))


def build(region: Region, period: Period, progress=_noop) -> Report:
    care_types = list(caretypes.names(region.id))
    lo, hi = period.moments()
    signals = [SignalRow(s.id, CategoryRow(s.category.id, s.category.name), s.care_type, s.status, s.owner,
                         s.raised_at, s.case_count) for s in db.session.scalars(
        select(GapSignal).options(joinedload(GapSignal.category))
        .where(GapSignal.region_id == region.id, GapSignal.raised_at < hi,
               or_(GapSignal.status != SignalStatus.CLOSED.value, GapSignal.status_changed_at >= lo))
        .order_by(GapSignal.raised_at, GapSignal.id))]
    region = RegionRow(region.id, region.name)
    progress(20, _("Reading the signals"))

    in_region = {mid for mid, _name in aggregates.municipalities(region.id)}
    municipalities = [MunicipalityRow(m.id, m.name) for m in db.session.scalars(
        select(Municipality).where(Municipality.region_id == region.id).order_by(Municipality.name))
        if m.id in in_region]
    categories, gaps = _gap_table(region.id, period, care_types, [m.id for m in municipalities])
    not_solved = published(region.id, period, care_types, "result", NOT_SOLVED)
    progress(45, _("Reading the gaps from the protected tables"))

    overview = gap_overview.build(region.id, gap_overview.OverviewFilters(kind=period.kind), periods=[period])
    decline_care_types = [ct for ct, _a, _b in overview.declines]
    declines = suppress_table([[a, b] for _ct, a, b in overview.declines] or [[0, 0]])
    e = overview.escalations
    labels = {**{code: str(ESCALATION_RESULT_LABELS.get(code, code)) for code in e.results},
              "declined": _("Declined by the network"), "withdrawn": _("Withdrawn"), "running": _("Still running")}
    escalations = suppress_counts({**e.results, "declined": e.declined, "withdrawn": e.withdrawn,
                                   "running": e.running})
    progress(60, _("Counting declines and escalations"))

    trend_periods = [period.shifted(-i) for i in range(TREND_PERIODS - 1, -1, -1)]
    category_ids = [cid for cid, _name in aggregates.gap_categories(region.id)]
    trend_gaps = [sum_of([published(region.id, p, care_types, "gap", cid) for cid in category_ids])
                  for p in trend_periods]
    trend_not_solved = [published(region.id, p, care_types, "result", NOT_SOLVED) for p in trend_periods]
    chart = trend_chart(trend_periods, trend_gaps, trend_not_solved)
    progress(75, _("Drawing the trend"))
    return Report(region=region, period=period, signals=signals,
                  care_names=caretypes.names(region.id), categories=categories, municipalities=municipalities,
                  gaps=gaps, declines=declines, decline_care_types=decline_care_types, escalations=escalations,
                  escalation_labels=labels, not_solved=not_solved, chart=chart)


def trend_chart(periods: list[Period], gaps: list[Cell], not_solved: list[Cell]):
    """The report's trend (ret_app.stats.charts): gaps recorded and cases not solved, per period."""
    from ret_app.stats.charts import line_chart

    return line_chart(periods, [(_("Gaps recorded"), gaps), (_("Cases not solved"), not_solved)],
                      title=_("Gaps recorded and cases not solved, per period"), chart_id="report-trend",
                      value_label=_("gaps and cases"))


def _context(report: Report) -> dict:
    return {"r": report, "status_labels": STATUS_LABELS, "owner_labels": OWNER_LABELS,
            "decline_labels": [DECLINE_LABELS[code] for code in GAP_DECLINES]}


def pdf(report: Report) -> bytes:
    data = render_pdf("pdf/signal_report.html", document_title=_("Gap signal report"),
                      reference=f"{report.region.name} · {report.period.label}", reference_label=_("Region"),
                      generated_at=dates.utcnow(), **_context(report))
    _audit(report, "pdf")
    return data


def csv_bytes(report: Report) -> bytes:
    """One line per number: section; row; column; value as shown ("<5", "x" where suppressed)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Region"), report.region.name, _("Period"), report.period.label])
    writer.writerow([_("Section"), _("Row"), _("Column"), _("Number")])
    for signal in report.signals:
        row = signal.category.name + (f" · {report.care_names.get(signal.care_type, signal.care_type)}"
                                      if signal.care_type else "")
        writer.writerow([_("Signals"), row, _("Status"), str(STATUS_LABELS[signal.status])])
        writer.writerow([_("Signals"), row, _("Owner"), str(OWNER_LABELS.get(signal.owner, "—"))])
        writer.writerow([_("Signals"), row, _("Raised"), Period.containing(PeriodKind.MONTH,
                                                                              dates.local_date(signal.raised_at)).label])
    section = _("Gaps recorded per category and municipality")
    for category, cells, total in zip(report.categories, report.gaps.cells, report.gaps.row_totals):
        for municipality, cell in zip(report.municipalities, cells):
            writer.writerow([section, category.name, municipality.name, cell.shown])
        writer.writerow([section, category.name, _("Total"), total.shown])
    if report.categories:
        for municipality, cell in zip(report.municipalities, report.gaps.column_totals):
            writer.writerow([section, _("Total"), municipality.name, cell.shown])
        writer.writerow([section, _("Total"), _("Total"), report.gaps.grand_total.shown])
    section = _("Requests declined")
    labels = [str(label) for label in (DECLINE_LABELS[code] for code in GAP_DECLINES)]
    for care_type, cells in zip(report.decline_care_types, report.declines.cells):
        for label, cell in zip(labels, cells):
            writer.writerow([section, report.care_names.get(care_type, care_type), label, cell.shown])
    section = _("Escalations to the network")
    for code, cell in report.escalations.items():
        writer.writerow([section, report.escalation_labels[code], "", cell.shown])
    writer.writerow([section, _("Total"), "", report.escalations.total.shown])
    writer.writerow([_("Cases not solved"), "", "", report.not_solved.shown])
    for (label, cells) in report.chart.rows:
        for series, cell in zip(report.chart.series, cells):
            writer.writerow([_("Trend"), label, series.name, cell.shown])
    _audit(report, "csv")
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM: spreadsheet programs read it as UTF-8


def filename(report: Report, extension: str) -> str:
    return f"signaalrapport-{report.period.key}.{extension}"


def _audit(report: Report, kind: str) -> None:
    audit.record(audit.Action.EXPORT, object_type="signal_report", object_id=report.region.id,
                 detail=f"period={report.period.key};format={kind};signals={len(report.signals)}")


def report_periods(today: Optional[date] = None) -> list[Period]:
    """What the report form offers: the last eight quarters and the last three years (newest first)."""
    from ret_app.stats.periods import last_periods

    return list(reversed(last_periods("quarter", 8, today=today))) + list(reversed(last_periods("year", 3, today=today)))


def parse_period(key: Optional[str]) -> Optional[Period]:
    """A period from its key ("2026-Q4", "2026-11", "2026"); None when it is not one."""
    try:
        return Period.parse(key or "")
    except ValueError:
        return None


# --- the export job ----------------------------------------------------------------------------------

def params(region_id: int, period: Period, kind: str) -> dict:
    """What the job is of: ids, dates and codes only (ret_app/exports/params.py)."""
    return {"region_id": region_id, "period_start": period.start.isoformat(), "period_kind": period.kind.value,
            "format": kind}


def _period_of(given: dict) -> Optional[Period]:
    try:
        return Period(date.fromisoformat(str(given.get("period_start"))), PeriodKind(given.get("period_kind")))
    except (TypeError, ValueError):
        return None


def may_request(user, given: dict) -> bool:
    """The chair and RET members, for their own region's report (the signal pages' rule)."""
    region_id = policy.signals_region(user)
    period = _period_of(given)
    return (region_id is not None and given.get("region_id") == region_id and given.get("format") in FORMATS
            and period is not None and aggregates.FIRST_YEAR <= period.start.year <= dates.today().year + 1)


def render(job, progress) -> tuple[str, str, bytes]:
    """The job runner's part: build the report of the job's region and period, then the file."""
    region = db.session.get(Region, job.params["region_id"])
    period = _period_of(job.params)
    kind = job.params["format"]
    progress(5, _("Starting"))
    built = build(region, period, progress)
    progress(85, _("Making the PDF") if kind == "pdf" else _("Making the CSV"))
    data = pdf(built) if kind == "pdf" else csv_bytes(built)
    return filename(built, kind), MIMETYPES[kind], data
