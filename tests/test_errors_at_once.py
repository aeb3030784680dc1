"""Every error of a form at once, and "optional" meaning optional (issue 9): the family member's age,
submitting a referral, finalising the screening, an action with no owner and a past due date, the
intake decision, a session without a place; and the mechanism under them (web.submit checks the
rules of a form it already refuses, without keeping anything; the state machine reports a missing
reason with its failed guards). tests/test_form_labels.py holds every form to its labels."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Optional

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import CaseAction, CaseParticipant, FamilyMember, MeetingItem, Screening
from tests.conftest import csrf_token, login
from tests.test_form_labels import Forms

TODAY = date.today()


def nl(app, msgid: str, **kwargs) -> str:
    """A message as the Dutch page shows it (HTML-escaped)."""
    with app.test_request_context(), force_locale("nl"):
        return str(escape(gettext(msgid, **kwargs)))


def error_of(body: str, field_id: str) -> Optional[str]:
    match = re.search(rf'id="{re.escape(field_id)}-error">(.*?)</div>', body, re.S)
    return match.group(1).strip() if match else None


def alerts(body: str) -> str:
    """The page's error alerts (the error summaries)."""
    return " ".join(re.findall(r'<div class="utrecht-alert utrecht-alert--error".*?</div>\s*</div>', body, re.S))


def summary_links(body: str) -> list[str]:
    """The fields the page's error summaries link to, in order."""
    return re.findall(r'href="#([^"]+)"', alerts(body))


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def form_values(client, page: str, field: str) -> dict:
    """The values of the page's form that holds `field`."""
    body = client.get(page).get_data(as_text=True)
    return next(f["values"] for f in Forms(body).forms if field in f["values"])


def post(client, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf_token(client, "/start"), **data})


@pytest.fixture
def world(make_world, factory, app):
    w = make_world(names={"director": "Regisseur Rood", "caseworker": "Toegang Tuin"})
    w.concept = factory.case(w.caseworker, w.municipality, complete=False)
    return w


# --- "optional" is optional: the family member's age ---------------------------------------------

def test_a_family_member_without_an_age_is_saved(app, world):
    client = client_for(app, world.caseworker)
    page = f"/casussen/{world.concept}/aanmelding"
    body = client.get(page).get_data(as_text=True)
    label = re.search(r'<label class="utrecht-form-label" for="member-age">(.*?)</label>', body, re.S).group(1)
    assert "(optioneel)" in label
    response = post(client, f"{page}/gezin", {"member-relation": "mother", "member-name": "Petra", "member-age": ""})
    assert response.status_code == 302
    assert nl(app, "Enter a whole number, for example 42.") not in client.get(page).get_data(as_text=True)
    with app.app_context():
        member = db.session.scalar(select(FamilyMember).where(FamilyMember.case_id == world.concept))
        assert (member.name, member.age) == ("Petra", None)
        # Changing the member and leaving the age empty works the same way.
        member_id = member.id
    response = post(client, f"{page}/gezin/{member_id}", {f"member-{member_id}-relation": "mother",
                                                          f"member-{member_id}-age": "  "})
    assert response.status_code == 302


