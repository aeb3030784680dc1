"""What the consent section shows, loaded up front: the family, the consent records with who gave
and who recorded them, and the legal grounds with their recorder, so that the section issues the
same number of queries however many people and records the case has."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ret_app.extensions import db
from ret_app.models import Case, Consent, LegalGround


def load_consent_details(case: Case) -> Case:
    """Load the consent section's relations of an already loaded case (attributes already loaded
    are left as they are)."""
    db.session.execute(
        select(Case).where(Case.id == case.id).options(
            selectinload(Case.family_members),
            selectinload(Case.consents).options(joinedload(Consent.family_member), joinedload(Consent.recorded_by)),
            selectinload(Case.legal_grounds).joinedload(LegalGround.recorded_by),
        )
    ).unique().all()
    return case
