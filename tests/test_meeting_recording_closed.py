"""Recording a decision or an action when that is no longer possible — the session was closed (or
approved) while the form was open, or the case was returned to the access team with advice — answers
with one clear Dutch sentence above the form and the form as it was sent: the typed text is still in
it. With htmx (the form swapped in place) and without (the whole live page), never a 500, nothing
recorded, the refusal audited."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.meetings import recording
from ret_app.models import AuditEvent, Case, CaseAction, Decision, Meeting, User
from tests.conftest import csrf_token, login

HTMX = {"HX-Request": "true"}
DECISION_TEXT = "Dagbehandeling bij De Bolder, twaalf maanden; evaluatie na drie maanden."
ACTION_TEXT = "Gesprek met school over de terugkeer na de herfstvakantie."


@pytest.fixture
def world(make_world, factory):
    w = make_world(names={"chair": "Carla Voorzitter", "caseworker": "Marieke Mandaat"})
    w.case_id = factory.case(w.caseworker, w.municipality, status="process_direction")
    return w


def _dutch(app, message) -> str:
    with app.test_request_context(), force_locale("nl"):
        return str(escape(str(message)))


def _key(body: str, prefix: str) -> str:
    match = re.search(rf'name="{prefix}-submission_key"[^>]*value="([^"]+)"', body) or \
        re.search(rf'value="([^"]+)"[^>]*name="{prefix}-submission_key"', body)
    assert match, "no submission key in the form"
    return match.group(1)


def _open_form(app, factory, world):
    """A running session with the case on it; the chair has the live page open: (client, meeting, item, page)."""
    meeting_id = factory.meeting(world.chair, status="in_progress", cases=(world.case_id,))
    with app.app_context():
        item_id = db.session.get(Meeting, meeting_id).items[0].id
    client = app.test_client()
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    return client, meeting_id, item_id, page


def _close(app, meeting_id: int, *, approve: bool = False) -> None:
    from ret_app.meetings import lifecycle

    with app.test_request_context():
        meeting = db.session.get(Meeting, meeting_id)
        chair = db.session.get(User, meeting.chair_id)
        lifecycle.apply(meeting, "close", chair)
        if approve:
            lifecycle.apply(meeting, "approve", chair)
        db.session.commit()


def _return_with_advice(app, case_id: int) -> None:
    with app.app_context():
        db.session.get(Case, case_id).status = "returned_with_advice"
        db.session.commit()


def _send(client, meeting_id, item_id, page, kind: str, htmx: bool, world):
    token = csrf_token(client, f"/overleggen/{meeting_id}/live")
    if kind == "decision":
        prefix, url = f"d{item_id}", f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten"
        fields = {"text": DECISION_TEXT, "kind": "general"}
    else:
        prefix, url = f"a{item_id}", f"/overleggen/{meeting_id}/agenda/{item_id}/acties"
        fields = {"description": ACTION_TEXT, "owner": f"u{world.caseworker.id}",
                  "due_date": (date.today() + timedelta(days=14)).isoformat()}
    data = {"csrf_token": token, f"{prefix}-submission_key": _key(page, prefix),
            **{f"{prefix}-{name}": value for name, value in fields.items()}}
    return client.post(url, data=data, headers=HTMX if htmx else {})


def _recorded(app, kind: str, item_id: int) -> int:
    model = Decision if kind == "decision" else CaseAction
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(model.item_id == item_id))


def _refusals(app, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == ("decision" if kind == "decision" else "case_action"),
            AuditEvent.outcome != "success"))


def _assert_answered_with_text_kept(app, response, kind: str, message, item_id: int, htmx: bool) -> None:
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    assert _dutch(app, message) in body
    assert 'role="alert"' in body  # the error summary, announced
    typed = DECISION_TEXT if kind == "decision" else ACTION_TEXT
    form_id = f"live-{kind}-form-{item_id}"
    assert f'id="{form_id}"' in body
    form = body[body.index(f'id="{form_id}"'):]
    assert re.search(r"<textarea[^>]*>\s*" + re.escape(typed), form), "the typed text is not in the form"
    if htmx:
        assert "<html" not in body  # only the form came back, swapped in place
    else:
        assert "<html" in body and 'id="live-workspace"' in body  # the whole live page, the form in it


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("kind", ["decision", "action"])
@pytest.mark.parametrize("approve", [False, True], ids=["closed", "approved"])
def test_a_closed_session_answers_with_a_message_and_keeps_the_text(app, factory, world, kind, htmx, approve):
    client, meeting_id, item_id, page = _open_form(app, factory, world)
    _close(app, meeting_id, approve=approve)
    refusals = _refusals(app, kind)

    response = _send(client, meeting_id, item_id, page, kind, htmx, world)

    with app.app_context():
        message = recording.session_refusal(db.session.get(Meeting, meeting_id),
                                            recording.DECISION if kind == "decision" else recording.ACTION)
    _assert_answered_with_text_kept(app, response, kind, message, item_id, htmx)
    assert "gesloten" in _dutch(app, message)
    assert _recorded(app, kind, item_id) == 0
    assert _refusals(app, kind) == refusals + 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("kind", ["decision", "action"])
def test_a_case_returned_with_advice_answers_with_a_message_and_keeps_the_text(app, factory, world, kind, htmx):
    client, meeting_id, item_id, page = _open_form(app, factory, world)
    _return_with_advice(app, world.case_id)

    response = _send(client, meeting_id, item_id, page, kind, htmx, world)

    with app.app_context():
        message = recording.case_refusal(db.session.get(Case, world.case_id),
                                         recording.DECISION if kind == "decision" else recording.ACTION)
    assert message is not None and "advies" in _dutch(app, message)
    _assert_answered_with_text_kept(app, response, kind, message, item_id, htmx)
    assert _recorded(app, kind, item_id) == 0

