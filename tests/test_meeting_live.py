"""Running a RET session live, over HTTP: attendance, the agenda and the item under discussion,
decisions (binding with a present covering mandate holder, onder voorbehoud without), actions,
notes with optimistic locking, and the polling that keeps two open pages current without ever
replacing a form someone may be typing in."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.meetings import notes as notes_service
from ret_app.models import (
    AuditEvent,
    CaseAction,
    CaseParticipant,
    Decision,
    Meeting,
    MeetingAttendance,
    MeetingItem,
    Screening,
)
from tests.conftest import csrf_token, login

HTMX = {"HX-Request": "true"}


def nl(app, message) -> str:
    """A message as the page shows it (Dutch is the default language), translated or not yet."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("nl"):
        return gettext(message) if isinstance(message, str) else str(message)


@pytest.fixture
def world(app, make_world, factory):
    w = make_world(names={"municipality": "Apeldoorn", "provider": "Jeugdzorg De Bolder", "chair": "Carla Voorzitter",
                          "member": "Ruud Lid", "caseworker": "Marieke Mandaat", "provider_member": "Piet Aanbieder"},
                   aliases={"ret_org": "ret", "holder": "caseworker"})  # the holder referred the cases
    # This module's `provider` is the collective provider's member, its organisation `provider_org`.
    w.provider_org, w.provider = w.provider, w.provider_member
    municipality, provider_org, chair, holder = w.municipality, w.provider_org, w.chair, w.holder
    factory.mandate(holder.id, municipality.id, ceiling="50000", care_types=("ambulatory", "day_treatment"))
    case_a = factory.case(holder, municipality, status="screening", consent_collective=True)
    case_b = factory.case(holder, municipality, status="screening")
    with app.app_context():
        from ret_app.models import Case

        db.session.get(Case, case_a).question = "Passende dagbehandeling"
        db.session.get(Case, case_b).question = "Tweede casus, geheim"
        db.session.add(CaseParticipant(case_id=case_a, role="provider", organisation_id=provider_org.id,
                                       invited_by_id=chair.id))
        db.session.add(Screening(case_id=case_a, advice="Advies: dagbehandeling bij De Bolder",
                                 analysis="Analyse van het vastlopen"))
        db.session.commit()
    w.case_a, w.case_b = case_a, case_b
    return w


def _items(app, meeting_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(MeetingItem.id).where(MeetingItem.meeting_id == meeting_id)
                                       .order_by(MeetingItem.position)))


def _decisions(app, item_id: int) -> list[Decision]:
    with app.app_context():
        rows = list(db.session.scalars(select(Decision).where(Decision.item_id == item_id).order_by(Decision.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _revision(app, meeting_id: int) -> int:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).revision


def _token(client, meeting_id: int) -> str:
    return csrf_token(client, f"/overleggen/{meeting_id}/live")


def _submission_key(body: str, prefix: str) -> str:
    match = re.search(rf'name="{prefix}-submission_key"[^>]*value="([^"]+)"', body) or \
        re.search(rf'value="([^"]+)"[^>]*name="{prefix}-submission_key"', body)
    assert match, "no submission key in the form"
    return match.group(1)


def _decision_data(item_id: int, key: str, **fields) -> dict:
    data = {"text": "Dagbehandeling bij De Bolder", "kind": "commits_help", "care_type": "ambulatory",
            "amount_eur": "12.500,00", "submission_key": key}
    data.update(fields)
    return {f"d{item_id}-{name}": value for name, value in data.items()}


def _session(world, factory, *, present=(), invite=(), cases=None, purpose="progress") -> int:
    return factory.meeting(world.chair, status="in_progress", cases=cases or (world.case_a,), purpose=purpose,
                           present=present, invite=invite)


def _other_client(app, user):
    other = app.test_client()
    login(other, app, user)
    return other


# --- the page --------------------------------------------------------------------------------------

def test_chair_sees_the_live_page_with_case_summary_and_forms(app, client, factory, world):
    meeting_id = _session(world, factory, invite=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    response = client.get(f"/overleggen/{meeting_id}/live")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Passende dagbehandeling" in body  # the question
    assert "Advies: dagbehandeling bij De Bolder" in body  # the screening advice
    assert "Apeldoorn" in body
    assert f'id="live-decision-form-{item_id}"' in body and f'id="live-action-form-{item_id}"' in body
    assert f'id="live-notes-form-{item_id}"' in body
    assert 'hx-trigger="every 3s"' in body
    assert "Marieke Mandaat" in body  # invited, listed in the attendance
    assert 'data-mandate-holder="none"' in body  # invited, not present: no holder present
    with app.app_context():
        read = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.user_id == world.chair.id, AuditEvent.action == "read", AuditEvent.case_id == world.case_a))
    assert read >= 1, "showing the case summary is an audited case read"


def test_ret_member_sees_the_page_read_only(app, client, factory, world):
    meeting_id = _session(world, factory)
    login(client, app, world.member)
    body = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert "Passende dagbehandeling" in body
    assert "live-decision-form" not in body and "live-action-form" not in body and "live-notes-form" not in body
    assert "/bespreken" not in body


def test_session_of_another_region_is_404_and_audited(app, client, factory, world):
    meeting_id = _session(world, factory)
    other_region = factory.region()
    stranger = factory.user("chair", factory.organisation("ret", region_id=other_region.id).id)
    login(client, app, stranger)
    assert client.get(f"/overleggen/{meeting_id}/live").status_code == 404
    assert client.get(f"/overleggen/{meeting_id}/live/updates?rev=0").status_code == 404
    with app.app_context():
        denied = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.user_id == stranger.id, AuditEvent.outcome == "denied", AuditEvent.object_type == "meeting"))
    assert denied == 2


