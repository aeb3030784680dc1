"""Norm clocks of a case: which deadlines run, from when, and whether they are overdue.

The calculation itself is in clock.py (working days, Dutch holidays, pauses); this module applies
the region's norms to a case's dates. Dates are taken in Europe/Amsterdam.

Lists never compute clocks per row: the case's nearest deadline is stored (`Case.next_deadline`)
whenever something it depends on changes — a lifecycle step (status, submission, intake, pauses),
the screening being finalised, the case's first RET session starting, the region's norms — so that
"overdue" is `next_deadline < today` in SQL. A paused case stores none (it is never overdue).

Other capabilities have due dates of their own (a plan's review moment, a request's reply-by date).
They register a due source (`register_due_source(fn)`, fn(case) -> (date, kind) or None); the stored
deadline is the nearest of the clocks and the sources, so no domain imports another. A capability
refreshes the case's deadline when one of its due dates changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable, Iterable, Optional

from sqlalchemy import exists, select

from ret_app.cases import clock
from ret_app.cases.events import CaseTransitioned
from ret_app.cases.lifecycle import IN_TRACK
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.kernel.dates import local_date
from ret_app.labels import CLOCK_LABELS  # noqa: F401  (the case page shows them)
from ret_app.models import Case, CaseStatus, Meeting, MeetingItem, MeetingStatus, RegionNorms, Screening

# A session counts as the case's first discussion once it has started.
_HELD = (MeetingStatus.IN_PROGRESS.value, MeetingStatus.CLOSED.value, MeetingStatus.APPROVED.value)


def first_session_held(case: Case) -> bool:
    """Has the case been discussed in a RET session that started (planned ones do not count)?"""
    return bool(db.session.scalar(select(exists().where(
        MeetingItem.case_id == case.id, MeetingItem.meeting_id == Meeting.id, Meeting.status.in_(_HELD)))))


def _screening_finalised(case: Case) -> bool:
    return db.session.scalar(select(Screening.finalised_at).where(Screening.case_id == case.id)) is not None


def norms_for(region_id: int) -> clock.Norms:
    row = db.session.get(RegionNorms, region_id)
    if row is None:
        return clock.Norms()
    return clock.Norms(intake_decision=row.intake_decision, first_session=row.first_session,
                       first_session_crisis=row.first_session_crisis, screening=row.screening)


def running_clocks(*, status: str, status_before_pause: Optional[str], submitted_at: Optional[datetime],
                   intake_at: Optional[datetime], urgency: str, pauses: Iterable[clock.Pause], norms: clock.Norms,
                   screening_finalised: bool, session_held: bool, today: date) -> list[clock.NormClock]:
    """The clocks that run for a case in this situation (plain values: the migration that fills
    `next_deadline` for existing cases uses it too)."""
    pauses = list(pauses)
    # The stage whose clocks run: for a paused case, the stage it was paused in.
    stage = CaseStatus(status_before_pause) if status == CaseStatus.PAUSED and status_before_pause \
        else CaseStatus(status)
    clocks = []
    if stage in (CaseStatus.SUBMITTED, CaseStatus.INTAKE) and submitted_at:
        clocks.append(clock.clock("intake_decision", local_date(submitted_at), norms.intake_decision, pauses,
                                  clock.DEFAULT_CALENDAR, today))
    if stage is CaseStatus.SCREENING and intake_at and not screening_finalised:
        clocks.append(clock.clock("screening", local_date(intake_at), norms.screening, pauses,
                                  clock.DEFAULT_CALENDAR, today))
    if stage in IN_TRACK and intake_at and not session_held:
        days = norms.first_session_crisis if urgency == "crisis" else norms.first_session
        clocks.append(clock.clock("first_session", local_date(intake_at), days, pauses, clock.DEFAULT_CALENDAR,
                                  today))
    return clocks


def case_clocks(case: Case, today: Optional[date] = None, norms: Optional[clock.Norms] = None,
                screening_finalised: Optional[bool] = None,
                session_held: Optional[bool] = None) -> list[clock.NormClock]:
    """The clocks that run for the case now (a met norm stops running)."""
    today = today or dates.today()
    stage = CaseStatus(case.status_before_pause) if case.status == CaseStatus.PAUSED and case.status_before_pause \
        else CaseStatus(case.status)
    if screening_finalised is None:
        screening_finalised = stage is CaseStatus.SCREENING and _screening_finalised(case)
    if session_held is None:
        session_held = stage in IN_TRACK and first_session_held(case)
    return running_clocks(status=case.status, status_before_pause=case.status_before_pause,
                          submitted_at=case.submitted_at, intake_at=case.intake_at, urgency=case.urgency,
                          pauses=[clock.Pause(p.start, p.end) for p in case.pauses],
                          norms=norms or norms_for(case.region_id), screening_finalised=screening_finalised,
                          session_held=session_held, today=today)


def nearest_deadline(clocks: list[clock.NormClock]) -> Optional[date]:
    """The deadline that comes first, or None when nothing runs or the case is paused now."""
    if not clocks or any(c.paused for c in clocks):
        return None
    return min(c.due for c in clocks)


# --- due dates of other capabilities -----------------------------------------------------------

DueSource = Callable[[Case], Optional[tuple[date, str]]]
_due_sources: list[DueSource] = []


def register_due_source(fn: DueSource) -> DueSource:
    """Register a capability's due date of a case: fn(case) -> (date, kind), or None when it has none
    now. Once per function."""
    if fn not in _due_sources:
        _due_sources.append(fn)
    return fn


def other_due_dates(case: Case) -> list[tuple[date, str]]:
    """What the registered due sources say for this case."""
    return [due for source in _due_sources if (due := source(case)) is not None]


def next_due(case: Case, norms: Optional[clock.Norms] = None) -> Optional[tuple[date, str]]:
    """The nearest due date of the case and its kind (a clock's name, or a due source's kind); None
    when nothing is due or the case is paused (everything stands still)."""
    clocks = case_clocks(case, norms=norms)
    if case.status == CaseStatus.PAUSED or any(c.paused for c in clocks):
        return None
    return min([(c.due, c.name) for c in clocks] + other_due_dates(case), default=None)


def refresh_deadline(case: Case, norms: Optional[clock.Norms] = None) -> None:
    """Store the case's nearest deadline (call after anything it depends on changed)."""
    due = next_due(case, norms)
    deadline = due[0] if due is not None else None
    if case.next_deadline != deadline:  # an unchanged value must not cost the case a new version
        case.next_deadline = deadline


