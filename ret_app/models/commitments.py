"""Requests to providers of the HSWV collective and the commitments they become.

The process director asks a collective provider for a role on a case (screening, lead provider,
co-provider, place to stay, crisis back-up, consultation) with a question, a care type and a date to
reply by. A provider member accepts (a contact person, an intended start) or declines with a reason
from a fixed list; the process director may withdraw a request that is still open. An accepted request
is a commitment: it starts and ends (dates). The lifecycle is ret_app/commitments/lifecycle.py.

A request past its reply-by date without an answer is "past its date": `status == requested and
reply_by < today`, derived in SQL from the stored date (no flag to keep current). Declines keep their
reason code (data for the gap signals). Care types are stored as their code string (no foreign key to
the catalogue: a retired type stays readable).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.cases import Case
from ret_app.models.organisations import Organisation
from ret_app.models.users import User


class RequestRole(enum.StrEnum):
    """What the provider is asked to be on the case (labels in ret_app/labels.py)."""

    SCREENING = "screening"
    LEAD_PROVIDER = "lead_provider"
    CO_PROVIDER = "co_provider"
    PLACE_TO_STAY = "place_to_stay"
    CRISIS_BACKUP = "crisis_backup"
    CONSULTATION = "consultation"


class RequestStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"  # a commitment, not started yet
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    STARTED = "started"  # the committed help (or stand-by) has started
    ENDED = "ended"


class DeclineReason(enum.StrEnum):
    """Why a provider declined (a fixed list: these codes feed the gap signals)."""

    NO_CAPACITY = "no_capacity"
    NOT_OUR_EXPERTISE = "not_our_expertise"
    AGE_OUTSIDE_RANGE = "age_outside_range"
    REGION = "region"
    OTHER = "other"


class ProviderRequest(Base):
    """One request to one provider for one role on one case; after acceptance, the commitment."""

    __tablename__ = "provider_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    care_type: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text, default="")
    reply_by: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.REQUESTED.value, index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The form that made it (one key per rendered form and provider): sent twice, recorded once.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The answer: who, when, with which form (the same form sent twice is recorded once).
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    answer_key: Mapped[Optional[str]] = mapped_column(String(64))
    decline_reason: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    decline_text: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    intended_start: Mapped[Optional[date]] = mapped_column(Date)
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    withdraw_text: Mapped[str] = mapped_column(Text, default="")
    # The commitment: when the help (or the stand-by) started and ended.
    started_on: Mapped[Optional[date]] = mapped_column(Date)
    ended_on: Mapped[Optional[date]] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The start page's "requests past their reply-by date" (commitments.queries.past_reply_by): the
        # unanswered requests, longest waiting first, without walking every past request of the country;
        # with their case ids in the index (PostgreSQL), the count reads no request rows (migration 0027).
        Index("ix_provider_request_status_reply_by", "status", "reply_by", "id", postgresql_include=["case_id"]),
    )

    case: Mapped[Case] = relationship()
    organisation: Mapped[Organisation] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[Optional[User]] = relationship(foreign_keys=[answered_by_id])
    withdrawn_by: Mapped[Optional[User]] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_commitment(self) -> bool:
        return self.status in COMMITMENT_STATES


COMMITMENT_STATES = frozenset({RequestStatus.ACCEPTED.value, RequestStatus.STARTED.value, RequestStatus.ENDED.value})
