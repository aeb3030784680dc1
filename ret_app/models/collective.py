"""The region's HSWV collective: each member provider's profile (expertise, care types offered, age
range, crisis availability, contact persons) and its capacity register (per care type, kept by the
provider, every update kept as history).

Care types are stored as their code string (String(32)), validated by the services against the
region's care-type catalogue; there is no foreign key to the catalogue, so a retired type stays
readable on old rows.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.organisations import Organisation
from ret_app.models.users import User


class ExpertiseArea(enum.StrEnum):
    """What a provider of the collective is known for (a fixed list; labels in ret_app/labels.py)."""

    YOUTH_MENTAL_HEALTH = "youth_mental_health"
    INTELLECTUAL_DISABILITY = "intellectual_disability"  # LVB: licht verstandelijke beperking
    PARENTING_SUPPORT = "parenting_support"
    ADDICTION = "addiction"
    EATING_DISORDERS = "eating_disorders"
    TRAUMA = "trauma"
    AUTISM = "autism"
    INTENSIVE_HOME_TREATMENT = "intensive_home_treatment"
    THREE_MILIEU = "three_milieu"  # driemilieuvoorziening: living, school and treatment together
    CLOSED_CARE = "closed_care"


class ProviderProfile(Base):
    """What the collective knows of one member provider; kept by the provider's own members."""

    __tablename__ = "provider_profile"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # The ages the provider helps (youth care runs to 23 at most); None: not limited on that side.
    min_age: Mapped[Optional[int]] = mapped_column(Integer)
    max_age: Mapped[Optional[int]] = mapped_column(Integer)
    # Crisis availability: whether the provider's crisis service can be called, when, and its line.
    crisis_available: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    crisis_hours: Mapped[str] = mapped_column(String(200), default="")
    crisis_phone: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # Optimistic locking: two members of the provider saving at once do not overwrite each other.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship()
    updated_by: Mapped[Optional[User]] = relationship()
    expertise: Mapped[list["ProviderExpertise"]] = relationship(
        cascade="all, delete-orphan", order_by="ProviderExpertise.area")
    care_types: Mapped[list["ProviderCareType"]] = relationship(
        cascade="all, delete-orphan", order_by="ProviderCareType.care_type", back_populates="profile")
    contacts: Mapped[list["ProviderContact"]] = relationship(
        cascade="all, delete-orphan", order_by="ProviderContact.position")

    @property
    def expertise_codes(self) -> list[str]:
        """The areas in the fixed list's order (the order pages show them in)."""
        order = {area.value: index for index, area in enumerate(ExpertiseArea)}
        return sorted((row.area for row in self.expertise), key=lambda area: order.get(area, len(order)))

    @property
    def care_type_codes(self) -> list[str]:
        return [row.care_type for row in self.care_types]


class ProviderExpertise(Base):
    """One expertise area of a provider (a row each, so that suggestions can match in SQL)."""

    __tablename__ = "provider_expertise"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("provider_profile.organisation_id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(32), index=True)

    __table_args__ = (UniqueConstraint("organisation_id", "area", name="uq_provider_expertise_organisation_area"),)


class ProviderCareType(Base):
    """A care type the provider offers: the rows of the capacity overview (care type x provider)."""

    __tablename__ = "provider_care_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("provider_profile.organisation_id", ondelete="CASCADE"), index=True)
    care_type: Mapped[str] = mapped_column(String(32), index=True)

    __table_args__ = (UniqueConstraint("organisation_id", "care_type", name="uq_provider_care_type_organisation_care_type"),)

    profile: Mapped[ProviderProfile] = relationship(back_populates="care_types")
    organisation: Mapped[Organisation] = relationship(
        primaryjoin="ProviderCareType.organisation_id == Organisation.id", foreign_keys=[organisation_id],
        viewonly=True)
    # The provider's capacity for this care type (None: never registered).
    entry: Mapped[Optional["CapacityEntry"]] = relationship(
        primaryjoin=lambda: and_(foreign(CapacityEntry.organisation_id) == ProviderCareType.organisation_id,
                                 foreign(CapacityEntry.care_type) == ProviderCareType.care_type),
        viewonly=True, uselist=False)


class ProviderContact(Base):
    """A contact person of the provider for the RET and the other providers (a member of staff)."""

    __tablename__ = "provider_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("provider_profile.organisation_id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")


class CapacityEntry(Base):
    """The capacity register: one provider's places for one care type as it last told them.
    `updated_at` is when it last did: an entry not updated for the region's number of days is stale
    (ret_app/collective/freshness.py)."""

    __tablename__ = "capacity_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    care_type: Mapped[str] = mapped_column(String(32), index=True)
    places_available: Mapped[int] = mapped_column(Integer)
    # Places expected to come free, and when (both or neither).
    expected_places: Mapped[Optional[int]] = mapped_column(Integer)
    expected_on: Mapped[Optional[date]] = mapped_column(Date)
    waiting_weeks: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (UniqueConstraint("organisation_id", "care_type", name="uq_capacity_entry_organisation_care_type"),)

    organisation: Mapped[Organisation] = relationship()
    updated_by: Mapped[Optional[User]] = relationship()
    history: Mapped[list["CapacityUpdate"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan",
        order_by="(CapacityUpdate.recorded_at.desc(), CapacityUpdate.id.desc())")


class CapacityUpdate(Base):
    """One update of a capacity entry as it was given (who, when, the values): the entry's history.
    Written once, never changed."""

    __tablename__ = "capacity_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("capacity_entry.id", ondelete="CASCADE"), index=True)
    places_available: Mapped[int] = mapped_column(Integer)
    expected_places: Mapped[Optional[int]] = mapped_column(Integer)
    expected_on: Mapped[Optional[date]] = mapped_column(Date)
    waiting_weeks: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    entry: Mapped[CapacityEntry] = relationship(back_populates="history")
    recorded_by: Mapped[Optional[User]] = relationship()
