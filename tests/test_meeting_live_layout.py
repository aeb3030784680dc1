"""The live page's structure for chairing, over HTTP (the layout itself is checked in Chromium,
tests/browser/test_live_chairing.py): the side column (agenda, attendance) before the item, the decision
and action forms before the notes, the time spent with its unit, the help tried before on the item,
the collapsible sections (attendance for the chair, placement review until used), the swaps that keep
the side column current, and the chair's "back to planned" on the live page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ret_app.extensions import db
from ret_app.meetings.live_routes import elapsed
from ret_app.models import Case, Meeting, PriorHelp
from tests.conftest import csrf_token, login

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(app, make_world, factory):
    w = make_world(names={"chair": "Carla Voorzitter", "member": "Ruud Lid", "caseworker": "Marieke Mandaat"},
                   aliases={"ret_org": "ret"})
    w.case_a = factory.case(w.caseworker, w.municipality, status="process_direction", placement_intended=True)
    w.case_b = factory.case(w.caseworker, w.municipality, status="process_direction")
    with app.app_context():
        case = db.session.get(Case, w.case_a)
        case.prior_help.append(PriorHelp(
            provider="Jeugdhulp Oost", help_type="Ambulante gezinsbegeleiding", from_date=date(2025, 2, 1),
            to_date=date(2025, 9, 1), end_reason="Gestopt: geen vooruitgang."))
        db.session.commit()
    return w


def _live(app, factory, world, user, *, purpose="progress"):
    meeting_id = factory.meeting(world.chair, status="in_progress", cases=(world.case_a, world.case_b),
                                 purpose=purpose, invite=(world.member, world.caseworker))
    with app.app_context():
        items = [i.id for i in db.session.get(Meeting, meeting_id).items]
    client = app.test_client()
    login(client, app, user)
    return client, meeting_id, items


def _position(body: str, marker: str) -> int:
    assert marker in body, marker
    return body.index(marker)


def test_elapsed_time_reads_in_minutes_with_the_unit():
    assert elapsed(0) == "0 min"
    assert elapsed(24) == "1 min"  # something was spent: at least a minute, as the minutes say
    assert elapsed(24 * 60 + 10) == "24 min"
    assert elapsed(-5) == "0 min"
    assert ":" not in elapsed(3600 + 61)


def test_side_column_first_then_the_item_with_its_forms_before_the_notes(app, factory, world):
    client, meeting_id, (item_a, _item_b) = _live(app, factory, world, world.chair)
    body = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    side, main = _position(body, 'class="ret-live__side"'), _position(body, 'class="ret-live__main"')
    assert side < _position(body, 'id="agenda-title"') < _position(body, 'id="aanwezigheid-title"') < main
    assert main < _position(body, 'id="live-item"')
    decision = _position(body, f'id="live-decision-form-{item_a}"')
    action = _position(body, f'id="live-action-form-{item_a}"')
    notes = _position(body, f'id="live-notes-form-{item_a}"')
    assert _position(body, 'id="live-case-summary"') < decision < action < notes
    # The time spent with its unit, in the agenda and on the item; no "0:00" clock.
    assert re.search(r'id="live-item-time"[^>]*>.*?<strong>\d+ min</strong>', body, re.S)
    agenda = body[_position(body, 'id="live-agenda"'):]
    agenda = agenda[:agenda.index("</ol>")]
    assert len(re.findall(r">\d+ min</span>", agenda)) == 2 and not re.search(r"\d:\d\d", agenda)
    # The help tried before, on the item, through the read-only partial.
    prior = body[_position(body, 'id="live-prior-help"'):]
    assert "Jeugdhulp Oost" in prior[:3000] and "Gestopt: geen vooruitgang." in prior[:3000]
    # Collapsible: the attendance list is closed for the chair (its count says who is there).
    assert re.search(r'<details[^>]*id="live-attendance-details"(?![^>]*\bopen\b)[^>]*>', body)
    assert 'id="live-attendance-count"' in body
    # Only one element per id (the side column and the item are separate regions now).
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_the_attendance_list_is_open_for_those_who_come_to_check_in(app, factory, world):
    client, meeting_id, _items = _live(app, factory, world, world.member)
    body = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert re.search(r'<details[^>]*id="live-attendance-details"[^>]*\bopen\b', body)
    assert "stap/unstart" not in body and "stap/close" not in body  # the chair's steps only


def test_placement_review_fields_collapse_until_used_and_open_when_refused(app, factory, world):
    client, meeting_id, (item_a, _b) = _live(app, factory, world, world.chair, purpose="placement_review")
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert re.search(rf'<details[^>]*id="live-placement-{item_a}"(?![^>]*\bopen\b)[^>]*>', page)
    key = re.search(rf'name="d{item_a}-submission_key"[^>]*value="([^"]+)"', page).group(1)
    refused = client.post(f"/overleggen/{meeting_id}/agenda/{item_a}/besluiten", headers=HTMX, data={
        "csrf_token": csrf_token(client, f"/overleggen/{meeting_id}/live"), f"d{item_a}-submission_key": key,
        f"d{item_a}-text": "Geen uithuisplaatsing", f"d{item_a}-kind": "general"}).get_data(as_text=True)
    assert re.search(rf'<details[^>]*id="live-placement-{item_a}"[^>]*\bopen\b', refused)
    assert f'id="d{item_a}-alternatives_considered-error"' in refused


def test_another_item_swaps_the_main_column_and_updates_the_side_column_out_of_band(app, factory, world):
    client, meeting_id, (item_a, item_b) = _live(app, factory, world, world.chair)
    client.get(f"/overleggen/{meeting_id}/live")
    swap = client.get(f"/overleggen/{meeting_id}/live?item={item_b}",
                      headers={**HTMX, "HX-Target": "live-workspace"}).get_data(as_text=True)
    assert swap.startswith('<div id="live-workspace"') or swap.lstrip().startswith('<div id="live-workspace"')
    assert f'data-item-id="{item_b}"' in swap
    assert re.search(r'id="live-agenda"[^>]*hx-swap-oob="true"', swap)
    assert re.search(rf'href="/overleggen/{meeting_id}/live\?item={item_b}"[^>]*\s+aria-current="true"', swap)
    assert re.search(r'id="live-status"[^>]*hx-swap-oob="true"', swap)
    assert "<form" not in swap.split('hx-swap-oob="true"', 1)[1]  # what is swapped out of band has no form


def test_back_to_planned_is_offered_on_the_live_page_until_something_is_recorded(app, factory, world):
    from ret_app.meetings import lifecycle
    from ret_app.models import User

    meeting_id = factory.meeting(world.chair, status="planned", cases=(world.case_a,))
    with app.test_request_context():
        lifecycle.apply(db.session.get(Meeting, meeting_id), "start", db.session.get(User, world.chair.id),
                        confirmed=True)
        db.session.commit()
        item_a = db.session.get(Meeting, meeting_id).items[0].id
    client = app.test_client()
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert f'action="/overleggen/{meeting_id}/stap/unstart"' in page
    assert 'data-unstart="open"' in page
    key = re.search(rf'name="d{item_a}-submission_key"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post(f"/overleggen/{meeting_id}/agenda/{item_a}/besluiten", headers=HTMX, data={
        "csrf_token": csrf_token(client, f"/overleggen/{meeting_id}/live"), f"d{item_a}-submission_key": key,
        f"d{item_a}-text": "Vervolgoverleg met school", f"d{item_a}-kind": "general"}).get_data(as_text=True)
    # The answer's status line (out of band) says going back is no longer possible: the page hides it.
    assert re.search(r'id="live-status"[^>]*hx-swap-oob="true"[^>]*data-unstart="closed"', answer)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert "stap/unstart" not in page and f'action="/overleggen/{meeting_id}/stap/close"' in page
