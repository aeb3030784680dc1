"""The care-type catalogue: per region, the types of care ("zorgsoorten") that mandates, decisions,
requests, commitments and capacity refer to. Records keep the code string (no foreign key to this
table): a retired type stays readable on the records that have it."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ret_app.models.base import Base, TimestampMixin

CODE_LENGTH = 32
NAME_LENGTH = 120


class CareType(TimestampMixin, Base):
    __tablename__ = "care_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    # What records store; never changes once the type exists.
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    # Dutch, as the administrator types it.
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[Optional[str]] = mapped_column(Text)
    # False: retired. Still valid and readable on the records that have it; not offered for new input.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic locking: a save based on an older version fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("region_id", "code", name="uq_care_type_region_code"),)
    __mapper_args__ = {"version_id_col": version}
