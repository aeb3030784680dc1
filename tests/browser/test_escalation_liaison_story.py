"""The escalation between the RET and the network in Chromium, two browsers, through the real pages: the
chair escalates a case to BOEG; the BOEG liaison sees it on their start page, accepts it and asks a
question; the chair answers on the case; the liaison starts, names a network process director, answers
and closes it with a result; the RET sees the whole exchange on the case; an escalation past its
expected date shows on the chair's start page. Screenshots in test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ret_app.escalations import services
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Case, Escalation, Network, User
from tests.browser.conftest import check_accessibility, nl, screenshot, sign_in
from tests.test_escalations import network_case

pytestmark = pytest.mark.browser

QUESTION = "Gaat de jongere nog naar school?"
REPLY = "Ja, drie ochtenden per week."
ANSWER = "Wij adviseren een plaatsing bij een specialistische aanbieder buiten de regio."


def test_the_chair_and_the_boeg_liaison_work_an_escalation_through(app, factory, make_world, new_page):
    w = make_world(network=True, names={"chair": "Carla Voorzitter", "director": "Pim Regisseur",
                                        "network_liaison": "Anouk Liaison"})
    with app.app_context():
        network = db.session.get(Network, w.network.id)
        network.name, network.short_name = "Bovenregionaal Expertisenetwerk Gelderland (test)", "BOEG"
        db.session.commit()
    case_id = network_case(factory, w)
    late_case = network_case(factory, w)
    with app.app_context():
        case = db.session.get(Case, late_case)
        late, _ = services.save(case, db.session.get(User, w.chair.id), {
            "submission_key": services.new_submission_key(), "why_exhausted": "Alles geprobeerd",
            "tried": [services.tried_options(case)[0].key], "question_kind": "consultation",
            "question": "Advies gevraagd", "urgency": "regular", "expected_answer_date": dates.today()}, send=True)
        late.expected_answer_date = dates.today() - timedelta(days=3)
        db.session.commit()
        late_reference = case.reference
        reference = db.session.get(Case, case_id).reference

    # The chair escalates the case from the case page.
    chair = new_page()
    sign_in(chair, app, w.chair)
    card = chair.locator("#start-late-escalations")
    expect(card).to_contain_text(late_reference)  # the overdue escalation on the chair's start page
    screenshot(chair, app, "liaison-story-1-chair-start-overdue")
    chair.goto(f"/casussen/{case_id}")
    chair.locator("#escalate-link").click()
    chair.wait_for_url(f"**/casussen/{case_id}/escalatie")
    chair.locator("#why_exhausted").fill("Twee aanbieders wezen af; geen passende plek in de regio.")
    chair.locator("#tried input[type=checkbox]").first.check()
    chair.locator("#question_kind").select_option("placement")
    chair.locator("#question").fill("Kan het netwerk helpen een plek buiten de regio te organiseren?")
    chair.get_by_role("button", name=nl(app, "Escalate to the network")).click()
    chair.wait_for_url(f"**/casussen/{case_id}*")
    expect(chair.locator("#escalation-panel")).to_contain_text(nl(app, "Sent to the network"))
    with app.app_context():
        escalation_id = db.session.query(Escalation).filter_by(case_id=case_id).one().id

    # The liaison, in a browser of their own, finds it on the start page.
    liaison = new_page()
    sign_in(liaison, app, w.network_liaison)
    card = liaison.locator("#start-network-escalations")
    expect(card).to_contain_text(reference)
    expect(card).to_contain_text(nl(app, "Sent to the network"))
    expect(liaison.get_by_role("link", name=nl(app, "Escalations"), exact=True)).to_be_visible()  # the navigation entry
    screenshot(liaison, app, "liaison-story-2-liaison-start")
    check_accessibility(liaison, app, "liaison-start")
    card.get_by_role("link", name=reference, exact=False).click()
    liaison.wait_for_url(f"**/netwerk/opschalingen/{escalation_id}")
    expect(liaison.locator("#network-escalation")).to_contain_text("Twee aanbieders wezen af")
    expect(liaison.locator("#escalation-tried")).to_contain_text("Jeugdhulp Oost")
    expect(liaison.locator("main")).not_to_contain_text("Moeder Test")  # no family member of the case
    check_accessibility(liaison, app, "liaison-escalation")
    screenshot(liaison, app, "liaison-story-3-liaison-escalation")
    # Declining without a reason is refused next to the field; then the liaison accepts.
    liaison.get_by_role("button", name=nl(app, "Decline the escalation")).click()
    expect(liaison.locator("#decline-reason-error")).to_be_visible()
    screenshot(liaison, app, "liaison-story-4-decline-without-reason")
    liaison.get_by_role("button", name=nl(app, "Accept the escalation")).click()
    liaison.wait_for_url(f"**/netwerk/opschalingen/{escalation_id}")
    expect(liaison.locator("#escalation-state")).to_contain_text(nl(app, "Accepted by the network"))
    liaison.locator("#msg-kind").select_option("question")
    liaison.locator("#msg-text").fill(QUESTION)
    liaison.get_by_role("button", name=nl(app, "Send to the RET")).click()
    liaison.wait_for_url(f"**/netwerk/opschalingen/{escalation_id}")
    expect(liaison.locator("#escalation-exchange")).to_contain_text(QUESTION)

    # The chair answers on the case.
    chair.goto(f"/casussen/{case_id}")
    expect(chair.locator("#escalation-panel")).to_contain_text(QUESTION)
    chair.locator("#escalation-panel").get_by_role("link", name=nl(
        app, "The escalation, with a reminder, a new date or your answer")).click()
    chair.wait_for_url(f"**/escalaties/{escalation_id}")
    chair.locator("textarea[name$='-text']").first.fill(REPLY)
    chair.get_by_role("button", name=nl(app, "Send your answer")).click()
    chair.wait_for_url(f"**/escalaties/{escalation_id}")
    expect(chair.locator("#escalation-exchange")).to_contain_text(REPLY)
    screenshot(chair, app, "liaison-story-5-chair-answered")

    # The liaison sees the answer, works on it, names a director, answers and closes it.
    liaison.reload()
    expect(liaison.locator("#escalation-exchange")).to_contain_text(REPLY)
    liaison.locator("#start-form").get_by_role("button").click()
    liaison.wait_for_url(f"**/netwerk/opschalingen/{escalation_id}")
    liaison.locator("#director-director_name").fill("Hanneke Prins")
    liaison.locator("#director-director_organisation").fill("BOEG procesregie")
    liaison.get_by_role("button", name=nl(app, "Record the process director")).click()
    liaison.wait_for_url(f"**/netwerk/opschalingen/{escalation_id}")
    expect(liaison.locator("#escalation-director")).to_contain_text("Hanneke Prins")
    liaison.locator("#ans-text").fill(ANSWER)
    liaison.get_by_role("button", name=nl(app, "Send the answer")).click()
    liaison.wait_for_url(f"**/netwerk/opschalingen/{escalation_id}")
    liaison.get_by_role("button", name=nl(app, "Close the escalation")).click()  # without a result: refused
    expect(liaison.locator("#close-result-error")).to_be_visible()
    liaison.locator("#close-result_text").fill("Plaatsing geadviseerd; de regio zoekt verder.")
    liaison.locator("#close-result").select_option("advice_given")
    expect(liaison.locator("#close-result_text")).to_have_value("Plaatsing geadviseerd; de regio zoekt verder.")
    liaison.get_by_role("button", name=nl(app, "Close the escalation")).click()
    liaison.wait_for_url(f"**/netwerk/opschalingen/{escalation_id}")
    expect(liaison.locator("#escalation-state")).to_contain_text(nl(app, "Closed"))
    expect(liaison.locator("#escalation-result")).to_contain_text(nl(app, "Advice given"))
    screenshot(liaison, app, "liaison-story-6-liaison-closed")
    liaison.get_by_role("link", name=nl(app, "Escalations"), exact=True).click()
    liaison.wait_for_url("**/netwerk/opschalingen")
    expect(liaison.locator(f"#network-escalation-{escalation_id}")).to_contain_text(nl(app, "Closed"))
    check_accessibility(liaison, app, "liaison-list")
    screenshot(liaison, app, "liaison-story-7-liaison-list")

    # The RET sees the whole exchange on the case.
    chair.goto(f"/casussen/{case_id}")
    panel = chair.locator("#escalation-panel")
    for text in (QUESTION, REPLY, ANSWER, "Hanneke Prins", "BOEG procesregie", nl(app, "Advice given"),
                 "Anouk Liaison"):
        expect(panel).to_contain_text(text)
    panel.scroll_into_view_if_needed()
    screenshot(chair, app, "liaison-story-8-ret-sees-the-exchange")
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        assert e.status == "closed" and e.result == "advice_given"
        assert [s.name for s in e.steps] == ["send", "accept", "start", "answer", "close"]
