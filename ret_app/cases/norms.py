"""Norm clocks of a case: which deadlines run, from when, and whether they are overdue; and the
case's next due item, stored.

The calculation itself is in clock.py (working days, Dutch holidays, pauses); this module applies
the region's norms to a case's dates. Dates are taken in Europe/Amsterdam.

The next due item, stored
-------------------------
Lists and start pages never compute clocks per row: the case's next due item is stored as
`Case.next_deadline` (the date) and `Case.next_due_kind` (what is due: a clock's name —
"intake_decision", "screening", "first_session" — or the kind a due source gives, e.g. "review",
"request_reply"; words in labels.DUE_KIND_LABELS) whenever something it depends on changes, so that
"overdue" is `next_deadline < today` in SQL and lists sort and page on it. `refresh_deadline(case)`
stores both; it runs on
- every lifecycle step (`CaseTransitioned`: status, submission, intake, urgency set at intake,
  pause and resume),
- the screening being finalised (screening/services.py),
- a RET session starting or going back to planned, and a case joining or leaving a running
  session's agenda (meetings/),
- the region's norms changing (`refresh_region`, from the admin's norms page),
- any `DueDateChanged` event (cases/events.py): what other capabilities emit when a due source of
  theirs changed.
A paused case stores none (it is never overdue, and no source is asked).

Due sources (other capabilities' due dates)
-------------------------------------------
A capability with due dates of its own (plan review moments, a request's reply-by date) registers a
source here instead of norms importing it:

    @norms.register_due_source
    def _next_review(case: Case) -> Optional[tuple[date, str]]:
        return (moment.date, "review") if (moment := ...open review moment of the case...) else None

and emits `DueDateChanged(actor=..., case=case)` (or an event derived from it) whenever what the
source reads changes. The earliest of the running clocks and every source's answer wins (a tie: the
clocks first, then the sources in the order they registered). A source answers for one case with
its earliest *open* item (a date, not a datetime; a kind of at most 32 characters) or None; it is
called once per case on every refresh, and `refresh_region` calls it for every open case of the
region, so it should cost at most one small query.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable, Iterable, Optional

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import selectinload

from ret_app.cases import clock
from ret_app.cases.events import CaseTransitioned, DueDateChanged
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
    # The first session's norm is about getting to a joint plan: once fitting help has started (the
    # case in monitoring) it is moot, and a missed one is no longer flagged as due.
    if stage in IN_TRACK and stage is not CaseStatus.MONITORING and intake_at and not session_held:
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


Due = tuple[date, str]  # (the date, what is due)
DueSource = Callable[[Case], Optional[Due]]
KIND_LENGTH = 32  # Case.next_due_kind

DueBatch = Callable[[list[int]], dict[int, Due]]  # case ids -> {case id: (date, kind)} (absent: None)

_due_sources: list[DueSource] = []
_due_batches: dict[DueSource, DueBatch] = {}


def register_due_source(source: DueSource, *, batch: Optional[DueBatch] = None) -> DueSource:
    """Let `source(case) -> (date, kind) | None` take part in the case's next due item (see the module
    docstring). Registering the same function twice keeps one; usable as a decorator. `batch`, when
    given, answers for many cases in one query: `refresh_region` asks it once instead of the source
    once per case."""
    if source not in _due_sources:
        _due_sources.append(source)
    if batch is not None:
        _due_batches[source] = batch
    return source


def due_sources() -> tuple[DueSource, ...]:
    return tuple(_due_sources)


def clock_due(clocks: list[clock.NormClock]) -> Optional[Due]:
    """The clock due first as (date, clock name), or None when nothing runs or the case is paused now
    (a tie: the first clock in `running_clocks`' order)."""
    if not clocks or any(c.paused for c in clocks):
        return None
    first = min(clocks, key=lambda c: c.due)
    return first.due, first.name


def nearest_deadline(clocks: list[clock.NormClock]) -> Optional[date]:
    """The deadline that comes first, or None when nothing runs or the case is paused now."""
    due = clock_due(clocks)
    return due[0] if due else None


def _checked(source: DueSource, answer: object) -> Optional[Due]:
    if answer is None:
        return None
    if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], date)
            and not isinstance(answer[0], datetime) and isinstance(answer[1], str)
            and 0 < len(answer[1]) <= KIND_LENGTH):
        raise TypeError(f"due source {source.__qualname__} must answer None or (date, kind), not {answer!r}")
    return answer


