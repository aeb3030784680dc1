"""Bearer tokens of the read-only monitor API (ret_app/api): one per organisation and purpose.

The secret itself is never stored: only its SHA-256 (`token_hash`, what a request's token is looked
up by) and its first characters (`prefix`, so that the administrator and the monitor's keeper can
tell tokens apart). A secret has 256 random bits, so an unsalted hash is enough (no dictionary or
brute force reaches it). Rotating issues a new token and revokes the old one (`replaced_by_id`)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.organisations import Organisation
from ret_app.models.users import User

NAME_LENGTH = 100
PREFIX_LENGTH = 12


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # The token that replaced this one when it was rotated.
    replaced_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("api_token.id"))
    # The issuing form's key: the same form sent twice issues one token.
    submission_key: Mapped[Optional[str]] = mapped_column(String(48), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
