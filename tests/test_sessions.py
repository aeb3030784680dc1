"""Server-side sessions: cookie flags, timeouts, htmx, logout, fixation, the user's own session
list, ending sessions on password change and deactivation, and the production cookie."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.models import User, WebSession
from ret_app.sessions import hash_token
from tests.conftest import TEST_PASSWORD, csrf_token, login, path_of, post_form, signed_in

COOKIE = "ret_session"


# --- helpers -------------------------------------------------------------------------

def start_of_step() -> datetime:
    t = (int(time.time()) // 30) * 30 + 5
    return datetime.fromtimestamp(t, tz=timezone.utc)



def cookie_value(client, name: str = COOKIE) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, "no session cookie"
    return cookie.value


def row_for(app, token: str) -> WebSession:
    with app.app_context():
        row = db.session.scalar(select(WebSession).where(WebSession.token_hash == hash_token(token)))
        assert row is not None
        db.session.expunge(row)
        return row



def client_with_cookie(app, value: str):
    c = app.test_client()
    c.set_cookie(COOKIE, value)
    return c


def set_cookie_headers(response, name: str = COOKIE) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


def session_rows(app, *, live_only: bool = False) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(WebSession)
        if live_only:
            stmt = stmt.where(WebSession.ended_at.is_(None))
        return db.session.scalar(stmt)


def user_rows(app, user_id: int) -> list[WebSession]:
    with app.app_context():
        rows = list(db.session.scalars(select(WebSession).where(WebSession.user_id == user_id)
                                       .order_by(WebSession.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


# --- cookie ----------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_samesite_lax(app, client, factory):
    r = client.get("/inloggen")
    headers = set_cookie_headers(r)
    assert len(headers) == 1
    attrs = [a.strip().lower() for a in headers[0].split(";")]
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert "path=/" in attrs
    # An anonymous visit keeps nothing on the server (its CSRF token travels signed in the cookie).
    assert session_rows(app) == 0

    # Once there is something to keep (the password step passed) the cookie holds a random id and
    # only its hash is stored; the cookie has the same flags.
    user = factory.user("chair")
    token = csrf_token(client, "/inloggen")
    r = client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    headers = set_cookie_headers(r)
    assert len(headers) == 1
    attrs = [a.strip().lower() for a in headers[0].split(";")]
    assert "httponly" in attrs and "samesite=lax" in attrs and "path=/" in attrs
    value = cookie_value(client)
    assert len(value) >= 40 and "." not in value
    with app.app_context():
        assert db.session.scalar(select(WebSession).where(WebSession.token_hash == value)) is None
        assert db.session.scalar(select(WebSession).where(WebSession.token_hash == hash_token(value)))

    # The cookie set at sign-in (a new session id) has the same flags.
    with app.app_context():
        secret = db.session.get(User, user.id).totp_secret
    r = client.post("/inloggen/verificatie", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    headers = set_cookie_headers(r)
    assert len(headers) == 1
    attrs = [a.strip().lower() for a in headers[0].split(";")]
    assert "httponly" in attrs and "samesite=lax" in attrs


def test_session_id_never_appears_in_urls(app, client, factory):
    user = factory.user("chair")
    login(client, app, user)
    value = cookie_value(client)
    for path in ("/start", "/account/"):
        body = client.get(path).get_data(as_text=True)
        assert value not in body


# --- anonymous visits ------------------------------------------------------------------------

def test_anonymous_visits_write_no_session_rows(app, factory):
    """The sign-in page, the language switch, a page asked for before signing in (and its flash
    after a session ended), error pages: none of it writes a row, however often it is done."""
    before, live_before = session_rows(app), session_rows(app, live_only=True)
    for _ in range(25):
        assert app.test_client().get("/inloggen").status_code == 200
    browser = app.test_client()
    for _ in range(10):
        assert browser.get("/inloggen").status_code == 200
    assert browser.get("/casussen").status_code == 302  # remembered as the page to show after sign-in
    assert browser.get("/bestaat-niet").status_code == 404
    token = csrf_token(browser, "/inloggen")
    assert browser.post("/taal", data={"csrf_token": token, "lang": "en", "next": "/inloggen"}).status_code == 302
    assert 'lang="en"' in browser.get("/inloggen").get_data(as_text=True)
    assert session_rows(app) == before

    # The anonymous session still carries what the sign-in needs: the CSRF token (checked), the
    # language and the page asked for.
    user = factory.user("chair")
    r = browser.post("/inloggen", data={"csrf_token": "forged", "email": user.email, "password": TEST_PASSWORD})
    assert r.status_code == 400
    assert session_rows(app) == before
    login(browser, app, user)
    # One row for the signed-in session (the password step's row was rotated away at sign-in).
    assert session_rows(app, live_only=True) == live_before + 1
    assert 'lang="en"' in browser.get("/start").get_data(as_text=True)


def test_page_asked_for_before_sign_in_survives_in_the_anonymous_cookie(app, factory):
    user = factory.user("chair")
    browser = app.test_client()
    assert path_of(browser.get("/account/")) == "/inloggen"
    token = csrf_token(browser, "/inloggen")
    browser.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    with app.app_context():
        secret = db.session.get(User, user.id).totp_secret
    r = browser.post("/inloggen/verificatie", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and path_of(r) == "/account/"


def test_a_forged_or_tampered_anonymous_cookie_is_ignored(app, factory):
    from itsdangerous import URLSafeTimedSerializer

    user = factory.user("chair")
    browser = app.test_client()
    browser.get("/inloggen")
    genuine = cookie_value(browser)
    payload, rest = genuine.split(".", 1)
    for value in (payload + "x." + rest, genuine[:-3] + "abc",
                  # signed with another key, or with ours but claiming a user: neither is believed
                  URLSafeTimedSerializer("another key", salt="ret-anonymous-session").dumps({"_user_id": str(user.id)}),
                  URLSafeTimedSerializer(app.secret_key, salt="ret-anonymous-session").dumps(
                      {"_user_id": str(user.id), "csrf_token": "x"})):
        forged = client_with_cookie(app, value)
        assert not signed_in(forged)
        r = forged.get("/inloggen")
        assert r.status_code == 200
        new = set_cookie_headers(r)
        assert new and value not in new[0]  # replaced by a fresh anonymous session


def test_anonymous_cookie_expires_after_the_idle_timeout_unless_used(app, factory):
    with freeze_time(start_of_step()) as frozen:
        browser = app.test_client()
        token = csrf_token(browser, "/inloggen")
        for _ in range(3):  # use keeps it alive: the cookie is signed again
            frozen.tick(timedelta(minutes=20))
            assert csrf_token(browser, "/inloggen").split(".")[0] == token.split(".")[0]  # same session token
        frozen.tick(timedelta(minutes=31))
        r = browser.post("/taal", data={"csrf_token": token, "lang": "en", "next": "/inloggen"})
        assert r.status_code == 400  # the form's token is gone with the session
        assert csrf_token(browser, "/inloggen").split(".")[0] != token.split(".")[0]


# --- timeouts ----------------------------------------------------------------------------

def test_idle_timeout_after_30_minutes(app, client, factory):
    user = factory.user("chair")
    with freeze_time(start_of_step()) as frozen:
        login(client, app, user)
        token = cookie_value(client)
        # Activity keeps the session alive.
        for _ in range(3):
            frozen.tick(timedelta(minutes=29))
            assert signed_in(client)
        assert row_for(app, token).ended_at is None

        frozen.tick(timedelta(minutes=30, seconds=1))
        r = client.get("/start")
        assert r.status_code == 302 and path_of(r) == "/inloggen"
        row = row_for(app, token)
        assert row.ended_at is not None and row.ended_reason == "idle_timeout"
        # Still signed out afterwards, and the old cookie stays dead on any client.
        assert not signed_in(client)
        assert not signed_in(client_with_cookie(app, token))


def test_live_session_polling_does_not_keep_an_idle_session_alive(app, client, factory):
    """The live session page polls every few seconds; those background requests are not activity."""
    region = factory.region()
    chair = factory.user("chair", factory.organisation("ret", region_id=region.id).id)
    meeting_id = factory.meeting(chair, status="in_progress")
    with freeze_time(start_of_step()) as frozen:
        login(client, app, chair)
        token = cookie_value(client)
        for _ in range(3):
            frozen.tick(timedelta(minutes=10))
            r = client.get(f"/overleggen/{meeting_id}/live/updates?rev=0", headers={"HX-Request": "true"})
            assert r.status_code == 200
        frozen.tick(timedelta(minutes=1, seconds=1))  # 31 minutes after the last real request
        r = client.get(f"/overleggen/{meeting_id}/live/updates?rev=0", headers={"HX-Request": "true"})
        assert r.headers.get("HX-Redirect", "").startswith("/inloggen")
        assert row_for(app, token).ended_reason == "idle_timeout"


def test_a_poll_from_someone_typing_counts_as_activity(app, client, factory):
    """The page's script reports typing since the last poll: unsaved notes survive a long session."""
    region = factory.region()
    chair = factory.user("chair", factory.organisation("ret", region_id=region.id).id)
    meeting_id = factory.meeting(chair, status="in_progress")
    with freeze_time(start_of_step()) as frozen:
        login(client, app, chair)
        for _ in range(4):
            frozen.tick(timedelta(minutes=20))
            r = client.get(f"/overleggen/{meeting_id}/live/updates?rev=0",
                           headers={"HX-Request": "true", "X-RET-User-Active": "1"})
            assert r.status_code == 200 and "HX-Redirect" not in r.headers
        assert signed_in(client)


