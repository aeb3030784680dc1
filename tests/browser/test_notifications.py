"""In Chromium: a provider member sees the unread count in the page header, opens Meldingen, follows
the request to their organisation and lands on the request's page; the notification is then read
and the count is gone. The list and the choice per kind pass the accessibility check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import Notification, ProviderRequest
from ret_app.notifications import notify, reactions
from tests.browser.conftest import check_accessibility, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_user_follows_a_notification_from_the_header_and_it_is_marked_read(app, make_world, factory, new_page):
    world = make_world()
    case_id = factory.case(world.caseworker, world.municipality, status="process_direction",
                           track="process_direction", process_director_id=world.director.id, consent_ret=True,
                           consent_collective=True, submitted_at=utcnow(), intake_at=utcnow())
    with app.app_context():
        request = ProviderRequest(case_id=case_id, organisation_id=world.provider.id, role="lead_provider",
                                  care_type="ambulatory", question="Kunt u de behandeling oppakken?",
                                  reply_by=date.today() + timedelta(days=3), requested_by_id=world.director.id,
                                  submission_key="browser-notification-request")
        db.session.add(request)
        db.session.flush()
        request_id = request.id
        notify([world.provider_member.id], reactions.REQUEST_TO_ORGANISATION, f"/verzoeken/{request_id}",
               f"request:{request_id}", subject_words=f"{request.reply_by:%d-%m-%Y}")
        notify([world.provider_member.id], reactions.SESSION_INVITATION, "/overleggen/", "browser:invitation",
               subject_words="01-02-2027 14:00")
        db.session.commit()

    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, app, world.provider_member)
    header = page.locator("#notifications-link")
    expect(header).to_contain_text("Meldingen")
    expect(page.locator("#notifications-count")).to_have_text("2")
    screenshot(page, app, "notifications-header")

    header.click()
    page.wait_for_url("**/meldingen")
    items = page.locator(".ret-notification--unread")
    expect(items).to_have_count(2)
    expect(page.locator("#notification-summary")).to_have_text("2 ongelezen meldingen")
    screenshot(page, app, "notifications-list")
    check_accessibility(page, app, "notifications-list")

    page.get_by_role("button", name="Verzoek aan uw organisatie").click()
    page.wait_for_url(f"**/verzoeken/{request_id}")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#notifications-count")).to_have_text("1")
    screenshot(page, app, "notifications-followed")
    with app.app_context():
        row = db.session.query(Notification).filter_by(user_id=world.provider_member.id,
                                                       key=f"request:{request_id}").one()
        assert row.read_at is not None

    page.goto("/meldingen?toon=gelezen")
    expect(page.locator(".ret-notification")).to_have_count(1)
    expect(page.locator(".ret-notification")).to_contain_text("Gelezen")

    page.goto("/account/meldingen")
    expect(page.get_by_role("group", name="Verzoek aan uw organisatie")).to_be_visible()
    screenshot(page, app, "notifications-preferences")
    check_accessibility(page, app, "notifications-preferences")
