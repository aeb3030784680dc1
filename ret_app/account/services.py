"""A user's own sessions."""

from __future__ import annotations

from typing import Optional

from flask import current_app
from sqlalchemy import select, update

from ret_app import audit
from ret_app.extensions import db
from ret_app.models import User, WebSession
from ret_app.kernel.dates import utcnow
from ret_app.sessions import end_sessions, session_expiry_reason


def live_sessions(user: User) -> list[WebSession]:
    now = utcnow()
    rows = db.session.scalars(
        select(WebSession)
        .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .order_by(WebSession.last_seen_at.desc())
    )
    return [row for row in rows if session_expiry_reason(row, now, current_app) is None]


def end_own_session(user: User, session_id: int) -> bool:
    result = db.session.execute(
        update(WebSession)
        .where(WebSession.id == session_id, WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason="ended_by_user")
    )
    if result.rowcount:
        audit.record(audit.Action.SESSION, object_type="web_session", object_id=session_id,
                     detail="ended_by_user")
        return True
    return False


def end_other_sessions(user: User, current_row_id: Optional[int]) -> int:
    count = end_sessions(user.id, "ended_by_user", except_row_id=current_row_id)
    audit.record(audit.Action.SESSION, object_type="user", object_id=user.id,
                 detail=f"other_sessions_ended={count}")
    return count