def test_invited_provider_sees_only_their_own_item(app, client, factory, world):
    meeting_id = _session(world, factory, cases=(world.case_a, world.case_b), invite=(world.provider,))
    item_a, item_b = _items(app, meeting_id)
    with app.app_context():
        reference_b = db.session.get(MeetingItem, item_b).case.reference
    login(client, app, world.provider)
    body = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert "Passende dagbehandeling" in body
    assert reference_b not in body and "Tweede casus, geheim" not in body
    assert "live-decision-form" not in body  # read-only
    assert client.get(f"/overleggen/{meeting_id}/live?item={item_b}").status_code == 404
    # A poll for an item they may not see is answered without it (never a 404 the poller would stay
    # stuck on), and shows nothing of it.
    unseen = client.get(f"/overleggen/{meeting_id}/live/updates?item={item_b}&rev=0")
    assert unseen.status_code == 200
    body = unseen.get_data(as_text=True)
    assert reference_b not in body and "Tweede casus, geheim" not in body and f"live-decisions-{item_b}" not in body
    assert 'data-banner="gone"' in body and f"item={item_b}" not in body
    updates = client.get(f"/overleggen/{meeting_id}/live/updates?item={item_a}&rev=0").get_data(as_text=True)
    assert reference_b not in updates


def test_invitee_sees_the_attendance_of_their_own_cases_only(app, client, factory, world):
    """The attendance list does not tell a provider who came for other cases."""
    other_team = factory.organisation("access_team", region_id=world.region.id, municipality_id=world.municipality.id)
    stranger = factory.user("caseworker", other_team.id, name="Sanne Andercasus")
    case_c = factory.case(stranger, world.municipality, status="screening")
    meeting_id = _session(world, factory, cases=(world.case_a, case_c), invite=(world.provider, world.holder, world.member, stranger))
    login(client, app, world.provider)
    body = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert world.holder.name in body and world.member.name in body  # case A's caseworker, the RET
    assert stranger.name not in body
    chair = _other_client(app, world.chair)
    assert stranger.name in chair.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)


def test_a_provider_who_sees_no_case_on_the_agenda_gets_404(app, client, factory, world):
    meeting_id = _session(world, factory, cases=(world.case_b,))  # the provider works on case A only
    login(client, app, world.provider)
    assert client.get(f"/overleggen/{meeting_id}/live").status_code == 404


def test_a_provider_invited_to_the_case_after_planning_sees_their_item(app, client, factory, world):
    """Participants change after a case was put on the agenda: seeing the case is enough."""
    meeting_id = _session(world, factory, cases=(world.case_a, world.case_b))  # the provider is not invited
    login(client, app, world.provider)
    body = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert "Passende dagbehandeling" in body and "Tweede casus, geheim" not in body


