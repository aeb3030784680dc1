"""Links handed out and the hosts RET answers for: activation links and the calendar file are built
from the configured base URL (RET_BASE_URL), never from the request's Host or X-Forwarded-Host;
production refuses to start without a base URL and refuses requests for unknown hosts; the calendar
file escapes what was typed into a session's place (RFC 5545), so nothing can add a property."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import Meeting, User
from tests.conftest import csrf_token, login

BASE = "https://ret.example.nl"
INTERNAL = "ret-intern.example"  # a trusted extra host (RET_TRUSTED_HOSTS)
EVIL = "evil.example"
LINK_RE = re.compile(r'id="activation-link">\s*([^<\s]+)\s*<')


def client_at(app, base_url: str) -> FlaskClient:
    """A browser that reaches the app at `base_url` (its Host header and scheme), sending the
    same-origin Referer a browser sends (Flask-WTF checks it on HTTPS)."""

    class AtHost(FlaskClient):
        def open(self, *args, **kwargs):
            kwargs.setdefault("base_url", base_url)
            kwargs["headers"] = {"Referer": f"{base_url}/", **(kwargs.get("headers") or {})}
            return super().open(*args, **kwargs)

    return AtHost(app, app.response_class, use_cookies=True)


@pytest.fixture
def production(app, monkeypatch):
    """production(**overrides) -> a production app on the test database, reached at BASE, with
    INTERNAL as an extra trusted host."""
    made = []

    def make(**overrides):
        monkeypatch.setenv("SECRET_KEY", "p" * 48)
        monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
        monkeypatch.setenv("RET_BASE_URL", BASE)
        monkeypatch.setenv("RET_TRUSTED_HOSTS", INTERNAL)
        prod = create_app(config.ProductionConfig, {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                                    **overrides})
        made.append(prod)
        return prod

    yield make
    for prod in made:
        with prod.app_context():
            db.engine.dispose()


def create_user(client, org_id: int, email: str, **kwargs):
    token = csrf_token(client, "/beheer/gebruikers/nieuw")
    return client.post("/beheer/gebruikers/nieuw", data={
        "csrf_token": token, "name": "Nieuwe Collega", "email": email, "role": "chair",
        "organisation_id": str(org_id)}, **kwargs)


def activation_link(response) -> str:
    assert response.status_code == 200, response.status_code
    match = LINK_RE.search(response.get_data(as_text=True))
    assert match, "the page shows no activation link"
    return match.group(1)


def assert_unknown_host(response) -> None:
    """Refused by the host check itself (not by a later step): plain text, no page, no cookie."""
    assert response.status_code == 400, response.status_code
    assert response.mimetype == "text/plain" and response.get_data(as_text=True) == "Unknown host.\n"
    assert "Set-Cookie" not in response.headers


def user_count(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


# --- configuration --------------------------------------------------------------------------

@pytest.mark.parametrize("value,message", [
    (None, "RET_BASE_URL"),
    ("http://ret.example.nl", "https"),
    ("https://ret.example.nl/ret", "path"),
    ("https://", "host"),
    ("https://ret.example.nl\r\nX-Evil: 1", "no spaces"),
])
def test_production_refuses_to_start_without_a_proper_base_url(monkeypatch, tmp_path, value, message):
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never.sqlite3'}")
    if value is None:
        monkeypatch.delenv("RET_BASE_URL", raising=False)
    else:
        monkeypatch.setenv("RET_BASE_URL", value)
    with pytest.raises(RuntimeError, match=message):
        create_app(config.ProductionConfig)


def test_production_trusts_the_base_urls_host_and_the_extra_ones(production):
    prod = production()
    assert prod.config["BASE_URL"] == BASE
    assert prod.config["TRUSTED_HOSTS"] == ["ret.example.nl", INTERNAL]


def test_development_and_tests_accept_any_host_unless_told_otherwise(app):
    assert app.config["TRUSTED_HOSTS"] is None
    assert app.test_client().get("/inloggen", headers={"Host": EVIL}).status_code == 200
    restricted = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                                "EXTRA_TRUSTED_HOSTS": [INTERNAL]})
    try:
        assert restricted.config["TRUSTED_HOSTS"] == ["localhost", INTERNAL]
        assert_unknown_host(restricted.test_client().get("/inloggen", headers={"Host": EVIL}))
    finally:
        with restricted.app_context():
            db.engine.dispose()


# --- unknown hosts in production ------------------------------------------------------------------

def test_production_refuses_a_request_for_an_unknown_host_before_anything_runs(production):
    prod = production()
    for host in ("ret.example.nl", "ret.example.nl:443", INTERNAL):
        assert client_at(prod, f"https://{host}").get("/inloggen").status_code == 200, host
    for host in (EVIL, f"ret.example.nl.{EVIL}", f"{EVIL}:443", "ret.example.nl@evil.example", ""):
        assert_unknown_host(client_at(prod, BASE).get("/inloggen", headers={"Host": host}))


def test_forwarded_host_counts_only_behind_a_trusted_proxy_and_is_checked_there(production):
    # Without proxies in front the header is not believed at all.
    direct = production()
    assert client_at(direct, BASE).get("/inloggen", headers={"X-Forwarded-Host": EVIL}).status_code == 200
    # Behind one proxy it is the host the browser asked for: checked like Host.
    proxied = production(TRUSTED_PROXY_COUNT=1)
    assert client_at(proxied, BASE).get("/inloggen", headers={"X-Forwarded-Host": INTERNAL}).status_code == 200
    assert_unknown_host(client_at(proxied, BASE).get("/inloggen", headers={"X-Forwarded-Host": EVIL}))


# --- activation links -------------------------------------------------------------------------------

def test_activation_link_comes_from_the_base_url_in_production(app, factory, production):
    prod = production(TRUSTED_PROXY_COUNT=1)
    admin = factory.user("admin")
    org = factory.organisation(kind="ret")
    browser = client_at(prod, f"https://{INTERNAL}")  # a trusted host, but not the one links name
    login(browser, prod, admin)

    link = activation_link(create_user(browser, org.id, "via.intern@test.example"))
    assert link.startswith(f"{BASE}/activeren/"), link

    # A forged X-Forwarded-Host is refused: no user, no link.
    assert_unknown_host(create_user(browser, org.id, "via.proxy@test.example", headers={"X-Forwarded-Host": EVIL}))
    assert user_count(prod, "via.proxy@test.example") == 0
    # So is a forged Host.
    assert_unknown_host(create_user(browser, org.id, "via.host@test.example", headers={"Host": EVIL}))
    assert user_count(prod, "via.host@test.example") == 0

    # A new link for the same user, asked for on the trusted internal host, names the base URL too.
    with prod.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "via.intern@test.example"))
    token = csrf_token(browser, f"/beheer/gebruikers/{user_id}")
    again = browser.post(f"/beheer/gebruikers/{user_id}/activatielink", data={"csrf_token": token})
    assert activation_link(again).startswith(f"{BASE}/activeren/")
    # And the link works where it points.
    assert client_at(prod, BASE).get(urlsplit(activation_link(again)).path).status_code == 200


def test_a_forged_host_never_reaches_an_activation_link_even_where_hosts_are_not_checked(app, factory):
    """Tests (like development) accept any host; the link still names the configured base URL."""
    admin = factory.user("admin")
    org = factory.organisation(kind="ret")
    browser = client_at(app, f"http://{EVIL}")
    login(browser, app, admin)
    link = activation_link(create_user(browser, org.id, "forged.host@test.example",
                                       headers={"X-Forwarded-Host": EVIL}))
    assert link.startswith(f"{app.config['BASE_URL']}/activeren/") and EVIL not in link


def test_create_admin_prints_a_link_on_the_base_url(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "eerste.beheerder@test.example",
                                                "--name", "Eerste Beheerder", "--organisation", "Beheer links"])
    assert result.exit_code == 0, result.output
    assert re.search(r"http://localhost/activeren/[A-Za-z0-9_-]{20,}\s*$", result.output), result.output


# --- the calendar file ------------------------------------------------------------------------------

def _chair_with_meeting(factory, location: str):
    region = factory.region()
    chair = factory.user("chair", factory.organisation("ret", region_id=region.id).id)
    meeting_id = factory.meeting(chair, starts_at=utcnow() + timedelta(days=2))
    with factory.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.location = location
        meeting.online_url = "https://meet.example/kamer,1;2"
        db.session.commit()
    return chair, meeting_id


def _event(body: str):
    calendar = Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and len(calendar.subcomponents) == 1, "one event and nothing else"
    return events[0]


def test_calendar_file_names_the_base_url_in_production(factory, production):
    prod = production(TRUSTED_PROXY_COUNT=1)
    chair, meeting_id = _chair_with_meeting(factory, "Vergaderzaal 2")
    browser = client_at(prod, f"https://{INTERNAL}")
    login(browser, prod, chair)

    response = browser.get(f"/overleggen/{meeting_id}/uitnodiging.ics")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    event = _event(body)
    assert str(event["URL"]) == f"{BASE}/overleggen/{meeting_id}"
    assert str(event["DESCRIPTION"]) == f"{BASE}/overleggen/{meeting_id}"
    assert str(event["UID"]) == f"ret-meeting-{meeting_id}@ret.example.nl"
    assert INTERNAL not in body

    for headers in ({"X-Forwarded-Host": EVIL}, {"Host": EVIL}):
        assert_unknown_host(browser.get(f"/overleggen/{meeting_id}/uitnodiging.ics", headers=headers))


def test_calendar_file_ignores_a_forged_host_where_hosts_are_not_checked(app, factory):
    chair, meeting_id = _chair_with_meeting(factory, "Vergaderzaal 2")
    browser = client_at(app, f"http://{EVIL}")
    login(browser, app, chair)
    body = browser.get(f"/overleggen/{meeting_id}/uitnodiging.ics",
                       headers={"X-Forwarded-Host": EVIL}).get_data(as_text=True)
    assert EVIL not in body
    assert str(_event(body)["URL"]) == f"http://localhost/overleggen/{meeting_id}"


def test_calendar_file_escapes_what_was_typed_into_the_place(app, client, factory):
    """A bare CR, a LF, a CRLF, commas, semicolons and backslashes in the place stay text: the file
    parses to one event with exactly our properties, and the place reads back as typed."""
    place = ("Zaal 1\rATTENDEE;ROLE=CHAIR:mailto:x@evil.example\nX-INJECTED:1\r\nDESCRIPTION:nep"
             "; hal, 2e verdieping \\ achterin " + "lang " * 12)  # long enough to be folded, within 200
    chair, meeting_id = _chair_with_meeting(factory, place)
    login(client, app, chair)

    response = client.get(f"/overleggen/{meeting_id}/uitnodiging.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    raw = response.get_data()
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\r" not in line and b"\n" not in line for line in lines), "a bare CR or LF in the file"
    assert all(len(line) <= 75 for line in lines), "a line longer than 75 octets (RFC 5545 §3.1)"
    unfolded = raw.decode("utf-8").replace("\r\n ", "")
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in unfolded.split("\r\n") if line]
    assert not any(name in ("ATTENDEE", "X-INJECTED") for name in names)
    assert names.count("DESCRIPTION") == 1
    location_line = next(line for line in unfolded.split("\r\n") if line.startswith("LOCATION:"))
    assert "Zaal 1\\nATTENDEE\\;ROLE=CHAIR:mailto:x@evil.example\\nX-INJECTED:1\\nDESCRIPTION:nep\\; hal\\," \
        in location_line
    assert "\\\\ achterin" in location_line and "kamer\\,1\\;2" in location_line

    event = _event(raw)
    assert set(event) == {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL", "SEQUENCE",
                          "STATUS", "LOCATION"}
    expected = place.replace("\r\n", "\n").replace("\r", "\n") + ", https://meet.example/kamer,1;2"
    assert str(event["LOCATION"]) == expected
