"""Planning RET sessions: the details, the agenda (who may put which case on it, the order), the
invitations that follow from it, what an invitee sees, the lifecycle steps from the session page,
and who gets 404 or 403. Over HTTP as users would, plus the invitation service directly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import (
    AuditEvent,
    CaseEvent,
    CaseParticipant,
    Decision,
    Meeting,
    MeetingAttendance,
    MeetingInvitation,
    MeetingItem,
)
from ret_app.kernel.dates import utcnow
from tests.conftest import csrf_token, login, path_of

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.fixture
def north(make_world):
    """The region the tests plan in; its second region (`north.elsewhere`) is the one they may not.
    Its RET is a chair and one member: a session invites every chair and RET member of its region, and
    the tests check the invitee list exactly."""
    return make_world(names={"region": "Regio Noord", "municipality": "Gemeente Noord", "chair": "Voorzitter Noord",
                             "member": "RET-lid Noord", "caseworker": "Toegang Noord",
                             "provider_member": "Aanbieder Noord"},
                      aliases={"ret_org": "ret"}, without={"director"})


def sign_in(app, user):
    """A fresh browser signed in as `user`, with the interface in English (the msgids)."""
    client = app.test_client()
    login(client, app, user)
    client.post("/taal", data={"csrf_token": csrf_token(client, "/start"), "lang": "en", "next": "/start"})
    return client


def post(client, url: str, data: dict, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, "/start"), **data}, **kwargs)


def meeting_data(**overrides) -> dict:
    data = {"date": TOMORROW, "start_time": "14:00", "duration_minutes": "120", "location": "Stadhuis, zaal 3",
            "online_url": "", "chair_id": ""}
    data.update(overrides)
    return data


def rows(app, model, *where):
    with app.app_context():
        result = list(db.session.scalars(select(model).where(*where)))
        db.session.expunge_all()
        db.session.remove()
        return result


def invited_ids(app, meeting_id: int) -> set[int]:
    return {i.user_id for i in rows(app, MeetingInvitation, MeetingInvitation.meeting_id == meeting_id)}


def agenda(app, meeting_id: int) -> list[int]:
    with app.app_context():
        ids = list(db.session.scalars(select(MeetingItem.case_id).where(MeetingItem.meeting_id == meeting_id)
                                      .order_by(MeetingItem.position)))
        db.session.remove()
        return ids


def reference_of(app, case_id: int) -> str:
    from ret_app.models import Case

    with app.app_context():
        reference = db.session.get(Case, case_id).reference
        db.session.remove()
        return reference


def add_item(client, meeting_id: int, case_id, purpose: str = "progress", **kwargs):
    return post(client, f"/overleggen/{meeting_id}/agenda", {"case_id": str(case_id), "purpose": purpose}, **kwargs)


# --- planning a session -------------------------------------------------------------------------

def test_chair_plans_a_session_and_the_regions_ret_is_invited(app, north):
    other = north.elsewhere
    client = sign_in(app, north.chair)
    assert "Plan a new session" in client.get("/overleggen/").get_data(as_text=True)

    response = post(client, "/overleggen/nieuw", meeting_data(online_url="https://meet.example.nl/ret"))
    assert response.status_code == 302
    [meeting] = rows(app, Meeting)
    assert path_of(response) == f"/overleggen/{meeting.id}"
    assert meeting.status == "planned" and meeting.region_id == north.region.id
    assert meeting.chair_id == north.chair.id and meeting.duration_minutes == 120
    assert meeting.starts_at.hour in (12, 13)  # 14:00 in Amsterdam, stored as UTC
    assert invited_ids(app, meeting.id) == {north.chair.id, north.member.id}
    assert other.chair.id not in invited_ids(app, meeting.id)

    page = client.get(f"/overleggen/{meeting.id}").get_data(as_text=True)
    assert "Stadhuis, zaal 3" in page and "https://meet.example.nl/ret" in page
    assert north.member.name in page  # the invitees, for the RET
    created = rows(app, AuditEvent, AuditEvent.object_type == "meeting", AuditEvent.action == "create")
    assert [e.object_id for e in created] == [str(meeting.id)]


@pytest.mark.parametrize("overrides,field,message", [
    ({"date": (date.today() - timedelta(days=1)).isoformat()}, "date", "The date lies in the past"),
    ({"date": "31-02-2030"}, "date", "Enter a valid date"),
    ({"start_time": "25:99"}, "start_time", "Enter a time"),
    ({"duration_minutes": "twee uur"}, "duration_minutes", "Enter a whole number"),
    ({"duration_minutes": "5"}, "duration_minutes", "between 15 and 720 minutes"),
    ({"location": "", "online_url": ""}, "location", "Enter a place, an online link, or both."),
    ({"online_url": "http://meet.example.nl/ret"}, "online_url", "https://"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
])
def test_bad_session_details_are_refused_next_to_the_field(app, north, overrides, field, message):
    client = sign_in(app, north.chair)
    data = meeting_data(**overrides)
    response = post(client, "/overleggen/nieuw", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert not rows(app, Meeting)
    assert message in body
    assert f'id="{field}-error"' in body  # next to the field it belongs to
    assert 'value="Stadhuis, zaal 3"' in body or not data["location"]  # nothing typed is lost
    if data["online_url"]:
        assert data["online_url"].replace("&", "&amp;") in body


def test_chair_of_another_region_cannot_be_chosen(app, factory, north):
    other = north.elsewhere
    client = sign_in(app, north.chair)
    response = post(client, "/overleggen/nieuw", meeting_data(chair_id=str(other.chair.id)))
    assert response.status_code == 200 and 'id="chair_id-error"' in response.get_data(as_text=True)
    colleague = factory.user("chair", north.ret_org.id)
    assert post(client, "/overleggen/nieuw", meeting_data(chair_id=str(colleague.id))).status_code == 302
    assert rows(app, Meeting)[0].chair_id == colleague.id


# --- the agenda ---------------------------------------------------------------------------------

def test_agenda_items_invite_the_cases_people_and_only_them(app, factory, north):
    case_id = factory.case(north.caseworker, north.municipality, status="screening", consent_collective=True)
    no_consent = factory.case(north.caseworker, north.municipality, status="screening", consent_collective=False)
    bystander = factory.user("caseworker", factory.organisation("access_team", region_id=north.region.id).id)
    with app.app_context():
        for cid in (case_id, no_consent):
            db.session.add(CaseParticipant(case_id=cid, role="provider", organisation_id=north.provider.id,
                                           invited_by_id=north.chair.id))
        db.session.commit()
        db.session.remove()
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=2))
    client = sign_in(app, north.chair)

    response = add_item(client, meeting_id, no_consent)
    assert response.status_code == 302
    invited = invited_ids(app, meeting_id)
    assert north.caseworker.id in invited
    assert north.provider_member.id not in invited  # no collective consent: may not see the case
    assert bystander.id not in invited

    add_item(client, meeting_id, case_id)
    assert north.provider_member.id in invited_ids(app, meeting_id)
    assert {north.chair.id, north.member.id} <= invited_ids(app, meeting_id)
    events = rows(app, CaseEvent, CaseEvent.case_id == case_id, CaseEvent.kind == "session_planned")
    assert len(events) == 1

    # Taking the item off again withdraws the provider's invitation (the caseworker still has a case).
    [item] = rows(app, MeetingItem, MeetingItem.case_id == case_id)
    post(client, f"/overleggen/{meeting_id}/agenda/{item.id}/verwijderen", {})
    assert north.provider_member.id not in invited_ids(app, meeting_id)
    assert north.caseworker.id in invited_ids(app, meeting_id)
    assert agenda(app, meeting_id) == [no_consent]
    assert rows(app, CaseEvent, CaseEvent.case_id == case_id, CaseEvent.kind == "session_unplanned")


def test_someone_who_checked_in_keeps_the_invitation(app, factory, north):
    from ret_app.meetings import planning
    from ret_app.models import User

    case_id = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, cases=(case_id,), present=(north.caseworker,))
    with app.test_request_context():
        meeting = db.session.get(Meeting, meeting_id)
        chair = db.session.get(User, north.chair.id)
        planning.remove_item(meeting, meeting.items[0], chair)
        db.session.commit()
        assert north.caseworker.id in {i.user_id for i in meeting.invitations}
        assert north.member.id in {i.user_id for i in meeting.invitations}


def test_invitee_sees_only_the_items_of_cases_they_may_see(app, factory, north):
    other_team = factory.organisation("access_team", region_id=north.region.id,
                                      municipality_id=north.municipality.id)
    other_caseworker = factory.user("caseworker", other_team.id)
    mine = factory.case(north.caseworker, north.municipality, status="screening")
    theirs = factory.case(other_caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=2))
    chair_client = sign_in(app, north.chair)
    add_item(chair_client, meeting_id, theirs)
    add_item(chair_client, meeting_id, mine, purpose="intake")
    mine_ref, theirs_ref = reference_of(app, mine), reference_of(app, theirs)

    client = sign_in(app, north.caseworker)
    page = client.get(f"/overleggen/{meeting_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert mine_ref in body and "Intake discussion" in body
    assert theirs_ref not in body and "Test" + theirs_ref not in body
    assert "1. " in body and "2. " not in body  # not even a gap in the numbering
    assert other_caseworker.name not in body and "meeting-invitees" not in body
    assert "Put a case on the agenda" not in body and "verwijderen" not in body

    listing = client.get("/overleggen/").get_data(as_text=True)
    assert f'data-meeting="{meeting_id}">1<' in listing
    assert f'data-meeting="{meeting_id}">2<' in sign_in(app, north.member).get("/overleggen/").get_data(as_text=True)

    # Reading the page is audited per case shown: the caseworker read their own case only.
    reads = rows(app, AuditEvent, AuditEvent.user_id == north.caseworker.id, AuditEvent.object_type == "meeting",
                 AuditEvent.action == "read")
    assert {e.case_id for e in reads} == {mine}


def test_cases_the_chair_may_not_plan_are_refused_alike(app, factory, north):
    south = north.elsewhere
    foreign = factory.case(south.caseworker, south.municipality, status="screening")
    closed = factory.case(north.caseworker, north.municipality, status="closed")
    concept = factory.case(north.caseworker, north.municipality, status="concept")
    returned = factory.case(north.caseworker, north.municipality, status="returned_with_advice")
    open_case = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=2))
    client = sign_in(app, north.chair)

    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert reference_of(app, open_case) in page
    for refused in (foreign, closed, concept, returned):
        assert reference_of(app, refused) not in page  # not offered in the case select

    answers = []
    for case_id in (foreign, closed, concept, returned, 987654):
        response = add_item(client, meeting_id, case_id)
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and 'id="case_id-error"' in body
        answers.append(body.split('id="case_id-error">')[1].split("<")[0])
    assert len(set(answers)) == 1 and "Choose a case of your region" in answers[0]
    assert agenda(app, meeting_id) == []

    assert add_item(client, meeting_id, open_case).status_code == 302
    again = add_item(client, meeting_id, open_case)
    assert "already on the agenda" in again.get_data(as_text=True)
    assert agenda(app, meeting_id) == [open_case]


def test_placement_review_needs_an_intended_placement(app, factory, north):
    plain = factory.case(north.caseworker, north.municipality, status="screening")
    placement = factory.case(north.caseworker, north.municipality, status="screening", placement_intended=True)
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=2))
    client = sign_in(app, north.chair)
    response = add_item(client, meeting_id, plain, purpose="placement_review")
    body = response.get_data(as_text=True)
    assert 'id="purpose-error"' in body and "intended out-of-home placement" in body
    assert '<option selected value="placement_review">' in body  # the choice is kept
    assert add_item(client, meeting_id, placement, purpose="placement_review").status_code == 302
    assert agenda(app, meeting_id) == [placement]


def test_agenda_order_moves_in_place_with_htmx_and_without(app, factory, north):
    cases = [factory.case(north.caseworker, north.municipality, status="screening") for _ in range(3)]
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=2))
    client = sign_in(app, north.chair)
    for case_id in cases:
        add_item(client, meeting_id, case_id)
    items = {i.case_id: i.id for i in rows(app, MeetingItem)}

    response = post(client, f"/overleggen/{meeting_id}/agenda/{items[cases[2]]}/verplaatsen", {"direction": "up"},
                    headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="agenda"' in body
    assert agenda(app, meeting_id) == [cases[0], cases[2], cases[1]]
    assert body.index(reference_of(app, cases[2])) < body.index(reference_of(app, cases[1]))

    response = post(client, f"/overleggen/{meeting_id}/agenda/{items[cases[0]]}/verplaatsen", {"direction": "down"})
    assert response.status_code == 302
    assert agenda(app, meeting_id) == [cases[2], cases[0], cases[1]]
    # At the top already: nothing moves.
    post(client, f"/overleggen/{meeting_id}/agenda/{items[cases[2]]}/verplaatsen", {"direction": "up"})
    assert agenda(app, meeting_id) == [cases[2], cases[0], cases[1]]

    # An htmx addition answers with the agenda fragment, the new item last.
    extra = factory.case(north.caseworker, north.municipality, status="screening")
    fragment = add_item(client, meeting_id, extra, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and reference_of(app, extra) in fragment
    assert agenda(app, meeting_id)[-1] == extra


def test_discussed_item_stays_on_a_running_agenda(app, factory, north):
    discussed = factory.case(north.caseworker, north.municipality, status="screening")
    untouched = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, status="in_progress", cases=(discussed, untouched))
    items = {i.case_id: i for i in rows(app, MeetingItem)}
    with app.app_context():
        db.session.add(Decision(item_id=items[discussed].id, case_id=discussed,
                                municipality_id=north.municipality.id, kind="general", text="Advies",
                                status="recorded", submission_key="k-1", recorded_by_id=north.chair.id))
        db.session.commit()
        db.session.remove()
    client = sign_in(app, north.chair)
    response = post(client, f"/overleggen/{meeting_id}/agenda/{items[discussed].id}/verwijderen", {},
                    headers={"HX-Request": "true"})
    assert "has been discussed" in response.get_data(as_text=True)
    post(client, f"/overleggen/{meeting_id}/agenda/{items[untouched].id}/verwijderen", {})
    assert agenda(app, meeting_id) == [discussed]
    # Adding is still possible while the session runs.
    late = factory.case(north.caseworker, north.municipality, status="screening")
    assert add_item(client, meeting_id, late).status_code == 302
    assert agenda(app, meeting_id) == [discussed, late]


# --- details: optimistic locking ----------------------------------------------------------------

def test_stale_edit_gets_a_conflict_and_keeps_the_input(app, factory, north):
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=3))
    client = sign_in(app, north.chair)
    form = client.get(f"/overleggen/{meeting_id}/bewerken").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form

    colleague = sign_in(app, factory.user("chair", north.ret_org.id))
    assert post(colleague, f"/overleggen/{meeting_id}/bewerken",
                meeting_data(location="Zaal van de collega", version="1")).status_code == 302

    response = post(client, f"/overleggen/{meeting_id}/bewerken", meeting_data(location="Mijn zaal", version="1"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this session" in body
    assert 'value="Mijn zaal"' in body and "Zaal van de collega" in body  # mine kept, theirs shown
    assert rows(app, Meeting)[0].location == "Zaal van de collega"
    # Saving again (the form now carries the current version) is a deliberate overwrite.
    assert post(client, f"/overleggen/{meeting_id}/bewerken",
                meeting_data(location="Mijn zaal", version="2")).status_code == 302
    assert rows(app, Meeting)[0].location == "Mijn zaal"


# --- lifecycle steps ----------------------------------------------------------------------------

def test_start_needs_an_agenda_then_opens_the_live_page(app, factory, north):
    meeting_id = factory.meeting(north.chair, starts_at=utcnow())  # today: starting it asks nothing first
    client = sign_in(app, north.chair)
    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert "Put at least one case on the agenda first." in page  # why start is blocked

    response = post(client, f"/overleggen/{meeting_id}/stap/start", {})
    assert response.status_code == 302 and path_of(response) == f"/overleggen/{meeting_id}"
    assert "Put at least one case on the agenda first." in client.get(path_of(response)).get_data(as_text=True)
    assert rows(app, Meeting)[0].status == "planned"

    add_item(client, meeting_id, factory.case(north.caseworker, north.municipality, status="screening"))
    response = post(client, f"/overleggen/{meeting_id}/stap/start", {})
    assert response.status_code == 302
    assert rows(app, Meeting)[0].status == "in_progress"
    if "meetings.live" in app.view_functions:
        assert path_of(response) == f"/overleggen/{meeting_id}/live"
    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert f"/overleggen/{meeting_id}/stap/start" not in page
    assert f"/overleggen/{meeting_id}/stap/close" in page
    if "meetings.live" in app.view_functions:
        assert f'href="/overleggen/{meeting_id}/live"' in page


def test_cancel_needs_a_reason_and_marks_the_cases_timeline(app, factory, north):
    case_id = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=1), cases=(case_id,))
    client = sign_in(app, north.chair)
    response = post(client, f"/overleggen/{meeting_id}/stap/cancel", {"reason": "   "})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="reason-cancel-error"' in body and "Give a reason." in body
    assert rows(app, Meeting)[0].status == "planned"

    response = post(client, f"/overleggen/{meeting_id}/stap/cancel", {"reason": "Voorzitter ziek"})
    assert response.status_code == 302
    [meeting] = rows(app, Meeting)
    assert meeting.status == "cancelled" and meeting.cancel_reason == "Voorzitter ziek"
    assert rows(app, CaseEvent, CaseEvent.case_id == case_id, CaseEvent.kind == "session_cancelled")
    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert "Cancelled" in page and "Put a case on the agenda" not in page
    # A cancelled session's agenda is closed.
    late = factory.case(north.caseworker, north.municipality, status="screening")
    add_item(client, meeting_id, late)
    assert agenda(app, meeting_id) == [case_id]


def _deadline(app, case_id: int):
    from ret_app.models import Case

    with app.app_context():
        deadline = db.session.get(Case, case_id).next_deadline
        db.session.remove()
        return deadline


def test_a_session_that_starts_stops_the_first_session_clock_of_its_cases(app, factory, north):
    """The case's stored next deadline follows its first RET session: when the session starts, and
    when a case is put on (or taken off) the agenda of a session that runs."""
    intake = utcnow() - timedelta(days=3)
    case_id = factory.case(north.caseworker, north.municipality, status="process_direction", intake_at=intake)
    late = factory.case(north.caseworker, north.municipality, status="process_direction", intake_at=intake)
    meeting_id = factory.meeting(north.chair, cases=(case_id,))
    assert _deadline(app, case_id) is not None and _deadline(app, late) is not None
    client = sign_in(app, north.chair)

    assert post(client, f"/overleggen/{meeting_id}/stap/start", {}).status_code == 302
    assert _deadline(app, case_id) is None  # discussed: the first-session norm is met
    assert _deadline(app, late) is not None

    assert add_item(client, meeting_id, late).status_code == 302
    assert _deadline(app, late) is None
    [item] = rows(app, MeetingItem, MeetingItem.case_id == late)
    post(client, f"/overleggen/{meeting_id}/agenda/{item.id}/verwijderen", {})
    assert agenda(app, meeting_id) == [case_id]
    assert _deadline(app, late) is not None  # not discussed after all: the clock runs again


# --- who may see and plan -----------------------------------------------------------------------

def test_chair_of_another_region_gets_404_and_the_denial_is_audited(app, factory, north):
    south = north.elsewhere
    case_id = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=1), cases=(case_id,))
    client = sign_in(app, south.chair)
    assert client.get(f"/overleggen/{meeting_id}").status_code == 404
    assert client.get(f"/overleggen/{meeting_id}/bewerken").status_code == 404
    assert add_item(client, meeting_id, case_id).status_code == 404
    assert post(client, f"/overleggen/{meeting_id}/stap/cancel", {"reason": "x"}).status_code == 404
    assert rows(app, Meeting)[0].status == "planned"
    denied = rows(app, AuditEvent, AuditEvent.user_id == south.chair.id, AuditEvent.outcome == "denied",
                  AuditEvent.object_type == "meeting")
    assert len(denied) == 4 and {e.object_id for e in denied} == {str(meeting_id)}
    assert f"/overleggen/{meeting_id}" not in client.get("/overleggen/").get_data(as_text=True)


def test_ret_member_sees_the_session_but_cannot_plan(app, factory, north):
    case_id = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=1), cases=(case_id,))
    client = sign_in(app, north.member)
    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert reference_of(app, case_id) in page
    assert "Edit details" not in page and "Put a case on the agenda" not in page and "Session steps" not in page
    assert "Plan a new session" not in client.get("/overleggen/").get_data(as_text=True)
    [item] = rows(app, MeetingItem)
    assert post(client, f"/overleggen/{meeting_id}/agenda/{item.id}/verwijderen", {}).status_code == 403
    assert post(client, "/overleggen/nieuw", meeting_data()).status_code == 403
    assert agenda(app, meeting_id) == [case_id] and len(rows(app, Meeting)) == 1


def test_uninvited_caseworker_gets_404(app, factory, north):
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=1))
    client = sign_in(app, north.caseworker)
    assert client.get(f"/overleggen/{meeting_id}").status_code == 404


# --- the CSRF scenarios (tests/test_csrf.py) ----------------------------------------------------

def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """A chair of the objects' region, signed in, and a planned session of theirs to act on."""
    chair = env.login_as("chair", organisation_id=env.objects.ret_org.id)
    if endpoint == "meetings.new":
        return "/overleggen/nieuw", meeting_data()
    case_id = env.objects.case_id
    second = env.factory.case(env.objects.target, env.objects.municipality, status="screening")
    if endpoint == "meetings.item_add":
        meeting_id = env.factory.meeting(chair, starts_at=utcnow() + timedelta(days=1))
        return f"/overleggen/{meeting_id}/agenda", {"case_id": str(case_id), "purpose": "progress"}
    meeting_id = env.factory.meeting(chair, starts_at=utcnow() + timedelta(days=1), cases=(case_id, second))
    with env.app.app_context():
        item_id = db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == meeting_id,
                                                                 MeetingItem.case_id == second))
        db.session.remove()
    if endpoint == "meetings.edit":
        return f"/overleggen/{meeting_id}/bewerken", meeting_data(location="Elders", version="1")
    if endpoint == "meetings.item_remove":
        return f"/overleggen/{meeting_id}/agenda/{item_id}/verwijderen", {}
    if endpoint == "meetings.item_move":
        return f"/overleggen/{meeting_id}/agenda/{item_id}/verplaatsen", {"direction": "up"}
    if endpoint == "meetings.step":
        return f"/overleggen/{meeting_id}/stap/cancel", {"reason": "Geen agenda nodig"}
    raise AssertionError(f"no planning scenario for {endpoint}")