# --- decisions and the mandate check --------------------------------------------------------------

def test_decision_is_binding_when_a_covering_holder_is_present(app, client, factory, world):
    meeting_id = _session(world, factory, present=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert f'data-mandate-holder="{world.holder.id}"' in page
    key = _submission_key(page, f"d{item_id}")
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten",
                           data={"csrf_token": _token(client, meeting_id), **_decision_data(item_id, key)},
                           headers=HTMX)
    assert response.status_code == 200
    [decision] = _decisions(app, item_id)
    assert decision.status == "binding" and decision.mandate_id is not None
    assert decision.amount_eur == Decimal("12500.00")
    body = response.get_data(as_text=True)
    assert 'data-decision-status="binding"' in body and 'hx-swap-oob="true"' in body
    assert "Marieke Mandaat" in body
    assert _submission_key(body, f"d{item_id}") != key  # a fresh form for the next decision


def test_decision_is_provisional_without_a_holder_present(app, client, factory, world):
    meeting_id = _session(world, factory, invite=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    key = _submission_key(client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True), f"d{item_id}")
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten",
                           data={"csrf_token": _token(client, meeting_id), **_decision_data(item_id, key)},
                           headers=HTMX)
    assert response.status_code == 200
    [decision] = _decisions(app, item_id)
    assert decision.status == "provisional" and decision.mandate_id is None
    assert decision.mandate_finding == "no_holder_present"
    assert 'data-decision-status="provisional"' in response.get_data(as_text=True)


def test_holder_checks_in_and_the_next_decision_is_binding(app, client, factory, world):
    meeting_id = _session(world, factory, invite=(world.holder,))
    [item_id] = _items(app, meeting_id)
    holder_client = _other_client(app, world.holder)
    response = holder_client.post(f"/overleggen/{meeting_id}/aanwezigheid",
                                  data={"present": "y", "item": str(item_id)},
                                  headers={**HTMX, "X-CSRFToken": _token(holder_client, meeting_id)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<form" not in body and f'data-mandate-holder="{world.holder.id}"' in body
    with app.app_context():
        assert db.session.scalar(select(MeetingAttendance.present).where(
            MeetingAttendance.meeting_id == meeting_id, MeetingAttendance.user_id == world.holder.id)) is True

    login(client, app, world.chair)
    key = _submission_key(client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True), f"d{item_id}")
    client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten",
                data={"csrf_token": _token(client, meeting_id), **_decision_data(item_id, key)}, headers=HTMX)
    assert [d.status for d in _decisions(app, item_id)] == ["binding"]


def test_amount_above_the_ceiling_is_provisional_with_the_reason(app, client, factory, world):
    meeting_id = _session(world, factory, present=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    key = _submission_key(client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True), f"d{item_id}")
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten", headers=HTMX, data={
        "csrf_token": _token(client, meeting_id), **_decision_data(item_id, key, amount_eur="75.000,00")})
    [decision] = _decisions(app, item_id)
    assert decision.status == "provisional" and decision.mandate_finding == "ceiling"
    from ret_app.labels import FINDING_LABELS

    from markupsafe import escape

    assert str(escape(nl(app, FINDING_LABELS["ceiling"]))) in response.get_data(as_text=True)


def test_double_submit_records_one_decision(app, client, factory, world):
    meeting_id = _session(world, factory, present=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    key = _submission_key(client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True), f"d{item_id}")
    data = {"csrf_token": _token(client, meeting_id), **_decision_data(item_id, key)}
    first = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten", data=data, headers=HTMX)
    second = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten", data=data, headers=HTMX)
    assert first.status_code == second.status_code == 200
    assert "utrecht-form-field--invalid" not in second.get_data(as_text=True)
    assert len(_decisions(app, item_id)) == 1
    # Without htmx (a retry of the plain form): still one, and back to the page.
    third = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten", data=data)
    assert third.status_code == 302
    assert len(_decisions(app, item_id)) == 1


