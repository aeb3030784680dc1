"""The start-page card of open gap signals (ret_app/signals/cards.py): the chair and RET members of a region
see how many of its signals are new and in progress and the oldest new one's month and category, with links
to the signal list; nobody else sees the card; another region's signals never count; with nothing new or in
progress the card says so positively; the card's queries do not grow with the number of signals."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.models import GapCategory, GapSignal
from tests.conftest import login


@pytest.fixture
def world(make_world):
    return make_world()


def _category(region_id: int, code: str) -> int:
    return db.session.scalar(select(GapCategory.id).where(GapCategory.region_id == region_id,
                                                          GapCategory.code == code))


def add_signals(app, region_id: int, rows) -> None:
    """rows: (status, category code, raised_at); each signal with its own open key (one per key)."""
    with app.app_context():
        for number, (status, code, raised) in enumerate(rows):
            existing = db.session.scalar(select(func.count(GapSignal.id)))
            db.session.add(GapSignal(
                region_id=region_id, gap_category_id=_category(region_id, code), care_type=None, status=status,
                raised_at=raised, window_start=date(2020, 1, 1), window_end=date(2020, 6, 30), raised_count=3,
                case_count=3, open_key=None if status == "closed" else f"t{existing}-{number}"))
        db.session.commit()


def card(client) -> str:
    body = client.get("/start").get_data(as_text=True)
    if 'id="start-signals"' not in body:
        return ""
    return body.split('id="start-signals"', 1)[1].split("</section>", 1)[0]


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=timezone.utc)


def test_the_chair_and_ret_members_see_new_and_in_progress_and_the_oldest_new_one(app, world):
    add_signals(app, world.region.id, [
        ("new", "no_provider_offers_it", at(2026, 3)),
        ("new", "no_living_place", at(2025, 11)),  # the oldest new one
        ("new", "no_place_best_fit", at(2026, 5)),
        ("in_progress", "no_place_best_fit", at(2025, 1)),  # older, but in progress
        ("addressed", "no_living_place", at(2024, 6)),
        ("closed", "no_living_place", at(2023, 2)),
    ])
    add_signals(app, world.elsewhere.region.id, [("new", "no_living_place", at(2020, 1))] * 4)
    for person in (world.chair, world.member):
        client = app.test_client()
        login(client, app, person)
        shown = card(client)
        assert "3 nieuwe signalen" in shown and "1 signaal in behandeling" in shown, person.role
        assert "Het oudste nieuwe signaal is van november 2025: Geen passende woonplek of verblijfsvorm." in shown
        assert 'href="/signalen"' in shown and 'href="/signalen?status=new&amp;sort=oldest"' in shown
        assert "januari 2020" not in shown  # the other region's signals are not this region's


@pytest.mark.parametrize("role", ["caseworker", "provider_member", "network_liaison", "analyst", "admin"])
def test_nobody_else_sees_the_card(app, client, world, role):
    add_signals(app, world.region.id, [("new", "no_living_place", at(2025, 11))])
    login(client, app, world[role])
    assert client.get("/start").status_code == 200
    assert card(client) == ""


def test_nothing_new_or_in_progress_is_said_positively(app, client, world):
    add_signals(app, world.region.id, [("addressed", "no_living_place", at(2025, 1)),
                                       ("closed", "no_place_best_fit", at(2024, 1))])
    add_signals(app, world.elsewhere.region.id, [("new", "no_living_place", at(2025, 1))])
    login(client, app, world.chair)
    shown = card(client)
    assert "Geen nieuwe signalen en geen signalen in behandeling" in shown
    assert "nieuwe signalen</span>" not in shown and "oudste" not in shown
    assert 'href="/signalen"' in shown


def test_one_signal_in_progress_and_none_new(app, client, world):
    add_signals(app, world.region.id, [("in_progress", "no_living_place", at(2025, 1))])
    login(client, app, world.member)
    shown = card(client)
    assert "0 nieuwe signalen" in shown and "1 signaal in behandeling" in shown
    assert "oudste nieuwe" not in shown


@pytest.mark.counts_queries("main.start")
@pytest.mark.parametrize("role", ["chair", "member"])
def test_the_card_does_not_grow_with_the_signals(app, client, world, count_queries, role):
    login(client, app, world[role])
    counts = {}
    codes = ("no_living_place", "no_place_best_fit", "no_provider_offers_it")
    rows = [(("new", "in_progress", "addressed", "closed")[i % 4], codes[i % 3], at(2020 + i % 6, 1 + i % 12))
            for i in range(50)]
    for total, already in ((5, 0), (50, 5)):
        add_signals(app, world.region.id, rows[already:total])
        new = sum(1 for status, _code, _at in rows[:total] if status == "new")
        with count_queries() as statements:
            shown = card(client)
        assert f"{new} nieuwe signalen" in shown  # the card did show them all
        counts[total] = len(statements)
    assert counts[5] == counts[50], counts
