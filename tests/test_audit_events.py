"""The audit trail records what was refused or failed around a request, not only what a service did:
CSRF refusals, invalid activation links and enrolment steps, requests that end in a server error,
idle and absolute session timeouts (when the browser comes back, or at the nightly purge), and
re-authentication prompts. Each is written even though its request rolls back, and none holds a
URL, a token or what was typed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.kernel import uow
from ret_app.models import AuditEvent, Organisation, User, WebSession
from ret_app.policy import public
from ret_app.sessions import hash_token
from tests.conftest import TEST_PASSWORD, csrf_token, login, path_of, post_form, signed_in

NEW_PASSWORD = "lange zin met genoeg woorden"


def events(app, action: str, detail: Optional[str] = None) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        if detail is not None:
            stmt = stmt.where(AuditEvent.detail == detail)
        rows = list(db.session.scalars(stmt))
        for row in rows:
            db.session.expunge(row)
        return rows


def one_event(app, action: str, detail: str) -> AuditEvent:
    found = events(app, action, detail)
    assert len(found) == 1, [(e.action, e.detail) for e in events(app, action)]
    return found[0]


def assert_nowhere_in_the_trail(app, *secrets: str) -> None:
    with app.app_context():
        for row in db.session.execute(select(AuditEvent.__table__)):
            for value in row:
                assert not any(secret in str(value) for secret in secrets if secret), (row.action, row.detail)


def start_of_step() -> datetime:
    import time

    return datetime.fromtimestamp((int(time.time()) // 30) * 30 + 5, tz=timezone.utc)


# --- CSRF refusals ---------------------------------------------------------------------------------

def test_csrf_refusals_are_audited_with_the_route_and_the_reason(app, client, factory):
    r = client.post("/taal", data={"lang": "en", "next": "/inloggen"})
    assert r.status_code == 400
    anonymous = one_event(app, "request", "csrf_token_missing")
    assert (anonymous.outcome, anonymous.object_type, anonymous.object_id, anonymous.user_id) == \
        ("denied", "route", "main.set_language", None)

    user = factory.user("chair")
    login(client, app, user)
    other = app.test_client()
    foreign = csrf_token(other, "/inloggen")
    csrf_token(client, "/account/wachtwoord")  # this session has a token of its own
    r = client.post("/account/wachtwoord", data={"csrf_token": foreign, "current_password": TEST_PASSWORD,
                                                 "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert r.status_code == 400
    signed = one_event(app, "request", "csrf_token_mismatch")
    assert (signed.outcome, signed.object_id, signed.user_id) == ("denied", "account.change_password", user.id)
    r = client.post("/account/wachtwoord", data={"csrf_token": "rommel"}, headers={"HX-Request": "true"})
    assert r.status_code == 400
    assert one_event(app, "request", "csrf_token_invalid").user_id == user.id
    assert_nowhere_in_the_trail(app, foreign, TEST_PASSWORD, NEW_PASSWORD)


# --- invalid activation links ---------------------------------------------------------------------

def _pending_user_with_link(app, factory) -> tuple[User, str]:
    from ret_app.auth import services as auth_services
    from ret_app.models import ActivationPurpose

    pending = factory.user("caseworker", activated=False)
    with app.app_context():
        token = auth_services.issue_activation(db.session.get(User, pending.id), ActivationPurpose.ACTIVATE, None)
        db.session.commit()
        db.session.remove()
    return pending, token


def test_invalid_activation_links_are_audited_without_the_token(app, factory):
    unknown = "x" * 43
    assert app.test_client().get(f"/activeren/{unknown}").status_code == 404
    event = one_event(app, "activate", "invalid_link_unknown")
    assert (event.outcome, event.object_type, event.object_id) == ("denied", "user", None)

    pending, token = _pending_user_with_link(app, factory)
    browser = app.test_client()
    form_token = csrf_token(browser, f"/activeren/{token}")
    r = browser.post(f"/activeren/{token}", data={"csrf_token": form_token, "new_password": NEW_PASSWORD,
                                                  "confirm_password": NEW_PASSWORD})
    assert r.status_code == 302
    # Another browser with the used link: denied, for that account.
    assert app.test_client().get(f"/activeren/{token}").status_code == 404
    used = one_event(app, "activate", "invalid_link_used")
    assert (used.outcome, used.object_id) == ("denied", str(pending.id))

    expired_user, expired = _pending_user_with_link(app, factory)
    with freeze_time(datetime.now(timezone.utc) + timedelta(days=8)):
        assert app.test_client().get(f"/activeren/{expired}").status_code == 404
    assert one_event(app, "activate", "invalid_link_expired").object_id == str(expired_user.id)
    assert_nowhere_in_the_trail(app, unknown, token, expired, NEW_PASSWORD)


def test_enrolment_steps_without_a_valid_activation_are_audited(app, client, factory):
    assert client.get("/activeren/tweede-factor").status_code == 404
    assert one_event(app, "activate", "invalid_enrolment_not_started").outcome == "denied"

    pending, token = _pending_user_with_link(app, factory)
    form_token = csrf_token(client, f"/activeren/{token}")
    client.post(f"/activeren/{token}", data={"csrf_token": form_token, "new_password": NEW_PASSWORD,
                                             "confirm_password": NEW_PASSWORD})
    with app.app_context():
        db.session.get(User, pending.id).deactivated_at = datetime.now(timezone.utc)
        db.session.commit()
    assert client.get("/activeren/tweede-factor").status_code == 404
    ended = one_event(app, "activate", "invalid_enrolment_no_longer_valid")
    assert (ended.outcome, ended.object_id) == ("denied", str(pending.id))


# --- server errors ------------------------------------------------------------------------------------

@pytest.fixture
def failing_app(app):
    """An app on the test database with routes that fail: in the view after a change, and in the
    commit at the end of the request. Not testing mode, so Flask handles errors as in production."""
    application = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                                 "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @public
    def fail_in_view(token: str):
        organisation = db.session.scalar(select(Organisation).order_by(Organisation.id))
        organisation.name = "Veranderd voor de fout"
        db.session.flush()
        raise RuntimeError("secret detail about Jansen, BSN 123456782")

    @public
    def fail_in_commit():
        def broken() -> None:
            raise ValueError("the commit failed")

        uow.current().before_commit(broken)
        return "ok"

    application.add_url_rule("/fout/in-view/<token>", "fail_in_view", fail_in_view)
    application.add_url_rule("/fout/in-commit", "fail_in_commit", fail_in_commit)
    yield application
    with application.app_context():
        db.engine.dispose()


def test_a_server_error_is_audited_and_survives_the_rollback(app, factory, failing_app):
    organisation = factory.organisation(kind="ret", name="Niet veranderen")
    response = failing_app.test_client().get("/fout/in-view/geheim-token-123")
    assert response.status_code == 500
    event = one_event(app, "request", "server_error=RuntimeError")
    assert (event.outcome, event.object_type, event.object_id) == ("failed", "route", "fail_in_view")
    with app.app_context():
        assert db.session.get(Organisation, organisation.id).name == "Niet veranderen"  # the change rolled back
    assert_nowhere_in_the_trail(app, "Jansen", "123456782", "geheim-token-123", "/fout/")


def test_a_server_error_in_the_commit_is_audited_too(app, failing_app):
    response = failing_app.test_client().get("/fout/in-commit")
    assert response.status_code == 500
    event = one_event(app, "request", "server_error=ValueError")
    assert (event.outcome, event.object_id) == ("failed", "fail_in_commit")


# --- session timeouts --------------------------------------------------------------------------------

def _row(app, client) -> WebSession:
    with app.app_context():
        row = db.session.scalar(select(WebSession).where(
            WebSession.token_hash == hash_token(client.get_cookie("ret_session").value)))
        db.session.expunge(row)
        return row


def test_idle_timeout_is_audited_when_the_browser_comes_back(app, client, factory):
    user = factory.user("chair")
    with freeze_time(start_of_step()) as frozen:
        login(client, app, user)
        row = _row(app, client)
        frozen.tick(timedelta(minutes=31))
        assert not signed_in(client)
        assert not signed_in(client)  # once: the row has ended
    event = one_event(app, "session", "idle_timeout")
    assert (event.user_id, event.object_type, event.object_id, event.outcome) == \
        (user.id, "web_session", str(row.id), "allowed")


def test_absolute_timeout_is_audited_when_the_browser_comes_back(app, client, factory):
    user = factory.user("chair")
    login(client, app, user)
    row = _row(app, client)
    with app.app_context():
        db.session.execute(update(WebSession).where(WebSession.id == row.id).values(
            created_at=datetime.now(timezone.utc) - timedelta(hours=app.config["SESSION_ABSOLUTE_TIMEOUT_HOURS"],
                                                              minutes=1)))
        db.session.commit()
    assert not signed_in(client)
    event = one_event(app, "session", "absolute_timeout")
    assert (event.user_id, event.object_id) == (user.id, str(row.id))


def test_timeouts_nobody_came_back_for_are_audited_by_the_purge(app, factory):
    user = factory.user("chair")
    browser = app.test_client()
    login(browser, app, user)
    row = _row(app, browser)
    halfway = app.test_client()  # a sign-in that stopped after the password: not a signed-in session
    token = csrf_token(halfway, "/inloggen")
    halfway.post("/inloggen", data={"csrf_token": token, "email": factory.user("chair").email,
                                    "password": TEST_PASSWORD})
    with freeze_time(datetime.now(timezone.utc) + timedelta(hours=1)):
        result = app.test_cli_runner().invoke(args=["purge-expired"])
        assert result.exit_code == 0, result.output
    [event] = events(app, "session")
    assert (event.detail, event.user_id, event.object_id) == ("idle_timeout;found_by_purge", user.id, str(row.id))
    with app.app_context():
        assert db.session.get(WebSession, row.id) is None


# --- re-authentication prompts --------------------------------------------------------------------

def test_reauthentication_prompts_are_audited(app, client, factory):
    admin = factory.user("admin")
    target = factory.user("chair")
    with freeze_time(start_of_step()) as frozen:
        login(client, app, admin)
        frozen.tick(timedelta(minutes=16))
        r = post_form(client, f"/beheer/gebruikers/{target.id}/tweede-factor-resetten", {})
        assert r.status_code == 302 and path_of(r) == "/herbevestigen"
        r = client.get(f"/beheer/gebruikers/{target.id}")
        assert r.status_code == 302 and path_of(r) == "/herbevestigen"
    prompts = events(app, "login", "reauthentication_required")
    assert [(e.outcome, e.object_type, e.object_id, e.user_id) for e in prompts] == [
        ("denied", "route", "admin.user_reset_2fa", admin.id), ("denied", "route", "admin.user_edit", admin.id)]
