"""Re-referral ("heraanmelding"): an earlier case of the same youth in the region, found by BSN or by
name and birth date, and what the chair decided about it.

`Case.youth_match_key` is kept here: whenever a case is written, its key is computed again from the
youth's first name, last name and birth date, so no service has to remember it (the referral form,
the demo, a test's factory all write through the ORM). The key is compared for equality only, so it is
stored as a SHA-256 digest of the normalised values: fixed width for the index, and no second readable
copy of the youth's name in the table.
"""

from __future__ import annotations

import enum
import hashlib
import re
import unicodedata
from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.cases import Case
from ret_app.models.users import User

_NOT_LETTERS = re.compile(r"[\W_]+")


def normalise_name(text: Optional[str]) -> str:
    """Lower case without accents, every run of spaces, hyphens or apostrophes one space:
    "Zoë  Van-Dijk" and "zoe van dijk" are the same name."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_LETTERS.sub(" ", bare.casefold()).strip()


def youth_match_key(first_name: Optional[str], last_name: Optional[str], birth_date: Optional[date]) -> Optional[str]:
    """The stored key of a youth: None unless first name, last name and birth date are all known."""
    first, last = normalise_name(first_name), normalise_name(last_name)
    if not first or not last or birth_date is None:
        return None
    return hashlib.sha256(f"{first}\x1f{last}\x1f{birth_date.isoformat()}".encode()).hexdigest()


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _keep_match_key(_mapper, _connection, case: Case) -> None:
    case.youth_match_key = youth_match_key(case.youth_first_name, case.youth_last_name, case.youth_birth_date)


class LinkBasis(enum.StrEnum):
    BSN = "bsn"  # the same BSN: certain
    NAME = "name"  # the same first name, last name and birth date: "mogelijk dezelfde jeugdige"


class LinkStatus(enum.StrEnum):
    SUGGESTED = "suggested"  # found, waiting for the chair
    CONFIRMED = "confirmed"  # the chair confirmed: a re-referral
    DISMISSED = "dismissed"  # the chair dismissed: not the same youth (or not relevant)


class CaseLink(Base):
    """A later case (`case_id`) and an earlier case of the same youth (`earlier_case_id`)."""

    __tablename__ = "case_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"))
    earlier_case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    basis: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=LinkStatus.SUGGESTED.value, index=True)
    suggested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    earlier_case: Mapped[Case] = relationship(foreign_keys=[earlier_case_id])
    decided_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (
        UniqueConstraint("case_id", "earlier_case_id", name="uq_case_link_case_id_earlier_case_id"),
        Index("ix_case_link_case_id_status", "case_id", "status"),
    )
