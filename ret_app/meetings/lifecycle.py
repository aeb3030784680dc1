"""The session's lifecycle as data (one `StateMachine` of the kernel): which step leads where, who
may take it and what must hold. The page asks `available(meeting, user)` which steps to offer;
`apply(...)` takes one; the audit record (and, for a cancellation, the cases' timeline entries)
follow from the step's event.

    planned ──start──▶ in_progress ──close──▶ closed ──approve──▶ approved
       └──cancel──▶ cancelled

Closing produces the minutes (drafted from the notes, decisions and actions); the chair may still
correct item notes while closed; approving makes them read-only (corrections become addenda) and
stores the status of every action and decision as approved (`Meeting.approved_state`): what changes
after that shows in the minutes as a separate "later changed" line, never in the approved text.

The sets of states other modules need are derived from the table below, never spelled out.
"""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.cases import norms
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import local_date
from ret_app.kernel.machine import Messages, Option, StateMachine, Step, Transition
from ret_app.meetings.common import bump_revision, date_summary
from ret_app.meetings.events import SessionCancelled, SessionStarted, SessionStepTaken
from ret_app.meetings.timing import stop_current
from ret_app.models import Meeting, MeetingAttendance, MeetingStatus, User

S = MeetingStatus


# --- guards: each returns why the step cannot be taken yet, or None ------------------------------

def has_items(meeting: Meeting) -> Optional[object]:
    return None if meeting.items else _l("Put at least one case on the agenda first.")


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
    else:
        attendance.present = True
    first = meeting.items[0]
    first.started_at, first.ended_at = step.now, None
    meeting.current_item_id = first.id
    step.result = SessionStarted(actor=chair, meeting=meeting, name=step.name)


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
               on_enter=(_started,)),
    Transition("close", _l("Close the session and draft the minutes"), frozenset({S.IN_PROGRESS}), S.CLOSED, runner,
               done=_l("The session is closed. The minutes are a draft until you approve them."),
               on_enter=(_closed,)),
    Transition("approve", _l("Approve the minutes"), frozenset({S.CLOSED}), S.APPROVED, runner,
               done=_l("The minutes are approved and read-only; corrections are added as addenda."),
               on_enter=(_approved,)),
    Transition("cancel", _l("Cancel the session"), frozenset({S.PLANNED}), S.CANCELLED, runner,
               reason_required=True, done=_l("The session has been cancelled."), on_enter=(_cancelled,)),
)

MEETING = StateMachine(
    states=MeetingStatus,
    transitions=TRANSITIONS,
    state_of=lambda meeting: meeting.status,
    set_state=lambda meeting, state: setattr(meeting, "status", state.value),
    messages=Messages(not_possible=_l("This step is not possible in the session's current state."),
                      not_allowed=_l("Only a chair of the region runs the session."),
                      reason_needed=_l("Give a reason."), reason_field="reason"),
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


def apply(meeting: Meeting, name: str, actor: User, reason: str = "") -> Step:
    """Take the step or refuse it (RuleError; a missing reason names the field "reason")."""
    return MEETING.apply(meeting, actor, name, reason=reason)


@events.subscribe(SessionStarted)
def _first_session_held(event: SessionStarted) -> None:
    """The cases on the agenda have had their first RET session: their stored deadline follows."""
    for item in event.meeting.items:
        norms.refresh_deadline(item.case)
