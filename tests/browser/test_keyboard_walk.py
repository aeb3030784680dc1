"""Issue 14, accessibility: the main flows walked with the keyboard only, in Chromium (WCAG 2.1 AA 2.1.1
keyboard, 2.1.2 no keyboard trap, 2.4.1 bypass blocks, 2.4.3 focus order, 2.4.7 focus visible).

Nothing is clicked: the walk presses Tab / Shift+Tab, Enter, Space and the arrow keys and types
(`page.keyboard`). Pages are reached the way a keyboard user reaches them (links and buttons); a URL is
typed only where a person would (the sign-in page). On every page the first Tab stop is the skip link,
visible, and Enter on it puts the focus on <main>. At every Tab stop the focused element is visible and
has a focus indicator (an outline or a box shadow) that it does not have once the focus has moved on, and
Tab moves the focus on (no trap). After an htmx swap the focus is on what happened (the message), not
lost on <body>. Each flow ends with the data stored:

1. sign-in with password and the authenticator code (caseworker, chair, provider);
2. the caseworker starts a referral, fills in the youth and the question, adds help tried before, records
   the family's consent for the RET and submits it;
3. the chair takes it in (intake decision: accept into process direction);
4. the chair plans a session, puts the case on the agenda, starts the session and records a decision;
5. a provider answers a request of the RET (accepts it, naming a contact person and a start date).
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from typing import Optional

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.models import Case, Consent, Decision, Meeting, ProviderRequest
from tests.browser.conftest import nl, screenshot
from tests.conftest import TEST_PASSWORD, totp_code

pytestmark = pytest.mark.browser

# One evaluation per Tab stop: what has the focus, whether it shows it, and the style of the element that
# had it before (now that it no longer has it), to compare with the style it had while focused.
FOCUS_JS = """
(selector) => {
  const ids = window.__kbIds || (window.__kbIds = new WeakMap());
  const el = document.activeElement;
  const prev = window.__kbPrev || null;
  let unfocused = null;
  if (prev && prev.el.isConnected && prev.el !== el) {
    const s = getComputedStyle(prev.el);
    unfocused = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(" | ");
  }
  const before = prev && prev.el !== el ? {label: prev.label, focused: prev.style, unfocused} : null;
  if (!el || el === document.body || el === document.documentElement) {
    window.__kbPrev = null;
    return {none: true, before};
  }
  if (!ids.has(el)) { ids.set(el, (window.__kbN = (window.__kbN || 0) + 1)); }
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  const style = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(" | ");
  const words = (el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].innerText)
                 || el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 70);
  const label = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${words}"`;
  window.__kbPrev = {el, style, label};
  return {
    none: false, key: ids.get(el), label, before, style,
    matches: selector ? el.matches(selector) : false,
    parts: ["date", "time", "datetime-local"].includes(el.type),
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight
             && r.left < innerWidth && s.visibility !== "hidden",
    indicator: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1) || (s.boxShadow || "none") !== "none",
  };
}
"""

# The href of the first element in the sequential focus order (tabindex > 0 would come before the rest).
FIRST_TAB_STOP_JS = """
() => {
  const all = Array.from(document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"));
  const reachable = all.filter(el => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0
                                   && getComputedStyle(el).visibility !== "hidden");
  const positive = reachable.filter(el => el.tabIndex > 0);
  const first = positive[0] || reachable[0];
  return first ? first.getAttribute("href") || first.outerHTML.slice(0, 80) : null;
}
"""


class Walk:
    """The keyboard of one page, with a record of every Tab stop (for the failure message)."""

    def __init__(self, page):
        self.page = page
        self.keys = page.keyboard
        self.trace: list[str] = []
        self.stops = 0

    # --- moving the focus -----------------------------------------------------------------------------

    def _stop(self, selector: Optional[str]) -> dict:
        info = self.page.evaluate(FOCUS_JS, selector)
        self.stops += 1
        before = info["before"]
        if before and before["unfocused"] is not None:
            assert before["unfocused"] != before["focused"], (
                f"{before['label']} looks the same focused and unfocused ({before['focused']}): no visible focus "
                f"indicator (WCAG 2.4.7)\n{self.where()}")
        if not info["none"]:
            self.trace.append(info["label"])
            assert info["visible"], f"the focused {info['label']} is not visible\n{self.where()}"
            assert info["indicator"], (f"the focused {info['label']} has no outline or box shadow ({info['style']})"
                                       f"\n{self.where()}")
        else:
            self.trace.append("(nothing: the focus left the page)")
        return info

    def where(self) -> str:
        return f"on {self.page.url}, the last Tab stops: " + " → ".join(self.trace[-12:])

    def tab_to(self, selector: str, *, back: bool = False, limit: int = 80) -> None:
        """Press Tab (Shift+Tab with back=True) until the focused element matches `selector`. Every stop
        is checked; the same element twice in a row is a keyboard trap."""
        last, inner = None, 0
        for _ in range(limit):
            self.keys.press("Shift+Tab" if back else "Tab")
            info = self._stop(selector)
            if not info["none"]:
                if info["key"] == last and info["parts"]:
                    inner += 1  # a date or time field: Tab visits its day, month, year and calendar button
                else:
                    inner = 0
                assert info["key"] != last or 0 < inner <= 3, (
                    f"Tab leaves the focus on {info['label']}: a keyboard trap\n{self.where()}")
                last = info["key"]
                if info["matches"]:
                    return
        raise AssertionError(f"{selector} not reached with {limit} presses of Tab\n{self.where()}")

    def skip_to_main(self) -> None:
        """On a page just loaded: the first Tab stop is the skip link, shown; Enter moves the focus to <main>."""
        self.trace.append(f"-- {self.page.url}")
        self.page.evaluate("() => { window.__kbPrev = null; }")
        first = self.page.evaluate(FIRST_TAB_STOP_JS)
        assert first == "#main", f"the first element in the Tab order is {first}, not the skip link\n{self.where()}"
        if self.page.url.endswith("#main"):
            # A form sent after the skip link was used: the redirect keeps the #main of the page it came from, so
            # the browser starts this page at <main>. Back up to the skip link (through the navigation).
            self.page.wait_for_load_state()
            self.tab_to("a[href='#main']", back=True, limit=150)
        else:
            self.keys.press("Tab")
            info = self._stop("a[href='#main']")
            assert info["matches"], f"the first Tab stop is not the skip link to the main content\n{self.where()}"
        expect(self.page.locator("a[href='#main']")).to_have_text(nl(self.page.app, "Skip to main content"))
        self.keys.press("Enter")
        assert self.page.evaluate("() => document.activeElement.id") == "main", "the skip link did not move the focus"
        self.page.evaluate("() => { window.__kbPrev = null; }")

    # --- operating what has the focus -----------------------------------------------------------------------

    def type(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.keys.type(text)

    def type_date(self, selector: str, day: date) -> None:
        """A date field takes month, day and year as digits (Chromium lays it out in its own interface language)."""
        self.tab_to(selector)
        self.keys.type(day.strftime("%m%d%Y"))
        expect(self.page.locator(selector)).to_have_value(day.isoformat())

    def choose(self, selector: str, label: str) -> None:
        """A select: the arrow keys move to the option whose text contains `label`."""
        self.tab_to(selector)
        options, current = self.page.evaluate(
            "() => [Array.from(document.activeElement.options, o => o.text), document.activeElement.selectedIndex]")
        wanted = next(i for i, text in enumerate(options) if label in text)
        for _ in range(abs(wanted - current)):
            self.keys.press("ArrowDown" if wanted > current else "ArrowUp")
        chosen = self.page.evaluate("() => document.activeElement.selectedOptions[0].text")
        assert label in chosen, (label, chosen)

    def tick(self, selector: str) -> None:
        self.tab_to(selector)
        self.keys.press("Space")
        expect(self.page.locator(selector)).to_be_checked()

    def press(self, selector: str, key: str = "Enter") -> None:
        """Tab to a button or link and press it."""
        self.tab_to(selector)
        self.keys.press(key)

    def focused_is(self, selector: str) -> None:
        expect(self.page.locator(selector)).to_be_focused()


def new_walk(new_page, app) -> Walk:
    # The NL Design System scrolls smoothly unless the user asks for less motion: a focused element would be
    # checked for visibility while it is still scrolling into view.
    page = new_page(reduced_motion="reduce")
    page.app = app
    return Walk(page)


def sign_in(walk: Walk, app, user) -> None:
    """The sign-in page's address is typed; the rest is Tab, typing and Enter."""
    page = walk.page
    page.goto("/inloggen")
    walk.skip_to_main()
    walk.type("#email", user.email)
    walk.type("#password", TEST_PASSWORD)
    walk.press("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/inloggen/verificatie(#main)?$"))
    walk.skip_to_main()
    walk.type("#code", totp_code(app, user.id))
    walk.keys.press("Enter")  # Enter in the field sends its form
    page.wait_for_url(re.compile(r"/start(#main)?$"))
    walk.skip_to_main()


