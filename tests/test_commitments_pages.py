"""Requests and commitments over HTTP: the process director asks providers (suggestions shown with
their reasons), bad input refused in Dutch next to its field with everything typed kept, the provider
answers in its own session, the 404 matrix (a provider of another organisation, a provider after
collective consent was withdrawn, another region's process director), the crisis back-up in the case
header, the start-page cards, and the lists' query counts (5 vs 100 rows)."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ret_app.commitments import services
from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    Case,
    CaseParticipant,
    ProviderCareType,
    ProviderExpertise,
    ProviderProfile,
    ProviderRequest,
)
from tests.conftest import csrf_token, login

TODAY = date.today()


@pytest.fixture
def w(make_world, factory, app):
    w = make_world(names={"provider": "Jeugdzorg Eigen", "other_provider": "GGZ Ander"},
                   aliases={"mun": "municipality"})
    w.case_id = factory.case(w.caseworker, w.mun, status="process_direction", consent_ret=True,
                             consent_collective=True, track="process_direction", process_director_id=w.director.id,
                             submitted_at=utcnow(), intake_at=utcnow())
    with app.app_context():
        db.session.add(CaseParticipant(case_id=w.case_id, role="ret_member", user_id=w.director.id,
                                       invited_by_id=w.chair.id))
        db.session.add(ProviderProfile(organisation_id=w.other_provider.id, crisis_available=True,
                                       crisis_hours="24/7", crisis_phone="088 000 11 22",
                                       care_types=[ProviderCareType(care_type="ambulatory")],
                                       expertise=[ProviderExpertise(area="youth_mental_health")]))
        db.session.commit()
    return w


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def post(client, path, data, token_from="/start"):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **data})


def ask_data(w, *providers, **extra):
    return {"providers": [str(p.id) for p in providers], "role": "lead_provider", "care_type": "ambulatory",
            "question": "Kunt u de behandeling oppakken?", "reply_by": (TODAY + timedelta(days=3)).isoformat(),
            "submission_key": services.new_submission_key(), **extra}


def requests_of(app, case_id):
    with app.app_context():
        rows = list(db.session.scalars(select(ProviderRequest).where(ProviderRequest.case_id == case_id)
                                       .order_by(ProviderRequest.id)))
        for r in rows:
            db.session.expunge(r)
        return rows


def hidden(body, name):
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', body).group(1)


def test_the_director_asks_two_providers_and_each_answers_in_its_own_session(app, w):
    director = client_for(app, w.director)
    page = director.get(f"/casussen/{w.case_id}/verzoeken").get_data(as_text=True)
    assert "Jeugdzorg Eigen" in page and "GGZ Ander" in page and "Punten:" in page  # the rule, in Dutch
    r = post(director, f"/casussen/{w.case_id}/verzoeken", ask_data(w, w.provider, w.other_provider))
    assert r.status_code == 302
    first, second = requests_of(app, w.case_id)
    assert {first.organisation_id, second.organisation_id} == {w.provider.id, w.other_provider.id}
    # The case's next due item is their reply, and it waits on them by name.
    due = re.search(r'id="case-next-due">(.*?)</dd>', director.get(f"/casussen/{w.case_id}").get_data(as_text=True),
                    re.S).group(1)
    assert "Antwoord op een verzoek" in due and "wacht op GGZ Ander, Jeugdzorg Eigen" in due
    # The provider sees the request (not the case yet) and declines it.
    provider = client_for(app, w.provider_member)
    mine = next(r for r in (first, second) if r.organisation_id == w.provider.id)
    theirs = next(r for r in (first, second) if r.organisation_id == w.other_provider.id)
    assert provider.get(f"/casussen/{w.case_id}").status_code == 404
    body = provider.get(f"/verzoeken/{mine.id}").get_data(as_text=True)
    assert "Kunt u de behandeling oppakken?" in body
    assert provider.get(f"/verzoeken/{theirs.id}").status_code == 404  # another organisation's request
    r = post(provider, f"/verzoeken/{mine.id}", {"decision": "decline", "decline_reason": "no_capacity",
                                                 "decline_text": "Wachtlijst", "answer_key": hidden(body, "answer_key"),
                                                 "version": hidden(body, "version")}, token_from=f"/verzoeken/{mine.id}")
    assert r.status_code == 302
    other = client_for(app, w.other_provider_member)
    body = other.get(f"/verzoeken/{theirs.id}").get_data(as_text=True)
    data = {"decision": "accept", "contact_name": "Mevrouw De Wit",
            "intended_start": (TODAY + timedelta(days=5)).isoformat(),
            "answer_key": hidden(body, "answer_key"), "version": hidden(body, "version")}
    assert post(other, f"/verzoeken/{theirs.id}", data).status_code == 302
    assert post(other, f"/verzoeken/{theirs.id}", data).status_code == 302  # the retry: recorded once
    assert other.get(f"/casussen/{w.case_id}").status_code == 200  # a participant now
    states = {r.organisation_id: r.status for r in requests_of(app, w.case_id)}
    assert states == {w.provider.id: "declined", w.other_provider.id: "accepted"}
    page = director.get(f"/casussen/{w.case_id}/verzoeken").get_data(as_text=True)
    assert "Geen capaciteit" in page and "Geaccepteerd" in page


def _history(client, case_id):
    body = client.get(f"/casussen/{case_id}").get_data(as_text=True)
    return re.search(r'<ol class="ret-timeline" id="case-history">(.*?)</ol>', body, re.S).group(1)


def test_a_provider_participant_does_not_read_the_other_providers_requests_in_the_history(app, w):
    """The requests panel shows a provider member only its own organisation's requests; the case's
    history must not name the other providers asked, nor their answers."""
    director = client_for(app, w.director)
    post(director, f"/casussen/{w.case_id}/verzoeken", ask_data(w, w.provider, w.other_provider))
    mine, theirs = sorted(requests_of(app, w.case_id), key=lambda r: r.organisation_id != w.provider.id)
    provider = client_for(app, w.provider_member)
    body = provider.get(f"/verzoeken/{mine.id}").get_data(as_text=True)
    post(provider, f"/verzoeken/{mine.id}", {"decision": "decline", "decline_reason": "no_capacity",
                                             "decline_text": "Wachtlijst", "answer_key": hidden(body, "answer_key"),
                                             "version": hidden(body, "version")})
    other = client_for(app, w.other_provider_member)
    body = other.get(f"/verzoeken/{theirs.id}").get_data(as_text=True)
    assert post(other, f"/verzoeken/{theirs.id}", {
        "decision": "accept", "contact_name": "Mevrouw De Wit", "intended_start": TODAY.isoformat(),
        "answer_key": hidden(body, "answer_key"), "version": hidden(body, "version")}).status_code == 302
    seen_by_provider = _history(other, w.case_id)
    assert "Jeugdzorg Eigen" not in seen_by_provider and "Verzoek afgewezen" not in seen_by_provider
    assert "Aanbieder gevraagd" not in seen_by_provider
    for ret_side in (w.director, w.chair, w.caseworker):
        seen = _history(client_for(app, ret_side), w.case_id)
        assert "Verzoek afgewezen" in seen and "Jeugdzorg Eigen" in seen and "Verzoek geaccepteerd" in seen, ret_side.role


def test_bad_input_is_refused_in_dutch_next_to_each_field_and_kept(app, w):
    director = client_for(app, w.director)
    r = post(director, f"/casussen/{w.case_id}/verzoeken",
             ask_data(w, w.outsider, question="Mijn vraag blijft staan",
                      reply_by=(TODAY - timedelta(days=1)).isoformat()))
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "vóór vandaag" in body or "voor vandaag" in body
    assert "collectief van deze regio" in body
    assert "Mijn vraag blijft staan" in body  # nothing typed is lost
    assert 'id="reply_by-error"' in body and 'id="providers-error"' in body
    assert requests_of(app, w.case_id) == []


def test_no_collective_consent_is_refused_next_to_the_providers(app, w):
    with app.app_context():
        db.session.get(Case, w.case_id).consent_collective = False
        db.session.commit()
    director = client_for(app, w.director)
    body = post(director, f"/casussen/{w.case_id}/verzoeken", ask_data(w, w.provider)).get_data(as_text=True)
    assert "toestemming voor het collectief" in body and 'id="providers-error"' in body
    assert requests_of(app, w.case_id) == []


def _request(app, w, organisation, status="requested", role="lead_provider"):
    with app.app_context():
        row = ProviderRequest(case_id=w.case_id, organisation_id=organisation.id, role=role, care_type="ambulatory",
                              question="Vraag", reply_by=TODAY + timedelta(days=2), status=status,
                              requested_by_id=w.director.id, submission_key=secrets.token_hex(8),
                              contact_name="Contact" if status != "requested" else "",
                              answered_at=utcnow() if status != "requested" else None)
        db.session.add(row)
        if status in ("accepted", "started"):
            db.session.add(CaseParticipant(case_id=w.case_id, role="provider", organisation_id=organisation.id,
                                           invited_by_id=w.director.id))
        db.session.commit()
        return row.id


def test_404_matrix_other_organisation_after_consent_withdrawal_and_another_region(app, w, factory):
    request_id = _request(app, w, w.provider, status="accepted")
    other_region_director = factory.user("ret_member", w.elsewhere.ret.id)
    for who in (w.other_provider_member, w.outsider_member, w.elsewhere.provider_member, other_region_director,
                w.elsewhere.chair):
        client = client_for(app, who)
        assert client.get(f"/verzoeken/{request_id}").status_code == 404, who.role
        assert client.get(f"/casussen/{w.case_id}/verzoeken").status_code == 404, who.role
    provider = client_for(app, w.provider_member)
    assert provider.get(f"/verzoeken/{request_id}").status_code == 200
    with app.app_context():
        db.session.get(Case, w.case_id).consent_collective = False  # consent withdrawn
        db.session.commit()
    assert provider.get(f"/verzoeken/{request_id}").status_code == 404
    assert provider.get(f"/casussen/{w.case_id}").status_code == 404
    assert "toestemming ingetrokken" in client_for(app, w.director).get(f"/verzoeken/{request_id}").get_data(as_text=True)
    assert "toestemming ingetrokken" in client_for(app, w.chair).get(
        f"/casussen/{w.case_id}/verzoeken").get_data(as_text=True)


def test_accepting_a_withdrawn_request_says_so(app, w):
    request_id = _request(app, w, w.provider)
    provider = client_for(app, w.provider_member)
    body = provider.get(f"/verzoeken/{request_id}").get_data(as_text=True)
    key, version = hidden(body, "answer_key"), hidden(body, "version")
    director = client_for(app, w.director)
    assert post(director, f"/verzoeken/{request_id}/intrekken", {"version": version}).status_code == 302
    r = post(provider, f"/verzoeken/{request_id}", {"decision": "accept", "contact_name": "Mevrouw De Wit",
                                                    "intended_start": TODAY.isoformat(), "answer_key": key,
                                                    "version": version})
    assert "ingetrokken" in r.get_data(as_text=True)


def test_the_crisis_backup_shows_in_the_case_header_for_everyone_who_sees_the_case(app, w):
    _request(app, w, w.other_provider, status="accepted", role="crisis_backup")
    for who in (w.director, w.chair, w.caseworker, w.other_provider_member):
        body = client_for(app, who).get(f"/casussen/{w.case_id}").get_data(as_text=True)
        assert 'id="crisis-backup"' in body and "GGZ Ander" in body and "088 000 11 22" in body, who.role


def test_start_cards_for_the_provider_and_the_director(app, w):
    request_id = _request(app, w, w.provider)
    with app.app_context():
        db.session.get(ProviderRequest, request_id).reply_by = TODAY - timedelta(days=1)
        db.session.commit()
    body = client_for(app, w.provider_member).get("/start").get_data(as_text=True)
    assert 'id="start-requests"' in body and "1 verzoek wacht op antwoord" in body
    for who in (w.director, w.chair):
        body = client_for(app, who).get("/start").get_data(as_text=True)
        assert 'id="start-late-requests"' in body and "1 verzoek over de antwoorddatum" in body, who.role
    body = client_for(app, w.member).get("/start").get_data(as_text=True)
    assert 'id="start-late-requests"' not in body  # not their case


def test_suggestions_partial_ranks_with_reasons(app, w):
    director = client_for(app, w.director)
    r = director.get(f"/casussen/{w.case_id}/verzoeken/suggesties?care_type=ambulatory", headers={"HX-Request": "true"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body
    assert body.index("GGZ Ander") < body.index("Jeugdzorg Eigen")  # offers it: ranked first
    assert "biedt Ambulante jeugdhulp aan" in body


def _provider_list_counts(app, w, factory, count_queries, path):
    client = client_for(app, w.provider_member)

    def fill(n):
        with app.app_context():
            for _ in range(n):
                case_id = factory.case(w.caseworker, w.mun, status="process_direction", consent_collective=True,
                                       process_director_id=w.director.id)
                db.session.add(ProviderRequest(
                    case_id=case_id, organisation_id=w.provider.id, role="co_provider", care_type="ambulatory",
                    question="Vraag", reply_by=TODAY, requested_by_id=w.director.id,
                    submission_key=secrets.token_hex(8), status="requested" if path == "/verzoeken" else "accepted",
                    contact_name="C", intended_start=TODAY))
            db.session.commit()

    fill(5)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    fill(95)
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few)


@pytest.mark.counts_queries("commitments.waiting")
def test_the_waiting_requests_have_a_constant_query_count(app, w, factory, count_queries):
    _provider_list_counts(app, w, factory, count_queries, "/verzoeken")


@pytest.mark.counts_queries("commitments.my_commitments")
def test_my_commitments_have_a_constant_query_count(app, w, factory, count_queries):
    _provider_list_counts(app, w, factory, count_queries, "/toezeggingen")


@pytest.mark.counts_queries("commitments.case_requests", "commitments.suggestions_list")
def test_the_case_requests_and_the_suggestions_have_a_constant_query_count(app, w, factory, count_queries):
    """5 and 100 requests on the case's page; 5 and 100 collective providers ranked."""
    client = client_for(app, w.director)
    pages = [f"/casussen/{w.case_id}/verzoeken", f"/casussen/{w.case_id}/verzoeken/suggesties?care_type=ambulatory"]

    def fill(n):
        with app.app_context():
            for i in range(n):
                provider = factory.organisation("provider", region_id=w.region.id, collective_member=True)
                db.session.add(ProviderProfile(organisation_id=provider.id, min_age=0, max_age=23,
                                               care_types=[ProviderCareType(care_type="ambulatory")],
                                               expertise=[ProviderExpertise(area="trauma")]))
                db.session.add(ProviderRequest(
                    case_id=w.case_id, organisation_id=provider.id, role="co_provider", care_type="ambulatory",
                    question="Vraag", reply_by=TODAY, requested_by_id=w.director.id,
                    submission_key=secrets.token_hex(8), status=("requested", "declined", "accepted")[i % 3],
                    contact_name="C", intended_start=TODAY, decline_reason="no_capacity" if i % 3 == 1 else None))
            db.session.commit()

    counts = []
    for n in (5, 95):
        fill(n)
        with count_queries() as statements:
            for page in pages:
                assert client.get(page).status_code == 200, page
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- CSRF (tests/test_csrf.py) ---------------------------------------------------------------------

