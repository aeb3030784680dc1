"""Issue 4 in Chromium: the chair plans a RET session, puts two cases on the agenda and runs it live.
Item 1 (municipality A) is decided with the caseworker of A present, who holds a mandate of A: the
decision is binding. Item 2 (municipality B) has no mandate holder present: "onder voorbehoud". A RET
member follows along in a browser context of their own and sees both decisions appear without a
reload; a poll never takes away what the chair is typing. The chair closes the session, approves
the minutes and downloads the full minutes PDF, whose text is checked and whose first page is
rendered to PNG for a human to look at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import Case, Decision, MeetingItem
from ret_app.kernel.dates import utcnow
from tests.browser.conftest import ARTIFACTS, backend_name, check_accessibility, nl, screenshot, sign_in

pytestmark = pytest.mark.browser

POLL_TIMEOUT_MS = 12_000  # the live page polls every 3 s
TEXT_BINDING = "Ambulante gezinsbegeleiding, twaalf maanden."
TEXT_PROVISIONAL = "Ambulante begeleiding op school voor de tweede jongere."
UNSAVED_NOTES = "Nog niet opgeslagen: de school wil eerst een gesprek met moeder."


def test_chair_runs_session_member_follows_minutes_pdf(app, factory, new_page):
    region = factory.region("Regio Overlegtest")
    mun_a = factory.municipality(region.id, name="Aastad")
    mun_b = factory.municipality(region.id, name="Beedorp")
    team_a = factory.organisation(kind="access_team", region_id=region.id, municipality_id=mun_a.id,
                                  name="Toegangsteam Aastad")
    team_b = factory.organisation(kind="access_team", region_id=region.id, municipality_id=mun_b.id,
                                  name="Toegangsteam Beedorp")
    ret = factory.organisation(kind="ret", region_id=region.id, name="RET Overlegtest")
    caseworker_a = factory.user("caseworker", team_a.id, name="Mila Mandaat")
    caseworker_b = factory.user("caseworker", team_b.id, name="Tobias Toegang")
    chair = factory.user("chair", ret.id, name="Vera Voorzitter")
    member = factory.user("ret_member", ret.id, name="Lotte Lid")
    factory.mandate(caseworker_a.id, mun_a.id, ceiling="50000", care_types=("ambulatory",))
    now = utcnow()
    case_a = factory.case(caseworker_a, mun_a, status="process_direction", consent_ret=True,
                          submitted_at=now - timedelta(days=20), intake_at=now - timedelta(days=15))
    case_b = factory.case(caseworker_b, mun_b, status="process_direction", consent_ret=True,
                          submitted_at=now - timedelta(days=20), intake_at=now - timedelta(days=15))
    with app.app_context():
        ref_a = db.session.get(Case, case_a).reference
        ref_b = db.session.get(Case, case_b).reference

    # 1. The chair plans the session and puts both cases on the agenda.
    chair_page = new_page()
    chair_page.on("dialog", lambda dialog: dialog.accept())  # data-confirm on "close"
    sign_in(chair_page, app, chair)
    chair_page.goto("/overleggen/nieuw")
    expect(chair_page.get_by_role("heading", level=1)).to_have_text(nl(app, "Plan a new session"))
    chair_page.get_by_label(nl(app, "Date"), exact=True).fill((date.today() + timedelta(days=1)).isoformat())
    chair_page.get_by_label(nl(app, "Start time")).fill("14:00")
    chair_page.get_by_label(re.compile("^" + re.escape(nl(app, "Place")))).fill("Stadskantoor Aastad, zaal 3")
    chair_page.get_by_role("button", name=nl(app, "Plan session")).click()
    chair_page.wait_for_url(re.compile(r"/overleggen/\d+$"))
    meeting_id = int(re.search(r"/overleggen/(\d+)$", chair_page.url).group(1))
    for case_id, reference in ((case_a, ref_a), (case_b, ref_b)):
        agenda = chair_page.locator("#agenda")
        agenda.get_by_label(nl(app, "Case"), exact=True).select_option(str(case_id))
        agenda.get_by_label(nl(app, "Purpose")).select_option("progress")
        agenda.get_by_role("button", name=nl(app, "Add to the agenda")).click()
        expect(chair_page.locator("#agenda [role=status]")).to_have_text(
            nl(app, "%(reference)s has been put on the agenda.", reference=reference))
    expect(chair_page.locator("#agenda-items > li")).to_have_count(2)
    expect(chair_page.locator("#agenda-items > li").nth(0)).to_contain_text(ref_a)
    expect(chair_page.locator("#agenda-items > li").nth(1)).to_contain_text(ref_b)
    with app.app_context():
        item_1, item_2 = (db.session.scalar(select(MeetingItem.id).where(
            MeetingItem.meeting_id == meeting_id, MeetingItem.case_id == c)) for c in (case_a, case_b))
    # The agenda answer also swaps the steps and the invitees: no reload needed.
    expect(chair_page.locator("#meeting-invitees")).to_contain_text(caseworker_a.name)
    expect(chair_page.locator("#meeting-invitees")).to_contain_text(caseworker_b.name)
    screenshot(chair_page, app, "session-1-agenda")

    # 2. The chair starts the session: the live page; item 1 is taken up for discussion. The session is
    # planned for tomorrow, so starting it today asks first, naming the planned date.
    steps = chair_page.locator("#meeting-steps")
    steps.get_by_role("button", name=nl(app, "Start the session")).click()
    chair_page.wait_for_load_state()
    expect(chair_page.locator("#confirm-start-error")).to_contain_text(
        nl(app, "The session is planned for %(date)s. Start it now anyway?",
           date=format_date(date.today() + timedelta(days=1), "EEEE d MMMM yyyy", locale="nl")))
    assert re.search(rf"/overleggen/{meeting_id}/stap/start$", chair_page.url)  # refused: still planned
    steps.get_by_label(nl(app, "Yes, start the session now")).check()
    steps.get_by_role("button", name=nl(app, "Start the session")).click()
    chair_page.wait_for_url(f"**/overleggen/{meeting_id}/live*")
    expect(chair_page.locator("#live-status [data-meeting-status]")).to_have_attribute(
        "data-meeting-status", "in_progress")
    expect(chair_page.locator("#live-item")).to_have_attribute("data-item-id", str(item_1))
    # Starting checks the chair in and puts the first item under discussion.
    expect(chair_page.locator(f'#live-agenda li[data-item-id="{item_1}"]')).to_have_attribute("data-current", "true")
    expect(chair_page.locator(f"#live-mandate-{item_1} [data-mandate-holder]")).to_have_attribute(
        "data-mandate-holder", "none")

    # 3. Caseworker A (mandate holder of A) checks in on a page of their own.
    caseworker_page = new_page()
    sign_in(caseworker_page, app, caseworker_a)
    caseworker_page.goto(f"/overleggen/{meeting_id}/live")
    expect(caseworker_page.locator("#live-agenda > li")).to_have_count(1)  # only the item of their case
    own_row = caseworker_page.locator(f'#live-attendance-list li[data-user-id="{caseworker_a.id}"]')
    own_row.get_by_role("button", name=nl(app, "Check in")).click()
    expect(own_row).to_have_attribute("data-present", "yes")
    # The chair's page learns it from the poll: the mandate holder of A is present for item 1.
    expect(chair_page.locator(f"#live-mandate-{item_1} [data-mandate-holder]")).to_have_attribute(
        "data-mandate-holder", str(caseworker_a.id), timeout=POLL_TIMEOUT_MS)

    # 4. A RET member follows the session in another browser context.
    member_page = new_page()
    sign_in(member_page, app, member)
    member_page.goto(f"/overleggen/{meeting_id}/live")
    expect(member_page.locator("#live-item")).to_have_attribute("data-item-id", str(item_1))
    expect(member_page.locator(f"#live-decisions-{item_1}")).to_contain_text(nl(app, "No decisions on this item yet."))
    # Read-only: no forms to record anything, no notes textarea.
    expect(member_page.locator(f"#live-decision-form-{item_1}")).to_have_count(0)
    expect(member_page.locator("#live-item textarea")).to_have_count(0)
    member_page.evaluate("() => { window.__noReload = true; }")  # gone if the page were reloaded
    # What the member's page did, named in the failure message should it ever be reloaded.
    member_trace: list[str] = []
    member_page.on("framenavigated", lambda frame: member_trace.append(f"navigated to {frame.url}")
                   if frame == member_page.main_frame else None)
    member_page.on("response", lambda response: member_trace.append(
        f"{response.status} {response.url} {response.headers.get('hx-redirect') or ''}".rstrip())
        if response.status >= 300 else None)

    # 5. Item 1: a decision that commits help, amount typed the Dutch way -> binding.
    record_decision(chair_page, app, item_1, TEXT_BINDING, "12.500,00")
    binding_badge = nl(app, "Binding (mandate of %(holder)s)", holder=caseworker_a.name)
    expect(chair_page.locator(f"#live-decision-form-{item_1} [role=status]")).to_have_text(
        nl(app, "The decision has been recorded as binding (mandate of %(holder)s).", holder=caseworker_a.name))
    # Keyboard users land on the confirmation, not back at the top of the page.
    expect(chair_page.locator(f"#live-decision-form-{item_1} [role=status]")).to_be_focused()
    chair_decision = chair_page.locator(f"#live-decisions-{item_1} li", has_text=TEXT_BINDING)
    expect(chair_decision).to_have_attribute("data-decision-status", "binding")
    expect(chair_decision).to_contain_text(binding_badge)
    expect(chair_decision).to_contain_text("12.500,00")
    screenshot(chair_page, app, "session-2-binding")

    member_decision = member_page.locator(f"#live-decisions-{item_1} li", has_text=TEXT_BINDING)
    expect(member_decision).to_be_visible(timeout=POLL_TIMEOUT_MS)
    expect(member_decision).to_have_attribute("data-decision-status", "binding")
    expect(member_decision).to_contain_text(binding_badge)
    assert member_page.evaluate("() => window.__noReload === true"), ("the member's page was reloaded", member_trace)
    screenshot(member_page, app, "session-3-member-sees")

    # 6. The chair moves on to item 2 (municipality B, no mandate holder present).
    chair_page.get_by_role("button", name=nl(app, "Next item: %(reference)s", reference=ref_b)).click()
    expect(chair_page.locator("#live-item")).to_have_attribute("data-item-id", str(item_2))
    expect(chair_page.locator(f"#live-mandate-{item_2} [data-mandate-holder]")).to_have_attribute(
        "data-mandate-holder", "none")
    # The member stays on item 1 and gets a banner with a link, not a jump.
    banner = member_page.locator("#live-banner")
    expect(banner).to_contain_text(
        nl(app, "The session has moved on to item %(number)s: %(reference)s.", number=2, reference=ref_b),
        timeout=POLL_TIMEOUT_MS)
    expect(member_page.locator("#live-item")).to_have_attribute("data-item-id", str(item_1))
    banner.get_by_role("link", name=nl(app, "Go to that item")).click()
    expect(member_page.locator("#live-item")).to_have_attribute("data-item-id", str(item_2))
    expect(member_page.locator(f"#live-decisions-{item_2}")).to_contain_text(nl(app, "No decisions on this item yet."))

    record_decision(chair_page, app, item_2, TEXT_PROVISIONAL, "8.000")
    expect(chair_page.locator(f"#live-decision-form-{item_2} [role=status]")).to_have_text(
        nl(app, "The decision has been recorded onder voorbehoud: it is up to the municipality of %(municipality)s.",
           municipality=mun_b.name))
    provisional_badge = nl(app, "Onder voorbehoud — up to the municipality of %(municipality)s",
                           municipality=mun_b.name)
    member_provisional = member_page.locator(f"#live-decisions-{item_2} li", has_text=TEXT_PROVISIONAL)
    expect(member_provisional).to_be_visible(timeout=POLL_TIMEOUT_MS)
    expect(member_provisional).to_have_attribute("data-decision-status", "provisional")
    expect(member_provisional).to_contain_text(provisional_badge)
    expect(member_provisional).to_contain_text(nl(app, "No holder of a mandate of the municipality was present."))
    assert member_page.evaluate("() => window.__noReload === true"), ("the member's page was reloaded", member_trace)
    screenshot(member_page, app, "session-4-provisional")

    # 7. No lost work: the chair types notes on item 2 without saving; meanwhile caseworker A checks
    # out, which the chair's page picks up by polling. The typed text is still there.
    notes = chair_page.locator(f"#n{item_2}-notes")
    notes.fill(UNSAVED_NOTES)
    own_row.get_by_role("button", name=nl(app, "Check out")).click()
    expect(own_row).to_have_attribute("data-present", "no")
    expect(chair_page.locator(f'#live-attendance-list li[data-user-id="{caseworker_a.id}"]')).to_have_attribute(
        "data-present", "no", timeout=POLL_TIMEOUT_MS)
    chair_page.wait_for_timeout(3_500)  # one more poll cycle on top
    expect(notes).to_have_value(UNSAVED_NOTES)
    chair_page.get_by_role("button", name=nl(app, "Save notes")).click()
    expect(chair_page.locator(f"#live-notes-form-{item_2} [role=status]")).to_have_text(
        nl(app, "The notes have been saved."))
    expect(member_page.locator(f"#live-notes-{item_2}")).to_contain_text(UNSAVED_NOTES, timeout=POLL_TIMEOUT_MS)

    check_accessibility(chair_page, app, "session-live-chair")
    check_accessibility(member_page, app, "session-live-member")

    with app.app_context():
        stored = {d.text: d for d in db.session.scalars(select(Decision))}
        assert stored[TEXT_BINDING].status == "binding" and stored[TEXT_BINDING].mandate is not None
        assert stored[TEXT_BINDING].mandate.holder_id == caseworker_a.id
        assert stored[TEXT_BINDING].amount_eur == Decimal("12500.00")
        assert stored[TEXT_PROVISIONAL].status == "provisional" and stored[TEXT_PROVISIONAL].mandate is None

    # 8. Close, approve, download the full minutes.
    chair_page.get_by_role("button", name=nl(app, "Close the session")).click()
    chair_page.wait_for_url(re.compile(rf"/overleggen/{meeting_id}(#.*)?$"))
    expect(chair_page.locator("#meeting-status")).to_have_text(nl(app, "Closed, minutes in draft"))
    expect(chair_page.locator("#minutes-status")).to_have_text(nl(app, "Draft: not approved yet"))
    chair_page.locator("#minutes-panel").get_by_role("button", name=nl(app, "Approve the minutes")).click()
    expect(chair_page.locator("#meeting-status")).to_have_text(nl(app, "Minutes approved"))
    expect(chair_page.locator("#minutes-status")).to_contain_text(chair.name)
    screenshot(chair_page, app, "session-5-minutes")
    with chair_page.expect_download() as download_info:
        chair_page.get_by_role("link", name=nl(app, "Full minutes (PDF)")).click()
    pdf_bytes = open(download_info.value.path(), "rb").read()
    assert pdf_bytes.startswith(b"%PDF")
    pdf_path = ARTIFACTS / f"session-minutes-{backend_name(app)}.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path.write_bytes(pdf_bytes)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    for expected in (ref_a, ref_b, nl(app, "Binding"), nl(app, "Provisional (awaiting the municipality)"),
                     TEXT_BINDING, TEXT_PROVISIONAL, UNSAVED_NOTES, caseworker_a.name, mun_a.name, mun_b.name):
        assert expected in text, f"{expected!r} not in the minutes PDF"
    assert nl(app, "Draft") + ":" not in text  # approved: no draft banner
    render_first_page(pdf_path)


def record_decision(page, app, item_id: int, text: str, amount: str) -> None:
    """Fill and send the live decision form of an item: commits help, ambulatory care, `amount`."""
    form = page.locator(f"#live-decision-form-{item_id}")
    form.locator(f"#d{item_id}-text").fill(text)
    form.get_by_label(nl(app, "Commits help (needs a mandate of the municipality)")).check()
    form.get_by_label(nl(app, "Care type")).select_option("ambulatory")
    form.get_by_label(nl(app, "Estimated cost per year (euros)")).fill(amount)
    form.get_by_role("button", name=nl(app, "Record decision")).click()


def render_first_page(pdf_path) -> None:
    """Page 1 as PNG next to the PDF, for a human to look at (skipped without pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: no PNG of the minutes")
        return
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
                    str(pdf_path.with_suffix(""))], check=True, timeout=30)
