"""The gap overview of a region: how many cases named each gap category per period (month, quarter or
year), per municipality and care type, with the evidence the collective produced beside it — requests
declined for lack of capacity or expertise per care type, escalations to the network and their results,
and cases not solved (outcome: fitting help not realised). A fixed number of queries (one per kind of
fact, each grouped or bounded by the periods shown), bucketed by period here.

Counts are of distinct cases (a case naming a category twice counts once). Periods are by the day the
outcome was recorded (gaps, cases not solved), the day a provider declined, the day an escalation was
sent — days in the Netherlands. The RET's own view: plain counts; what leaves the RET (the signal report,
report.py) is suppressed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import (
    Case,
    CaseOutcome,
    Escalation,
    EscalationStatus,
    GapCategory,
    Municipality,
    OutcomeGap,
    OutcomeResult,
    ProviderRequest,
    RequestStatus,
)
from ret_app.signals.labels import ESCALATION_RESULTS, GAP_DECLINES
from ret_app.stats.periods import Period, PeriodKind, last_periods

DEFAULT_COUNTS = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 3}
MAX_COUNT = 36


@dataclass(frozen=True)
class OverviewFilters:
    kind: PeriodKind = PeriodKind.QUARTER
    count: int = 4
    municipality_id: Optional[int] = None
    care_type: str = ""


@dataclass
class EscalationCounts:
    sent: int = 0
    running: int = 0
    declined: int = 0  # by the network
    withdrawn: int = 0
    results: dict[str, int] = field(default_factory=dict)  # closed: result code -> count


@dataclass
class Overview:
    periods: list[Period]
    categories: list[GapCategory]  # those with a count, in the taxonomy's order
    gaps: dict[int, list[int]]  # category id -> distinct cases per period
    gap_totals: list[int]  # distinct cases with any gap, per period
    by_municipality: dict[int, dict[int, int]]  # category id -> municipality id -> distinct cases (all periods)
    municipality_totals: dict[int, int]
    cases_with_gap: int  # over all periods shown
    not_solved: list[int]  # cases whose outcome says fitting help was not realised, per period
    declines: list[tuple[str, int, int]]  # (care type, no capacity, not our expertise) over all periods
    escalations: EscalationCounts
    municipalities: list[Municipality]

    @property
    def empty(self) -> bool:
        return not (self.cases_with_gap or any(self.not_solved) or self.declines or self.escalations.sent)


def _index(periods: list[Period], moment: Optional[datetime]) -> Optional[int]:
    if moment is None:
        return None
    day = dates.local_date(moment)
    for i, period in enumerate(periods):
        if period.start <= day <= period.end:
            return i
    return None


def build(region_id: int, filters: OverviewFilters, *, periods: Optional[list[Period]] = None,
          today=None) -> Overview:
    periods = periods or last_periods(filters.kind, filters.count, today=today)
    lo, hi = periods[0].moments()[0], periods[-1].moments()[1]
    where_case = [Case.region_id == region_id]
    if filters.municipality_id:
        where_case.append(Case.municipality_id == filters.municipality_id)

    # gaps: one row per gap (bounded by the periods shown)
    gap_query = (select(OutcomeGap.case_id, OutcomeGap.gap_category_id, CaseOutcome.recorded_at, Case.municipality_id)
                 .join(CaseOutcome, CaseOutcome.id == OutcomeGap.outcome_id).join(Case, Case.id == OutcomeGap.case_id)
                 .where(*where_case, CaseOutcome.recorded_at >= lo, CaseOutcome.recorded_at < hi))
    if filters.care_type:
        gap_query = gap_query.where(OutcomeGap.care_type == filters.care_type)
    per_period: dict[int, list[set]] = defaultdict(lambda: [set() for _p in periods])
    any_gap = [set() for _p in periods]
    per_municipality: dict[int, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    municipality_any: dict[int, set] = defaultdict(set)
    for case_id, category_id, recorded_at, municipality_id in db.session.execute(gap_query):
        i = _index(periods, recorded_at)
        if i is None:
            continue
        per_period[category_id][i].add(case_id)
        any_gap[i].add(case_id)
        per_municipality[category_id][municipality_id].add(case_id)
        municipality_any[municipality_id].add(case_id)

    # cases not solved
    not_solved = [0 for _p in periods]
    for (recorded_at,) in db.session.execute(
            select(CaseOutcome.recorded_at).join(Case, Case.id == CaseOutcome.case_id)
            .where(*where_case, CaseOutcome.result == OutcomeResult.NOT_REALISED.value,
                   CaseOutcome.recorded_at >= lo, CaseOutcome.recorded_at < hi)):
        i = _index(periods, recorded_at)
        if i is not None:
            not_solved[i] += 1

    # declines for lack of capacity or expertise, per care type (the periods shown together)
    decline_query = (select(ProviderRequest.care_type, ProviderRequest.decline_reason, func.count())
                     .join(Case, Case.id == ProviderRequest.case_id)
                     .where(*where_case, ProviderRequest.status == RequestStatus.DECLINED.value,
                            ProviderRequest.decline_reason.in_(GAP_DECLINES),
                            ProviderRequest.answered_at >= lo, ProviderRequest.answered_at < hi)
                     .group_by(ProviderRequest.care_type, ProviderRequest.decline_reason))
    if filters.care_type:
        decline_query = decline_query.where(ProviderRequest.care_type == filters.care_type)
    decline_counts: dict[str, dict[str, int]] = defaultdict(dict)
    for care_type, reason, count in db.session.execute(decline_query):
        decline_counts[care_type][reason] = count
    declines = sorted(((ct, c.get(GAP_DECLINES[0], 0), c.get(GAP_DECLINES[1], 0)) for ct, c in decline_counts.items()),
                      key=lambda row: (-(row[1] + row[2]), row[0]))

    # escalations sent to the network in the periods, by status and result
    escalations = EscalationCounts(results={code: 0 for code in ESCALATION_RESULTS})
    for status, result, count in db.session.execute(
            select(Escalation.status, Escalation.result, func.count()).join(Case, Case.id == Escalation.case_id)
            .where(*where_case, Escalation.sent_at >= lo, Escalation.sent_at < hi)
            .group_by(Escalation.status, Escalation.result)):
        escalations.sent += count
        if status == EscalationStatus.CLOSED.value and result:
            escalations.results[result] = escalations.results.get(result, 0) + count
        elif status == EscalationStatus.DECLINED.value:
            escalations.declined += count
        elif status == EscalationStatus.WITHDRAWN.value:
            escalations.withdrawn += count
        else:
            escalations.running += count

    categories = [c for c in db.session.scalars(select(GapCategory).where(GapCategory.region_id == region_id)
                                                .order_by(GapCategory.position, GapCategory.name))
                  if c.id in per_period]
    municipalities = list(db.session.scalars(select(Municipality).where(Municipality.region_id == region_id)
                                             .order_by(Municipality.name)))
    return Overview(
        periods=periods, categories=categories,
        gaps={c.id: [len(s) for s in per_period[c.id]] for c in categories},
        gap_totals=[len(s) for s in any_gap],
        by_municipality={c.id: {m: len(s) for m, s in per_municipality[c.id].items()} for c in categories},
        municipality_totals={m: len(s) for m, s in municipality_any.items()},
        cases_with_gap=len(set().union(*any_gap)),
        not_solved=not_solved, declines=declines, escalations=escalations, municipalities=municipalities)


def trend_chart(overview: Overview, cells=None, *, chart_id: str = "gap-trend"):
    """The trend chart (ret_app.stats.charts): cases with a gap and cases not solved, per period. `cells`:
    the series as suppressed Cells (the report) instead of the plain counts (the RET's page)."""
    from ret_app.stats.charts import line_chart

    gaps, not_solved = cells if cells is not None else (overview.gap_totals, overview.not_solved)
    return line_chart(overview.periods, [(_("Cases with a gap"), gaps), (_("Cases not solved"), not_solved)],
                      title=_("Cases with a gap and cases not solved, per period"), chart_id=chart_id,
                      value_label=_("cases"))