def test_absolute_timeout_after_12_hours(app, client, factory):
    user = factory.user("chair")
    hours = app.config["SESSION_ABSOLUTE_TIMEOUT_HOURS"]
    with freeze_time(start_of_step()) as frozen:
        login(client, app, user)
        token = cookie_value(client)
        signed_in_at = datetime.now(timezone.utc)
        while datetime.now(timezone.utc) < signed_in_at + timedelta(hours=hours) - timedelta(minutes=20):
            frozen.tick(timedelta(minutes=20))
            assert signed_in(client), datetime.now(timezone.utc) - signed_in_at
        frozen.move_to(signed_in_at + timedelta(hours=hours) - timedelta(minutes=1))
        assert signed_in(client)
        frozen.move_to(signed_in_at + timedelta(hours=hours, minutes=1))
        r = client.get("/start")
        assert r.status_code == 302 and path_of(r) == "/inloggen"
        row = row_for(app, token)
        assert row.ended_at is not None and row.ended_reason == "absolute_timeout"


def test_expired_session_answers_htmx_with_hx_redirect(app, client, factory):
    user = factory.user("chair")
    with freeze_time(start_of_step()) as frozen:
        login(client, app, user)
        token = cookie_value(client)
        r = client.get("/account/", headers={"HX-Request": "true"})
        assert r.status_code == 200
        frozen.tick(timedelta(minutes=31))
        r = client.get("/account/", headers={"HX-Request": "true"})
        assert r.headers.get("HX-Redirect") == "/inloggen"
        assert r.status_code != 302 and "Location" not in r.headers
        body = r.get_data(as_text=True)
        assert 'name="password"' not in body and "<form" not in body
        assert row_for(app, token).ended_reason == "idle_timeout"
        # A normal page request gets the redirect instead.
        r = client.get("/account/")
        assert r.status_code == 302 and path_of(r) == "/inloggen"
        assert "HX-Redirect" not in r.headers


