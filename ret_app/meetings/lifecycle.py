"""The session's lifecycle as data: which step leads where, who may take it and what must hold.

    planned ──start──▶ in_progress ──close──▶ closed ──approve──▶ approved
       └──cancel──▶ cancelled

Closing produces the minutes (drafted from the notes, decisions and actions); the chair may still
correct item notes while closed; approving makes them read-only (corrections become addenda) and
stores the status of every action and decision as approved (`Meeting.approved_state`): what changes
after that shows in the minutes as a separate "later changed" line, never in the approved text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from flask_babel import lazy_gettext as _l

from ret_app import audit, policy
from ret_app.extensions import db
from ret_app.meetings.common import RuleError, bump_revision
from ret_app.models import Meeting, MeetingStatus, User
from ret_app.kernel.dates import utcnow
from ret_app.kernel import dates


def _has_items(meeting: Meeting) -> Optional[object]:
    return None if meeting.items else _l("Put at least one case on the agenda first.")


def _no_guard(meeting: Meeting) -> Optional[object]:
    return None


@dataclass(frozen=True)
class Step:
    name: str
    source: MeetingStatus
    target: MeetingStatus
    label: object
    done: object = ""  # what the page says after the step
    guard: Callable[[Meeting], Optional[object]] = _no_guard  # returns why not, or None
    needs_reason: bool = False


STEPS: tuple[Step, ...] = (
    Step("start", MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS, _l("Start the session"),
         _l("The session has started: you are checked in and the first item is under discussion."), _has_items),
    Step("close", MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED, _l("Close the session and draft the minutes"),
         _l("The session is closed. The minutes are a draft until you approve them.")),
    Step("approve", MeetingStatus.CLOSED, MeetingStatus.APPROVED, _l("Approve the minutes"),
         _l("The minutes are approved and read-only; corrections are added as addenda.")),
    Step("cancel", MeetingStatus.PLANNED, MeetingStatus.CANCELLED, _l("Cancel the session"),
         _l("The session has been cancelled."), needs_reason=True),
)
STEP_BY_NAME = {step.name: step for step in STEPS}


def _check_in_and_open(meeting: Meeting, chair: User) -> None:
    """Starting a session: the chair who starts it is present, and the first item is discussed.
    A check-in from before today (the session was moved) no longer counts as present."""
    from ret_app.models import MeetingAttendance
    from ret_app.kernel.dates import local_date

    for stale in meeting.attendances:
        if stale.present and local_date(stale.checked_in_at) < dates.today():
            stale.present = False
    attendance = next((a for a in meeting.attendances if a.user_id == chair.id), None)
    if attendance is None:
        meeting.attendances.append(MeetingAttendance(user_id=chair.id, present=True, recorded_by_id=chair.id,
                                                     checked_in_at=utcnow()))
    else:
        attendance.present = True
    first = meeting.items[0]
    first.started_at, first.ended_at = utcnow(), None
    meeting.current_item_id = first.id


def available(meeting: Meeting, user: User) -> list[tuple[Step, Optional[object]]]:
    """The steps this user may take now, each with the reason it is blocked (None: allowed)."""
    if not policy.can_run_meeting(user, meeting):
        return []
    return [(step, step.guard(meeting)) for step in STEPS if step.source == meeting.status]


def apply(meeting: Meeting, name: str, actor: User, reason: str = "") -> None:
    step = STEP_BY_NAME.get(name)
    if step is None or step.source != meeting.status:
        raise RuleError(_l("This step is not possible in the session's current state."))
    if not policy.can_run_meeting(actor, meeting):
        raise RuleError(_l("Only a chair of the region runs the session."))
    blocked = step.guard(meeting)
    if blocked:
        raise RuleError(blocked)
    if step.needs_reason and not reason.strip():
        raise RuleError(_l("Give a reason."), "reason")
    now = utcnow()
    if step.target == MeetingStatus.IN_PROGRESS:
        meeting.started_at = now
        _check_in_and_open(meeting, actor)
    elif step.target == MeetingStatus.CLOSED:
        from ret_app.meetings.timing import stop_current

        stop_current(meeting, now)
        meeting.closed_at = now
    elif step.target == MeetingStatus.APPROVED:
        from ret_app.meetings.minutes import approved_snapshot

        meeting.approved_at, meeting.approved_by_id = now, actor.id
        meeting.approved_state = approved_snapshot(meeting)
    elif step.target == MeetingStatus.CANCELLED:
        meeting.cancelled_at, meeting.cancel_reason = now, reason.strip()
    meeting.status = step.target.value
    db.session.flush()
    bump_revision(meeting)
    audit.record(audit.Action.UPDATE, object_type="meeting", object_id=meeting.id, detail=f"step={name}")
