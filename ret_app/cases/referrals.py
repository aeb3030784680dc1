"""Referral (aanmelding) rules: what a complete referral needs, case references, the BSN check."""

from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from ret_app import audit
from ret_app.cases import consent
from ret_app.extensions import db
from ret_app.models import Case, CaseEvent, CaseReferenceCounter, CaseStatus, CaseTransition, Organisation, User
from ret_app.models.base import utcnow

MAX_AGE_AT_REFERRAL = 23


def bsn_is_valid(bsn: str) -> bool:
    """The 11-proef: nine digits, 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11 (and not 0)."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    digits = [int(ch) for ch in bsn]
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits[:8])) - digits[8]
    return total % 11 == 0 and total != 0


def age_problem(birth_date: Optional[date], today: Optional[date] = None) -> Optional[object]:
    if birth_date is None:
        return None
    today = today or date.today()
    if birth_date > today:
        return _l("The date of birth lies in the future.")
    if consent.age_on(birth_date, today) > MAX_AGE_AT_REFERRAL:
        return _l("The RET handles youths up to and including 23 years old.")
    return None


def missing_referral_fields(case: Case) -> list:
    """What a referral still needs before it can be submitted (a concept may lack all of it)."""
    missing = []
    if not case.youth_first_name.strip() or not case.youth_last_name.strip():
        missing.append(_l("the youth's name"))
    if case.youth_birth_date is None:
        missing.append(_l("date of birth"))
    elif age_problem(case.youth_birth_date):
        missing.append(_l("a date of birth that fits the age limit"))
    if not case.question.strip():
        missing.append(_l("the question"))
    if not case.why_stuck.strip():
        missing.append(_l("why the help is stuck"))
    return missing


def next_reference(year: int) -> str:
    """RET-<year>-<number>, numbered per year without gaps or duplicates across workers."""
    updated = db.session.execute(
        update(CaseReferenceCounter).where(CaseReferenceCounter.year == year)
        .values(last_number=CaseReferenceCounter.last_number + 1)
    ).rowcount
    if not updated:
        db.session.execute(insert(CaseReferenceCounter).values(year=year, last_number=1))
    number = db.session.scalar(select(CaseReferenceCounter.last_number).where(CaseReferenceCounter.year == year))
    return f"RET-{year}-{number:04d}"


def new_concept(caseworker: User, municipality_id: int) -> Case:
    """An empty referral (concept) of the caseworker's organisation for a youth of this municipality."""
    from ret_app.models import Municipality

    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None:
        raise ValueError("unknown municipality")
    org: Organisation = caseworker.organisation
    now = utcnow()
    case = Case(
        reference=next_reference(now.year),
        region_id=municipality.region_id,
        municipality_id=municipality.id,
        submitting_organisation_id=org.id,
        caseworker_id=caseworker.id,
        status=CaseStatus.CONCEPT.value,
    )
    db.session.add(case)
    case.transitions.append(CaseTransition(from_status=None, to_status=CaseStatus.CONCEPT.value,
                                           actor_id=caseworker.id, at=now))
    case.events.append(CaseEvent(at=now, actor_id=caseworker.id, kind="referral_created"))
    db.session.flush()
    audit.record(audit.Action.CREATE, object_type="case", object_id=case.id, case_id=case.id,
                 detail="referral_concept")
    return case