def test_htmx_without_any_session_gets_hx_redirect(app, client):
    r = client.get("/start", headers={"HX-Request": "true"})
    assert r.headers.get("HX-Redirect") == "/inloggen"
    assert "Location" not in r.headers


# --- logout and fixation -------------------------------------------------------------------

def test_logout_ends_the_server_row_and_the_cookie_cannot_be_replayed(app, client, factory):
    user = factory.user("chair")
    login(client, app, user)
    token = cookie_value(client)
    assert row_for(app, token).user_id == user.id
    r = post_form(client, "/uitloggen", {})
    assert r.status_code == 302 and path_of(r) == "/inloggen"
    row = row_for(app, token)
    assert row.ended_at is not None and row.ended_reason == "logout"
    assert row.data == "{}"
    # The browser is told to drop the cookie.
    deleted = set_cookie_headers(r)
    assert deleted and ("expires=thu, 01 jan 1970" in deleted[0].lower() or "max-age=0" in deleted[0].lower())
    assert not signed_in(client)

    replay = client_with_cookie(app, token)
    assert not signed_in(replay)
    assert replay.get("/account/").status_code == 302


def test_logout_needs_post_with_csrf(app, client, factory):
    user = factory.user("chair")
    login(client, app, user)
    assert client.get("/uitloggen").status_code == 405
    assert client.post("/uitloggen").status_code == 400
    assert signed_in(client)


