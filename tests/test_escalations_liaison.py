"""The network liaison's side of escalations over HTTP: the list of escalations to their own network
(filtered by status, sorted, paged), the escalation as far as the network consent covers it (what the
escalation holds and the exchange; nothing else of the case), the network's forms (accept, decline with a
reason, start, a network process director, advice or a question, the answer, closing with a result) with
bad input next to its field and everything typed kept, a conflict keeping the input, a duplicate submit
recorded once; the 404 matrix (a liaison of another network; the same network after network consent was
withdrawn, when the list and the RET's escalation say so) and 403 for every other role; the start card;
the RET seeing the whole exchange; constant query counts (5 vs 100 escalations)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ret_app.escalations import services
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.models import Case, Consent, Escalation, EscalationMessage, EscalationStep, User
from tests.conftest import csrf_token, login
from tests.test_escalations import form_data, network_case

TODAY = dates.today()


@pytest.fixture
def w(make_world, factory, app):
    w = make_world(network=True, names={"network_liaison": "Liaison Lotte", "chair": "Voorzitter Vera"})
    other = factory.network("BEN")
    w.other_liaison = factory.user("network_liaison", factory.organisation("network", network_id=other.id).id)
    w.case_id = network_case(factory, w)
    return w


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def post(client, path, data):
    token = csrf_token(client, "/start")
    return client.post(path, data={"csrf_token": token, **data})


def escalate(app, w, case_id=None) -> int:
    with app.app_context():
        case = db.session.get(Case, case_id or w.case_id)
        e, _ = services.save(case, db.session.get(User, w.chair.id), form_data(case), send=True)
        db.session.commit()
        return e.id


def step(app, w, escalation_id, *names):
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        liaison = db.session.get(User, w.network_liaison.id)
        for name in names:
            getattr(services, name)(e, liaison)
        db.session.commit()


def withdraw_network_consent(app, w, case_id):
    """The youth withdraws their consent for the network (recorded as the caseworker would)."""
    from ret_app.referrals.services import withdraw_consent

    with app.app_context():
        case = db.session.get(Case, case_id)
        record = db.session.scalar(select(Consent).where(Consent.case_id == case_id, Consent.scope == "network",
                                                         Consent.family_member_id.is_(None)))
        withdraw_consent(case, db.session.get(User, w.caseworker.id), record, TODAY)
        assert not case.consent_network
        db.session.commit()


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page).group(1)


def form_fields(page: str, prefix: str) -> dict:
    return {f"{prefix}-submission_key": hidden(page, f"{prefix}-submission_key"),
            f"{prefix}-version": hidden(page, f"{prefix}-version")}


def count(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return db.session.scalar(stmt)


# --- the whole way through, and what the RET sees ---------------------------------------------------

def test_the_liaison_works_an_escalation_through_and_the_ret_sees_the_whole_exchange(app, w):
    escalation_id = escalate(app, w)
    liaison = client_for(app, w.network_liaison)
    start = liaison.get("/start").get_data(as_text=True)
    card = start.split('id="start-network-escalations"', 1)[1].split("</section>", 1)[0]
    with app.app_context():
        reference = db.session.get(Case, w.case_id).reference
    assert reference in card and "te accepteren" in card
    assert 'href="/netwerk/opschalingen"' in start and "Opschalingen" in start  # the navigation entry

    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    # What the escalation holds, nothing else of the case: no family member's name, no case page link.
    assert "Kunt u helpen een plek te organiseren?" in page and "Geen passende plek in de regio." in page
    assert "Jeugdhulp Oost: Ambulante hulp" in page  # what was tried, rendered
    assert "Moeder Test" not in page and f"/casussen/{w.case_id}" not in page
    accept = form_fields(page, "accept")
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/stap/accept", accept).status_code == 302
    again = post(liaison, f"/netwerk/opschalingen/{escalation_id}/stap/accept", accept)  # sent twice
    assert again.status_code == 302
    assert count(app, EscalationStep, escalation_id=escalation_id, name="accept") == 1

    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    message = {**form_fields(page, "msg"), "msg-kind": "question", "msg-text": "Gaat de jongere nog naar school?"}
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/bericht", message).status_code == 302
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/bericht", message).status_code == 302
    assert count(app, EscalationMessage, escalation_id=escalation_id, kind="question") == 1
    director = {**form_fields(page, "director"), "director-director_name": "Hanneke Prins",
                "director-director_organisation": "BOEG procesregie"}
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/procesregisseur", director).status_code == 302

    # The chair answers on the case.
    chair = client_for(app, w.chair)
    ret_page = chair.get(f"/escalaties/{escalation_id}").get_data(as_text=True)
    with app.app_context():
        question_id = db.session.scalar(select(EscalationMessage.id).where(EscalationMessage.kind == "question"))
    reply = {f"q{question_id}-text": "Ja, drie dagen per week.",
             f"q{question_id}-submission_key": hidden(ret_page, f"q{question_id}-submission_key")}
    assert post(chair, f"/escalaties/{escalation_id}/vragen/{question_id}/antwoord", reply).status_code == 302

    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    assert "Ja, drie dagen per week." in page  # the RET's answer in the exchange
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/stap/start", form_fields(page, "start")
                ).status_code == 302
    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    answer = {**form_fields(page, "ans"), "ans-text": "Wij adviseren een plek bij een specialistische aanbieder."}
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/antwoord", answer).status_code == 302
    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    close = {**form_fields(page, "close"), "close-result": "advice_given", "close-result_text": "Advies gegeven."}
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/afsluiten", close).status_code == 302
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/afsluiten", close).status_code == 302
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        assert e.status == "closed" and e.result == "advice_given"
        assert [s.name for s in e.steps] == ["send", "accept", "start", "answer", "close"]

    ret_page = chair.get(f"/escalaties/{escalation_id}").get_data(as_text=True)
    for text in ("Gaat de jongere nog naar school?", "Ja, drie dagen per week.", "Hanneke Prins", "BOEG procesregie",
                 "Wij adviseren een plek bij een specialistische aanbieder.", "Advies gegeven", "Liaison Lotte"):
        assert text in ret_page, text
    case_page = chair.get(f"/casussen/{w.case_id}").get_data(as_text=True)
    panel = case_page.split('id="escalation-panel"', 1)[1].split("</section>", 1)[0]
    assert "Hanneke Prins" in panel and "Wij adviseren" in panel


def test_decline_needs_a_reason_and_keeps_nothing_typed_lost(app, w):
    escalation_id = escalate(app, w)
    liaison = client_for(app, w.network_liaison)
    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    fields = form_fields(page, "decline")
    refused = post(liaison, f"/netwerk/opschalingen/{escalation_id}/stap/decline", {**fields, "decline-reason": "  "})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="decline-reason-error"' in body
    assert "Dit veld is verplicht" in body or "Geef een reden" in body
    too_long = "x" * (services.MAX_TEXT + 1)
    refused = post(liaison, f"/netwerk/opschalingen/{escalation_id}/stap/decline", {**fields, "decline-reason": too_long})
    assert 'id="decline-reason-error"' in refused.get_data(as_text=True) and too_long in refused.get_data(as_text=True)
    assert post(liaison, f"/netwerk/opschalingen/{escalation_id}/stap/decline",
                {**fields, "decline-reason": "Past niet bij het netwerk."}).status_code == 302
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        assert e.status == "declined" and e.decline_reason == "Past niet bij het netwerk."
    page = client_for(app, w.chair).get(f"/escalaties/{escalation_id}").get_data(as_text=True)
    assert "Past niet bij het netwerk." in page


def test_bad_input_on_the_network_forms_is_shown_next_to_the_field_and_kept(app, w):
    escalation_id = escalate(app, w)
    step(app, w, escalation_id, "accept")
    liaison = client_for(app, w.network_liaison)
    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    # A message without its kind: the kind refused, the text kept.
    response = post(liaison, f"/netwerk/opschalingen/{escalation_id}/bericht",
                    {**form_fields(page, "msg"), "msg-kind": "", "msg-text": "Mijn vraag blijft staan"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="msg-kind-error"' in body and "Mijn vraag blijft staan" in body
    # A director without an organisation; an unknown kind of message.
    response = post(liaison, f"/netwerk/opschalingen/{escalation_id}/procesregisseur",
                    {**form_fields(page, "director"), "director-director_name": "Hanneke Prins",
                     "director-director_organisation": ""})
    body = response.get_data(as_text=True)
    assert 'id="director-director_organisation-error"' in body and 'value="Hanneke Prins"' in body
    response = post(liaison, f"/netwerk/opschalingen/{escalation_id}/bericht",
                    {**form_fields(page, "msg"), "msg-kind": "answer", "msg-text": "Tekst"})
    assert 'id="msg-kind-error"' in response.get_data(as_text=True)
    # Closing an escalation the network has not answered: refused with the lifecycle's words.
    step(app, w, escalation_id, "start")
    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    assert 'id="close-form"' not in page and 'id="answer-form"' in page
    response = post(liaison, f"/netwerk/opschalingen/{escalation_id}/antwoord", {**form_fields(page, "ans"), "ans-text": ""})
    assert 'id="ans-text-error"' in response.get_data(as_text=True)
    response = post(liaison, f"/netwerk/opschalingen/{escalation_id}/afsluiten",
                    {**form_fields(page, "ans"), "close-result": "", "close-result_text": "Mijn toelichting"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Mijn toelichting" in body
    # A form without its key (expired): refused above the form.
    response = post(liaison, f"/netwerk/opschalingen/{escalation_id}/antwoord", {"ans-text": "Antwoord"})
    assert "verlopen" in response.get_data(as_text=True)
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        assert e.status == "in_progress" and not e.network_director_name and len(e.messages) == 0


def test_a_conflict_shows_what_changed_and_keeps_the_input(app, w):
    escalation_id = escalate(app, w)
    step(app, w, escalation_id, "accept")
    liaison = client_for(app, w.network_liaison)
    page = liaison.get(f"/netwerk/opschalingen/{escalation_id}").get_data(as_text=True)
    fields = form_fields(page, "director")
    with app.app_context():  # a colleague names a director first
        e = db.session.get(Escalation, escalation_id)
        services.assign_director(e, db.session.get(User, w.network_liaison.id), "Eerste Regisseur", "BOEG")
        db.session.commit()
    response = post(liaison, f"/netwerk/opschalingen/{escalation_id}/procesregisseur",
                    {**fields, "director-director_name": "Tweede Regisseur", "director-director_organisation": "BOEG"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="escalation-conflict"' in body
    assert "Eerste Regisseur" in body and 'value="Tweede Regisseur"' in body  # both: what it says now, the input
    with app.app_context():
        assert db.session.get(Escalation, escalation_id).network_director_name == "Eerste Regisseur"


# --- who sees what --------------------------------------------------------------------------------

NETWORK_ROUTES = ("/netwerk/opschalingen/{e}", "/netwerk/opschalingen/{e}/stap/accept",
                  "/netwerk/opschalingen/{e}/stap/decline", "/netwerk/opschalingen/{e}/stap/start",
                  "/netwerk/opschalingen/{e}/procesregisseur", "/netwerk/opschalingen/{e}/bericht",
                  "/netwerk/opschalingen/{e}/antwoord", "/netwerk/opschalingen/{e}/afsluiten")


def assert_404_everywhere(app, client, escalation_id):
    before = count(app, EscalationStep, escalation_id=escalation_id)
    for route in NETWORK_ROUTES:
        path = route.format(e=escalation_id)
        if route == "/netwerk/opschalingen/{e}":
            assert client.get(path).status_code == 404, path
            continue
        token = csrf_token(client, "/start")
        data = {"csrf_token": token, "accept-submission_key": "a" * 32, "decline-reason": "Nee",
                "decline-submission_key": "d" * 32, "close-result": "not_solved", "close-submission_key": "c" * 32}
        assert client.post(path, data=data).status_code == 404, path
    assert count(app, EscalationStep, escalation_id=escalation_id) == before


def test_a_liaison_of_another_network_gets_404_and_sees_nothing_in_the_list(app, w):
    escalation_id = escalate(app, w)
    other = client_for(app, w.other_liaison)
    assert_404_everywhere(app, other, escalation_id)
    with app.app_context():
        reference = db.session.get(Case, w.case_id).reference
    assert reference not in other.get("/netwerk/opschalingen").get_data(as_text=True)
    assert reference not in other.get("/start").get_data(as_text=True)


def test_a_draft_is_not_the_networks_yet(app, w):
    with app.app_context():
        case = db.session.get(Case, w.case_id)
        e, _ = services.save(case, db.session.get(User, w.chair.id), form_data(case), send=False)
        db.session.commit()
        escalation_id, reference = e.id, case.reference
    liaison = client_for(app, w.network_liaison)
    assert_404_everywhere(app, liaison, escalation_id)
    assert reference not in liaison.get("/netwerk/opschalingen").get_data(as_text=True)


def test_consent_withdrawn_ends_the_liaisons_access_at_once_and_both_sides_say_so(app, w):
    escalation_id = escalate(app, w)
    step(app, w, escalation_id, "accept")
    liaison = client_for(app, w.network_liaison)
    assert liaison.get(f"/netwerk/opschalingen/{escalation_id}").status_code == 200
    listing = liaison.get("/netwerk/opschalingen").get_data(as_text=True)
    row = listing.split(f'id="network-escalation-{escalation_id}"', 1)[1].split("</tr>", 1)[0]
    assert "organiseren van een plaatsing" in row and "toestemming ingetrokken" not in row
    withdraw_network_consent(app, w, w.case_id)
    assert_404_everywhere(app, liaison, escalation_id)
    listing = liaison.get("/netwerk/opschalingen").get_data(as_text=True)
    row = listing.split(f'id="network-escalation-{escalation_id}"', 1)[1].split("</tr>", 1)[0]
    assert "toestemming ingetrokken" in row
    assert f"/netwerk/opschalingen/{escalation_id}" not in row  # no link
    assert "organiseren van een plaatsing" not in row  # nothing the escalation holds
    assert "toestemming ingetrokken" in liaison.get("/start").get_data(as_text=True)
    filtered = liaison.get("/netwerk/opschalingen?status=consent_withdrawn").get_data(as_text=True)
    assert f'id="network-escalation-{escalation_id}"' in filtered
    ret_page = client_for(app, w.chair).get(f"/escalaties/{escalation_id}").get_data(as_text=True)
    assert "toestemming voor het netwerk ingetrokken" in ret_page


@pytest.mark.parametrize("who", ["chair", "member", "director", "caseworker", "provider_member", "analyst", "admin",
                                 "elsewhere_chair"])
def test_every_other_role_is_refused_the_network_pages(app, w, who):
    escalation_id = escalate(app, w)
    user = w.elsewhere.chair if who == "elsewhere_chair" else getattr(w, who)
    client = client_for(app, user)
    assert client.get("/netwerk/opschalingen").status_code == 403
    for route in NETWORK_ROUTES:
        path = route.format(e=escalation_id)
        status = client.get(path).status_code if route == "/netwerk/opschalingen/{e}" else \
            client.post(path, data={"csrf_token": csrf_token(client, "/start")}).status_code
        assert status == 403, (path, status)
    liaison = client_for(app, w.network_liaison)
    assert liaison.get(f"/escalaties/{escalation_id}").status_code == 403  # and the RET's pages to the liaison
    assert liaison.get(f"/casussen/{w.case_id}").status_code == 403


# --- the list -------------------------------------------------------------------------------------

def test_the_list_filters_by_status_and_sorts_by_age(app, w, factory):
    ids = {}
    for name, days in (("old", 9), ("middle", 5), ("new", 1)):
        case_id = network_case(factory, w)
        ids[name] = escalate(app, w, case_id)
        with app.app_context():
            e = db.session.get(Escalation, ids[name])
            e.sent_at = utcnow() - timedelta(days=days)
            db.session.commit()
    step(app, w, ids["middle"], "accept")
    liaison = client_for(app, w.network_liaison)

    def order(query):
        body = liaison.get(f"/netwerk/opschalingen{query}").get_data(as_text=True)
        return [int(i) for i in re.findall(r'id="network-escalation-(\d+)"', body)]

    assert order("?sort=oldest") == [ids["old"], ids["middle"], ids["new"]]
    assert order("?sort=newest") == [ids["new"], ids["middle"], ids["old"]]
    assert order("") == [ids["old"], ids["new"], ids["middle"]]  # to accept first, then accepted
    assert order("?status=accepted") == [ids["middle"]]
    assert order("?status=sent&sort=newest") == [ids["new"], ids["old"]]
    assert order("?status=nonsense&sort=nonsense") == [ids["old"], ids["new"], ids["middle"]]
    body = liaison.get("/netwerk/opschalingen?sort=oldest").get_data(as_text=True)
    assert "9 dagen geleden" in body


def test_the_list_pages(app, w, factory):
    from ret_app.escalations import liaison_queries

    for _ in range(3):
        escalate(app, w, network_case(factory, w))
    with app.test_request_context():
        liaison = db.session.get(User, w.network_liaison.id)
        first = liaison_queries.network_escalations(liaison, page=1, per_page=2)
        second = liaison_queries.network_escalations(liaison, page=2, per_page=2)
    assert len(first.items) == 2 and first.has_next and len(second.items) == 1 and not second.has_next
    assert not {r.escalation.id for r in first.items} & {r.escalation.id for r in second.items}


# --- query counts ---------------------------------------------------------------------------------

@pytest.mark.counts_queries("escalations.network_list", "escalations.network_page", "main.start")
def test_the_liaisons_list_page_and_start_card_do_not_grow(app, factory, make_world, count_queries):
    """The list (every filter), the start card and one escalation's page with 5 or 100 escalations to the
    network, each of its own case and region's RET chair, some with network consent withdrawn."""
    w = make_world(network=True)
    liaison = client_for(app, w.network_liaison)
    shown_id = escalate(app, w, network_case(factory, w))
    have = 1
    urls = ["/netwerk/opschalingen", "/netwerk/opschalingen?status=open&sort=expected",
            "/netwerk/opschalingen?status=consent_withdrawn", "/start", f"/netwerk/opschalingen/{shown_id}"]
    counts = {}
    for size in (5, 100):
        while have < size:
            case_id = network_case(factory, w)
            escalation_id = escalate(app, w, case_id)
            if have % 3 == 0:
                step(app, w, escalation_id, "accept")
            if have % 4 == 0:
                withdraw_network_consent(app, w, case_id)
            have += 1
        counts[size] = []
        for url in urls:
            assert liaison.get(url).status_code == 200, url
            with count_queries() as statements:
                response = liaison.get(url)
            assert response.status_code == 200
            if url == "/start":
                assert 'id="start-network-escalations"' in response.get_data(as_text=True)
            counts[size].append(len(statements))
    assert counts[5] == counts[100], counts


# --- CSRF (tests/test_csrf.py) --------------------------------------------------------------------

# The state each network form needs the objects' escalation in.
CSRF_STATES = {"escalations.network_step": "sent", "escalations.network_director": "accepted",
               "escalations.network_message": "accepted", "escalations.network_answer": "in_progress",
               "escalations.network_close": "answered"}


def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """The URL and valid form data of a network form, a liaison of the objects' network signed in: the
    objects' case with network consent and a youth of 15, its escalation in the state the form needs."""
    from tests.test_access_policy import POST_DATA, URL_PARAMS, build_url
    from tests.test_escalations import years_ago

    app, objects = env.app, env.objects
    organisation = env.factory.organisation("network", network_id=objects.network.id)
    env.login_as("network_liaison", organisation_id=organisation.id)
    with app.app_context():
        case = db.session.get(Case, objects.case_id)
        case.status, case.consent_network, case.youth_birth_date = "process_direction", True, years_ago(15)
        e = db.session.get(Escalation, objects.escalation_id)
        e.status = CSRF_STATES[endpoint]
        db.session.commit()
    assert URL_PARAMS[endpoint]
    return build_url(app, endpoint, objects), POST_DATA[endpoint](objects)
