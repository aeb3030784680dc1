"""The notes of an agenda item, kept by the chair while the session runs (and corrected while the
minutes are still a draft). Optimistic locking: a save based on notes that someone else changed in
the meantime is refused with what they wrote (a Conflict whose detail is `SavedNotes`), so that
nobody overwrites anyone unknowingly."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.meetings import lifecycle
from ret_app.meetings.common import bump_revision
from ret_app.meetings.events import NotesSaved
from ret_app.models import MeetingItem, MeetingStatus, User

MAX_NOTES = 20000


@dataclass(frozen=True)
class SavedNotes:
    """What is saved now, for the page that shows a conflict (and the version to save against)."""

    current: str
    version: int
    fingerprint: str
    updated_by: Optional[User]
    updated_at: Optional[datetime]


def saved_notes(item: MeetingItem) -> SavedNotes:
    return SavedNotes(current=item.notes or "", version=item.version, fingerprint=fingerprint(item.notes),
                      updated_by=item.notes_updated_by, updated_at=item.notes_updated_at)


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
    if meeting.status not in lifecycle.NOTES_OPEN:
        return _l("Notes are kept while the session is in progress.")
    return None


def save(item: MeetingItem, text: str, actor: User, version: Optional[int], loaded: str) -> bool:
    """Save the notes. `version` and `loaded` (the fingerprint) are what the form was loaded with.
    Raises Conflict (detail: `SavedNotes`) when the notes changed since; returns whether anything
    changed."""
    why_not = refusal(item, actor)
    if why_not:
        raise RuleError(why_not)
    text = (text or "").strip()
    if len(text) > MAX_NOTES:
        raise RuleError(_l("The notes are too long (at most %(max)d characters).", max=MAX_NOTES), "notes")
    current = (item.notes or "").strip()
    if version != item.version and loaded != fingerprint(current) and text != current:
        raise Conflict(detail=saved_notes(item))
    if text == current:
        return False
    item.notes = text
    item.notes_updated_at = utcnow()
    item.notes_updated_by_id = actor.id
    db.session.flush()  # the version column guards the race between the check above and this write
    bump_revision(item.meeting)
    events.emit(NotesSaved(actor=actor, case=item.case, meeting_id=item.meeting_id, item_id=item.id))
    return True
