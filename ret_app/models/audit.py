"""Audit events (NEN 7513). Written only by ret_app.audit; append-only and hash-chained."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ret_app.models.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the hash chain: 1, 2, 3, ... without gaps. NULL while the event waits to be
    # linked (a short step after the commit that wrote it; see ret_app/audit.py).
    seq: Mapped[Optional[int]] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    user_name: Mapped[Optional[str]] = mapped_column(String(200))
    user_role: Mapped[Optional[str]] = mapped_column(String(32))
    organisation_name: Mapped[Optional[str]] = mapped_column(String(200))
    on_behalf_of: Mapped[Optional[str]] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    object_id: Mapped[Optional[str]] = mapped_column(String(64))
    case_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    ip_address: Mapped[Optional[str]] = mapped_column(String(45))
    # Short machine-readable detail (event name, changed field names). Never personal data.
    detail: Mapped[Optional[str]] = mapped_column(String(500))
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64))
    hash: Mapped[Optional[str]] = mapped_column(String(64))

    __table_args__ = (
        # The events still to be linked into the chain: found without scanning millions.
        Index("ix_audit_event_unlinked", "id", postgresql_where=text("seq IS NULL"), sqlite_where=text("seq IS NULL")),
    )


class AuditHead(Base):
    """The newest link of the chain, so that removing the last events is detected too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A position of the chain that a check found intact, with its hash: the next check can start
    there (`flask verify-audit`) instead of at the first event."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)
    hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    full: Mapped[bool] = mapped_column(Boolean, default=False)  # the check started at the first event
