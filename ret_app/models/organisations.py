"""Regions, municipalities, supra-regional networks and organisations."""

from __future__ import annotations

import enum
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, TimestampMixin


DEFAULT_ANSWER_DAYS = 10  # an escalation's expected answer date: this many working days after sending


class Network(TimestampMixin, Base):
    """A supra-regional expertise network (BOEG, BEN NH, JENN, ...)."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    # The default time for an answer to an escalation, in working days (the admin sets it per network).
    answer_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_ANSWER_DAYS, server_default=str(DEFAULT_ANSWER_DAYS))

    regions: Mapped[list["Region"]] = relationship(back_populates="network")


class Region(TimestampMixin, Base):
    """A youth-care region with its RET."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    network_id: Mapped[Optional[int]] = mapped_column(ForeignKey("network.id"))

    network: Mapped[Optional[Network]] = relationship(back_populates="regions")
    municipalities: Mapped[list["Municipality"]] = relationship(
        back_populates="region", order_by="Municipality.name"
    )


class Municipality(TimestampMixin, Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    name: Mapped[str] = mapped_column(String(200))
    # CBS municipality code, e.g. GM0200.
    cbs_code: Mapped[str] = mapped_column(String(6), unique=True)

    region: Mapped[Region] = relationship(back_populates="municipalities")

    __table_args__ = (UniqueConstraint("region_id", "name", name="uq_municipality_region_name"),)


class OrganisationKind(enum.StrEnum):
    ACCESS_TEAM = "access_team"
    CERTIFIED_INSTITUTION = "certified_institution"
    PROVIDER = "provider"
    RET = "ret"
    NETWORK = "network"
    MANAGEMENT = "management"  # functional management (admins), policy and purchasing


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"))
    # Access teams serve one municipality.
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipality.id"))
    # Network organisations belong to a supra-regional network.
    network_id: Mapped[Optional[int]] = mapped_column(ForeignKey("network.id"))
    # Providers can be members of the region's HSWV collective.
    collective_member: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    region: Mapped[Optional[Region]] = relationship()
    municipality: Mapped[Optional[Municipality]] = relationship()
    network: Mapped[Optional[Network]] = relationship()
