"""Starting a RET session on its day, or before it only after confirming a question that names the
planned date; and putting a session started by mistake back to planned while nothing has been
recorded in it (`lifecycle.recorded_in`), undoing what the start did by itself: the starter's
automatic check-in, the first item's clock, the cases' first-session norm (`Case.next_deadline`).
Over HTTP as the chair would, plus the lifecycle directly."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import AMSTERDAM, utcnow
from ret_app.kernel.errors import RuleError
from ret_app.models import AuditEvent, Case, CaseEvent, Meeting, MeetingAttendance, User
from tests.conftest import csrf_token, login, path_of

NEXT_WEEK = 7


@pytest.fixture
def north(make_world):
    return make_world(names={"chair": "Voorzitter Noord", "member": "RET-lid Noord", "caseworker": "Toegang Noord"},
                      aliases={"ret_org": "ret"})


def _local(day, hour=14) -> datetime:
    """A moment on `day` in the Netherlands (what the session's planned day is judged by)."""
    return datetime.combine(day, time(hour, 0), AMSTERDAM)


def _sign_in(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def _step(client, meeting_id: int, name: str, **data):
    return client.post(f"/overleggen/{meeting_id}/stap/{name}",
                       data={"csrf_token": csrf_token(client, "/start"), **data})


def _meeting(app, meeting_id: int) -> Meeting:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        db.session.refresh(meeting)
        for attendance in meeting.attendances:
            db.session.expunge(attendance)
        for item in meeting.items:
            db.session.expunge(item)
        db.session.expunge(meeting)
        return meeting


def _case(app, case_id: int) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.expunge(case)
        return case


def _in_track(factory, north) -> int:
    """A case in process direction whose first-session norm runs (intake three days ago)."""
    return factory.case(north.caseworker, north.municipality, status="process_direction",
                        intake_at=utcnow() - timedelta(days=3))


def _planned_next_week(factory, north, *cases) -> int:
    return factory.meeting(north.chair, starts_at=_local(dates.today() + timedelta(days=NEXT_WEEK)),
                           cases=cases or (_in_track(factory, north),))


def _started(app, factory, north, *, cases=(), today: bool = False):
    """A session started by the chair over HTTP (before its day unless `today`): (client, id)."""
    starts_at = _local(dates.today(), 0) if today else _local(dates.today() + timedelta(days=NEXT_WEEK))
    meeting_id = factory.meeting(north.chair, starts_at=starts_at, cases=cases or (_in_track(factory, north),),
                                 invite=(north.member,))
    client = _sign_in(app, north.chair)
    assert _step(client, meeting_id, "start", confirm="y").status_code == 302
    assert _meeting(app, meeting_id).status == "in_progress"
    return client, meeting_id


# --- starting -------------------------------------------------------------------------------------

def test_starting_before_the_day_asks_first_naming_the_planned_date(app, factory, north):
    meeting_id = _planned_next_week(factory, north)
    planned = dates.today() + timedelta(days=NEXT_WEEK)
    question = f"Het overleg staat gepland op {format_date(planned, 'EEEE d MMMM yyyy', locale='nl')}. Toch nu starten?"
    client = _sign_in(app, north.chair)

    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert question in page and 'name="confirm"' in page  # asked before anyone clicks

    refused = _step(client, meeting_id, "start")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert 'id="confirm-start-error"' in body and question in body
    assert 'aria-invalid="true"' in body
    assert _meeting(app, meeting_id).status == "planned"
    assert _meeting(app, meeting_id).started_at is None

    started = _step(client, meeting_id, "start", confirm="y")
    assert started.status_code == 302 and path_of(started) == f"/overleggen/{meeting_id}/live"
    assert _meeting(app, meeting_id).status == "in_progress"


def test_on_the_session_day_it_starts_without_a_question(app, factory, north):
    meeting_id = factory.meeting(north.chair, starts_at=_local(dates.today(), 0), cases=(_in_track(factory, north),))
    client = _sign_in(app, north.chair)
    assert 'name="confirm"' not in client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert _step(client, meeting_id, "start").status_code == 302
    assert _meeting(app, meeting_id).status == "in_progress"


def test_a_session_whose_day_has_passed_starts_without_a_question(app, factory, north):
    meeting_id = factory.meeting(north.chair, starts_at=_local(dates.today() - timedelta(days=2)),
                                 cases=(_in_track(factory, north),))
    client = _sign_in(app, north.chair)
    assert _step(client, meeting_id, "start").status_code == 302
    assert _meeting(app, meeting_id).status == "in_progress"


def test_the_lifecycle_refuses_an_unconfirmed_early_start_next_to_the_confirm_field(ctx, factory, north):
    from ret_app.meetings import lifecycle

    meeting = db.session.get(Meeting, _planned_next_week(factory, north))
    chair = db.session.get(User, north.chair.id)
    [start] = [o for o in lifecycle.available(meeting, chair) if o.name == "start"]
    assert start.question is not None and not start.blocked
    with pytest.raises(RuleError) as refused, db.session.begin_nested():
        lifecycle.apply(meeting, "start", chair)
    assert refused.value.field == "confirm"
    assert meeting.status == "planned"
    lifecycle.apply(meeting, "start", chair, confirmed=True)
    assert meeting.status == "in_progress"


def test_an_empty_agenda_is_named_before_the_date_question(ctx, factory, north):
    from ret_app.meetings import lifecycle

    meeting = db.session.get(Meeting, factory.meeting(
        north.chair, starts_at=_local(dates.today() + timedelta(days=NEXT_WEEK))))
    with pytest.raises(RuleError) as refused, db.session.begin_nested():
        lifecycle.apply(meeting, "start", db.session.get(User, north.chair.id), confirmed=True)
    assert refused.value.field is None and "agenda" in str(refused.value.message)


# --- back to planned ------------------------------------------------------------------------------

def test_a_session_started_by_mistake_goes_back_to_planned_and_the_start_is_undone(app, factory, north):
    case_id = _in_track(factory, north)
    deadline, version = _case(app, case_id).next_deadline, _case(app, case_id).version
    assert deadline is not None
    client, meeting_id = _started(app, factory, north, cases=(case_id,))
    started = _meeting(app, meeting_id)
    assert _case(app, case_id).next_deadline is None  # the start met the first-session norm
    assert [a.user_id for a in started.attendances if a.present] == [north.chair.id]
    assert started.current_item_id == started.items[0].id and started.items[0].started_at is not None

    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert f"/overleggen/{meeting_id}/stap/unstart" in page
    live = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert f"/overleggen/{meeting_id}/stap/unstart" in live  # offered where the chair lands

    response = _step(client, meeting_id, "unstart")
    assert response.status_code == 302 and path_of(response) == f"/overleggen/{meeting_id}"
    meeting = _meeting(app, meeting_id)
    assert meeting.status == "planned" and meeting.started_at is None and meeting.current_item_id is None
    assert meeting.attendances == []  # the automatic check-in is gone
    assert meeting.items[0].started_at is None and meeting.items[0].ended_at is None
    assert meeting.items[0].seconds_spent == 0
    assert meeting.revision > started.revision
    # The first-session clock runs again, to the same deadline; the case moved on a version (never back).
    assert _case(app, case_id).next_deadline == deadline
    assert _case(app, case_id).version > version

    with app.app_context():
        steps = list(db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.object_type == "meeting", AuditEvent.object_id == str(meeting_id),
            AuditEvent.action == "update").order_by(AuditEvent.id)))
        assert steps[-2:] == ["step=start", "step=unstart"]
        # The start leaves nothing on the case's timeline, so neither does the way back.
        kinds = list(db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id)))
        assert not [k for k in kinds if "start" in k]

    # Planned again: it can be started again (before its day still with the question).
    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert 'name="confirm"' in page and f"/overleggen/{meeting_id}/stap/unstart" not in page
    assert _step(client, meeting_id, "start", confirm="y").status_code == 302
    assert _meeting(app, meeting_id).status == "in_progress"


