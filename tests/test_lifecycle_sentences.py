"""After a lifecycle step the page says what happened ("De casus is in procesregie."), not which
button was pressed ("Gedaan: Procesregie starten."): every transition of the case and the session
machine has its `done` sentence, translated, and the case routes flash it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale, gettext

from ret_app.cases.lifecycle import CASE
from ret_app.extensions import db
from ret_app.meetings.lifecycle import MEETING
from ret_app.models import Case, Consent, Screening
from tests.conftest import csrf_token, login


def nl(app, message: str) -> str:
    with app.test_request_context(), force_locale("nl"):
        return gettext(message)


@pytest.mark.parametrize("machine", [CASE, MEETING], ids=["case", "session"])
def test_every_transition_says_what_happened_in_dutch(app, machine):
    with app.test_request_context(), force_locale("nl"):
        for transition in machine.transitions:
            assert transition.done, f"{transition.name} has no done sentence"
            dutch = str(transition.done)
            assert dutch.endswith("."), (transition.name, dutch)
            assert str(transition.label) not in dutch, (transition.name, dutch)  # not "Gedaan: <label>"


@pytest.fixture
def world(make_world):
    return make_world()


def case_in(app, factory, world, status: str, **fields) -> int:
    """A case in `status` whose guards hold: consent for the RET, a track and director, a finalised
    screening, the day fitting help started."""
    fields = {"track": "process_direction", "process_director_id": world.director.id,
              "fitting_help_started_on": date.today(), **fields}
    case_id = factory.case(world.caseworker, world.municipality, status=status,
                           birth_date=date.today() - timedelta(days=365 * 17),
                           submitted_at=datetime.now(timezone.utc), intake_at=datetime.now(timezone.utc), **fields)
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.consents.append(Consent(scope="ret", given_by_role="youth", given_on=date.today(), form="written",
                                     recorded_by_id=world.caseworker.id))
        case.consent_ret = True
        db.session.add(Screening(case_id=case_id, finalised_at=datetime.now(timezone.utc),
                                 finalised_by_id=world.director.id))
        db.session.commit()
    return case_id


def step(client, case_id: int, name: str, reason: str = ""):
    return client.post(f"/casussen/{case_id}/stap/{name}",
                       data={"csrf_token": csrf_token(client, f"/casussen/{case_id}"), "reason": reason},
                       follow_redirects=True)


@pytest.mark.parametrize("status,name,reason,sentence", [
    ("screening", "start_process_direction", "", "De casus is in procesregie."),
    ("process_direction", "start_monitoring", "", "De casus is in de fase monitoring."),
    ("screening", "pause", "Het gezin vraagt bedenktijd",
     "De casus is opgeschort; de termijnen staan stil tot de casus wordt hervat."),
])
def test_the_step_route_says_what_happened(app, factory, world, status, name, reason, sentence):
    case_id = case_in(app, factory, world, status)
    client = app.test_client()
    login(client, app, world.chair)
    body = step(client, case_id, name, reason).get_data(as_text=True)
    assert sentence in body
    assert "Gedaan:" not in body
    with app.app_context():
        assert db.session.get(Case, case_id).status != status


def test_resuming_says_the_deadlines_run_again(app, factory, world):
    case_id = case_in(app, factory, world, "screening")
    client = app.test_client()
    login(client, app, world.chair)
    step(client, case_id, "pause", "Het gezin vraagt bedenktijd")
    body = step(client, case_id, "resume").get_data(as_text=True)
    assert "De casus is hervat; de termijnen lopen weer." in body


def test_a_refused_step_says_why_not_what_happened(app, factory, world):
    case_id = case_in(app, factory, world, "screening")
    client = app.test_client()
    login(client, app, world.chair)
    body = step(client, case_id, "pause").get_data(as_text=True)  # no reason
    assert nl(app, "Give a reason.") in body and "De casus is opgeschort" not in body


def test_the_intake_decision_says_what_happened(app, factory, world):
    case_id = case_in(app, factory, world, "submitted", track=None, process_director_id=None)
    client = app.test_client()
    login(client, app, world.chair)
    page = f"/casussen/{case_id}/intake"
    body = client.post(page, data={
        "csrf_token": csrf_token(client, page), "decision": "advice",
        "advice-advice": "Zoek eerst hulp via de huisarts."}, follow_redirects=True).get_data(as_text=True)
    assert "De casus is beantwoord met advies en teruggelegd bij het toegangsteam." in body
