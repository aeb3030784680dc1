"""Demo learning vignettes: in every region with closed cases, the chair's vignettes of the three most
recently closed ones, two approved and one left as a draft to review. Nothing when the demo has no closed
cases (the generator and deduce are not even loaded then)."""

from __future__ import annotations

from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import Case, CaseStatus, Organisation, Region, Role, User


def seed() -> int:
    made = 0
    for region in db.session.scalars(select(Region).order_by(Region.id)):
        cases = db.session.scalars(select(Case).where(Case.region_id == region.id,
                                                      Case.status == CaseStatus.CLOSED.value)
                                   .order_by(Case.closed_at.desc(), Case.id.desc()).limit(3)).all()
        if not cases:
            continue
        chair = db.session.scalar(select(User).join(Organisation, User.organisation_id == Organisation.id).where(
            User.role == Role.CHAIR.value, Organisation.region_id == region.id, User.deactivated_at.is_(None))
            .order_by(User.id))
        if chair is None:
            continue
        from ret_app.vignettes import services

        for number, case in enumerate(cases):
            if services.current_vignette(case) is not None:
                continue
            vignette, _replaced = services.generate(case, chair)
            if number < 2:
                services.approve(vignette, chair, None)
            made += 1
    return made
