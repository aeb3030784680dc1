"""htmx errors in Chromium: a notes save answered with 500 (or 409) shows an alert at the top of <main>
and keeps the text in the form; the background poller failing stays silent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import MeetingItem
from tests.browser.conftest import nl, sign_in

pytestmark = pytest.mark.browser

MESSAGE = ("Something went wrong while sending. What you entered is still in the form: "
           "try again, or reload the page.")
TYPED = "Nog niet opgeslagen: de school belt morgen terug."


def test_failed_htmx_save_says_so_and_the_poller_stays_silent(app, factory, new_page):
    region = factory.region("Regio Foutmelding")
    municipality = factory.municipality(region.id, name="Foutstad")
    team = factory.organisation(kind="access_team", region_id=region.id, municipality_id=municipality.id)
    ret = factory.organisation(kind="ret", region_id=region.id)
    caseworker = factory.user("caseworker", team.id)
    chair = factory.user("chair", ret.id, name="Fenna Foutvrij")
    case_id = factory.case(caseworker, municipality, status="screening")
    meeting_id = factory.meeting(chair, status="in_progress", cases=(case_id,))
    with app.app_context():
        item_id = db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == meeting_id))

    page = new_page()
    sign_in(page, app, chair)
    polls = []

    def failing_poll(route):
        polls.append(route.request.url)
        route.fulfill(status=500, body="boom")

    page.route("**/live/updates**", failing_poll)
    page.goto(f"/overleggen/{meeting_id}/live")
    page.wait_for_timeout(3_500)
    assert polls, "the poller did not poll"
    expect(page.locator("#htmx-error")).to_have_count(0)

    page.route(f"**/agenda/{item_id}/notities", lambda route: route.fulfill(status=500, body="boom"))
    notes = page.locator(f"#n{item_id}-notes")
    notes.fill(TYPED)
    page.locator(f"#live-notes-form-{item_id} button[type=submit]").click()
    alert = page.locator("main > #htmx-error[role=alert]")
    expect(alert).to_have_text(nl(app, MESSAGE))
    expect(alert).to_have_class("utrecht-alert utrecht-alert--error")
    expect(notes).to_have_value(TYPED)  # nothing typed is lost

    # A second failure (409 this time) shows one message, not two.
    page.unroute(f"**/agenda/{item_id}/notities")
    page.route(f"**/agenda/{item_id}/notities", lambda route: route.fulfill(status=409, body="conflict"))
    page.locator(f"#live-notes-form-{item_id} button[type=submit]").click()
    page.wait_for_timeout(500)
    expect(page.locator("#htmx-error")).to_have_count(1)

    # Once a save goes through, the message goes away.
    page.unroute(f"**/agenda/{item_id}/notities")
    page.locator(f"#live-notes-form-{item_id} button[type=submit]").click()
    expect(page.locator("#htmx-error")).to_have_count(0)
    expect(notes).to_have_value(TYPED)
