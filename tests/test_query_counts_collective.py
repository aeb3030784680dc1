"""Lists stay fast at any size: the collective's pages issue the same number of queries for 5 and for
100 rows — the capacity overview (with each filter), the providers list (a capacity entry's history: the
walk of every page, tests/test_query_counts_walk.py), and a provider member's start page and profile page (bounded by the care types, counted for 2 and
11). Every row points at relations of its own (its own organisation, its own updater, its own
expertise and contacts), so that a relation loaded per row would show in the count."""

from __future__ import annotations

import pytest

from datetime import timedelta
from typing import Callable

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES
from ret_app.models import (
    CapacityEntry,
    ProviderCareType,
    ProviderContact,
    ProviderExpertise,
    ProviderProfile,
)
from tests.conftest import login
from tests.worlds import World

SIZES = (5, 100)


def _statements(client, count_queries, url: str) -> tuple[int, str]:
    assert client.get(url).status_code == 200, url  # warm up: the session touch, caches
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements), response.get_data(as_text=True)


def _same_count(client, count_queries, urls: list[str], add: Callable[[int], list[str]], sizes=SIZES) -> None:
    counts: dict[int, dict[str, int]] = {}
    have = 0
    for size in sizes:
        shown = add(size - have)
        have = size
        counts[size] = {}
        for url in urls:
            counts[size][url], body = _statements(client, count_queries, url)
            for text in shown:
                assert text in body, f"{url} does not show {text!r}: the count would measure nothing"
    assert counts[sizes[0]] == counts[sizes[-1]], counts


def _providers(app, factory, world, n: int, numbers) -> list[str]:
    """n collective providers of the world's region, each with a profile (two expertise areas, two
    care types, a contact), a member of its own and a capacity entry per care type (one stale)."""
    names = []
    for _ in range(n):
        number = next(numbers)
        name = f"Aa Aanbieder {number:03d}"
        org = factory.organisation("provider", region_id=world.region.id, collective_member=True, name=name)
        member = factory.user("provider_member", org.id)
        with app.app_context():
            db.session.add(ProviderProfile(
                organisation_id=org.id, min_age=4, max_age=18, crisis_available=True, crisis_hours="24/7",
                crisis_phone="088 000 00 00", updated_by_id=member.id,
                expertise=[ProviderExpertise(area="trauma"), ProviderExpertise(area="autism")],
                care_types=[ProviderCareType(care_type="ambulatory"), ProviderCareType(care_type="residential")],
                contacts=[ProviderContact(name=f"Contact {number}", role="Coördinator", phone="088 111 11 11")]))
            for care_type, age in (("ambulatory", 1), ("residential", 30)):
                db.session.add(CapacityEntry(organisation_id=org.id, care_type=care_type, places_available=2,
                                             waiting_weeks=3, updated_by_id=member.id,
                                             updated_at=utcnow() - timedelta(days=age)))
            db.session.commit()
        names.append(name)
    return names[:1]


@pytest.mark.counts_queries("collective.overview", "collective.providers")
def test_the_overview_and_the_providers_list_do_not_grow_with_their_rows(app, factory, count_queries):
    world = World(factory)
    client = app.test_client()
    login(client, app, world.chair)
    numbers = iter(range(1000))
    _same_count(client, count_queries,
                ["/collectief/capaciteit", "/collectief/capaciteit?care_type=ambulatory",
                 "/collectief/capaciteit?stale=1", "/collectief/capaciteit?with_places=1",
                 "/collectief/", "/collectief/?expertise=trauma&care_type=ambulatory&crisis=1"],
                lambda n: _providers(app, factory, world, n, numbers))


@pytest.mark.counts_queries("main.start", "collective.provider")
def test_a_provider_members_start_page_and_profile_do_not_grow_with_the_care_types(app, factory, count_queries):
    world = World(factory)
    client = app.test_client()
    login(client, app, world.provider_member)
    with app.app_context():
        db.session.add(ProviderProfile(organisation_id=world.provider.id))
        db.session.commit()
    codes = iter(d.code for d in DEFAULT_CARE_TYPES)  # the catalogue every new region starts with

    def add(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            code = next(codes)
            member = factory.user("provider_member", world.provider.id)
            with app.app_context():
                db.session.add(ProviderCareType(organisation_id=world.provider.id, care_type=code))
                db.session.add(CapacityEntry(organisation_id=world.provider.id, care_type=code, places_available=1,
                                             waiting_weeks=1, updated_by_id=member.id))
                db.session.commit()
            shown.append(f"/capaciteit/{code}")
        return shown

    _same_count(client, count_queries, ["/start", f"/collectief/aanbieders/{world.provider.id}"], add,
                sizes=(2, len(DEFAULT_CARE_TYPES) - 2))
