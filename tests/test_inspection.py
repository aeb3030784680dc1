"""Inspection and correction requests: the right at the age boundaries (11/12 for the youth, 15/16 for a
parent with authority), the 16+ youth's refusal of the parents' inspection, a requester without the right
refused with the rule named, the inspection copy (an export job) with a withheld part absent from the PDF
text, corrections as addenda (the part itself unchanged), 404 for a case that does not exist or that the
user may not handle, Dutch messages next to the fields with the input kept, and constant query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.inspection import rights
from ret_app.kernel import dates
from ret_app.models import (
    AuditEvent, Case, CaseAddendum, CorrectionRequest, ExportJob, FamilyMember, InspectionRequest, Screening,
)
from tests.conftest import csrf_token, login

SECRET_ANALYSIS = "Moeder Quintella heeft eigen schulden bij Zwanenburg"  # a parent's own problems


@pytest.fixture
def world(make_world):
    return make_world(names={"chair": "Voorzitter Vos"})


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def birth_for(age: int, on: date) -> date:
    """A birth date that makes the youth exactly `age` on `on` (the birthday that day)."""
    return on.replace(year=on.year - age)


def make_case(factory, world, *, birth: date, status: str = "screening") -> int:
    return factory.case(world.caseworker, world.municipality, status=status, birth_date=birth,
                        family=(("mother", True), ("father", False)))


def members(app, case_id) -> tuple[int, int]:
    with app.app_context():
        ms = db.session.scalars(select(FamilyMember).where(FamilyMember.case_id == case_id)
                                .order_by(FamilyMember.id)).all()
        return ms[0].id, ms[1].id  # the mother (authority), the father (none)


def verdict(app, case_id, kind, member_id, on, objects=False) -> rights.Verdict:
    with app.app_context():
        case = db.session.get(Case, case_id)
        member = db.session.get(FamilyMember, member_id) if member_id else None
        return rights.check(case, kind, member, on, objects)


# --- the rules at the boundaries ------------------------------------------------------------------------

RECEIVED = date(2026, 6, 15)


@pytest.mark.parametrize("age, allowed, rule", [(11, False, "youth_under_12"), (12, True, "youth_12_plus")])
def test_the_youth_has_the_right_from_12_on_the_received_date(app, factory, world, age, allowed, rule):
    case_id = make_case(factory, world, birth=birth_for(age, RECEIVED))
    assert verdict(app, case_id, "youth", None, RECEIVED) == rights.Verdict(allowed, rule)
    # The day before the 12th birthday the youth is still 11.
    if age == 12:
        assert not verdict(app, case_id, "youth", None, RECEIVED - timedelta(days=1)).allowed


@pytest.mark.parametrize("age, allowed, rule", [(15, True, "parent_authority_under_16"),
                                                (16, False, "youth_16_objects")])
def test_a_parent_with_authority_until_16_then_the_youth_can_refuse(app, factory, world, age, allowed, rule):
    """The youth objects in both rows: at 15 the objection does not count, at 16 it does."""
    case_id = make_case(factory, world, birth=birth_for(age, RECEIVED))
    mother, _father = members(app, case_id)
    assert verdict(app, case_id, "parent", mother, RECEIVED, objects=True) == rights.Verdict(allowed, rule)


def test_at_16_without_the_youths_objection_the_parent_keeps_it_and_without_authority_never(app, factory, world):
    case_id = make_case(factory, world, birth=birth_for(16, RECEIVED))
    mother, father = members(app, case_id)
    assert verdict(app, case_id, "parent", mother, RECEIVED) == rights.Verdict(True, "parent_youth_16_no_objection")
    assert verdict(app, case_id, "parent", father, RECEIVED) == rights.Verdict(False, "no_parental_authority")
    assert verdict(app, case_id, "other", None, RECEIVED) == rights.Verdict(False, "other_no_right")


# --- the pages ------------------------------------------------------------------------------------------

def _record(client, case_id, data) -> object:
    token = csrf_token(client, f"/casussen/{case_id}/inzage")
    return client.post(f"/casussen/{case_id}/inzage", data={"csrf_token": token, **data})


def _step(client, case_id, request_id, step):
    token = csrf_token(client, f"/casussen/{case_id}/inzage/{request_id}")
    return client.post(f"/casussen/{case_id}/inzage/{request_id}/{step}", data={"csrf_token": token})


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split())


def test_a_requester_without_the_right_is_refused_with_the_rule_named(app, factory, world):
    today = dates.today()
    case_id = make_case(factory, world, birth=birth_for(11, today))
    client = client_for(app, world.chair)
    response = _record(client, case_id, {"requester_kind": "youth", "requester_name": "Jeugdige",
                                         "received_on": today.strftime("%d-%m-%Y")})
    assert response.status_code == 302
    request_id = int(re.search(r"/inzage/(\d+)$", response.headers["Location"]).group(1))
    assert _step(client, case_id, request_id, "controleren").status_code == 302
    page = client.get(f"/casussen/{case_id}/inzage/{request_id}").get_data(as_text=True)
    assert "Geweigerd" in page and "jonger dan 12" in page
    with app.app_context():
        r = db.session.get(InspectionRequest, request_id)
        assert (r.status, r.rule) == ("refused", "youth_under_12")
        details = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.object_type == "inspection_request", AuditEvent.object_id == str(request_id))).all()
        assert any("rule=youth_under_12" in (d or "") for d in details)
        assert not any("Jeugdige" in (d or "") for d in details)  # no names in the audit trail
    # A refused request gives no copy.
    token = csrf_token(client, f"/casussen/{case_id}/inzage")
    assert client.post("/exports/inspection-copy/aanvragen",
                       data={"csrf_token": token, "request": str(request_id)}).status_code == 404


def test_the_copy_leaves_a_withheld_part_out_and_says_why_and_the_handing_over_is_recorded(app, factory, world):
    today = dates.today()
    case_id = make_case(factory, world, birth=birth_for(14, today))
    with app.app_context():
        db.session.add(Screening(case_id=case_id, analysis=SECRET_ANALYSIS, advice="Gezinsbehandeling"))
        db.session.commit()
    mother, _father = members(app, case_id)
    client = client_for(app, world.chair)
    response = _record(client, case_id, {"requester_kind": "parent", "family_member": str(mother),
                                         "received_on": today.strftime("%d-%m-%Y")})
    request_id = int(re.search(r"/inzage/(\d+)$", response.headers["Location"]).group(1))
    _step(client, case_id, request_id, "controleren")
    # A withheld part without its reason: refused next to the field, the choice kept.
    token = csrf_token(client, f"/casussen/{case_id}/inzage/{request_id}")
    bad = client.post(f"/casussen/{case_id}/inzage/{request_id}/weglaten",
                      data={"csrf_token": token, "withheld": "screening", "reason_screening": ""})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Geef de reden" in text and 'value="screening" checked' in text
    ok = client.post(f"/casussen/{case_id}/inzage/{request_id}/weglaten",
                     data={"csrf_token": token, "withheld": "screening",
                           "reason_screening": "betreft een ander dan de jeugdige"})
    assert ok.status_code == 302
    asked = client.post("/exports/inspection-copy/aanvragen", data={"csrf_token": token, "request": str(request_id)})
    assert asked.status_code == 302
    job_id = int(re.search(r"/exports/(\d+)$", asked.headers["Location"]).group(1))
    with app.app_context():
        assert db.session.get(ExportJob, job_id).status == "done"
    pdf = client.get(f"/exports/{job_id}/bestand")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert "Weggelaten: betreft een ander dan de jeugdige" in text
    assert "Quintella" not in text and "Zwanenburg" not in text and "Gezinsbehandeling" not in text
    assert "Gezinssysteem" in text and "Welke hulp past?" in text  # the other parts are there
    # The control: without the part withheld the analysis is in the copy (so the check above can fail).
    with app.app_context():
        from ret_app.inspection import copy as inspection_copy
        from ret_app.models import User
        r = db.session.get(InspectionRequest, request_id)
        r.withheld.clear()
        db.session.flush()
        with app.test_request_context():
            assert "Quintella" in _pdf_text(inspection_copy.pdf(r, db.session.get(User, world.chair.id)))
        db.session.rollback()
    assert _step(client, case_id, request_id, "overhandigd").status_code == 302
    with app.app_context():
        r = db.session.get(InspectionRequest, request_id)
        assert (r.status, r.handed_over_on, r.handed_over_by_id) == ("handed_over", today, world.chair.id)
        exported = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "export", AuditEvent.object_type == "inspection_request")).all()
        assert [e.case_id for e in exported] == [case_id] and "withheld=screening" in exported[0].detail


def test_bad_input_gets_dutch_messages_next_to_the_fields_and_is_kept(app, factory, world):
    case_id = make_case(factory, world, birth=birth_for(14, dates.today()))
    client = client_for(app, world.chair)
    future = (dates.today() + timedelta(days=3)).strftime("%d-%m-%Y")
    response = _record(client, case_id, {"requester_kind": "parent", "family_member": "",
                                         "requester_name": "Naam Blijft Staan", "received_on": future})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Kies de ouder of voogd uit het gezinssysteem" in text
    assert "toekomst" in text  # the date's message
    assert 'value="Naam Blijft Staan"' in text and f'value="{future}"' in text
    with app.app_context():
        assert db.session.scalar(select(InspectionRequest.id)) is None


def test_a_correction_is_an_addendum_the_part_unchanged_shown_on_the_case_page_and_in_the_copy(app, factory, world):
    today = dates.today()
    case_id = make_case(factory, world, birth=birth_for(13, today))
    with app.app_context():
        db.session.add(Screening(case_id=case_id, analysis="Oorspronkelijke analyse", finalised_at=dates.utcnow()))
        db.session.commit()
    client = client_for(app, world.chair)
    token = csrf_token(client, f"/casussen/{case_id}/correctieverzoek")
    # Every error at once, the text kept.
    bad = client.post(f"/casussen/{case_id}/correctieverzoek", data={
        "csrf_token": token, "requester_kind": "youth", "requester_name": "", "received_on": "",
        "section": "", "asked": "De school klopt niet"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Vul in wie het vraagt" in text and "De school klopt niet" in text
    made = client.post(f"/casussen/{case_id}/correctieverzoek", data={
        "csrf_token": token, "requester_kind": "youth", "requester_name": "Jeugdige",
        "received_on": today.strftime("%d-%m-%Y"), "section": "screening", "asked": "De school klopt niet"})
    assert made.status_code == 302
    correction_id = int(made.headers["Location"].rsplit("/", 1)[1])
    # Granted without the addendum: refused next to it.
    refused = client.post(f"/casussen/{case_id}/correctieverzoek/{correction_id}", data={
        "csrf_token": token, "decision": "granted", "addendum": "", "reason": ""})
    assert refused.status_code == 422 and "Schrijf de aanvulling" in refused.get_data(as_text=True)
    decided = client.post(f"/casussen/{case_id}/correctieverzoek/{correction_id}", data={
        "csrf_token": token, "decision": "granted", "addendum": "De jeugdige zit op het Praktijkcollege.",
        "reason": ""})
    assert decided.status_code == 302
    with app.app_context():
        c = db.session.get(CorrectionRequest, correction_id)
        assert (c.decision, c.decided_by_id) == ("granted", world.chair.id)
        added = db.session.scalars(select(CaseAddendum)).all()
        assert [(a.section, a.correction_request_id) for a in added] == [("screening", correction_id)]
        assert db.session.scalar(select(Screening.analysis)) == "Oorspronkelijke analyse"  # never overwritten
    page = client.get(f"/casussen/{case_id}").get_data(as_text=True)
    assert "Aanvullingen op: Screening" in page and "Praktijkcollege" in page
    assert "Correctieverzoek vastgelegd" in page  # the chair's timeline
    # The referrer reads the addendum with the case, not the requests (the RET side's work).
    referrer = client_for(app, world.caseworker).get(f"/casussen/{case_id}").get_data(as_text=True)
    assert "Aanvullingen op: Screening" in referrer and "Praktijkcollege" in referrer
    assert "Correctieverzoek vastgelegd" not in referrer and "Inzageverzoeken" not in referrer
    # Deciding again is refused.
    again = client.post(f"/casussen/{case_id}/correctieverzoek/{correction_id}", data={
        "csrf_token": token, "decision": "refused", "addendum": "", "reason": "Nee"})
    assert again.status_code == 422
    # In the copy: the addendum follows the screening.
    response = _record(client, case_id, {"requester_kind": "youth", "requester_name": "Jeugdige",
                                         "received_on": today.strftime("%d-%m-%Y")})
    request_id = int(re.search(r"/inzage/(\d+)$", response.headers["Location"]).group(1))
    _step(client, case_id, request_id, "controleren")
    asked = client.post("/exports/inspection-copy/aanvragen", data={"csrf_token": token, "request": str(request_id)})
    job_id = int(re.search(r"/exports/(\d+)$", asked.headers["Location"]).group(1))
    text = _pdf_text(client.get(f"/exports/{job_id}/bestand").data)
    assert "Oorspronkelijke analyse" in text and "Praktijkcollege" in text


def test_404_for_a_case_that_does_not_exist_or_the_user_may_not_handle(app, factory, world):
    case_id = make_case(factory, world, birth=birth_for(14, dates.today()))
    other = factory.case(world.elsewhere.caseworker, world.elsewhere.municipality, status="screening")
    chair = client_for(app, world.chair)
    for path in ("/casussen/99999/inzage", f"/casussen/{other}/inzage", f"/casussen/{other}/correctieverzoek",
                 "/casussen/99999/correctieverzoek/1", f"/casussen/{case_id}/inzage/99999"):
        assert chair.get(path).status_code == 404, path
    # A RET member sees the case but does not handle its requests.
    member = client_for(app, world.member)
    assert member.get(f"/casussen/{case_id}").status_code == 200
    assert member.get(f"/casussen/{case_id}/inzage").status_code in (403, 404)
    with app.app_context():
        denied = db.session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.outcome == "denied", AuditEvent.object_type == "case")).all()
        assert "99999" in denied and str(other) in denied


@pytest.mark.counts_queries("inspection.requests_page")
def test_the_case_list_of_requests_has_a_constant_number_of_queries(app, factory, world, count_queries):
    today = dates.today()
    case_id = make_case(factory, world, birth=birth_for(14, today))
    mother, _ = members(app, case_id)
    client = client_for(app, world.chair)

    def add(n):
        with app.app_context():
            for _ in range(n):
                db.session.add(InspectionRequest(case_id=case_id, requester_kind="parent", family_member_id=mother,
                                                 requester_name="M", received_on=today, recorded_by_id=world.chair.id))
                db.session.add(CorrectionRequest(case_id=case_id, requester_kind="youth", requester_name="J",
                                                 received_on=today, section="plan", asked="x",
                                                 recorded_by_id=world.chair.id))
            db.session.commit()

    counts = []
    for n in (5, 45):
        add(n)
        with count_queries() as statements:
            assert client.get(f"/casussen/{case_id}/inzage").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """tests/test_csrf.py: the chair of the objects' region signed in, a case of the region (a youth of 14
    with a mother holding authority), and the URL and valid data of each state-changing route: a request
    received (check), one checked (parts withheld), a correction not yet decided (the decision)."""
    from tests.test_access_policy import POST_DATA

    app, objects = env.app, env.objects
    chair = env.login_as("chair", organisation_id=objects.ret_org.id)
    today = dates.today()
    case_id = env.factory.case(objects.target, objects.municipality, status="screening",
                               birth_date=birth_for(14, today), family=(("mother", True),))
    with app.app_context():
        status = "checked" if endpoint == "inspection.inspection_withheld" else "received"
        request = InspectionRequest(case_id=case_id, requester_kind="youth", requester_name="Jeugdige",
                                    received_on=today, status=status, recorded_by_id=chair.id)
        correction = CorrectionRequest(case_id=case_id, requester_kind="youth", requester_name="Jeugdige",
                                       received_on=today, section="plan", asked="Doel 2 klopt niet",
                                       recorded_by_id=chair.id)
        db.session.add_all([request, correction])
        db.session.commit()
        request_id, correction_id = request.id, correction.id
        db.session.remove()
    urls = {"inspection.requests_page": f"/casussen/{case_id}/inzage",
            "inspection.inspection_step": f"/casussen/{case_id}/inzage/{request_id}/controleren",
            "inspection.inspection_withheld": f"/casussen/{case_id}/inzage/{request_id}/weglaten",
            "inspection.correction_form": f"/casussen/{case_id}/correctieverzoek",
            "inspection.correction_page": f"/casussen/{case_id}/correctieverzoek/{correction_id}"}
    return urls[endpoint], POST_DATA[endpoint](objects)


def test_the_privacy_hub_lists_the_regions_requests_without_names_in_constant_queries(app, factory, world,
                                                                                       count_queries):
    """The privacy officer and the chair see the region's requests (reference, dates, kind, status) in the hub;
    no requester's name, nothing of what was asked; another region's requests are not there; the privacy
    officer still gets 404 on the case's own inspection page."""
    today = dates.today()
    case_id = make_case(factory, world, birth=birth_for(14, today))
    other = factory.case(world.elsewhere.caseworker, world.elsewhere.municipality, status="screening")
    with app.app_context():
        reference = db.session.get(Case, case_id).reference
        other_reference = db.session.get(Case, other).reference

    def add(n):
        with app.app_context():
            for _ in range(n):
                db.session.add(InspectionRequest(case_id=case_id, requester_kind="youth", requester_name="Naamloos Niemand",
                                                 received_on=today, recorded_by_id=world.chair.id))
                db.session.add(CorrectionRequest(case_id=case_id, requester_kind="youth", requester_name="Naamloos Niemand",
                                                 received_on=today, section="plan", asked="Geheime vraag",
                                                 recorded_by_id=world.chair.id))
                db.session.add(InspectionRequest(case_id=other, requester_kind="youth", requester_name="Ander",
                                                 received_on=today, recorded_by_id=world.chair.id))
            db.session.commit()

    officer = client_for(app, world.privacy_officer)
    counts = []
    for n in (5, 20):
        add(n)
        with count_queries() as statements:
            page = officer.get("/privacy")
        assert page.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    text = page.get_data(as_text=True)
    assert "Inzage- en correctieverzoeken" in text and reference in text and "Ontvangen" in text
    assert other_reference not in text and "Naamloos" not in text and "Geheime vraag" not in text
    assert officer.get(f"/casussen/{case_id}/inzage").status_code == 404
    assert reference in client_for(app, world.chair).get("/privacy").get_data(as_text=True)


