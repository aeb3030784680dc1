"""A user's own sessions and recovery codes. Flush, never commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import func, select, update

from ret_app import audit
from ret_app.auth.events import RecoveryCodesReplaced
from ret_app.auth.services import replace_recovery_codes
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.models import User, WebSession
from ret_app.sessions import end_sessions, session_expiry_reason


def live_sessions(user: User) -> list[WebSession]:
    now = utcnow()
    rows = db.session.scalars(
        select(WebSession)
        .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .order_by(WebSession.last_seen_at.desc())
    )
    return [row for row in rows if session_expiry_reason(row, now, current_app) is None]


def live_session_count(user: User, now: Optional[datetime] = None) -> int:
    """How many of the user's sessions are live, counted in SQL (the SQL twin of live_sessions:
    not ended, not idle longer than the idle timeout, not older than the absolute timeout)."""
    now = now or utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_TIMEOUT_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_TIMEOUT_HOURS"])
    return db.session.scalar(
        select(func.count(WebSession.id)).where(
            WebSession.user_id == user.id, WebSession.ended_at.is_(None),
            WebSession.last_seen_at >= now - idle, WebSession.created_at >= now - absolute)) or 0


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


def new_recovery_codes(user: User) -> list[str]:
    """New recovery codes; the old unused ones stop working (audited: never the codes)."""
    codes = replace_recovery_codes(user)
    audit.record(audit.Action.TWO_FACTOR, user=user, object_type="user", object_id=user.id,
                 detail="recovery_codes_replaced")
    events.emit(RecoveryCodesReplaced(actor=user, user_id=user.id, at=utcnow()))
    return codes
