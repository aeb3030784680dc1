"""Norm clocks of a case: which deadlines run, from when, and whether they are overdue.

The calculation itself is in clock.py (working days, Dutch holidays, pauses); this module applies
the region's norms to a case's dates. Dates are taken in Europe/Amsterdam.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Optional

from flask_babel import lazy_gettext as _l

from ret_app.cases import clock
from ret_app.extensions import db
from ret_app.models.base import local_date, local_today
from ret_app.models import Case, CaseStatus, RegionNorms, Screening

CLOCK_LABELS = {
    "intake_decision": _l("Intake decision"),
    "screening": _l("Screening finished"),
    "first_session": _l("First RET session"),
}
# Stages after intake in which the case waits for its first discussion in a RET session.
_AFTER_INTAKE = (CaseStatus.SCREENING, CaseStatus.PROCESS_DIRECTION, CaseStatus.MONITORING)


def first_session_held(case: Case) -> bool:
    """Has the case been discussed in a RET session that started (planned ones do not count)?"""
    from sqlalchemy import exists, select

    from ret_app.models import Meeting, MeetingItem, MeetingStatus

    return bool(db.session.scalar(select(exists().where(
        MeetingItem.case_id == case.id, MeetingItem.meeting_id == Meeting.id,
        Meeting.status.in_([MeetingStatus.IN_PROGRESS.value, MeetingStatus.CLOSED.value,
                            MeetingStatus.APPROVED.value])))))


def norms_for(region_id: int) -> clock.Norms:
    row = db.session.get(RegionNorms, region_id)
    if row is None:
        return clock.Norms()
    return clock.Norms(intake_decision=row.intake_decision, first_session=row.first_session,
                       first_session_crisis=row.first_session_crisis, screening=row.screening)


def _stage(case: Case) -> CaseStatus:
    """The stage whose clocks run: for a paused case, the stage it was paused in."""
    if case.status == CaseStatus.PAUSED and case.status_before_pause:
        return CaseStatus(case.status_before_pause)
    return CaseStatus(case.status)


def case_clocks(case: Case, today: Optional[date] = None, norms: Optional[clock.Norms] = None,
                screening_finalised: Optional[bool] = None,
                session_held: Optional[bool] = None) -> list[clock.NormClock]:
    """The clocks that run for the case now (a met norm stops running)."""
    today = today or local_today()
    norms = norms or norms_for(case.region_id)
    pauses = [clock.Pause(p.start, p.end) for p in case.pauses]
    stage = _stage(case)
    clocks = []
    if stage in (CaseStatus.SUBMITTED, CaseStatus.INTAKE) and case.submitted_at:
        clocks.append(clock.clock("intake_decision", local_date(case.submitted_at), norms.intake_decision,
                                  pauses, clock.DEFAULT_CALENDAR, today))
    if stage is CaseStatus.SCREENING and case.intake_at:
        if screening_finalised is None:
            screening = db.session.query(Screening).filter_by(case_id=case.id).one_or_none()
            screening_finalised = screening is not None and screening.finalised_at is not None
        if not screening_finalised:
            clocks.append(clock.clock("screening", local_date(case.intake_at), norms.screening, pauses,
                                      clock.DEFAULT_CALENDAR, today))
    if stage in _AFTER_INTAKE and case.intake_at:
        if session_held is None:
            session_held = first_session_held(case)
        if not session_held:
            days = norms.first_session_crisis if case.urgency == "crisis" else norms.first_session
            clocks.append(clock.clock("first_session", local_date(case.intake_at), days, pauses,
                                      clock.DEFAULT_CALENDAR, today))
    return clocks


def is_overdue(case: Case, today: Optional[date] = None, norms: Optional[clock.Norms] = None) -> bool:
    return any(c.overdue for c in case_clocks(case, today, norms))


def overdue_checker(today: Optional[date] = None) -> Callable[[Case], bool]:
    """is_overdue for a list of cases, reading each region's norms once."""
    by_region: dict[int, clock.Norms] = {}

    def check(case: Case) -> bool:
        if case.region_id not in by_region:
            by_region[case.region_id] = norms_for(case.region_id)
        return is_overdue(case, today, by_region[case.region_id])

    return check


def working_days_open(case: Case, today: Optional[date] = None) -> Optional[int]:
    if case.submitted_at is None:
        return None
    today = today or local_today()
    end = local_date(case.closed_at) if case.closed_at else today
    return clock.days_open(local_date(case.submitted_at), end,
                           [clock.Pause(p.start, p.end) for p in case.pauses], clock.DEFAULT_CALENDAR)
