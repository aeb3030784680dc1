"""In Chromium at 1280 px, each role's start page shows what waits on whom (cases/overview.py):
the chair goes from a stage's overdue count to exactly those cases; the process director sees their
cases by next due date, their own turn as "wacht op u"; the caseworker sees on whom each case waits.
Every page passes the accessibility check."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from ret_app.extensions import db
from ret_app.models import Case
from tests.browser.conftest import check_accessibility, screenshot, sign_in

pytestmark = pytest.mark.browser

LONG_AGO = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)


def _ago(days: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days)


@pytest.fixture
def region(make_world, factory):
    world = make_world(names={"director": "Procesregisseur Peters"})
    case = lambda **fields: factory.case(world.caseworker, world.municipality, **fields)  # noqa: E731
    directed = dict(track="process_direction", process_director_id=world.director.id)
    world.late_intake = case(status="submitted", submitted_at=LONG_AGO)
    world.fresh_intake = case(status="submitted", submitted_at=_ago(0))
    world.late_screening = case(status="screening", submitted_at=_ago(70), intake_at=_ago(60), **directed)
    world.fresh_screening = case(status="screening", submitted_at=_ago(3), intake_at=_ago(1), **directed)
    return world


def _reference(app, case_id: int) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).reference


def test_the_chair_goes_from_a_stage_past_its_norm_to_its_cases(app, region, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, app, region.chair)
    card = page.locator("#start-overdue")
    expect(card.locator("#start-overdue-intake_decision")).to_have_text("1 over tijd")
    expect(page.locator("#start-stale")).to_be_visible()
    screenshot(page, app, "waits-chair")
    check_accessibility(page, app, "waits-chair")
    card.get_by_role("link", name="Intakebesluit").click()
    page.wait_for_url("**/casussen?*due_kind=intake_decision*")
    results = page.locator("#case-results")
    expect(results).to_contain_text(_reference(app, region.late_intake))
    expect(results).not_to_contain_text(_reference(app, region.fresh_intake))
    expect(results).not_to_contain_text(_reference(app, region.late_screening))


def test_the_process_director_sees_their_cases_by_next_due_date(app, region, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, app, region.director)
    items = page.locator("#start-my-cases li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(_reference(app, region.late_screening))
    expect(items.nth(0)).to_contain_text("over tijd")
    expect(items.nth(0)).to_contain_text("wacht op u")
    expect(items.nth(1)).to_contain_text(_reference(app, region.fresh_screening))
    screenshot(page, app, "waits-process-director")
    check_accessibility(page, app, "waits-process-director")
    page.locator("#start-my-cases").get_by_role("link", name=_reference(app, region.late_screening)).click()
    expect(page.locator("#case-next-due")).to_contain_text("wacht op u")


def test_the_caseworker_sees_on_whom_each_case_waits(app, region, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, app, region.caseworker)
    card = page.locator("#start-my-cases")
    expect(card.locator("li")).to_have_count(4)
    expect(card.locator("li", has_text=_reference(app, region.late_intake))).to_contain_text(
        "wacht op de voorzitter van het RET")
    expect(card.locator("li", has_text=_reference(app, region.late_screening))).to_contain_text(
        "wacht op Procesregisseur Peters")
    screenshot(page, app, "waits-caseworker")
    check_accessibility(page, app, "waits-caseworker")
