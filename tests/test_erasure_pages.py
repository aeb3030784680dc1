"""The pages of retention and erasure over HTTP: the privacy officer sees a request due, grants it, and the
case is gone from the chair's case list and opens for no one (404) while its minimal record shows on the
retention page; a refusal needs its ground and reason (every error at once, Dutch, nothing typed lost); the
lists keep their query count for few and many rows; a request of another region is 404."""

from __future__ import annotations

import re

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ret_app.erasure import services
from ret_app.extensions import db
from ret_app.models import Case, DestructionEntry, DestructionList, ErasureRequest, LegalHold, User
from tests.conftest import csrf_token, login


@pytest.fixture
def world(make_world):
    return make_world()


def closed_case(factory, world, days_ago: int = 10) -> int:
    from ret_app.kernel.dates import utcnow

    return factory.case(world.caseworker, world.municipality, status="closed",
                        closed_at=utcnow() - timedelta(days=days_ago), submitted_at=utcnow() - timedelta(days=90))


def add_request(app, world, case_id: int, received: date) -> int:
    with app.app_context():
        request = services.record_request(db.session.get(Case, case_id), db.session.get(User, world.chair.id),
                                          requester_kind="youth", requester_name="Jeugdige zelf", received_on=received)
        db.session.commit()
        return request.id


