"""Anonymised learning vignettes ("leerverhalen") of closed cases, for the region's learning sessions.

A vignette holds no personal data: its text is generated from the case with people as roles, an age
band and month-level dates, scrubbed of every name the case knows and of what the Dutch
de-identification library finds (ret_app/vignettes/scrub.py), and scrubbed again whenever the chair
edits it. It is tied to its case (`case_id`, for the chair's way back and for "one per case"), but the
case's reference never appears in it. Only an approved vignette is downloaded or put in a pack.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.cases import Case
from ret_app.models.users import User


class VignetteStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


class LearningVignette(Base):
    __tablename__ = "learning_vignette"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The case's region, stored so the region's list needs no join through the case.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=VignetteStatus.DRAFT.value, index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    generated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    edited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship()
    generated_by: Mapped[User] = relationship(foreign_keys=[generated_by_id])
    approved_by: Mapped[Optional[User]] = relationship(foreign_keys=[approved_by_id])

    __table_args__ = (
        # At most one vignette per case that is not withdrawn (a withdrawn one may be followed by a new one).
        Index("uq_learning_vignette_case_current", "case_id", unique=True,
              sqlite_where=sql_text("status != 'withdrawn'"), postgresql_where=sql_text("status != 'withdrawn'")),
        Index("ix_learning_vignette_region_id_status_approved_at", "region_id", "status", "approved_at"),
    )
