"""CSRF protection on every state-changing route.

The list of routes comes from `app.url_map`: a new POST/PUT/PATCH/DELETE route fails here until it
has a scenario below. Each scenario sends the request the way a real user (of a role that may use
the route, or anonymous for public routes) would, once without a token, once with a wrong token and
once with another session's token: each must answer 400 and change nothing. The same request with
the right token is the control: it must do what it is for, so the 400s are CSRF and nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Optional

import pyotp
import pytest
import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.models import User, WebSession
from tests.conftest import TEST_PASSWORD, csrf_token, signed_in, totp_code
from tests.test_access_policy import (  # noqa: F401  (objects is a fixture used by the admin scenarios)
    POST_DATA,
    _live_session,
    age_authentication,
    build_url,
    db_snapshot,
    objects,
    path_of,
)

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
NEW_PASSWORD = "een heel ander wachtwoord 42"


def _state_changing_routes() -> set[tuple[str, str]]:
    # The app factory touches no database, so an app made here only to read its url map is cheap.
    app = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in (rule.methods or set()) & MUTATING}


ROUTES = _state_changing_routes()


@dataclass
class Scenario:
    url: str
    data: Callable[[], dict] = dict
    # Extra checks beyond "the database is as before" / "the database changed".
    unchanged: Callable[[], None] = lambda: None
    changed: Optional[Callable] = None  # called with the control response; default: database changed
    db_changes: bool = True  # does the control request change a database table we snapshot?


@dataclass
class Env:
    app: object
    client: object
    factory: object
    login_as: Callable
    objects: object
    extra: dict = field(default_factory=dict)


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        db.session.remove()
        return user


def _session_live(app, row_id: int) -> bool:
    with app.app_context():
        row = db.session.get(WebSession, row_id)
        live = row.ended_at is None
        db.session.remove()
        return live


def _html_lang(client, path="/inloggen") -> str:
    return re.search(r'<html lang="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _issue_activation(app, user_id: int) -> str:
    from ret_app.auth import services as auth_services
    from ret_app.models import ActivationPurpose

    with app.app_context():
        token = auth_services.issue_activation(db.session.get(User, user_id), ActivationPurpose.ACTIVATE, None)
        db.session.commit()
        db.session.remove()
        return token


def _password_step(client, user: User) -> None:
    token = csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    assert path_of(response.headers["Location"]) == "/inloggen/verificatie"


# --- scenarios per endpoint ----------------------------------------------------------------

def s_set_language(env: Env) -> Scenario:
    assert _html_lang(env.client) == "nl"

    def changed(response):
        assert response.status_code == 302
        assert _html_lang(env.client) == "en"

    return Scenario("/taal", lambda: {"lang": "en", "next": "/inloggen"},
                    unchanged=lambda: _html_lang(env.client) == "nl" or pytest.fail("language changed"),
                    changed=changed, db_changes=False)


def s_login(env: Env) -> Scenario:
    user = env.factory.user("chair")

    def unchanged():
        # No password step recorded: the second-factor page sends you back.
        assert path_of(env.client.get("/inloggen/verificatie").headers["Location"]) == "/inloggen"

    def changed(response):
        assert path_of(response.headers["Location"]) == "/inloggen/verificatie"

    return Scenario("/inloggen", lambda: {"email": user.email, "password": TEST_PASSWORD},
                    unchanged=unchanged, changed=changed, db_changes=False)


def s_second_factor(env: Env) -> Scenario:
    user = env.factory.user("chair")
    _password_step(env.client, user)

    def changed(response):
        assert response.status_code == 302 and signed_in(env.client)

    return Scenario("/inloggen/verificatie", lambda: {"code": totp_code(env.app, user.id)},
                    unchanged=lambda: signed_in(env.client) and pytest.fail("signed in without CSRF token"),
                    changed=changed, db_changes=False)


def s_recovery_code(env: Env) -> Scenario:
    from ret_app.auth import services as auth_services

    user = env.factory.user("chair")
    with env.app.app_context():
        codes = auth_services.replace_recovery_codes(db.session.get(User, user.id))
        db.session.commit()
        db.session.remove()
    _password_step(env.client, user)

    def changed(response):
        assert response.status_code == 302 and signed_in(env.client)

    return Scenario("/inloggen/herstelcode", lambda: {"code": codes[0]},
                    unchanged=lambda: signed_in(env.client) and pytest.fail("signed in without CSRF token"),
                    changed=changed)  # the code is used up


def s_logout(env: Env) -> Scenario:
    env.login_as("chair")

    def changed(response):
        assert response.status_code == 302 and not signed_in(env.client)

    return Scenario("/uitloggen", unchanged=lambda: signed_in(env.client) or pytest.fail("signed out"),
                    changed=changed)


def s_reauthenticate(env: Env) -> Scenario:
    env.login_as("admin")
    age_authentication(env.client)
    fresh_url = build_url(env.app, "admin.user_edit", env.objects)

    def unchanged():
        assert path_of(env.client.get(fresh_url).headers["Location"]) == "/herbevestigen"

    def changed(response):
        assert response.status_code == 302 and env.client.get(fresh_url).status_code == 200

    return Scenario(f"/herbevestigen?next={fresh_url}", lambda: {"password": TEST_PASSWORD},
                    unchanged=unchanged, changed=changed, db_changes=False)


def s_activate(env: Env) -> Scenario:
    pending = env.factory.user("caseworker", env.objects.access_team.id, activated=False)
    token = _issue_activation(env.app, pending.id)

    def changed(response):
        assert path_of(response.headers["Location"]) == "/activeren/tweede-factor"
        assert _user(env.app, pending.id).password_hash

    return Scenario(f"/activeren/{token}", lambda: {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
                    unchanged=lambda: _user(env.app, pending.id).password_hash is None or pytest.fail("password set"),
                    changed=changed)


def s_enrol(env: Env) -> Scenario:
    pending = env.factory.user("caseworker", env.objects.access_team.id, activated=False)
    token = _issue_activation(env.app, pending.id)
    form_token = csrf_token(env.client, f"/activeren/{token}")
    response = env.client.post(f"/activeren/{token}", data={
        "csrf_token": form_token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert path_of(response.headers["Location"]) == "/activeren/tweede-factor"
    with env.client.session_transaction() as sess:
        secret = sess["enrol"]["secret"]

    def changed(response):
        assert response.status_code == 200 and _user(env.app, pending.id).activated_at is not None

    return Scenario("/activeren/tweede-factor", lambda: {"code": pyotp.TOTP(secret).now()},
                    unchanged=lambda: _user(env.app, pending.id).activated_at is None or pytest.fail("activated"),
                    changed=changed)


def s_change_password(env: Env) -> Scenario:
    env.login_as("ret_member")
    return Scenario("/account/wachtwoord", lambda: {
        "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})


def s_end_session(env: Env) -> Scenario:
    user = env.login_as("provider_member")
    other = _live_session(env.app, user.id)
    return Scenario(f"/account/sessies/{other}/beeindigen",
                    unchanged=lambda: _session_live(env.app, other) or pytest.fail("session ended"))


def s_end_other_sessions(env: Env) -> Scenario:
    user = env.login_as("network_liaison")
    other = _live_session(env.app, user.id)
    return Scenario("/account/sessies/andere-beeindigen",
                    unchanged=lambda: _session_live(env.app, other) or pytest.fail("session ended"))


def s_new_recovery_codes(env: Env) -> Scenario:
    env.login_as("analyst")
    return Scenario("/account/herstelcodes")


def s_admin(endpoint: str) -> Callable[[Env], Scenario]:
    """Admin routes: the valid form data of the access-policy tests, sent by a signed-in admin."""

    def scenario(env: Env) -> Scenario:
        env.login_as("admin")
        return Scenario(build_url(env.app, endpoint, env.objects), lambda: POST_DATA[endpoint](env.objects))

    return scenario


def s_case(endpoint: str, role: str, organisation: str) -> Callable[[Env], Scenario]:
    """Case routes: the access-policy form data, sent by a user related to the objects' case
    (the chair of its region, or a caseworker of its access team)."""

    def scenario(env: Env) -> Scenario:
        env.login_as(role, organisation_id=getattr(env.objects, organisation).id)
        return Scenario(build_url(env.app, endpoint, env.objects), lambda: POST_DATA[endpoint](env.objects))

    return scenario


def s_erasure_closed(endpoint: str, path: str) -> Callable[[Env], Scenario]:
    """Retention and erasure on a closed case of the objects' region (a hold placed, the retention extended),
    by the region's chair."""

    def scenario(env: Env) -> Scenario:
        env.login_as("chair", organisation_id=env.objects.ret_org.id)
        case_id = env.factory.case(env.objects.target, env.objects.municipality, status="closed",
                                   closed_at=datetime.now(timezone.utc))
        return Scenario(f"/casussen/{case_id}/{path}", lambda: POST_DATA[endpoint](env.objects))

    return scenario


