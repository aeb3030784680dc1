"""The demo's gap signals (fictional youths): two earlier cases of Midden-IJssel/Oost-Veluwe, closed in the
last months, whose outcomes — like Lieke's (ret_app/demo.py: seed_outcomes) — name "no suitable place in
the region" for youth mental health, one after a request declined for lack of capacity. Three cases within
six months: the rule raises a signal for the category and one for the category with that care type. The
chair has taken the first up (purchasing); the second is new. The generated history of closed cases (a
later part of the demo) makes many more."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import (
    Case,
    CaseOutcome,
    CaseTransition,
    GapCategory,
    GapSignal,
    OutcomeGap,
    OutcomeHelp,
    PriorHelp,
    ProviderRequest,
)

CHAIR = "voorzitter@mijov.example"
DIRECTOR = "retlid@mijov.example"
KJP = "Kinder- en Jeugdpsychiatrie Rivierland (demo)"

YOUTHS = (
    # first, last, caseworker, days since the outcome was recorded, result, note, declined by KJP
    ("Noor", "Verhoef", "toegang.apeldoorn@mijov.example", 75, "partly_realised",
     "Geen plek voor specialistische jeugd-GGZ in de regio; ambulante hulp als tussenoplossing.", True),
    ("Milan", "de Graaf", "toegang.zutphen@mijov.example", 30, "not_realised",
     "De wachttijd voor jeugd-GGZ was langer dan het gezin kon overbruggen.", False),
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def seed(users: dict, organisations: dict, today: date) -> int:
    """Called by ret_app/demo.py once the outcomes are recorded. Returns how many signals were raised."""
    from ret_app.referrals.services import next_reference
    from ret_app.signals import rule, services

    chair, director = users[CHAIR], users[DIRECTOR]
    kjp = organisations[KJP]
    for first, last, caseworker_email, days, result, note, declined in YOUTHS:
        caseworker = users[caseworker_email]
        recorded = today - timedelta(days=days)
        submitted = recorded - timedelta(days=150)
        case = Case(reference=next_reference(submitted.year), region_id=kjp.region_id,
                    municipality_id=caseworker.organisation.municipality_id, submitting_organisation_id=caseworker.organisation_id,
                    caseworker_id=caseworker.id, process_director_id=director.id, status="closed",
                    track="process_direction", urgency="regular", youth_first_name=first, youth_last_name=last,
                    youth_birth_date=date(today.year - 15, 3, 12), question="Welke hulp past bij de angst en somberheid?",
                    why_stuck="Geen passende jeugd-GGZ binnen een redelijke wachttijd.", submitted_at=_at(submitted),
                    intake_at=_at(submitted + timedelta(days=2)), outcome_recorded_at=_at(recorded),
                    closed_at=_at(recorded + timedelta(days=1), 15))
        for source, target, day, actor in ((None, "submitted", submitted, caseworker),
                                           ("submitted", "intake", submitted + timedelta(days=2), chair),
                                           ("intake", "process_direction", submitted + timedelta(days=9), chair),
                                           ("process_direction", "closed", recorded + timedelta(days=1), chair)):
            case.transitions.append(CaseTransition(from_status=source, to_status=target, actor_id=actor.id,
                                                   at=_at(day), reason="Uitkomst vastgelegd" if target == "closed" else None))
        case.prior_help.append(PriorHelp(provider="Wijkteam (demo)", help_type="Ambulante begeleiding thuis",
                                         from_date=submitted - timedelta(days=240), to_date=submitted - timedelta(days=20),
                                         end_reason="Meer nodig dan het wijkteam kan bieden."))
        db.session.add(case)
        db.session.flush()
        category = db.session.scalar(select(GapCategory.id).where(GapCategory.region_id == case.region_id,
                                                                   GapCategory.code == "no_place_best_fit"))
        outcome = CaseOutcome(case_id=case.id, result=result, recorded_by_id=director.id, recorded_at=_at(recorded),
                              lessons="Eerder het netwerk om overbrugging vragen.")
        outcome.helps.append(OutcomeHelp(case_id=case.id, care_type="ambulatory", provider_name="Wijkteam (demo)",
                                         inside_region=True))
        outcome.gaps.append(OutcomeGap(case_id=case.id, gap_category_id=category, care_type="youth_mental_health",
                                       note=note))
        db.session.add(outcome)
        if declined:
            db.session.add(ProviderRequest(
                case_id=case.id, organisation_id=kjp.id, role="lead_provider", care_type="youth_mental_health",
                question="Kunt u specialistische behandeling bieden?", reply_by=submitted + timedelta(days=20),
                status="declined", requested_at=_at(submitted + timedelta(days=15)), requested_by_id=director.id,
                submission_key=secrets.token_hex(16), answered_at=_at(submitted + timedelta(days=18)),
                answered_by_id=director.id, answer_key=secrets.token_hex(16), decline_reason="no_capacity",
                decline_text="Wachtlijst van vier maanden."))
    db.session.flush()
    result = rule.evaluate_region(kjp.region_id, today)
    signals = list(db.session.scalars(select(GapSignal).where(GapSignal.id.in_(result.raised), GapSignal.care_type.is_(None))))
    for signal in signals:
        services.respond(signal, chair, {"owner": "purchasing", "step": "take_up",
                                          "text": "Ingebracht bij het regionale inkoopoverleg: verkennen of er extra "
                                                  "plekken specialistische jeugd-GGZ kunnen worden ingekocht."})
    return len(result.raised)
