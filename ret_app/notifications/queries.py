"""The list of a user's notifications ("Meldingen") and the header's unread count: filtered, sorted
and paged in SQL, each a constant number of queries (a notification row needs nothing else: its
kind's words are registered, its link is stored; what a page of them is about costs one query per
kind of target, see `about`)."""

from __future__ import annotations

from typing import Optional

from flask import g
from flask_login import current_user
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.notifications import kinds
from ret_app.models import Notification, User
from ret_app.paging import Page, paginate

PER_PAGE = 25
SHOWN = ("unread", "read", "all")


def inbox(user: User, *, shown: str = "unread", kind: Optional[str] = None, page: int = 1,
          per_page: int = PER_PAGE) -> Page:
    """The user's notifications, newest first: unread, read or all, optionally of one kind."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if shown == "unread":
        stmt = stmt.where(Notification.read_at.is_(None))
    elif shown == "read":
        stmt = stmt.where(Notification.read_at.is_not(None))
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return paginate(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()), page, per_page)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def unread_count_for_page() -> Optional[int]:
    """The header's count (a template global): one query per page, only for a signed-in user, asked
    once per request however often the layout reads it."""
    if not current_user.is_authenticated:
        return None
    if "_ret_unread_notifications" not in g:
        g._ret_unread_notifications = unread_count(current_user)
    return g._ret_unread_notifications


def about(user: User, notifications) -> dict[int, str]:
    """Per notification on a page, the words that tell its target apart (a case's reference and the
    escalation's state, say), from the describers the capabilities registered: one call — one query —
    per kind of target, whatever the number of notifications."""
    told: dict[int, str] = {}
    for registered in kinds.abouts():
        wanted: dict[int, list[int]] = {}
        for n in notifications:
            found = registered.pattern.match(n.link or "")
            if found:
                wanted.setdefault(int(found.group(1)), []).append(n.id)
        if not wanted:
            continue
        for target_id, words in registered.describe(user, sorted(wanted)).items():
            for notification_id in wanted.get(target_id, ()):
                told[notification_id] = words
    return told
