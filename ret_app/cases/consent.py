"""Consent rules (Jeugdwet 7.3.4/7.3.5) per person and per scope.

Who must consent depends on the youth's age: 16 and over the youth alone; 12 to 15 the youth and
every holder of parental authority; under 12 the holders of parental authority (parents or a
guardian). A recorded legal ground (e.g. safety) stands in for consent for its scope. Withdrawn
consent no longer counts, and what it covered stops being shown to those it covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from ret_app.models import Case, ConsentScope, FamilyMember
from ret_app.kernel import dates

ADULT_CONSENT_AGE = 16
JOINT_CONSENT_AGE = 12


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Requirement:
    """Who must consent: the youth and/or these authority holders."""

    youth: bool
    authority_holders: tuple[FamilyMember, ...]
    # True when the rules need a parent/guardian but none is registered as holding authority.
    authority_missing: bool = False


def requirement(case: Case, today: date) -> Requirement:
    holders = tuple(m for m in case.family_members if m.parental_authority)
    if case.youth_birth_date is None:
        # Without a birth date the rule cannot be applied; ask for everyone.
        return Requirement(True, holders, authority_missing=not holders)
    age = age_on(case.youth_birth_date, today)
    if age >= ADULT_CONSENT_AGE:
        return Requirement(True, ())
    if age >= JOINT_CONSENT_AGE:
        return Requirement(True, holders, authority_missing=not holders)
    return Requirement(False, holders, authority_missing=not holders)


def _active(consent, scope: str, today: date) -> bool:
    return (consent.scope == scope and consent.given_on <= today
            and (consent.withdrawn_on is None or consent.withdrawn_on > today))


def has_legal_ground(case: Case, scope: str) -> bool:
    return any(g.scope == scope and g.ended_at is None for g in case.legal_grounds)


@dataclass(frozen=True)
class ScopeStatus:
    scope: str
    stands: bool
    by_legal_ground: bool
    youth_missing: bool
    missing_holders: tuple[FamilyMember, ...]
    authority_missing: bool


def scope_status(case: Case, scope: ConsentScope | str, today: Optional[date] = None) -> ScopeStatus:
    today = today or dates.today()
    scope = str(scope)
    req = requirement(case, today)
    consents = [c for c in case.consents if _active(c, scope, today)]
    youth_given = any(c.family_member_id is None for c in consents)
    given_members = {c.family_member_id for c in consents if c.family_member_id is not None}
    youth_missing = req.youth and not youth_given
    missing = tuple(m for m in req.authority_holders if m.id not in given_members)
    complete = not youth_missing and not missing and not req.authority_missing
    ground = has_legal_ground(case, scope)
    return ScopeStatus(scope, complete or ground, ground and not complete, youth_missing, missing,
                       req.authority_missing)


def refresh_flags(case: Case, today: Optional[date] = None) -> None:
    """Recompute the per-scope flags on the case that list queries filter on."""
    case.consent_ret = scope_status(case, ConsentScope.RET, today).stands
    case.consent_collective = scope_status(case, ConsentScope.COLLECTIVE, today).stands
    case.consent_network = scope_status(case, ConsentScope.NETWORK, today).stands
