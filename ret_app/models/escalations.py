"""Escalations to the supra-regional network (BOEG, BEN NH, JENN, ...): the way out when the region's own
options are exhausted.

The chair escalates a case to the network of its region (a process director may prepare the draft):
why the regional options are exhausted, what was tried (references to items of the case itself —
help tried before, the screening, plan versions and goals, requests to providers and their declines,
session decisions — selected, never retyped), the question (a kind and a text), the urgency and the
date by which an answer is expected (by default the network's `answer_days` working days). The network
(its liaison) accepts or declines, starts, names a network process director, sends advice or questions
(the RET answers them), answers and closes with a result. The lifecycle is
ret_app/escalations/lifecycle.py; its steps are kept in `EscalationStep` (who, when, why).

"Overdue" is derived in SQL from the stored expected date (sent, accepted or in progress, and
`expected_answer_date < today`): no flag to keep current. The chair's reminders and new expected dates
(with their reason) are kept as rows of their own.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.cases import Case
from ret_app.models.organisations import Network
from ret_app.models.users import User


class EscalationStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


# An escalation that still runs (one per case at a time): every status but the three final ones.
OPEN_ESCALATION_STATES = ("draft", "sent", "accepted", "in_progress", "answered")


class QuestionKind(enum.StrEnum):
    """What the RET asks of the network (labels in ret_app/labels.py)."""

    CONSULTATION = "consultation"  # consultation and advice
    NETWORK_DIRECTOR = "network_director"  # a network process director
    PLACEMENT = "placement"  # help organising a placement
    FUNDING = "funding"  # funding for a missing facility
    OTHER = "other"


class EscalationResult(enum.StrEnum):
    ADVICE_GIVEN = "advice_given"
    NETWORK_PROCESS_DIRECTION = "network_process_direction"
    PLACEMENT_FOUND = "placement_found"
    FUNDING_GRANTED = "funding_granted"
    NOT_SOLVED = "not_solved"


class TriedKind(enum.StrEnum):
    """The kinds of case items "what was tried" refers to."""

    PRIOR_HELP = "prior_help"
    SCREENING = "screening"
    PLAN_VERSION = "plan_version"
    PLAN_GOAL = "plan_goal"
    PROVIDER_REQUEST = "provider_request"
    DECISION = "decision"


class MessageKind(enum.StrEnum):
    QUESTION = "question"  # the network asks the RET
    ADVICE = "advice"  # the network advises the RET
    ANSWER = "answer"  # the network's answer (the "answer" step)
    REPLY = "reply"  # the RET answers a question of the network


class MessageSide(enum.StrEnum):
    RET = "ret"
    NETWORK = "network"


class Escalation(Base):
    __tablename__ = "escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=EscalationStatus.DRAFT.value, index=True)
    why_exhausted: Mapped[str] = mapped_column(Text, default="")
    question_kind: Mapped[Optional[str]] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(16), default="regular")
    expected_answer_date: Mapped[Optional[date]] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    sent_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # The network's side: why it declined, who directs the process for it, the result it closed with.
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    network_director_name: Mapped[str] = mapped_column(String(200), default="")
    network_director_organisation: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[Optional[str]] = mapped_column(String(32))
    result_text: Mapped[str] = mapped_column(Text, default="")
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    # The form that created it and the last form that changed or sent it: the same form sent twice is
    # recorded once.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    last_key: Mapped[Optional[str]] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship()
    network: Mapped[Network] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    sent_by: Mapped[Optional[User]] = relationship(foreign_keys=[sent_by_id])
    tried: Mapped[list["EscalationTried"]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationTried.id")
    messages: Mapped[list["EscalationMessage"]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationMessage.id")
    steps: Mapped[list["EscalationStep"]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationStep.id")
    reminders: Mapped[list["EscalationReminder"]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationReminder.id")
    date_changes: Mapped[list["EscalationDateChange"]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationDateChange.id")

    __table_args__ = (
        # One open escalation per case at a time, also when two requests race.
        Index("uq_escalation_one_open_per_case", "case_id", unique=True,
              sqlite_where=text("status IN ('draft', 'sent', 'accepted', 'in_progress', 'answered')"),
              postgresql_where=text("status IN ('draft', 'sent', 'accepted', 'in_progress', 'answered')")),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ESCALATION_STATES


class EscalationTried(Base):
    """One item of the case that was tried: a reference (kind, id), never a copy of its text."""

    __tablename__ = "escalation_tried"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(Integer)

    escalation: Mapped[Escalation] = relationship(back_populates="tried")

    __table_args__ = (UniqueConstraint("escalation_id", "kind", "object_id", name="uq_escalation_tried_item"),)


class EscalationMessage(Base):
    """The exchange between the RET and the network: advice, questions, the answer, the RET's replies."""

    __tablename__ = "escalation_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    # The question a reply answers.
    reply_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("escalation_message.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)

    escalation: Mapped[Escalation] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()


class EscalationStep(Base):
    """One step of the escalation's lifecycle: who, when, from which status to which, why."""

    __tablename__ = "escalation_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    escalation: Mapped[Escalation] = relationship(back_populates="steps")
    actor: Mapped[User] = relationship()


class EscalationReminder(Base):
    """The chair reminded the network of an answer that is late (or due)."""

    __tablename__ = "escalation_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)

    escalation: Mapped[Escalation] = relationship(back_populates="reminders")
    sent_by: Mapped[User] = relationship()


class EscalationDateChange(Base):
    """A new expected answer date, with its reason."""

    __tablename__ = "escalation_date_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    old_date: Mapped[Optional[date]] = mapped_column(Date)
    new_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    escalation: Mapped[Escalation] = relationship(back_populates="date_changes")
    changed_by: Mapped[User] = relationship()
