"""In Chromium, issue 12's whole story:

1. Two cases of the region closed earlier this autumn met the gap "no suitable living place"; the chair
   records the outcome of a third case on its outcome page (result, a gap of that category with a note,
   lessons) — the region's threshold (3 cases in 6 months) is reached — and closes the case.
2. The signal appears on the chair's signal page (the category, 3 cases).
3. The analyst (policy and purchasing of the region's municipalities) signs in and sees the suppressed
   aggregate: "<5" for the small counts, with its chart (SVG) and data table; the case is 404 for them.
4. The chair generates the learning vignette of the closed case, edits its text (a name typed again is
   scrubbed on saving), approves it and downloads the PDF: a PDF (the bytes say so) holding none of the
   case's names, BSN, school, address or birth date; turned into PNGs with pdftoppm.

Screenshots and the PDF's pages go to test-artifacts/ (or $SHOTS_DIR: /tmp/shots-anon when run by hand)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.models import Case, CaseOutcome, FamilyMember, GapCategory, GapSignal, OutcomeGap
from tests.browser.conftest import backend_name, check_accessibility, keep_pdf, nl, shots_dir, sign_in

pytestmark = pytest.mark.browser

YOUTH_FIRST, YOUTH_LAST = "Wijbrand", "Hoogeveen-Nijkamp"
MOTHER = "Geertruida Nijkamp"
BSN = "246813579"
BIRTH = date(2011, 3, 3)
SCHOOL = "Het Zilverlingcollege"
STREET, POSTCODE = "Brunelstraat 17", "7231 GH"
PLANTED = [YOUTH_FIRST, "Hoogeveen", "Nijkamp", "Geertruida", BSN, "Zilverling", "Brunelstraat", "7231", "3 maart 2011",
           "03-03-2011", "2011-03-03", "Oudewaard"]
NOTE = (f"{YOUTH_FIRST} ({BSN}, geboren 03-03-2011) kon nergens wonen; moeder {MOTHER}, {STREET}, {POSTCODE} "
        f"Oudewaard. School: {SCHOOL}.")


def shot(page, app, name: str) -> None:
    page.screenshot(path=str(shots_dir() / f"issue12-{name}-{backend_name(app)}.png"), full_page=True)


def squeezed(text: str) -> str:
    return re.sub(r"[\s.\-]+", "", text).lower()


def leaked(text: str) -> list[str]:
    flat = squeezed(text)
    return [value for value in PLANTED if squeezed(value) in flat]


@pytest.fixture
def story(app, make_world, factory):
    from ret_app.vignettes import scrub

    scrub.deduce_model()  # loaded once per process (~8 s), before the pages that must answer in time
    world = make_world(names={"chair": "Wendelien Stokvis", "director": "Harmen Ploeger"})
    world.analyst = factory.user("analyst", factory.organisation("management", region_id=world.region.id).id,
                                 name="Analist Beleid")
    now = datetime.now(timezone.utc)
    with app.app_context():
        category = db.session.scalar(select(GapCategory).where(GapCategory.region_id == world.region.id,
                                                               GapCategory.code == "no_living_place"))
        category_id, category_name = category.id, category.name
    earlier = []
    for days in (20, 40):
        case_id = factory.case(world.caseworker, world.municipality, status="closed", track="process_direction",
                               process_director_id=world.director.id, consent_ret=True,
                               submitted_at=now - timedelta(days=days + 80), closed_at=now - timedelta(days=days),
                               outcome_recorded_at=now - timedelta(days=days))
        earlier.append(case_id)
        with app.app_context():
            outcome = CaseOutcome(case_id=case_id, result="not_realised", recorded_by_id=world.chair.id,
                                  recorded_at=now - timedelta(days=days))
            outcome.gaps.append(OutcomeGap(case_id=case_id, gap_category_id=category_id, note="Geen woonplek"))
            db.session.add(outcome)
            db.session.commit()
    case_id = factory.case(world.caseworker, world.municipality, status="monitoring", track="process_direction",
                           process_director_id=world.director.id, consent_ret=True, birth_date=BIRTH,
                           submitted_at=now - timedelta(days=90), intake_at=now - timedelta(days=88),
                           fitting_help_started_on=date.today() - timedelta(days=30))
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.youth_first_name, case.youth_last_name, case.youth_bsn = YOUTH_FIRST, YOUTH_LAST, BSN
        case.youth_daytime_activity = f"Leerling van {SCHOOL}"
        case.question = f"{YOUTH_FIRST} zoekt een woonplek. {NOTE}"
        case.why_stuck = f"Geen plek voor {YOUTH_FIRST} in de regio; moeder {MOTHER} kan niet meer."
        case.family_members = [FamilyMember(name=MOTHER, relation="mother", age=44, parental_authority=True)]
        reference = case.reference
        db.session.commit()
        assert not db.session.scalar(select(func.count()).select_from(GapSignal)
                                     .where(GapSignal.region_id == world.region.id))
    return world, case_id, reference, category_name


def test_outcome_signal_analyst_and_vignette(app, story, new_page):
    world, case_id, reference, category_name = story

    # 1. The chair records the outcome with a gap, then closes the case.
    chair = new_page()
    sign_in(chair, app, world.chair)
    chair.goto(f"/casussen/{case_id}/uitkomst")
    chair.locator("#result").select_option("not_realised")
    gap = chair.locator("#outcome-gap-rows [data-row]").first
    gap.locator("select[name$='category']").select_option(label=category_name)
    gap.locator("textarea[name$='note']").fill(NOTE)
    chair.locator("#lessons").fill(f"Eerder een woonplek zoeken voor jongeren als {YOUTH_FIRST}.")
    check_accessibility(chair, app, "issue12-outcome")
    shot(chair, app, "1-outcome-form")
    chair.locator("#outcome-form .ret-actions button[value=save]").click()
    chair.wait_for_url(re.compile(rf"/casussen/{case_id}(#.*)?$"))
    with app.app_context():
        signal = db.session.scalar(select(GapSignal).where(GapSignal.region_id == world.region.id,
                                                           GapSignal.care_type.is_(None)))
        assert signal is not None and signal.case_count == 3, "the third case reaches the threshold"
        signal_id = signal.id
    chair.locator("#reason-close").fill("Uitkomst vastgelegd; geen passende woonplek in de regio.")
    chair.get_by_role("button", name=nl(app, "Close case"), exact=True).click()
    expect(chair.locator("main")).to_contain_text(nl(app, "The case has been closed."))
    with app.app_context():
        assert db.session.get(Case, case_id).status == "closed"
    shot(chair, app, "2-case-closed")

    # 2. The signal on the chair's signal page.
    chair.goto("/signalen")
    row = chair.locator("#signal-table tr", has=chair.locator(f"a[href$='/signalen/{signal_id}']"))
    expect(row).to_contain_text(category_name)
    expect(row.locator("td.utrecht-table__cell--numeric")).to_have_text("3")
    check_accessibility(chair, app, "issue12-signals")
    shot(chair, app, "3-signal-list")

    # 3. The analyst: the suppressed aggregate with its chart; the case is not there for them.
    analyst = new_page()
    sign_in(analyst, app, world.analyst)
    analyst.goto(f"/cijfers?kind=month&year={date.today().year}")
    expect(analyst.locator("#chart-results svg")).to_be_visible()
    # The whole region: a month with one case shows "<5" (the protected table's month total), no small number.
    expect(analyst.locator("#chart-results td.ret-chart__suppressed", has_text="<5").first).to_be_visible()
    assert not analyst.locator("#chart-results td", has_text=re.compile(r"^\s*[1-4]\s*$")).count()
    body = analyst.locator("main").inner_text()
    assert reference not in body and YOUTH_FIRST not in body and category_name in body
    check_accessibility(analyst, app, "issue12-analyst")
    shot(analyst, app, "4-analyst-region")
    # The case's municipality: the small counts are "<5", in the data table beside the chart.
    analyst.goto(f"/cijfers?kind=month&year={date.today().year}&municipality={world.municipality.id}")
    expect(analyst.locator("#chart-results svg")).to_be_visible()
    small = analyst.locator("#chart-results td.ret-chart__suppressed", has_text="<5")
    expect(small.first).to_be_visible()
    assert small.count() >= 1 and not analyst.locator("#chart-results td", has_text=re.compile(r"^\s*[1-4]\s*$")).count()
    shot(analyst, app, "4-analyst-municipality")
    response = analyst.goto(f"/casussen/{case_id}")
    assert response.status == 404
    assert analyst.goto(f"/casussen/{case_id}/uitkomst").status == 404

    # 4. The vignette: generated, edited, approved, downloaded.
    chair.goto(f"/casussen/{case_id}")
    chair.locator("#vignette-generate").click()
    chair.wait_for_url(re.compile(r"/leerverhalen/\d+$"))
    vignette_id = int(re.search(r"/leerverhalen/(\d+)$", chair.url).group(1))
    text = chair.locator("#vignette-text").inner_text()
    assert "[jeugdige]" in text and leaked(text) == [], leaked(text)
    shot(chair, app, "5-vignette-draft")
    editor = chair.locator("textarea[name=text]")
    editor.fill(editor.input_value() + f"\n\n## Wat de voorzitter toevoegt\n\nHet gesprek met {MOTHER} "
                "gaf de doorslag: wonen eerst.")
    chair.get_by_role("button", name=nl(app, "Save the text")).click()
    expect(chair.locator("#replaced")).to_contain_text(MOTHER)
    edited = chair.locator("#vignette-text").inner_text()
    assert "Wat de voorzitter toevoegt" in edited and leaked(edited) == [], leaked(edited)
    shot(chair, app, "6-vignette-edited")
    chair.get_by_role("button", name=nl(app, "Approve the vignette")).click()
    download_link = chair.locator("#vignette-pdf")
    expect(download_link).to_be_visible()
    shot(chair, app, "7-vignette-approved")
    with chair.expect_download() as download_info:
        download_link.click()
    data = Path(download_info.value.path()).read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 2000
    pdf_text = keep_pdf(app, "issue12-vignette", data)
    assert f"LV-{vignette_id}" in pdf_text and "[jeugdige]" in pdf_text and "Wat de voorzitter toevoegt" in pdf_text
    assert leaked(pdf_text) == [] and reference not in pdf_text, leaked(pdf_text)
