"""Mandates: a municipality authorises a person to commit help up to a ceiling."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, TimestampMixin, UTCDateTime
from ret_app.models.organisations import Municipality
from ret_app.models.users import User


class MandateStatus(enum.StrEnum):
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Mandate(TimestampMixin, Base):
    __tablename__ = "mandate"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    ceiling_eur: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # Codes of the region's care-type catalogue (caretypes): a retired one stays covered.
    care_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    granted_by: Mapped[str] = mapped_column(String(200))
    document_reference: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[Optional[str]] = mapped_column(Text)

    holder: Mapped[User] = relationship(foreign_keys=[holder_id])
    municipality: Mapped[Municipality] = relationship()
    revoked_by: Mapped[Optional[User]] = relationship(foreign_keys=[revoked_by_id])

    def status_on(self, day: date) -> MandateStatus:
        if self.revoked_at is not None:
            return MandateStatus.REVOKED
        if day < self.valid_from:
            return MandateStatus.NOT_YET_VALID
        if day > self.valid_until:
            return MandateStatus.EXPIRED
        return MandateStatus.VALID

    def covers(self, day: date, care_type: str, amount: Decimal) -> bool:
        return (
            self.status_on(day) is MandateStatus.VALID
            and care_type in (self.care_types or [])
            and amount <= self.ceiling_eur
        )