def s_list_approve(env: Env) -> Scenario:
    """The destruction list of the objects' region, approved by its privacy officer."""
    env.login_as("privacy_officer", organisation_id=env.objects.ret_org.id)
    return Scenario(build_url(env.app, "erasure.list_approve", env.objects),
                    lambda: POST_DATA["erasure.list_approve"](env.objects))


def s_outcome(env: Env) -> Scenario:
    """The outcome of a case in process direction of the objects' region, recorded by the region's chair."""
    env.login_as("chair", organisation_id=env.objects.ret_org.id)
    case_id = env.factory.case(env.objects.target, env.objects.municipality, status="process_direction")
    return Scenario(f"/casussen/{case_id}/uitkomst", lambda: POST_DATA["outcomes.outcome_page"](env.objects))


def _concept(env: Env, **fields) -> tuple[User, int]:
    """A caseworker of the objects' access team, signed in, with a concept referral of their own."""
    user = env.login_as("caseworker", organisation_id=env.objects.access_team.id)
    return user, env.factory.case(user, env.objects.municipality, status="concept", **fields)


def _row(env: Env, obj) -> int:
    with env.app.app_context():
        db.session.add(obj)
        db.session.commit()
        row_id = obj.id
        db.session.remove()
        return row_id


def s_referral(endpoint: str) -> Callable[[Env], Scenario]:
    """Referral routes (aanmelding, family, help tried before, consent, attachments) on a concept of
    the signed-in caseworker, with whatever row the route acts on."""
    from datetime import date, timedelta
    from io import BytesIO

    from ret_app.models import Attachment, Consent, FamilyMember, LegalGround, PriorHelp

    def scenario(env: Env) -> Scenario:
        seventeen = date.today() - timedelta(days=365 * 17 + 30)
        user, case_id = _concept(env, birth_date=seventeen)
        base = f"/casussen/{case_id}"
        if endpoint == "referrals.referral_edit":
            return Scenario(f"{base}/aanmelding", lambda: {"youth_first_name": "Anders", "urgency": "regular",
                                                           "version": "1"})
        if endpoint == "referrals.referral_submit":
            _row(env, Consent(case_id=case_id, scope="ret", given_by_role="youth", given_on=date.today(),
                              form="written", recorded_by_id=user.id))
            return Scenario(f"{base}/aanmelding/indienen")
        if endpoint == "referrals.family_add":
            return Scenario(f"{base}/aanmelding/gezin", lambda: {"member-relation": "mother"})
        if endpoint in ("referrals.family_edit", "referrals.family_remove"):
            member = _row(env, FamilyMember(case_id=case_id, relation="father", parental_authority=False))
            if endpoint == "referrals.family_remove":
                return Scenario(f"{base}/aanmelding/gezin/{member}/verwijderen")
            return Scenario(f"{base}/aanmelding/gezin/{member}", lambda: {f"member-{member}-relation": "guardian"})
        if endpoint == "referrals.prior_help_add":
            return Scenario(f"{base}/aanmelding/eerdere-hulp", lambda: {"help-provider": "Accare",
                                                                       "help-help_type": "Ambulant"})
        if endpoint == "referrals.prior_help_remove":
            item = _row(env, PriorHelp(case_id=case_id, provider="Accare", help_type="Ambulant"))
            return Scenario(f"{base}/aanmelding/eerdere-hulp/{item}/verwijderen")
        if endpoint == "referrals.consent_page":
            return Scenario(f"{base}/toestemming", lambda: {
                "consent-cells": ["youth:collective", "youth:network"], "consent-given_on": date.today().isoformat(),
                "consent-kind": "verbal"})
        if endpoint == "referrals.consent_withdraw":
            record = _row(env, Consent(case_id=case_id, scope="ret", given_by_role="youth",
                                       given_on=date.today() - timedelta(days=1), form="written",
                                       recorded_by_id=user.id))
            return Scenario(f"{base}/toestemming/{record}/intrekken",
                            lambda: {f"withdraw-{record}-withdrawn_on": date.today().isoformat()})
        if endpoint == "referrals.legal_ground_add":
            return Scenario(f"{base}/toestemming/grondslag", lambda: {"ground-scope": "network",
                                                                     "ground-reason": "Veiligheid"})
        if endpoint == "referrals.legal_ground_end":
            ground = _row(env, LegalGround(case_id=case_id, scope="ret", reason="Veiligheid", recorded_by_id=user.id))
            return Scenario(f"{base}/toestemming/grondslag/{ground}/beeindigen")
        if endpoint == "referrals.attachment_upload":
            def uploaded(response):
                from ret_app.referrals.attachments import discard_file

                assert response.status_code == 302
                with env.app.app_context():
                    [row] = db.session.query(Attachment).filter_by(case_id=case_id).all()
                    discard_file(row.storage_key)  # leave no file behind in the shared test directory
                    db.session.remove()

            return Scenario(f"{base}/bijlagen", lambda: {"attachment-file": (BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf")},
                            changed=uploaded)
        if endpoint == "referrals.attachment_delete":
            attachment = _row(env, Attachment(case_id=case_id, filename="a.pdf", content_type="application/pdf",
                                              size=1, sha256="0" * 64, storage_key="ab" * 20, uploaded_by_id=user.id))
            return Scenario(f"{base}/bijlagen/{attachment}/verwijderen")
        raise AssertionError(f"no referral scenario for {endpoint}")

    return scenario


def s_screening(endpoint: str) -> Callable[[Env], Scenario]:
    """Screening and participant routes, sent by the process director of the objects' case (put in
    the screening stage by tests/test_screening.py:prepare_for_csrf)."""

    def scenario(env: Env) -> Scenario:
        from tests.test_screening import prepare_for_csrf

        url, data = prepare_for_csrf(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_plan(endpoint: str) -> Callable[[Env], Scenario]:
    """Plan routes, sent by the process director of the objects' case (put in process direction with a
    plan by tests/test_plans.py:prepare_for_csrf)."""

    def scenario(env: Env) -> Scenario:
        from tests.test_plans import prepare_for_csrf as prepare_plan

        url, data = prepare_plan(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_planning(endpoint: str) -> Callable[[Env], Scenario]:
    """Planning routes, sent by a chair of the objects' region on a planned session of theirs
    (tests/test_meeting_planning.py:prepare_for_csrf)."""

    def scenario(env: Env) -> Scenario:
        from tests.test_meeting_planning import prepare_for_csrf

        url, data = prepare_for_csrf(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_live(endpoint: str) -> Callable[[Env], Scenario]:
    """Live session routes, sent by a chair of the objects' region on its session in progress."""

    def scenario(env: Env) -> Scenario:
        from tests.test_meeting_live import prepare_for_csrf as prepare_live

        url, data = prepare_live(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_case_search(env: Env) -> Scenario:
    """The case search: the term (maybe a name) is POSTed and kept in the session, never put in a URL."""
    env.login_as("chair")

    def kept_terms() -> list:
        with env.client.session_transaction() as sess:
            return sess.get("case_search_terms", [])

    def changed(response):
        assert response.status_code == 302 and "zoek=" in response.headers["Location"]
        assert [term for _id, term in kept_terms()] == ["Noor"]

    return Scenario("/casussen", lambda: POST_DATA["cases.case_list"](env.objects),
                    unchanged=lambda: kept_terms() == [] or pytest.fail("search term kept"),
                    changed=changed, db_changes=False)


def s_collective(endpoint: str) -> Callable[[Env], Scenario]:
    """The collective: the access-policy form data, sent by a provider member of the objects'
    collective provider (its profile, contact persons and capacity are theirs to keep)."""

    def scenario(env: Env) -> Scenario:
        env.login_as("provider_member", organisation_id=env.objects.provider.id)
        return Scenario(build_url(env.app, endpoint, env.objects), lambda: POST_DATA[endpoint](env.objects))

    return scenario


def s_commitments(endpoint: str) -> Callable[[Env], Scenario]:
    """Requests and commitments (tests/test_commitments_pages.py:prepare_for_csrf): the process
    director asks, withdraws, records a start or end; the provider member answers."""

    def scenario(env: Env) -> Scenario:
        from tests.test_commitments_pages import prepare_for_csrf

        url, data = prepare_for_csrf(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_escalations(endpoint: str) -> Callable[[Env], Scenario]:
    """Escalations (tests/test_escalations_pages.py:prepare_for_csrf): the chair of the objects' region
    drafts one, reminds the network, sets a new date, withdraws, answers the network's question."""

    def scenario(env: Env) -> Scenario:
        from tests.test_escalations_pages import prepare_for_csrf

        url, data = prepare_for_csrf(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_rereferral(endpoint: str) -> Callable[[Env], Scenario]:
    """The chair's decision on an earlier case of the same youth (tests/test_rereferrals.py:prepare_for_csrf)."""

    def scenario(env: Env) -> Scenario:
        from tests.test_rereferrals import prepare_for_csrf

        url, data = prepare_for_csrf(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_inspection(endpoint: str) -> Callable[[Env], Scenario]:
    """The chair's inspection and correction requests (tests/test_inspection.py:prepare_for_csrf)."""

    def scenario(env: Env) -> Scenario:
        from tests.test_inspection import prepare_for_csrf

        url, data = prepare_for_csrf(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_escalations_network(endpoint: str) -> Callable[[Env], Scenario]:
    """The network liaison's forms (tests/test_escalations_liaison.py:prepare_for_csrf): a liaison of the
    objects' network accepts the escalation, names a process director, asks a question, answers, closes."""

    def scenario(env: Env) -> Scenario:
        from tests.test_escalations_liaison import prepare_for_csrf

        url, data = prepare_for_csrf(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_vignettes(endpoint: str) -> Callable[[Env], Scenario]:
    """Learning vignettes (tests/test_vignettes.py:prepare_for_csrf): the chair of the objects' region
    generates one of the closed case, saves its text, approves it, withdraws it."""

    def scenario(env: Env) -> Scenario:
        from tests.test_vignettes import prepare_for_csrf

        url, data = prepare_for_csrf(env, endpoint)
        return Scenario(url, lambda: dict(data))

    return scenario


def s_notifications(endpoint: str) -> Callable[[Env], Scenario]:
    """Notifications: a signed-in user with an unread notification of their own marks it read (or all),
    opens it, or changes their choice per kind."""

    def scenario(env: Env) -> Scenario:
        from ret_app.notifications import notify

        user = env.login_as("caseworker", organisation_id=env.objects.access_team.id)
        with env.app.app_context():
            [notification_id] = notify([user.id], "session_invitation", "/start", "csrf-test:notification")
            db.session.commit()
            db.session.remove()
        paths = {"notifications.open_one": f"/meldingen/{notification_id}/openen",
                 "notifications.mark": f"/meldingen/{notification_id}/gelezen",
                 "notifications.mark_all": "/meldingen/alles-gelezen",
                 "notifications.preferences": "/account/meldingen"}
        return Scenario(paths[endpoint], lambda: POST_DATA[endpoint](env.objects))

    return scenario


def s_exports(env: Env) -> Scenario:
    """Asking for an export (the tests' kind anyone may ask for): the control makes the job."""
    from tests import export_kinds

    export_kinds.register()
    env.login_as("chair", organisation_id=env.objects.ret_org.id)
    return Scenario(f"/exports/{export_kinds.ANYONE}/aanvragen", lambda: {"steps": "3"})


SCENARIOS: dict[tuple[str, str], Callable[[Env], Scenario]] = {
    ("main.set_language", "POST"): s_set_language,
    ("auth.login", "POST"): s_login,
    ("auth.second_factor", "POST"): s_second_factor,
    ("auth.recovery_code", "POST"): s_recovery_code,
    ("auth.logout", "POST"): s_logout,
    ("auth.reauthenticate", "POST"): s_reauthenticate,
    ("auth.activate", "POST"): s_activate,
    ("auth.enrol", "POST"): s_enrol,
    ("account.change_password", "POST"): s_change_password,
    ("account.end_session", "POST"): s_end_session,
    ("account.end_other_sessions", "POST"): s_end_other_sessions,
    ("account.new_recovery_codes", "POST"): s_new_recovery_codes,
    **{(endpoint, "POST"): s_admin(endpoint) for endpoint in (
        "admin.networks", "admin.network_edit", "admin.regions", "admin.region_edit", "admin.region_norms", "admin.municipalities",
        "admin.municipality_edit", "admin.organisations", "admin.organisation_edit", "admin.user_new",
        "admin.user_edit", "admin.user_deactivate", "admin.user_reactivate", "admin.user_reset_2fa",
        "admin.user_activation_link", "admin.mandate_new", "admin.mandate_detail",
        "caretypes.catalogue", "caretypes.edit", "caretypes.retire", "caretypes.reactivate", "caretypes.remove",
        "outcomes.taxonomy_page", "outcomes.category_edit", "outcomes.category_retire",
        "outcomes.category_reactivate",
        "api_tokens.token_new", "api_tokens.token_rotate", "api_tokens.token_revoke")},
    ("outcomes.outcome_page", "POST"): s_outcome,
    ("referrals.referral_new", "POST"): s_case("referrals.referral_new", "caseworker", "access_team"),
    ("cases.case_list", "POST"): s_case_search,
    ("cases.case_step", "POST"): s_case("cases.case_step", "chair", "ret_org"),
    ("cases.intake_decision", "POST"): s_case("cases.intake_decision", "chair", "ret_org"),
    **{(endpoint, "POST"): s_referral(endpoint) for endpoint in (
        "referrals.referral_edit", "referrals.referral_submit", "referrals.family_add", "referrals.family_edit",
        "referrals.family_remove", "referrals.prior_help_add", "referrals.prior_help_remove", "referrals.consent_page",
        "referrals.consent_withdraw", "referrals.legal_ground_add", "referrals.legal_ground_end", "referrals.attachment_upload",
        "referrals.attachment_delete")},
    **{(endpoint, "POST"): s_screening(endpoint) for endpoint in (
        "screening.participant_invite", "screening.participant_remove", "screening.screening_contribution_save",
        "screening.screening_texts_save", "screening.screening_finalise", "screening.screening_addendum_add")},
    # the process direction plan
    **{(endpoint, "POST"): s_plan(endpoint) for endpoint in (
        "plans.goal_add", "plans.goal_save", "plans.goal_remove", "plans.review_add", "plans.review_record",
        "plans.review_cancel", "plans.plan_agree", "plans.fitting_help")},
    # sessions: minutes, actions, follow-up
    ("meetings.addendum_add", "POST"): s_case("meetings.addendum_add", "chair", "ret_org"),
    ("actions.set_status", "POST"): s_case("actions.set_status", "chair", "ret_org"),
    ("meetings.followup_answer", "POST"): s_admin("meetings.followup_answer"),
    # sessions: live
    **{(endpoint, "POST"): s_live(endpoint) for endpoint in (
        "meetings.check_in", "meetings.item_activate", "meetings.item_notes", "meetings.decision_add",
        "meetings.action_add")},
    # sessions: planning
    **{(endpoint, "POST"): s_planning(endpoint) for endpoint in (
        "meetings.new", "meetings.edit", "meetings.item_add", "meetings.item_remove", "meetings.item_move",
        "meetings.step")},
    # the collective
    **{(endpoint, "POST"): s_collective(endpoint) for endpoint in (
        "collective.profile_edit", "collective.contact_add", "collective.contact_remove", "collective.capacity_edit")},
    # requests and commitments
    **{(endpoint, "POST"): s_commitments(endpoint) for endpoint in (
        "commitments.case_requests", "commitments.request_page", "commitments.request_withdraw",
        "commitments.commitment_start", "commitments.commitment_end")},
    # escalations to the network
    **{(endpoint, "POST"): s_escalations(endpoint) for endpoint in (
        "escalations.escalation_form", "escalations.escalation_remind", "escalations.escalation_new_date",
        "escalations.escalation_withdraw", "escalations.escalation_reply")},
    # the network liaison's side of escalations
    **{(endpoint, "POST"): s_escalations_network(endpoint) for endpoint in (
        "escalations.network_step", "escalations.network_director", "escalations.network_message",
        "escalations.network_answer", "escalations.network_close")},
    # re-referral
    ("rereferrals.decide", "POST"): s_rereferral("rereferrals.decide"),
    # inspection and correction requests
    **{(endpoint, "POST"): s_inspection(endpoint) for endpoint in (
        "inspection.requests_page", "inspection.inspection_step", "inspection.inspection_withheld",
        "inspection.correction_form", "inspection.correction_page")},
    # export jobs
    ("exports.request_export", "POST"): s_exports,
    # gap signals: the chair of the objects' region responds to its signal
    ("signals.signal_page", "POST"): s_case("signals.signal_page", "chair", "ret_org"),
    # the signal report, asked for as an export job on the gap overview
    ("signals.report_request", "POST"): s_case("signals.report_request", "chair", "ret_org"),
    # retention and erasure: the chair of the objects' region; the privacy officer approves the list
    **{(endpoint, "POST"): s_case(endpoint, "chair", "ret_org") for endpoint in (
        "erasure.request_record", "erasure.hold_lift", "erasure.request_page", "erasure.entry_take_off")},
    ("erasure.hold_place", "POST"): s_erasure_closed("erasure.hold_place", "bewaring"),
    ("erasure.retention_extend", "POST"): s_erasure_closed("erasure.retention_extend", "bewaartermijn"),
    ("erasure.list_approve", "POST"): s_list_approve,
    # notifications
    **{(endpoint, "POST"): s_notifications(endpoint) for endpoint in (
        "notifications.open_one", "notifications.mark", "notifications.mark_all", "notifications.preferences")},
    # learning vignettes
    **{(endpoint, "POST"): s_vignettes(endpoint) for endpoint in (
        "vignettes.generate", "vignettes.save", "vignettes.approve", "vignettes.withdraw", "vignettes.pack_request")},
}


def test_every_state_changing_route_has_a_scenario():
    missing = sorted(ROUTES - set(SCENARIOS))
    stale = sorted(set(SCENARIOS) - ROUTES)
    assert not missing, f"state-changing routes without a CSRF scenario in {__name__}: {missing}"
    assert not stale, f"CSRF scenarios for routes that no longer exist: {stale}"


def _assert_refused(response, htmx: bool) -> None:
    assert response.status_code == 400, response.status_code
    body = response.get_data(as_text=True)
    assert 'class="ret-error"' in body
    if htmx:
        assert "<html" not in body  # a fragment for htmx, never a whole page inside the target
    else:
        assert '<main id="main"' in body  # the error page in the layout, not a bare message
    assert "Traceback" not in body


@pytest.mark.parametrize("endpoint,method", sorted(ROUTES | set(SCENARIOS)))
def test_state_changing_route_needs_csrf_token(app, client, factory, login_as, objects, endpoint, method):  # noqa: F811
    assert (endpoint, method) in SCENARIOS, f"no CSRF scenario for {method} {endpoint}"
    assert (endpoint, method) in ROUTES, f"{method} {endpoint} no longer exists"
    env = Env(app, client, factory, login_as, objects)
    scenario = SCENARIOS[(endpoint, method)](env)
    good_token = csrf_token(client, "/geen-pagina")  # any page in the layout carries the token
    other_client = app.test_client()
    other_session_token = csrf_token(other_client, "/inloggen")
    assert other_session_token != good_token
    before = db_snapshot(app)

    attempts = {
        "no token": ({}, {}),
        "empty token": ({"csrf_token": ""}, {}),
        "garbage token": ({"csrf_token": "not-a-real-token"}, {}),
        "tampered token": ({"csrf_token": good_token[:-2] + ("AA" if not good_token.endswith("AA") else "BB")}, {}),
        "another session's token": ({"csrf_token": other_session_token}, {}),
        "wrong htmx header": ({}, {"HX-Request": "true", "X-CSRFToken": other_session_token}),
    }
    for label, (extra, headers) in attempts.items():
        response = client.open(scenario.url, method=method, data={**scenario.data(), **extra}, headers=headers)
        assert response.status_code == 400, f"{label}: {response.status_code}"
        _assert_refused(response, htmx=bool(headers))
        assert db_snapshot(app) == before, f"{label}: the database changed"
        scenario.unchanged()

    # Control: the same request with this session's token does its work.
    response = client.open(scenario.url, method=method, data={**scenario.data(), "csrf_token": good_token})
    assert response.status_code in (200, 302), response.status_code
    assert "utrecht-form-field--invalid" not in response.get_data(as_text=True)
    if scenario.changed is not None:
        scenario.changed(response)
    if scenario.db_changes:
        assert db_snapshot(app) != before, "the control request with a valid token changed nothing"


# --- the token in the layout and the htmx header ---------------------------------------------

BODY_RE = re.compile(r"<body[^>]*\shx-headers='([^']*)'")


def _layout_token(client, path: str) -> str:
    match = BODY_RE.search(client.get(path).get_data(as_text=True))
    assert match, f"no hx-headers on <body> of {path}"
    headers = json.loads(match.group(1))
    assert set(headers) == {"X-CSRFToken"}
    assert headers["X-CSRFToken"]
    return headers["X-CSRFToken"]


def test_layout_carries_token_in_hx_headers(app, client, login_as):
    anonymous = _layout_token(client, "/inloggen")
    # Error pages carry the same session token too. The signed form embeds a timestamp, so
    # compare the payload (the part before the first dot), not the whole string.
    assert _layout_token(client, "/bestaat-niet").split(".")[0] == anonymous.split(".")[0]
    login_as("chair")
    for path in ("/start", "/account/", "/account/wachtwoord"):
        _layout_token(client, path)


def test_htmx_post_with_header_token_changes_language(app, client):
    token = _layout_token(client, "/inloggen")
    response = client.post("/taal", data={"lang": "en", "next": "/inloggen"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302
    assert _html_lang(client) == "en"


def test_htmx_post_with_header_token_ends_other_sessions(app, client, login_as):
    user = login_as("caseworker")
    other = _live_session(app, user.id)
    token = _layout_token(client, "/account/")
    response = client.post("/account/sessies/andere-beeindigen", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302
    assert not _session_live(app, other)
    assert signed_in(client)  # the current session stays


def test_token_is_bound_to_the_session(app, client, login_as):
    """A token seen before signing in does not work after: sign-in starts a new session."""
    before_login = csrf_token(client, "/inloggen")
    login_as("chair")
    response = client.post("/taal", data={"lang": "en", "csrf_token": before_login})
    assert response.status_code == 400
    assert _html_lang(client, "/start") == "nl"
    assert client.post("/taal", data={"lang": "en", "csrf_token": csrf_token(client, "/start")}).status_code == 302
    assert _html_lang(client, "/start") == "en"
