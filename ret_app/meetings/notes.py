"""The notes of an agenda item, kept by the chair while the session runs (and corrected while the
minutes are still a draft). Optimistic locking: a save based on notes that someone else changed in
the meantime is refused with what they wrote, so that nobody overwrites anyone unknowingly."""

from __future__ import annotations

import hashlib
from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app import audit, policy
from ret_app.extensions import db
from ret_app.meetings.common import RuleError, bump_revision
from ret_app.models import MeetingItem, MeetingStatus, User
from ret_app.kernel.dates import utcnow

EDITABLE_STATUSES = (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED)
MAX_NOTES = 20000


class NotesConflict(Exception):
    """Someone else changed the notes after the form was loaded."""

    def __init__(self, item: MeetingItem):
        super().__init__("notes conflict")
        self.current = item.notes or ""
        self.version = item.version
        self.fingerprint = fingerprint(item.notes)
        self.updated_by: Optional[User] = item.notes_updated_by
        self.updated_at = item.notes_updated_at


def fingerprint(notes: Optional[str]) -> str:
    """What the form was loaded with (the item's version also moves when its timing changes, so the
    version alone would report conflicts where the notes did not change)."""
    return hashlib.sha256((notes or "").strip().encode()).hexdigest()[:32]


def refusal(item: MeetingItem, actor: User) -> Optional[object]:
    """Why `actor` may not change these notes now, or None."""
    meeting = item.meeting
    if not policy.can_run_meeting(actor, meeting):
        return _l("Only the chair keeps the notes.")
    if meeting.status == MeetingStatus.APPROVED:
        return _l("The minutes have been approved: corrections are added as addenda.")
    if meeting.status not in EDITABLE_STATUSES:
        return _l("Notes are kept while the session is in progress.")
    return None


def save(item: MeetingItem, text: str, actor: User, version: Optional[int], loaded: str) -> bool:
    """Save the notes. `version` and `loaded` (the fingerprint) are what the form was loaded with.
    Raises NotesConflict when the notes changed since; returns whether anything changed."""
    why_not = refusal(item, actor)
    if why_not:
        raise RuleError(why_not)
    text = (text or "").strip()
    if len(text) > MAX_NOTES:
        raise RuleError(_l("The notes are too long (at most %(max)d characters).", max=MAX_NOTES), "notes")
    current = (item.notes or "").strip()
    if version != item.version and loaded != fingerprint(current) and text != current:
        raise NotesConflict(item)
    if text == current:
        return False
    item.notes = text
    item.notes_updated_at = utcnow()
    item.notes_updated_by_id = actor.id
    db.session.flush()  # the version column guards the race between the check above and this write
    bump_revision(item.meeting)
    audit.record(audit.Action.UPDATE, object_type="meeting_item", object_id=item.id, case_id=item.case_id,
                 detail="notes")
    return True
