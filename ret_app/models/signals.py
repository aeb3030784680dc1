"""Gap signals ("signalen"): a gap category (or a category for one care type) that outcomes named in at
least the region's threshold of cases within its rolling window (RegionNorms.signal_threshold and
signal_window_months; ret_app/signals/rule.py raises them).

`GapSignal`: the region's signal, with its status (new -> in progress -> addressed -> closed, the state
machine in ret_app/signals/lifecycle.py), its owner (purchasing or policy; set by the chair), when it was
raised and for which window, how many cases raised it and how many its evidence holds now. `open_key`
holds "<category>:<care type>" while the signal is open (NULL once closed): the unique constraint on
(region, open_key) keeps one open signal per key, also when the nightly job and a reaction race.

`SignalEvidence`: what raised it, traceable: the outcome's gap of a case (kind "gap"), and beside it the
collective's evidence for the same cases — a request to a provider declined for lack of capacity or
expertise ("decline") and an escalation to the network ("escalation"). `outcome_gap_id` becomes NULL when
the outcome was corrected since and the gap row replaced or removed; the case stays.

`SignalResponse`: the chair's response, with the status and owner change it made (what the signal page's
history shows)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.cases import DEFAULT_SIGNAL_THRESHOLD, DEFAULT_SIGNAL_WINDOW_MONTHS, Case  # noqa: F401
from ret_app.models.outcomes import GapCategory
from ret_app.models.users import User



class SignalStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ADDRESSED = "addressed"
    CLOSED = "closed"


class SignalOwner(enum.StrEnum):
    """Who takes the signal up for the municipalities."""

    PURCHASING = "purchasing"
    POLICY = "policy"


class EvidenceKind(enum.StrEnum):
    GAP = "gap"  # a gap an outcome records
    DECLINE = "decline"  # a request to a provider declined: no capacity / not our expertise
    ESCALATION = "escalation"  # an escalation to the supra-regional network


class GapSignal(Base):
    __tablename__ = "gap_signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    gap_category_id: Mapped[int] = mapped_column(ForeignKey("gap_category.id"), index=True)
    care_type: Mapped[Optional[str]] = mapped_column(String(32))  # None: the category across care types
    status: Mapped[str] = mapped_column(String(16), default=SignalStatus.NEW.value, index=True)
    owner: Mapped[Optional[str]] = mapped_column(String(16))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    raised_count: Mapped[int] = mapped_column(Integer)  # distinct cases when raised
    case_count: Mapped[int] = mapped_column(Integer)  # distinct cases of its gap evidence now
    status_changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    open_key: Mapped[Optional[str]] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("region_id", "open_key", name="uq_gap_signal_region_open_key"),)

    category: Mapped[GapCategory] = relationship()
    responses: Mapped[list["SignalResponse"]] = relationship(
        back_populates="signal", cascade="all, delete-orphan", order_by="SignalResponse.id")
    evidence: Mapped[list["SignalEvidence"]] = relationship(
        back_populates="signal", cascade="all, delete-orphan", order_by="SignalEvidence.id")


class SignalResponse(Base):
    __tablename__ = "signal_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("gap_signal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    step: Mapped[Optional[str]] = mapped_column(String(32))  # the lifecycle step taken with it, if any
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    owner_from: Mapped[Optional[str]] = mapped_column(String(16))
    owner_to: Mapped[Optional[str]] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    signal: Mapped[GapSignal] = relationship(back_populates="responses")
    author: Mapped[User] = relationship()


class SignalEvidence(Base):
    __tablename__ = "signal_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("gap_signal.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    outcome_gap_id: Mapped[Optional[int]] = mapped_column(ForeignKey("outcome_gap.id", ondelete="SET NULL"),
                                                          index=True)
    provider_request_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("provider_request.id", ondelete="SET NULL"), index=True)
    escalation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("escalation.id", ondelete="SET NULL"),
                                                         index=True)
    # The day of the fact: the outcome's recorded day, the decline's answer, the escalation's sending.
    on: Mapped[Optional[date]] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(String(32), default="")  # a decline reason or an escalation result code
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    signal: Mapped[GapSignal] = relationship(back_populates="evidence")
    case: Mapped[Case] = relationship()