def test_bad_decision_input_is_refused_next_to_the_fields_with_everything_kept(app, client, factory, world):
    meeting_id = _session(world, factory, present=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    key = _submission_key(client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True), f"d{item_id}")
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten", headers=HTMX, data={
        "csrf_token": _token(client, meeting_id),
        **_decision_data(item_id, key, text="", amount_eur="abc", care_type="day_treatment")})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _decisions(app, item_id) == []
    assert 'value="abc"' in body  # what was typed stays
    assert re.search(r'<option selected value="day_treatment"|<option value="day_treatment" selected', body)
    assert f'id="d{item_id}-text-error"' in body and f'id="d{item_id}-amount_eur-error"' in body
    assert _submission_key(body, f"d{item_id}") == key  # the same form: a retry is still one decision
    assert "hx-swap-oob" not in body  # only the form comes back


def test_placement_review_needs_alternatives_scientist_and_outcome(app, client, factory, world):
    meeting_id = _session(world, factory, purpose="placement_review")
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    key = _submission_key(page, f"d{item_id}")
    url = f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten"
    base = {"csrf_token": _token(client, meeting_id)}
    missing = client.post(url, headers=HTMX, data={**base, **_decision_data(
        item_id, key, kind="general", text="Geen uithuisplaatsing")})
    body = missing.get_data(as_text=True)
    for name in ("alternatives_considered", "behavioural_scientist_name", "behavioural_scientist_role",
                 "behavioural_scientist_judgement", "placement_outcome"):
        assert f'id="d{item_id}-{name}-error"' in body, name
    assert "Geen uithuisplaatsing" in body

    past = (date.today() - timedelta(days=3)).isoformat()
    postponed = client.post(url, headers=HTMX, data={**base, **_decision_data(
        item_id, key, kind="general", text="Uitstel", alternatives_considered="Ambulant, gezinshuis",
        behavioural_scientist_name="Dr. Jansen", behavioural_scientist_role="GZ-psycholoog",
        behavioural_scientist_judgement="Thuis is veilig met ondersteuning",
        placement_outcome="postponed", postponed_until=past)})
    body = postponed.get_data(as_text=True)
    assert f'id="d{item_id}-postponed_until-error"' in body
    assert "Ambulant, gezinshuis" in body and "Dr. Jansen" in body
    assert _decisions(app, item_id) == []

    future = (date.today() + timedelta(days=30)).isoformat()
    ok = client.post(url, headers=HTMX, data={**base, **_decision_data(
        item_id, key, kind="general", text="Uitstel", alternatives_considered="Ambulant, gezinshuis",
        behavioural_scientist_name="Dr. Jansen", behavioural_scientist_role="GZ-psycholoog",
        behavioural_scientist_judgement="Thuis is veilig met ondersteuning",
        placement_outcome="postponed", postponed_until=future)})
    assert ok.status_code == 200
    [decision] = _decisions(app, item_id)
    assert decision.placement_outcome == "postponed" and decision.postponed_until.isoformat() == future
    assert decision.behavioural_scientist_name == "Dr. Jansen"
    assert decision.behavioural_scientist_judgement == "Thuis is veilig met ondersteuning"


# --- actions -------------------------------------------------------------------------------------

def test_action_recorded_inline_once_and_past_due_date_refused(app, client, factory, world):
    meeting_id = _session(world, factory)
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert f'value="u{world.holder.id}"' in page  # the caseworker can own an action
    key = _submission_key(page, f"a{item_id}")
    url = f"/overleggen/{meeting_id}/agenda/{item_id}/acties"
    token = _token(client, meeting_id)
    past = client.post(url, headers=HTMX, data={
        "csrf_token": token, f"a{item_id}-submission_key": key, f"a{item_id}-description": "Gesprek met school",
        f"a{item_id}-owner": f"u{world.holder.id}",
        f"a{item_id}-due_date": (date.today() - timedelta(days=1)).isoformat()})
    body = past.get_data(as_text=True)
    assert f'id="a{item_id}-due_date-error"' in body and "Gesprek met school" in body
    data = {"csrf_token": token, f"a{item_id}-submission_key": key, f"a{item_id}-description": "Gesprek met school",
            f"a{item_id}-owner": f"u{world.holder.id}",
            f"a{item_id}-due_date": (date.today() + timedelta(days=14)).isoformat()}
    first = client.post(url, headers=HTMX, data=data)
    client.post(url, headers=HTMX, data=data)
    with app.app_context():
        actions = list(db.session.scalars(select(CaseAction).where(CaseAction.item_id == item_id)))
        assert len(actions) == 1 and actions[0].owner_user_id == world.holder.id
    assert "Gesprek met school" in first.get_data(as_text=True)  # in the open actions list (out of band)


