"""The session's lifecycle as data (one `StateMachine` of the kernel): which step leads where, who
may take it and what must hold. The page asks `available(meeting, user)` which steps to offer;
`apply(...)` takes one; the audit record (and, for a cancellation, the cases' timeline entries)
follow from the step's event.

    planned ──start──▶ in_progress ──close──▶ closed ──approve──▶ approved
       │    ◀──unstart──┘
       └──cancel──▶ cancelled

Starting is meant for the session's day (the date in the Netherlands): before it, the chair must
confirm a question that names the planned date. A session started by mistake goes back to planned
("unstart") while nothing has been recorded in it (`recorded_in`); that undoes what the start did by
itself (the starter's automatic check-in, the first item's clock, the cases' first-session norm).

Closing produces the minutes (drafted from the notes, decisions and actions); the chair may still
correct item notes while closed; approving makes them read-only (corrections become addenda) and
stores the status of every action and decision as approved (`Meeting.approved_state`): what changes
after that shows in the minutes as a separate "later changed" line, never in the approved text.

The sets of states other modules need are derived from the table below, never spelled out.
"""

from __future__ import annotations

from typing import Optional

from flask_babel import LazyString, format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from ret_app import policy
from ret_app.cases import norms
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.kernel.dates import local_date
from ret_app.kernel.machine import Messages, Option, StateMachine, Step, Transition
from ret_app.meetings.common import bump_revision, date_summary
from ret_app.meetings.events import SessionCancelled, SessionStarted, SessionStepTaken, SessionUnstarted
from ret_app.meetings.timing import stop_current
from ret_app.models import CaseAction, Decision, Meeting, MeetingAttendance, MeetingItem, MeetingStatus, User

S = MeetingStatus


# --- guards: each returns why the step cannot be taken yet, or None ------------------------------

def has_items(meeting: Meeting) -> Optional[object]:
    return None if meeting.items else _l("Put at least one case on the agenda first.")


# What can have been recorded in a running session, in the order a refusal names them.
RECORDED_LABELS = {
    "decisions": _l("decisions"),
    "actions": _l("actions"),
    "notes": _l("notes"),
    "attendance": _l("attendance"),
    "item_time": _l("time on the agenda items"),
}


def recorded_in(meeting: Meeting) -> list[str]:
    """What has been recorded in the running session beyond what starting it did by itself (codes of
    RECORDED_LABELS). Starting checks the starter in at the moment of the start and starts the clock
    of the first item at that moment; everything else counts:

    - decisions: a decision on any of its items;
    - actions: an action agreed on any of its items;
    - notes: an item's notes saved (even if emptied again) or not empty;
    - attendance: anyone checked in, out, or marked present or absent since the start (the check-ins
      from before the start, on the session's day, were recorded before it and stay as they are);
    - item_time: the chair moved on to another item (a clock stopped, another one ran).

    Agenda changes are not recorded work: the agenda of a planned session changes too. Minutes and
    addenda only exist after closing, from which there is no way back."""
    started = meeting.started_at
    item_ids = select(MeetingItem.id).where(MeetingItem.meeting_id == meeting.id)
    found = []
    if db.session.scalar(select(exists().where(Decision.item_id.in_(item_ids)))):
        found.append("decisions")
    if db.session.scalar(select(exists().where(CaseAction.item_id.in_(item_ids)))):
        found.append("actions")
    items = list(meeting.items)
    if any(item.notes_updated_at is not None or (item.notes or "").strip() for item in items):
        found.append("notes")
    if any(_changed_since(a.checked_in_at, started, strictly=True) or _changed_since(a.left_at, started)
           for a in meeting.attendances):
        found.append("attendance")
    current = next((i for i in items if i.id == meeting.current_item_id), None)
    if (any(i.seconds_spent or i.ended_at is not None or (i.started_at is not None and i.started_at != started)
            for i in items)
            or (meeting.current_item_id is not None and (current is None or current.started_at != started))):
        found.append("item_time")
    return found


