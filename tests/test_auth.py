"""Sign-in: activation and enrolment, password + TOTP, neutral errors, safe `next`, throttling,
TOTP reuse and drift, the second-factor lockout, recovery codes and the admin 2FA reset."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import select

from ret_app.auth.passwords import verify_password
from ret_app.extensions import db
from ret_app.models import ActivationToken, AuditEvent, RecoveryCode, User, WebSession
from tests.conftest import TEST_PASSWORD, csrf_token, login, path_of, post_form, signed_in

NEW_PASSWORD = "lange zin met genoeg woorden"
ALERT_RE = re.compile(r'role="alert"[^>]*>(.*?)</div>', re.S)
LINK_RE = re.compile(r'id="activation-link">\s*([^<\s]+)\s*<')
SECRET_RE = re.compile(r'id="totp-secret">\s*([A-Z2-7]+)\s*<')
CODES_RE = re.compile(r'id="recovery-codes">(.*?)</ul>', re.S)


# --- helpers -------------------------------------------------------------------------

def step_aligned_now(offset_in_step: int = 10) -> datetime:
    """Now, moved to `offset_in_step` seconds into a 30-second TOTP step."""
    t = (int(time.time()) // 30) * 30 + offset_in_step
    return datetime.fromtimestamp(t, tz=timezone.utc)



def location(response) -> str:
    parts = urlsplit(response.headers.get("Location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def password_step(client, email: str, password: str = TEST_PASSWORD):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen", data={"csrf_token": token, "email": email, "password": password})


def code_step(client, code: str, path: str = "/inloggen/verificatie"):
    token = csrf_token(client, "/inloggen")
    return client.post(path, data={"csrf_token": token, "code": code})


def secret_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).totp_secret


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)



def alert_text(response) -> str:
    match = ALERT_RE.search(response.get_data(as_text=True))
    assert match, "no error alert on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def last_events(app, n: int = 1) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(n)))
        for row in rows:
            db.session.expunge(row)
        return rows


def one_login_detail(app, user_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "login", AuditEvent.user_id == user_id).order_by(AuditEvent.seq.desc()))


def login_details(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "login").order_by(AuditEvent.seq)))


def admin_creates_user(client, org_id: int, email: str = "nieuwe.collega@test.example",
                       name: str = "Nieuwe Collega", role: str = "chair") -> tuple[int, str]:
    r = post_form(client, "/beheer/gebruikers/nieuw",
                  {"name": name, "email": email, "role": role, "organisation_id": str(org_id)},
                  token_from="/beheer/gebruikers/nieuw")
    assert r.status_code == 200, r.status_code
    link = LINK_RE.search(r.get_data(as_text=True))
    assert link, "the page shows no activation link"
    path = urlsplit(link.group(1)).path
    assert path.startswith("/activeren/")
    with_app = client.application
    with with_app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return user.id, path


def recovery_codes_on_page(response) -> list[str]:
    block = CODES_RE.search(response.get_data(as_text=True))
    assert block, "no recovery codes on the page"
    return re.findall(r"<li>\s*([a-z0-9-]+)\s*</li>", block.group(1))


def assert_codes_not_kept(app, client, codes: list[str]) -> None:
    """Recovery codes are shown once: not on later pages, not in readable form in any session."""
    for path in ("/account/", "/start"):
        body = client.get(path).get_data(as_text=True)
        assert 'id="recovery-codes"' not in body
        assert not any(code in body for code in codes)
    with app.app_context():
        for data in db.session.scalars(select(WebSession.data)):
            assert not any(code in (data or "") for code in codes)
        for code_hash in db.session.scalars(select(RecoveryCode.code_hash)):
            assert code_hash not in codes


def logout(client) -> None:
    r = post_form(client, "/uitloggen", {})
    assert r.status_code == 302


# --- activation ----------------------------------------------------------------------

def test_activation_flow_from_admin_link_to_signed_in(app, client, factory, login_as):
    login_as("admin")
    org = factory.organisation(kind="ret")
    user_id, link = admin_creates_user(client, org.id)
    with app.app_context():
        fresh = db.session.get(User, user_id)
        assert fresh.password_hash is None and fresh.activated_at is None and fresh.totp_secret is None

    new = app.test_client()
    page = new.get(link)
    assert page.status_code == 200
    token = csrf_token(new, link)

    # A weak (common) password is refused with a message next to the field; nothing is stored
    # and the link and the rest of the form (the username field) stay usable.
    r = new.post(link, data={"csrf_token": token, "new_password": "welkom123456",
                             "confirm_password": "welkom123456"})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'id="new_password-error"' in body
    assert 'value="nieuwe.collega@test.example"' in body
    with app.app_context():
        assert db.session.get(User, user_id).password_hash is None

    # Mismatched confirmation is refused too.
    r = new.post(link, data={"csrf_token": token, "new_password": NEW_PASSWORD,
                             "confirm_password": NEW_PASSWORD + "x"})
    assert r.status_code == 200 and 'id="confirm_password-error"' in r.get_data(as_text=True)

    r = new.post(link, data={"csrf_token": token, "new_password": NEW_PASSWORD,
                             "confirm_password": NEW_PASSWORD})
    assert r.status_code == 302 and path_of(r) == "/activeren/tweede-factor"
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.password_hash.startswith("$argon2id$")
        assert user.activated_at is None  # not before the second factor is enrolled

    enrol = new.get("/activeren/tweede-factor")
    assert enrol.status_code == 200
    secret = SECRET_RE.search(enrol.get_data(as_text=True)).group(1)
    assert "data:image/svg+xml" in enrol.get_data(as_text=True)  # QR code rendered server-side

    # Not signed in yet.
    assert not signed_in(new)

    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    r = new.post("/activeren/tweede-factor", data={"csrf_token": token, "code": wrong})
    assert r.status_code == 200 and 'id="code-error"' in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).totp_secret is None

    r = new.post("/activeren/tweede-factor", data={"csrf_token": token, "code": right})
    # The recovery codes are shown in this response, once.
    assert r.status_code == 200
    codes = recovery_codes_on_page(r)
    assert len(codes) == app.config["RECOVERY_CODE_COUNT"] and len(set(codes)) == len(codes)
    assert_codes_not_kept(app, new, codes)

    assert signed_in(new)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.activated_at is not None and user.totp_secret == secret
        stored = list(db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id)))
        assert len(stored) == len(codes) and all(rc.used_at is None for rc in stored)
        assert all(rc.code_hash not in codes for rc in stored)  # hashed, not stored in clear
        act = db.session.scalar(select(ActivationToken).where(ActivationToken.user_id == user_id))
        assert act.used_at is not None
        assert link.rsplit("/", 1)[1] not in act.token_hash

    # The link cannot be used a second time, by anyone.
    assert app.test_client().get(link).status_code == 404
    assert new.get(link).status_code == 404


def test_expired_activation_link_answers_404(app, client, factory, login_as):
    with freeze_time(datetime.now(timezone.utc)) as frozen:
        login_as("admin")
        org = factory.organisation(kind="ret")
        _, link = admin_creates_user(client, org.id)
        frozen.tick(timedelta(days=7) - timedelta(minutes=1))
        assert app.test_client().get(link).status_code == 200
        frozen.tick(timedelta(minutes=1, seconds=1))
        other = app.test_client()
        assert other.get(link).status_code == 404
        # Posting to it does not set a password either.
        r = other.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
        assert r.status_code in (400, 404)


def test_newer_link_revokes_the_older_one(app, client, factory, login_as):
    login_as("admin")
    org = factory.organisation(kind="ret")
    user_id, old_link = admin_creates_user(client, org.id)
    r = post_form(client, f"/beheer/gebruikers/{user_id}/activatielink", {},
                  token_from=f"/beheer/gebruikers/{user_id}")
    assert r.status_code == 200
    new_link = urlsplit(LINK_RE.search(r.get_data(as_text=True)).group(1)).path
    assert new_link != old_link
    anon = app.test_client()
    assert anon.get(old_link).status_code == 404
    assert anon.get(new_link).status_code == 200


def test_deactivating_a_pending_user_kills_the_link(app, client, factory, login_as):
    login_as("admin")
    org = factory.organisation(kind="ret")
    user_id, link = admin_creates_user(client, org.id)
    r = post_form(client, f"/beheer/gebruikers/{user_id}/deactiveren", {}, token_from=f"/beheer/gebruikers/{user_id}")
    assert r.status_code == 302
    assert app.test_client().get(link).status_code == 404


def test_enrolment_page_without_a_started_activation_is_404(app, client):
    assert client.get("/activeren/tweede-factor").status_code == 404
    assert client.get("/activeren/" + "x" * 43).status_code == 404


def test_activation_link_is_used_up_by_the_password_step(app, client, factory, login_as):
    """One link, one use: once the password is set, the link opens nowhere else (not even before
    the second factor is enrolled); enrolling continues only in the browser that set it."""
    login_as("admin")
    org = factory.organisation(kind="ret")
    user_id, link = admin_creates_user(client, org.id, email="een.link@test.example")
    first, second = app.test_client(), app.test_client()
    assert second.get(link).status_code == 200  # before it is used, the link opens anywhere
    second_token = csrf_token(second, link)

    token = csrf_token(first, link)
    r = first.post(link, data={"csrf_token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert r.status_code == 302 and path_of(r) == "/activeren/tweede-factor"

    # The other browser: the link is used, its form does nothing, and there is no enrolment for it.
    assert second.get(link).status_code == 404
    other_password = "een ander wachtwoord van de aanvaller"
    r = second.post(link, data={"csrf_token": second_token, "new_password": other_password,
                                "confirm_password": other_password})
    assert r.status_code == 404
    assert second.get("/activeren/tweede-factor").status_code == 404
    with app.app_context():
        user = db.session.get(User, user_id)
        assert verify_password(user.password_hash, NEW_PASSWORD)
        assert not verify_password(user.password_hash, other_password)

    # The first browser going back to the link continues with the enrolment.
    r = first.get(link)
    assert r.status_code == 302 and path_of(r) == "/activeren/tweede-factor"
    enrol = first.get("/activeren/tweede-factor")
    secret = SECRET_RE.search(enrol.get_data(as_text=True)).group(1)
    r = first.post("/activeren/tweede-factor", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200 and recovery_codes_on_page(r)
    assert signed_in(first) and not signed_in(second)
    assert first.get(link).status_code == 404  # and now it is over for the first browser too


def test_reset_link_is_used_up_by_the_password_confirmation(app, client, factory, login_as):
    login_as("admin")
    target = factory.user("chair")
    r = post_form(client, f"/beheer/gebruikers/{target.id}/tweede-factor-resetten", {})
    link = urlsplit(LINK_RE.search(r.get_data(as_text=True)).group(1)).path
    first, second = app.test_client(), app.test_client()
    second_token = csrf_token(second, link)
    token = csrf_token(first, link)
    r = first.post(link, data={"csrf_token": token, "password": TEST_PASSWORD})
    assert r.status_code == 302 and path_of(r) == "/activeren/tweede-factor"
    # Even with the right password the link does not open a second enrolment elsewhere.
    r = second.post(link, data={"csrf_token": second_token, "password": TEST_PASSWORD})
    assert r.status_code == 404
    assert second.get("/activeren/tweede-factor").status_code == 404
    assert first.get("/activeren/tweede-factor").status_code == 200


def test_a_started_enrolment_ends_with_a_newer_link_or_deactivation(app, client, factory, login_as):
    login_as("admin")
    org = factory.organisation(kind="ret")
    user_id, link = admin_creates_user(client, org.id, email="halverwege@test.example")
    browser = app.test_client()
    token = csrf_token(browser, link)
    r = browser.post(link, data={"csrf_token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert r.status_code == 302 and browser.get("/activeren/tweede-factor").status_code == 200

    # The administrator hands out a new link (the user never finished): the started one ends.
    r = post_form(client, f"/beheer/gebruikers/{user_id}/activatielink", {}, token_from=f"/beheer/gebruikers/{user_id}")
    new_link = urlsplit(LINK_RE.search(r.get_data(as_text=True)).group(1)).path
    assert browser.get("/activeren/tweede-factor").status_code == 404
    assert browser.get(link).status_code == 404

    # With the new link the user starts again; deactivating the account ends that enrolment too.
    token = csrf_token(browser, new_link)
    r = browser.post(new_link, data={"csrf_token": token, "new_password": NEW_PASSWORD,
                                     "confirm_password": NEW_PASSWORD})
    assert r.status_code == 302 and browser.get("/activeren/tweede-factor").status_code == 200
    r = post_form(client, f"/beheer/gebruikers/{user_id}/deactiveren", {}, token_from=f"/beheer/gebruikers/{user_id}")
    assert r.status_code == 302
    assert browser.get("/activeren/tweede-factor").status_code == 404


def test_two_requests_with_one_link_at_once_set_one_password(app, factory):
    """The link is used up with a conditional update: a password step that found the link unused
    but comes second (another request used it meanwhile) sets nothing."""
    from sqlalchemy import update

    from ret_app.auth import services as auth_services
    from ret_app.models import ActivationPurpose

    pending = factory.user("caseworker", activated=False)
    with app.test_request_context():
        token = auth_services.issue_activation(db.session.get(User, pending.id), ActivationPurpose.ACTIVATE, None)
        act = auth_services.find_activation(token)
        assert act is not None and act.used_at is None
        # The other request: it used the link between this one's check and its password step.
        db.session.execute(update(ActivationToken).where(ActivationToken.id == act.id)
                           .values(used_at=act.created_at).execution_options(synchronize_session=False))
        assert auth_services.set_activation_password(act, NEW_PASSWORD) is False
        assert db.session.get(User, pending.id).password_hash is None
        db.session.rollback()


def test_admin_resets_second_factor_after_reauthentication(app, client, factory, login_as):
    with freeze_time(step_aligned_now()) as frozen:
        admin = login_as("admin")
        target = factory.user("chair")
        old_secret = secret_of(app, target.id)
        user_client = app.test_client()
        login(user_client, app, target)
        with app.app_context():
            from ret_app.auth.services import replace_recovery_codes
            old_codes = replace_recovery_codes(db.session.get(User, target.id))
            db.session.commit()

        # The admin's sign-in is 16 minutes old: the reset asks for the password again first.
        frozen.tick(timedelta(minutes=16))
        assert signed_in(user_client)
        reset_path = f"/beheer/gebruikers/{target.id}/tweede-factor-resetten"
        r = post_form(client, reset_path, {})
        assert r.status_code == 302 and path_of(r) == "/herbevestigen"
        assert secret_of(app, target.id) == old_secret  # nothing happened yet
        assert signed_in(user_client)

        token = csrf_token(client, "/herbevestigen")
        r = client.post("/herbevestigen", data={"csrf_token": token, "password": "niet het wachtwoord"})
        assert r.status_code == 200 and 'id="password-error"' in r.get_data(as_text=True)
        r = client.post("/herbevestigen", data={"csrf_token": token, "password": TEST_PASSWORD})
        assert r.status_code == 302

        r = post_form(client, reset_path, {})
        assert r.status_code == 200
        link = urlsplit(LINK_RE.search(r.get_data(as_text=True)).group(1)).path

        # The user's old sessions are over; the old secret and recovery codes are gone.
        assert not signed_in(user_client)
        with app.app_context():
            user = db.session.get(User, target.id)
            assert user.totp_secret is None
            rows = list(db.session.scalars(select(WebSession).where(WebSession.user_id == target.id)))
            assert rows and all(row.ended_at is not None for row in rows)
            assert {row.ended_reason for row in rows} <= {"2fa_reset", "rotated"}
            assert "2fa_reset" in {row.ended_reason for row in rows}
            act = db.session.scalar(select(ActivationToken).where(ActivationToken.user_id == target.id))
            assert act.purpose == "reset_2fa" and act.created_by_id == admin.id

        frozen.tick(timedelta(seconds=30))
        # Signing in with the old authenticator does not work.
        probe = app.test_client()
        assert path_of(password_step(probe, target.email)) == "/inloggen/verificatie"
        assert code_step(probe, pyotp.TOTP(old_secret).now()).status_code == 200
        assert not signed_in(probe)

        # The user opens the link: confirm the current password, then enrol a new secret.
        fresh = app.test_client()
        page = fresh.get(link)
        assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
        assert 'name="new_password"' not in page.get_data(as_text=True)
        token = csrf_token(fresh, link)
        r = fresh.post(link, data={"csrf_token": token, "password": "fout wachtwoord hier"})
        assert r.status_code == 200 and 'id="password-error"' in r.get_data(as_text=True)
        r = fresh.post(link, data={"csrf_token": token, "password": TEST_PASSWORD})
        assert r.status_code == 302 and path_of(r) == "/activeren/tweede-factor"
        new_secret = SECRET_RE.search(fresh.get("/activeren/tweede-factor").get_data(as_text=True)).group(1)
        assert new_secret != old_secret
        frozen.tick(timedelta(seconds=30))
        r = fresh.post("/activeren/tweede-factor", data={"csrf_token": token,
                                                         "code": pyotp.TOTP(old_secret).now()})
        assert r.status_code == 200
        r = fresh.post("/activeren/tweede-factor", data={"csrf_token": token,
                                                         "code": pyotp.TOTP(new_secret).now()})
        assert r.status_code == 200 and recovery_codes_on_page(r)
        assert signed_in(fresh)
        assert secret_of(app, target.id) == new_secret
        with app.app_context():
            # The password was confirmed, not changed.
            assert verify_password(db.session.get(User, target.id).password_hash, TEST_PASSWORD)
        assert app.test_client().get(link).status_code == 404

        # An old recovery code does not work any more.
        logout(fresh)
        assert path_of(password_step(fresh, target.email)) == "/inloggen/verificatie"
        r = code_step(fresh, old_codes[0], "/inloggen/herstelcode")
        assert r.status_code == 200
        assert not signed_in(fresh)


def test_reset_link_password_confirmation_is_throttled_and_cleared(app, client, factory, login_as):
    from ret_app.auth import throttle
    from ret_app.models import AuthThrottle

    login_as("admin")
    target = factory.user("chair")
    r = post_form(client, f"/beheer/gebruikers/{target.id}/tweede-factor-resetten", {})
    link = urlsplit(LINK_RE.search(r.get_data(as_text=True)).group(1)).path
    key = throttle.account_key("activation", str(target.id))
    u = app.test_client()
    token = csrf_token(u, link)
    with freeze_time(datetime.now(timezone.utc)) as frozen:
        for _ in range(app.config["LOGIN_SLOWDOWN_AFTER"]):
            assert u.post(link, data={"csrf_token": token, "password": "fout fout fout"}).status_code == 200
        # Slowed down: even the right password is refused right now.
        assert u.post(link, data={"csrf_token": token, "password": TEST_PASSWORD}).status_code == 200
        frozen.tick(timedelta(seconds=3))
        r = u.post(link, data={"csrf_token": token, "password": TEST_PASSWORD})
        assert r.status_code == 302 and path_of(r) == "/activeren/tweede-factor"
    with app.app_context():
        assert db.session.get(AuthThrottle, key) is None  # the counter starts again


def test_admin_cannot_reset_own_second_factor(app, client, login_as):
    admin = login_as("admin")
    secret = secret_of(app, admin.id)
    r = post_form(client, f"/beheer/gebruikers/{admin.id}/tweede-factor-resetten", {})
    assert r.status_code == 302
    assert secret_of(app, admin.id) == secret


def test_non_admin_cannot_reset_second_factor(app, client, factory, login_as):
    login_as("chair")
    other = factory.user("chair")
    r = post_form(client, f"/beheer/gebruikers/{other.id}/tweede-factor-resetten", {})
    assert r.status_code == 403
    assert secret_of(app, other.id) is not None


# --- password + TOTP sign-in ------------------------------------------------------------

def test_login_with_password_and_totp_lands_on_start(app, client, factory):
    user = factory.user("chair")
    assert not signed_in(client)
    r = password_step(client, user.email)
    assert r.status_code == 302 and path_of(r) == "/inloggen/verificatie"
    assert not signed_in(client)  # the password alone does not sign in
    r = code_step(client, pyotp.TOTP(secret_of(app, user.id)).now())
    assert r.status_code == 302 and location(r) == "/start"
    assert signed_in(client)
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None


def test_email_is_matched_case_insensitively(app, client, factory):
    user = factory.user("chair", email="hoofdletters@test.example")
    r = password_step(client, "HoofdLetters@Test.Example")
    assert r.status_code == 302 and path_of(r) == "/inloggen/verificatie"
    assert one_login_detail(app, user.id) == "password_ok_awaiting_2fa"


def test_neutral_error_is_identical_for_unknown_wrong_and_deactivated(app, client, factory):
    known = factory.user("chair", email="bekend@test.example")
    gone = factory.user("chair", email="vertrokken@test.example")
    with app.app_context():
        from ret_app.kernel.dates import utcnow
        db.session.get(User, gone.id).deactivated_at = utcnow()
        db.session.commit()

    with freeze_time(datetime.now(timezone.utc)):
        attempts = {
            "unknown_account": ("onbekend@test.example", TEST_PASSWORD),
            "bad_password": ("bekend@test.example", "niet het goede wachtwoord"),
            "inactive_account": ("vertrokken@test.example", TEST_PASSWORD),
        }
        bodies, statuses, alerts = {}, {}, {}
        for reason, (email, password) in attempts.items():
            r = password_step(client, email, password)
            statuses[reason] = r.status_code
            alerts[reason] = alert_text(r)
            body = r.get_data(as_text=True)
            assert password not in body
            bodies[reason] = body.replace(email, "EMAIL")
            assert last_events(app)[0].detail == reason

    assert set(statuses.values()) == {200}
    assert len(set(alerts.values())) == 1 and alerts["unknown_account"]
    assert bodies["unknown_account"] == bodies["bad_password"] == bodies["inactive_account"]
    assert not signed_in(client)
    assert known.id and gone.id


@pytest.mark.parametrize("target", [
    "//evil.example",
    "https://evil.example/x",
    "/\\evil",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://evil.example",
    "///evil.example",
])
def test_next_only_redirects_to_local_paths(app, client, factory, target):
    user = factory.user("chair")
    page = client.get("/inloggen", query_string={"next": target})
    assert page.status_code == 200
    token = csrf_token(client, "/inloggen")
    client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    r = code_step(client, pyotp.TOTP(secret_of(app, user.id)).now())
    assert r.status_code == 302
    parts = urlsplit(r.headers["Location"])
    assert parts.netloc in ("", "localhost") and parts.scheme in ("", "http")
    assert location(r) == "/start"


def test_next_local_path_is_followed(app, client, factory):
    user = factory.user("chair")
    client.get("/inloggen", query_string={"next": "/account/"})
    assert path_of(password_step(client, user.email)) == "/inloggen/verificatie"
    r = code_step(client, pyotp.TOTP(secret_of(app, user.id)).now())
    assert location(r) == "/account/"


def test_page_asked_before_sign_in_is_shown_after(app, client, factory):
    user = factory.user("chair")
    r = client.get("/account/wachtwoord")
    assert r.status_code == 302 and path_of(r) == "/inloggen"
    password_step(client, user.email)
    r = code_step(client, pyotp.TOTP(secret_of(app, user.id)).now())
    assert location(r) == "/account/wachtwoord"


def test_account_lockout_holds_across_clients_and_expires(app, client, factory):
    user = factory.user("chair")
    max_failures = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    lockout = timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"])
    with freeze_time(step_aligned_now()) as frozen:
        wrong = None
        for i in range(max_failures):
            r = password_step(client, user.email, f"fout wachtwoord nummer {i}")
            assert r.status_code == 200
            wrong = alert_text(r)
            frozen.tick(timedelta(seconds=20))  # past every slowdown delay: a real failure each time
        assert login_details(app) == ["bad_password"] * max_failures
        locked_at = datetime.now(timezone.utc) - timedelta(seconds=20)

        # A second client, from another address: the lock is in the database, per account.
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        r = password_step(other, user.email, TEST_PASSWORD)
        assert r.status_code == 200
        assert alert_text(r) == wrong
        assert login_details(app)[-1] == "throttled"
        # The first client, with the right password: refused as well.
        assert password_step(client, user.email, TEST_PASSWORD).status_code == 200

        frozen.move_to(locked_at + lockout - timedelta(seconds=5))
        assert password_step(other, user.email, TEST_PASSWORD).status_code == 200
        frozen.move_to(locked_at + lockout + timedelta(seconds=1))
        r = password_step(other, user.email, TEST_PASSWORD)
        assert r.status_code == 302 and path_of(r) == "/inloggen/verificatie"
        r = code_step(other, pyotp.TOTP(secret_of(app, user.id)).now())
        assert location(r) == "/start"
    # A successful sign-in clears the account counter.
    with app.app_context():
        from ret_app.auth import throttle
        from ret_app.models import AuthThrottle
        assert db.session.get(AuthThrottle, throttle.account_key("login", user.email)) is None


def test_lockout_also_for_unknown_accounts(app, client):
    """The throttle keys on the e-mail address whether or not the account exists."""
    email = "bestaat.niet@test.example"
    with freeze_time(step_aligned_now()) as frozen:
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            password_step(client, email, "wat dan ook hier")
            frozen.tick(timedelta(seconds=20))
        password_step(client, email, "wat dan ook hier")
    assert login_details(app)[-1] == "throttled"


def test_slowdown_after_a_few_failures(app, client, factory):
    user = factory.user("chair")
    after = app.config["LOGIN_SLOWDOWN_AFTER"]
    with freeze_time(step_aligned_now()) as frozen:
        # Fewer failures than the threshold: the right password still works at once.
        for i in range(after - 1):
            password_step(client, user.email, f"fout wachtwoord {i}")
        r = password_step(app.test_client(), user.email)
        assert r.status_code == 302

        # Reaching the threshold: the next attempt right away is refused, even with the right password.
        password_step(client, user.email, "nog een fout wachtwoord")
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "203.0.113.50"
        r = password_step(other, user.email)
        assert r.status_code == 200
        assert login_details(app)[-1] == "throttled"
        # After the (short) delay it works again.
        frozen.tick(timedelta(seconds=3))
        r = password_step(other, user.email)
        assert r.status_code == 302 and path_of(r) == "/inloggen/verificatie"


def test_address_is_locked_after_many_failures_across_accounts_without_slowdown(app, factory):
    """An address that tries many accounts is not slowed down per attempt (an address can be
    shared by a whole office) but locked once it reaches the maximum within the window."""
    user = factory.user("chair")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    with freeze_time(step_aligned_now()) as frozen:
        for i in range(limit - 1):
            password_step(attacker, f"gok{i}@test.example", "een gok van de aanvaller")
        # No slowdown from the address alone: the right password still works right away.
        assert path_of(password_step(attacker, user.email)) == "/inloggen/verificatie"
        password_step(attacker, "laatste-gok@test.example", "een gok van de aanvaller")
        # The maximum is reached: refused, even with the right password.
        r = password_step(attacker, user.email)
        assert r.status_code == 200
        assert login_details(app)[-1] == "throttled"
        # The same account from another address is not affected.
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.67"
        assert path_of(password_step(elsewhere, user.email)) == "/inloggen/verificatie"
        frozen.tick(timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"], seconds=1))
        assert path_of(password_step(attacker, user.email)) == "/inloggen/verificatie"


def test_address_lockout(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 6)
    user = factory.user("chair")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    with freeze_time(step_aligned_now()) as frozen:
        for i in range(6):
            password_step(attacker, f"slachtoffer{i}@test.example", "een gok van de aanvaller")
            frozen.tick(timedelta(seconds=40))  # wait out every slowdown: each one counts
        assert login_details(app) == ["unknown_account"] * 6
        frozen.tick(timedelta(minutes=5))
        assert password_step(attacker, user.email).status_code == 200
        assert login_details(app)[-1] == "throttled"
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.100"
        assert path_of(password_step(elsewhere, user.email)) == "/inloggen/verificatie"
        frozen.tick(timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"]))
        assert path_of(password_step(attacker, user.email)) == "/inloggen/verificatie"


@pytest.mark.committing  # another connection must see (and change) the committed rows
def test_parallel_first_failures_are_all_counted_without_errors(app, monkeypatch):
    """Two failed attempts for a key that has no throttle row yet, at the same moment (two
    workers): both must be counted, and neither may end in a unique-key error (a 500 page)."""
    from ret_app.auth import throttle
    from ret_app.models import AuthThrottle

    key = throttle.account_key("login", "parallel@test.example")
    barrier = threading.Barrier(2)
    real_row = throttle._row
    seen = threading.local()

    def both_read_before_either_writes(k):
        row = real_row(k)
        if not getattr(seen, "first_done", False):
            seen.first_done = True
            barrier.wait(timeout=10)
        return row

    monkeypatch.setattr(throttle, "_row", both_read_before_either_writes)
    errors: list[BaseException] = []

    def attempt():
        with app.app_context():
            try:
                throttle.register_failure(key, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                db.session.rollback()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with app.app_context():
        assert db.session.get(AuthThrottle, key).failures == 2


@pytest.mark.committing  # another connection must see (and change) the committed rows
def test_failure_count_is_not_lost_to_a_parallel_update(app):
    """The row read by blocked() earlier in the request may be stale by the time the failure is
    counted: the count must build on the locked, current row."""
    from ret_app.auth import throttle
    from ret_app.models import AuthThrottle

    key = throttle.account_key("login", "stale@test.example")
    table = AuthThrottle.__table__
    with app.app_context():
        throttle.register_failure(key, 100)
        db.session.commit()
        assert not throttle.blocked([key])  # loads the row (failures=1) into this session
        with db.engine.begin() as conn:  # another worker counts a failure meanwhile
            conn.execute(table.update().where(table.c.key == key).values(failures=table.c.failures + 1))
        throttle.register_failure(key, 100)
        db.session.commit()
    with app.app_context():
        assert db.session.get(AuthThrottle, key).failures == 3


# --- TOTP -----------------------------------------------------------------------------

def test_totp_code_works_once_and_not_for_a_second_login(app, client, factory):
    user = factory.user("chair")
    with freeze_time(step_aligned_now()) as frozen:
        code = pyotp.TOTP(secret_of(app, user.id)).now()
        password_step(client, user.email)
        assert location(code_step(client, code)) == "/start"

        second = app.test_client()
        assert path_of(password_step(second, user.email)) == "/inloggen/verificatie"
        r = code_step(second, code)
        assert r.status_code == 200 and 'id="code-error"' in r.get_data(as_text=True)
        assert not signed_in(second)
        # The same code, still within its window, after signing out and in again: refused too.
        logout(client)
        password_step(client, user.email)
        frozen.tick(timedelta(seconds=15))
        assert code_step(client, code).status_code == 200
        assert not signed_in(client)
        # An older code (previous step) is refused as well once a newer one was used.
        assert code_step(client, code_at(secret_of(app, user.id), -1)).status_code == 200
        # The next step's code works.
        frozen.tick(timedelta(seconds=30))
        r = code_step(second, pyotp.TOTP(secret_of(app, user.id)).now())
        assert location(r) == "/start"
        assert signed_in(second)


@pytest.mark.committing  # another connection must see (and change) the committed rows
def test_totp_code_cannot_be_used_by_two_simultaneous_logins(app, factory, monkeypatch):
    """Two requests with the same code at the same moment: only one may succeed (ASVS 2.8.4).

    The race is made deterministic: right after this request has read the user, another
    transaction accepts the same code (as a parallel request on another worker would)."""
    from ret_app.auth import totp

    user = factory.user("chair")
    with freeze_time(step_aligned_now()):
        racing_client = app.test_client()
        password_step(racing_client, user.email)
        code = pyotp.TOTP(secret_of(app, user.id)).now()
        real = totp.matching_counter
        table = User.__table__

        def parallel_request_wins(secret, code_, **kwargs):
            counter = real(secret, code_, **kwargs)
            with db.engine.begin() as conn:
                conn.execute(table.update().where(table.c.id == user.id).values(totp_last_counter=counter))
            return counter

        monkeypatch.setattr(totp, "matching_counter", parallel_request_wins)
        r = code_step(racing_client, code)
        assert r.status_code == 200, "the same TOTP code was accepted twice"
        assert not signed_in(racing_client)


@pytest.mark.parametrize("offset, accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_totp_clock_drift_window(app, client, factory, offset, accepted):
    user = factory.user("chair")
    with freeze_time(step_aligned_now(15)):
        secret = secret_of(app, user.id)
        code = code_at(secret, offset)
        others = {code_at(secret, k) for k in (-1, 0, 1)}
        if not accepted and code in others:
            pytest.skip("one-in-a-million code collision")
        password_step(client, user.email)
        r = code_step(client, code)
        if accepted:
            assert r.status_code == 302 and location(r) == "/start"
        else:
            assert r.status_code == 200 and 'id="code-error"' in r.get_data(as_text=True)
        assert signed_in(client) is accepted


def test_second_factor_failures_lock_the_step(app, client, factory):
    user = factory.user("chair")
    secret = secret_of(app, user.id)
    max_failures = 5
    with freeze_time(step_aligned_now()) as frozen:
        password_step(client, user.email)
        good = pyotp.TOTP(secret).now()
        wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
        for attempt in range(1, max_failures):
            r = code_step(client, wrong)
            # Fewer than the maximum: the user stays on the code page with a message.
            assert r.status_code == 200, f"attempt {attempt} ended the step"
            assert 'id="code-error"' in r.get_data(as_text=True)
            frozen.tick(timedelta(seconds=20))
        r = code_step(client, wrong)
        assert r.status_code == 302 and path_of(r) == "/inloggen"
        # The pending state is gone: the code page sends to sign-in.
        assert path_of(client.get("/inloggen/verificatie")) == "/inloggen"
        with app.app_context():
            failed = list(db.session.scalars(select(AuditEvent).where(
                AuditEvent.action == "2fa", AuditEvent.outcome == "failed")))
            assert len(failed) == max_failures and {e.user_id for e in failed} == {user.id}

        # Password again: the right code is refused while the step is locked.
        frozen.tick(timedelta(minutes=1))
        assert path_of(password_step(client, user.email)) == "/inloggen/verificatie"
        r = code_step(client, pyotp.TOTP(secret).now())
        assert r.status_code == 302 and path_of(r) == "/inloggen"
        assert not signed_in(client)

        frozen.tick(timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"]))
        assert path_of(password_step(client, user.email)) == "/inloggen/verificatie"
        r = code_step(client, pyotp.TOTP(secret).now())
        assert location(r) == "/start"


def test_second_factor_slowdown_refuses_without_ending_the_step(app, client, factory):
    user = factory.user("chair")
    secret = secret_of(app, user.id)
    with freeze_time(step_aligned_now()) as frozen:
        password_step(client, user.email)
        good = pyotp.TOTP(secret).now()
        wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
        for _ in range(app.config["LOGIN_SLOWDOWN_AFTER"]):
            assert code_step(client, wrong).status_code == 200
        # Right away, even the right code is not considered; the user stays on the code page.
        r = code_step(client, good)
        assert r.status_code == 200 and 'id="code-error"' in r.get_data(as_text=True)
        assert not signed_in(client)
        with app.app_context():
            assert db.session.get(User, user.id).totp_last_counter == 0  # not checked at all
        frozen.tick(timedelta(seconds=3))
        assert location(code_step(client, good)) == "/start"


def test_pending_second_factor_expires_after_five_minutes(app, factory):
    user = factory.user("chair")
    with freeze_time(step_aligned_now()) as frozen:
        in_time, too_late = app.test_client(), app.test_client()
        password_step(in_time, user.email)
        password_step(too_late, user.email)
        frozen.tick(timedelta(minutes=4, seconds=50))
        r = code_step(in_time, pyotp.TOTP(secret_of(app, user.id)).now())
        assert location(r) == "/start"

        frozen.tick(timedelta(seconds=11))  # 5 min 1 s after the password step
        r = code_step(too_late, code_at(secret_of(app, user.id), 1))
        assert r.status_code == 302 and path_of(r) == "/inloggen"
        assert not signed_in(too_late)
        with app.app_context():
            # The (valid, unused) next-step code was not consumed by the expired attempt.
            assert db.session.get(User, user.id).totp_last_counter == int(time.time()) // 30


def test_second_factor_page_needs_the_password_step(app, client, factory):
    user = factory.user("chair")
    r = code_step(client, pyotp.TOTP(secret_of(app, user.id)).now())
    assert r.status_code == 302 and path_of(r) == "/inloggen"
    assert not signed_in(client)


# --- recovery codes ---------------------------------------------------------------------

def _new_recovery_codes(client) -> list[str]:
    r = post_form(client, "/account/herstelcodes", {}, token_from="/account/")
    assert r.status_code == 200, location(r)
    codes = recovery_codes_on_page(r)
    assert_codes_not_kept(client.application, client, codes)
    return codes


def test_recovery_code_signs_in_once(app, client, factory):
    user = factory.user("chair")
    login(client, app, user)
    codes = _new_recovery_codes(client)
    assert len(codes) == app.config["RECOVERY_CODE_COUNT"]
    logout(client)

    password_step(client, user.email)
    # Upper case and without the dash is the same code.
    r = code_step(client, codes[0].upper().replace("-", ""), "/inloggen/herstelcode")
    assert r.status_code == 302 and location(r) == "/start"
    assert signed_in(client)
    assert last_events(app)[0].detail == "signed_in_recovery_code" or any(
        e.detail == "signed_in_recovery_code" for e in last_events(app, 5))
    logout(client)

    password_step(client, user.email)
    r = code_step(client, codes[0], "/inloggen/herstelcode")
    assert r.status_code == 200 and 'id="code-error"' in r.get_data(as_text=True)
    assert not signed_in(client)
    r = code_step(client, codes[1], "/inloggen/herstelcode")
    assert location(r) == "/start"
    with app.app_context():
        used = db.session.scalars(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None)))
        assert len(list(used)) == 2


def test_regenerating_recovery_codes_needs_recent_auth_and_invalidates_old(app, client, factory):
    user = factory.user("chair")
    with freeze_time(step_aligned_now()) as frozen:
        login(client, app, user)
        old = _new_recovery_codes(client)

        frozen.tick(timedelta(minutes=app.config["REAUTH_MAX_AGE_MINUTES"] + 1))
        r = post_form(client, "/account/herstelcodes", {}, token_from="/account/")
        assert r.status_code == 302 and path_of(r) == "/herbevestigen"
        token = csrf_token(client, "/herbevestigen")
        assert client.post("/herbevestigen", data={"csrf_token": token,
                                                   "password": TEST_PASSWORD}).status_code == 302
        new = _new_recovery_codes(client)
        assert not set(old) & set(new)
        logout(client)

        frozen.tick(timedelta(seconds=30))
        password_step(client, user.email)
        assert code_step(client, old[2], "/inloggen/herstelcode").status_code == 200
        assert not signed_in(client)
        assert location(code_step(client, new[2], "/inloggen/herstelcode")) == "/start"


def test_recovery_code_page_needs_the_password_step(app, client, factory):
    user = factory.user("chair")
    login(client, app, user)
    codes = _new_recovery_codes(client)
    fresh = app.test_client()
    r = code_step(fresh, codes[0], "/inloggen/herstelcode")
    assert r.status_code == 302 and path_of(r) == "/inloggen"
    with app.app_context():
        assert db.session.scalar(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None))) is None
