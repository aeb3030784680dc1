"""The same form sent twice (a double click, a retry after a slow answer) creates one thing, also for the
forms that create a case (a new referral), a family member and a session (their submission keys,
ret_app.kernel.submissions); each answers the second time as the first. Decisions, actions, requests,
escalations, answers and reminders were already protected (tests/test_meeting_live.py,
test_meeting_decisions.py, test_commitments*.py, test_escalations*.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import AuditEvent, Case, FamilyMember, Meeting
from tests.conftest import csrf_token, login


@pytest.fixture
def w(make_world):
    return make_world()


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _key(body: str, name: str = "submission_key") -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]+)"', body) or \
        re.search(rf'value="([^"]+)"[^>]*name="{name}"', body)
    assert match, f"no {name} in the form"
    return match.group(1)


def _client(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def test_a_new_referral_sent_twice_starts_one(app, w):
    client = _client(app, w.caseworker)
    page = client.get("/casussen/nieuw").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, "/start"), "municipality_id": str(w.municipality.id),
            "submission_key": _key(page)}
    first = client.post("/casussen/nieuw", data=data)
    second = client.post("/casussen/nieuw", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app, Case, Case.caseworker_id == w.caseworker.id) == 1
    assert _count(app, AuditEvent, AuditEvent.action == "create", AuditEvent.object_type == "case") == 1
    # A fresh form (a new key) starts another one.
    data["submission_key"] = _key(client.get("/casussen/nieuw").get_data(as_text=True))
    assert client.post("/casussen/nieuw", data=data).status_code == 302
    assert _count(app, Case, Case.caseworker_id == w.caseworker.id) == 2


def test_a_family_member_sent_twice_is_added_once_and_the_form_comes_back_with_a_new_key(app, w, factory):
    concept = factory.case(w.caseworker, w.municipality, complete=False)
    client = _client(app, w.caseworker)
    page = client.get(f"/casussen/{concept}/aanmelding").get_data(as_text=True)
    key = _key(page, "member-submission_key")
    data = {"csrf_token": csrf_token(client, "/start"), "member-relation": "sibling", "member-age": "9",
            "member-submission_key": key}
    first = client.post(f"/casussen/{concept}/aanmelding/gezin", data=data, headers={"HX-Request": "true"})
    second = client.post(f"/casussen/{concept}/aanmelding/gezin", data=data, headers={"HX-Request": "true"})
    assert first.status_code == second.status_code == 200
    assert _count(app, FamilyMember, FamilyMember.case_id == concept) == 1
    assert _key(second.get_data(as_text=True), "member-submission_key") != key  # ready for the next person
    # Without htmx too.
    assert client.post(f"/casussen/{concept}/aanmelding/gezin", data=data).status_code == 302
    assert _count(app, FamilyMember, FamilyMember.case_id == concept) == 1


def test_a_session_planned_twice_is_planned_once(app, w):
    client = _client(app, w.chair)
    page = client.get("/overleggen/nieuw").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, "/start"), "submission_key": _key(page),
            "date": (dates.today() + timedelta(days=7)).isoformat(), "start_time": "14:00",
            "duration_minutes": "90", "location": "Vergaderzaal 3", "online_url": "", "chair_id": str(w.chair.id)}
    first = client.post("/overleggen/nieuw", data=data)
    second = client.post("/overleggen/nieuw", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app, Meeting, Meeting.created_by_id == w.chair.id) == 1


def test_a_form_without_a_key_still_works(app, w):
    """An old page (before the key) is not refused: it is only not protected."""
    client = _client(app, w.caseworker)
    data = {"csrf_token": csrf_token(client, "/start"), "municipality_id": str(w.municipality.id)}
    assert client.post("/casussen/nieuw", data=data).status_code == 302
    assert _count(app, Case, Case.caseworker_id == w.caseworker.id) == 1