def test_attendance_table_is_untouched_by_planning(app, factory, north):
    """Removing an item while planned withdraws invitations but never touches check-ins."""
    case_id = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, cases=(case_id,), present=(north.member,))
    client = sign_in(app, north.chair)
    [item] = rows(app, MeetingItem)
    post(client, f"/overleggen/{meeting_id}/agenda/{item.id}/verwijderen", {})
    assert [a.user_id for a in rows(app, MeetingAttendance)] == [north.member.id]


def test_htmx_agenda_change_also_refreshes_the_steps_and_invitees(app, factory, north):
    """Adding the first case over htmx makes "start" possible and lists the case's caseworker,
    without a reload."""
    case_id = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=2))
    client = sign_in(app, north.chair)
    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert "Put at least one case on the agenda first." in page

    fragment = add_item(client, meeting_id, case_id, headers={"HX-Request": "true"}).get_data(as_text=True)

    steps = fragment[fragment.index('id="meeting-steps"'):fragment.index('id="invitees-panel"')]
    assert 'hx-swap-oob="true"' in steps and "/stap/start" in steps
    assert "Put at least one case on the agenda first." not in steps
    invitees = fragment[fragment.index('id="invitees-panel"'):]
    assert north.caseworker.name in invitees


def test_calendar_invitation_holds_date_place_and_link_but_no_case_data(app, factory, north):
    case_id = factory.case(north.caseworker, north.municipality, status="screening")
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=2))
    chair = sign_in(app, north.chair)
    add_item(chair, meeting_id, case_id)
    client = sign_in(app, north.caseworker)  # invited through the case

    response = client.get(f"/overleggen/{meeting_id}/uitnodiging.ics")

    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "BEGIN:VEVENT" in body and "DTSTART:" in body
    assert "LOCATION:Vergaderzaal 2" in body
    assert f"/overleggen/{meeting_id}" in body
    assert reference_of(app, case_id) not in body and "Jeugdige" not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    exports = rows(app, AuditEvent, AuditEvent.user_id == north.caseworker.id, AuditEvent.action == "export",
                   AuditEvent.object_type == "meeting")
    assert len(exports) == 1
    outsider = factory.user("caseworker", factory.organisation("access_team", region_id=north.region.id).id)
    assert sign_in(app, outsider).get(f"/overleggen/{meeting_id}/uitnodiging.ics").status_code == 404