def test_an_age_that_is_not_a_number_is_still_refused(app, world):
    client = client_for(app, world.caseworker)
    response = post(client, f"/casussen/{world.concept}/aanmelding/gezin",
                    {"member-relation": "mother", "member-age": "veertig"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_of(body, "member-age") == nl(app, "Enter a whole number, for example 42.")
    assert "member-age" in summary_links(body)


# --- submitting a referral: every missing field at once, each linked --------------------------------

SUBMIT_NEEDS = ("youth_first_name", "youth_last_name", "youth_birth_date", "question", "why_stuck")


def test_submitting_lists_every_missing_field_and_the_consent_in_one_summary(app, world):
    client = client_for(app, world.caseworker)
    page = f"/casussen/{world.concept}/aanmelding"
    body = client.get(page).get_data(as_text=True)
    for name in SUBMIT_NEEDS:  # labelled so before anything is sent
        label = re.search(rf'<label class="utrecht-form-label" for="{name}">(.*?)</label>', body, re.S).group(1)
        assert "(nodig om in te dienen)" in label and "(optioneel)" not in label, name
    data = form_values(client, page, "youth_first_name")
    data.update(youth_first_name="Kim", youth_birth_date="")
    response = post(client, f"{page}/indienen", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = re.search(r'id="submit-problems".*?</ul>', body, re.S).group(0)
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["youth_last_name", "youth_birth_date", "question", "why_stuck", "toestemming"]
    assert nl(app, "Enter the youth's last name.") in summary and nl(app, "Describe the question.") in summary
    assert nl(app, "Consent for the RET (or a recorded legal ground) is missing.") in summary
    for name in links[:-1]:
        assert error_of(body, name), name  # and next to each field
    assert error_of(body, "youth_first_name") is None
    # One summary: the generic one is not repeated under it.
    assert nl(app, "Please correct the fields marked below.") not in body
    with app.app_context():  # what was typed is saved as a concept; nothing is submitted
        from ret_app.models import Case

        case = db.session.get(Case, world.concept)
        assert (case.status, case.youth_first_name) == ("concept", "Kim")


def test_a_wrong_value_and_the_missing_fields_are_listed_together_and_nothing_is_saved(app, world):
    client = client_for(app, world.caseworker)
    page = f"/casussen/{world.concept}/aanmelding"
    data = form_values(client, page, "youth_first_name")
    data.update(youth_first_name="Kim", youth_birth_date="", youth_bsn="123")
    body = post(client, f"{page}/indienen", data).get_data(as_text=True)
    summary = re.search(r'id="submit-problems".*?</ul>', body, re.S).group(0)
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["youth_last_name", "youth_birth_date", "youth_bsn", "question", "why_stuck", "toestemming"]
    assert error_of(body, "youth_bsn") == nl(app, "A BSN consists of 9 digits.")
    assert nl(app, "Nothing has been saved or submitted.") in summary
    with app.app_context():
        from ret_app.models import Case

        assert db.session.get(Case, world.concept).youth_first_name == ""


def test_a_concept_can_be_saved_with_everything_needed_to_submit_left_empty(app, world):
    client = client_for(app, world.caseworker)
    page = f"/casussen/{world.concept}/aanmelding"
    data = form_values(client, page, "youth_first_name")
    data.update({name: "" for name in SUBMIT_NEEDS}, youth_daytime_activity="Thuiszitter")
    assert post(client, page, data).status_code == 302


# --- finalising the screening -------------------------------------------------------------------------

@pytest.fixture
def screening_case(app, world, factory):
    case_id = factory.case(world.caseworker, world.municipality, status="screening", track="process_direction",
                           process_director_id=world.director.id, submitted_at=utcnow())
    with app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=world.director.id,
                                       invited_by_id=world.chair.id))
        db.session.add(Screening(case_id=case_id))
        db.session.commit()
    return case_id


def test_finalising_lists_the_analysis_and_the_advice_together(app, world, screening_case):
    client = client_for(app, world.director)
    page = f"/casussen/{screening_case}/screening"
    body = client.get(page).get_data(as_text=True)
    for name in ("analysis", "advice"):
        label = re.search(rf'<label class="utrecht-form-label" for="{name}">(.*?)</label>', body, re.S).group(1)
        assert "(nodig om vast te stellen)" in label and "(optioneel)" not in label
    data = form_values(client, page, "analysis")
    assert post(client, f"/casussen/{screening_case}/screening/tekst/analyse", data).status_code == 302  # saves empty
    data = form_values(client, page, "analysis")
    body = post(client, f"/casussen/{screening_case}/screening/afronden", data).get_data(as_text=True)
    summary = alerts(body)
    assert nl(app, "The screening cannot be finalised yet.") in summary
    assert 'href="#analysis"' in summary and 'href="#advice"' in summary
    assert error_of(body, "analysis") == nl(app, "Write the integrated analysis before finalising the screening.")
    assert error_of(body, "advice") == nl(app, "Write the advice before finalising the screening.")
    with app.app_context():
        assert db.session.scalar(select(Screening.finalised_at).where(Screening.case_id == screening_case)) is None


def test_a_text_too_long_and_a_missing_advice_are_reported_together(app, world, screening_case):
    client = client_for(app, world.director)
    page = f"/casussen/{screening_case}/screening"
    data = form_values(client, page, "analysis")
    data.update(analysis="x" * 20001, advice="")
    body = post(client, f"/casussen/{screening_case}/screening/afronden", data).get_data(as_text=True)
    assert error_of(body, "analysis") and error_of(body, "advice") == nl(
        app, "Write the advice before finalising the screening.")
    assert 'href="#analysis"' in alerts(body) and 'href="#advice"' in alerts(body)


# --- an action with no owner and a past due date ------------------------------------------------------

@pytest.fixture
def live(app, world, factory):
    case_id = factory.case(world.caseworker, world.municipality, status="process_direction",
                           process_director_id=world.director.id)
    meeting_id = factory.meeting(world.chair, status="in_progress", cases=(case_id,))
    with app.app_context():
        item_id = db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == meeting_id))
    return meeting_id, item_id


