"""Shared by the session services: the live revision counter, submission keys, the session's row
lock and its date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ret_app.extensions import db
from ret_app.kernel.dates import AMSTERDAM, local_date
from ret_app.models import Meeting


def bump_revision(meeting: Meeting) -> None:
    """Tell the live pages something changed. One atomic UPDATE, so two writers never lose a bump
    and no optimistic-lock conflict arises between edits of different items."""
    db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                       .values(revision=Meeting.revision + 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(meeting, ["revision"])


def find_submitted(model, submission_key: str):
    """The row a form with this key created already (decisions and actions carry the key)."""
    return db.session.scalar(select(model).where(model.submission_key == submission_key))


def insert_once(row):
    """Insert a row that carries a unique submission key. Returns (row, created): when the same key
    won a race in another request (double click, retry), that request's row is the answer."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        existing = find_submitted(type(row), row.submission_key)
        if existing is None:
            raise
        return existing, False
    return row, True


def lock_meeting(meeting: Meeting) -> Meeting:
    """Take the session's row lock (PostgreSQL; SQLite writes are serialised anyway) and re-read its
    status, so that a decision or action cannot slip in while another request closes the session."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.refresh(meeting, ["status"])
    return meeting


def current_revision(meeting_id: int) -> int:
    return db.session.scalar(select(Meeting.revision).where(Meeting.id == meeting_id)) or 0


def session_date(meeting: Meeting) -> date:
    """The calendar day of the session in the Netherlands (the day it started, if it did; else the
    planned day): mandates are valid per day."""
    return local_date(meeting.started_at or meeting.starts_at)


def date_summary(meeting: Meeting) -> str:
    """The session's local date and time for the case timeline (no names, no free text)."""
    return meeting.starts_at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
