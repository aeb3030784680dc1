"""The process direction plan of a case ("procesregieplan"): goals in the family's own words with the
help agreed per goal, review moments, and the agreed versions (read-only copies).

One plan per case. What is being worked on is the plan itself (its goals and review moments: the
draft); "agree this version" freezes a copy of it (`PlanVersion.content`) with who agreed it, when
and, if any, the session decision it came from. Later changes make a new draft; every agreed
version stays readable as it was agreed.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from ret_app.models.cases import Case
from ret_app.models.meetings import Decision
from ret_app.models.organisations import Organisation
from ret_app.models.users import User


class GoalStatus(enum.StrEnum):
    OPEN = "open"
    REACHED = "reached"
    PARTLY = "partly"  # partly reached
    DROPPED = "dropped"


class Voice(enum.StrEnum):
    """Whose words a goal is in."""

    YOUTH = "youth"
    PARENTS = "parents"
    FAMILY = "family"  # the family together
    PROFESSIONALS = "professionals"  # written down by the professionals (no words of the family)


class HelpFits(enum.StrEnum):
    """At a review moment: does the help fit?"""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class Plan(TimestampMixin, Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), unique=True)
    # The last change of the draft (goals, review moments): who and when.
    changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # The number of the last agreed version (None: never agreed), and whether the draft changed since.
    agreed_number: Mapped[Optional[int]] = mapped_column(Integer)
    changed_since_agreed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Fitting help started ("passende hulp gestart"): what started (the date is on the case,
    # `Case.fitting_help_started_on`, where outcome measures read it), who recorded it and when.
    fitting_help_what: Mapped[Optional[str]] = mapped_column(Text)
    fitting_help_recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    fitting_help_recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Optimistic locking: "agree this version" freezes the plan the user saw, not a later one.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship()
    changed_by: Mapped[Optional[User]] = relationship(foreign_keys=[changed_by_id])
    fitting_help_recorded_by: Mapped[Optional[User]] = relationship(foreign_keys=[fitting_help_recorded_by_id])
    goals: Mapped[list["PlanGoal"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="[PlanGoal.position, PlanGoal.id]")
    reviews: Mapped[list["PlanReview"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="[PlanReview.planned_on, PlanReview.id]")
    versions: Mapped[list["PlanVersion"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanVersion.number")


class PlanGoal(TimestampMixin, Base):
    """A goal, in the family's own words where possible, with its status and the help agreed for it."""

    __tablename__ = "plan_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    voiced_by: Mapped[str] = mapped_column(String(16), default=Voice.FAMILY.value)
    status: Mapped[str] = mapped_column(String(16), default=GoalStatus.OPEN.value)
    # The agreed help: a care type (its code, as on mandates and decisions), a provider of the
    # region's collective or one outside it (by name), and the intended start.
    care_type: Mapped[Optional[str]] = mapped_column(String(32))
    provider_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"))
    provider_name: Mapped[Optional[str]] = mapped_column(String(200))
    intended_start: Mapped[Optional[date]] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="goals")
    provider: Mapped[Optional[Organisation]] = relationship()


class PlanReview(TimestampMixin, Base):
    """A review moment ("evaluatiemoment"): planned for a date; when held, whether the help fits, the
    youth's or family's own judgement and what changes."""

    __tablename__ = "plan_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    planned_on: Mapped[date] = mapped_column(Date)
    planned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    held_on: Mapped[Optional[date]] = mapped_column(Date)
    help_fits: Mapped[Optional[str]] = mapped_column(String(16))
    own_judgement: Mapped[Optional[str]] = mapped_column(Text)
    what_changes: Mapped[Optional[str]] = mapped_column(Text)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="reviews")
    recorded_by: Mapped[Optional[User]] = relationship(foreign_keys=[recorded_by_id])


class PlanVersion(Base):
    """An agreed version: a read-only copy of the plan as it was agreed (`content`, names resolved
    then), who agreed it and when, and the session decision it came from, if any."""

    __tablename__ = "plan_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    agreed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("decision.id"))
    content: Mapped[dict] = mapped_column(JSON)

    plan: Mapped[Plan] = relationship(back_populates="versions")
    agreed_by: Mapped[User] = relationship()
    decision: Mapped[Optional[Decision]] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_version_plan_number"),)