def test_a_check_in_from_before_the_start_stays_when_the_session_goes_back(app, factory, north):
    """On the session's day people check in before the start; that was recorded before it and stays.
    The chair who had checked in already keeps their own check-in too."""
    meeting_id = factory.meeting(north.chair, starts_at=_local(dates.today(), 0), cases=(_in_track(factory, north),),
                                 invite=(north.member,))
    member = _sign_in(app, north.member)
    chair = _sign_in(app, north.chair)
    for client in (member, chair):
        assert client.post(f"/overleggen/{meeting_id}/aanwezigheid",
                           data={"csrf_token": csrf_token(client, "/start"), "present": "y"}).status_code == 302
    assert _step(chair, meeting_id, "start").status_code == 302
    assert _step(chair, meeting_id, "unstart").status_code == 302
    meeting = _meeting(app, meeting_id)
    assert meeting.status == "planned"
    assert sorted(a.user_id for a in meeting.attendances if a.present) == sorted([north.chair.id, north.member.id])


def _decision(app, meeting_id):
    from ret_app.meetings import decisions

    meeting = db.session.get(Meeting, meeting_id)
    decisions.record(meeting.items[0], {"submission_key": "k-unstart", "text": "Besluit", "kind": "general"},
                     db.session.get(User, meeting.chair_id))