def test_session_id_changes_on_login_against_fixation(app, factory):
    user = factory.user("chair")
    # An attacker obtains an anonymous session cookie and plants it in the victim's browser.
    attacker = app.test_client()
    attacker.get("/inloggen")
    planted = cookie_value(attacker)
    victim = client_with_cookie(app, planted)
    login(victim, app, user)
    after = cookie_value(victim)
    assert after != planted
    assert signed_in(victim)
    # The planted cookie gives no access; it never named a row.
    assert not signed_in(attacker)
    assert not signed_in(client_with_cookie(app, planted))
    with app.app_context():
        assert db.session.scalar(select(WebSession).where(WebSession.token_hash == hash_token(planted))) is None
    assert row_for(app, after).user_id == user.id


def test_a_planted_server_session_id_is_rotated_away_on_login(app, factory):
    """The attacker passes the password step of their own account (a server row exists then) and
    plants that id: the victim's sign-in gives a new id and ends the planted row."""
    user, own = factory.user("chair"), factory.user("chair")
    attacker = app.test_client()
    token = csrf_token(attacker, "/inloggen")
    attacker.post("/inloggen", data={"csrf_token": token, "email": own.email, "password": TEST_PASSWORD})
    planted = cookie_value(attacker)
    assert "." not in planted and row_for(app, planted).ended_at is None
    victim = client_with_cookie(app, planted)
    login(victim, app, user)
    after = cookie_value(victim)
    assert after != planted and signed_in(victim)
    assert not signed_in(client_with_cookie(app, planted))
    row = row_for(app, planted)
    assert row.ended_at is not None and row.ended_reason == "rotated"
    assert row_for(app, after).user_id == user.id


def test_a_late_request_with_the_rotated_cookie_does_not_clear_the_new_one(app, factory):
    """A request sent before sign-in rotated the session (a lazy favicon of the verification page)
    and answered after it: not signed in, and no Set-Cookie that would make the browser drop the new
    session's cookie (which signed the user out at their next page)."""
    user = factory.user("chair")
    client = app.test_client()
    token = csrf_token(client, "/inloggen")
    client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    before = cookie_value(client)
    login(client, app, user)
    assert cookie_value(client) != before and signed_in(client)
    late = client_with_cookie(app, before)
    response = late.get("/static/favicon.svg")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert not signed_in(late)
    assert signed_in(client)


def test_unknown_or_oversized_cookie_is_ignored(app, factory):
    for value in ("x" * 43, "y" * 500):
        c = client_with_cookie(app, value)
        assert not signed_in(c)