def test_the_officer_grants_a_request_and_the_case_is_gone_from_every_list(app, client, factory, world):
    case_id = closed_case(factory, world)
    with app.app_context():
        reference = db.session.get(Case, case_id).reference
    request_id = add_request(app, world, case_id, date.today() - timedelta(days=80))
    chair = app.test_client()
    login(chair, app, world.chair)
    assert reference in chair.get("/casussen?status=all").get_data(as_text=True)
    login(client, app, world.privacy_officer)
    start = client.get("/start").get_data(as_text=True)
    assert "start-erasure" in start and reference in start
    page = client.get(f"/verwijderverzoeken/{request_id}")
    assert page.status_code == 200 and "Beslissen vóór" in page.get_data(as_text=True)
    token = csrf_token(client, f"/verwijderverzoeken/{request_id}")
    # A refusal without ground and reason: both errors at once, in Dutch.
    refused = client.post(f"/verwijderverzoeken/{request_id}", data={"csrf_token": token, "decision": "refuse"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Kies de wettelijke grond." in body and "Geef de reden." in body
    # No decision chosen: nothing happens (erasing is never the default).
    empty = client.post(f"/verwijderverzoeken/{request_id}", data={"csrf_token": token})
    assert empty.status_code == 200 and "Kies een besluit." in empty.get_data(as_text=True)
    # Granted without ticking that it cannot be undone: refused next to the box, the case still there.
    unticked = client.post(f"/verwijderverzoeken/{request_id}", data={"csrf_token": token, "decision": "grant"})
    body = unticked.get_data(as_text=True)
    assert unticked.status_code == 200 and "niet ongedaan kan worden gemaakt" in body
    assert re.search(r'<option selected value="grant"|value="grant" selected', body)  # the choice is kept
    assert reference in chair.get("/casussen?status=all").get_data(as_text=True)
    granted = client.post(f"/verwijderverzoeken/{request_id}",
                          data={"csrf_token": token, "decision": "grant", "confirm": "y"})
    assert granted.status_code == 302
    assert reference not in chair.get("/casussen?status=all").get_data(as_text=True)
    assert chair.get(f"/casussen/{case_id}").status_code == 404
    record = chair.get(f"/casussen/{case_id}/bewaren-en-verwijderen").get_data(as_text=True)
    assert "Verwijderd" in record and "op verzoek" in record
    with app.app_context():
        assert db.session.get(Case, case_id).status == "erased"
        assert db.session.get(ErasureRequest, request_id).requester_name == ""


def test_an_open_case_is_refused_with_the_reason(app, client, factory, world):
    case_id = factory.case(world.caseworker, world.municipality, status="monitoring")
    request_id = add_request(app, world, case_id, date.today())
    login(client, app, world.chair)
    token = csrf_token(client, f"/verwijderverzoeken/{request_id}")
    response = client.post(f"/verwijderverzoeken/{request_id}",
                           data={"csrf_token": token, "decision": "grant", "confirm": "y"})
    assert response.status_code == 200 and "sluit hem eerst af" in response.get_data(as_text=True)


def test_a_request_of_another_region_is_not_found(app, client, factory, world, make_world):
    other = make_world()
    case_id = closed_case(factory, other)
    request_id = add_request(app, other, case_id, date.today())
    login(client, app, world.privacy_officer)
    assert client.get(f"/verwijderverzoeken/{request_id}").status_code == 404
    assert client.get(f"/casussen/{case_id}/bewaren-en-verwijderen").status_code == 404


def test_the_hold_form_keeps_what_was_typed_and_places_the_hold(app, client, factory, world):
    case_id = closed_case(factory, world)
    login(client, app, world.chair)
    token = csrf_token(client, f"/casussen/{case_id}/bewaren-en-verwijderen")
    empty = client.post(f"/casussen/{case_id}/bewaring", data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 200 and "Geef de reden." in empty.get_data(as_text=True)
    placed = client.post(f"/casussen/{case_id}/bewaring", data={"csrf_token": token, "reason": "Tuchtzaak"})
    assert placed.status_code == 302
    with app.app_context():
        assert services.active_hold(case_id).reason == "Tuchtzaak"


def _lists(app, world, n: int, case_ids: list[int]) -> int:
    with app.app_context():
        listed = DestructionList(region_id=world.region.id, drafted_on=date.today(), entries=[
            DestructionEntry(case_id=cid, retain_until=date.today() - timedelta(days=1)) for cid in case_ids[:n]])
        db.session.add(listed)
        for cid in case_ids[:n]:
            db.session.add(LegalHold(case_id=cid, reason="x", placed_by_id=world.chair.id))
            db.session.add(ErasureRequest(case_id=cid, region_id=world.region.id, requester_kind="youth",
                                          requester_name="x", received_on=date.today(),
                                          due_on=date.today() + timedelta(days=90), recorded_by_id=world.chair.id))
        db.session.commit()
        return listed.id


@pytest.mark.counts_queries("erasure.overview", "erasure.list_page", "erasure.case_privacy")
def test_the_lists_keep_their_query_count(app, client, factory, world, count_queries):
    case_ids = [closed_case(factory, world) for _ in range(12)]
    login(client, app, world.privacy_officer)
    counts = {}
    for n in (2, 12):
        list_id = _lists(app, world, n, case_ids)
        with app.app_context():
            for cid in case_ids[:n]:  # more requests and holds on the first case for its own page
                db.session.add(ErasureRequest(case_id=case_ids[0], region_id=world.region.id, requester_kind="youth",
                                              requester_name="x", received_on=date.today(),
                                              due_on=date.today(), recorded_by_id=world.chair.id))
            db.session.commit()
        with count_queries() as overview:
            assert client.get("/privacy/verwijdering").status_code == 200
        with count_queries() as listed:
            assert client.get(f"/vernietigingslijsten/{list_id}").status_code == 200
        with count_queries() as case_page:
            assert client.get(f"/casussen/{case_ids[0]}/bewaren-en-verwijderen").status_code == 200
        counts[n] = (len(overview), len(listed), len(case_page))
    assert counts[2] == counts[12], counts
    with app.app_context():
        assert db.session.scalar(select(DestructionList.id).where(DestructionList.id == list_id)) == list_id


def test_a_long_destruction_list_is_paged(app, client, factory, world, count_queries):
    from ret_app.erasure.routes import ENTRIES_PER_PAGE

    case_ids = [closed_case(factory, world) for _ in range(ENTRIES_PER_PAGE + 5)]
    with app.app_context():
        listed = DestructionList(region_id=world.region.id, drafted_on=date.today(), entries=[
            DestructionEntry(case_id=cid, retain_until=date.today() - timedelta(days=1)) for cid in case_ids])
        db.session.add(listed)
        db.session.commit()
        list_id = listed.id
        references = {cid: db.session.get(Case, cid).reference for cid in case_ids}
    login(client, app, world.privacy_officer)
    with count_queries() as first_queries:
        first = client.get(f"/vernietigingslijsten/{list_id}").get_data(as_text=True)
    with count_queries() as second_queries:
        second = client.get(f"/vernietigingslijsten/{list_id}?page=2").get_data(as_text=True)
    assert f"{ENTRIES_PER_PAGE + 5} casussen op de lijst" in first
    assert references[case_ids[0]] in first and references[case_ids[-1]] not in first and "Volgende pagina" in first
    assert references[case_ids[-1]] in second and references[case_ids[0]] not in second and "Vorige pagina" in second
    assert len(first_queries) == len(second_queries)
    # Taking a case of page 2 off the list brings the privacy officer back to page 2.
    with app.app_context():
        entry_id = db.session.scalar(select(DestructionEntry.id).where(DestructionEntry.case_id == case_ids[-1]))
    token = csrf_token(client, f"/vernietigingslijsten/{list_id}?page=2")
    response = client.post(f"/vernietigingslijsten/{list_id}/regels/{entry_id}/afvoeren?page=2",
                           data={"csrf_token": token, "reason": "Klacht in behandeling"})
    assert response.status_code == 302 and response.headers["Location"].endswith("page=2")
    assert "1 van de lijst gehaald" in client.get(f"/vernietigingslijsten/{list_id}?page=2").get_data(as_text=True)
