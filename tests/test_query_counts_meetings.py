"""Lists of the RET sessions capability stay fast at any size: the session list, "Mijn acties", the
follow-up of provisional decisions and the session page's agenda issue the same number of queries
for 5 and for 100 rows (every row with its own case, session and, where it matters, its own
municipality, owner or invitee, so that a relation loaded per row would show in the count)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import CaseAction, CaseParticipant, Decision, MeetingItem
from tests.conftest import login
from tests.worlds import World

SIZES = (5, 100)


def _world(factory, municipalities: int = 3) -> World:
    """The World's region with `municipalities` municipalities (its two and more)."""
    w = World(factory)
    w.municipalities = [w.municipality, w.other_municipality,
                        *(factory.municipality(w.region.id) for _ in range(municipalities - 2))]
    # This module's `provider` is the collective provider's member, its organisation `provider_org`.
    w.provider_org, w.provider = w.provider, w.provider_member
    return w


def _case(app, factory, w, n: int, caseworker=None) -> int:
    """A case in screening (collective consent, the provider invited), in municipality n (cyclic)."""
    case_id = factory.case(caseworker or w.caseworker, w.municipalities[n % len(w.municipalities)],
                           status="screening", consent_collective=True)
    with app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="provider", organisation_id=w.provider_org.id,
                                       invited_by_id=w.chair.id))
        db.session.commit()
    return case_id


def _item_of(app, meeting_id: int) -> MeetingItem:
    with app.app_context():
        item = db.session.query(MeetingItem).filter_by(meeting_id=meeting_id).first()
        db.session.expunge(item)
        return item


def _statements(app, user, count_queries, url: str) -> int:
    client = app.test_client()
    login(client, app, user)
    assert client.get(url).status_code == 200  # warm up: the session touch, caches
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


# --- the session list -------------------------------------------------------------------------------

def _sessions(app, factory, w, count: int) -> None:
    """`count` sessions with one case each: half of them planned ahead, half approved earlier."""
    for n in range(count):
        ahead = n % 2 == 0
        factory.meeting(w.chair, status="planned" if ahead else "approved", cases=(_case(app, factory, w, n),),
                        starts_at=utcnow() + timedelta(days=1 + n) if ahead else utcnow() - timedelta(days=1 + n))


@pytest.mark.counts_queries("meetings.index")
@pytest.mark.parametrize("role", ["chair", "caseworker", "provider"])
def test_the_session_list_does_not_grow_with_its_rows(app, factory, count_queries, role):
    counts = {}
    for size in SIZES:
        w = _world(factory)
        _sessions(app, factory, w, size)
        counts[size] = _statements(app, getattr(w, role), count_queries, "/overleggen/")
    print(f"session list ({role}): {counts}")
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