# --- the user's own sessions --------------------------------------------------------------

def test_user_sees_and_ends_another_own_session(app, factory):
    user = factory.user("chair")
    laptop = app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = "Laptop-Browser/1.0"
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Telefoon-Browser/2.0"
    phone.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    login(laptop, app, user)
    login(phone, app, user)
    laptop_row = row_for(app, cookie_value(laptop))
    phone_row_token = cookie_value(phone)
    phone_row = row_for(app, phone_row_token)

    page = laptop.get("/account/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Telefoon-Browser/2.0" in body and "Laptop-Browser/1.0" in body
    assert "198.51.100.23" in body
    assert f"/account/sessies/{phone_row.id}/beeindigen" in body
    # No "end" button for the session in use.
    assert f"/account/sessies/{laptop_row.id}/beeindigen" not in body

    r = post_form(laptop, f"/account/sessies/{phone_row.id}/beeindigen", {}, token_from="/account/")
    assert r.status_code == 302 and path_of(r) == "/account/"
    assert not signed_in(phone)
    assert signed_in(laptop)
    with app.app_context():
        row = db.session.get(WebSession, phone_row.id)
        assert row.ended_at is not None and row.ended_reason == "ended_by_user"
    # The phone's old cookie stays dead wherever it is replayed.
    assert not signed_in(client_with_cookie(app, phone_row_token))
    assert f"/account/sessies/{phone_row.id}/beeindigen" not in laptop.get("/account/").get_data(as_text=True)


def test_ending_someone_elses_session_is_404(app, factory):
    me, other = factory.user("chair"), factory.user("chair")
    mine, theirs = app.test_client(), app.test_client()
    login(mine, app, me)
    login(theirs, app, other)
    their_row = row_for(app, cookie_value(theirs))
    r = post_form(mine, f"/account/sessies/{their_row.id}/beeindigen", {}, token_from="/account/")
    assert r.status_code == 404
    assert signed_in(theirs)
    with app.app_context():
        assert db.session.get(WebSession, their_row.id).ended_at is None
    # Nor are their sessions listed on my page.
    assert f"/account/sessies/{their_row.id}/" not in mine.get("/account/").get_data(as_text=True)
    # A non-existent id is 404 too.
    assert post_form(mine, "/account/sessies/999999/beeindigen", {}, token_from="/account/").status_code == 404


def test_ending_the_current_session_from_the_list_signs_out(app, client, factory):
    user = factory.user("chair")
    login(client, app, user)
    row = row_for(app, cookie_value(client))
    r = post_form(client, f"/account/sessies/{row.id}/beeindigen", {}, token_from="/account/")
    assert r.status_code == 302 and path_of(r) == "/inloggen"
    assert not signed_in(client)
    with app.app_context():
        assert db.session.get(WebSession, row.id).ended_at is not None


def test_end_all_other_sessions(app, factory):
    user = factory.user("chair")
    a, b, c = app.test_client(), app.test_client(), app.test_client()
    for cl in (a, b, c):
        login(cl, app, user)
    r = post_form(a, "/account/sessies/andere-beeindigen", {}, token_from="/account/")
    assert r.status_code == 302
    assert signed_in(a) and not signed_in(b) and not signed_in(c)


def test_password_change_ends_other_sessions_but_keeps_this_one(app, factory):
    user = factory.user("chair")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, app, user)
    login(elsewhere, app, user)
    here_token = cookie_value(here)
    new = "een heel ander lang wachtwoord"
    r = post_form(here, "/account/wachtwoord",
                  {"current_password": TEST_PASSWORD, "new_password": new, "confirm_password": new},
                  token_from="/account/wachtwoord")
    assert r.status_code == 302 and path_of(r) == "/account/"
    assert signed_in(here)
    assert cookie_value(here) == here_token
    assert row_for(app, here_token).ended_at is None
    assert not signed_in(elsewhere)
    reasons = {row.ended_reason for row in user_rows(app, user.id) if row.ended_at is not None}
    assert "password_changed" in reasons


