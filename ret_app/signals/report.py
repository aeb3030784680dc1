"""The signal report of a region for a period (PDF and CSV): what the RET hands to purchasing and
policy. Counts only, every one suppressed as the analyst's view is (ret_app.stats.suppression: 1..4 shown
as "<5", and complementary suppression where totals would give a small count away) — no case
reference, no name, no free text, no date finer than a month.

Sections: the signals open at the end of the period or raised in it (category, care type, status, owner,
month raised, cases); cases with a gap per category and municipality in the period; requests declined
for lack of capacity or expertise per care type; escalations to the network and their results; cases
not solved; the trend of cases with a gap and cases not solved over the period and the three before it
(the same chart SVG as the gap overview page). Every export is audited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ret_app import audit
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import GapSignal, Region, SignalStatus
from ret_app.pdf import render_pdf
from ret_app.signals import overview as gap_overview
from ret_app.signals.labels import DECLINE_LABELS, GAP_DECLINES, OWNER_LABELS, STATUS_LABELS
from ret_app.escalations.labels import RESULT_LABELS as ESCALATION_RESULT_LABELS
from ret_app.stats.periods import Period, PeriodKind
from ret_app.stats.suppression import Cell, suppress_counts, suppress_table

TREND_PERIODS = 4


def default_period(today=None) -> Period:
    """The running quarter (so far)."""
    return Period.containing(PeriodKind.QUARTER, today or dates.today())


@dataclass
class Report:
    region: Region
    period: Period
    signals: list[tuple[GapSignal, Cell]]
    care_names: dict[str, str]
    categories: list  # GapCategory rows of the gap table
    municipalities: list  # Municipality columns of the gap table
    gaps: object  # SuppressedTable: categories x municipalities, with margins
    declines: object  # SuppressedTable: care types x (no capacity, not our expertise), with margins
    decline_care_types: list[str]
    escalations: object  # SuppressedCounts: result/status -> Cell, with total
    escalation_labels: dict[str, str]
    not_solved: Cell
    chart: object


def build(region: Region, period: Period) -> Report:
    overview = gap_overview.build(region.id, gap_overview.OverviewFilters(kind=period.kind), periods=[period])
    lo, hi = period.moments()
    signals = list(db.session.scalars(
        select(GapSignal).options(joinedload(GapSignal.category))
        .where(GapSignal.region_id == region.id, GapSignal.raised_at < hi,
               or_(GapSignal.status != SignalStatus.CLOSED.value, GapSignal.status_changed_at >= lo))
        .order_by(GapSignal.raised_at, GapSignal.id)))
    signal_cells = suppress_counts({str(s.id): s.case_count for s in signals}, total=False)

    municipalities = [m for m in overview.municipalities]
    categories = overview.categories
    gaps = suppress_table([[overview.by_municipality[c.id].get(m.id, 0) for m in municipalities] for c in categories]
                          or [[0 for _m in municipalities]])
    decline_care_types = [ct for ct, _a, _b in overview.declines]
    declines = suppress_table([[a, b] for _ct, a, b in overview.declines] or [[0, 0]])
    e = overview.escalations
    labels = {**{code: str(ESCALATION_RESULT_LABELS.get(code, code)) for code in e.results},
              "declined": _("Declined by the network"), "withdrawn": _("Withdrawn"), "running": _("Still running")}
    escalations = suppress_counts({**e.results, "declined": e.declined, "withdrawn": e.withdrawn,
                                   "running": e.running})
    not_solved = suppress_counts({"not_solved": overview.not_solved[0]}, total=False)["not_solved"]

    trend_periods = [period.shifted(-i) for i in range(TREND_PERIODS - 1, -1, -1)]
    trend = gap_overview.build(region.id, gap_overview.OverviewFilters(kind=period.kind), periods=trend_periods)
    series = suppress_table([trend.gap_totals, trend.not_solved], row_totals=False, column_totals=False)
    chart = gap_overview.trend_chart(trend, (series.cells[0], series.cells[1]), chart_id="report-trend")
    return Report(region=region, period=period, signals=[(s, signal_cells[str(s.id)]) for s in signals],
                  care_names=caretypes.names(region.id), categories=categories, municipalities=municipalities,
                  gaps=gaps, declines=declines, decline_care_types=decline_care_types, escalations=escalations,
                  escalation_labels=labels, not_solved=not_solved, chart=chart)


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
    for signal, cell in report.signals:
        row = signal.category.name + (f" · {report.care_names.get(signal.care_type, signal.care_type)}"
                                      if signal.care_type else "")
        writer.writerow([_("Signals"), row, _("Status"), str(STATUS_LABELS[signal.status])])
        writer.writerow([_("Signals"), row, _("Owner"), str(OWNER_LABELS.get(signal.owner, "—"))])
        writer.writerow([_("Signals"), row, _("Raised"), Period.containing(PeriodKind.MONTH,
                                                                              dates.local_date(signal.raised_at)).label])
        writer.writerow([_("Signals"), row, _("Cases"), cell.shown])
    section = _("Cases with a gap per municipality")
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


def parse_period(key: Optional[str]) -> Optional[Period]:
    """A period from the query string ("2026-Q4", "2026-11", "2026"); None when it is not one."""
    try:
        return Period.parse(key or "")
    except ValueError:
        return None