def test_a_participant_invited_to_the_case_later_is_invited_to_its_sessions(app, factory, north):
    """The process director invites a provider during the screening, after the case was planned:
    the provider's people are invited to the coming session, and uninvited again when removed."""
    from ret_app.cases import participants
    from ret_app.models import Case, CaseParticipant, User

    case_id = factory.case(north.caseworker, north.municipality, status="screening", consent_collective=True)
    meeting_id = factory.meeting(north.chair, starts_at=utcnow() + timedelta(days=3))
    add_item(sign_in(app, north.chair), meeting_id, case_id)
    finished = factory.meeting(north.chair, status="approved", cases=(case_id,),
                               starts_at=utcnow() - timedelta(days=7))
    assert north.provider_member.id not in invited_ids(app, meeting_id)

    with app.test_request_context():
        chair = db.session.get(User, north.chair.id)
        participants.invite(db.session.get(Case, case_id), chair, f"org-{north.provider.id}")
        db.session.commit()
    assert north.provider_member.id in invited_ids(app, meeting_id)
    assert north.provider_member.id not in invited_ids(app, finished)  # a past session stays as it was

    with app.test_request_context():
        participant = db.session.scalar(select(CaseParticipant).where(CaseParticipant.case_id == case_id))
        participants.remove(db.session.get(Case, case_id), db.session.get(User, north.chair.id), participant)
        db.session.commit()
    assert north.provider_member.id not in invited_ids(app, meeting_id)
