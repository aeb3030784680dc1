"""The demo's inspection and correction requests (fictional): Finn Willems (16, in process direction) asked
to inspect his file; the chair checked his right (a youth of 12 or over) and handed the copy over, the part
on the family system withheld because it concerns his mother's own situation. Finn also asked to correct
the screening (it says he has no daytime activity; he goes to a care farm two days a week): granted, as an
addendum to the finalised screening. Sara's mother (parental authority, Sara is 14) asked two days ago to
inspect Sara's file: received, her right not yet checked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from ret_app.extensions import db
from ret_app.models import CaseAddendum, CaseEvent, CorrectionRequest, InspectionRequest, WithheldPart

CHAIR = "voorzitter@mijov.example"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def seed(users: dict, cases: dict, today: date) -> None:
    finn, chair = cases["direction"], users[CHAIR]
    received = today - timedelta(days=12)
    handed = today - timedelta(days=5)
    inspection = InspectionRequest(
        case_id=finn.id, requester_kind="youth", requester_name=f"{finn.youth_first_name} {finn.youth_last_name}",
        received_on=received, status="handed_over", rule="youth_12_plus", recorded_by_id=chair.id,
        recorded_at=_at(received), checked_at=_at(received, 11), handed_over_on=handed, handed_over_by_id=chair.id)
    inspection.withheld.append(WithheldPart(section="family", reason="betreft de eigen situatie van de moeder"))
    asked_on = today - timedelta(days=4)
    correction = CorrectionRequest(
        case_id=finn.id, requester_kind="youth", requester_name=f"{finn.youth_first_name} {finn.youth_last_name}",
        received_on=asked_on, section="screening",
        asked="In de screening staat dat ik geen dagbesteding heb, maar ik ga twee dagen per week naar de "
              "zorgboerderij.",
        decision="granted", recorded_by_id=chair.id, recorded_at=_at(asked_on), decided_by_id=chair.id,
        decided_at=_at(today - timedelta(days=2)))
    sara = cases["screening"]
    mother = next(member for member in sara.family_members if member.parental_authority)
    asked = today - timedelta(days=2)
    waiting = InspectionRequest(
        case_id=sara.id, requester_kind="parent", family_member_id=mother.id, requester_name=mother.name,
        received_on=asked, status="received", recorded_by_id=chair.id, recorded_at=_at(asked, 14))
    db.session.add_all([inspection, correction, waiting])
    db.session.flush()
    db.session.add(CaseAddendum(
        case_id=finn.id, section="screening", made_by_id=chair.id, made_at=correction.decided_at,
        correction_request_id=correction.id,
        text="Aanvulling op verzoek van de jeugdige: Finn gaat sinds de zomer twee dagen per week naar een "
             "zorgboerderij. De screening noemde geen dagbesteding."))
    db.session.add_all([
        CaseEvent(case_id=finn.id, at=_at(received), actor_id=chair.id, kind="inspection_recorded"),
        CaseEvent(case_id=finn.id, at=_at(received, 11), actor_id=chair.id, kind="inspection_checked"),
        CaseEvent(case_id=finn.id, at=_at(handed), actor_id=chair.id, kind="inspection_handed_over"),
        CaseEvent(case_id=finn.id, at=_at(asked_on), actor_id=chair.id, kind="correction_recorded"),
        CaseEvent(case_id=finn.id, at=correction.decided_at, actor_id=chair.id, kind="correction_decided"),
        CaseEvent(case_id=finn.id, at=correction.decided_at, actor_id=chair.id, kind="case_addendum"),
        CaseEvent(case_id=sara.id, at=_at(asked, 14), actor_id=chair.id, kind="inspection_recorded"),
    ])
