"""Lists stay fast at any size: the case list (every filter and order) and the intake queue (with its
overdue badges and counts) issue the same number of queries for 5 and for 100 rows. (The session,
action, follow-up, management and start-page lists have theirs in test_query_counts_meetings.py and
test_query_counts_admin.py, the other pages in test_query_counts_pages.py; every list and start page
of the app, as each role, is held to one by the walk in test_query_counts_walk.py.)"""

from __future__ import annotations

import re

from datetime import datetime, timedelta, timezone

import pytest

from ret_app.cases.routes import PAGE_SIZE
from tests.conftest import login
from tests.worlds import World

LONG_AGO = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
SIZES = (5, 100)
TRACKS = ("consultation", "process_direction", "placement_review")


def _region(factory, size: int = 3) -> World:
    """The World's region with `size` municipalities (its two and more): every row of a list then
    points at its own, so that a relation loaded per row would show in the count."""
    world = World(factory)
    world.municipalities = [world.municipality, world.other_municipality,
                            *(factory.municipality(world.region.id) for _ in range(size - 2))]
    # This module's `provider` is the collective provider's member, its organisation `provider_org`.
    world.provider_org, world.provider = world.provider, world.provider_member
    return world


def _cases(app, factory, world, count: int) -> None:
    """`count` submitted cases, overdue, each in its own municipality and in a track (taking turns), the
    provider invited to each."""
    from ret_app.extensions import db
    from ret_app.models import CaseParticipant

    for n in range(count):
        case_id = factory.case(world["caseworker"], world["municipalities"][n % len(world["municipalities"])],
                               status="submitted",
                               submitted_at=LONG_AGO + timedelta(hours=n), consent_collective=True,
                               urgency=("regular", "urgent", "crisis")[n % 3], track=TRACKS[n % 3])
        with app.app_context():
            db.session.add(CaseParticipant(case_id=case_id, role="provider",
                                           organisation_id=world["provider_org"].id,
                                           invited_by_id=world["chair"].id))
            db.session.commit()


def _search_url(client, term: str) -> str:
    """The list's address after searching for `term` (POSTed; the address carries the term's id)."""
    from tests.conftest import csrf_token

    response = client.post("/casussen", data={"csrf_token": csrf_token(client, "/casussen"), "q": term})
    assert response.status_code == 302 and term not in response.headers["Location"]
    return response.headers["Location"]


def _next_page_url(client, url: str) -> str:
    """The first page's link to the next page, or the first page itself when there is no next page."""
    found = re.search(r'rel="next" href="([^"]+)"', client.get(url).get_data(as_text=True))
    return found.group(1).replace("&amp;", "&") if found else url


def _statements(app, client, count_queries, url: str) -> int:
    assert client.get(url).status_code == 200  # warm up: the session touch, caches
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


QUERIES = ["", "?overdue=1", "?status=submitted&urgency=crisis", "?track=process_direction", "?municipality={first}",
           "?sort=deadline", "?overdue=1&sort=deadline", "?overdue=1&due_kind=intake_decision&sort=deadline",
           "search:RET", "next:", "next:?sort=deadline", "?pagina=laatste", "?status=all&pagina=laatste"]


# Every filter and order as the chair; the others see the cases through other policy rules (their
# organisation's cases, the cases they take part in): those with the filters that load differently.
@pytest.mark.counts_queries("cases.case_list")
@pytest.mark.parametrize("role,query", [("chair", query) for query in QUERIES] + [
    (role, query) for role in ("caseworker", "provider") for query in ("", "?overdue=1&sort=deadline", "search:RET")]
    + [("caseworker", "?mine=1&sort=deadline")])
def test_the_case_list_does_not_grow_with_its_rows(app, factory, count_queries, role, query):
    counts = {}
    for size in SIZES:
        world = _region(factory, size)
        _cases(app, factory, world, size)
        client = app.test_client()
        login(client, app, world[role])
        if query.startswith("search:"):
            url = _search_url(client, query.removeprefix("search:"))
        elif query.startswith("next:"):  # the page after the first (keyset: the first page's next link)
            url = _next_page_url(client, "/casussen" + query.removeprefix("next:"))
        else:
            url = "/casussen" + query.format(first=world["municipalities"][0].id)
        counts[size] = _statements(app, client, count_queries, url)
        if size > PAGE_SIZE or not query.startswith("next:"):
            assert 'href="/casussen/' in client.get(url).get_data(as_text=True), "shows no case: measures nothing"
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


@pytest.mark.counts_queries("cases.intake_queue")
@pytest.mark.parametrize("query", ["", "?overdue=1", "?page=2", "?overdue=1&page=2"])
def test_the_intake_queue_does_not_grow_with_its_rows(app, factory, count_queries, query):
    """Every row overdue: each shows its badge, the top counts them all, in the same queries."""
    from ret_app.cases.routes import INTAKE_PAGE_SIZE

    counts = {}
    for size in SIZES:
        world = _region(factory, size)
        _cases(app, factory, world, size)
        client = app.test_client()
        login(client, app, world["chair"])
        counts[size] = _statements(app, client, count_queries, f"/intake{query}")
        body = client.get(f"/intake{query}").get_data(as_text=True)
        on_page = min(size, INTAKE_PAGE_SIZE) if "page=2" not in query else max(0, size - INTAKE_PAGE_SIZE)
        assert body.count('ret-badge--bad">over tijd<') == on_page
        assert f'id="intake-overdue-count">{size} over tijd<' in body
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


def test_the_overdue_filter_is_answered_by_the_stored_deadline(app, factory, client):
    """The list filters on Case.next_deadline in SQL; the services keep it current."""
    from ret_app.extensions import db
    from ret_app.models import Case

    world = _region(factory)
    late = factory.case(world["caseworker"], world["municipalities"][0], status="submitted", submitted_at=LONG_AGO)
    fresh = factory.case(world["caseworker"], world["municipalities"][0], status="submitted",
                         submitted_at=datetime.now(timezone.utc))
    with app.app_context():
        late_case, fresh_case = db.session.get(Case, late), db.session.get(Case, fresh)
        assert late_case.next_deadline is not None and fresh_case.next_deadline > late_case.next_deadline
        references = late_case.reference, fresh_case.reference
    login(client, app, world["chair"])
    body = client.get("/casussen?overdue=1").get_data(as_text=True)
    assert references[0] in body and references[1] not in body
