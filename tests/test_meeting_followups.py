"""Follow-up of provisional decisions ("onder voorbehoud"): who sees which, what the administrator
sees (no case content), the answer form's validation (Dutch messages next to the fields, input
kept) and the answer itself (confirmed / refused, dated, on the case's timeline)."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import ngettext
from markupsafe import escape
from sqlalchemy import func, select, update

from ret_app.extensions import db
from ret_app.meetings import decisions
from ret_app.models import AuditEvent, CaseEvent, Decision, MeetingItem, User
from ret_app.kernel.dates import utcnow
from tests.conftest import csrf_token, login
from tests.test_screening_pdf import ui

SESSION_DAYS_AGO = 3


@pytest.fixture
def world(app, make_world, factory):
    """A decision committing 12.000 of ambulatory care for a youth of Gemeente Aa, recorded provisional
    three days ago (no mandate holder present)."""
    w = make_world(names={"municipality": "Gemeente Aa", "other_municipality": "Gemeente Bee",
                          "caseworker": "Mandaathouder Mila"},
                   aliases={"holder": "caseworker", "low": "colleague"})
    # This module's `elsewhere` is a caseworker of the region who holds a mandate of the other
    # municipality (the World's second region plays no part here).
    w.elsewhere = w.other_caseworker
    mun, other_mun = w.municipality, w.other_municipality
    factory.mandate(w.holder.id, mun.id, ceiling="50000")
    factory.mandate(w.low.id, mun.id, ceiling="5000")
    factory.mandate(w.elsewhere.id, other_mun.id, ceiling="90000")
    w.case = factory.case(w.holder, mun, status="process_direction")
    w.meeting = factory.meeting(w.chair, status="in_progress", cases=(w.case,),
                                starts_at=utcnow() - timedelta(days=SESSION_DAYS_AGO))
    with app.test_request_context():
        item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == w.meeting))
        item.notes = "Geheime aantekening over het gezin"
        decision, _ = decisions.record(item, {"submission_key": secrets.token_hex(8), "kind": "commits_help",
                                              "text": "Ambulante gezinsbegeleiding toegekend", "care_type": "ambulatory",
                                              "amount_eur": Decimal("12000")}, db.session.get(User, w.chair.id))
        db.session.commit()
        assert decision.status == "provisional"
        w.decision = decision.id
        w.reference = item.case.reference
        w.youth = item.case.youth_name
    return w


def _client(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def _decision(app, w) -> Decision:
    with app.app_context():
        d = db.session.get(Decision, w.decision)
        db.session.expunge(d)
        return d


def test_holder_sees_the_follow_up_with_what_it_commits_and_why(app, world):
    w = world
    body = _client(app, world.holder).get("/overleggen/voorbehoud").get_data(as_text=True)
    table = body.split('id="followups"')[1]
    # The care type by its name in the region's catalogue (caretypes), no longer an interface text.
    for expected in (w.reference, "Gemeente Aa", "Ambulante jeugdhulp", "12.000,00",
                     ui(app, "No holder of a mandate of the municipality was present."),
                     f"/overleggen/voorbehoud/{w.decision}"):
        assert str(escape(expected)) in table, expected


def test_admin_sees_no_case_content(app, world):
    w = world
    client = _client(app, w.admin)
    for path in ("/overleggen/voorbehoud", f"/overleggen/voorbehoud/{w.decision}"):
        body = client.get(path).get_data(as_text=True)
        assert w.reference in body and "Gemeente Aa" in body and "12.000,00" in body
        for forbidden in (w.youth, "Geheime aantekening", "Ambulante gezinsbegeleiding toegekend",
                          f'href="/casussen/{w.case}"'):
            assert forbidden not in body, (path, forbidden)


@pytest.mark.parametrize("who", ["low", "elsewhere"])
def test_holders_whose_mandate_does_not_cover_it_neither_see_nor_answer_it(app, world, who):
    w = world
    client = _client(app, getattr(w, who))
    body = client.get("/overleggen/voorbehoud").get_data(as_text=True)
    assert w.reference not in body and 'id="followups-empty"' in body
    assert client.get(f"/overleggen/voorbehoud/{w.decision}").status_code == 404
    token = csrf_token(client, "/start")
    response = client.post(f"/overleggen/voorbehoud/{w.decision}",
                           data={"csrf_token": token, "answer": "confirmed", "answer_date": date.today().isoformat()})
    assert response.status_code == 404
    assert _decision(app, w).status == "provisional"


def test_roles_without_the_permission_are_refused(app, world):
    assert _client(app, world.chair).get("/overleggen/voorbehoud").status_code == 403


def _answer(client, w, **data):
    token = csrf_token(client, f"/overleggen/voorbehoud/{w.decision}")
    return client.post(f"/overleggen/voorbehoud/{w.decision}", data={"csrf_token": token, **data})


def _field_error(body: str, field_id: str) -> str:
    """The error message rendered next to a field (empty when there is none)."""
    marker = f'id="{field_id}-error">'
    return body.split(marker)[1].split("<")[0] if marker in body else ""


@pytest.mark.parametrize("data,field,message", [
    ({"answer_date": "today"}, "answer", "Choose confirmed or refused."),
    ({"answer": "confirmed"}, "answer_date", "This field is required."),
    ({"answer": "confirmed", "answer_date": "31-02-2025"}, "answer_date", "Enter a valid date, for example 31-12-2010."),
    ({"answer": "refused", "answer_date": "future"}, "answer_date", "This date lies in the future."),
    ({"answer": "refused", "answer_date": "before"}, "answer_date", "The answer cannot predate the session."),
])
def test_answer_validation_keeps_the_input(app, world, data, field, message):
    w = world
    dates = {"today": date.today().strftime("%d-%m-%Y"),
             "future": (date.today() + timedelta(days=1)).strftime("%d-%m-%Y"),
             "before": (date.today() - timedelta(days=SESSION_DAYS_AGO + 1)).strftime("%d-%m-%Y")}
    if data.get("answer_date") in dates:
        data = {**data, "answer_date": dates[data["answer_date"]]}
    note = "Besproken met de wethouder; zie e-mail van vandaag."
    response = _answer(_client(app, w.holder), w, answer_note=note, **data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _field_error(body, field) == str(escape(ui(app, message)))
    assert note in body  # nothing typed is lost
    if data.get("answer_date"):
        assert f'value="{data["answer_date"]}"' in body
    if data.get("answer"):
        assert re.search(rf'<input checked[^>]*value="{data["answer"]}"', body)
    assert _decision(app, w).status == "provisional"


@pytest.mark.parametrize("outcome", ["confirmed", "refused"])
def test_holder_records_the_answer(app, world, outcome):
    w = world
    client = _client(app, w.holder)
    answered_on = date.today() - timedelta(days=1)
    response = _answer(client, w, answer=outcome, answer_date=answered_on.strftime("%d-%m-%Y"),
                       answer_note="Per brief")
    assert response.status_code == 302 and response.headers["Location"].endswith("/overleggen/voorbehoud")
    decision = _decision(app, w)
    assert decision.status == outcome and decision.answer_date == answered_on
    assert decision.answered_by_id == w.holder.id and decision.answer_note == "Per brief"
    assert decision.committed is (outcome == "confirmed")
    with app.app_context():
        kinds = [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == w.case))]
    assert f"provisional_{outcome}" in kinds
    # Answered: gone from the list, and opening it again leads back to the list, saying so.
    assert w.reference not in client.get("/overleggen/voorbehoud").get_data(as_text=True)
    again = client.get(f"/overleggen/voorbehoud/{w.decision}")
    assert again.status_code == 302 and again.headers["Location"].endswith("/overleggen/voorbehoud")


def test_admin_answers_for_the_municipality(app, world):
    w = world
    response = _answer(_client(app, w.admin), w, answer="confirmed", answer_date=date.today().isoformat())
    assert response.status_code == 302
    assert _decision(app, w).status == "confirmed"


def test_start_page_counts_the_follow_ups_waiting(app, world):
    w = world
    body = _client(app, w.holder).get("/start").get_data(as_text=True)
    card = body.split('id="start-followups"')[1].split("</section>")[0]
    with app.test_request_context():
        expected = ngettext("%(num)d provisional decision waits for the municipality's answer.",
                            "%(num)d provisional decisions wait for the municipality's answer.", 1)
    assert expected in card
    body = _client(app, w.low).get("/start").get_data(as_text=True)
    assert expected not in body.split('id="start-followups"')[1].split("</section>")[0]


def _denied(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.user_id == user_id, AuditEvent.outcome == "denied"))


def _already_answered_message(app, outcome: str) -> str:
    from ret_app.labels import DECISION_STATUS_LABELS

    return ui(app, "This decision has already been answered (%(answer)s).",
              answer=ui(app, DECISION_STATUS_LABELS[outcome]))


@pytest.mark.parametrize("who", ["holder", "admin"])
def test_a_second_answer_leads_to_the_list_saying_it_was_answered(app, world, who):
    """A double click, or going back and sending again: no "page not found", no denial in the audit
    trail, and the first answer stands."""
    w = world
    client = _client(app, getattr(w, who))
    token = csrf_token(client, f"/overleggen/voorbehoud/{w.decision}")
    data = {"csrf_token": token, "answer": "confirmed", "answer_date": date.today().isoformat()}
    first = client.post(f"/overleggen/voorbehoud/{w.decision}", data=data)
    assert first.status_code == 302
    client.get("/overleggen/voorbehoud")  # the first answer's notice
    second = client.post(f"/overleggen/voorbehoud/{w.decision}", data={**data, "answer": "refused"})
    assert second.status_code == 302 and second.headers["Location"].endswith("/overleggen/voorbehoud")
    body = client.get(second.headers["Location"]).get_data(as_text=True)
    assert str(escape(_already_answered_message(app, "confirmed"))) in body
    assert _decision(app, w).status == "confirmed"
    assert _denied(app, getattr(w, who).id) == 0


def test_a_low_holder_of_the_municipality_learns_it_was_answered(app, world):
    """Who holds a mandate of the municipality could have answered (another decision): told, not 404."""
    w = world
    assert _answer(_client(app, w.holder), w, answer="refused",
                   answer_date=date.today().isoformat()).status_code == 302
    response = _client(app, w.low).get(f"/overleggen/voorbehoud/{w.decision}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/overleggen/voorbehoud")


def test_an_answered_decision_of_another_municipality_stays_404(app, world):
    w = world
    assert _answer(_client(app, w.holder), w, answer="confirmed",
                   answer_date=date.today().isoformat()).status_code == 302
    client = _client(app, w.elsewhere)
    assert client.get(f"/overleggen/voorbehoud/{w.decision}").status_code == 404
    assert _denied(app, w.elsewhere.id) == 1
    assert client.get("/overleggen/voorbehoud/999999").status_code == 404


@pytest.mark.committing  # another connection must see (and change) the committed rows
def test_two_people_answering_at_once_get_a_friendly_outcome(app, world, monkeypatch):
    """The holder's answer is being written while the administrator's lands first: the holder's write
    finds the row changed (StaleDataError) and is told the decision has been answered — no 500."""
    w = world
    client = _client(app, w.holder)
    token = csrf_token(client, f"/overleggen/voorbehoud/{w.decision}")
    original = decisions.answer

    def answered_meanwhile(decision, data, actor):
        with db.engine.begin() as connection:  # another request, committed first
            connection.execute(update(Decision.__table__).where(Decision.__table__.c.id == decision.id).values(
                status="refused", answer_date=date.today(), answered_by_id=w.admin.id,
                version=Decision.__table__.c.version + 1))
        return original(decision, data, actor)

    monkeypatch.setattr(decisions, "answer", answered_meanwhile)
    response = client.post(f"/overleggen/voorbehoud/{w.decision}",
                           data={"csrf_token": token, "answer": "confirmed", "answer_date": date.today().isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/overleggen/voorbehoud")
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert str(escape(_already_answered_message(app, "refused"))) in body
    decision = _decision(app, w)
    assert decision.status == "refused" and decision.answered_by_id == w.admin.id
    assert _denied(app, w.holder.id) == 0