def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """The URL and valid form data of a request that changes something, its user signed in: the
    objects' case in process direction with collective consent and a process director; the open
    request to the objects' provider (accepted for the commitment steps)."""
    from tests.test_access_policy import POST_DATA

    app, objects = env.app, env.objects
    with app.app_context():
        case = db.session.get(Case, objects.case_id)
        request = db.session.get(ProviderRequest, objects.request_id)
        case.status, case.consent_collective = "process_direction", True
        if endpoint in ("commitments.commitment_start", "commitments.commitment_end"):
            request.status = "accepted"
        db.session.commit()
    if endpoint == "commitments.request_page":
        env.login_as("provider_member", organisation_id=objects.provider.id)
    else:
        director = env.login_as("ret_member", organisation_id=objects.ret_org.id)
        with app.app_context():
            db.session.get(Case, objects.case_id).process_director_id = director.id
            db.session.commit()
    paths = {"commitments.case_requests": f"/casussen/{objects.case_id}/verzoeken",
             "commitments.request_page": f"/verzoeken/{objects.request_id}",
             "commitments.request_withdraw": f"/verzoeken/{objects.request_id}/intrekken",
             "commitments.commitment_start": f"/verzoeken/{objects.request_id}/gestart",
             "commitments.commitment_end": f"/verzoeken/{objects.request_id}/beeindigd"}
    return paths[endpoint], POST_DATA[endpoint](objects)
