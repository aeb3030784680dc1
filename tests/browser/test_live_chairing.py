"""The live session page as a chair uses it, in Chromium at 1440 × 900: starting a session planned
for next week asks first (naming the date), the page opens with the agenda and the attendance in a side
column and the decision form of the item under discussion in view without scrolling (the notes come
after the forms), the time spent reads "N min", the help tried before opens from the item, moving to
another item puts the keyboard focus on its heading, and the session started by mistake goes back to
planned. A decision sent after the session was closed elsewhere comes back with a message and the
typed text. Screenshots at 1440 × 900 and 1280 wide are left in test-artifacts/ for a human to look at."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import AMSTERDAM, utcnow
from ret_app.models import Case, Meeting, PriorHelp, Screening, User
from tests.browser.conftest import ARTIFACTS, backend_name, check_accessibility, nl, screenshot, sign_in

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
QUESTION = ("Noor (15) gaat al vier maanden niet naar school en zit thuis. Ouders vragen om een passende "
            "combinatie van onderwijs en behandeling; de school wil eerst een gesprek met moeder.")
ADVICE = ("Advies: dagbehandeling met onderwijs bij De Bolder, twaalf maanden, met gezinsbegeleiding thuis. "
          "Evaluatie na drie maanden in het RET-overleg. ") * 3
DECISION_TEXT = "Dagbehandeling met onderwijs bij De Bolder, twaalf maanden."


def _region(app, factory):
    region = factory.region("Regio Voorzittertest")
    municipality = factory.municipality(region.id, name="Voorzitterstad")
    team = factory.organisation(kind="access_team", region_id=region.id, municipality_id=municipality.id,
                                name="Toegangsteam Voorzitterstad")
    ret = factory.organisation(kind="ret", region_id=region.id, name="RET Voorzittertest")
    caseworker = factory.user("caseworker", team.id, name="Mila Toegang")
    chair = factory.user("chair", ret.id, name="Vera Voorzitter")
    factory.user("ret_member", ret.id, name="Lotte Lid")
    now = utcnow()
    case_ids = [factory.case(caseworker, municipality, status="process_direction", consent_ret=True,
                             submitted_at=now - timedelta(days=20), intake_at=now - timedelta(days=15))
                for _ in range(3)]
    with app.app_context():
        first = db.session.get(Case, case_ids[0])
        first.question = QUESTION
        first.prior_help.append(PriorHelp(provider="Jeugdhulp Oost", help_type="Ambulante gezinsbegeleiding",
                                          from_date=date(2025, 2, 1), to_date=date(2025, 9, 1),
                                          end_reason="Gestopt: geen vooruitgang op school."))
        first.prior_help.append(PriorHelp(provider="Kinder- en jeugdpsychiatrie Rivierland", help_type="GGZ-behandeling",
                                          from_date=date(2025, 10, 1), end_reason=None))
        db.session.add(Screening(case_id=case_ids[0], advice=ADVICE, analysis="Analyse van het vastlopen."))
        db.session.commit()
    return chair, caseworker, case_ids


def _planned(app, factory, chair, case_ids, days: int, invite=()) -> tuple[int, list[int]]:
    starts_at = datetime.combine(dates.today() + timedelta(days=days), time(13, 30), AMSTERDAM)
    meeting_id = factory.meeting(chair, starts_at=starts_at, cases=tuple(case_ids), invite=invite)
    with app.app_context():
        items = [i.id for i in db.session.get(Meeting, meeting_id).items]
    return meeting_id, items


def test_chair_starts_early_on_purpose_sees_the_forms_without_scrolling_and_puts_it_back(app, factory, new_page):
    chair, caseworker, case_ids = _region(app, factory)
    meeting_id, items = _planned(app, factory, chair, case_ids, days=7, invite=(caseworker,))
    first = items[0]
    page = new_page(viewport=WIDE)
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm on "back to planned"
    sign_in(page, app, chair)

    # 1. Starting a week early asks first, naming the planned date; without the box ticked it stays planned.
    page.goto(f"/overleggen/{meeting_id}")
    question = nl(app, "The session is planned for %(date)s. Start it now anyway?",
                  date=format_date(dates.today() + timedelta(days=7), "EEEE d MMMM yyyy", locale="nl"))
    steps = page.locator("#meeting-steps")
    expect(steps).to_contain_text(question)
    steps.get_by_role("button", name=nl(app, "Start the session")).click()
    expect(page.locator("#confirm-start-error")).to_have_text(question)
    expect(page.locator("#meeting-status")).to_have_text(nl(app, "Planned"))
    screenshot(page, app, "chairing-1-start-asks")
    steps.get_by_label(nl(app, "Yes, start the session now")).check()
    steps.get_by_role("button", name=nl(app, "Start the session")).click()
    page.wait_for_url(f"**/overleggen/{meeting_id}/live*")
    page.wait_for_load_state("networkidle")

    # 2. At 1440 × 900, on arrival: the decision form of the item under discussion is in view without
    # scrolling; the notes come after the decision and action forms; agenda and attendance beside it.
    assert page.evaluate("() => window.scrollY") == 0
    decision_text = page.locator(f"#d{first}-text")
    box = decision_text.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= WIDE["height"], box
    notes_box = page.locator(f"#n{first}-notes").bounding_box()
    action_box = page.locator(f"#a{first}-description").bounding_box()
    assert notes_box["y"] > action_box["y"] > box["y"], (box, action_box, notes_box)
    agenda_box = page.locator("#agenda").bounding_box()
    attendance_box = page.locator("#aanwezigheid").bounding_box()
    item_box = page.locator("#live-item").bounding_box()
    assert agenda_box["x"] + agenda_box["width"] <= item_box["x"], "the agenda is not beside the item"
    assert attendance_box["x"] + attendance_box["width"] <= item_box["x"]
    assert attendance_box["y"] < WIDE["height"]
    # The attendance list is collapsed for the chair, with the count in its toggle.
    expect(page.locator("#live-attendance-count")).to_have_text(nl(app, "%(present)d of %(total)d present",
                                                                    present=1, total=2))
    expect(page.locator("#live-attendance-list")).to_be_hidden()
    # The time spent with its unit.
    expect(page.locator("#live-item-time strong")).to_have_text(re.compile(r"^\d+ min$"))
    expect(page.locator(f'#live-agenda li[data-item-id="{first}"] [data-elapsed]')).to_have_text(
        re.compile(r"\d+ min$"))
    screenshot_viewport(page, app, "chairing-2-live-1440x900")
    check_accessibility(page, app, "chairing-live-1440")

    # 3. The help tried before and the screening advice open from the item, without leaving the page.
    prior = page.locator("#live-prior-help")
    expect(prior.get_by_text("Jeugdhulp Oost")).to_be_hidden()
    prior.locator("summary").click()
    expect(prior).to_contain_text("Jeugdhulp Oost")
    expect(prior).to_contain_text("Gestopt: geen vooruitgang op school.")
    expect(prior).to_contain_text("Kinder- en jeugdpsychiatrie Rivierland")
    page.locator("#live-screening > summary").click()
    expect(page.locator("#live-screening")).to_contain_text("dagbehandeling met onderwijs")

    # 4. Keyboard: the decision form is reached from the item's heading in a few tabs, and moving to
    # another item from the agenda puts the focus on that item's heading (not lost on the page).
    page.locator(f'#live-agenda li[data-item-id="{items[1]}"] a').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#live-item")).to_have_attribute("data-item-id", str(items[1]))
    expect(page.locator("#item-title")).to_be_focused()
    expect(page.locator(f'#live-agenda li[data-item-id="{items[1]}"] a')).to_have_attribute("aria-current", "true")

    # 5. 1280 wide: the same layout; the whole page for a human to look at.
    page.goto(f"/overleggen/{meeting_id}/live")
    page.set_viewport_size({"width": 1280, "height": 900})
    box = page.locator(f"#d{first}-text").bounding_box()
    assert box["y"] + box["height"] <= 900, box
    screenshot(page, app, "chairing-3-live-1280-full")
    page.set_viewport_size(WIDE)

    # 6. Started by mistake and nothing recorded: back to planned, from the live page.
    page.locator("#live-steps").get_by_role("button", name=nl(app, "Put the session back to planned")).click()
    page.wait_for_url(re.compile(rf"/overleggen/{meeting_id}$"))
    expect(page.locator("#meeting-status")).to_have_text(nl(app, "Planned"))
    expect(page.locator(".ret-flashes")).to_contain_text(
        nl(app, "The session is planned again: your automatic check-in and the item's clock have been undone."))
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.status == "planned" and meeting.started_at is None and meeting.attendances == []
        assert all(i.started_at is None for i in meeting.items)
    screenshot(page, app, "chairing-4-back-to-planned")


def test_a_decision_sent_after_the_session_was_closed_comes_back_with_a_message_and_the_text(app, factory, new_page):
    chair, _caseworker, case_ids = _region(app, factory)
    meeting_id, items = _planned(app, factory, chair, case_ids[:1], days=0)
    page = new_page(viewport=WIDE)
    sign_in(page, app, chair)
    page.goto(f"/overleggen/{meeting_id}")
    page.locator("#meeting-steps").get_by_role("button", name=nl(app, "Start the session")).click()  # its day
    page.wait_for_url(f"**/overleggen/{meeting_id}/live*")
    # Recording a decision marks the session as worked in: "back to planned" goes from the live page.
    expect(page.locator("#live-unstart")).to_be_visible()
    page.locator(f"#d{items[0]}-text").fill("Eerste besluit")
    page.locator(f"#live-decision-form-{items[0]}").get_by_role("button", name=nl(app, "Record decision")).click()
    expect(page.locator(f"#live-decision-form-{items[0]} [role=status]")).to_be_visible()
    expect(page.locator("#live-unstart")).to_be_hidden()

    page.locator(f"#d{items[0]}-text").fill(DECISION_TEXT)
    from ret_app.meetings import lifecycle

    with app.test_request_context():  # a fellow chair closes the session meanwhile
        lifecycle.apply(db.session.get(Meeting, meeting_id), "close", db.session.get(User, chair.id))
        db.session.commit()
    page.locator(f"#live-decision-form-{items[0]}").get_by_role("button", name=nl(app, "Record decision")).click()
    form = page.locator(f"#live-decision-form-{items[0]}")
    expect(form.locator("[role=alert]")).to_contain_text(nl(
        app, "The session has been closed: no more decisions can be recorded in it. What you typed is still in the "
        "form, so you can copy it."))
    expect(form.locator("[role=alert]")).to_be_focused()
    expect(page.locator(f"#d{items[0]}-text")).to_have_value(DECISION_TEXT)
    with app.app_context():
        texts = [d.text for i in db.session.get(Meeting, meeting_id).items for d in i.decisions]
        assert texts == ["Eerste besluit"]
    form.scroll_into_view_if_needed()
    screenshot_viewport(page, app, "chairing-5-closed-meanwhile")


def screenshot_viewport(page, app, name: str) -> None:
    """What the chair sees without scrolling: test-artifacts/<name>-<sqlite|postgresql>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{backend_name(app)}.png"), full_page=False)
