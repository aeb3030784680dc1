"""When the database cannot be used (errors.py): a Dutch 503 page that needs no database, not a 500 or a
traceback — for a page, an htmx request and a form — and a signed-in visitor is not treated as signed
out meanwhile (their cookie is kept). Runs on both databases, with an app whose database cannot be
reached (a closed port) and an app whose view fails with a database error; tests/test_faults.py stops a
real PostgreSQL server and kills connections."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc

import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.kernel.errors import database_unavailable
from ret_app.policy import public

# The apps here use their own connections (the test harness's shared transaction would hide the failure).
pytestmark = pytest.mark.committing

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"
DUTCH_TITLE = "Tijdelijk niet beschikbaar"
DUTCH_MESSAGE = "RET kan de database op dit moment niet bereiken. Van uw laatste handeling is niets opgeslagen."


def _app(url: str):
    return create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False,
                                          "PROPAGATE_EXCEPTIONS": False})


@pytest.fixture(scope="module")
def unreachable():
    application = _app(UNREACHABLE)
    yield application
    with application.app_context():
        db.engine.dispose()


def assert_unavailable(response, *, fragment: bool = False) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, (response.status_code, body[:500])
    assert response.headers["Retry-After"] == "30"
    assert DUTCH_TITLE in body and DUTCH_MESSAGE in body
    assert "Traceback" not in body and "OperationalError" not in body and "127.0.0.1:1" not in body
    assert ("<html" in body) is not fragment
    return body


def test_a_signed_in_visitor_gets_the_503_page_and_keeps_the_cookie(unreachable):
    client = unreachable.test_client()
    client.set_cookie("ret_session", "a-session-token-that-cannot-be-looked-up")
    response = client.get("/start")
    body = assert_unavailable(response)
    assert "Uitloggen" not in body and 'name="csrf_token"' not in body  # nothing read from the session
    assert "ret_session=" not in response.headers.get("Set-Cookie", "")  # not signed out: the cookie stays
    assert response.headers["Content-Security-Policy"]  # the security headers as on every page
    assert_unavailable(client.get("/casussen/1", headers={"HX-Request": "true"}), fragment=True)
    assert_unavailable(client.post("/casussen/nieuw", data={"municipality_id": "1"}))
    assert client.get("/static/css/app.css").status_code == 200  # the page's style needs no session


def test_a_sign_in_and_the_health_check_say_so_too(unreachable):
    from tests.conftest import csrf_token

    client = unreachable.test_client()
    assert client.get("/inloggen").status_code == 200  # a signed cookie, no database
    response = client.post("/inloggen", data={"csrf_token": csrf_token(client, "/inloggen"),
                                              "email": "iemand@test.example", "password": "wat dan ook"})
    assert_unavailable(response)
    assert client.get("/health").status_code == 503


def test_a_database_error_in_a_view_is_503_and_other_errors_stay_500(app):
    application = _app(app.config["SQLALCHEMY_DATABASE_URI"])

    @public
    def lost():
        raise sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    @public
    def broken():
        raise RuntimeError("a fault in the code")

    application.add_url_rule("/test/verbinding-kwijt", "lost", lost)
    application.add_url_rule("/test/kapot", "broken", broken)
    try:
        client = application.test_client()
        assert_unavailable(client.get("/test/verbinding-kwijt"))
        assert_unavailable(client.get("/test/verbinding-kwijt", headers={"HX-Request": "true"}), fragment=True)
        assert client.get("/test/kapot").status_code == 500
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_which_errors_mean_the_database_is_unavailable():
    assert database_unavailable(sa_exc.OperationalError("x", {}, Exception()))
    assert database_unavailable(sa_exc.InterfaceError("x", {}, Exception()))
    assert database_unavailable(sa_exc.TimeoutError())
    assert database_unavailable(sa_exc.DBAPIError("x", {}, Exception(), connection_invalidated=True))
    assert not database_unavailable(sa_exc.IntegrityError("x", {}, Exception()))
    assert not database_unavailable(RuntimeError())