# --- polling ---------------------------------------------------------------------------------------

def test_updates_answer_204_until_something_changes_then_only_read_only_regions(app, client, factory, world):
    meeting_id = _session(world, factory, invite=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.member)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    rev = _revision(app, meeting_id)
    assert f"rev={rev}" in page
    poll = f"/overleggen/{meeting_id}/live/updates?item={item_id}&rev={rev}"
    quiet = client.get(poll, headers=HTMX)
    assert quiet.status_code == 204 and quiet.get_data() == b""

    chair = _other_client(app, world.chair)
    key = _submission_key(chair.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True), f"d{item_id}")
    chair.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten", headers=HTMX,
               data={"csrf_token": _token(chair, meeting_id), **_decision_data(item_id, key, text="Gedeeld besluit")})

    changed = client.get(poll, headers=HTMX)
    assert changed.status_code == 200
    body = changed.get_data(as_text=True)
    assert "Gedeeld besluit" in body and 'data-decision-status="provisional"' in body
    assert "<form" not in body and "<textarea" not in body and "<input" not in body
    for region in ("live-attendance", "live-agenda", f"live-decisions-{item_id}", f"live-actions-{item_id}",
                   f"live-mandate-{item_id}", "live-poller"):
        assert re.search(rf'id="{region}"[^>]*hx-swap-oob="true"', body), region
    new_rev = _revision(app, meeting_id)
    assert new_rev > rev and f"rev={new_rev}" in body
    assert client.get(f"/overleggen/{meeting_id}/live/updates?item={item_id}&rev={new_rev}").status_code == 204


def test_chair_updates_never_replace_the_notes_form_but_say_who_changed_them(app, client, factory, world):
    meeting_id = _session(world, factory)
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    client.get(f"/overleggen/{meeting_id}/live")
    rev = _revision(app, meeting_id)
    colleague = factory.user("chair", world.ret_org.id, name="Wim Collega")
    other = _other_client(app, colleague)
    form = other.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    version = re.search(rf'name="n{item_id}-version"[^>]*value="(\d+)"', form).group(1)
    other.post(f"/overleggen/{meeting_id}/agenda/{item_id}/notities", headers=HTMX, data={
        "csrf_token": _token(other, meeting_id), f"n{item_id}-notes": "Notitie van Wim",
        f"n{item_id}-version": version, f"n{item_id}-loaded": notes_service.fingerprint("")})
    body = client.get(f"/overleggen/{meeting_id}/live/updates?item={item_id}&rev={rev}").get_data(as_text=True)
    assert "Wim Collega" in body and f'id="live-notes-hint-{item_id}"' in body
    assert f"live-notes-form-{item_id}" not in body and "<textarea" not in body


def test_banner_when_the_chair_moves_on_instead_of_jumping(app, client, factory, world):
    meeting_id = _session(world, factory, cases=(world.case_a, world.case_b))
    item_a, item_b = _items(app, meeting_id)
    chair = _other_client(app, world.chair)
    token = _token(chair, meeting_id)
    assert chair.post(f"/overleggen/{meeting_id}/agenda/{item_a}/bespreken",
                      data={"csrf_token": token}).status_code == 302
    login(client, app, world.member)
    client.get(f"/overleggen/{meeting_id}/live")
    rev = _revision(app, meeting_id)

    moved = chair.post(f"/overleggen/{meeting_id}/agenda/{item_b}/bespreken", data={"csrf_token": token},
                       headers={**HTMX, "HX-Target": "live-workspace"})
    assert moved.status_code == 200 and f'data-item-id="{item_b}"' in moved.get_data(as_text=True)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.current_item_id == item_b
        assert db.session.get(MeetingItem, item_a).ended_at is not None

    body = client.get(f"/overleggen/{meeting_id}/live/updates?item={item_a}&rev={rev}").get_data(as_text=True)
    assert re.search(r'id="live-banner"[^>]*hx-swap-oob="true"', body)
    assert f"item={item_b}" in body  # a link to the item under discussion
    assert f'id="live-decisions-{item_a}"' in body  # the page stays on the item it shows


