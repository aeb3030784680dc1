"""The start page's cards of the RET sessions capability: my actions, my sessions of the next two
weeks, provisional decisions waiting for my answer. Counted in SQL: the queries do not grow with rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import Select, func, select

from ret_app import policy
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.meetings import actions, decisions, lifecycle
from ret_app.models import ActionStatus, Meeting, User
from ret_app.policy import Permission, can

UPCOMING_DAYS = 14


def my_actions_card(user: User) -> Optional[dict]:
    if not can(Permission.VIEW_OWN_ACTIONS, user):
        return None
    today = dates.today()
    mine = actions.my_actions_query(user, today=today).order_by(None).subquery()
    late = (mine.c.status == ActionStatus.OPEN.value) & (mine.c.due_date < today)
    open_count, overdue = db.session.execute(  # both counts in one statement
        select(func.count(), func.count().filter(late)).select_from(mine)).one()
    return {"open_actions": open_count or 0, "overdue_actions": overdue or 0}


def upcoming_sessions_card(user: User) -> Optional[dict]:
    if not can(Permission.VIEW_SESSIONS, user):
        return None
    meetings = list(db.session.scalars(upcoming_sessions_query(user, dates.utcnow())))
    return {"upcoming_meetings": meetings}


def upcoming_sessions_query(user: User, now: datetime) -> Select:
    """The open sessions of the coming two weeks the user may see. Whether the user sees a session
    through a case on its agenda is looked up among these few sessions' items only (the window
    bounds the visibility's lookups), not among the items of every case of the region's history."""
    window = (Meeting.status.in_([s.value for s in lifecycle.OPEN]),
              Meeting.starts_at >= now - timedelta(hours=12),
              Meeting.starts_at <= now + timedelta(days=UPCOMING_DAYS))
    in_window = select(Meeting.id).where(*window).correlate(None)
    return (select(Meeting).where(policy.visible_meetings_clause(user, among_meetings=in_window), *window)
            .order_by(Meeting.starts_at).options(*actions.SESSION_LINK_LOADS))  # session_url asks the policy


def provisional_card(user: User) -> Optional[dict]:
    if not can(Permission.ANSWER_PROVISIONAL, user):
        return None
    return {"provisional_waiting": len(decisions.provisional_for(user))}