def test_wrong_current_password_changes_nothing(app, factory):
    user = factory.user("chair")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, app, user)
    login(elsewhere, app, user)
    new = "een heel ander lang wachtwoord"
    r = post_form(here, "/account/wachtwoord",
                  {"current_password": "dit is het niet", "new_password": new, "confirm_password": new},
                  token_from="/account/wachtwoord")
    assert r.status_code == 200 and 'id="current_password-error"' in r.get_data(as_text=True)
    assert signed_in(elsewhere)


def test_deactivating_a_user_ends_their_sessions(app, client, factory, login_as):
    login_as("admin")
    user = factory.user("chair")
    theirs = app.test_client()
    login(theirs, app, user)
    assert signed_in(theirs)
    r = post_form(client, f"/beheer/gebruikers/{user.id}/deactiveren", {},
                  token_from=f"/beheer/gebruikers/{user.id}")
    assert r.status_code == 302
    assert not signed_in(theirs)
    rows = user_rows(app, user.id)
    assert rows and all(row.ended_at is not None for row in rows)
    assert "deactivated" in {row.ended_reason for row in rows}
    # And they cannot sign in again.
    again = app.test_client()
    token = csrf_token(again, "/inloggen")
    r = again.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    assert r.status_code == 200


def test_role_change_ends_the_users_sessions(app, client, factory, login_as):
    login_as("admin")
    user = factory.user("chair")
    theirs = app.test_client()
    login(theirs, app, user)
    with app.app_context():
        org_id = db.session.get(User, user.id).organisation_id
    r = post_form(client, f"/beheer/gebruikers/{user.id}",
                  {"name": user.name, "email": user.email, "role": "analyst", "organisation_id": str(org_id)},
                  token_from=f"/beheer/gebruikers/{user.id}")
    assert r.status_code == 302
    assert not signed_in(theirs)
    assert "role_changed" in {row.ended_reason for row in user_rows(app, user.id)}


def test_deactivation_takes_effect_even_before_the_row_is_ended(app, factory):
    """The user loader refuses deactivated accounts, so a session row alone is not enough."""
    user = factory.user("chair")
    login(client := app.test_client(), app, user)
    with app.app_context():
        from ret_app.kernel.dates import utcnow
        db.session.get(User, user.id).deactivated_at = utcnow()
        db.session.commit()
    assert not signed_in(client)


# --- production cookie ----------------------------------------------------------------------

def test_production_uses_host_prefixed_secure_cookie(app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("RET_BASE_URL", "https://localhost")
    prod = create_app(config.ProductionConfig, {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    try:
        assert prod.config["SESSION_COOKIE_NAME"] == "__Host-ret_session"
        assert prod.config["SESSION_COOKIE_SECURE"] is True
        assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
        assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert not prod.config.get("SESSION_COOKIE_DOMAIN")
        assert prod.config["DEMO_ALLOWED"] is False
        c = prod.test_client()
        r = c.get("/inloggen", base_url="https://localhost")
        assert r.status_code == 200
        headers = set_cookie_headers(r, "__Host-ret_session")
        assert len(headers) == 1
        attrs = [a.strip().lower() for a in headers[0].split(";")]
        # What browsers require of a __Host- cookie: Secure, Path=/, no Domain.
        assert "secure" in attrs and "path=/" in attrs
        assert not any(a.startswith("domain=") for a in attrs)
        assert "httponly" in attrs and "samesite=lax" in attrs
        assert "max-age=63072000" in r.headers.get("Strict-Transport-Security", "").lower()
    finally:
        with prod.app_context():
            db.engine.dispose()


def test_production_refuses_to_start_without_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError):
        create_app(config.ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "too-short")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError):
        create_app(config.ProductionConfig)
