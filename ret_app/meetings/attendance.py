"""Attendance at a RET session: who is present. The mandate check reads it, so every change bumps the
live revision and emits an event. Services: flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ret_app import policy
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.meetings import lifecycle
from ret_app.meetings.common import bump_revision
from ret_app.meetings.events import AttendanceChanged, AttendanceRecorded
from ret_app.models import Meeting, MeetingAttendance, User


@dataclass(frozen=True)
class Row:
    """One line of the attendance list: an invitee (or a RET member who checked in uninvited)."""

    user: User
    attendance: Optional[MeetingAttendance]
    invited: bool

    @property
    def present(self) -> bool:
        return self.attendance is not None and self.attendance.present

    @property
    def recorded(self) -> bool:
        """Whether anything was recorded (present, or marked absent); otherwise: not checked in yet."""
        return self.attendance is not None


def attendance_of(meeting: Meeting, user_id: int) -> Optional[MeetingAttendance]:
    return db.session.scalar(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id,
                                                             MeetingAttendance.user_id == user_id))


def rows(meeting: Meeting, viewer: Optional[User] = None) -> list[Row]:
    """Invitees and whoever checked in, by name. A viewer who is not of the region's RET sees the
    RET and the people of the cases they may see themselves: not who came for other cases."""
    by_user = {a.user_id: a for a in meeting.attendances}
    people: dict[int, User] = {i.user_id: i.user for i in meeting.invitations}
    for attendance in meeting.attendances:
        people.setdefault(attendance.user_id, attendance.user)
    if viewer is not None and not policy.sees_full_meeting(viewer, meeting):
        cases = [item.case for item in policy.visible_items(viewer, meeting)]
        people = {uid: user for uid, user in people.items()
                  if uid == viewer.id or policy.is_ret_of_region(user, meeting.region_id)
                  or any(policy.can_view_case(user, case) for case in cases)}
    invited = {i.user_id for i in meeting.invitations}
    return [Row(user, by_user.get(user.id), user.id in invited)
            for user in sorted(people.values(), key=lambda u: u.name.lower())]


def set_presence(meeting: Meeting, user: User, present: bool, actor: User) -> bool:
    """Record `user` as present or absent. Anyone who may see the session checks themselves in; the
    chair marks invitees. Returns whether anything changed."""
    if meeting.status not in lifecycle.OPEN:
        raise RuleError(_l("Attendance is recorded before and during the session only."))
    if present and not policy.check_in_open(meeting):
        raise RuleError(_l("Checking in opens on the day of the session."))
    if user.id == actor.id:
        if not policy.can_check_in(actor, meeting):
            raise RuleError(_l("You are not invited to this session."))
    else:
        if not policy.can_run_meeting(actor, meeting):
            raise RuleError(_l("Only the chair records the attendance of others."))
        if not policy.is_invited(user, meeting):
            raise RuleError(_l("Only invited people can be marked present or absent."), "user_id")
    attendance = attendance_of(meeting, user.id)
    if attendance is not None and attendance.present == present:
        return False
    now = utcnow()
    created = attendance is None
    if created:
        attendance = MeetingAttendance(meeting_id=meeting.id, user_id=user.id, present=present, checked_in_at=now,
                                       recorded_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(attendance)
                db.session.flush()
        except IntegrityError:
            # Checked in at the same moment in another request: update that row instead.
            attendance = attendance_of(meeting, user.id)
            if attendance is None:
                raise
            created = False
    if not created:
        if present:
            attendance.checked_in_at, attendance.left_at = now, None
        elif attendance.present:
            attendance.left_at = now  # was there until now: the minutes keep that
        attendance.present = present
        attendance.recorded_by_id = actor.id
        db.session.flush()
    db.session.expire(meeting, ["attendances"])
    bump_revision(meeting)
    event = AttendanceRecorded if created else AttendanceChanged
    events.emit(event(actor=actor, meeting=meeting, attendance_id=attendance.id, user_id=user.id, present=present,
                      own=user.id == actor.id))
    return True
