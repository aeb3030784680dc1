"""Notifications ("meldingen") and each user's choice of how each kind reaches them.

A notification holds no personal data and no case reference: its kind, the link to where the user
acts (a URL path with ids only), the key that makes it once-only per user, a few optional words
without personal data (a date), and when it was made, read and mailed."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.users import User


class Delivery(enum.StrEnum):
    APP = "app"  # in the app only
    MAIL_NOW = "mail_now"  # also by e-mail, at once
    DIGEST = "digest"  # also by e-mail, in the daily digest


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    link: Mapped[str] = mapped_column(String(300))
    # The fact this notification is about ("request_overdue:17"): the same fact notifies a user once.
    key: Mapped[str] = mapped_column(String(120))
    words: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    mailed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notification_user_id_key"),
        # The list (newest first, unread or read) and the header's unread count, per user.
        Index("ix_notification_user_id_read_at_created_at", "user_id", "read_at", "created_at"),
    )


class NotificationPreference(Base):
    """How one kind of notification reaches one user (no row: the kind's default)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(16))
