"""The escalation dossier for the supra-regional network (ret_app/escalations/dossier.py), as a PDF and as a
JSON document:

* the JSON validates against docs/schemas/escalation-dossier-v1.json for escalations in every state (and
  the schema refuses what it must: a field it does not know, a BSN, a wrong code);
* both hold what the network needs (the youth as the consent covers it, the consenting family members,
  the items named as tried, the question, urgency, expected date, the exchange, the region and the RET as
  contact) and nothing outside it: no BSN, no family member without their own network consent (also one
  who withdrew it), no item of the case that was not named as tried, no screening notes or the youth's own
  words, no names of professionals of the RET or the network;
* without standing network consent there is no dossier (the RET is told why; the liaison gets 404); a
  legal ground for the network stands in for it;
* who may download (the RET of the region; the liaison of the escalation's network while it may see the
  escalation) and the 404 for everyone else; every download audited (and every refusal);
* the PDF follows the conventions of every PDF export (reference, "Vertrouwelijk", "Pagina X van Y" on
  every page; marked as draft before it is sent);
* a constant number of queries, whatever the number of items and messages.
"""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ret_app.escalations import dossier, services
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    AuditEvent,
    Case,
    Consent,
    Decision,
    Escalation,
    EscalationDateChange,
    EscalationMessage,
    EscalationReminder,
    EscalationTried,
    FamilyMember,
    LegalGround,
    MeetingItem,
    Plan,
    PlanGoal,
    PriorHelp,
    Screening,
    ScreeningContribution,
    User,
)
from ret_app.referrals import services as referrals
from tests.conftest import login
from tests.test_escalations import network_case

TODAY = dates.today()
SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs/schemas/escalation-dossier-v1.json")
                    .read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

# What the network must never get from these cases.
BSN = "111222333"
OUTSIDE = {
    "bsn": BSN,
    "father without network consent": "Vader Verborgen",
    "sister without consent": "Zus Zonder",
    "help not named as tried": "Niet Gekozen Hulp",
    "the referral's question": "Hulpvraag uit de aanmelding",
    "the youth's own words in the screening": "Eigen woorden van Noor",
    "a screening contribution's notes": "Notitie van de gedragswetenschapper",
    "the daytime activity": "Kappersopleiding",
    "the chair's name": "Voorzitter Vos",
    "the liaison's name": "Liaison Lotte",
    "the process director's name": "Regisseur Rood",
}
MOTHER = "Moeder Test"  # network_case: the mother holds authority and consented to the network


@pytest.fixture
def w(make_world, factory, app):
    w = make_world(network=True, names={"chair": "Voorzitter Vos", "network_liaison": "Liaison Lotte",
                                        "director": "Regisseur Rood", "ret": "RET Dossierregio"})
    other = factory.network("BEN")
    w.other_liaison = factory.user("network_liaison", factory.organisation("network", network_id=other.id).id)
    return w


def rich_case(app, factory, w, *, age: int = 17) -> int:
    """A case with everything the dossier could take, and things it must leave out: a youth of `age` with a
    BSN, the mother (network consent), a father holding authority with consent for the RET only, a sister
    without any consent; a screening (finalised, with the youth's own words and a contribution's notes), a
    plan goal, a session decision, help tried before twice (one of them not named as tried) and a declined
    request."""
    case_id = network_case(factory, w, age=age)
    meeting_id = factory.meeting(w.chair, status="in_progress", cases=(case_id,),
                                 starts_at=utcnow() - timedelta(days=3))
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.youth_first_name, case.youth_last_name, case.youth_bsn = "Noor", "Jansen-Dossier", BSN
        case.youth_daytime_activity, case.question = "Kappersopleiding", "Hulpvraag uit de aanmelding"
        father = FamilyMember(case_id=case_id, name="Vader Verborgen", relation="father", parental_authority=True)
        sister = FamilyMember(case_id=case_id, name="Zus Zonder", relation="sibling", age=9)
        db.session.add_all([father, sister])
        db.session.flush()
        db.session.add(Consent(case_id=case_id, scope="ret", family_member_id=father.id, given_by_role="parent",
                               given_on=TODAY, form="written", recorded_by_id=w.caseworker.id))
        db.session.add(PriorHelp(case_id=case_id, provider="Niet Gekozen Hulp", help_type="Gezinscoaching"))
        screening = Screening(case_id=case_id, youth_view="Eigen woorden van Noor", family_view="Het gezin",
                              analysis="Analyse: LVB en trauma samen.", advice="Advies: een plek met beide.",
                              finalised_at=utcnow(), finalised_by_id=w.chair.id)
        screening.contributions.append(ScreeningContribution(author_id=w.director.id, organisation_id=w.ret.id,
                                                             domain="safety", severity=3,
                                                             notes="Notitie van de gedragswetenschapper"))
        plan = Plan(case_id=case_id)
        plan.goals.append(PlanGoal(text="Weer naar school", status="open", care_type="ambulatory"))
        db.session.add_all([screening, plan])
        item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
        db.session.add(Decision(item_id=item.id, case_id=case_id, municipality_id=case.municipality_id,
                                kind="general", text="Besluit: escaleren naar het netwerk.", status="recorded",
                                submission_key=services.new_submission_key(), recorded_by_id=w.chair.id))
        db.session.commit()
    return case_id


