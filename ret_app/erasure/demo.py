"""The demo's retention and erasure (README): in Midden-IJssel/Oost-Veluwe an erasure request due in ten
days on a case closed last year and a legal hold on another closed case; in Drenthe a short demo retention
(2 years instead of 20) so that the nightly job's destruction list is not empty: drafted, awaiting the
approval of Drenthe's privacy officer."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from ret_app.erasure import services
from ret_app.extensions import db
from ret_app.models import Case, CaseStatus, Region, RegionNorms, User

DEMO_RETENTION_YEARS = 2  # Drenthe's demo retention (README); the default is 20


def _closed_cases(region_id: int, limit: int) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.region_id == region_id,
                                                      Case.status == CaseStatus.CLOSED.value)
                                   .order_by(Case.closed_at.desc(), Case.id).limit(limit)))


def seed(today: date) -> int:
    mijov = db.session.scalar(select(Region).where(Region.name == "Zorgregio Midden-IJssel/Oost-Veluwe"))
    drenthe = db.session.scalar(select(Region).where(Region.name == "Jeugdregio Drenthe"))
    chair = db.session.scalar(select(User).where(User.email == "voorzitter@mijov.example"))
    officer = db.session.scalar(select(User).where(User.email == "privacy@mijov.example")) or chair
    for region_id in (mijov.id, drenthe.id):
        services.refresh_region(region_id)
    # Midden-IJssel/Oost-Veluwe: a request received 80 days ago (due in about ten days) and a hold.
    closed = _closed_cases(mijov.id, 40)
    request_case, hold_case = closed[30], closed[35]
    services.record_request(request_case, chair, requester_kind="parent", requester_name="Moeder van de jeugdige",
                            received_on=today - relativedelta(months=3) + timedelta(days=10))
    services.place_hold(hold_case, officer, "Klacht bij de klachtencommissie in behandeling; dossier bewaren tot "
                                            "de uitspraak.")
    # Drenthe: the short demo retention and the list the nightly job drafts.
    norms = db.session.get(RegionNorms, drenthe.id)
    if norms is None:
        norms = RegionNorms(region_id=drenthe.id)
        db.session.add(norms)
    norms.retention_years = DEMO_RETENTION_YEARS
    db.session.flush()
    _draft, cases = services.draft_list(drenthe.id, today=today)
    return len(cases)