def next_due(case: Case, norms: Optional[clock.Norms] = None, *, screening_finalised: Optional[bool] = None,
             session_held: Optional[bool] = None,
             answers: Optional[dict[DueSource, dict[int, Due]]] = None) -> Optional[Due]:
    """The case's next due item as (date, kind): the earliest of its running norm clocks and of every
    registered due source; None when nothing is due or the case is paused. `answers`: what sources
    with a batch said for many cases at once (refresh_region)."""
    if case.status == CaseStatus.PAUSED:
        return None
    found = [clock_due(case_clocks(case, norms=norms, screening_finalised=screening_finalised,
                                   session_held=session_held))]
    answers = answers or {}
    found += [_checked(source, answers[source].get(case.id) if source in answers else source(case))
              for source in _due_sources]
    found = [due for due in found if due is not None]
    return min(found, key=lambda due: due[0]) if found else None  # min keeps the first of equal dates


def refresh_deadline(case: Case, norms: Optional[clock.Norms] = None, *,
                     screening_finalised: Optional[bool] = None, session_held: Optional[bool] = None) -> None:
    """Store the case's next due date and kind (call after anything they depend on changed)."""
    deadline, kind = next_due(case, norms, screening_finalised=screening_finalised,
                              session_held=session_held) or (None, None)
    # An unchanged value must not cost the case a new version.
    if case.next_deadline != deadline:
        case.next_deadline = deadline
    if case.next_due_kind != kind:
        case.next_due_kind = kind


@events.subscribe(CaseTransitioned)
def _after_step(event: CaseTransitioned) -> None:
    """Every lifecycle step can start, stop or move a clock (status, submission, intake, pauses)."""
    refresh_deadline(event.case)


@events.subscribe(DueDateChanged)
def _after_due_change(event: DueDateChanged) -> None:
    """Something a due source reads changed (another capability's review moment, request, ...)."""
    refresh_deadline(event.case)


# Where a case can have a next due item (the others store none).
_OPEN = [s.value for s in CaseStatus if s not in (CaseStatus.CONCEPT, CaseStatus.CLOSED,
                                                   CaseStatus.RETURNED_WITH_ADVICE)]


def refresh_region(region_id: int) -> int:
    """The region's norms changed: store every open case's next due item again. Returns how many cases
    were looked at.

    A handful of queries whatever the number of cases (the pauses, finalised screenings and held
    sessions of the region's open cases read at once; plus whatever the due sources ask per case),
    and one UPDATE statement for the cases whose value changed. A recomputed due date is derived data,
    not an edit of the case: it does not raise the case's version, so nobody editing a case at that
    moment gets a conflict for it."""
    norms = norms_for(region_id)
    cases = list(db.session.scalars(select(Case).where(Case.region_id == region_id, Case.status.in_(_OPEN))
                                    .options(selectinload(Case.pauses))))
    finalised = set(db.session.scalars(
        select(Screening.case_id).join(Case, Case.id == Screening.case_id)
        .where(Case.region_id == region_id, Case.status.in_(_OPEN), Screening.finalised_at.is_not(None))))
    held = set(db.session.scalars(
        select(MeetingItem.case_id).distinct().join(Meeting, Meeting.id == MeetingItem.meeting_id)
        .join(Case, Case.id == MeetingItem.case_id)
        .where(Case.region_id == region_id, Case.status.in_(_OPEN), Meeting.status.in_(_HELD))))
    ids = [case.id for case in cases]
    answers = {source: _due_batches[source](ids) for source in _due_sources if source in _due_batches}
    changed = []
    for case in cases:
        deadline, kind = next_due(case, norms, screening_finalised=case.id in finalised,
                                  session_held=case.id in held, answers=answers) or (None, None)
        if (case.next_deadline, case.next_due_kind) != (deadline, kind):
            changed.append({"case_id": case.id, "deadline": deadline, "kind": kind})
    if changed:
        table = Case.__table__
        db.session.execute(update(table).where(table.c.id == bindparam("case_id"))
                           .values(next_deadline=bindparam("deadline"), next_due_kind=bindparam("kind")), changed)
        ids = {row["case_id"] for row in changed}
        for case in cases:
            if case.id in ids:
                db.session.expire(case, ["next_deadline", "next_due_kind"])
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