def escalate(app, w, case_id: int, *, send: bool = True, leave_out: str = "Niet Gekozen Hulp") -> int:
    """The chair escalates the case naming every item of the case as tried but the one `leave_out` names."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        options = [o.key for o in services.tried_options(case) if leave_out not in o.label]
        data = {"submission_key": services.new_submission_key(), "why_exhausted": "Geen plek in de regio.",
                "tried": options, "question_kind": "placement", "question": "Kunt u een plek organiseren?",
                "urgency": "urgent", "expected_answer_date": services.default_expected_date(case.region.network)}
        escalation, _ = services.save(case, db.session.get(User, w.chair.id), data, send=send)
        db.session.commit()
        return escalation.id


def exchange(app, w, escalation_id: int) -> None:
    """The network accepts, names its process director, asks; the RET answers, reminds and sets a new date."""
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        liaison, chair = db.session.get(User, w.network_liaison.id), db.session.get(User, w.chair.id)
        services.accept(e, liaison)
        services.start(e, liaison)
        services.assign_director(e, liaison, "Netwerkregisseur Nel", "Netwerk Zorg Noord")
        question, _ = services.add_message(e, liaison, "question", "Is er een school in beeld?",
                                           services.new_submission_key())
        services.reply(e, chair, question.id, "Ja, het Praktijkcollege.", services.new_submission_key())
        services.remind(e, chair, "Graag voor de kerst.", services.new_submission_key())
        services.move_date(e, chair, TODAY + timedelta(days=40), "Het netwerk vroeg uitstel.", None)
        db.session.commit()


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def pdf_text(data: bytes) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(BytesIO(data)).pages]
    return pages, " ".join(" ".join(pages).split())


def download_json(client, escalation_id: int) -> dict:
    response = client.get(f"/escalaties/{escalation_id}/dossier.json")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="opschalingsdossier-')
    return json.loads(response.get_data(as_text=True))


def download_pdf(client, escalation_id: int) -> bytes:
    response = client.get(f"/escalaties/{escalation_id}/dossier.pdf")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf" and response.headers["Cache-Control"] == "no-store"
    return response.data


def assert_valid(document: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def assert_nothing_outside(text: str, *extra: str) -> None:
    for what, words in {**OUTSIDE, **{f"also: {x}": x for x in extra}}.items():
        assert words not in text, what


# --- the JSON document and its schema --------------------------------------------------------------

def test_the_schema_is_a_valid_schema_that_refuses_what_it_must(app, w, factory):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    escalation_id = escalate(app, w, rich_case(app, factory, w))
    with app.test_request_context():
        document = dossier.as_json(dossier.build(db.session.get(Escalation, escalation_id)))
    assert_valid(document)
    broken = [
        {**document, "youth": {**document["youth"], "bsn": BSN}},  # a field the schema does not know
        {**document, "schema_version": "2.0"},
        {**document, "legal_basis": "hope"},
        {**document, "escalation": {**document["escalation"], "urgency": {"code": "whenever", "label": "x"}}},
        {**document, "family_members": [{"name": "X", "relation": {"code": "father", "label": "Vader"}}]},
        {**document, "exchange": [{**document["exchange"][0], "at": "yesterday"}]},
        {k: v for k, v in document.items() if k != "tried"},
    ]
    for bad in broken:
        assert list(VALIDATOR.iter_errors(bad)), bad


@pytest.mark.parametrize("state", ["draft", "sent", "exchange", "declined", "closed", "withdrawn", "bare"])
def test_the_json_validates_against_its_schema_in_every_state(app, w, factory, state):
    if state == "bare":  # a draft naming nothing as tried, of a youth without birth date or names, by a legal ground
        case_id = network_case(factory, w, age=17)
        with app.app_context():
            case = db.session.get(Case, case_id)
            case.youth_birth_date, case.youth_first_name, case.youth_last_name = None, "", ""
            for record in [c for c in case.consents if c.scope == "network"]:
                db.session.delete(record)  # the legal ground alone
            db.session.add(LegalGround(case_id=case_id, scope="network", reason="Veiligheid",
                                       recorded_by_id=w.chair.id))
            db.session.commit()
        with app.app_context():
            e, _ = services.save(db.session.get(Case, case_id), db.session.get(User, w.chair.id),
                                 {"submission_key": services.new_submission_key(), "urgency": "regular"})
            db.session.commit()
            escalation_id = e.id
    else:
        escalation_id = escalate(app, w, rich_case(app, factory, w), send=state != "draft")
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        liaison, chair = db.session.get(User, w.network_liaison.id), db.session.get(User, w.chair.id)
        if state == "declined":
            services.decline(e, liaison, "Past niet bij ons netwerk.")
        elif state == "closed":
            services.accept(e, liaison)
            services.start(e, liaison)
            services.answer(e, liaison, "Ons advies: een plek bij Zorg Noord.", services.new_submission_key())
            services.close(e, liaison, "placement_found", "Plek gevonden.")
        elif state == "withdrawn":
            services.withdraw(e, chair, "Toch in de regio opgelost.", None)
        db.session.commit()
    if state == "exchange":
        exchange(app, w, escalation_id)
    document = download_json(client_for(app, w.chair), escalation_id)
    assert_valid(document)
    assert document["escalation"]["status"]["code"] == {"exchange": "in_progress", "bare": "draft"}.get(state, state)
    if state == "bare":
        assert document["legal_basis"] == "legal_ground" and document["youth"]["age"] is None
        assert document["tried"]["prior_help"] == [] and document["tried"]["screening"] is None
    if state == "exchange":
        kinds = [(x["type"], x["code"], x["side"]) for x in document["exchange"]]
        assert kinds == [("step", "send", "ret"), ("step", "accept", "network"), ("step", "start", "network"),
                         ("message", "question", "network"), ("message", "reply", "ret"),
                         ("reminder", "reminder", "ret"), ("new_date", "new_date", "ret")]
        assert document["exchange"][-1]["new_date"] == (TODAY + timedelta(days=40)).isoformat()
        assert document["escalation"]["network_director"] == {"name": "Netwerkregisseur Nel",
                                                              "organisation": "Netwerk Zorg Noord"}
    if state == "closed":
        assert document["escalation"]["result"]["code"] == "placement_found"
        assert document["escalation"]["result"]["text"] == "Plek gevonden."
    if state == "declined":
        assert document["escalation"]["decline_reason"] == "Past niet bij ons netwerk."
    assert_nothing_outside(json.dumps(document, ensure_ascii=False))


def test_the_json_holds_what_the_network_needs_and_nothing_outside_consent(app, w, factory):
    case_id = rich_case(app, factory, w)
    escalation_id = escalate(app, w, case_id)
    exchange(app, w, escalation_id)
    document = download_json(client_for(app, w.network_liaison), escalation_id)
    with app.app_context():
        case = db.session.get(Case, case_id)
        reference, birth, municipality = case.reference, case.youth_birth_date, case.municipality
        expected_municipality = {"name": municipality.name, "cbs_code": municipality.cbs_code}
    assert document["case_reference"] == reference and document["legal_basis"] == "consent"
    assert document["youth"] == {"first_name": "Noor", "last_name": "Jansen-Dossier", "birth_date": birth.isoformat(),
                                 "age": 17, "municipality": expected_municipality}
    assert document["family_members"] == [{"name": MOTHER, "relation": {"code": "mother", "label": "Moeder"},
                                           "parental_authority": True}]
    e = document["escalation"]
    assert (e["question_kind"]["code"], e["question"], e["urgency"]["code"], e["why_exhausted"]) == (
        "placement", "Kunt u een plek organiseren?", "urgent", "Geen plek in de regio.")
    assert e["expected_answer_date"] == (TODAY + timedelta(days=40)).isoformat()
    tried = document["tried"]
    assert [h["provider"] for h in tried["prior_help"]] == ["Jeugdhulp Oost"]  # only the one named as tried
    assert tried["screening"]["analysis"] == "Analyse: LVB en trauma samen."
    assert tried["screening"]["advice"] == "Advies: een plek met beide."
    safety = next(d for d in tried["screening"]["domains"] if d["code"] == "safety")
    assert safety["highest_severity"] == 3
    assert [g["text"] for g in tried["plan_goals"]] == ["Weer naar school"]
    [request] = tried["provider_requests"]
    assert (request["status"]["code"], request["decline_reason"]["code"], request["decline_text"]) == (
        "declined", "no_capacity", "Vol")
    assert [d["text"] for d in tried["decisions"]] == ["Besluit: escaleren naar het netwerk."]
    assert document["region"]["name"] and document["contact"] == {"organisation": "RET Dossierregio"}
    assert {x["organisation"] for x in document["exchange"] if x["side"] == "ret"} == {"RET Dossierregio"}
    texts = [x["text"] for x in document["exchange"]]
    assert "Is er een school in beeld?" in texts and "Ja, het Praktijkcollege." in texts
    assert_nothing_outside(json.dumps(document, ensure_ascii=False))


# --- the PDF ---------------------------------------------------------------------------------------

def test_the_pdf_holds_the_same_and_loses_a_family_member_who_withdraws_network_consent(app, w, factory):
    case_id = rich_case(app, factory, w)
    escalation_id = escalate(app, w, case_id)
    exchange(app, w, escalation_id)
    chair = client_for(app, w.chair)
    data = download_pdf(chair, escalation_id)
    pages, text = pdf_text(data)
    with app.app_context():
        case = db.session.get(Case, case_id)
        reference, municipality, birth = case.reference, case.municipality.name, case.youth_birth_date
    for number, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        assert reference in flat and "Vertrouwelijk" in flat, number
        assert f"Pagina {number} van {len(pages)}" in flat, number
    for words in ("Opschalingsdossier", "Noor Jansen-Dossier", municipality, "17 jaar", MOTHER,
                  "Kunt u een plek organiseren?", "Geen plek in de regio.", "Jeugdhulp Oost",
                  "Analyse: LVB en trauma samen.", "Advies: een plek met beide.", "Weer naar school",
                  "Geen capaciteit", "Vol", "Besluit: escaleren naar het netwerk.", "Is er een school in beeld?",
                  "Ja, het Praktijkcollege.", "Netwerkregisseur Nel", "RET Dossierregio",
                  birth.strftime("%Y")):
        assert words in text, words
    assert "Concept" not in text  # sent: not a draft
    assert_nothing_outside(text)

    # The mother withdraws her consent for the network: the youth (17) consents alone, so the dossier
    # stays, without her.
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        record = next(c for c in case.consents if c.scope == "network" and c.family_member_id is not None)
        referrals.withdraw_consent(case, db.session.get(User, w.caseworker.id), record, TODAY)
        db.session.commit()
    _, text = pdf_text(download_pdf(chair, escalation_id))
    assert "Noor Jansen-Dossier" in text
    assert_nothing_outside(text, MOTHER)
    document = download_json(client_for(app, w.network_liaison), escalation_id)
    assert_valid(document)
    assert document["family_members"] == []
    assert_nothing_outside(json.dumps(document, ensure_ascii=False), MOTHER)


def test_a_draft_dossier_is_marked_as_draft(app, w, factory):
    escalation_id = escalate(app, w, rich_case(app, factory, w), send=False)
    pages, text = pdf_text(download_pdf(client_for(app, w.director), escalation_id))
    assert all("Concept" in page for page in pages)
    assert "nog niet naar het netwerk verstuurd" in text


# --- without network consent: no dossier -----------------------------------------------------------

def test_without_standing_network_consent_there_is_no_dossier_and_a_legal_ground_stands_in(app, w, factory):
    case_id = rich_case(app, factory, w, age=14)  # 12-15: the youth and the mother (holding authority)
    with app.app_context():
        father = db.session.scalar(select(FamilyMember).where(FamilyMember.case_id == case_id,
                                                              FamilyMember.relation == "father"))
        father.parental_authority = False  # only the mother holds authority here
        db.session.commit()
    escalation_id = escalate(app, w, case_id)
    chair, liaison = client_for(app, w.chair), client_for(app, w.network_liaison)
    assert liaison.get(f"/escalaties/{escalation_id}/dossier.json").status_code == 200
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        record = next(c for c in case.consents if c.scope == "network" and c.family_member_id is not None)
        referrals.withdraw_consent(case, db.session.get(User, w.caseworker.id), record, TODAY)
        db.session.commit()
    for form in ("pdf", "json"):
        assert liaison.get(f"/escalaties/{escalation_id}/dossier.{form}").status_code == 404
        response = chair.get(f"/escalaties/{escalation_id}/dossier.{form}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/escalaties/{escalation_id}")
    page = chair.get(f"/escalaties/{escalation_id}").get_data(as_text=True)
    assert 'id="dossier-unavailable"' in page and 'id="dossier-pdf"' not in page
    assert "geen dossier voor het netwerk" in page.lower()
    with app.app_context():
        details = list(db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.case_id == case_id, AuditEvent.object_type == "escalation",
            AuditEvent.detail == "dossier unavailable")))
        assert len(details) == 2  # the chair's two attempts (the liaison's are denials)
        db.session.add(LegalGround(case_id=case_id, scope="network", reason="Veiligheid van de jeugdige",
                                   recorded_by_id=w.chair.id))
        db.session.flush()
        from ret_app.cases import consent

        consent.refresh_flags(db.session.get(Case, case_id))
        db.session.commit()
    document = download_json(liaison, escalation_id)
    assert document["legal_basis"] == "legal_ground" and document["family_members"] == []
    _, text = pdf_text(download_pdf(chair, escalation_id))
    assert "wettelijke grondslag" in text
    assert_nothing_outside(text, MOTHER)


# --- who may download, and the audit trail ---------------------------------------------------------

def test_the_ret_page_and_the_liaisons_page_link_to_both_forms(app, w, factory):
    escalation_id = escalate(app, w, rich_case(app, factory, w))
    for who, path in (("chair", f"/escalaties/{escalation_id}"),
                      ("network_liaison", f"/netwerk/opschalingen/{escalation_id}")):
        page = client_for(app, getattr(w, who)).get(path).get_data(as_text=True)
        assert f'href="/escalaties/{escalation_id}/dossier.pdf"' in page, who
        assert f'href="/escalaties/{escalation_id}/dossier.json"' in page, who


def test_who_may_download_and_every_download_is_audited(app, w, factory):
    escalation_id = escalate(app, w, rich_case(app, factory, w))
    for who in ("chair", "member", "director", "network_liaison"):
        user = getattr(w, who)
        client = client_for(app, user)
        for form in ("pdf", "json"):
            assert client.get(f"/escalaties/{escalation_id}/dossier.{form}").status_code == 200, (who, form)
        with app.app_context():
            events = [(e.action, e.outcome, e.object_id, e.detail) for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.user_id == user.id, AuditEvent.object_type == "escalation",
                                         AuditEvent.action == "export").order_by(AuditEvent.seq))]
        assert events == [("export", "allowed", str(escalation_id), "dossier=pdf"),
                          ("export", "allowed", str(escalation_id), "dossier=json")], who


@pytest.mark.parametrize("who", ["elsewhere_chair", "caseworker", "provider_member", "other_liaison", "analyst",
                                 "admin", "liaison_after_withdrawal", "liaison_on_a_draft"])
def test_the_404_matrix(app, w, factory, who):
    case_id = rich_case(app, factory, w)
    escalation_id = escalate(app, w, case_id, send=who != "liaison_on_a_draft")
    user = {"elsewhere_chair": w.elsewhere.chair, "other_liaison": w.other_liaison}.get(who) \
        or getattr(w, "network_liaison" if who.startswith("liaison") else who)
    client = client_for(app, user)
    if who == "liaison_after_withdrawal":
        assert client.get(f"/escalaties/{escalation_id}/dossier.json").status_code == 200
        with app.test_request_context():
            case = db.session.get(Case, case_id)
            for record in [c for c in case.consents if c.scope == "network"]:
                referrals.withdraw_consent(case, db.session.get(User, w.caseworker.id), record, TODAY)
            db.session.commit()
    for form in ("pdf", "json"):
        response = client.get(f"/escalaties/{escalation_id}/dossier.{form}")
        assert response.status_code == 404, (who, form)
        assert "Noor" not in response.get_data(as_text=True)
    with app.app_context():
        denied = list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.user_id == user.id, AuditEvent.object_type == "escalation", AuditEvent.outcome == "denied",
            AuditEvent.action == "export")))
        assert len(denied) == 2 and {e.object_id for e in denied} == {str(escalation_id)}


# --- a constant number of queries ------------------------------------------------------------------

@pytest.mark.counts_queries("escalations.dossier_json", "escalations.dossier_pdf")
def test_the_dossier_does_not_grow_with_its_items_and_exchange(app, w, factory, count_queries):
    """3 or 30 items tried of each kind and messages, reminders and new dates by as many authors."""
    case_id = rich_case(app, factory, w)
    escalation_id = escalate(app, w, case_id)
    chair = client_for(app, w.chair)
    numbers = iter(range(10000))

    def add(n: int) -> None:
        authors = [factory.user("ret_member", w.ret.id, activated=False) for _ in range(n)]
        with app.app_context():
            e = db.session.get(Escalation, escalation_id)
            case = db.session.get(Case, case_id)
            plan = db.session.scalar(select(Plan).where(Plan.case_id == case_id))
            helps, goals = [], []
            for author in authors:
                k = next(numbers)
                helps.append(PriorHelp(provider=f"Aanbieder {k:04d}", help_type="Hulp"))
                goals.append(PlanGoal(text=f"Doel {k:04d}", status="open", care_type="ambulatory"))
                case.prior_help.append(helps[-1])
                plan.goals.append(goals[-1])
                e.messages.append(EscalationMessage(side="network", kind="advice", text=f"Advies {k:04d}",
                                                    author_id=author.id, submission_key=services.new_submission_key()))
                e.reminders.append(EscalationReminder(sent_by_id=author.id, note=f"Herinnering {k:04d}",
                                                      submission_key=services.new_submission_key()))
                e.date_changes.append(EscalationDateChange(new_date=TODAY, reason=f"Reden {k:04d}",
                                                           changed_by_id=author.id))
            db.session.flush()
            e.tried.extend([EscalationTried(kind="prior_help", object_id=h.id) for h in helps]
                           + [EscalationTried(kind="plan_goal", object_id=g.id) for g in goals])
            db.session.commit()

    counts = {}
    for n in (3, 27):
        add(n)
        for form in ("json", "pdf"):
            with count_queries() as statements:
                response = chair.get(f"/escalaties/{escalation_id}/dossier.{form}")
            assert response.status_code == 200
            counts.setdefault(form, []).append(len(statements))
    document = download_json(chair, escalation_id)
    assert len(document["tried"]["prior_help"]) == 31 and len(document["tried"]["plan_goals"]) == 31
    assert counts["json"][0] == counts["json"][1], counts
    assert counts["pdf"][0] == counts["pdf"][1], counts
