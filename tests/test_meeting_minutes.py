"""Minutes of a RET session: the full PDF for the RET, the per-case extract that holds nothing of
another case (checked in the PDF text), "Concept" until the chair approves, read-only after
approval with addenda (author, date), who may download what, and every export audited. Approving
stores the statuses of actions and decisions: what changes after that (an action cancelled, the
municipality's answer) shows on a separate line, and the approved record stays as approved."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from markupsafe import escape
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.meetings import actions, decisions, lifecycle
from ret_app.kernel.errors import RuleError
from ret_app.models import (AuditEvent, CaseAction, CaseParticipant, Decision, Meeting, MeetingItem,
                            MinutesAddendum, User)
from tests.conftest import csrf_token, login
from tests.test_screening_pdf import pdf_text, ui

NOTES = ("Het gezin wil starten met ambulante begeleiding thuis.",
         "Vertrouwelijke aantekening over de tweede jongere en school.")
DECISIONS = ("Ambulante gezinsbegeleiding door het collectief.", "Deeltijdbehandeling voor de tweede jongere.")
ACTIONS = ("Kennismaking plannen met het gezin.", "Schoolgesprek voeren over de tweede jongere.")


def _names(world) -> dict:
    return {k: getattr(world, k).name for k in ("chair", "member", "cw_a", "cw_b", "px", "py")}


@pytest.fixture
def world(app, make_world, factory):
    """One region; case 1 (municipality A, provider X invited) and case 2 (municipality B, provider Y)
    on one session. The caseworker of A holds a mandate of A and is present; nobody holds one of B.
    Each item has its own notes, a decision and an action; the session is closed."""
    w = make_world(names={"municipality": "Gemeente Aa", "other_municipality": "Gemeente Bee",
                          "provider": "Aanbieder Iks", "other_provider": "Aanbieder IJpsilon",
                          "chair": "Voorzitter Vera", "member": "Lid Lotte", "caseworker": "Mandaathouder Mila",
                          "other_caseworker": "Toegang Tobias", "provider_member": "Aanbieder Xander",
                          "other_provider_member": "Aanbieder Yara"},
                   aliases={"cw_a": "caseworker", "cw_b": "other_caseworker", "px": "provider_member",
                            "py": "other_provider_member"})
    w.other_chair = w.elsewhere.chair
    mun_a, mun_b, prov_x, prov_y = w.municipality, w.other_municipality, w.provider, w.other_provider
    factory.mandate(w.cw_a.id, mun_a.id, ceiling="50000")
    w.case1 = factory.case(w.cw_a, mun_a, status="process_direction", consent_collective=True)
    w.case2 = factory.case(w.cw_b, mun_b, status="process_direction", consent_collective=True)
    with app.app_context():
        db.session.add_all([
            CaseParticipant(case_id=w.case1, role="provider", organisation_id=prov_x.id, invited_by_id=w.chair.id),
            CaseParticipant(case_id=w.case2, role="provider", organisation_id=prov_y.id, invited_by_id=w.chair.id)])
        db.session.commit()
    w.meeting = factory.meeting(w.chair, status="in_progress", cases=(w.case1, w.case2),
                                present=(w.cw_a, w.member, w.px), invite=(w.cw_b, w.py))
    with app.test_request_context():
        chair = db.session.get(User, w.chair.id)
        items = list(db.session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == w.meeting)
                                        .order_by(MeetingItem.position)))
        owners = (w.cw_a.id, w.cw_b.id)
        for item, notes, text, action, owner, amount in zip(items, NOTES, DECISIONS, ACTIONS, owners,
                                                              ("12000", "20000")):
            item.notes, item.seconds_spent = notes, 600
            decisions.record(item, {"submission_key": secrets.token_hex(8), "kind": "commits_help", "text": text,
                                    "care_type": "ambulatory", "amount_eur": Decimal(amount)}, chair)
            actions.create(item.case, {"submission_key": secrets.token_hex(8), "description": action,
                                       "owner": f"u{owner}", "due_date": date.today() + timedelta(days=14)},
                           chair, item=item)
        lifecycle.apply(db.session.get(Meeting, w.meeting), "close", chair)
        db.session.commit()
        w.item1, w.item2 = items[0].id, items[1].id
        w.ref1, w.ref2 = items[0].case.reference, items[1].case.reference
        w.statuses = [d.status for i in items for d in i.decisions]
    return w


def _client(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def _approve(app, w) -> None:
    with app.test_request_context():
        lifecycle.apply(db.session.get(Meeting, w.meeting), "approve", db.session.get(User, w.chair.id))
        db.session.commit()


def _add_addendum(app, w, text: str, item_id=None) -> None:
    with app.test_request_context():
        db.session.add(MinutesAddendum(meeting_id=w.meeting, item_id=item_id, text=text, author_id=w.member.id))
        db.session.commit()


def full_url(w) -> str:
    return f"/overleggen/{w.meeting}/notulen.pdf"


def extract_url(w, case_id) -> str:
    return f"/overleggen/{w.meeting}/notulen/zaak/{case_id}.pdf"


def test_the_world_has_one_binding_and_one_provisional_decision(world):
    assert world.statuses == ["binding", "provisional"]


def test_full_minutes_hold_everything_and_are_marked_draft_until_approved(app, world):
    w = world
    client = _client(app, w.member)
    response = client.get(full_url(w))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "notulen" in response.headers["Content-Disposition"]
    _, text = pdf_text(response.data)
    for expected in (w.ref1, w.ref2, *NOTES, *DECISIONS, *ACTIONS, "Gemeente Aa", "Gemeente Bee"):
        assert expected in text, expected
    assert "Concept" in text  # the Dutch "Draft" while closed and not approved
    assert ui(app, "Binding") in text and ui(app, "Provisional (awaiting the municipality)") in text
    # The mandate used: holder, municipality and ceiling; and why the other one was provisional.
    assert "Mandaathouder Mila" in text and "50.000,00" in text
    assert ui(app, "No holder of a mandate of the municipality was present.") in text
    assert "10 min" in text  # time spent per item
    # Attendance: present and invited-but-absent.
    for name in ("Lid Lotte", "Aanbieder Xander", "Toegang Tobias", "Aanbieder Yara"):
        assert name in text
    assert "Vertrouwelijk" in text

    _approve(app, w)
    _add_addendum(app, w, "Aanvulling op de hele vergadering.")
    _, approved = pdf_text(client.get(full_url(w)).data)
    assert "Concept" not in approved
    assert ui(app, "these minutes have not been approved by the chair yet; their content can still change.") not in approved
    assert "Voorzitter Vera" in approved  # approved by
    assert "Aanvulling op de hele vergadering." in approved and "Lid Lotte" in approved


def test_extract_for_a_provider_holds_nothing_of_another_case(app, world):
    w = world
    _approve(app, w)
    _add_addendum(app, w, "Correctie bij de eerste casus.", item_id=w.item1)
    _add_addendum(app, w, "Correctie bij de tweede casus, geheim.", item_id=w.item2)
    _add_addendum(app, w, "Correctie bij de hele vergadering.")
    client = _client(app, w.px)
    response = client.get(extract_url(w, w.case1))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert w.ref1 in response.headers["Content-Disposition"]
    _, text = pdf_text(response.data)
    for expected in (w.ref1, NOTES[0], DECISIONS[0], ACTIONS[0], "Correctie bij de eerste casus."):
        assert expected in text, expected
    for forbidden in (w.ref2, NOTES[1], DECISIONS[1], ACTIONS[1], "Correctie bij de tweede casus, geheim.",
                      "Correctie bij de hele vergadering.", "Gemeente Bee",
                      # who came for the other case is not named either
                      "Toegang Tobias", "Aanbieder Yara"):
        assert forbidden not in text, forbidden
    assert "50.000" not in text  # the mandate's ceiling is for the RET and the holder
    assert "Vertrouwelijk" in text


def test_who_may_download_what(app, world):
    w = world
    expectations = {
        # user: (full minutes, extract case 1, extract case 2)
        "member": (200, 200, 200),
        "chair": (200, 200, 200),
        "px": (404, 200, 404),
        "py": (404, 404, 200),
        "cw_a": (404, 200, 404),
        "cw_b": (404, 404, 200),
        "other_chair": (404, 404, 404),
    }
    for name, (full, one, two) in expectations.items():
        client = _client(app, getattr(w, name))
        assert client.get(full_url(w)).status_code == full, name
        assert client.get(extract_url(w, w.case1)).status_code == one, name
        assert client.get(extract_url(w, w.case2)).status_code == two, name
    # A case that is not on the agenda: 404, also for the RET.
    client = _client(app, w.member)
    assert client.get(extract_url(w, 987654)).status_code == 404
    assert client.get("/overleggen/987654/notulen.pdf").status_code == 404


def test_no_minutes_before_the_session_is_closed(app, factory, world):
    w = world
    running = factory.meeting(w.chair, status="in_progress", cases=(w.case1,))
    client = _client(app, w.member)
    response = client.get(f"/overleggen/{running}/notulen.pdf")
    assert response.status_code == 409
    assert ui(app, "Minutes not available yet") in response.get_data(as_text=True)
    assert client.get(f"/overleggen/{running}/notulen/zaak/{w.case1}.pdf").status_code == 409


def test_every_export_is_audited_without_names(app, world):
    w = world
    _client(app, w.member).get(full_url(w))
    _client(app, w.px).get(extract_url(w, w.case1))
    _client(app, w.px).get(extract_url(w, w.case2))  # refused
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")
                                    .order_by(AuditEvent.seq)).all()
        full = [(e.case_id, e.user_id) for e in events if e.object_type == "minutes" and e.outcome == "allowed"]
        assert sorted(full) == sorted([(w.case1, w.member.id), (w.case2, w.member.id)])
        extract = [(e.case_id, e.user_id) for e in events
                   if e.object_type == "minutes_extract" and e.outcome == "allowed"]
        assert extract == [(w.case1, w.px.id)]
        denied = [e for e in events if e.outcome == "denied"]
        assert [(e.case_id, e.user_id) for e in denied] == [(w.case2, w.px.id)]
        for e in events:
            for name in _names(w).values():
                assert name not in (e.detail or "")


def test_minutes_panel_on_the_session_page_and_approval(app, world):
    w = world
    chair = _client(app, w.chair)
    page = chair.get(f"/overleggen/{w.meeting}").get_data(as_text=True)
    assert 'id="minutes-panel"' in page
    assert full_url(w) in page and extract_url(w, w.case1) in page and extract_url(w, w.case2) in page
    approve = f"/overleggen/{w.meeting}/stap/approve"
    assert approve in page
    assert 'name="addendum-text"' not in page  # no addenda while the minutes are a draft

    provider = _client(app, w.px).get(f"/overleggen/{w.meeting}").get_data(as_text=True)
    assert extract_url(w, w.case1) in provider
    assert full_url(w) not in provider and extract_url(w, w.case2) not in provider and approve not in provider

    response = chair.post(approve, data={"csrf_token": csrf_token(chair, f"/overleggen/{w.meeting}")})
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, w.meeting)
        assert meeting.status == "approved" and meeting.approved_by_id == w.chair.id
    page = chair.get(f"/overleggen/{w.meeting}").get_data(as_text=True)
    assert approve not in page and 'name="addendum-text"' in page


def test_approved_minutes_are_read_only(app, world):
    w = world
    _approve(app, w)
    with app.test_request_context():
        item = db.session.get(MeetingItem, w.item1)
        with pytest.raises(RuleError):
            decisions.record(item, {"submission_key": secrets.token_hex(8), "kind": "general", "text": "Later"},
                             db.session.get(User, w.chair.id))
        with pytest.raises(RuleError):
            lifecycle.apply(item.meeting, "approve", db.session.get(User, w.chair.id))
        db.session.rollback()


def _post_addendum(client, w, data, htmx=False):
    token = csrf_token(client, "/start")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/overleggen/{w.meeting}/addenda", data={"csrf_token": token, **data}, headers=headers)


def _addenda(app):
    with app.app_context():
        return [(a.text, a.item_id, a.author_id) for a in db.session.scalars(select(MinutesAddendum))]


def test_addendum_only_after_approval_by_the_ret(app, world):
    w = world
    member = _client(app, w.member)
    response = _post_addendum(member, w, {"addendum-text": "Te vroeg"})
    assert response.status_code == 409 and _addenda(app) == []

    _approve(app, w)
    response = _post_addendum(member, w, {"addendum-text": "De actie hoort bij de moeder.",
                                          "addendum-item_id": str(w.item1)})
    assert response.status_code == 302
    assert _addenda(app) == [("De actie hoort bij de moeder.", w.item1, w.member.id)]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "minutes_addendum",
                                                        AuditEvent.outcome == "allowed")).one()
        assert event.case_id == w.case1 and event.action == "create"

    # htmx: the panel comes back with the new addendum, author and date.
    response = _post_addendum(member, w, {"addendum-text": "Tweede aanvulling."}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="minutes-panel"' in body and "Tweede aanvulling." in body and "Lid Lotte" in body

    # An invited provider sees the session but adds nothing; an unrelated chair does not see it.
    assert _post_addendum(_client(app, w.px), w, {"addendum-text": "Van de aanbieder"}).status_code == 403
    assert _post_addendum(_client(app, w.other_chair), w, {"addendum-text": "Van buiten"}).status_code == 404
    assert len(_addenda(app)) == 2


@pytest.mark.parametrize("htmx", [False, True])
def test_addendum_input_errors_keep_what_was_typed(app, factory, world, htmx):
    w = world
    _approve(app, w)
    other = factory.meeting(w.chair, status="closed", cases=(w.case1,))
    with app.app_context():
        foreign_item = db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == other))
    member = _client(app, w.member)

    response = _post_addendum(member, w, {"addendum-text": "   "}, htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "utrecht-form-field--invalid" in body and ui(app, "This field is required.") in body

    response = _post_addendum(member, w, {"addendum-text": "Mijn zorgvuldig getypte correctie",
                                          "addendum-item_id": str(foreign_item)}, htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert str(escape(ui(app, "Choose an item of this session's agenda."))) in body
    assert "Mijn zorgvuldig getypte correctie" in body
    assert ("<html" in body) is not htmx
    assert _addenda(app) == []


def _of_item(app, model, item_id):
    with app.app_context():
        return db.session.scalars(select(model.id).where(model.item_id == item_id)).one()


def test_approving_stores_the_statuses_as_approved(app, world):
    w = world
    with app.app_context():
        assert db.session.get(Meeting, w.meeting).approved_state is None  # closed: a draft
    _approve(app, w)
    action1, action2 = _of_item(app, CaseAction, w.item1), _of_item(app, CaseAction, w.item2)
    decision1, decision2 = _of_item(app, Decision, w.item1), _of_item(app, Decision, w.item2)
    with app.app_context():
        assert db.session.get(Meeting, w.meeting).approved_state == {
            "actions": {str(action1): "open", str(action2): "open"},
            "decisions": {str(decision1): "binding", str(decision2): "provisional"},
        }


def _change_after_approval(app, factory, w) -> None:
    """The chair cancels the action of item 1; the functional administrator records the municipality's
    confirmation of the provisional decision of item 2 — both through the services."""
    admin = factory.user("admin")
    with app.test_request_context():
        action = db.session.get(CaseAction, _of_item(app, CaseAction, w.item1))
        actions.set_status(action, "cancelled", db.session.get(User, w.chair.id))
        decision = db.session.get(Decision, _of_item(app, Decision, w.item2))
        decisions.answer(decision, {"answer": "confirmed", "answer_date": date.today(),
                                    "answer_note": "Akkoord van de wethouder."}, db.session.get(User, admin.id))
        db.session.commit()


def _day(app, day) -> str:
    from flask_babel import format_date

    with app.test_request_context():
        return format_date(day, "d MMMM yyyy")


def test_changes_after_approval_show_apart_and_leave_the_approved_record(app, factory, world):
    w = world
    _approve(app, w)
    client = _client(app, w.member)
    _, before = pdf_text(client.get(full_url(w)).data)
    _change_after_approval(app, factory, w)
    _, text = pdf_text(client.get(full_url(w)).data)
    today = _day(app, date.today())

    # The approved record: the decisions binding and provisional, both actions open, no answer yet.
    assert ui(app, "Binding") in text and ui(app, "Provisional (awaiting the municipality)") in text
    assert ui(app, "Confirmed by the municipality") not in text
    assert ui(app, "Answer of the municipality on %(date)s", date=today) not in text
    due = _day(app, date.today() + timedelta(days=14))
    for action, owner in ((ACTIONS[0], w.cw_a.name), (ACTIONS[1], w.cw_b.name)):
        assert f"{action} {owner} {due} {ui(app, 'Open')}" in text  # the status column: as approved
    assert f"{ACTIONS[0]} {w.cw_a.name} {due} {ui(app, 'Cancelled')}" not in text
    # ... and what happened since, each on a line of its own.
    cancelled = ui(app, "Later changed: action “%(action)s” now %(status)s (%(date)s)", action=ACTIONS[0],
                   status=ui(app, "Cancelled").lower(), date=today)
    answered = ui(app, "Municipality's answer after approval: confirmed on %(date)s", date=today)
    assert cancelled in text and answered in text and "Akkoord van de wethouder." in text
    assert cancelled not in before and answered not in before

    # The extracts carry the change of their own case only.
    _, one = pdf_text(_client(app, w.px).get(extract_url(w, w.case1)).data)
    assert cancelled in one and answered not in one
    _, two = pdf_text(_client(app, w.py).get(extract_url(w, w.case2)).data)
    assert answered in two and cancelled not in two


def test_minutes_approved_before_the_statuses_were_stored_show_the_current_status(app, factory, world):
    w = world
    _approve(app, w)
    _change_after_approval(app, factory, w)
    with app.app_context():
        db.session.get(Meeting, w.meeting).approved_state = None
        db.session.commit()
    _, text = pdf_text(_client(app, w.member).get(full_url(w)).data)
    today = _day(app, date.today())
    assert ui(app, "Confirmed by the municipality") in text and ui(app, "Cancelled") in text
    assert ui(app, "Answer of the municipality on %(date)s", date=today) in text
    assert "after approval" not in text and ui(app, "Municipality's answer after approval: confirmed on %(date)s",
                                                date=today) not in text


def test_approved_minutes_are_rendered_once_and_again_when_they_change(app, world, monkeypatch):
    """WeasyPrint is most of the minutes' cost: an approved session's full minutes are rendered once,
    stored (minutes_file) and served as stored to everyone who asks, each download audited per case; an
    addendum changes what they show, so the next download renders them again, with the addendum. A
    draft's minutes are rendered on every download and not stored; erasing a case on the agenda removes
    the stored file (it shows the case)."""
    from ret_app import stored_pdf
    from ret_app.erasure import eraser
    from ret_app.models import Case, MinutesFile

    rendered = []
    real = stored_pdf.html_to_pdf
    monkeypatch.setattr(stored_pdf, "html_to_pdf", lambda html: rendered.append(html) or real(html))
    w = world
    member, chair = _client(app, w.member), _client(app, w.chair)

    def stored():
        with app.app_context():
            return db.session.scalar(select(MinutesFile).where(MinutesFile.meeting_id == w.meeting))

    draft = member.get(full_url(w))
    assert draft.status_code == 200 and "Concept" in pdf_text(draft.data)[1]
    assert stored() is None and rendered == []  # a draft: rendered by render_pdf, never stored
    _approve(app, w)
    first, second = member.get(full_url(w)), chair.get(full_url(w))
    assert first.status_code == second.status_code == 200 and first.mimetype == "application/pdf"
    assert len(rendered) == 1 and second.data == first.data
    assert stored().size == len(first.data)
    _add_addendum(app, w, "Aanvulling na het vaststellen.")
    third = member.get(full_url(w))
    assert len(rendered) == 2 and third.data != first.data
    assert "Aanvulling na het vaststellen." in pdf_text(third.data)[1]
    assert "Aanvulling na het vaststellen." not in pdf_text(first.data)[1]
    assert chair.get(full_url(w)).data == third.data and len(rendered) == 2
    with app.app_context():
        exports = [(e.case_id, e.user_id) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.object_type == "minutes",
                                     AuditEvent.outcome == "allowed"))]
    downloads = [w.member.id, w.member.id, w.chair.id, w.member.id, w.chair.id]
    assert sorted(exports) == sorted((case_id, user_id) for user_id in downloads for case_id in (w.case1, w.case2))
    with app.test_request_context():
        eraser.erase_case(db.session.get(Case, w.case2))
        db.session.commit()
    assert stored() is None