@pytest.mark.counts_queries("meetings.index")
@pytest.mark.parametrize("role", ["chair", "caseworker", "provider"])
def test_the_session_list_does_not_grow_with_the_agenda_items(app, factory, count_queries, role):
    """Two sessions whose agendas grow from 5 to 100 items, half of them cases of another access team
    (the caseworker does not see those): the statements stay the same, no item is loaded, and each
    row counts the items the user may see (policy.visible_items), in SQL."""
    from ret_app import policy
    from ret_app.models import Meeting, User

    counts, shown = {}, {}
    for size in SIZES:
        w = _world(factory)
        cases = [_case(app, factory, w, n, caseworker=w.caseworker if n % 2 else w.other_caseworker)
                 for n in range(size)]
        meetings = [factory.meeting(w.chair, status="approved", cases=tuple(cases[:size // 2]),
                                    starts_at=utcnow() - timedelta(days=3)),
                    factory.meeting(w.chair, status="planned", cases=tuple(cases[size // 2:]),
                                    starts_at=utcnow() + timedelta(days=3))]
        user = getattr(w, role)
        client = app.test_client()
        login(client, app, user)
        assert client.get("/overleggen/").status_code == 200
        with count_queries() as statements:
            body = client.get("/overleggen/").get_data(as_text=True)
        counts[size] = len(statements)
        assert not any("meeting_item.notes" in s for s in statements), "an agenda item was loaded"
        with app.app_context():
            viewer = db.session.get(User, user.id)
            expected = {m: len(policy.visible_items(viewer, db.session.get(Meeting, m))) for m in meetings}
        shown[size] = expected
        for meeting_id, number in expected.items():
            assert f'data-meeting="{meeting_id}">{number}</td>' in body, (meeting_id, number)
    print(f"session list by agenda items ({role}): {counts} {shown}")
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts
    if role == "caseworker":  # only the own team's half of each agenda
        assert sorted(shown[100].values()) == [25, 25], shown


# --- "Mijn acties" -------------------------------------------------------------------------------------

def _actions(app, factory, w, count: int) -> None:
    """`count` open actions, each on its own case and session; owned by the caseworker or by their
    organisation (taking turns), some of them late."""
    for n in range(count):
        meeting_id = factory.meeting(w.chair, status="closed", cases=(_case(app, factory, w, n),),
                                     starts_at=utcnow() - timedelta(days=1 + n))
        item = _item_of(app, meeting_id)
        with app.app_context():
            db.session.add(CaseAction(
                case_id=item.case_id, item_id=item.id, description=f"Actie {n}",
                owner_user_id=w.caseworker.id if n % 2 else None, owner_organisation_id=None if n % 2 else w.team.id,
                due_date=date.today() + timedelta(days=n - count // 2), status="open",
                submission_key=secrets.token_hex(8), created_by_id=w.chair.id))
            db.session.commit()


@pytest.mark.counts_queries("actions.mine")
@pytest.mark.parametrize("query", ["", "?alle=1"])
def test_my_actions_do_not_grow_with_their_rows(app, factory, count_queries, query):
    counts = {}
    for size in SIZES:
        w = _world(factory)
        _actions(app, factory, w, size)
        counts[size] = _statements(app, w.caseworker, count_queries, f"/acties/{query}")
    print(f"my actions {query or '(open)'}: {counts}")
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


# --- the follow-up of provisional decisions ---------------------------------------------------------

def _provisional(app, factory, w, count: int):
    """`count` provisional decisions, each in its own session, spread over the municipalities; the
    caseworker holds a mandate of each municipality that covers them."""
    for municipality in w.municipalities:
        factory.mandate(w.caseworker.id, municipality.id, ceiling="50000")
    for n in range(count):
        meeting_id = factory.meeting(w.chair, status="closed", cases=(_case(app, factory, w, n),),
                                     starts_at=utcnow() - timedelta(days=1 + n))
        item = _item_of(app, meeting_id)
        with app.app_context():
            db.session.add(Decision(
                item_id=item.id, case_id=item.case_id,
                municipality_id=w.municipalities[n % len(w.municipalities)].id, kind="commits_help",
                text=f"Besluit {n}", care_type="ambulatory", amount_eur=Decimal("1000"), status="provisional",
                mandate_finding="no_holder_present", submission_key=secrets.token_hex(8),
                recorded_by_id=w.chair.id))
            db.session.commit()


@pytest.mark.counts_queries("meetings.followups")
@pytest.mark.parametrize("role", ["caseworker", "admin"])
def test_the_follow_up_list_does_not_grow_with_its_rows(app, factory, count_queries, role):
    counts = {}
    for size in SIZES:
        w = _world(factory)
        _provisional(app, factory, w, size)
        counts[size] = _statements(app, getattr(w, role), count_queries, "/overleggen/voorbehoud")
    print(f"follow-up ({role}): {counts}")
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


# --- the session page's agenda ----------------------------------------------------------------------

def _agenda(app, factory, w, count: int, status: str) -> int:
    """One session with `count` items, each case with its own caseworker (of its own access team,
    so invited by name) in its own municipality."""
    cases = []
    for n in range(count):
        team = factory.organisation("access_team", region_id=w.municipalities[0].region_id,
                                    municipality_id=w.municipalities[n].id)
        caseworker = factory.user("caseworker", team.id, activated=False)
        cases.append(_case(app, factory, w, n, caseworker=caseworker))
    meeting_id = factory.meeting(w.chair, status=status, cases=tuple(cases), invite=(w.provider,),
                                 starts_at=utcnow() + timedelta(days=2) if status == "planned" else utcnow())
    from ret_app.meetings import planning
    from ret_app.models import Meeting, User

    with app.test_request_context():
        planning.sync_invitations(db.session.get(Meeting, meeting_id), db.session.get(User, w.chair.id))
        db.session.commit()
    return meeting_id


@pytest.mark.counts_queries("meetings.page")
@pytest.mark.parametrize("role,status", [("chair", "planned"), ("chair", "in_progress"), ("chair", "closed"),
                                         ("provider", "planned")])
def test_the_session_page_does_not_grow_with_its_agenda(app, factory, count_queries, role, status):
    counts = {}
    for size in SIZES:
        w = _world(factory, municipalities=size)
        meeting_id = _agenda(app, factory, w, size, status)
        counts[size] = _statements(app, getattr(w, role), count_queries, f"/overleggen/{meeting_id}")
    print(f"session page ({role}, {status}): {counts}")
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


# --- the live page ----------------------------------------------------------------------------------

def _with_attendance_and_prior_help(app, meeting_id: int, count: int) -> None:
    """Every invitee checked in, and `count` earlier providers on the first item's case (the live page
    shows the first item, with its help tried before)."""
    from ret_app.models import Meeting, MeetingAttendance, PriorHelp

    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        for invitation in meeting.invitations:
            if invitation.user_id not in {a.user_id for a in meeting.attendances}:
                meeting.attendances.append(MeetingAttendance(user_id=invitation.user_id, present=True,
                                                             recorded_by_id=meeting.chair_id))
        for n in range(count):
            meeting.items[0].case.prior_help.append(PriorHelp(provider=f"Aanbieder {n}", help_type="Ambulant",
                                                              from_date=date(2025, 1, 1), to_date=date(2025, 6, 1),
                                                              end_reason="Geen passend aanbod"))
        db.session.commit()


@pytest.mark.counts_queries("meetings.live")
@pytest.mark.parametrize("role,status", [("chair", "in_progress"), ("chair", "closed"), ("provider", "in_progress")])
def test_the_live_page_does_not_grow_with_its_agenda_attendance_or_help_tried_before(app, factory, count_queries,
                                                                                       role, status):
    """The side column lists every item (its case) and every invitee (their organisation) and the item
    shown has its help tried before: loaded up front, not per row."""
    counts = {}
    for size in SIZES:
        w = _world(factory, municipalities=size)
        meeting_id = _agenda(app, factory, w, size, status)
        _with_attendance_and_prior_help(app, meeting_id, size)
        counts[size] = _statements(app, getattr(w, role), count_queries, f"/overleggen/{meeting_id}/live")
    print(f"live page ({role}, {status}): {counts}")
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


@pytest.mark.counts_queries("meetings.live_updates")
@pytest.mark.parametrize("role", ["chair", "provider"])
def test_the_live_updates_do_not_grow_with_the_agenda_or_the_attendance(app, factory, count_queries, role):
    """What the live page polls for once something changed (an older revision): the side column and
    the item shown, rendered again."""
    counts = {}
    for size in SIZES:
        w = _world(factory, municipalities=size)
        meeting_id = _agenda(app, factory, w, size, "in_progress")
        _with_attendance_and_prior_help(app, meeting_id, size)
        item = _item_of(app, meeting_id)
        counts[size] = _statements(app, getattr(w, role), count_queries,
                                   f"/overleggen/{meeting_id}/live/updates?rev=0&item={item.id}")
    print(f"live updates ({role}): {counts}")
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts
