"""Stored markup never runs, checked in Chromium: a referral's question and why the case is stuck, the
screening's texts and a plan goal hold markup that would set `window.__xss` or add an element with an id
starting "xss-" if a page put it out as HTML. One goal is typed into the plan's form by the process
director (saved and swapped in by htmx); the rest is stored directly. On the case page, the referral,
the screening page and the plan page nothing of it runs, no such element exists, and the text is shown
literally; the plan and screening PDFs hold it literally as text (pdftotext).

The app's CSP (script-src 'self') would stop an inline script or handler even if one were put out, so
`window.__xss` alone proves little: the elements the markup would add are looked for too."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from ret_app.extensions import db
from ret_app.models import Case, CaseParticipant, Plan, PlanGoal, Screening
from tests.browser.conftest import keep_pdf, nl, screenshot, sign_in

pytestmark = pytest.mark.browser

PAYLOADS = {
    "question": '<img id="xss-question" src="x" onerror="window.__xss=1">',
    "why_stuck": '<script>window.__xss=2</script><b id="xss-stuck">vet</b>',
    "analysis": '"><svg id="xss-analysis" onload="window.__xss=3"></svg>',
    "advice": "</textarea><b id=\"xss-advice\">advies</b>",
    "goal": '<a id="xss-goal" href="javascript:window.__xss=4">klik</a>',
}
TYPED = '<i id="xss-typed" onmouseover="window.__xss=5">getypt</i>'


def _world(app, factory) -> tuple[int, object]:
    region = factory.region("Regio Markup")
    municipality = factory.municipality(region.id, name="Gemeente Markup")
    team = factory.organisation(kind="access_team", region_id=region.id, municipality_id=municipality.id)
    ret = factory.organisation(kind="ret", region_id=region.id)
    caseworker = factory.user("caseworker", team.id)
    director = factory.user("ret_member", ret.id, name="Pim Regisseur")
    intake = datetime.now(timezone.utc) - timedelta(days=20)
    case_id = factory.case(caseworker, municipality, status="process_direction", consent_ret=True,
                           consent_collective=True, track="process_direction", process_director_id=director.id,
                           submitted_at=intake - timedelta(days=2), intake_at=intake)
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.question, case.why_stuck = PAYLOADS["question"], PAYLOADS["why_stuck"]
        db.session.add_all([
            CaseParticipant(case_id=case_id, role="ret_member", user_id=director.id, invited_by_id=director.id),
            Screening(case_id=case_id, analysis=PAYLOADS["analysis"], advice=PAYLOADS["advice"],
                      youth_view=PAYLOADS["question"], family_view=PAYLOADS["why_stuck"]),
        ])
        plan = Plan(case_id=case_id)
        plan.goals.append(PlanGoal(text=PAYLOADS["goal"], voiced_by="youth", status="open", position=1))
        db.session.add(plan)
        db.session.commit()
    return case_id, director


def assert_nothing_ran(page, where: str, shown: tuple[str, ...]) -> None:
    assert page.evaluate("() => window.__xss") is None, f"{where}: a script of the stored text ran"
    assert page.locator("[id^='xss-']").count() == 0, f"{where}: the stored markup added an element"
    assert page.locator("svg[onload], img[onerror], [onmouseover], a[href^='javascript']").count() == 0, where
    text = page.locator("main").inner_text() + " ".join(
        page.locator("main textarea").evaluate_all("(areas) => areas.map(a => a.value)"))
    for payload in shown:
        assert payload in text, f"{where}: {payload!r} is not shown as text"


def test_stored_markup_is_shown_as_text_on_pages_and_in_pdfs(app, factory, new_page):
    case_id, director = _world(app, factory)
    page = new_page()
    sign_in(page, app, director)

    page.goto(f"/casussen/{case_id}")
    assert_nothing_ran(page, "case page", (PAYLOADS["question"], PAYLOADS["why_stuck"]))
    page.goto(f"/casussen/{case_id}/screening")
    assert_nothing_ran(page, "screening", (PAYLOADS["analysis"], PAYLOADS["advice"]))
    screenshot(page, app, "stored-markup-screening")

    # Typed into the plan's form and swapped in by htmx.
    page.goto(f"/casussen/{case_id}/plan")
    assert_nothing_ran(page, "plan", (PAYLOADS["goal"],))
    page.locator("#goal-text").fill(TYPED)
    page.locator("#nieuw-doel").get_by_role("button", name=nl(app, "Add goal")).click()
    expect(page.locator("#plan-goals")).to_contain_text(TYPED)
    page.locator("#plan-goals").hover()
    assert_nothing_ran(page, "plan after the htmx swap", (PAYLOADS["goal"], TYPED))
    page.reload()
    assert_nothing_ran(page, "plan reloaded", (PAYLOADS["goal"], TYPED))
    screenshot(page, app, "stored-markup-plan")

    plan_pdf = page.request.get(f"/casussen/{case_id}/plan.pdf")
    assert plan_pdf.ok and plan_pdf.headers["content-type"] == "application/pdf"
    text = " ".join(keep_pdf(app, "stored-markup-plan", plan_pdf.body()).split())
    assert PAYLOADS["goal"] in text and TYPED in text, text
    screening_pdf = page.request.get(f"/casussen/{case_id}/screening/verslag.pdf")
    assert screening_pdf.ok and screening_pdf.headers["content-type"] == "application/pdf"
    text = " ".join(keep_pdf(app, "stored-markup-screening", screening_pdf.body()).split())
    assert PAYLOADS["analysis"] in text and PAYLOADS["advice"] in text, text
