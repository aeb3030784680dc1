"""In Chromium: a provider member finds their stale capacity on the start page, updates it ("Nu
bijwerken"), first with impossible values (refused next to the fields, kept), and sees it current; a
colleague who had the same form open gets the conflict with both inputs; the chair filters the
region's overview on stale entries and reads the history. Each page passes axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import CapacityEntry, CapacityUpdate, ProviderCareType, ProviderProfile
from tests.browser.conftest import check_accessibility, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_provider_updates_its_stale_capacity_and_the_chair_sees_it(app, factory, make_world, new_page):
    world = make_world(names={"provider": "Jeugdzorg Eigen", "other_provider": "GGZ Ander"})
    colleague = factory.user("provider_member", world.provider.id, name="Collega Aanbieder")
    with app.app_context():
        db.session.add(ProviderProfile(organisation_id=world.provider.id, crisis_available=True,
                                       crisis_hours="24/7", crisis_phone="088 123 45 67",
                                       care_types=[ProviderCareType(care_type="residential"),
                                                   ProviderCareType(care_type="ambulatory")]))
        db.session.add(ProviderProfile(organisation_id=world.other_provider.id,
                                       care_types=[ProviderCareType(care_type="ambulatory")]))
        old = utcnow() - timedelta(days=20)
        entry = CapacityEntry(organisation_id=world.provider.id, care_type="residential", places_available=1,
                              waiting_weeks=10, updated_at=old, updated_by_id=world.provider_member.id)
        entry.history.append(CapacityUpdate(places_available=1, waiting_weeks=10, recorded_at=old,
                                            recorded_by_id=world.provider_member.id))
        db.session.add(entry)
        db.session.commit()

    page = new_page()
    sign_in(page, app, world.provider_member)
    card = page.locator("#start-capacity")
    expect(card.locator("#start-capacity-stale")).to_have_text("2 zorgsoorten bij te werken")
    expect(card).to_contain_text("verouderd")
    expect(card).to_contain_text("nooit ingevuld")
    screenshot(page, app, "provider-start-capacity")
    check_accessibility(page, app, "provider-start-capacity")

    # The colleague opens the same form now; saves after us.
    other = new_page()
    sign_in(other, app, colleague)
    other.goto(f"/collectief/aanbieders/{world.provider.id}/capaciteit/residential")

    card.get_by_role("link", name="Nu bijwerken (Residentiële jeugdhulp)").click()
    page.wait_for_url("**/capaciteit/residential")
    page.locator("#places_available").fill("-1")
    page.locator("#waiting_weeks").fill("300")
    page.locator("#expected_places").fill("2")
    page.get_by_role("button", name="Capaciteit opslaan").click()
    expect(page.locator("#places_available-error")).to_have_text("Vul een aantal plaatsen in van 0 tot en met 999.")
    expect(page.locator("#waiting_weeks-error")).to_contain_text("0 tot en met 260 weken")
    expect(page.locator("#expected_on-error")).to_contain_text("Vul de datum in")
    expect(page.locator("#places_available")).to_have_value("-1")
    screenshot(page, app, "provider-capacity-refused")
    check_accessibility(page, app, "provider-capacity-refused")

    page.locator("#places_available").fill("2")
    page.locator("#waiting_weeks").fill("6")
    page.locator("#expected_places").fill("")
    page.locator("#note").fill("Alleen meisjes van 12 tot 16 jaar")
    page.get_by_role("button", name="Capaciteit opslaan").click()
    page.wait_for_url(f"**/collectief/aanbieders/{world.provider.id}#capacity")
    expect(page.locator("#capacity-residential")).to_contain_text("actueel")
    expect(page.locator("#capacity-residential")).to_contain_text("Alleen meisjes van 12 tot 16 jaar")
    check_accessibility(page, app, "provider-profile-page")
    page.get_by_role("link", name="Ons profiel bewerken").click()
    page.wait_for_url("**/profiel")
    check_accessibility(page, app, "provider-profile-form")

    other.locator("#places_available").fill("0")
    other.locator("#waiting_weeks").fill("20")
    other.get_by_role("button", name="Capaciteit opslaan").click()
    expect(other.locator("#saved-now")).to_contain_text("Alleen meisjes van 12 tot 16 jaar")
    expect(other.locator("#waiting_weeks")).to_have_value("20")  # the colleague's own input, kept
    screenshot(other, app, "provider-capacity-conflict")
    check_accessibility(other, app, "provider-capacity-conflict")

    chair = new_page()
    sign_in(chair, app, world.chair)
    chair.get_by_role("navigation").get_by_role("link", name="Capaciteit").click()
    chair.wait_for_url("**/collectief/capaciteit")
    rows = chair.locator("#overview-results tbody tr")
    expect(rows).to_have_count(3)
    chair.locator("#stale").check()
    expect(rows).to_have_count(2)  # never filled in: our ambulatory and GGZ Ander's
    expect(chair.locator("#overview-results")).not_to_contain_text("Residentiële jeugdhulp")
    screenshot(chair, app, "chair-capacity-stale")
    check_accessibility(chair, app, "chair-capacity-overview")
    chair.goto("/collectief/")
    check_accessibility(chair, app, "chair-providers")
    chair.goto(f"/collectief/aanbieders/{world.provider.id}/capaciteit/residential/historie")
    expect(chair.locator("tbody tr")).to_have_count(2)
    check_accessibility(chair, app, "chair-capacity-history")