def _changed_since(moment, started, *, strictly: bool = False) -> bool:
    """Whether an attendance moment lies after the start (`strictly`: the start's own moment is the
    automatic check-in). Without a start moment (older data) everything counts as recorded."""
    if moment is None:
        return False
    if started is None:
        return True
    return moment > started if strictly else moment >= started


def nothing_recorded(meeting: Meeting) -> Optional[object]:
    found = recorded_in(meeting)
    if not found:
        return None
    return _l("Something has already been recorded in this session (%(what)s), so it can no longer be put "
              "back to planned.",
              what=LazyString(lambda: ", ".join(str(RECORDED_LABELS[code]) for code in found)))


# --- what to confirm first ------------------------------------------------------------------------

def before_its_day(meeting: Meeting) -> Optional[object]:
    """Starting before the session's day (in the Netherlands) asks first, naming the planned date."""
    planned = local_date(meeting.starts_at)
    if dates.today() >= planned:
        return None
    return LazyString(lambda: gettext("The session is planned for %(date)s. Start it now anyway?",
                                      date=format_date(planned, "EEEE d MMMM yyyy")))


# --- who may act: the policy's rule -----------------------------------------------------------

runner = policy.can_run_meeting


# --- side effects -------------------------------------------------------------------------------

def _started(step: Step) -> None:
    """Starting a session: the chair who starts it is present, and the first item is discussed.
    A check-in from before today (the session was moved) no longer counts as present."""
    meeting, chair = step.subject, step.actor
    meeting.started_at = step.now
    for stale in meeting.attendances:
        if stale.present and local_date(stale.checked_in_at) < step.today:
            stale.present = False
    attendance = next((a for a in meeting.attendances if a.user_id == chair.id), None)
    if attendance is None:
        meeting.attendances.append(MeetingAttendance(user_id=chair.id, present=True, recorded_by_id=chair.id,
                                                     checked_in_at=step.now))
    elif not attendance.present:
        # Checked in by the start, from its moment (what `recorded_in` and `_unstarted` recognise).
        attendance.present, attendance.checked_in_at, attendance.left_at = True, step.now, None
        attendance.recorded_by_id = chair.id
    first = meeting.items[0]
    first.started_at, first.ended_at = step.now, None
    meeting.current_item_id = first.id
    step.result = SessionStarted(actor=chair, meeting=meeting, name=step.name)


def _unstarted(step: Step) -> None:
    """Back to planned: undo what the start did by itself. The starter's automatic check-in goes
    (checked in at the moment of the start and not changed since), the first item's clock and the
    item under discussion are cleared. Check-ins from before the start stay; the cases' first-session
    norm follows from the event (the session no longer counts as held)."""
    meeting = step.subject
    started = meeting.started_at
    for attendance in list(meeting.attendances):
        if attendance.present and attendance.left_at is None and attendance.checked_in_at == started:
            meeting.attendances.remove(attendance)
    for item in meeting.items:
        if item.started_at == started:
            item.started_at = item.ended_at = None
    meeting.current_item_id = None
    meeting.started_at = None
    step.result = SessionUnstarted(actor=step.actor, meeting=meeting, name=step.name)


def _closed(step: Step) -> None:
    stop_current(step.subject, step.now)
    step.subject.closed_at = step.now


def approved_snapshot(meeting: Meeting) -> dict:
    """What `Meeting.approved_state` holds: the status of every action and decision of the
    session's items at the moment the chair approves the minutes (JSON: ids as strings)."""
    return {
        "actions": {str(a.id): a.status for item in meeting.items for a in item.actions},
        "decisions": {str(d.id): d.status for item in meeting.items for d in item.decisions},
    }


def _approved(step: Step) -> None:
    meeting = step.subject
    meeting.approved_at, meeting.approved_by_id = step.now, step.actor.id
    meeting.approved_state = approved_snapshot(meeting)


def _cancelled(step: Step) -> None:
    meeting = step.subject
    meeting.cancelled_at, meeting.cancel_reason = step.now, step.reason
    step.result = SessionCancelled(actor=step.actor, meeting=meeting, name=step.name,
                                   case_ids=tuple(item.case_id for item in meeting.items),
                                   summary=date_summary(meeting))


