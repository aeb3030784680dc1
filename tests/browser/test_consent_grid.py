"""The family's consent in one go, in Chromium: on the referral of a youth of 14 the caseworker
ticks RET and collective for the youth and both parents in the consent grid, first with a date in
the future (refused next to the field, every tick kept), then saves all six at once; afterwards one
parent's collective consent is withdrawn on its own row."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from ret_app.extensions import db
from ret_app.models import Case, FamilyMember
from tests.browser.conftest import check_accessibility, screenshot, sign_in

pytestmark = pytest.mark.browser


def _fourteen() -> date:
    today = date.today()
    return today.replace(year=today.year - 14) if (today.month, today.day) != (2, 29) else date(today.year - 14, 2, 28)


def test_caseworker_records_the_family_consent_in_one_go(app, factory, new_page):
    region = factory.region("Regio Toestemmingtest")
    municipality = factory.municipality(region.id, name="Gemeente Toestemmingtest")
    team = factory.organisation(kind="access_team", region_id=region.id, municipality_id=municipality.id,
                                name="Toegangsteam Toestemmingtest")
    caseworker = factory.user("caseworker", team.id, name="Karin Toegang")
    case_id = factory.case(caseworker, municipality, status="concept", birth_date=_fourteen())
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.youth_first_name, case.youth_last_name = "Roos", "Toestemming"
        for relation, name, authority in (("mother", "Fatima Toestemming", True), ("father", "Jan Toestemming", True),
                                          ("sibling", "Sem Toestemming", False)):
            db.session.add(FamilyMember(case_id=case_id, relation=relation, name=name, parental_authority=authority))
        db.session.commit()
        db.session.remove()

    page = new_page()
    sign_in(page, app, caseworker)
    page.goto(f"/casussen/{case_id}/aanmelding#toestemming")
    grid = page.locator("#consent-grid")
    expect(grid.get_by_role("rowheader")).to_have_count(3)  # the youth and both parents; the sister has no say
    expect(grid.get_by_role("columnheader")).to_have_text(["Persoon", "RET", "Collectief", "Bovenregionaal netwerk"])
    expect(grid).not_to_contain_text("Sem Toestemming")

    people = ("De jeugdige (Roos Toestemming)", "Fatima Toestemming (Moeder)", "Jan Toestemming (Vader)")
    boxes = [page.get_by_label(f"{who}: toestemming voor {scope}", exact=True)
             for who in people for scope in ("RET", "Collectief")]
    for box in boxes:
        box.check()

    # A date in the future: refused next to the date, every tick and the chosen form kept.
    tomorrow = date.today() + timedelta(days=1)
    page.get_by_label("Datum toestemming").fill(tomorrow.isoformat())
    page.get_by_label("Vorm").select_option(label="Mondeling")
    with page.expect_response(re.compile(r"/toestemming$")):
        page.get_by_role("button", name="Toestemming vastleggen").click()
    expect(page.locator("#consent-given_on-error")).to_have_text("Deze datum ligt in de toekomst.")
    expect(page.locator("#toestemming .utrecht-alert--error")).to_be_focused()  # the summary, read out first
    for box in boxes:
        expect(box).to_be_checked()
    expect(page.get_by_label("Datum toestemming")).to_have_value(tomorrow.isoformat())
    expect(page.get_by_label("Vorm")).to_have_value("verbal")
    screenshot(page, app, "consent-grid-1-future-date")

    # Corrected: the six consents are recorded in one save.
    page.get_by_label("Datum toestemming").fill(date.today().isoformat())
    with page.expect_response(re.compile(r"/toestemming$")):
        page.get_by_role("button", name="Toestemming vastleggen").click()
    expect(page.get_by_text("6 toestemmingen zijn vastgelegd.")).to_be_focused()  # the keyboard is not lost
    expect(grid.get_by_text(re.compile(r"^gegeven op "))).to_have_count(6)
    expect(grid.get_by_role("checkbox")).to_have_count(3)  # the network column is still open
    expect(page.locator("#consent-scope-ret")).to_contain_text("aanwezig")
    expect(page.locator("#consent-scope-collective")).to_contain_text("aanwezig")
    expect(page.locator("#consent-scope-network")).to_contain_text("ontbreekt")
    expect(page.locator("#consent-records tbody tr")).to_have_count(6)
    check_accessibility(page, app, "consent-grid")
    screenshot(page, app, "consent-grid-2-saved")

    # Withdrawal stays per row: the mother's collective consent alone.
    row = page.locator("#consent-records tbody tr").filter(has_text="Fatima Toestemming").filter(has_text="Collectief")
    with page.expect_response(re.compile(r"/intrekken$")):
        row.get_by_role("button", name="Toestemming intrekken").click()
    expect(page.get_by_text("De toestemming is ingetrokken.")).to_be_visible()
    expect(page.locator("#consent-scope-collective")).to_contain_text("ontbreekt")
    expect(page.locator("#consent-scope-collective")).to_contain_text("Fatima Toestemming")
    expect(page.locator("#consent-scope-ret")).to_contain_text("aanwezig")
    expect(page.get_by_label("Fatima Toestemming (Moeder): toestemming voor Collectief", exact=True)).not_to_be_checked()
    screenshot(page, app, "consent-grid-3-withdrawn")

    # On a phone the grid stays one table that scrolls sideways inside its own box.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#consent-grid").scroll_into_view_if_needed()
    screenshot(page, app, "consent-grid-4-narrow")
