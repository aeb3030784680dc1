"""Throwaway review checks (to be deleted)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.models import AuditEvent, CaseAction, Decision, Meeting, MeetingItem
from tests.conftest import csrf_token, login
from tests.test_meeting_live import (HTMX, World, _decision_data, _decisions, _items, _other_client, _session,
                                     _submission_key, _token, world)  # noqa: F401


def test_poller_after_item_removed(app, client, factory, world):
    meeting_id = _session(world, factory, cases=(world.case_a, world.case_b))
    item_a, item_b = _items(app, meeting_id)
    member = _other_client(app, world.member)
    r = member.get(f"/overleggen/{meeting_id}/live?item={item_b}")
    assert r.status_code == 200
    with app.app_context():
        rev = db.session.get(Meeting, meeting_id).revision
        m = db.session.get(Meeting, meeting_id)
        m.current_item_id = item_a
        db.session.commit()
    login(client, app, world.chair)
    token = csrf_token(client, f"/overleggen/{meeting_id}")
    r = client.post(f"/overleggen/{meeting_id}/agenda/{item_b}/verwijderen", data={"csrf_token": token})
    print("remove", r.status_code)
    codes = [member.get(f"/overleggen/{meeting_id}/live/updates?item={item_b}&rev={rev}",
                        headers=HTMX).status_code for _ in range(3)]
    print("poll codes", codes)
    with app.app_context():
        denied = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.user_id == world.member.id, AuditEvent.outcome == "denied"))
    print("denied", denied)
    assert codes == [404, 404, 404]


def test_huge_amount(app, client, factory, world):
    meeting_id = _session(world, factory, present=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    page = client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True)
    key = _submission_key(page, f"d{item_id}")
    r = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten",
                    data={"csrf_token": _token(client, meeting_id),
                          **_decision_data(item_id, key, amount_eur="12500000000")}, headers=HTMX)
    print("huge amount", r.status_code)
    key2 = _submission_key(client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True), f"d{item_id}")
    r2 = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten",
                     data={"csrf_token": _token(client, meeting_id),
                           **_decision_data(item_id, key2, amount_eur="100,555")}, headers=HTMX)
    print("3 decimals", r2.status_code, [(d.amount_eur, d.status) for d in _decisions(app, item_id)])
    assert r.status_code == 200


def test_followup_double_submit(app, client, factory, world):
    meeting_id = _session(world, factory, invite=(world.holder,))
    [item_id] = _items(app, meeting_id)
    login(client, app, world.chair)
    key = _submission_key(client.get(f"/overleggen/{meeting_id}/live").get_data(as_text=True), f"d{item_id}")
    client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten",
                data={"csrf_token": _token(client, meeting_id), **_decision_data(item_id, key)}, headers=HTMX)
    [d] = _decisions(app, item_id)
    assert d.status == "provisional"
    holder = _other_client(app, world.holder)
    tok = csrf_token(holder, f"/overleggen/voorbehoud/{d.id}")
    data = {"csrf_token": tok, "answer": "confirmed", "answer_date": date.today().isoformat()}
    r1 = holder.post(f"/overleggen/voorbehoud/{d.id}", data=data)
    r2 = holder.post(f"/overleggen/voorbehoud/{d.id}", data=data)
    print("followup", r1.status_code, r2.status_code)
    assert r2.status_code != 404


def test_closed_case_item(app, client, factory, world):
    meeting_id = _session(world, factory, cases=(world.case_a,), present=(world.holder,))
    [item_id] = _items(app, meeting_id)
    from ret_app.models import Case
    with app.app_context():
        db.session.get(Case, world.case_a).status = "closed"
        db.session.commit()
    login(client, app, world.chair)
    r = client.get(f"/overleggen/{meeting_id}/live")
    print("live closed case", r.status_code)
    page = r.get_data(as_text=True)
    key = _submission_key(page, f"d{item_id}")
    r = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten",
                    data={"csrf_token": _token(client, meeting_id), **_decision_data(item_id, key)}, headers=HTMX)
    print("decision on closed case", r.status_code, [d.status for d in _decisions(app, item_id)])
    # provider member: consent collective & participant -> can they still see closed case?
    prov = _other_client(app, world.provider)
    print("provider live", prov.get(f"/overleggen/{meeting_id}/live").status_code)