def nav_to(walk: Walk, href: str) -> None:
    """From <main> (after the skip link): Shift+Tab back into the navigation, to a link, and follow it."""
    walk.tab_to(f"a[href='{href}']", back=True)
    walk.keys.press("Enter")


@pytest.fixture
def w(app, factory, make_world):
    w = make_world(names={"chair": "Carla Voorzitter", "director": "Pim Regisseur", "caseworker": "Karin Toegang",
                          "provider": "Jeugdzorg De Linde", "provider_member": "Ahmed Linde",
                          "municipality": "Gemeente Toetsenbord"})
    intake = utcnow() - timedelta(days=20)
    w.asked_case = factory.case(w.caseworker, w.municipality, status="process_direction", consent_ret=True,
                                consent_collective=True, track="process_direction", process_director_id=w.director.id,
                                submitted_at=intake - timedelta(days=2), intake_at=intake)
    with app.app_context():
        request = ProviderRequest(case_id=w.asked_case, organisation_id=w.provider.id, role="lead_provider",
                                  care_type="ambulatory", question="Kunt u de begeleiding thuis op u nemen?",
                                  reply_by=dates.today() + timedelta(days=10), requested_by_id=w.director.id,
                                  submission_key=secrets.token_hex(8))
        db.session.add(request)
        db.session.commit()
        w.request_id = request.id
    return w


