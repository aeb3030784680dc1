"""Erasure requests, legal holds, the destruction list and the record of what was destroyed
(ret_app/erasure). These rows outlive the erasure of their case: the eraser keeps them and empties
their free text (ret_app/erasure/eraser.py KEEP)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.cases import Case
from ret_app.models.users import User


class ErasureStatus(enum.StrEnum):
    RECEIVED = "received"
    GRANTED = "granted"  # and the case erased
    REFUSED = "refused"  # with the legal reason


class RefusalGround(enum.StrEnum):
    OTHERS_INTEREST = "others_interest"  # a substantial interest of someone other than the requester
    LEGAL_DUTY = "legal_duty"  # a legal duty to keep the data (e.g. a retention rule)
    CASE_OPEN = "case_open"  # the case is still open: close it first
    LEGAL_HOLD = "legal_hold"  # the case is on legal hold
    OTHER = "other"


class ErasureRequest(Base):
    __tablename__ = "erasure_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    requester_kind: Mapped[str] = mapped_column(String(16))  # youth | parent | guardian | other
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)  # received_on + 3 months (GDPR art. 12)
    status: Mapped[str] = mapped_column(String(16), default=ErasureStatus.RECEIVED.value, index=True)
    refusal_ground: Mapped[Optional[str]] = mapped_column(String(32))
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)

    case: Mapped[Case] = relationship()
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])


class LegalHold(Base):
    """A hold on a case: no removal (erasure, purge) while it stands."""

    __tablename__ = "legal_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lifted_reason: Mapped[str] = mapped_column(Text, default="")
    lifted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    lifted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)

    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id])


class DestructionListStatus(enum.StrEnum):
    DRAFT = "draft"  # drafted (command or nightly job); the privacy officer reviews it
    APPROVED = "approved"  # approved: the purge erases its remaining entries
    DONE = "done"  # every remaining entry erased


class DestructionList(Base):
    __tablename__ = "destruction_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    drafted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=DestructionListStatus.DRAFT.value, index=True)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    entries: Mapped[list["DestructionEntry"]] = relationship(
        back_populates="destruction_list", cascade="all, delete-orphan", order_by="DestructionEntry.id")
    approved_by: Mapped[Optional[User]] = relationship()


class DestructionEntry(Base):
    __tablename__ = "destruction_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("destruction_list.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    retain_until: Mapped[date] = mapped_column(Date)  # as drafted
    # Taken off the list by the privacy officer (with the reason): never purged from this list.
    removed_reason: Mapped[str] = mapped_column(Text, default="")
    removed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    removed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    erased_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    destruction_list: Mapped[DestructionList] = relationship(back_populates="entries")
    case: Mapped[Case] = relationship()


class ErasureRecord(Base):
    """The summary of one erasure: what was destroyed, when, why and by whom (codes and counts only)."""

    __tablename__ = "erasure_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), unique=True)
    reference: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    why: Mapped[str] = mapped_column(String(16))  # request | retention
    erasure_request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("erasure_request.id"))
    destruction_list_id: Mapped[Optional[int]] = mapped_column(ForeignKey("destruction_list.id"))
    erased_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # table -> rows removed or emptied; attachment files and export files removed (counts only).
    summary: Mapped[str] = mapped_column(Text, default="")
    rows_removed: Mapped[int] = mapped_column(Integer, default=0)
    files_removed: Mapped[int] = mapped_column(Integer, default=0)
