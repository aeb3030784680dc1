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

from ret_app.models import Case, Consent, ConsentScope, FamilyMember
from ret_app.kernel import dates

ADULT_CONSENT_AGE = 16
JOINT_CONSENT_AGE = 12
YOUTH = "youth"  # the youth's key among the people who consent (family members go by their id)


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


def consenting_members(case: Case, scope: ConsentScope | str, today: Optional[date] = None) -> list[FamilyMember]:
    """The family members whose own consent for `scope` stands today (given, not withdrawn), in the
    case's order: whose data may be shared within that scope. A member who withdrew it or never gave
    it is not among them, whether or not their consent counts under the age rules."""
    today = today or dates.today()
    scope = str(scope)
    given = {c.family_member_id for c in case.consents
             if c.family_member_id is not None and _active(c, scope, today)}
    return [m for m in case.family_members if m.id in given]


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


# --- the consent grid: who counts x the scopes ------------------------------------------------

@dataclass(frozen=True)
class GridRow:
    """One person whose consent counts under the age rules today, with what is on record per scope."""

    key: str  # YOUTH or the family member's id
    member: Optional[FamilyMember]  # None: the youth
    standing: dict[str, Consent]  # scope -> the consent on record that has not been withdrawn

    def cell(self, scope: ConsentScope | str) -> str:
        return cell_key(self.key, scope)


def cell_key(person: str, scope: ConsentScope | str) -> str:
    """How a cell of the grid is named in a form: '<person>:<scope>' (no name, only a key and a code)."""
    return f"{person}:{scope}"


def grid_rows(case: Case, today: Optional[date] = None) -> list[GridRow]:
    """The people whose consent counts today (the youth and/or the holders of parental authority,
    by the youth's age), each with the consent per scope that is on record and not withdrawn.
    Someone outside the rules (a parent of a youth of 16, a child under 12) has no row: their
    consent would not count."""
    req = requirement(case, today or dates.today())
    people: list[tuple[str, Optional[FamilyMember]]] = []
    if req.youth:
        people.append((YOUTH, None))
    people.extend((str(m.id), m) for m in req.authority_holders)
    rows = []
    for key, member in people:
        member_id = member.id if member is not None else None
        standing = {c.scope: c for c in case.consents
                    if c.family_member_id == member_id and c.withdrawn_on is None}
        rows.append(GridRow(key, member, standing))
    return rows