def _denied_events(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.user_id == user_id, AuditEvent.outcome == "denied"))


def test_poll_for_an_item_taken_off_the_agenda_drops_it_with_a_banner(app, client, factory, world):
    """The chair takes an undiscussed item off the agenda while someone has it open: their poll answers
    without it (a 404 would never be swapped, and the poller would ask the same URL for ever), says the
    item is gone with a link to the live page, and polls on without the item — nothing denied."""
    meeting_id = _session(world, factory, cases=(world.case_a, world.case_b))
    item_a, item_b = _items(app, meeting_id)
    login(client, app, world.member)
    page = client.get(f"/overleggen/{meeting_id}/live?item={item_b}").get_data(as_text=True)
    rev = _revision(app, meeting_id)
    poll = f"/overleggen/{meeting_id}/live/updates?item={item_b}&rev={rev}"
    assert poll.replace("&", "&amp;") in page
    denied_before = _denied_events(app, world.member.id)

    chair = _other_client(app, world.chair)
    removed = chair.post(f"/overleggen/{meeting_id}/agenda/{item_b}/verwijderen",
                         data={"csrf_token": _token(chair, meeting_id)})
    assert removed.status_code in (200, 302)
    assert _items(app, meeting_id) == [item_a]

    answer = client.get(poll, headers=HTMX)
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    banner = re.search(r'<div id="live-banner"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>\s*</div>\s*</div>', body, re.S)
    assert banner, body
    assert nl(app, "This item is no longer on the agenda.") in banner.group(1)
    assert f'href="/overleggen/{meeting_id}/live"' in banner.group(1)
    new_rev = _revision(app, meeting_id)
    poller = re.search(r'<div id="live-poller"[^>]*>', body).group(0)
    assert 'hx-swap-oob="true"' in poller and f"rev={new_rev}" in poller and "item=" not in poller
    assert f"live-decisions-{item_b}" not in body

    # The new poller URL answers 204 while nothing changes, and keeps the notice when something does.
    next_poll = re.search(r'hx-get="([^"]+)"', poller).group(1).replace("&amp;", "&")
    assert client.get(next_poll, headers=HTMX).status_code == 204
    again = client.get(next_poll.replace(f"rev={new_rev}", "rev=0"), headers=HTMX)
    assert again.status_code == 200 and 'data-banner="gone"' in again.get_data(as_text=True)
    assert _denied_events(app, world.member.id) == denied_before


def test_poll_of_a_session_one_may_not_see_stays_404_and_audited(app, client, factory, world):
    meeting_id = _session(world, factory, cases=(world.case_b,))  # the provider works on case A only
    [item_id] = _items(app, meeting_id)
    login(client, app, world.provider)
    before = _denied_events(app, world.provider.id)
    assert client.get(f"/overleggen/{meeting_id}/live/updates?item={item_id}&rev=0").status_code == 404
    assert _denied_events(app, world.provider.id) == before + 1


# --- notes -----------------------------------------------------------------------------------------

def test_stale_notes_save_shows_their_text_and_keeps_yours(app, client, factory, world):
    meeting_id = _session(world, factory)
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    version = re.search(rf'name="n{item_id}-version"[^>]*value="(\d+)"', page).group(1)
    loaded = notes_service.fingerprint("")
    colleague = _other_client(app, factory.user("chair", world.ret_org.id, name="Wim Collega"))
    saved = colleague.post(f"/overleggen/{meeting_id}/agenda/{item_id}/notities", headers=HTMX, data={
        "csrf_token": _token(colleague, meeting_id), f"n{item_id}-notes": "Wims notitie",
        f"n{item_id}-version": version, f"n{item_id}-loaded": loaded})
    assert saved.status_code == 200

    stale = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/notities", headers=HTMX, data={
        "csrf_token": _token(client, meeting_id), f"n{item_id}-notes": "Mijn notitie",
        f"n{item_id}-version": version, f"n{item_id}-loaded": loaded})
    body = stale.get_data(as_text=True)
    assert 'id="live-notes-conflict"' in body
    assert "Wims notitie" in body and "Wim Collega" in body
    assert re.search(r"<textarea[^>]*>\s*Mijn notitie</textarea>", body)  # yours is kept
    with app.app_context():
        assert db.session.get(MeetingItem, item_id).notes == "Wims notitie"

    # Saving again after seeing theirs is a choice: it goes through.
    new_version = re.search(rf'name="n{item_id}-version"[^>]*value="(\d+)"', body).group(1)
    new_loaded = re.search(rf'name="n{item_id}-loaded"[^>]*value="([0-9a-f]+)"', body).group(1)
    again = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/notities", headers=HTMX, data={
        "csrf_token": _token(client, meeting_id), f"n{item_id}-notes": "Wims notitie\nMijn notitie",
        f"n{item_id}-version": new_version, f"n{item_id}-loaded": new_loaded})
    assert "live-notes-conflict" not in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MeetingItem, item_id).notes == "Wims notitie\nMijn notitie"