def _action(app, meeting_id):
    from ret_app.meetings import actions

    meeting = db.session.get(Meeting, meeting_id)
    item = meeting.items[0]
    actions.create(item.case, {"submission_key": "a-unstart", "description": "Bellen",
                               "owner": f"u{meeting.chair_id}", "due_date": dates.today() + timedelta(days=7)},
                   db.session.get(User, meeting.chair_id), item=item)


def _notes(app, meeting_id, text="Notitie"):
    from ret_app.meetings import notes

    item = db.session.get(Meeting, meeting_id).items[0]
    notes.save(item, text, db.session.get(User, item.meeting.chair_id), item.version, notes.fingerprint(item.notes))


def _notes_emptied(app, meeting_id):
    _notes(app, meeting_id, "Eerst iets")
    _notes(app, meeting_id, "")


def _someone_checked_in(app, meeting_id):
    from ret_app.meetings import attendance

    meeting = db.session.get(Meeting, meeting_id)
    member = db.session.scalar(select(User).where(User.role == "ret_member", User.name == "RET-lid Noord"))
    attendance.set_presence(meeting, member, True, member)


def _marked_absent(app, meeting_id):
    from ret_app.meetings import attendance

    meeting = db.session.get(Meeting, meeting_id)
    member = db.session.scalar(select(User).where(User.role == "ret_member", User.name == "RET-lid Noord"))
    attendance.set_presence(meeting, member, False, db.session.get(User, meeting.chair_id))


def _chair_checked_out(app, meeting_id):
    from ret_app.meetings import attendance

    meeting = db.session.get(Meeting, meeting_id)
    chair = db.session.get(User, meeting.chair_id)
    attendance.set_presence(meeting, chair, False, chair)


def _moved_on(app, meeting_id):
    from ret_app.meetings import timing

    meeting = db.session.get(Meeting, meeting_id)
    timing.activate(meeting, meeting.items[1], db.session.get(User, meeting.chair_id))


