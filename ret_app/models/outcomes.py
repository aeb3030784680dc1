"""Outcomes at closing and the gap taxonomy.

`GapCategory`: per region, the categories of gaps in the care offer ("hiaten") that outcomes name;
reference data the administrator keeps (like the care-type catalogue): a code that never changes, a
Dutch name, a description, a position and `active` (False: retired; still valid and shown on the
outcomes that have it, not offered for new input).

`CaseOutcome` (one per case): the result, the placement result (only for an intended out-of-home
placement), lessons learned (RET-internal), and the working days from referral to fitting help and to
closing, computed by the service from the case's recorded dates and stored when they change (never
typed). `OutcomeHelp`: the help arranged. `OutcomeGap`: a gap met, with its category (required), the
care type concerned where it applies and a note. Both rows carry the case id besides the outcome id,
so that aggregations (gap signals, the analyst) group by the case's region, municipality and period
without a detour, and so that the care-type catalogue sees the codes they hold (a `care_type` column
reached through `case_id`: `caretypes.services.codes_in_use`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from ret_app.models.cases import Case
from ret_app.models.organisations import Organisation
from ret_app.models.users import User

GAP_CODE_LENGTH = 40
GAP_NAME_LENGTH = 160


class OutcomeResult(enum.StrEnum):
    REALISED = "realised"  # fitting help realised
    PARTLY_REALISED = "partly_realised"
    NOT_REALISED = "not_realised"
    RETURNED_WITH_ADVICE = "returned_with_advice"  # returned to the access team with advice
    AGED_OUT_OR_MOVED = "aged_out_or_moved"  # the youth turned 23 or moved out of the region


class PlacementResult(enum.StrEnum):
    """What became of an intended out-of-home placement."""

    PREVENTED = "prevented"
    CARRIED_OUT = "carried_out"
    OTHER = "other"


class GapCategory(TimestampMixin, Base):
    __tablename__ = "gap_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    # Never changes once the category exists (exports and signals may name it).
    code: Mapped[str] = mapped_column(String(GAP_CODE_LENGTH))
    # Dutch, as the administrator types it.
    name: Mapped[str] = mapped_column(String(GAP_NAME_LENGTH))
    description: Mapped[Optional[str]] = mapped_column(Text)
    # False: retired. Still valid and shown on the outcomes that have it; not offered for new input.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("region_id", "code", name="uq_gap_category_region_code"),)
    __mapper_args__ = {"version_id_col": version}


class CaseOutcome(TimestampMixin, Base):
    __tablename__ = "case_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), unique=True)
    result: Mapped[str] = mapped_column(String(32), index=True)
    # Only when the case's placement was intended (Case.placement_intended).
    placement_result: Mapped[Optional[str]] = mapped_column(String(16))
    placement_note: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")  # RET-internal
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Computed from the recorded dates (submitted_at -> fitting_help_started_on, -> closed_at) with the
    # working-day calendar of the norms; stored when they change (services.refresh_days).
    working_days_to_fitting_help: Mapped[Optional[int]] = mapped_column(Integer)
    working_days_to_close: Mapped[Optional[int]] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    changed_by: Mapped[Optional[User]] = relationship(foreign_keys=[changed_by_id])
    helps: Mapped[list["OutcomeHelp"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="OutcomeHelp.position")
    gaps: Mapped[list["OutcomeGap"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="OutcomeGap.position")


class OutcomeHelp(Base):
    """Help arranged: a care type from the catalogue, by a provider of the region's organisations or one
    named (outside the region), inside the region or not, via the supra-regional network or not."""

    __tablename__ = "outcome_help"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("case_outcome.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    care_type: Mapped[str] = mapped_column(String(32))  # a code of the region's catalogue
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"), index=True)
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    inside_region: Mapped[bool] = mapped_column(Boolean, default=True)
    via_network: Mapped[bool] = mapped_column(Boolean, default=False)

    outcome: Mapped[CaseOutcome] = relationship(back_populates="helps")
    organisation: Mapped[Optional[Organisation]] = relationship()


class OutcomeGap(Base):
    """A gap met: its category (required), the care type concerned where it applies, a note."""

    __tablename__ = "outcome_gap"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("case_outcome.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    gap_category_id: Mapped[int] = mapped_column(ForeignKey("gap_category.id"), index=True)
    care_type: Mapped[Optional[str]] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")

    outcome: Mapped[CaseOutcome] = relationship(back_populates="gaps")
    category: Mapped[GapCategory] = relationship()


class AnalystYearFigures(Base):
    """One region's protected tables of one calendar year, computed by the job runner and read by every
    publication of its counts (ret_app/analyst/stored.py): protecting a year's tables takes a few hundred
    ms at a region of national size, too long for each request. `data` holds the layout the tables were
    made for (rows, care types, gap categories), each table's published cells (no hidden value), the
    re-referral table and the working days per month (numbers only); `computed_at` is shown with the
    figures. No personal data: codes, ids of municipalities, teams and categories, counts."""

    __tablename__ = "analyst_year_figures"
    __table_args__ = (UniqueConstraint("region_id", "year", name="uq_analyst_year_figures_region_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data: Mapped[str] = mapped_column(Text)  # JSON (stored.py's format, with its version)