def _record(step: Step) -> None:
    """After every step: save it, tell the live pages, and emit the step's event (the one its
    on-enter hook prepared, or the plain step)."""
    meeting = step.subject
    db.session.flush()
    bump_revision(meeting)
    events.emit(step.result if isinstance(step.result, SessionStepTaken)
                else SessionStepTaken(actor=step.actor, meeting=meeting, name=step.name))


TRANSITIONS: tuple[Transition, ...] = (
    Transition("start", _l("Start the session"), frozenset({S.PLANNED}), S.IN_PROGRESS, runner, (has_items,),
               done=_l("The session has started: you are checked in and the first item is under discussion."),
               on_enter=(_started,), confirm=before_its_day, confirm_label=_l("Yes, start the session now")),
    Transition("close", _l("Close the session and draft the minutes"), frozenset({S.IN_PROGRESS}), S.CLOSED, runner,
               done=_l("The session is closed. The minutes are a draft until you approve them."),
               on_enter=(_closed,)),
    Transition("approve", _l("Approve the minutes"), frozenset({S.CLOSED}), S.APPROVED, runner,
               done=_l("The minutes are approved and read-only; corrections are added as addenda."),
               on_enter=(_approved,)),
    Transition("cancel", _l("Cancel the session"), frozenset({S.PLANNED}), S.CANCELLED, runner,
               reason_required=True, done=_l("The session has been cancelled."), on_enter=(_cancelled,)),
    # A session started by mistake (before its day, say) goes back while nothing has been recorded in it.
    Transition("unstart", _l("Put the session back to planned"), frozenset({S.IN_PROGRESS}), S.PLANNED, runner,
               (nothing_recorded,),
               done=_l("The session is planned again: your automatic check-in and the item's clock have been "
                       "undone."),
               on_enter=(_unstarted,)),
)

MEETING = StateMachine(
    states=MeetingStatus,
    transitions=TRANSITIONS,
    state_of=lambda meeting: meeting.status,
    set_state=lambda meeting, state: setattr(meeting, "status", state.value),
    messages=Messages(not_possible=_l("This step is not possible in the session's current state."),
                      not_allowed=_l("Only a chair of the region runs the session."),
                      reason_needed=_l("Give a reason."), reason_field="reason", confirm_field="confirm"),
    after=(_record,),
)
STEP_BY_NAME = MEETING.by_name

# --- the sets of states other modules ask about, derived from the table --------------------------

# Not held yet: planned (details can change; it can start or be cancelled).
NOT_STARTED = MEETING.sources("start", "cancel")
# Planned or running: the agenda can change, invitations follow it, people check in.
OPEN = NOT_STARTED | MEETING.sources("close")
# Started: running, closed or approved (its cases count as discussed; the live page shows the record).
HELD = MEETING.targets("start", "close", "approve")
# Closed or approved: the minutes exist (a draft until approved).
WITH_MINUTES = MEETING.targets("close", "approve")
# Running or closed: the chair keeps (and corrects) the notes until the minutes are approved.
NOTES_OPEN = MEETING.sources("close", "approve")


def available(meeting: Meeting, user: User) -> list[Option]:
    """The steps this user may take now, each with what blocks it (`Option.blocked`)."""
    return MEETING.available(meeting, user)


def apply(meeting: Meeting, name: str, actor: User, reason: str = "", confirmed: bool = False) -> Step:
    """Take the step or refuse it (RuleError; a missing reason names the field "reason", a question
    still to confirm the field "confirm")."""
    return MEETING.apply(meeting, actor, name, reason=reason, confirmed=confirmed)


@events.subscribe(SessionStarted)
@events.subscribe(SessionUnstarted)
def _first_session_held(event: SessionStepTaken) -> None:
    """The cases on the agenda have had their first RET session (or, after an unstart, not yet):
    their stored deadline follows."""
    for item in event.meeting.items:
        norms.refresh_deadline(item.case)
