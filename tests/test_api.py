"""The monitor API: tokens (issued, renewed and revoked by the administrator; the secret shown once,
only its hash kept), bearer authentication that never takes a session, the flow endpoint's refusals
(401 / 404 / 400, each in JSON and audited, never a 500), one region per token, the audit of every
call, the counts and their suppression, and a constant number of queries."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

import pytest
from sqlalchemy import select, update

from ret_app.extensions import db
from ret_app.kernel.dates import AMSTERDAM, today, utcnow
from ret_app.models import ApiToken, AuditEvent, Organisation
from tests.conftest import csrf_token, login

FLOW = "/api/v1/flow"
TOKENS = "/beheer/api-sleutels"
SECRET_RE = re.compile(r'id="secret"[^>]*value="(ret_[A-Za-z0-9_-]+)"')


# --- helpers ---------------------------------------------------------------------------------

def issue(app, organisation_id: int, admin_id: int, *, valid_days: int = 30) -> tuple[int, str]:
    """A token issued through the service (the pages are tested below): (id, secret)."""
    from ret_app.api import services
    from ret_app.kernel import submissions
    from ret_app.models import User

    with app.app_context():
        issued = services.issue(db.session.get(User, admin_id), organisation_id, "Regiomonitor",
                                today() + timedelta(days=valid_days), submissions.new_key())
        db.session.commit()
        return issued.token.id, issued.secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def audit_rows(app, since_id: int, object_type: Optional[str] = None) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.id > since_id).order_by(AuditEvent.id)
        if object_type:
            stmt = stmt.where(AuditEvent.object_type == object_type)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def at(day: date) -> datetime:
    """Noon of `day` in the Netherlands, as an aware moment."""
    return datetime.combine(day, time(12), AMSTERDAM).astimezone(timezone.utc)


@pytest.fixture
def world(make_world):
    return make_world()


@pytest.fixture
def policy_org(factory, world):
    """The municipalities' policy and purchasing organisation of the world's region."""
    return factory.organisation("management", region_id=world.region.id, name=f"Beleid en inkoop {world.region.name}")


@pytest.fixture
def token(app, world, policy_org):
    return issue(app, policy_org.id, world.admin.id)


# --- the administrator's pages: the token's life ---------------------------------------------------

def test_issue_renew_revoke_through_the_pages(app, client, world, policy_org):
    login(client, app, world.admin)
    before = last_audit_id(app)
    page = client.get(f"{TOKENS}/nieuw")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert policy_org.name in html
    assert world.provider.name not in html  # providers hold no token
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_token(client, f"{TOKENS}/nieuw"), "organisation_id": str(policy_org.id),
            "name": "Regiomonitor jeugd", "expires_on": (today() + timedelta(days=90)).isoformat(),
            "submission_key": key}
    shown = client.post(f"{TOKENS}/nieuw", data=data)
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    secret = SECRET_RE.search(shown.get_data(as_text=True)).group(1)
    with app.app_context():
        stored = db.session.scalars(select(ApiToken).where(ApiToken.organisation_id == policy_org.id)).one()
        assert stored.token_hash != secret and secret not in (stored.token_hash, stored.prefix)
        assert secret.startswith(stored.prefix) and len(stored.prefix) == 12
        assert stored.name == "Regiomonitor jeugd"
        first_id = stored.id
    assert client.get(FLOW, headers=bearer(secret)).status_code == 200

    # The same form sent again issues nothing and shows no secret.
    again = client.post(f"{TOKENS}/nieuw", data=data)
    assert again.status_code == 302 and not SECRET_RE.search(again.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ApiToken.id))
                                 .where(ApiToken.organisation_id == policy_org.id)) == 1

    listing = client.get(TOKENS).get_data(as_text=True)
    assert "Regiomonitor jeugd" in listing and secret not in listing and stored.prefix in listing

    renewed = client.post(f"{TOKENS}/{first_id}/vernieuwen", data={"csrf_token": csrf_token(client, TOKENS)})
    assert renewed.status_code == 200
    new_secret = SECRET_RE.search(renewed.get_data(as_text=True)).group(1)
    assert new_secret != secret
    assert client.get(FLOW, headers=bearer(secret)).status_code == 401  # the old one stops at once
    assert client.get(FLOW, headers=bearer(new_secret)).status_code == 200
    with app.app_context():
        old = db.session.get(ApiToken, first_id)
        assert old.revoked_at is not None and old.replaced_by_id is not None
        new = db.session.get(ApiToken, old.replaced_by_id)
        assert (new.organisation_id, new.name, new.expires_at) == (old.organisation_id, old.name, old.expires_at)
        new_id = new.id

    # Renewing the renewed (revoked) one again is refused; nothing new is issued.
    refused = client.post(f"{TOKENS}/{first_id}/vernieuwen", data={"csrf_token": csrf_token(client, TOKENS)})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ApiToken.id))
                                 .where(ApiToken.organisation_id == policy_org.id)) == 2

    revoked = client.post(f"{TOKENS}/{new_id}/intrekken", data={"csrf_token": csrf_token(client, TOKENS)})
    assert revoked.status_code == 302
    assert client.get(FLOW, headers=bearer(new_secret)).status_code == 401

    rows = audit_rows(app, before, "api_token")
    kinds = [(row.action, row.object_id, row.detail) for row in rows if row.outcome == "allowed"]
    assert ("create", str(first_id), f"organisation={policy_org.id};expires={(today() + timedelta(days=90)).isoformat()}") in kinds
    assert any(a == "create" and o == str(new_id) and d.endswith(f";replaces={first_id}") for a, o, d in kinds)
    assert ("update", str(first_id), f"organisation={policy_org.id};revoked;replaced_by={new_id}") in kinds
    assert ("update", str(new_id), f"organisation={policy_org.id};revoked") in kinds
    for row in audit_rows(app, before):
        for value in (row.detail or "", row.object_id or "", row.on_behalf_of or ""):
            assert secret not in value and new_secret not in value
            assert secret[:12] not in value and new_secret[:12] not in value


def test_issue_form_shows_every_error_at_once_and_keeps_the_input(app, client, world, factory):
    provider = world.provider
    login(client, app, world.admin)
    token = csrf_token(client, f"{TOKENS}/nieuw")
    response = client.post(f"{TOKENS}/nieuw", data={
        "csrf_token": token, "organisation_id": str(provider.id), "name": "Mijn monitor",
        "expires_on": (today() + timedelta(days=800)).isoformat(), "submission_key": "k" * 32})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="organisation_id-error"' in html and 'id="expires_on-error"' in html
    assert 'value="Mijn monitor"' in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ApiToken.id))) == 0


def test_an_administrator_of_another_region_neither_sees_nor_changes_the_token(app, client, world, factory, token):
    token_id, secret = token
    elsewhere_admin_org = factory.organisation("management", region_id=world.elsewhere.region.id)
    other_admin = factory.user("admin", elsewhere_admin_org.id)
    login(client, app, other_admin)
    assert f'data-token="{token_id}"' not in client.get(TOKENS).get_data(as_text=True)
    form = csrf_token(client, TOKENS)
    assert client.post(f"{TOKENS}/{token_id}/intrekken", data={"csrf_token": form}).status_code == 404
    assert client.post(f"{TOKENS}/{token_id}/vernieuwen", data={"csrf_token": form}).status_code == 404
    assert client.get(FLOW, headers=bearer(secret)).status_code == 200  # untouched
    # Nor issue one for an organisation of the first region.
    new_page = client.get(f"{TOKENS}/nieuw").get_data(as_text=True)
    assert f'value="{world.team.id}"' not in new_page


# --- authentication: the bearer token, never the session ------------------------------------------

def _expire(app, token_id: int) -> None:
    with app.app_context():
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id)
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def _revoke(app, token_id: int) -> None:
    with app.app_context():
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))
        db.session.commit()


@pytest.mark.parametrize("case", ["missing", "malformed_scheme", "malformed_secret", "unknown", "expired",
                                  "revoked", "organisation_inactive"])
def test_no_valid_token_is_401_in_json_and_audited(app, client, world, policy_org, token, case):
    token_id, secret = token
    headers = {
        "missing": {},
        "malformed_scheme": {"Authorization": f"Basic {secret}"},
        "malformed_secret": {"Authorization": "Bearer " + "x" * 5000},
        "unknown": bearer("ret_" + "A" * 43),
        "expired": bearer(secret),
        "revoked": bearer(secret),
        "organisation_inactive": bearer(secret),
    }[case]
    if case == "expired":
        _expire(app, token_id)
    if case == "revoked":
        _revoke(app, token_id)
    if case == "organisation_inactive":
        with app.app_context():
            db.session.execute(update(Organisation).where(Organisation.id == policy_org.id).values(active=False))
            db.session.commit()
    before = last_audit_id(app)
    response = client.get(FLOW, headers=headers)
    assert response.status_code == 401
    assert response.is_json and response.json["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="RET monitor API"')
    reason = {"malformed_scheme": "malformed", "malformed_secret": "malformed"}.get(case, case)
    [row] = audit_rows(app, before)
    assert (row.action, row.outcome, row.object_type, row.detail) == (
        "read", "denied", "api_call", f"route=api.flow;reason={reason}")
    known = case in ("expired", "revoked", "organisation_inactive")
    assert row.object_id == (str(token_id) if known else None)
    assert row.user_id is None and secret not in str(row.detail)


def test_a_signed_in_session_is_no_token(app, client, world, token):
    """Signed in as the administrator (or anyone): the API answers 401 without a token, sets no cookie,
    and with a token records the call as the token's, not the user's."""
    token_id, secret = token
    login(client, app, world.admin)
    response = client.get(FLOW)
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers
    before = last_audit_id(app)
    ok = client.get(FLOW, headers=bearer(secret))
    assert ok.status_code == 200 and "Set-Cookie" not in ok.headers
    [row] = audit_rows(app, before)
    assert row.user_id is None and row.object_id == str(token_id)


def test_the_api_takes_no_csrf_token_and_no_form(app, client, token):
    _token_id, secret = token
    response = client.post(FLOW, headers=bearer(secret))
    assert response.status_code == 405 and response.is_json


# --- 404 and 400 ------------------------------------------------------------------------------

def test_a_municipality_of_another_region_is_404(app, client, world, token):
    token_id, secret = token
    before = last_audit_id(app)
    response = client.get(FLOW, query_string={"municipality": world.elsewhere.municipality.cbs_code},
                          headers=bearer(secret))
    assert response.status_code == 404 and response.json["error"] == "not_found"
    [row] = audit_rows(app, before)
    assert (row.outcome, row.object_id, row.detail) == ("denied", str(token_id),
                                                         "route=api.flow;not_found=municipality")
    assert client.get(FLOW, query_string={"municipality": "GM0999"}, headers=bearer(secret)).status_code == 404
    own = client.get(FLOW, query_string={"municipality": world.municipality.cbs_code}, headers=bearer(secret))
    assert own.status_code == 200 and own.json["municipality"]["cbs_code"] == world.municipality.cbs_code


@pytest.mark.parametrize("query, parameters", [
    ({"period": "week"}, ["period"]),
    ({"period": "m" * 100_000}, ["period"]),
    ({"from": "morgen"}, ["from"]),
    ({"from": "2026-01-01" * 10_000}, ["from"]),
    ({"to": "1999-12-31"}, ["to"]),
    ({"from": "2026-02-30"}, ["from"]),
    ({"from": "2026-06-01", "to": "2026-01-01"}, ["from", "to"]),
    ({"period": "month", "from": "2020-01-01", "to": "2026-01-01"}, ["from", "to"]),
    ({"period": "year", "from": "2001-01-01", "to": "2026-01-01"}, ["from", "to"]),
    ({"municipality": "Apeldoorn"}, ["municipality"]),
    ({"municipality": "GM02000"}, ["municipality"]),
    ({"period": "week", "from": "gisteren", "municipality": "x"}, ["from", "municipality", "period"]),
    # An unknown parameter (a misspelt one must not answer for the whole region), even without a name.
    ({"municipalty": "GM0200"}, ["municipalty"]),
    ({"": "0.0"}, [""]),
])
def test_bad_query_parameters_are_400_in_json(app, client, token, query, parameters):
    token_id, secret = token
    before = last_audit_id(app)
    response = client.get(FLOW, query_string=query, headers=bearer(secret))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.is_json and response.json["error"] == "bad_request"
    assert response.json["parameters"] == parameters
    body = response.get_data(as_text=True)
    for value in query.values():
        if value not in ("month", "year"):
            assert value not in body  # never echoed
    [row] = audit_rows(app, before)
    assert (row.outcome, row.object_id, row.detail) == ("failed", str(token_id),
                                                         "route=api.flow;invalid=" + ",".join(parameters))


# --- what a token reads ------------------------------------------------------------------------

def _cases(factory, world, municipality, count: int, day: date, **dates) -> None:
    for _ in range(count):
        factory.case(world.caseworker, municipality, status="submitted", submitted_at=at(day), **dates)


def whole_year_shown(table, total: int) -> bool:
    return table.grand_total.value == total


def _as_json(cell) -> dict:
    return {"value": cell.value, "shown": cell.shown, "suppressed": cell.suppressed, "reason": cell.reason}


def test_counts_per_period_are_the_protected_table_of_the_year(app, client, factory, world, token):
    """Every number comes from one suppressed table per year and measure (municipalities x months, with
    margins), built here independently from the cases made, and protected by the suppression module."""
    from ret_app.stats.suppression import suppress_table

    _token_id, secret = token
    year = today().year - 1  # a whole year in the past
    january, february, july = date(year, 1, 15), date(year, 2, 10), date(year, 7, 1)
    # referred per municipality (rows: the world's municipality, then the other) and month
    _cases(factory, world, world.municipality, 6, january, closed_at=at(january))
    _cases(factory, world, world.municipality, 1, january)
    _cases(factory, world, world.other_municipality, 6, january)
    _cases(factory, world, world.municipality, 3, february)
    _cases(factory, world, world.other_municipality, 8, july, intake_at=at(july), fitting_help_started_on=july)
    _cases(factory, world, world.elsewhere.municipality, 9, january)  # another region's: never counted
    referred = [[0] * 12, [0] * 12]
    referred[0][0], referred[1][0], referred[0][1], referred[1][6] = 7, 6, 3, 8
    closed = [[0] * 12, [0] * 12]
    closed[0][0] = 6
    taken_in = [[0] * 12, [0] * 12]
    taken_in[1][6] = 8
    expected = {"referred": suppress_table(referred), "closed": suppress_table(closed),
                "taken_in": suppress_table(taken_in), "fitting_help_started": suppress_table(taken_in)}

    def ask(**query):
        response = client.get(FLOW, query_string=query, headers=bearer(secret))
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response.json

    months = ask(**{"from": f"{year}-01-01", "to": f"{year}-12-31"})
    assert [p["period"] for p in months["periods"]] == [f"{year}-{m:02d}" for m in range(1, 13)]
    assert months["periods"][0]["label"] == f"januari {year}" and months["municipality"] is None
    assert months["region"]["name"] == world.region.name
    for measure, table in expected.items():
        assert [p[measure] for p in months["periods"]] == [_as_json(c) for c in table.column_totals], measure
    # Not everything is hidden: January's referrals of the region, 13, or the year's 24, are shown.
    assert months["periods"][0]["referred"]["value"] == 13 or whole_year_shown(expected["referred"], 24)

    one = ask(**{"from": f"{year}-01-01", "to": f"{year}-12-31", "municipality": world.other_municipality.cbs_code})
    assert one["municipality"]["cbs_code"] == world.other_municipality.cbs_code
    for measure, table in expected.items():
        assert [p[measure] for p in one["periods"]] == [_as_json(c) for c in table.cells[1]], measure

    whole = ask(period="year", **{"from": f"{year}-06-01", "to": f"{year}-06-01"})
    assert [p["period"] for p in whole["periods"]] == [str(year)]
    for measure, table in expected.items():
        assert whole["periods"][0][measure] == _as_json(table.grand_total)
    mine = ask(period="year", **{"from": f"{year}-06-01", "to": f"{year}-06-01",
                                 "municipality": world.municipality.cbs_code})
    assert mine["periods"][0]["referred"] == _as_json(expected["referred"].row_totals[0])

    quarters = ask(period="quarter", **{"from": f"{year}-01-01", "to": f"{year}-12-31"})
    assert [p["period"] for p in quarters["periods"]] == [f"{year}-Q{q}" for q in range(1, 5)]
    for measure, table in expected.items():
        for q, period in enumerate(quarters["periods"]):
            parts = table.column_totals[3 * q:3 * q + 3]
            if any(c.suppressed for c in parts):  # a quarter is shown only when its three months are
                assert period[measure]["suppressed"] and period[measure]["value"] is None
            else:
                assert period[measure]["value"] == sum(c.value for c in parts)


def test_small_counts_are_never_shown(app, client, factory, world, token):
    _token_id, secret = token
    day = date(today().year - 1, 2, 10)
    _cases(factory, world, world.municipality, 3, day)
    body = client.get(FLOW, query_string={"from": day.isoformat(), "to": day.isoformat()},
                      headers=bearer(secret)).json
    cell = body["periods"][0]["referred"]
    assert cell["value"] is None and cell["suppressed"] and cell["shown"] == "<5" and cell["reason"] == "small"


def test_a_token_of_one_region_never_reads_another(app, client, factory, world, token):
    """The same figures asked with a token of each region: each sees its own cases only."""
    _token_id, secret = token
    there = world.elsewhere
    other_org = factory.organisation("management", region_id=there.region.id)
    _other_id, other_secret = issue(app, other_org.id, world.admin.id)
    day = date(today().year - 1, 5, 5)
    _cases(factory, world, world.municipality, 5, day)
    _cases(factory, world, there.municipality, 8, day)
    query = {"from": day.isoformat(), "to": day.isoformat()}
    mine = client.get(FLOW, query_string=query, headers=bearer(secret)).json
    theirs = client.get(FLOW, query_string=query, headers=bearer(other_secret)).json
    assert mine["periods"][0]["referred"]["value"] == 5 and mine["region"]["name"] == world.region.name
    assert theirs["periods"][0]["referred"]["value"] == 8 and theirs["region"]["name"] == there.region.name
    assert client.get(FLOW, query_string={**query, "municipality": world.municipality.cbs_code},
                      headers=bearer(other_secret)).status_code == 404


def test_every_call_is_audited_and_marks_the_token_used(app, client, world, policy_org, token):
    token_id, secret = token
    with app.app_context():
        assert db.session.get(ApiToken, token_id).last_used_at is None
    before = last_audit_id(app)
    response = client.get(FLOW, query_string={"period": "quarter", "from": "2025-01-01", "to": "2025-12-31"},
                          headers=bearer(secret))
    assert response.status_code == 200
    [row] = audit_rows(app, before)
    assert (row.action, row.outcome, row.object_type, row.object_id, row.on_behalf_of) == (
        "read", "allowed", "api_call", str(token_id), policy_org.name)
    assert row.detail == f"route=api.flow;region={world.region.id};period=quarter;from=2025-01-01;to=2025-12-31"
    with app.app_context():
        assert db.session.get(ApiToken, token_id).last_used_at is not None


def test_defaults_are_the_last_twelve_months(app, client, token):
    _token_id, secret = token
    body = client.get(FLOW, headers=bearer(secret)).json
    assert body["period"] == "month" and len(body["periods"]) == 12
    assert body["periods"][-1]["period"] == f"{today().year}-{today().month:02d}"


@pytest.mark.counts_queries("api.flow", "api_tokens.tokens")
def test_query_count_does_not_grow_with_the_cases(app, client, factory, world, token, count_queries):
    _token_id, secret = token
    day = date(today().year - 1, 3, 3)
    query = {"from": f"{day.year}-01-01", "to": f"{day.year}-12-31"}

    def counted() -> int:
        with count_queries() as statements:
            assert client.get(FLOW, query_string=query, headers=bearer(secret)).status_code == 200
        return len(statements)

    _cases(factory, world, world.municipality, 5, day, closed_at=at(day))
    few = counted()
    _cases(factory, world, world.other_municipality, 45, day, closed_at=at(day))
    assert counted() == few

    login(client, app, world.admin)
    org = factory.organisation("management", region_id=world.region.id)

    def listed() -> int:
        with count_queries() as statements:
            assert client.get(TOKENS).status_code == 200
        return len(statements)

    for _ in range(4):
        issue(app, org.id, world.admin.id)
    few = listed()
    for _ in range(45):
        issue(app, org.id, world.admin.id)
    assert listed() == few


def test_the_openapi_document_is_served_and_names_the_security(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.json
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/api/v1/flow", "/api/v1/outcomes", "/api/v1/gaps", "/api/v1/signals"}
    for path in document["paths"]:
        operation = document["paths"][path]["get"]
        assert operation["security"] == [{"bearer": []}], path
        assert {"200", "400", "401", "404"} <= set(operation["responses"]), path
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "A token issued in RET (Beheer > API-sleutels)."}