@events.subscribe(CaseTransitioned)
def _after_step(event: CaseTransitioned) -> None:
    """Every lifecycle step can start, stop or move a clock (status, submission, intake, pauses)."""
    refresh_deadline(event.case)


def refresh_region(region_id: int) -> int:
    """The region's norms changed: store every open case's deadline again. Returns how many."""
    norms = norms_for(region_id)
    cases = list(db.session.scalars(select(Case).where(
        Case.region_id == region_id, Case.status.in_([s.value for s in CaseStatus if s not in
                                                      (CaseStatus.CONCEPT, CaseStatus.CLOSED,
                                                       CaseStatus.RETURNED_WITH_ADVICE)]))))
    for case in cases:
        refresh_deadline(case, norms)
    return len(cases)


def is_overdue(case: Case, today: Optional[date] = None) -> bool:
    """Past its stored nearest deadline (due today is not yet overdue)."""
    return case.next_deadline is not None and (today or dates.today()) > case.next_deadline


def working_days_open(case: Case, today: Optional[date] = None) -> Optional[int]:
    if case.submitted_at is None:
        return None
    today = today or dates.today()
    end = local_date(case.closed_at) if case.closed_at else today
    return clock.days_open(local_date(case.submitted_at), end,
                           [clock.Pause(p.start, p.end) for p in case.pauses], clock.DEFAULT_CALENDAR)