def test_the_main_flows_with_the_keyboard_only(app, w, new_page):
    today = dates.today()  # the Netherlands' date, as the app's

    # 1-2. The caseworker signs in and refers a youth: the case list, "New referral", the form.
    walk = new_walk(new_page, app)
    page = walk.page
    sign_in(walk, app, w.caseworker)
    nav_to(walk, "/casussen")
    page.wait_for_url("**/casussen")
    walk.skip_to_main()
    walk.press("a[href='/casussen/nieuw']")
    page.wait_for_url("**/casussen/nieuw")
    walk.skip_to_main()
    walk.choose("#municipality_id", "Gemeente Toetsenbord")
    walk.press("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/casussen/\d+/aanmelding(#main)?$"))
    case_id = int(re.search(r"/casussen/(\d+)/", page.url).group(1))
    walk.skip_to_main()
    walk.type("#youth_first_name", "Tijn")
    walk.type("#youth_last_name", "Toets")
    walk.type_date("#youth_birth_date", date(today.year - 17, 3, 14))
    walk.type("#question", "Tijn zit thuis en heeft onderwijs met zorg nodig.")
    walk.type("#why_stuck", "Geen aanbieder combineert onderwijs en jeugd-ggz.")
    # Help tried before, added with htmx: the section is swapped, the focus goes to its message.
    walk.type("#help-provider", "Jeugdhulp De Brug")
    walk.type("#help-help_type", "Ambulante gezinsbegeleiding")
    walk.press("form:has(#help-provider) button[type=submit]")
    walk.focused_is("section:has(#help-provider) [role=status]")
    expect(page.locator("section:has(#help-provider)")).to_contain_text("Jeugdhulp De Brug")
    # The consent section of the same page: the parents' and the youth's consent for the RET, sent with htmx.
    consent = page.locator("#" + page.locator("a[href^='#']", has_text=nl(app, "Consent")).first
                           .get_attribute("href")[1:])
    boxes = consent.locator("input[type=checkbox]")
    first_box = boxes.first.get_attribute("id")
    walk.tick(f"#{first_box}")
    walk.type_date(f"#{consent.locator('input[type=date]').first.get_attribute('id')}", today)
    walk.press(f"#{consent.get_attribute('id')} button[type=submit]")
    # The swap replaced the button that was pressed: the focus is on the message, not lost.
    walk.focused_is(f"#{consent.get_attribute('id')} [role=status]")
    screenshot(page, app, "keyboard-1-consent")
    walk.press("button[value=submit]")
    expect(page.locator("#case-status")).to_have_text(nl(app, "Submitted"))
    screenshot(page, app, "keyboard-2-submitted")
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "submitted" and case.youth_first_name == "Tijn"
        assert [h.provider for h in case.prior_help] == ["Jeugdhulp De Brug"]
        assert db.session.scalars(select(Consent).where(Consent.case_id == case_id)).first() is not None

    # 3. The chair signs in and takes the referral in from the intake queue.
    walk = new_walk(new_page, app)
    page = walk.page
    sign_in(walk, app, w.chair)
    nav_to(walk, "/intake")
    page.wait_for_url("**/intake")
    walk.skip_to_main()
    walk.press(f"a[href*='/casussen/{case_id}/intake']")
    page.wait_for_url(f"**/casussen/{case_id}/intake")
    walk.skip_to_main()
    walk.choose("#accept-track", nl(app, "Process direction"))
    walk.choose("#accept-process_director_id", "Pim Regisseur")
    walk.type("#accept-reason", "Vraag over meerdere leefgebieden.")
    walk.press("form:has(#accept-reason) button[type=submit]")
    expect(page.locator("#case-status")).to_have_text(nl(app, "Screening"))
    with app.app_context():
        assert db.session.get(Case, case_id).status == "screening"
    walk.skip_to_main()

    # 4. The chair plans a session for today, puts the case on the agenda, starts it and records a decision.
    nav_to(walk, "/overleggen/")
    page.wait_for_url("**/overleggen/")
    walk.skip_to_main()
    walk.press("a[href='/overleggen/nieuw']")
    page.wait_for_url("**/overleggen/nieuw")
    walk.skip_to_main()
    walk.type_date("#date", today)
    walk.tab_to("#start_time")
    walk.keys.type("1159P")  # hours, minutes, PM: Chromium's own interface language is American English
    expect(page.locator("#start_time")).to_have_value("23:59")
    walk.type("#location", "Stadskantoor, zaal 3")
    walk.press("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/overleggen/\d+(#main)?$"))
    meeting_id = int(re.search(r"/overleggen/(\d+)", page.url).group(1))
    walk.skip_to_main()
    with app.app_context():
        reference = db.session.get(Case, case_id).reference
    walk.choose("#agenda select[name=case_id]", reference)
    walk.choose("#agenda select[name=purpose]", nl(app, "Progress"))
    walk.press("#agenda form button[type=submit]:not([name])")
    expect(page.locator("#agenda [role=status]")).to_be_focused()
    walk.press("#meeting-steps button[type=submit]")
    page.wait_for_url(f"**/overleggen/{meeting_id}/live*")
    walk.skip_to_main()
    walk.type("textarea[id$='-text']", "Onderwijs-zorgarrangement, zes maanden.")
    # The kind of decision: one Tab stop for the radio group, the arrow keys move the choice.
    walk.tab_to("[id^='live-decision-form-'] input[type=radio]:checked")
    kinds = page.locator("[id^='live-decision-form-'] input[type=radio]")
    walk.keys.press("ArrowDown")
    expect(kinds.nth(1)).to_be_checked()
    expect(kinds.nth(1)).to_be_focused()
    walk.keys.press("ArrowUp")
    expect(kinds.nth(0)).to_be_checked()
    walk.press("[id^='live-decision-form-'] button[type=submit]")
    walk.focused_is("[id^='live-decision-form-'] [role=status]")
    screenshot(page, app, "keyboard-3-decision")
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).status == "in_progress"
        decision = db.session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        assert decision.text == "Onderwijs-zorgarrangement, zes maanden."

    # 5. The provider signs in and accepts the request from its start page.
    walk = new_walk(new_page, app)
    page = walk.page
    sign_in(walk, app, w.provider_member)
    walk.press(f"#start-requests a[href$='/verzoeken/{w.request_id}']")
    page.wait_for_url(f"**/verzoeken/{w.request_id}")
    walk.skip_to_main()
    walk.type("#contact_name", "Ahmed Linde, 06 12345678")
    walk.type_date("#intended_start", today + timedelta(days=7))
    walk.press("form:has(#contact_name) button[type=submit]")
    expect(page.locator("#request-state")).to_contain_text(nl(app, "Accepted"))
    screenshot(page, app, "keyboard-4-request-accepted")
    with app.app_context():
        answered = db.session.get(ProviderRequest, w.request_id)
        assert answered.status == "accepted" and answered.contact_name == "Ahmed Linde, 06 12345678"
