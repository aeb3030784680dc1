"""Suggestions: which providers of the collective to ask, ranked, each with its reasons in plain words.
The process director chooses; nothing is assigned automatically. The page shows this rule (RULE).

Points per provider of the region's collective:
* it offers the care type asked: +3;
* each of its expertise areas that fits a life domain the screening scored 3 (serious) or higher
  (the table LIFE_DOMAIN_EXPERTISE below): +2;
* fresh capacity for the care type (updated within the region's number of days) with places available
  now: +2 (fresh but no place now, or not current: 0, and said so);
* the case is a crisis and its crisis service can be called: +2;
* the youth's age within its age range: +1; outside it: -3.
Equal points: by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ret_app import policy
from ret_app.cases import consent
from ret_app.collective import capacity, care_types
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.labels import DOMAIN_LABELS, EXPERTISE_LABELS, SEVERITY_LABELS
from ret_app.models import Case, Organisation, ProviderProfile, Screening, ScreeningContribution

SERIOUS = 3  # a life domain scored this or higher asks for matching expertise

# Which expertise areas of a provider (ExpertiseArea) fit a life domain of the screening (LifeDomain).
# A domain without an entry (finances, social network) asks for no particular provider expertise.
LIFE_DOMAIN_EXPERTISE: dict[str, tuple[str, ...]] = {
    "safety": ("trauma", "intensive_home_treatment", "closed_care"),
    "mental_health": ("youth_mental_health", "trauma", "eating_disorders"),
    "physical_health": ("eating_disorders",),
    "development": ("intellectual_disability", "autism"),
    "education": ("three_milieu", "autism"),
    "parenting": ("parenting_support", "intensive_home_treatment"),
    "parents_own_problems": ("parenting_support", "addiction"),
    "housing": ("three_milieu",),
    "justice": ("closed_care", "three_milieu"),
    "substance_use": ("addiction",),
}

POINTS = {"care_type": 3, "expertise": 2, "capacity": 2, "crisis": 2, "age_in": 1, "age_out": -3}

RULE = _l("Points: offers the care type asked +3; each expertise area that fits a life domain the screening "
          "scored 3 (serious) or higher +2; places available now in capacity that is current +2; in a crisis, a "
          "crisis service that can be called +2; the youth's age within the provider's range +1, outside it "
          "−3. Equal points: alphabetical. You choose whom to ask: nothing is assigned automatically.")


@dataclass
class Suggestion:
    organisation: Organisation
    profile: Optional[ProviderProfile]
    points: int = 0
    reasons: list = field(default_factory=list)  # (points, words)


def serious_domains(case: Case) -> dict[str, int]:
    """The screening's life domains scored SERIOUS or higher, with the highest score (one query)."""
    rows = db.session.execute(
        select(ScreeningContribution.domain, func.max(ScreeningContribution.severity))
        .join(Screening, Screening.id == ScreeningContribution.screening_id)
        .where(Screening.case_id == case.id).group_by(ScreeningContribution.domain))
    return {domain: severity for domain, severity in rows if severity is not None and severity >= SERIOUS}


def rank(case: Case, care_type: str, today: Optional[date] = None) -> list[Suggestion]:
    """The region's collective providers, best first, each with the reasons for its points. A constant
    number of queries, whatever the number of providers."""
    today = today or dates.today()
    names = care_types.names(case.region_id)
    care_name = names.get(care_type, care_type)
    organisations = list(db.session.scalars(
        select(Organisation).where(policy.collective_providers_clause(), Organisation.region_id == case.region_id)
        .order_by(Organisation.name)))
    by_id = {o.id: o for o in organisations}
    profile_rows = {p.organisation_id: p for p in db.session.scalars(
        select(ProviderProfile).where(ProviderProfile.organisation_id.in_(list(by_id) or [0]))
        .options(selectinload(ProviderProfile.expertise), selectinload(ProviderProfile.care_types)))}
    fresh = {e.organisation_id: e for e in capacity.fresh_for(case.region_id, care_type, today)} if care_type else {}
    domains = serious_domains(case)
    age = consent.age_on(case.youth_birth_date, today) if case.youth_birth_date else None
    crisis = case.urgency == "crisis"
    out = []
    for organisation in organisations:
        profile = profile_rows.get(organisation.id)
        s = Suggestion(organisation, profile)

        def add(key: str, words) -> None:
            s.points += POINTS[key] if key else 0
            s.reasons.append((POINTS[key] if key else 0, words))

        offered = set(profile.care_type_codes) if profile else set()
        if care_type and care_type in offered:
            add("care_type", _l("offers %(care_type)s", care_type=care_name))
        elif care_type:
            add("", _l("does not offer %(care_type)s", care_type=care_name))
        areas = set(profile.expertise_codes) if profile else set()
        for domain, severity in sorted(domains.items(), key=lambda item: (-item[1], item[0])):
            for area in LIFE_DOMAIN_EXPERTISE.get(domain, ()):
                if area in areas:
                    add("expertise", _l("expertise in %(area)s fits the life domain %(domain)s (%(severity)s)",
                                        area=EXPERTISE_LABELS[area], domain=DOMAIN_LABELS[domain],
                                        severity=SEVERITY_LABELS[severity]))
        entry = fresh.get(organisation.id)
        if care_type:
            if entry is not None and entry.places_available > 0:
                add("capacity", _l("%(num)d place(s) available now (capacity is current)",
                                   num=entry.places_available))
            elif entry is not None:
                add("", _l("no place available now; waiting time %(weeks)d weeks (capacity is current)",
                           weeks=entry.waiting_weeks))
            else:
                add("", _l("capacity for this care type is not current"))
        if crisis:
            if profile is not None and profile.crisis_available:
                add("crisis", _l("crisis service can be called (%(phone)s)", phone=profile.crisis_phone))
            else:
                add("", _l("no crisis service"))
        if age is not None and profile is not None and (profile.min_age is not None or profile.max_age is not None):
            low = profile.min_age if profile.min_age is not None else 0
            high = profile.max_age if profile.max_age is not None else 23
            if low <= age <= high:
                add("age_in", _l("age %(age)d within its range (%(low)d–%(high)d)", age=age, low=low, high=high))
            else:
                add("age_out", _l("age %(age)d outside its range (%(low)d–%(high)d)", age=age, low=low, high=high))
        out.append(s)
    out.sort(key=lambda s: (-s.points, s.organisation.name.casefold()))
    return out