@pytest.mark.parametrize("record,what", [
    (_decision, "besluiten"), (_action, "acties"), (_notes, "notities"), (_notes_emptied, "notities"),
    (_someone_checked_in, "aanwezigheid"), (_marked_absent, "aanwezigheid"), (_chair_checked_out, "aanwezigheid"),
    (_moved_on, "tijd op de agendapunten"),
])
def test_once_something_is_recorded_the_session_stays_started(app, factory, north, record, what):
    cases = (_in_track(factory, north), _in_track(factory, north))
    client, meeting_id = _started(app, factory, north, cases=cases)
    with app.test_request_context():
        record(app, meeting_id)
        db.session.commit()

    page = client.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert 'data-step-blocked="unstart"' in page and what in page  # says why, not a button
    assert f'action="/overleggen/{meeting_id}/stap/unstart"' in page  # the blocked step's own form, no button
    assert "stap/unstart" not in client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)

    refused = _step(client, meeting_id, "unstart")  # sent anyway (a page opened before)
    assert refused.status_code == 302
    assert what in client.get(path_of(refused)).get_data(as_text=True)
    assert _meeting(app, meeting_id).status == "in_progress"
    assert _case(app, cases[0]).next_deadline is None  # still discussed


def test_what_counts_as_recorded_is_nothing_right_after_the_start(ctx, factory, north):
    from ret_app.meetings import lifecycle

    meeting = db.session.get(Meeting, _planned_next_week(factory, north, _in_track(factory, north),
                                                          _in_track(factory, north)))
    chair = db.session.get(User, north.chair.id)
    lifecycle.apply(meeting, "start", chair, confirmed=True)
    assert lifecycle.recorded_in(meeting) == []
    # Agenda changes are not recorded work: the agenda of a planned session changes too.
    from ret_app.meetings import planning

    planning.add_item(meeting, {"case_id": _in_track(factory, north), "purpose": "progress"}, chair)
    assert lifecycle.recorded_in(meeting) == []
    _notes(None, meeting.id)
    _moved_on(None, meeting.id)
    assert lifecycle.recorded_in(meeting) == ["notes", "item_time"]


def test_a_chair_who_was_marked_absent_is_checked_in_by_the_start_and_out_again(ctx, factory, north):
    """The start checks its chair in from its own moment, also over an earlier "absent"; going back
    takes that automatic check-in away (they are not present at a planned session)."""
    from ret_app.meetings import lifecycle

    meeting_id = factory.meeting(north.chair, starts_at=_local(dates.today(), 0), cases=(_in_track(factory, north),))
    meeting = db.session.get(Meeting, meeting_id)
    chair = db.session.get(User, north.chair.id)
    meeting.attendances.append(MeetingAttendance(user_id=chair.id, present=False, recorded_by_id=chair.id,
                                                 checked_in_at=utcnow() - timedelta(minutes=5)))
    db.session.flush()
    lifecycle.apply(meeting, "start", chair)
    [row] = meeting.attendances
    assert row.present and row.checked_in_at == meeting.started_at
    assert lifecycle.recorded_in(meeting) == []
    lifecycle.apply(meeting, "unstart", chair)
    assert not [a for a in meeting.attendances if a.present]


def test_only_a_chair_of_the_region_puts_it_back(app, factory, north):
    _client, meeting_id = _started(app, factory, north)
    member = _sign_in(app, north.member)
    assert _step(member, meeting_id, "unstart").status_code == 403
    assert "stap/unstart" not in member.get(f"/overleggen/{meeting_id}").get_data(as_text=True)
    assert _meeting(app, meeting_id).status == "in_progress"


def test_closed_sessions_do_not_go_back(ctx, factory, north):
    from ret_app.meetings import lifecycle

    meeting = db.session.get(Meeting, _planned_next_week(factory, north))
    chair = db.session.get(User, north.chair.id)
    lifecycle.apply(meeting, "start", chair, confirmed=True)
    lifecycle.apply(meeting, "close", chair)
    assert "unstart" not in [o.name for o in lifecycle.available(meeting, chair)]
    with pytest.raises(RuleError), db.session.begin_nested():
        lifecycle.apply(meeting, "unstart", chair)
    assert meeting.status == "closed"
