"""Actions: "Mijn acties" (mine and my organisation's, on cases I see; late ones first, then by due
date; done ones behind a filter), changing an action's status (who may, htmx row and no-JS
fallback), the case page's sessions/decisions/actions section and the start page summary."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import ngettext
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import CaseAction, CaseEvent, Decision, MeetingItem
from ret_app.kernel.dates import utcnow
from tests.conftest import csrf_token, login
from tests.test_screening_pdf import ui

TODAY = date.today()


@pytest.fixture
def world(app, make_world, factory):
    w = make_world(names={"municipality": "Gemeente Aa", "chair": "Voorzitter Vera", "director": "Regisseur Rik",
                          "member": "Lid Lotte", "caseworker": "Toegang Tom", "colleague": "Collega Cor",
                          "other_caseworker": "Buiten Bas"},
                   aliases={"cw": "caseworker"})
    # This module's outsider is a caseworker of the region's other access team (the World's `outsider`,
    # a provider outside the collective, plays no part here).
    w.outsider, w.other_chair = w.other_caseworker, w.elsewhere.chair
    mun, other_mun, team = w.municipality, w.other_municipality, w.team
    w.case = factory.case(w.cw, mun, status="process_direction", process_director_id=w.director.id)
    w.other_case = factory.case(w.outsider, other_mun, status="process_direction")
    w.meeting = factory.meeting(w.chair, status="closed", cases=(w.case,), starts_at=utcnow() - timedelta(days=3),
                                invite=(w.cw, w.colleague))
    with app.app_context():
        item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == w.meeting))
        w.item = item.id

        def add(description, due, *, user=None, org=None, status="open", case_id=None, item_id=None):
            action = CaseAction(case_id=case_id or w.case, item_id=item_id, description=description,
                                owner_user_id=user.id if user else None, owner_organisation_id=org.id if org else None,
                                due_date=due, status=status, submission_key=secrets.token_hex(8),
                                created_by_id=w.chair.id)
            db.session.add(action)
            db.session.flush()
            return action.id

        w.later = add("Later: verslag schrijven", TODAY + timedelta(days=10), user=w.cw)
        w.late = add("Te laat: ouders bellen", TODAY - timedelta(days=2), user=w.cw, item_id=item.id)
        w.team_action = add("Team: dossier aanvullen", TODAY + timedelta(days=3), org=team)
        w.done = add("Klaar: intake gedaan", TODAY - timedelta(days=5), user=w.cw, status="done")
        w.not_mine = add("Van een ander: school bellen", TODAY - timedelta(days=9), user=w.member)
        w.invisible = add("Onzichtbaar: andere casus", TODAY - timedelta(days=9), user=w.cw, case_id=w.other_case)
        db.session.add(Decision(item_id=item.id, case_id=w.case, municipality_id=mun.id, kind="commits_help",
                                text="Ambulante begeleiding toegekend", care_type="ambulatory",
                                amount_eur=Decimal("12000"), status="provisional", mandate_finding="ceiling",
                                submission_key=secrets.token_hex(8), recorded_by_id=w.chair.id))
        db.session.commit()
    return w


def _client(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def _descriptions(body: str) -> list[str]:
    return re.findall(r'<span class="ret-prewrap">([^<]+)</span>', body)


def _status(app, action_id: int) -> str:
    with app.app_context():
        return db.session.get(CaseAction, action_id).status


def test_my_actions_late_first_then_by_due_date(app, world):
    w = world
    body = _client(app, w.cw).get("/acties/").get_data(as_text=True)
    assert _descriptions(body) == ["Te laat: ouders bellen", "Team: dossier aanvullen", "Later: verslag schrijven"]
    # Only the late one is flagged.
    late_row = body.split(f'id="action-{w.late}"')[1].split("</tr>")[0]
    assert ui(app, "late") in late_row
    for action_id in (w.team_action, w.later):
        assert ui(app, "late") not in body.split(f'id="action-{action_id}"')[1].split("</tr>")[0]
    # Links back to the case and the session.
    assert f'href="/casussen/{w.case}"' in late_row
    assert f"/overleggen/{w.meeting}" in late_row


def test_filter_includes_done_actions_and_answers_htmx_with_the_list(app, world):
    w = world
    client = _client(app, w.cw)
    response = client.get("/acties/?alle=1", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="action-results"' in body
    assert _descriptions(body) == ["Te laat: ouders bellen", "Team: dossier aanvullen", "Later: verslag schrijven",
                                   "Klaar: intake gedaan"]
    # A done action is never late, however old its due date.
    assert ui(app, "late") not in body.split(f'id="action-{w.done}"')[1].split("</tr>")[0]


def test_organisation_actions_reach_colleagues_but_not_others(app, world):
    w = world
    assert _descriptions(_client(app, w.colleague).get("/acties/").get_data(as_text=True)) == [
        "Team: dossier aanvullen"]
    assert _descriptions(_client(app, w.outsider).get("/acties/").get_data(as_text=True)) == []


def _post_status(client, action_id, status, htmx=False, next_url=None):
    token = csrf_token(client, "/start")
    data = {"csrf_token": token, f"action-{action_id}-status": status}
    if next_url:
        data[f"action-{action_id}-next"] = next_url
    return client.post(f"/acties/{action_id}/status", data=data,
                       headers={"HX-Request": "true"} if htmx else {})


def test_owner_marks_done_without_javascript(app, world):
    w = world
    client = _client(app, w.cw)
    response = _post_status(client, w.late, "done", next_url=f"/casussen/{w.case}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casussen/{w.case}")
    with app.app_context():
        action = db.session.get(CaseAction, w.late)
        assert action.status == "done" and action.completed_by_id == w.cw.id
        kinds = [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == w.case))]
        assert "action_done" in kinds
    # An unsafe next is ignored.
    response = _post_status(client, w.later, "cancelled", next_url="https://evil.example/")
    assert response.headers["Location"].endswith("/acties/")


def test_htmx_swaps_the_row(app, world):
    w = world
    client = _client(app, w.colleague)  # a member of the owning organisation
    response = _post_status(client, w.team_action, "done", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.strip().startswith("<tr") and f'id="action-{w.team_action}"' in body
    assert ui(app, "saved") in body and 'value="done" selected' in body
    assert _status(app, w.team_action) == "done"
    # Reopen.
    _post_status(client, w.team_action, "open", htmx=True)
    assert _status(app, w.team_action) == "open"


def test_invalid_status_comes_back_next_to_the_field(app, world):
    w = world
    response = _post_status(_client(app, w.cw), w.later, "bogus", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and ui(app, "Choose a valid status.") in body
    assert "utrecht-select--invalid" in body
    assert _status(app, w.later) == "open"


@pytest.mark.parametrize("who,expected", [("director", 302), ("chair", 302), ("member", 403), ("outsider", 404),
                                          ("other_chair", 404)])
def test_who_may_change_someone_elses_action(app, world, who, expected):
    w = world
    response = _post_status(_client(app, getattr(w, who)), w.later, "done")
    assert response.status_code == expected
    assert _status(app, w.later) == ("done" if expected == 302 else "open")


def test_case_page_shows_sessions_decisions_and_actions(app, world):
    w = world
    body = _client(app, w.cw).get(f"/casussen/{w.case}").get_data(as_text=True)
    panel = body.split('id="sessions-panel"')[1].split("</section>")[0]
    assert ui(app, "Progress") in panel  # the item's purpose
    assert "Ambulante begeleiding toegekend" in panel
    assert ui(app, "Provisional (awaiting the municipality)") in panel
    # Open actions first (the late one flagged first), the done one last; other cases' actions absent.
    assert _descriptions(panel.split('id="case-actions"')[1]) == ["Van een ander: school bellen", "Te laat: ouders bellen",
                                    "Team: dossier aanvullen", "Later: verslag schrijven", "Klaar: intake gedaan"]
    late_rows = [panel.split(f'id="action-{i}"')[1].split("</tr>")[0] for i in (w.not_mine, w.late)]
    assert all(ui(app, "late") in row for row in late_rows)
    assert "Onzichtbaar" not in panel
    # The case page's row form returns to the case page and has no case column.
    assert f'value="/casussen/{w.case}' in panel and 'name="view" value="case"' in panel


def test_start_page_counts_my_actions(app, world):
    w = world
    body = _client(app, w.cw).get("/start").get_data(as_text=True)
    card = body.split('id="start-actions"')[1].split("</section>")[0]
    with app.test_request_context():
        assert ngettext("%(num)d open action", "%(num)d open actions", 3) in card
        assert ngettext("%(num)d late", "%(num)d late", 1) in card
    assert 'href="/acties/"' in card


def test_navigation_shows_my_actions_and_follow_up_by_role(app, world, factory):
    w = world
    cw_nav = _client(app, w.cw).get("/start").get_data(as_text=True).split("</nav>")[0]
    assert 'href="/acties/"' in cw_nav and 'href="/overleggen/voorbehoud"' in cw_nav
    chair_nav = _client(app, w.chair).get("/acties/").get_data(as_text=True).split("</nav>")[0]
    assert 'href="/acties/"' in chair_nav and 'href="/overleggen/voorbehoud"' not in chair_nav
    assert chair_nav.count('aria-current="page"') == 1
    admin_nav = _client(app, factory.user("admin")).get("/overleggen/voorbehoud").get_data(as_text=True)
    admin_nav = admin_nav.split("</nav>")[0]
    assert 'href="/acties/"' not in admin_nav and 'href="/overleggen/voorbehoud"' in admin_nav
    assert admin_nav.count('aria-current="page"') == 1


def test_start_page_upcoming_sessions_and_the_regions_expiring_mandates(app, world, factory):
    w = world
    soon = factory.meeting(w.chair, status="planned", cases=(w.case,), invite=(w.cw,),
                           starts_at=utcnow() + timedelta(days=3))
    later = factory.meeting(w.chair, status="planned", cases=(w.case,), invite=(w.cw,),
                            starts_at=utcnow() + timedelta(days=20))
    with app.app_context():
        from ret_app.models import Case

        municipality = db.session.get(Case, w.case).municipality
        db.session.expunge(municipality)
    factory.mandate(w.cw.id, municipality.id, valid_until=TODAY + timedelta(days=10))
    factory.mandate(w.colleague.id, municipality.id, valid_until=TODAY + timedelta(days=90))
    elsewhere = factory.municipality(factory.region().id)
    factory.mandate(w.outsider.id, elsewhere.id, valid_until=TODAY + timedelta(days=5))

    chair = _client(app, w.chair).get("/start").get_data(as_text=True)
    warning = chair.split('id="region-expiring-mandates"')[1].split("</div>")[0]
    assert "Toegang Tom" in warning and "Collega Cor" not in warning and "Buiten Bas" not in warning
    sessions = chair.split('id="start-sessions"')[1].split("</section>")[0]
    assert f"/overleggen/{soon}" in sessions and f"/overleggen/{later}" not in sessions

    caseworker = _client(app, w.cw).get("/start").get_data(as_text=True)
    assert 'id="region-expiring-mandates"' not in caseworker  # the holder gets their own warning
    assert f"/overleggen/{soon}" in caseworker.split('id="start-sessions"')[1].split("</section>")[0]
    outsider = _client(app, w.outsider).get("/start").get_data(as_text=True)
    assert f"/overleggen/{soon}" not in outsider
