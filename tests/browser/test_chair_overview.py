"""In Chromium at 1280 px: the chair sees the overdue intakes on the start page and in the intake
queue; the administrator's audit search shows the details in words in a table that fits the page."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from ret_app import audit
from ret_app.extensions import db
from ret_app.models import Case, User
from tests.browser.conftest import check_accessibility, screenshot, sign_in

pytestmark = pytest.mark.browser

LONG_AGO = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)


def test_the_chair_goes_from_the_start_page_to_the_overdue_intakes(app, factory, make_world, new_page):
    world = make_world()
    late = factory.case(world.caseworker, world.municipality, status="submitted", submitted_at=LONG_AGO)
    fresh = factory.case(world.caseworker, world.municipality, status="submitted",
                         submitted_at=datetime.now(timezone.utc))
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, app, world.chair)

    card = page.locator("#start-intake")
    expect(card).to_contain_text("2 aanmeldingen wachten op uw intakebesluit.")
    expect(card.locator("#start-intake-overdue")).to_have_text("1 over tijd")
    screenshot(page, app, "chair-start-intake")
    card.get_by_role("link", name="Aanmeldingen over tijd tonen").click()
    page.wait_for_url("**/intake?overdue=1")
    expect(page.locator(f"#intake-{late}")).to_contain_text("over tijd")
    expect(page.locator(f"#intake-{fresh}")).to_have_count(0)
    expect(page.locator("#intake-overdue-count")).to_have_text("1 over tijd")
    screenshot(page, app, "chair-intake-overdue")
    check_accessibility(page, app, "chair-intake-overdue")


def test_the_audit_search_reads_in_words_and_fits_1280(app, factory, make_world, new_page):
    world = make_world()
    case_id = factory.case(world.caseworker, world.municipality)
    with app.app_context():
        reference = db.session.get(Case, case_id).reference
        chair = db.session.get(User, world.chair.id)
        for detail in ("transition=start_monitoring;process_direction->monitoring",
                       "referral conflict fields=youth_first_name,youth_last_name,youth_birth_date,youth_bsn,"
                       "youth_gender,youth_daytime_activity,question,why_stuck,urgency,placement_intended",
                       "unknown_detail_without_any_space_" + "x" * 120):
            audit.record(audit.Action.UPDATE, object_type="case", object_id=case_id, case_id=case_id,
                         detail=detail, user=chair)
        db.session.commit()
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, app, world.admin)
    page.goto(f"/beheer/audit?case_reference={reference}")

    results = page.locator("#audit-results")
    expect(results).to_contain_text("Stap: Monitoring starten")
    expect(results).to_contain_text("Status: Procesregie → Monitoring")
    expect(results).to_contain_text("Velden: Voornaam, Achternaam, Geboortedatum")
    expect(results).not_to_contain_text("transition=start_monitoring")
    # Nothing sticks out: neither the page nor the table scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate("(() => { const w = document.querySelector('.ret-table-wrap');"
                         " return w.scrollWidth <= w.clientWidth; })()")
    screenshot(page, app, "admin-audit-words")
    check_accessibility(page, app, "admin-audit-words")
