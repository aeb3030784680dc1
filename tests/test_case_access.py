"""Per-object access to case routes over HTTP: every role × own case / case of another team /
case of another region; a forbidden case answers 404 and the denial is audited."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import AuditEvent, CaseParticipant, Consent
from tests.conftest import csrf_token, login


@pytest.fixture
def world(app, make_world, factory):
    w = make_world()
    users = {"chair": w.chair, "ret_member": w.member, "caseworker": w.caseworker,
             "provider_member": w.provider_member, "network_liaison": w.network_liaison, "analyst": w.analyst,
             "privacy_officer": w.privacy_officer, "admin": w.admin}
    cases = {
        "own": factory.case(w.caseworker, w.municipality, status="submitted", consent_collective=True),
        "other_team": factory.case(w.other_caseworker, w.other_municipality, status="submitted",
                                   consent_collective=True),
        "other_region": factory.case(w.elsewhere.caseworker, w.elsewhere.municipality, status="submitted",
                                     consent_collective=True),
    }
    with app.app_context():
        db.session.add(CaseParticipant(case_id=cases["own"], role="provider", organisation_id=w.provider.id,
                                       invited_by_id=w.chair.id))
        db.session.commit()
    return users, cases


# role -> which of the cases its case page opens for (the others answer 404, wrong roles 403)
CASE_PAGE = {
    "chair": {"own", "other_team"},
    "ret_member": {"own", "other_team"},
    "caseworker": {"own"},
    "provider_member": {"own"},
    "network_liaison": "403",
    "analyst": set(),  # the analyst sees aggregates only: every case answers 404
    "privacy_officer": set(),  # audit data and requests, no case content: every case answers 404
    "admin": "403",
}
INTAKE = {
    "chair": {"own", "other_team"},
    "ret_member": "403", "caseworker": "403", "provider_member": "403",
    "network_liaison": "403", "analyst": set(), "privacy_officer": set(), "admin": "403",
}


@pytest.mark.parametrize("role", sorted(CASE_PAGE))
@pytest.mark.parametrize("route,table", [("/casussen/{id}", CASE_PAGE), ("/casussen/{id}/intake", INTAKE)])
def test_case_routes_per_object(app, client, world, role, route, table):
    users, cases = world
    login(client, app, users[role])
    expected = table[role]
    for name, case_id in cases.items():
        response = client.get(route.format(id=case_id))
        if expected == "403":
            assert response.status_code == 403, (role, name)
        elif name in expected:
            assert response.status_code == 200, (role, name, response.status_code)
        else:
            assert response.status_code == 404, (role, name, response.status_code)
            with app.app_context():
                denied = db.session.scalars(select(AuditEvent).where(
                    AuditEvent.case_id == case_id, AuditEvent.outcome == "denied",
                    AuditEvent.user_id == users[role].id)).all()
            assert denied, "a refused case is recorded in the audit trail"


def test_steps_on_a_case_of_another_region_answer_404_and_change_nothing(app, client, world):
    users, cases = world
    login(client, app, users["chair"])
    token = csrf_token(client, "/start")
    r = client.post(f"/casussen/{cases['other_region']}/stap/pause", data={"csrf_token": token, "reason": "x"})
    assert r.status_code == 404
    from ret_app.models import Case

    with app.app_context():
        assert db.session.get(Case, cases["other_region"]).status == "submitted"


def test_reading_a_case_is_audited_with_its_id(app, client, world):
    users, cases = world
    login(client, app, users["ret_member"])
    assert client.get(f"/casussen/{cases['own']}").status_code == 200
    with app.app_context():
        reads = db.session.scalars(select(AuditEvent).where(
            AuditEvent.case_id == cases["own"], AuditEvent.action == "read",
            AuditEvent.user_id == users["ret_member"].id)).all()
    assert len(reads) == 1 and reads[0].outcome == "allowed"


def test_case_list_shows_only_visible_cases(app, client, world):
    users, cases = world
    from ret_app.models import Case

    with app.app_context():
        refs = {name: db.session.get(Case, cid).reference for name, cid in cases.items()}
    login(client, app, users["caseworker"])
    body = client.get("/casussen").get_data(as_text=True)
    assert refs["own"] in body and refs["other_team"] not in body and refs["other_region"] not in body
    # The search is POSTed (the term may be a name: never in a URL); htmx gets the results fragment.
    token = csrf_token(client, "/casussen")
    fragment = client.post("/casussen", data={"csrf_token": token, "q": refs["own"]},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert refs["own"] in fragment and "<html" not in fragment
    assert refs["other_team"] not in fragment


def test_chair_takes_a_referral_in_and_accepts_it(app, client, world):
    users, cases = world
    case_id = cases["own"]
    with app.app_context():
        from ret_app.models import Case

        case = db.session.get(Case, case_id)
        case.consents.append(Consent(scope="ret", given_by_role="youth", given_on=date.today() - timedelta(days=1),
                                     form="verbal", recorded_by_id=users["caseworker"].id))
        case.consent_ret = True
        case.youth_birth_date = date.today() - timedelta(days=365 * 17)
        db.session.commit()
        reference = case.reference
    login(client, app, users["chair"])
    assert reference in client.get("/intake").get_data(as_text=True)
    token = csrf_token(client, f"/casussen/{case_id}/intake")
    # Missing reason: error next to the field, the choices kept.
    r = client.post(f"/casussen/{case_id}/intake", data={
        "csrf_token": token, "decision": "accept", "accept-track": "process_direction", "accept-urgency": "urgent",
        "accept-process_director_id": str(users["ret_member"].id), "accept-reason": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="accept-reason-error"' in body and '<option selected value="urgent">' in body, body[body.find('<main'):][:3000]
    r = client.post(f"/casussen/{case_id}/intake", data={
        "csrf_token": token, "decision": "accept", "accept-track": "process_direction", "accept-urgency": "urgent",
        "accept-process_director_id": str(users["ret_member"].id), "accept-reason": "Meerdere leefgebieden"})
    assert r.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.status, case.track, case.urgency, case.process_director_id) == (
            "screening", "process_direction", "urgent", users["ret_member"].id)
        assert [t.to_status for t in case.transitions][-2:] == ["intake", "screening"]
        assert case.transitions[-1].actor_id == users["chair"].id
    assert reference not in client.get("/intake").get_data(as_text=True)


def test_chair_answers_with_advice(app, client, world):
    users, cases = world
    login(client, app, users["chair"])
    token = csrf_token(client, "/start")
    r = client.post(f"/casussen/{cases['own']}/intake", data={
        "csrf_token": token, "decision": "advice", "advice-advice": "Schakel de wijkcoach in."})
    assert r.status_code == 302
    from ret_app.models import Case

    with app.app_context():
        case = db.session.get(Case, cases["own"])
        assert case.status == "returned_with_advice" and case.advice == "Schakel de wijkcoach in."
    # The access team sees the advice on the case page.
    client2 = app.test_client()
    login(client2, app, users["caseworker"])
    assert "Schakel de wijkcoach in." in client2.get(f"/casussen/{cases['own']}").get_data(as_text=True)


def test_process_director_must_be_a_ret_member_of_the_region(app, client, world, factory):
    users, cases = world
    with app.app_context():
        from ret_app.models import Case

        case = db.session.get(Case, cases["own"])
        case.consents.append(Consent(scope="ret", given_by_role="youth", given_on=date.today(), form="verbal",
                                     recorded_by_id=users["caseworker"].id))
        case.consent_ret = True
        case.youth_birth_date = date.today() - timedelta(days=365 * 17)
        db.session.commit()
    login(client, app, users["chair"])
    token = csrf_token(client, "/start")
    r = client.post(f"/casussen/{cases['own']}/intake", data={
        "csrf_token": token, "decision": "accept", "accept-track": "consultation", "accept-urgency": "regular",
        "accept-process_director_id": str(users["caseworker"].id), "accept-reason": "x"})
    assert r.status_code == 200  # refused, form shown again
    with app.app_context():
        assert db.session.get(Case, cases["own"]).status == "submitted"


@pytest.mark.committing  # another connection must see (and change) the committed rows
def test_a_step_on_a_case_changed_meanwhile_is_refused_without_losing_anything(app, client, world, monkeypatch):
    """Two people act on one case at the same moment: the second save finds a newer version
    (optimistic locking) and gets a clear message instead of an error page."""
    from ret_app.models import Case

    users, cases = world
    login(client, app, users["chair"])
    token = csrf_token(client, "/start")
    real_apply = __import__("ret_app.cases.lifecycle", fromlist=["apply"]).apply

    def apply_while_someone_else_saves(case, user, name, **kwargs):
        # Another worker saves the same case after this request loaded it.
        with db.engine.begin() as conn:
            conn.execute(Case.__table__.update().where(Case.__table__.c.id == case.id)
                         .values(version=Case.__table__.c.version + 5))
        return real_apply(case, user, name, **kwargs)

    monkeypatch.setattr("ret_app.cases.lifecycle.apply", apply_while_someone_else_saves)
    r = client.post(f"/casussen/{cases['own']}/stap/pause", data={"csrf_token": token, "reason": "Bedenktijd"},
                    follow_redirects=True)
    assert r.status_code == 200
    assert 'role="alert"' in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, cases["own"]).status == "submitted"


SEES = {"chair": {"own", "other_team"}, "ret_member": {"own", "other_team"}, "caseworker": {"own"},
        "provider_member": {"own"}}
# The analyst sees aggregates only, the privacy officer audit data and requests: a case route answers 404
# to them (no case exists for them).
NO_CASE_ROLE = {"network_liaison": "403", "analyst": set(), "privacy_officer": set(), "admin": "403"}

# Every case page that takes only the case id: role -> the cases (all in status "submitted") it
# opens for; the others answer 404; "403" for a role that may not use the route at all.
CASE_GET_ROUTES = {
    "cases.case_page": {**SEES, **NO_CASE_ROLE},
    "cases.intake_decision": {"chair": {"own", "other_team"}, "ret_member": "403", "caseworker": "403",
                              "provider_member": "403", **NO_CASE_ROLE},
    # A submitted referral can no longer be edited, not even by its own access team.
    "referrals.referral_edit": {"chair": "403", "ret_member": "403", "caseworker": set(), "provider_member": "403",
                            **NO_CASE_ROLE},
    # Consent is recorded by the access team and the chair.
    "referrals.consent_page": {"chair": {"own", "other_team"}, "ret_member": set(), "caseworker": {"own"},
                           "provider_member": set(), **NO_CASE_ROLE},
    "screening.screening_page": {**SEES, **NO_CASE_ROLE},
    "screening.screening_report": {**SEES, **NO_CASE_ROLE},
    # Whoever sees the case reads its plan (a submitted case has none yet: an empty plan, a draft PDF).
    "plans.plan_page": {**SEES, **NO_CASE_ROLE},
    "plans.plan_pdf": {**SEES, **NO_CASE_ROLE},
}


# The blueprints whose routes are about one case (the case core, the referral, the screening, the plan).
CASE_BLUEPRINTS = ("cases.", "referrals.", "screening.", "plans.")


def test_every_case_page_with_only_a_case_id_is_in_the_matrix(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith(CASE_BLUEPRINTS) and rule.arguments == {"case_id"} and "GET" in rule.methods}
    assert routes == set(CASE_GET_ROUTES), sorted(routes ^ set(CASE_GET_ROUTES))


@pytest.mark.parametrize("endpoint", sorted(CASE_GET_ROUTES))
def test_case_get_routes_per_object(app, world, endpoint):
    from flask import url_for

    users, cases = world
    for role, expected in CASE_GET_ROUTES[endpoint].items():
        client = app.test_client()
        login(client, app, users[role])
        for name, case_id in cases.items():
            with app.test_request_context():
                url = url_for(endpoint, case_id=case_id)
            status = client.get(url).status_code
            want = 403 if expected == "403" else (200 if name in expected else 404)
            assert status == want, (endpoint, role, name, status)
