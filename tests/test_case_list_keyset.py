"""The case list is paged by keyset (issue 14: at twenty years of a region's cases a deep page must cost
what the first costs): following "next" from the first page shows every case once, in the list's
order, for each order; "previous" and "last" give the same pages back; an edge in the address that is
not one of ours shows the first page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from ret_app.cases.routes import PAGE_SIZE
from ret_app.paging import Key, decode_edge, encode_edge
from tests.conftest import login
from tests.worlds import World

REFERENCE = re.compile(r'href="/casussen/\d+">(RET-\d{4}-\d+)</a>')
LINK = 'rel="{rel}" href="([^"]+)"'
SINCE = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
# Statuses, urgencies and submission times that make each order's keys tie and differ: drafts (no
# submission time), closed cases (last in the default order), equal times (the id decides).
STATUSES = ("concept", "submitted", "process_direction", "closed", "screening")
URGENCIES = ("regular", "urgent", "crisis", "regular")


@pytest.fixture
def region(app, factory):
    world = World(factory)
    for n in range(2 * PAGE_SIZE + 9):  # three pages, the last one short
        status = STATUSES[n % len(STATUSES)]
        factory.case(world.caseworker, world.municipality, status=status, urgency=URGENCIES[n % len(URGENCIES)],
                     submitted_at=None if status == "concept" else SINCE + timedelta(days=n % 7))
    return world


def _refs(body: str) -> list[str]:
    return REFERENCE.findall(body)


def _link(body: str, rel: str):
    found = re.search(LINK.format(rel=rel), body)
    return found.group(1).replace("&amp;", "&") if found else None


def _expected(app, world, sort: str) -> list[str]:
    """The whole list in its order, from the list's own select (unpaged)."""
    from ret_app.cases import queries
    from ret_app.extensions import db

    with app.app_context():
        user = db.session.merge(world.caseworker)
        stmt = queries.visible_cases(user, queries.CaseFilters(status=queries.ALL_STATUSES), sort=sort)
        return [case.reference for case in db.session.scalars(stmt)]


@pytest.mark.parametrize("sort", ["", "deadline"])
def test_next_walks_every_case_once_in_order_and_previous_walks_back(app, client, region, sort):
    login(client, app, region.caseworker)
    expected = _expected(app, region, sort)
    assert len(expected) == 2 * PAGE_SIZE + 9 and len(set(expected)) == len(expected)
    url, pages = f"/casussen?status=all&sort={sort}", []
    while url:
        body = client.get(url).get_data(as_text=True)
        pages.append(_refs(body))
        url = _link(body, "next")
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 9]
    assert [ref for page in pages for ref in page] == expected
    # Back from the last page reached by "next": the same pages, in reverse.
    back = []
    while url := _link(body, "prev"):
        body = client.get(url).get_data(as_text=True)
        back.append(_refs(body))
    assert back == pages[-2::-1]
    assert 'rel="prev"' not in body and "Eerste pagina" in body  # reached the start by its edge


def test_the_last_page_is_the_last_rows_and_leads_back(app, client, region):
    login(client, app, region.caseworker)
    expected = _expected(app, region, "")
    first = client.get("/casussen?status=all").get_data(as_text=True)
    assert "Eerste pagina" not in first and 'rel="prev"' not in first
    last = client.get(re.search(r'href="([^"]*pagina=laatste[^"]*)"', first).group(1).replace("&amp;", "&"))
    body = last.get_data(as_text=True)
    assert _refs(body) == expected[-PAGE_SIZE:]
    assert 'rel="next"' not in body and "Laatste pagina" not in body
    assert _refs(client.get(_link(body, "prev")).get_data(as_text=True)) == expected[-2 * PAGE_SIZE:-PAGE_SIZE]


def test_the_default_list_pages_the_open_cases_only(app, client, region):
    login(client, app, region.caseworker)
    open_cases = [ref for ref, status in zip(_expected(app, region, ""), _statuses(app, region)) if status != "closed"]
    url, seen = "/casussen", []
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += _refs(body)
        url = _link(body, "next")
    assert seen == open_cases


def _statuses(app, world) -> list[str]:
    from ret_app.cases import queries
    from ret_app.extensions import db

    with app.app_context():
        user = db.session.merge(world.caseworker)
        stmt = queries.visible_cases(user, queries.CaseFilters(status=queries.ALL_STATUSES))
        return [case.status for case in db.session.scalars(stmt)]


@pytest.mark.parametrize("edge", ["", "abc", "1.2", "1.2.3.4.5", "-1.0.0.1", "1.2.x.4", "9" * 40 + ".0.0.1",
                                  "0.0.999999999999999999.1", "0.0.0.99999999999", "0..0.1"])
def test_an_edge_that_is_not_ours_shows_the_first_page(app, client, region, edge):
    login(client, app, region.caseworker)
    first = _refs(client.get("/casussen?status=all").get_data(as_text=True))
    for name in ("na", "voor"):
        response = client.get(f"/casussen?status=all&{name}={edge}")
        assert response.status_code == 200
        assert _refs(response.get_data(as_text=True)) == first, (name, edge)


def test_an_edge_holds_ordering_keys_and_the_id_only():
    keys = (Key(None), Key(None), Key(None, datetime), Key(None))
    moment = datetime(2026, 12, 5, 13, 14, 15, 123456, tzinfo=timezone.utc)
    text = encode_edge((1, 2, moment, 4711))
    assert re.fullmatch(r"[0-9.]+", text)
    assert decode_edge(text, keys) == (1, 2, moment, 4711)
    assert decode_edge(text + ".1", keys) is None and decode_edge(None, keys) is None
