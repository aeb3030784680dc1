"""The demo's re-referrals (fictional youths; the demo holds no BSN, so both are found by name and birth
date): Lieke van Dijk (in monitoring) was helped by the RET once before; that case closed eight months
before she was referred again, and the chair confirmed the link. Daan Kuipers (waiting for the intake
decision) has an earlier case of another access team: a suggestion waiting for the chair."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from ret_app.extensions import db
from ret_app.models import Case, CaseEvent, CaseLink, CaseTransition, Consent, FamilyMember, LinkStatus, PriorHelp

def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _closed_case(later: Case, caseworker, chair, director, submitted: date, closed: date, question: str) -> Case:
    """An earlier case of the youth of `later`: taken on, helped and closed with an outcome."""
    from ret_app.referrals.services import next_reference

    case = Case(reference=next_reference(submitted.year), region_id=later.region_id,
                municipality_id=caseworker.organisation.municipality_id or later.municipality_id,
                submitting_organisation_id=caseworker.organisation_id, caseworker_id=caseworker.id,
                process_director_id=director.id, status="closed", track="process_direction", urgency="regular",
                youth_first_name=later.youth_first_name, youth_last_name=later.youth_last_name,
                youth_birth_date=later.youth_birth_date, youth_bsn=later.youth_bsn, youth_gender=later.youth_gender,
                question=question, why_stuck="Geen passend aanbod binnen de wachttijd.",
                submitted_at=_at(submitted), intake_at=_at(submitted + timedelta(days=2)),
                fitting_help_started_on=submitted + timedelta(days=40),
                outcome_recorded_at=_at(closed - timedelta(days=1)), closed_at=_at(closed, 15))
    steps = [(None, "concept", submitted - timedelta(days=3), caseworker), ("concept", "submitted", submitted, caseworker),
             ("submitted", "intake", submitted + timedelta(days=2), chair),
             ("intake", "screening", submitted + timedelta(days=5), chair),
             ("screening", "process_direction", submitted + timedelta(days=20), director),
             ("process_direction", "monitoring", submitted + timedelta(days=40), director),
             ("monitoring", "closed", closed, chair)]
    for source, target, day, actor in steps:
        case.transitions.append(CaseTransition(from_status=source, to_status=target, actor_id=actor.id, at=_at(day),
                                               reason="Passende hulp loopt; het gezin redt het zelf"
                                               if target == "closed" else None))
    case.prior_help.append(PriorHelp(provider="Wijkteam (demo)", help_type="Ambulante begeleiding thuis",
                                     from_date=submitted - timedelta(days=200), to_date=submitted - timedelta(days=20),
                                     end_reason="Onvoldoende resultaat; meer nodig dan het wijkteam kan bieden."))
    # The same parents, who consented to the RET then (the flags follow from the records, as everywhere).
    from ret_app.cases import consent as consent_rules

    for member in later.family_members:
        if member.parental_authority:
            case.family_members.append(FamilyMember(relation=member.relation, name=member.name,
                                                    age=(member.age or 40) - 1, parental_authority=True))
    db.session.add(case)
    db.session.flush()
    given = submitted - timedelta(days=7)
    case.consents.append(Consent(scope="ret", given_by_role="youth", given_on=given, form="written",
                                 recorded_by_id=caseworker.id))
    for member in case.family_members:
        case.consents.append(Consent(scope="ret", family_member_id=member.id, given_by_role="parent", given_on=given,
                                     form="written", recorded_by_id=caseworker.id))
    consent_rules.refresh_flags(case)
    return case


CHAIR = "voorzitter@mijov.example"  # the chair of Midden-IJssel/Oost-Veluwe (ret_app/demo.py)


def seed(users: dict, cases: dict, today: date) -> None:
    """Called by ret_app/demo.py with its users (by e-mail) and cases (by key), once they are all made."""
    lieke, daan = cases["monitoring"], cases["waiting"]
    chair, director = users[CHAIR], lieke.process_director

    submitted = lieke.submitted_at.date()
    earlier_lieke = _closed_case(lieke, lieke.caseworker, chair, director, submitted - timedelta(days=420),
                                 submitted - timedelta(days=240),
                                 "Lieke eet slecht en trekt zich terug; ouders vragen om hulp die past bij haar "
                                 "angst.")
    earlier_daan = _closed_case(daan, users["toegang.apeldoorn@mijov.example"], chair, director,
                                today - timedelta(days=700), today - timedelta(days=430),
                                "Daan komt zijn kamer niet meer uit en gaat niet naar school.")
    db.session.flush()
    decided = _at(submitted + timedelta(days=2), 11)
    confirmed = CaseLink(case_id=lieke.id, earlier_case_id=earlier_lieke.id, basis="name",
                         status=LinkStatus.CONFIRMED.value, suggested_at=_at(submitted + timedelta(days=2), 10),
                         decided_by_id=chair.id, decided_at=decided)
    waiting = CaseLink(case_id=daan.id, earlier_case_id=earlier_daan.id, basis="name",
                       status=LinkStatus.SUGGESTED.value, suggested_at=daan.submitted_at)
    db.session.add_all([confirmed, waiting])
    db.session.add_all([
        CaseEvent(case_id=lieke.id, at=confirmed.suggested_at, kind="rereferral_suggested",
                  summary=earlier_lieke.reference),
        CaseEvent(case_id=lieke.id, at=decided, actor_id=chair.id, kind="rereferral_confirmed",
                  summary=earlier_lieke.reference),
        CaseEvent(case_id=earlier_lieke.id, at=decided, actor_id=chair.id, kind="rereferred_later",
                  summary=lieke.reference),
        CaseEvent(case_id=daan.id, at=daan.submitted_at, kind="rereferral_suggested", summary=earlier_daan.reference),
    ])
    db.session.flush()
