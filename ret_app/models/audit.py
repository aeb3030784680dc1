"""Audit events (NEN 7513). Written only by ret_app.audit; append-only and hash-chained."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ret_app.models.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the hash chain: 1, 2, 3, ... without gaps.
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
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
    outcome: Mapped[str] = mapped_column(String(16))
    ip_address: Mapped[Optional[str]] = mapped_column(String(45))
    # Short machine-readable detail (event name, changed field names). Never personal data.
    detail: Mapped[Optional[str]] = mapped_column(String(500))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The newest link of the chain, so that removing the last events is detected too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))