def test_open_requests_are_on_the_start_pages_of_the_chair_and_the_privacy_officer(app, factory, world,
                                                                                   count_queries):
    """Open inspection requests (received or checked) and undecided corrections, the oldest first with the date
    the answer is due (one month, GDPR art. 12): the chair's rows open the request, the privacy officer's name
    the case only; the start page's queries do not grow with the requests."""
    today = dates.today()
    case_id = make_case(factory, world, birth=birth_for(14, today))
    with app.app_context():
        reference = db.session.get(Case, case_id).reference
        old = InspectionRequest(case_id=case_id, requester_kind="youth", requester_name="Naamloos Niemand",
                                received_on=today - timedelta(days=40), recorded_by_id=world.chair.id)
        done = InspectionRequest(case_id=case_id, requester_kind="youth", requester_name="Naamloos Niemand",
                                 received_on=today - timedelta(days=50), status="handed_over",
                                 recorded_by_id=world.chair.id)
        correction = CorrectionRequest(case_id=case_id, requester_kind="youth", requester_name="Naamloos Niemand",
                                       received_on=today - timedelta(days=3), section="plan", asked="Geheime vraag",
                                       recorded_by_id=world.chair.id)
        db.session.add_all([old, done, correction])
        db.session.commit()
        old_id, correction_id = old.id, correction.id
    chair, officer = client_for(app, world.chair), client_for(app, world.privacy_officer)
    page = chair.get("/start").get_data(as_text=True)
    card = page[page.index('id="start-inspection"'):]
    card = card[:card.index("</section>")]
    assert "1 inzageverzoek open" in card and "1 correctieverzoek te beslissen" in card
    assert f'/casussen/{case_id}/inzage/{old_id}"' in card and f"/correctieverzoek/{correction_id}" in card
    assert "over tijd" in card  # received 40 days ago: the month has passed
    assert "Naamloos" not in card and "Geheime vraag" not in card
    page = officer.get("/start").get_data(as_text=True)
    card = page[page.index('id="start-inspection"'):]
    card = card[:card.index("</section>")]
    assert reference in card and f"/casussen/{case_id}" not in card and 'href="/privacy"' in card
    counts = []
    for n in (1, 10):
        with app.app_context():
            db.session.add_all([InspectionRequest(case_id=case_id, requester_kind="youth", requester_name="X",
                                                  received_on=today, recorded_by_id=world.chair.id)
                                for _ in range(n)])
            db.session.commit()
        with count_queries() as statements:
            assert chair.get("/start").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert "12 inzageverzoeken open" in chair.get("/start").get_data(as_text=True)
