"""Security headers, production configuration, error pages and CSP-safe markup."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import func, select

import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.models import User
from ret_app.policy import public
from tests.conftest import TEST_PASSWORD, Factory, csrf_token, own_database
from tests.test_access_policy import (  # noqa: F401  (objects is a fixture)
    ALLOWED_GET_REDIRECTS,
    EXPECTED_ACCESS,
    GET_PROTECTED,
    allowed,
    build_url,
    objects,
)

PRODUCTION_SECRET = "p" * 48


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response) -> None:
    path = response.request.path
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src, f"{path}: CSP has no script-src"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, path
    assert "*" not in script_src and "data:" not in script_src, path
    style_src = csp.get("style-src", csp.get("default-src"))
    assert "'unsafe-inline'" not in style_src, path
    assert csp.get("frame-ancestors") == ["'none'"], path
    assert csp.get("object-src") == ["'none'"], path
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path


# --- headers on every kind of response ------------------------------------------------------

def test_headers_on_public_page(client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain-HTTP test configuration


def test_headers_on_redirect(client):
    response = client.get("/")
    assert response.status_code == 302
    assert_security_headers(response)


def test_headers_on_signed_in_page_and_fragment(client, login_as):
    login_as("admin")
    page = client.get("/start")
    assert page.status_code == 200
    assert_security_headers(page)
    assert "no-store" in page.headers.get("Cache-Control", "")  # pages can hold personal data
    assert "Strict-Transport-Security" not in page.headers
    fragment = client.get("/beheer/gebruikers", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert_security_headers(fragment)
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_headers_on_not_found(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert_security_headers(response)


def test_headers_on_static_file(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_headers_on_htmx_unauthorised(client):
    response = client.get("/start", headers={"HX-Request": "true"})
    assert response.headers.get("HX-Redirect")
    assert_security_headers(response)


# --- production configuration ---------------------------------------------------------------

@pytest.fixture
def production_app(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    monkeypatch.setenv("SECRET_KEY", PRODUCTION_SECRET)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RET_BASE_URL", "https://localhost")
    application = create_app(config.ProductionConfig)
    # Guard before create_all: the app must use the database it was given, not a default one.
    assert application.config["SQLALCHEMY_DATABASE_URI"] == url
    assert application.config["SECRET_KEY"] == PRODUCTION_SECRET
    with own_database(application):
        yield application


def test_production_sends_hsts(production_app):
    client = production_app.test_client()
    for path in ("/inloggen", "/bestaat-niet", "/static/css/app.css"):
        response = client.get(path)
        hsts = response.headers.get("Strict-Transport-Security", "")
        max_age = re.search(r"max-age=(\d+)", hsts)
        assert max_age and int(max_age.group(1)) >= 31536000, (path, hsts)
        assert_security_headers(response)
        response.close()


def test_production_session_cookie_is_secure(production_app):
    response = production_app.test_client().get("/inloggen", base_url="https://localhost")
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("__Host-"), cookie
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("missing", [("SECRET_KEY",), ("DATABASE_URL",), ("RET_BASE_URL",),
                                     ("SECRET_KEY", "DATABASE_URL", "RET_BASE_URL")])
def test_production_refuses_to_start_without_settings(monkeypatch, tmp_path, missing):
    monkeypatch.setenv("SECRET_KEY", PRODUCTION_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never.sqlite3'}")
    monkeypatch.setenv("RET_BASE_URL", "https://ret.example.nl")
    for name in missing:
        monkeypatch.delenv(name)
    with pytest.raises(RuntimeError) as refused:
        create_app(config.ProductionConfig)
    for name in missing:
        assert name in str(refused.value)


def test_production_refuses_a_short_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "too-short")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never.sqlite3'}")
    monkeypatch.setenv("RET_BASE_URL", "https://ret.example.nl")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config.ProductionConfig)


def test_production_is_chosen_by_ret_env(monkeypatch, tmp_path):
    monkeypatch.setenv("RET_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never.sqlite3'}")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_seed_demo_refused_under_production(production_app):
    result = production_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    result_if_empty = production_app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result_if_empty.exit_code != 0
    with production_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.session.remove()


def test_demo_totp_refused_under_production(production_app):
    result = production_app.test_cli_runner().invoke(args=["demo-totp", "someone@example.org"])
    assert result.exit_code != 0


# --- error pages ----------------------------------------------------------------------------

def assert_error_page(response, status: int) -> str:
    assert response.status_code == status, response.status_code
    body = response.get_data(as_text=True)
    assert 'href="#main"' in body, "skip link missing: not rendered in the layout"
    assert '<main id="main"' in body
    assert "Traceback" not in body and 'File "' not in body and "werkzeug" not in body.lower()
    assert f">{status}<" in body or f": {status}<" in body, "the error code is shown"
    assert_security_headers(response)
    return body


def test_error_400_csrf(client):
    assert_error_page(client.post("/taal", data={"lang": "en"}), 400)


def test_error_403(client, login_as):
    login_as("chair")
    assert_error_page(client.get("/beheer/gebruikers"), 403)


def test_error_404(client):
    assert_error_page(client.get("/bestaat-niet"), 404)


def test_error_404_for_missing_object(client, login_as):
    login_as("admin")
    assert_error_page(client.get("/beheer/mandaten/987654"), 404)


def test_error_405(client):
    assert_error_page(client.get("/uitloggen"), 405)


def test_error_413(app, client, monkeypatch):
    token = csrf_token(client, "/inloggen")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = client.post("/taal", data={"csrf_token": token, "lang": "en", "next": "/" + "x" * 5000})
    assert_error_page(response, 413)


@pytest.fixture(scope="module")
def failing_app(tmp_path_factory):
    """A separate app with a route that raises, so the shared app's routes stay exact."""
    application = create_app(config.TestConfig, {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('failing') / 'failing.sqlite3'}"})

    @public
    def explode():
        raise RuntimeError("secret detail about Jansen, BSN 123456782")

    application.add_url_rule("/ontploffen", "explode", explode)
    with own_database(application):
        yield application


def test_error_500(failing_app):
    response = failing_app.test_client().get("/ontploffen")
    body = assert_error_page(response, 500)
    assert "Jansen" not in body and "123456782" not in body and "RuntimeError" not in body


def test_error_500_htmx_gets_fragment(failing_app):
    response = failing_app.test_client().get("/ontploffen", headers={"HX-Request": "true"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'class="ret-error"' in body
    assert "Jansen" not in body and "Traceback" not in body


# --- markup that a strict CSP would break -------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def assert_csp_safe(path: str, response) -> None:
    body = response.get_data(as_text=True)
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style= attribute", STYLE_ATTRIBUTE),
                          ("<style> element", STYLE_ELEMENT), ("inline event handler", EVENT_HANDLER),
                          ("javascript: URL", JAVASCRIPT_URL)):
        match = pattern.search(body)
        assert not match, f"{path}: {name}: {body[max(0, match.start() - 80):match.end() + 80]!r}"


def test_public_pages_have_no_inline_script_or_style(app, client, factory):
    from ret_app.auth import services as auth_services
    from ret_app.models import ActivationPurpose

    for path in ("/inloggen", "/bestaat-niet", "/activeren/onbekend"):
        assert_csp_safe(path, client.get(path))
    assert_csp_safe("/taal (400)", client.post("/taal", data={"lang": "en"}))

    # Sign-in steps and activation with its QR code.
    user = factory.user("chair")
    token = csrf_token(client, "/inloggen")
    client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    for path in ("/inloggen/verificatie", "/inloggen/herstelcode"):
        response = client.get(path)
        assert response.status_code == 200
        assert_csp_safe(path, response)

    pending = factory.user("caseworker", activated=False)
    with app.app_context():
        link = auth_services.issue_activation(db.session.get(User, pending.id), ActivationPurpose.ACTIVATE, None)
        db.session.commit()
        db.session.remove()
    fresh = app.test_client()
    page = fresh.get(f"/activeren/{link}")
    assert page.status_code == 200
    assert_csp_safe("/activeren/<token>", page)
    password = "een heel ander wachtwoord 42"
    response = fresh.post(f"/activeren/{link}", data={"csrf_token": csrf_token(fresh, f"/activeren/{link}"),
                                                      "new_password": password, "confirm_password": password})
    assert response.status_code == 302
    enrol = fresh.get("/activeren/tweede-factor")
    assert enrol.status_code == 200
    assert_csp_safe("/activeren/tweede-factor", enrol)
    with fresh.session_transaction() as sess:
        secret = sess["enrol"]["secret"]
    codes_page = fresh.post("/activeren/tweede-factor", data={"csrf_token": csrf_token(fresh, "/activeren/tweede-factor"),
                                                              "code": pyotp.TOTP(secret).now()})
    assert codes_page.status_code == 200
    assert_csp_safe("recovery codes after enrolment", codes_page)


# Routes that answer with a PDF, never HTML (and only to users related to the session, which the
# users below are not): nothing for a browser to execute. tests/test_meeting_minutes.py checks them.
DOWNLOADS = frozenset({"meetings.minutes_pdf", "meetings.extract_pdf", "meetings.calendar_invitation",
                       "plans.plan_pdf",  # not HTML (the plan's PDF: tests/test_plans_pdf.py)
                       # the escalation dossier (PDF, JSON; without network consent a redirect to the
                       # escalation's page, checked here itself): tests/test_escalation_dossier.py
                       "escalations.dossier_pdf", "escalations.dossier_json",
                       # a learning vignette's PDF (tests/test_vignettes.py; before approval a 403 page)
                       "vignettes.pdf",
                       # an export's file, its requester's only (tests/test_exports.py; the signal report
                       # and the learning-session pack among them: tests/test_signals.py, tests/test_vignettes.py)
                       "exports.download"})


def _relate_to_sessions(app, objects, user) -> None:  # noqa: F811
    """Invite the signed-in user to the objects' sessions and, for a caseworker, give a mandate that
    covers the provisional decision: every session page then opens for them."""
    from ret_app.models import MeetingInvitation

    with app.app_context():
        for meeting_id in (objects.meeting_id, objects.approved_meeting_id, objects.planned_meeting_id):
            db.session.add(MeetingInvitation(meeting_id=meeting_id, user_id=user.id))
        db.session.commit()
        db.session.remove()
    if user.role == "caseworker":
        Factory(app).mandate(user.id, objects.municipality.id)


@pytest.mark.parametrize("role", ["admin", "caseworker", "chair"])
def test_signed_in_pages_have_no_inline_script_or_style(app, client, objects, login_as, role):  # noqa: F811
    # In the organisation of the objects' case, so that its case pages open too.
    organisation = {"caseworker": objects.access_team, "chair": objects.ret_org}.get(role)
    user = login_as(role, **({"organisation_id": organisation.id} if organisation else {}))
    _relate_to_sessions(app, objects, user)
    checked = 0
    for endpoint in GET_PROTECTED:
        if (not allowed(endpoint, role) or endpoint in ALLOWED_GET_REDIRECTS or endpoint in DOWNLOADS):
            continue
        if endpoint.startswith("escalations.") and role != "chair":
            continue  # the RET's pages: a caseworker of the case gets 404 (tests/test_escalations_pages.py)
        if endpoint == "outcomes.outcome_page" and role != "chair":
            continue  # the RET's page: a caseworker of the case gets 404 (tests/test_outcomes.py)
        if endpoint == "exports.job":
            continue  # the requester's own page: everyone else gets 404 (its CSP: tests/test_exports.py)
        url = build_url(app, endpoint, objects)
        # The objects' case has an open escalation: its form leads to the escalation's page.
        response = client.get(url, follow_redirects=endpoint == "escalations.escalation_form")
        assert response.status_code == 200, (url, response.status_code)
        assert_csp_safe(url, response)
        htmx = client.get(url, headers={"HX-Request": "true"})
        assert_csp_safe(f"{url} (htmx)", htmx)
        checked += 1
    assert checked >= 3
    # A form re-rendered with errors, and a page with a flash message.
    if role == "admin":
        token = csrf_token(client, "/beheer/regios")
        invalid = client.post("/beheer/gemeenten", data={"csrf_token": token, "name": "", "cbs_code": "xx"})
        assert "utrecht-form-field--invalid" in invalid.get_data(as_text=True)
        assert_csp_safe("invalid municipality form", invalid)
        saved = client.post("/beheer/netwerken", data={"csrf_token": token, "name": "N", "short_name": "N"},
                            follow_redirects=True)
        assert_csp_safe("page with flash message", saved)
    else:
        token = csrf_token(client, "/account/")
        recovery = client.post("/account/herstelcodes", data={"csrf_token": token})
        assert recovery.status_code == 200
        assert_csp_safe("new recovery codes", recovery)
    assert_csp_safe("403", client.get("/beheer/audit") if role != "admin" else client.get("/mandaten/"))