def test_notes_unchanged_by_others_save_even_after_the_item_was_activated(app, client, factory, world):
    """The item's version also moves when its timing changes: that is no conflict about the notes."""
    meeting_id = _session(world, factory)
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    version = re.search(rf'name="n{item_id}-version"[^>]*value="(\d+)"', page).group(1)
    token = _token(client, meeting_id)
    client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/bespreken", data={"csrf_token": token})
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/notities", headers=HTMX, data={
        "csrf_token": token, f"n{item_id}-notes": "Eerste notitie", f"n{item_id}-version": version,
        f"n{item_id}-loaded": notes_service.fingerprint("")})
    assert "live-notes-conflict" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MeetingItem, item_id).notes == "Eerste notitie"


def test_notes_read_only_after_approval(app, client, factory, world):
    meeting_id = factory.meeting(world.chair, status="approved", cases=(world.case_a,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert "live-notes-form" not in page and "live-decision-form" not in page
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/notities", data={
        "csrf_token": _token(client, meeting_id), f"n{item_id}-notes": "Te laat", f"n{item_id}-version": "1",
        f"n{item_id}-loaded": notes_service.fingerprint("")})
    assert response.status_code == 200 and "Te laat" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MeetingItem, item_id).notes == ""


# --- who may write ---------------------------------------------------------------------------------

