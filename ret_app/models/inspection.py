"""Inspection (inzage) and correction requests of a case, and the addenda that correct finalised parts.

An inspection request names its requester (the youth, a parent or guardian from the family system, or
someone else), the day it was received (the age rules are applied on that day), what the check found
(`rule`: a code, ret_app/inspection/rights.py) and, when handed over, the parts withheld with a reason.
A correction request records what was asked and the chair's decision; a correction of a finalised part
(the screening, a plan version, a decision, the outcome) is a `CaseAddendum` shown with that part on the
case page and in the inspection copy: the part itself is never overwritten.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.cases import Case, FamilyMember
from ret_app.models.users import User


class RequesterKind(enum.StrEnum):
    YOUTH = "youth"
    PARENT = "parent"
    GUARDIAN = "guardian"
    OTHER = "other"


class InspectionStatus(enum.StrEnum):
    RECEIVED = "received"
    CHECKED = "checked"  # the right stands; the copy can be made and handed over
    HANDED_OVER = "handed_over"
    REFUSED = "refused"  # the right does not stand: `rule` names why


class CorrectionDecision(enum.StrEnum):
    GRANTED = "granted"
    PARTLY = "partly"
    REFUSED = "refused"


class InspectionRequest(Base):
    __tablename__ = "inspection_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    requester_kind: Mapped[str] = mapped_column(String(16))
    family_member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("family_member.id", ondelete="SET NULL"))
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    received_on: Mapped[date] = mapped_column(Date)
    youth_objects: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=InspectionStatus.RECEIVED.value, index=True)
    rule: Mapped[Optional[str]] = mapped_column(String(32))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    handed_over_on: Mapped[Optional[date]] = mapped_column(Date)
    handed_over_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    family_member: Mapped[Optional[FamilyMember]] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    handed_over_by: Mapped[Optional[User]] = relationship(foreign_keys=[handed_over_by_id])
    withheld: Mapped[list["WithheldPart"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="WithheldPart.id")

    __mapper_args__ = {"version_id_col": version}


class WithheldPart(Base):
    """A section of the inspection copy left out, with the reason the copy shows in its place."""

    __tablename__ = "inspection_withheld"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("inspection_request.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(300))

    request: Mapped[InspectionRequest] = relationship(back_populates="withheld")


class CorrectionRequest(Base):
    __tablename__ = "correction_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    requester_kind: Mapped[str] = mapped_column(String(16))
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    received_on: Mapped[date] = mapped_column(Date)
    section: Mapped[str] = mapped_column(String(32))  # the part it concerns (a section code)
    asked: Mapped[str] = mapped_column(Text)
    decision: Mapped[Optional[str]] = mapped_column(String(16), index=True)
    decision_reason: Mapped[Optional[str]] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}


class CaseAddendum(Base):
    """A correction or addition to a finalised part of the case, shown with that part (never an overwrite)."""

    __tablename__ = "case_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    correction_request_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("correction_request.id", ondelete="SET NULL"), index=True)

    made_by: Mapped[User] = relationship()
