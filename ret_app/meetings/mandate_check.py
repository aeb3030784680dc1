"""The mandate check at decision time.

A decision that commits help is binding only when an attendee *present* at the session holds a
mandate of the case's municipality that is valid on the session date, covers the care type and
whose ceiling covers the amount. Otherwise it is "onder voorbehoud" and goes to the municipality.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select

from ret_app.extensions import db
from ret_app.meetings.common import session_date
from ret_app.models import Case, Mandate, MandateStatus, Meeting, MeetingAttendance, User


class Finding(enum.StrEnum):
    """Why no present mandate covered a decision (the most specific reason found)."""

    COVERED = "covered"
    NO_HOLDER_PRESENT = "no_holder_present"  # nobody present holds a mandate of this municipality
    NOT_VALID_ON_DATE = "not_valid_on_date"  # present holders' mandates expired / not yet valid
    REVOKED = "revoked"
    CARE_TYPE = "care_type"  # valid, but the care type is not covered
    CEILING = "ceiling"  # valid and the care type covered, but the amount is above the ceiling


# The more specific a finding, the more it helps the chair: prefer it when several mandates fail.
_SPECIFICITY = [Finding.NO_HOLDER_PRESENT, Finding.REVOKED, Finding.NOT_VALID_ON_DATE, Finding.CARE_TYPE,
                Finding.CEILING]


@dataclass(frozen=True)
class MandateCheck:
    mandate: Optional[Mandate]
    finding: Finding

    @property
    def binding(self) -> bool:
        return self.mandate is not None


def present_user_ids(meeting: Meeting) -> list[int]:
    return list(db.session.scalars(select(MeetingAttendance.user_id).where(
        MeetingAttendance.meeting_id == meeting.id, MeetingAttendance.present.is_(True))))


def present_mandates(meeting: Meeting, municipality_id: int) -> list[Mandate]:
    """Mandates of the municipality held by attendees present now (any status: the caller judges)."""
    ids = present_user_ids(meeting)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Mandate).join(Mandate.holder)
        .where(Mandate.municipality_id == municipality_id, Mandate.holder_id.in_(ids),
               User.deactivated_at.is_(None))
        .order_by(Mandate.ceiling_eur.desc(), Mandate.id)))


def check(meeting: Meeting, case: Case, care_type: str, amount: Decimal) -> MandateCheck:
    day = session_date(meeting)
    best = Finding.NO_HOLDER_PRESENT
    for mandate in present_mandates(meeting, case.municipality_id):
        if mandate.covers(day, care_type, amount):
            return MandateCheck(mandate, Finding.COVERED)
        status = mandate.status_on(day)
        if status is MandateStatus.REVOKED:
            finding = Finding.REVOKED
        elif status is not MandateStatus.VALID:
            finding = Finding.NOT_VALID_ON_DATE
        elif care_type not in (mandate.care_types or []):
            finding = Finding.CARE_TYPE
        else:
            finding = Finding.CEILING
        if _SPECIFICITY.index(finding) > _SPECIFICITY.index(best):
            best = finding
    return MandateCheck(None, best)


def holders_present(meeting: Meeting, case: Case) -> list[Mandate]:
    """For the page, per item: the present attendees' mandates of the case's municipality that are
    valid on the session date (care type and amount are judged per decision)."""
    day = session_date(meeting)
    return [m for m in present_mandates(meeting, case.municipality_id) if m.status_on(day) is MandateStatus.VALID]