def test_non_chairs_cannot_write(app, client, factory, world):
    meeting_id = _session(world, factory, invite=(world.holder, world.provider))
    [item_id] = _items(app, meeting_id)
    rev = _revision(app, meeting_id)
    login(client, app, world.member)
    token = _token(client, meeting_id)
    base = f"/overleggen/{meeting_id}/agenda/{item_id}"
    decision = {"csrf_token": token, **_decision_data(item_id, "k1")}
    assert client.post(f"{base}/besluiten", data=decision).status_code == 403
    assert client.post(f"{base}/acties", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{base}/notities", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{base}/bespreken", data={"csrf_token": token}).status_code == 403

    provider = _other_client(app, world.provider)
    ptoken = _token(provider, meeting_id)
    refused = provider.post(f"/overleggen/{meeting_id}/aanwezigheid",
                            data={"csrf_token": ptoken, "user_id": str(world.holder.id), "present": "y"})
    assert refused.status_code == 403
    assert _revision(app, meeting_id) == rev
    assert _decisions(app, item_id) == []
    # Self check-in is open to every invitee.
    assert provider.post(f"/overleggen/{meeting_id}/aanwezigheid",
                         data={"csrf_token": ptoken, "present": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(MeetingAttendance.present).where(
            MeetingAttendance.user_id == world.provider.id)) is True


def test_chair_marks_invitees_only(app, client, factory, world):
    meeting_id = _session(world, factory, invite=(world.holder,))
    outsider = factory.user("caseworker", world.team.id)
    login(client, app, world.chair)
    token = _token(client, meeting_id)
    ok = client.post(f"/overleggen/{meeting_id}/aanwezigheid", headers=HTMX,
                     data={"csrf_token": token, "user_id": str(world.holder.id), "present": "y"})
    assert ok.status_code == 200 and "<form" not in ok.get_data(as_text=True)
    refused = client.post(f"/overleggen/{meeting_id}/aanwezigheid", headers=HTMX,
                          data={"csrf_token": token, "user_id": str(outsider.id), "present": "y"})
    from flask_babel import lazy_gettext
    from markupsafe import escape

    message = nl(app, lazy_gettext("Only invited people can be marked present or absent."))
    assert str(escape(message)) in refused.get_data(as_text=True)
    with app.app_context():
        present = set(db.session.scalars(select(MeetingAttendance.user_id).where(
            MeetingAttendance.meeting_id == meeting_id, MeetingAttendance.present.is_(True))))
    assert present == {world.holder.id}


# --- shared with the CSRF matrix -----------------------------------------------------------------

def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """A chair of the objects' region signed in; the URL and valid form data of a request that would
    change something on the objects' session in progress (tests/test_csrf.py)."""
    objects = env.objects
    env.login_as("chair", organisation_id=objects.ret_org.id)
    base = f"/overleggen/{objects.meeting_id}"
    item = objects.item_id
    if endpoint == "meetings.check_in":
        return f"{base}/aanwezigheid", {"present": "y"}
    if endpoint == "meetings.item_activate":
        return f"{base}/agenda/{item}/bespreken", {}
    if endpoint == "meetings.item_notes":
        return f"{base}/agenda/{item}/notities", {f"n{item}-notes": "Notitie", f"n{item}-version": "1",
                                                    f"n{item}-loaded": notes_service.fingerprint("")}
    if endpoint == "meetings.decision_add":
        return f"{base}/agenda/{item}/besluiten", {f"d{item}-text": "Besluit", f"d{item}-kind": "general",
                                                     f"d{item}-submission_key": "csrf-test-key"}
    if endpoint == "meetings.action_add":
        return f"{base}/agenda/{item}/acties", {
            f"a{item}-description": "Bellen", f"a{item}-owner": f"u{objects.target.id}",
            f"a{item}-due_date": (date.today() + timedelta(days=7)).isoformat(),
            f"a{item}-submission_key": "csrf-test-key"}
    raise KeyError(endpoint)


def test_chair_closes_the_session_from_the_live_page_and_may_still_correct_notes(app, client, factory, world):
    meeting_id = _session(world, factory)
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    close = f"/overleggen/{meeting_id}/stap/close"
    assert f'action="{close}"' in page
    assert client.post(close, data={"csrf_token": _token(client, meeting_id)}).status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).status == "closed"
    after = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert "live-decision-form" not in after and f'id="live-notes-form-{item_id}"' in after
    assert f'action="{close}"' not in after


def test_live_page_and_updates_are_csp_safe(app, client, factory, world):
    from tests.test_security_headers import assert_csp_safe

    meeting_id = _session(world, factory, cases=(world.case_a, world.case_b), purpose="placement_review",
                          invite=(world.holder,))
    item_a, _item_b = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live")
    assert_csp_safe("live page", page)
    assert_csp_safe("live workspace", client.get(f"/overleggen/{meeting_id}/live?item={item_a}",
                                                 headers={**HTMX, "HX-Target": "live-workspace"}))
    assert_csp_safe("live updates", client.get(f"/overleggen/{meeting_id}/live/updates?item={item_a}&rev=0",
                                               headers=HTMX))
    assert "no-store" in page.headers.get("Cache-Control", "")


def test_an_unchanged_poll_costs_one_query_beyond_the_sign_in_check(app, client, factory, world, count_queries):
    """Many open pages poll every 3 seconds: while nothing changes, the poll reads only the revision."""
    meeting_id = _session(world, factory)
    login(client, app, world.chair)
    url = f"/overleggen/{meeting_id}/live/updates?rev={_revision(app, meeting_id)}"
    assert client.get(url).status_code == 204  # warm up (session touch, caches)
    with count_queries() as statements:
        assert client.get(url).status_code == 204
    meeting_reads = [s for s in statements if "meeting" in s]
    assert len(meeting_reads) == 1, meeting_reads
    assert len(statements) <= 4, statements  # web session, user (+ organisation), the revision


def test_mandate_ceilings_are_shown_to_the_ret_only(app, client, factory, world):
    """Like the mandate register: a provider learns that a holder is present, not their ceiling."""
    meeting_id = _session(world, factory, present=(world.holder,), invite=(world.provider,))
    login(client, app, world.provider)
    provider_page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert world.holder.name in provider_page and "50.000" not in provider_page
    chair_page = _other_client(app, world.chair).get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    assert "50.000" in chair_page