def _actions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CaseAction))


def test_an_action_without_owner_and_with_a_past_due_date_reports_both(app, world, live):
    meeting_id, item_id = live
    client = client_for(app, world.chair)
    data = form_values(client, f"/overleggen/{meeting_id}/live?item={item_id}", f"a{item_id}-description")
    data.update({f"a{item_id}-description": "De school bellen", f"a{item_id}-owner": "",
                 f"a{item_id}-due_date": (TODAY - timedelta(days=1)).isoformat()})
    before = _actions(app)
    response = post(client, f"/overleggen/{meeting_id}/agenda/{item_id}/acties", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_of(body, f"a{item_id}-owner") == nl(app, "Choose who owns the action.")
    assert error_of(body, f"a{item_id}-due_date") == nl(app, "The due date cannot lie in the past.")
    links = summary_links(body)
    assert f"a{item_id}-owner" in links and f"a{item_id}-due_date" in links
    assert error_of(body, f"a{item_id}-description") is None
    assert _actions(app) == before
    # The same over htmx (the form's fragment), and with everything empty the three fields at once.
    data.update({f"a{item_id}-description": "", f"a{item_id}-due_date": ""})
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/acties", data=data,
                           headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert all(error_of(body, f"a{item_id}-{name}") for name in ("description", "owner", "due_date"))
    # A date nobody filled in is missing, not "not a valid date".
    assert error_of(body, f"a{item_id}-due_date") == nl(app, "Enter a due date.")
    assert _actions(app) == before


def test_an_action_with_an_owner_and_a_past_due_date_names_the_date(app, world, live):
    meeting_id, item_id = live
    client = client_for(app, world.chair)
    data = form_values(client, f"/overleggen/{meeting_id}/live?item={item_id}", f"a{item_id}-description")
    data.update({f"a{item_id}-description": "", f"a{item_id}-owner": f"u{world.director.id}",
                 f"a{item_id}-due_date": (TODAY - timedelta(days=1)).isoformat()})
    body = post(client, f"/overleggen/{meeting_id}/agenda/{item_id}/acties", data).get_data(as_text=True)
    assert error_of(body, f"a{item_id}-description") == nl(app, "Describe the action.")
    assert error_of(body, f"a{item_id}-due_date") == nl(app, "The due date cannot lie in the past.")
    assert error_of(body, f"a{item_id}-owner") is None


# --- other forms whose rules used to stop at the first ------------------------------------------------

def test_a_session_without_place_or_link_and_without_a_date_reports_both(app, world):
    client = client_for(app, world.chair)
    data = form_values(client, "/overleggen/nieuw", "location")
    data.update(date="", location="", online_url="", start_time="14:00", duration_minutes="60")
    body = post(client, "/overleggen/nieuw", data).get_data(as_text=True)
    assert error_of(body, "date") == nl(app, "This field is required.")
    assert error_of(body, "location") == error_of(body, "online_url") == nl(app, "Enter a place, an online link, or both.")
    assert {"date", "location", "online_url"} <= set(summary_links(body))


def test_the_intake_decision_lists_the_fields_and_the_missing_consent_together(app, world, factory):
    case_id = factory.case(world.caseworker, world.municipality, status="submitted", submitted_at=utcnow())
    client = client_for(app, world.chair)
    data = form_values(client, f"/casussen/{case_id}/intake", "accept-track")
    data.update({"accept-track": "", "accept-process_director_id": str(world.director.id),
                 "accept-reason": "Vastgelopen", "decision": "accept"})
    body = post(client, f"/casussen/{case_id}/intake", data).get_data(as_text=True)
    assert error_of(body, "accept-track")
    assert nl(app, "Consent for the RET (or a recorded legal ground) is missing.") in alerts(body)


def test_an_organisation_lists_every_objection_at_once(app, world, factory):
    admin = world.admin
    client = client_for(app, admin)
    data = form_values(client, "/beheer/organisaties", "kind")
    data.update(name=world.provider.name, kind="access_team", municipality_id="", region_id="", network_id="")
    body = post(client, "/beheer/organisaties", data).get_data(as_text=True)
    assert error_of(body, "name") == nl(app, "An organisation with this name exists already.")
    assert error_of(body, "municipality_id") == nl(app, "An access team belongs to a municipality.")


# --- the mechanism ------------------------------------------------------------------------------

def test_rules_of_a_refused_form_run_without_keeping_anything(app, world, live):
    """web.submit checks the rules of a form it already refuses in a savepoint that is rolled back:
    nothing of the service call stays, not its rows and not its audit events."""
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import InputRequired

    from ret_app import web
    from ret_app.kernel import uow
    from ret_app.kernel.errors import RuleError
    from ret_app.models import Case

    class Form(FlaskForm):
        class Meta:
            csrf = False

        name = StringField(validators=[InputRequired(message="Vul een naam in.")])
        city = StringField()

    calls = []

    def work():
        calls.append(1)
        case = db.session.get(Case, world.concept)
        case.question = "in de savepoint veranderd"
        db.session.flush()
        raise RuleError.many({"name": "de regel over de naam", "city": "Kies een plaats.", None: "Voor het formulier."})

    def work_that_passes():
        calls.append(2)
        db.session.get(Case, world.concept).question = "ook veranderd"
        db.session.flush()
        from ret_app import audit
        audit.record(audit.Action.UPDATE, object_type="case", object_id=world.concept, detail="test")

    with app.test_request_context(method="POST", data={"name": "", "city": ""}):
        with uow.unit_of_work() as unit:
            unit.rollback_only = True
            form = Form()
            result = web.submit(form, work)
            assert not result and result.invalid and calls == [1]
            assert form.name.errors == ["Vul een naam in."]  # the form's own message only
            assert form.city.errors == ["Kies een plaats."]
            assert form.form_errors == ["Voor het formulier."]
            assert db.session.get(Case, world.concept).question == ""
            form = Form()
            result = web.submit(form, work_that_passes)
            assert not result and result.error is None and calls == [1, 2]
            assert db.session.get(Case, world.concept).question == ""
            # Its audit event went with the savepoint.
            assert [row for row, _durable in unit.state.get("audit", []) if row["detail"] == "test"] == []
    with app.test_request_context(method="GET"):
        form = Form()
        assert not web.submit(form, work) and calls == [1, 2]  # nothing is run for a form not sent


def test_the_machine_reports_a_missing_reason_with_the_failed_guards():
    from enum import Enum

    from ret_app.kernel.errors import RuleError
    from ret_app.kernel.machine import Messages, StateMachine, Transition

    class State(str, Enum):
        A = "a"
        B = "b"

    class Thing:
        state = "a"

    machine = StateMachine(
        states=State, state_of=lambda t: t.state, set_state=lambda t, s: setattr(t, "state", s.value),
        messages=Messages("not now", "not you", "Give a reason.", "reason"),
        transitions=(Transition("go", "Go", frozenset({State.A}), State.B, lambda user, thing: True,
                                (lambda t: "The fuse has blown.", lambda t: "The door is locked."),
                                reason_required=True),))
    with pytest.raises(RuleError) as refused:
        machine.apply(Thing(), "me", "go", reason="")
    assert refused.value.errors == {"reason": "Give a reason.", None: "The fuse has blown."}
    assert refused.value.reasons == ["Give a reason.", "The fuse has blown.", "The door is locked."]
