"""An escalation in Chromium: the chair escalates a case to BOEG from the case page (what is missing
first said on the form; what was tried chosen from the case itself) and sees it on the case with its
expected answer date; an escalation past its date appears on the chair's start page. Screenshots in
test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ret_app.escalations import services
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Escalation, Network, Region
from tests.browser.conftest import check_accessibility, nl, screenshot, sign_in
from tests.test_escalations import network_case

pytestmark = pytest.mark.browser


def test_the_chair_escalates_a_case_to_boeg_and_a_late_one_shows_on_the_start_page(app, factory, make_world,
                                                                                   new_page):
    w = make_world(network=True, names={"chair": "Carla Voorzitter", "director": "Pim Regisseur"})
    with app.app_context():
        network = db.session.get(Network, w.network.id)
        network.name, network.short_name = "Bovenregionaal Expertisenetwerk Gelderland (test)", "BOEG"
        db.session.commit()
    case_id = network_case(factory, w)
    late_case = network_case(factory, w)
    with app.app_context():
        from ret_app.models import Case, User

        case = db.session.get(Case, late_case)
        late, _ = services.save(case, db.session.get(User, w.chair.id), {
            "submission_key": services.new_submission_key(), "why_exhausted": "Alles geprobeerd",
            "tried": [services.tried_options(case)[0].key], "question_kind": "consultation",
            "question": "Advies gevraagd", "urgency": "regular",
            "expected_answer_date": dates.today()}, send=True)
        late.expected_answer_date = dates.today() - timedelta(days=3)
        db.session.commit()
        late_reference = case.reference
        reference = db.session.get(Case, case_id).reference
        expected = services.default_expected_date(db.session.get(Region, w.region.id).network)

    page = new_page()
    sign_in(page, app, w.chair)
    card = page.locator("#start-late-escalations")
    expect(card).to_contain_text(late_reference)
    expect(card).to_contain_text("BOEG")
    screenshot(page, app, "escalation-start-card")

    page.goto(f"/casussen/{case_id}")
    page.locator("#escalate-link").click()
    page.wait_for_url(f"**/casussen/{case_id}/escalatie")
    expect(page.locator("h1")).to_contain_text(nl(app, "Escalate to %(network)s", network="BOEG"))
    # Sent without a question: refused next to the fields, what was typed kept.
    page.locator("#why_exhausted").fill("Geen passende plek in de regio; twee aanbieders wezen af.")
    page.get_by_role("button", name=nl(app, "Escalate to the network")).click()
    expect(page.locator("#question-error")).to_have_text(nl(app, "Write the question for the network."))
    expect(page.locator("#question_kind-error")).to_be_visible()
    expect(page.locator("#why_exhausted")).to_have_value("Geen passende plek in de regio; twee aanbieders wezen af.")
    screenshot(page, app, "escalation-form-errors")
    page.locator("#tried input[type=checkbox]").first.check()
    page.locator("#question_kind").select_option("placement")
    page.locator("#question").fill("Kan het netwerk helpen een plek buiten de regio te organiseren?")
    expect(page.locator("#expected_answer_date")).to_have_value(expected.isoformat())
    check_accessibility(page, app, "escalation-form")
    page.get_by_role("button", name=nl(app, "Escalate to the network")).click()
    page.wait_for_url(f"**/casussen/{case_id}*")
    panel = page.locator("#escalation-panel")
    expect(panel).to_contain_text(nl(app, "Sent to the network"))
    expect(panel.locator("#escalation-expected")).to_contain_text(str(expected.year))
    expect(panel).to_contain_text("Jeugdhulp Oost")  # what was tried, as the case shows it
    expect(page.locator("#case-history")).to_contain_text(nl(app, "Escalated to the network"))
    page.locator("#escalation-panel").scroll_into_view_if_needed()
    screenshot(page, app, "escalation-on-the-case")
    with app.app_context():
        sent = db.session.query(Escalation).filter_by(case_id=case_id).one()
        assert sent.status == "sent" and sent.expected_answer_date == expected and sent.sent_by_id == w.chair.id
    assert reference
