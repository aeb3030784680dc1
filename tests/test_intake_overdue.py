"""The chair sees what is late: the intake queue marks every referral past its intake norm and
counts them at the top, can show only those, and the chair's start page has an intake card with
the same counts. Overdue is the stored `Case.next_deadline` before today (norms.py keeps it; lists
never compute working days per row); due today is not yet overdue."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale, gettext, ngettext

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Case
from tests.conftest import login

LONG_AGO = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)


def nl(app, message: str, **variables) -> str:
    with app.test_request_context(), force_locale("nl"):
        return gettext(message, **variables)


def nl_plural(app, singular: str, plural: str, num: int) -> str:
    with app.test_request_context(), force_locale("nl"):
        return ngettext(singular, plural, num)


def overdue_badge(app, num: int) -> str:
    return nl_plural(app, "%(num)d overdue", "%(num)d overdue", num)


def waiting_text(app, num: int) -> str:
    return nl_plural(app, "%(num)d referral waits for your intake decision.",
                     "%(num)d referrals wait for your intake decision.", num)


def element(body: str, element_id: str) -> str:
    """The HTML of the element with this id up to its closing tag (a row, a section, a paragraph)."""
    match = re.search(r'<(\w+)[^>]*\bid="%s"[^>]*>(.*?)</\1>' % re.escape(element_id), body, re.S)
    assert match, f"no element #{element_id}"
    return match.group(2)


@pytest.fixture
def world(make_world, factory):
    w = make_world()
    today = datetime.now(timezone.utc)
    w.late = factory.case(w.caseworker, w.municipality, status="submitted", submitted_at=LONG_AGO)
    w.later = factory.case(w.caseworker, w.other_municipality, status="submitted", urgency="urgent",
                           submitted_at=LONG_AGO + timedelta(days=3))
    w.fresh = factory.case(w.caseworker, w.municipality, status="submitted", submitted_at=today)
    # Not in the queue: late, but already taken into a track; and late in the other region.
    w.in_screening = factory.case(w.caseworker, w.municipality, status="screening", submitted_at=LONG_AGO,
                                  intake_at=LONG_AGO)
    w.elsewhere_late = factory.case(w.elsewhere.caseworker, w.elsewhere.municipality, status="submitted",
                                    submitted_at=LONG_AGO)
    return w


@pytest.fixture
def chair(app, world):
    client = app.test_client()
    login(client, app, world.chair)
    return client


def test_the_stored_deadlines_are_what_the_page_compares(app, world):
    with app.app_context():
        deadlines = {name: db.session.get(Case, getattr(world, name)).next_deadline
                     for name in ("late", "later", "fresh", "elsewhere_late")}
    today = dates.today()
    assert deadlines["late"] < today and deadlines["later"] < today and deadlines["elsewhere_late"] < today
    assert deadlines["fresh"] >= today


def test_the_queue_marks_each_overdue_referral_and_counts_them(app, world, chair):
    body = chair.get("/intake").get_data(as_text=True)
    late_word = nl(app, "overdue")
    for name in ("late", "later"):
        assert late_word in element(body, f"intake-{getattr(world, name)}"), name
    assert late_word not in element(body, f"intake-{world.fresh}")
    summary = element(body, "intake-summary")
    # Three wait in this region (the screening case and the other region's do not count).
    assert waiting_text(app, 3) in summary
    assert overdue_badge(app, 2) in element(body, "intake-overdue-count")
    assert f"intake-{world.in_screening}" not in body and f"intake-{world.elsewhere_late}" not in body


def test_the_queue_can_show_only_the_overdue_referrals(app, world, chair):
    body = chair.get("/intake?overdue=1").get_data(as_text=True)
    assert f"intake-{world.late}" in body and f"intake-{world.later}" in body
    assert f"intake-{world.fresh}" not in body
    # The counts at the top stay those of the whole queue; a link leads back to all of it.
    assert waiting_text(app, 3) in element(body, "intake-summary")
    assert 'href="/intake"' in element(body, "intake-summary")


def test_overdue_is_the_stored_deadline_not_a_computation(app, world, chair):
    """A stored deadline of yesterday makes the fresh referral overdue; one of today does not (and
    the page never recomputes it from the submission date)."""
    with app.app_context():
        case = db.session.get(Case, world.fresh)
        case.next_deadline = dates.today() - timedelta(days=1)
        db.session.commit()
    body = chair.get("/intake").get_data(as_text=True)
    assert nl(app, "overdue") in element(body, f"intake-{world.fresh}")
    assert overdue_badge(app, 3) in element(body, "intake-overdue-count")
    with app.app_context():
        db.session.get(Case, world.fresh).next_deadline = dates.today()
        db.session.commit()
    body = chair.get("/intake").get_data(as_text=True)
    assert nl(app, "overdue") not in element(body, f"intake-{world.fresh}")
    assert overdue_badge(app, 2) in element(body, "intake-overdue-count")


def test_no_overdue_count_when_nothing_is_late(app, make_world, factory):
    w = make_world()
    factory.case(w.caseworker, w.municipality, status="submitted", submitted_at=datetime.now(timezone.utc))
    client = app.test_client()
    login(client, app, w.chair)
    body = client.get("/intake").get_data(as_text=True)
    assert waiting_text(app, 1) in element(body, "intake-summary")
    assert 'id="intake-overdue-count"' not in body
    card = element(client.get("/start").get_data(as_text=True), "start-intake")
    assert waiting_text(app, 1) in card and 'id="start-intake-overdue"' not in card


def test_the_chairs_start_page_counts_the_overdue_intakes(app, world, chair):
    card = element(chair.get("/start").get_data(as_text=True), "start-intake")
    assert waiting_text(app, 3) in card
    assert overdue_badge(app, 2) in element(card, "start-intake-overdue")
    assert 'href="/intake?overdue=1"' in card and 'href="/intake"' in card


@pytest.mark.parametrize("role", ["member", "caseworker", "provider_member", "analyst", "admin"])
def test_only_the_chair_has_the_intake_card(app, world, role):
    client = app.test_client()
    login(client, app, getattr(world, role))
    assert 'id="start-intake"' not in client.get("/start").get_data(as_text=True)


def test_the_other_regions_chair_counts_their_own(app, world):
    client = app.test_client()
    login(client, app, world.elsewhere.chair)
    card = element(client.get("/start").get_data(as_text=True), "start-intake")
    assert waiting_text(app, 1) in card and overdue_badge(app, 1) in card
