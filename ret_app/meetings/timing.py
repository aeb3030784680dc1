"""Which item is under discussion, and how long each item took."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.meetings.common import bump_revision
from ret_app.meetings.events import ItemUnderDiscussion
from ret_app.models import Meeting, MeetingItem, MeetingStatus, User


def current_item(meeting: Meeting) -> Optional[MeetingItem]:
    return next((i for i in meeting.items if i.id == meeting.current_item_id), None)


def seconds_spent(item: MeetingItem, now: Optional[datetime] = None) -> int:
    running = 0
    if item.started_at is not None and item.ended_at is None:
        running = int(((now or utcnow()) - item.started_at).total_seconds())
    return item.seconds_spent + max(running, 0)


def stop_current(meeting: Meeting, now: datetime) -> None:
    item = current_item(meeting)
    if item is not None and item.started_at is not None and item.ended_at is None:
        item.seconds_spent += max(int((now - item.started_at).total_seconds()), 0)
        item.ended_at = now


def activate(meeting: Meeting, item: MeetingItem, actor: User) -> None:
    """Make `item` the one under discussion: the previous item's clock stops, this one's runs."""
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise RuleError(_l("The session is not in progress."))
    if not policy.can_run_meeting(actor, meeting):
        raise RuleError(_l("Only a chair of the region runs the session."))
    if item.meeting_id != meeting.id:
        raise RuleError(_l("This item is not on this session's agenda."))
    if meeting.current_item_id == item.id:
        return
    now = utcnow()
    stop_current(meeting, now)
    item.started_at, item.ended_at = now, None
    meeting.current_item_id = item.id
    db.session.flush()
    bump_revision(meeting)
    events.emit(ItemUnderDiscussion(actor=actor, case=item.case, meeting_id=meeting.id, item_id=item.id))


def next_item(meeting: Meeting) -> Optional[MeetingItem]:
    items = list(meeting.items)
    current = current_item(meeting)
    if current is None:
        return items[0] if items else None
    index = items.index(current)
    return items[index + 1] if index + 1 < len(items) else None
