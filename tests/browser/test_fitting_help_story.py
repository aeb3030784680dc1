"""The whole story of issue 10 in Chromium, through the real pages: from a screened case in process
direction to fitting help started.

1. The process director writes the plan: a goal in the family's words with its agreed help, a review
   moment; agrees version 1.
2. On the case's requests page ("Verzoeken") they choose the care type (htmx ranks the collective's
   providers, each with its reasons in words), tick the first suggestion and, further down the list,
   a provider of their own choosing, and ask both.
3. The case page's next due item is the providers' reply, and it waits on them by name.
4. Provider A's member (own browser) finds the request on its start page and declines it: a reason
   from the list plus text.
5. Provider B's member (own browser) accepts: contact person, intended start; it may open the case now.
6. The director reads the decline and the acceptance on the requests page, records "passende hulp
   gestart" on the plan page; the case is in monitoring.
7. Provider B's member updates its stale capacity from its start page ("Nu bijwerken"): now current.
8. Each role's start page shows what waits on whom: chair, process director, caseworker, provider.

The world holds besides the story's case: a referral waiting long for the intake decision, and a second
case of the same director whose request to a third provider is past its reply-by date (a second request
on it waits for provider B). Screenshots in test-artifacts/story-*.png."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from ret_app.cases import norms
from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    CapacityEntry,
    CapacityUpdate,
    Case,
    CaseParticipant,
    ProviderCareType,
    ProviderExpertise,
    ProviderProfile,
    ProviderRequest,
    Screening,
    ScreeningContribution,
)
from tests.browser.conftest import nl, screenshot, sign_in

pytestmark = pytest.mark.browser

TODAY = date.today()
GOAL = "Ik wil weer gewoon naar school en niet meer elke avond ruzie thuis."
QUESTION = "Kunt u de behandeling van de angstklachten thuis en op school oppakken?"
DECLINE_TEXT = "Onze plaatsen zijn deze week vergeven; de wachttijd is nu acht weken."
CONTACT = "Mevrouw De Wit, 030 123 45 67"
STARTED = "Ambulante behandeling door Kwadraad Gezinshulp, twee keer per week thuis en op school."


def _profile(organisation_id: int, care_types: tuple, expertise: tuple, **fields) -> ProviderProfile:
    return ProviderProfile(organisation_id=organisation_id, min_age=4, max_age=18,
                           care_types=[ProviderCareType(care_type=c) for c in care_types],
                           expertise=[ProviderExpertise(area=a) for a in expertise], **fields)


def _capacity(organisation_id: int, care_type: str, places: int, weeks: int, days_ago: int, by_id: int):
    when = utcnow() - timedelta(days=days_ago)
    entry = CapacityEntry(organisation_id=organisation_id, care_type=care_type, places_available=places,
                          waiting_weeks=weeks, updated_at=when, updated_by_id=by_id)
    entry.history.append(CapacityUpdate(places_available=places, waiting_weeks=weeks, recorded_at=when,
                                        recorded_by_id=by_id))
    return entry


def _request(case_id: int, organisation_id: int, reply_by: date, asked_by_id: int) -> ProviderRequest:
    return ProviderRequest(case_id=case_id, organisation_id=organisation_id, role="co_provider",
                           care_type="ambulatory", question="Kunt u meedenken over de begeleiding?",
                           reply_by=reply_by, requested_by_id=asked_by_id, submission_key=secrets.token_hex(8))


@pytest.fixture
def story(app, factory, make_world):
    """Provider A (Jeugdzorg De Linde) fits best: it offers the care type, has expertise for the life
    domain the screening scored serious, and fresh places. GGZ Het Baken comes second (stale capacity);
    provider B (Kwadraad Gezinshulp) third (stale capacity, no fitting expertise)."""
    w = make_world(names={"provider": "Jeugdzorg De Linde", "other_provider": "Kwadraad Gezinshulp",
                          "director": "Pim Regisseur", "chair": "Carla Voorzitter", "caseworker": "Karin Toegang",
                          "provider_member": "Ahmed Linde", "other_provider_member": "Bea Kwadraad"})
    w.third = factory.organisation("provider", region_id=w.region.id, collective_member=True, name="GGZ Het Baken")
    third_member = factory.user("provider_member", w.third.id, name="Cor Baken")
    intake = utcnow() - timedelta(days=20)
    directed = dict(status="process_direction", consent_ret=True, consent_collective=True, track="process_direction",
                    process_director_id=w.director.id, submitted_at=intake - timedelta(days=2), intake_at=intake)
    w.case_id = factory.case(w.caseworker, w.municipality, **directed)
    w.other_case_id = factory.case(w.caseworker, w.municipality, **directed)
    w.intake_case_id = factory.case(w.caseworker, w.municipality, status="submitted",
                                    submitted_at=utcnow() - timedelta(days=30))
    # Both cases were discussed in a RET session (its norm met): what comes next is the plan's and the requests'.
    factory.meeting(w.chair, status="approved", starts_at=intake + timedelta(days=6),
                    cases=(w.case_id, w.other_case_id), present=(w.director,))
    with app.app_context():
        for case_id in (w.case_id, w.other_case_id):
            db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=w.director.id,
                                           invited_by_id=w.chair.id))
        screening = Screening(case_id=w.case_id, finalised_at=intake + timedelta(days=5),
                              finalised_by_id=w.director.id)
        screening.contributions.append(ScreeningContribution(author_id=w.director.id, organisation_id=w.ret.id,
                                                             domain="mental_health", severity=4))
        screening.contributions.append(ScreeningContribution(author_id=w.director.id, organisation_id=w.ret.id,
                                                             domain="finances", severity=1))
        db.session.add(screening)
        db.session.add_all([
            _profile(w.provider.id, ("ambulatory", "youth_mental_health"), ("youth_mental_health", "trauma")),
            _profile(w.third.id, ("ambulatory",), ("youth_mental_health",)),
            _profile(w.other_provider.id, ("ambulatory",), ("parenting_support",), crisis_available=True,
                     crisis_hours="24/7", crisis_phone="088 765 43 21"),
            _capacity(w.provider.id, "ambulatory", 2, 0, 2, w.provider_member.id),
            _capacity(w.provider.id, "youth_mental_health", 1, 2, 3, w.provider_member.id),
            _capacity(w.third.id, "ambulatory", 1, 4, 30, third_member.id),
            _capacity(w.other_provider.id, "ambulatory", 0, 12, 20, w.other_provider_member.id),
            # The second case: Het Baken has not answered in time; B's reply is due later.
            _request(w.other_case_id, w.third.id, TODAY - timedelta(days=2), w.director.id),
            _request(w.other_case_id, w.other_provider.id, TODAY + timedelta(days=10), w.director.id),
        ])
        db.session.flush()
        for case_id in (w.case_id, w.other_case_id):
            norms.refresh_deadline(db.session.get(Case, case_id))
        db.session.commit()
        w.refs = {case_id: db.session.get(Case, case_id).reference
                  for case_id in (w.case_id, w.other_case_id, w.intake_case_id)}
    return w


def _step1_the_director_writes_and_agrees_the_plan(app, w, page) -> None:
    page.goto(f"/casussen/{w.case_id}")
    page.locator("#plan-panel").get_by_role("link", name=nl(app, "To the plan")).click()
    page.wait_for_url(f"**/casussen/{w.case_id}/plan")
    add = page.locator("#nieuw-doel")
    add.locator("#goal-text").fill(GOAL)
    add.locator("#goal-voiced_by").select_option("youth")
    add.locator("#goal-care_type").select_option("ambulatory")
    add.locator("#goal-provider_id").select_option(label="Kwadraad Gezinshulp")
    add.locator("#goal-intended_start").fill((TODAY + timedelta(days=7)).isoformat())
    add.get_by_role("button", name=nl(app, "Add goal")).click()
    expect(page.locator("#doelen .ret-notice")).to_have_text(nl(app, "The goal has been added to the plan."))
    goal = page.locator("#plan-goals > li")
    expect(goal).to_have_count(1)
    expect(goal).to_contain_text(GOAL)
    expect(goal).to_contain_text("Ambulante jeugdhulp")
    expect(goal).to_contain_text("Kwadraad Gezinshulp")

    review_day = TODAY + timedelta(days=21)
    page.locator("#review-planned_on").fill(review_day.isoformat())
    page.locator("#nieuwe-evaluatie").get_by_role("button", name=nl(app, "Plan review moment")).click()
    expect(page.locator("#plan-reviews > li")).to_have_count(1)

    page.locator("#vaststellen").get_by_role("button", name=nl(app, "Agree this version")).click()
    expect(page.locator("#plan-state")).to_contain_text(nl(app, "Agreed"))
    expect(page.locator("#plan-state")).to_contain_text("Pim Regisseur")
    expect(page.locator("#plan-versions")).to_contain_text(nl(app, "Version %(number)s", number=1))
    screenshot(page, app, "story-1-plan-agreed")


def _step2_the_director_asks_two_providers(app, w, page) -> None:
    page.goto(f"/casussen/{w.case_id}")
    page.locator("#requests-panel").get_by_role("link", name=nl(app, "Ask providers of the collective")).click()
    page.wait_for_url(f"**/casussen/{w.case_id}/verzoeken")
    expect(page.locator("h1")).to_contain_text(nl(app, "Requests to providers"))
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_contain_text(nl(app, "Choose the care type first: the ranking then takes it into account."))
    # The rule is on the page, in words, with the screening's serious life domain.
    expect(page.locator("#suggestion-rule")).to_contain_text(nl(app, "Ranked for this case:"))
    expect(page.locator("#suggestion-rule")).to_contain_text(nl(app, "Mental health") + " (4)")

    page.locator("#role").select_option("lead_provider")
    page.locator("#care_type").select_option("ambulatory")  # htmx swaps the ranked list in
    expect(suggestions).not_to_contain_text(nl(app, "Choose the care type first: the ranking then takes it into account."))
    ranked = suggestions.locator("li.ret-suggestion")
    expect(ranked).to_have_count(3)
    expect(ranked.nth(0).locator("strong")).to_have_text("Jeugdzorg De Linde")
    expect(ranked.nth(1).locator("strong")).to_have_text("GGZ Het Baken")
    expect(ranked.nth(2).locator("strong")).to_have_text("Kwadraad Gezinshulp")
    first = ranked.nth(0)
    expect(first).to_contain_text("10 punten")
    expect(first).to_contain_text("+3: " + nl(app, "offers %(care_type)s", care_type="Ambulante jeugdhulp"))
    expect(first).to_contain_text("+2: " + nl(app, "expertise in %(area)s fits the life domain %(domain)s (%(severity)s)",
                                              area=nl(app, "Youth mental health"), domain=nl(app, "Mental health"),
                                              severity=nl(app, "acute / unsafe")))
    expect(first).to_contain_text("+2: " + nl(app, "%(num)d place(s) available now (capacity is current)", num=2))
    expect(first).to_contain_text("+1: " + nl(app, "age %(age)d within its range (%(low)d–%(high)d)",
                                              age=14, low=4, high=18))
    expect(ranked.nth(1)).to_contain_text("0: " + nl(app, "capacity for this care type is not current"))
    expect(ranked.nth(1)).to_contain_text("6 punten")
    expect(ranked.nth(2)).to_contain_text("4 punten")

    # The first suggestion, and further down the list a provider of the director's own choosing.
    first.get_by_role("checkbox").check()
    ranked.nth(2).get_by_label("Kwadraad Gezinshulp").check()
    page.locator("#question").fill(QUESTION)
    expect(page.locator("#reply_by")).not_to_have_value("")  # the region's norm, filled in
    screenshot(page, app, "story-2-ask-two-providers")
    page.get_by_role("button", name=nl(app, "Send the request")).click()
    page.wait_for_url(f"**/casussen/{w.case_id}/verzoeken")
    expect(page.locator(".ret-flashes")).to_contain_text("Jeugdzorg De Linde")
    expect(page.locator(".ret-flashes")).to_contain_text("Kwadraad Gezinshulp")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    for name in ("Jeugdzorg De Linde", "Kwadraad Gezinshulp"):
        expect(rows.filter(has_text=name)).to_contain_text(nl(app, "Lead provider"))
    screenshot(page, app, "story-2-requests-sent")


def _step3_the_case_waits_on_both_providers(app, w, page) -> None:
    page.goto(f"/casussen/{w.case_id}")
    due = page.locator("#case-next-due")
    expect(due).to_contain_text("Antwoord op een verzoek")
    expect(due).to_contain_text("wacht op Jeugdzorg De Linde, Kwadraad Gezinshulp")
    screenshot(page, app, "story-3-case-waits-on-providers")


def _step4_provider_a_declines(app, w, page) -> None:
    sign_in(page, app, w.provider_member)
    card = page.locator("#start-requests")
    expect(card).to_contain_text("1 verzoek wacht op antwoord")
    screenshot(page, app, "story-4-provider-a-start")
    card.get_by_role("link", name=f"{w.refs[w.case_id]}: {nl(app, 'Lead provider')}").click()
    page.wait_for_url("**/verzoeken/*")
    expect(page.locator("h1")).to_have_text("Verzoek aan Jeugdzorg De Linde")
    expect(page.locator("main")).to_contain_text(QUESTION)
    page.locator("#decline_reason").select_option(label=nl(app, "No capacity"))
    page.locator("#decline_text").fill(DECLINE_TEXT)
    page.get_by_role("button", name=nl(app, "Decline the request")).click()
    expect(page.locator("#request-state")).to_contain_text(nl(app, "Declined"))
    expect(page.locator("main")).to_contain_text(f"{nl(app, 'No capacity')}: {DECLINE_TEXT}")
    screenshot(page, app, "story-4-provider-a-declined")
    # Declining does not open the case to the provider.
    assert page.goto(f"/casussen/{w.case_id}").status == 404


def _step5_provider_b_accepts(app, w, page) -> None:
    sign_in(page, app, w.other_provider_member)
    card = page.locator("#start-requests")
    expect(card).to_contain_text("2 verzoeken wachten op antwoord")
    assert page.goto(f"/casussen/{w.case_id}").status == 404  # not a participant yet
    page.goto("/start")
    card.get_by_role("link", name=f"{w.refs[w.case_id]}: {nl(app, 'Lead provider')}").click()
    page.wait_for_url("**/verzoeken/*")
    expect(page.locator("h1")).to_have_text("Verzoek aan Kwadraad Gezinshulp")
    page.locator("#contact_name").fill(CONTACT)
    start = TODAY + timedelta(days=7)
    page.locator("#intended_start").fill(start.isoformat())
    page.get_by_role("button", name=nl(app, "Accept the request")).click()
    expect(page.locator("#request-state")).to_contain_text(nl(app, "Accepted"))
    expect(page.locator("main")).to_contain_text(CONTACT)
    screenshot(page, app, "story-5-provider-b-accepted")
    # A participant of the case now: the case reference links to the case page.
    page.locator("main").get_by_role("link", name=w.refs[w.case_id]).click()
    page.wait_for_url(f"**/casussen/{w.case_id}")
    expect(page.locator("h1")).to_contain_text(w.refs[w.case_id])
    expect(page.locator("#plan-panel")).to_be_visible()
    # Its own request on the requests panel; not the other provider asked, nor in the history.
    expect(page.locator("#requests-panel tbody tr")).to_have_count(1)
    expect(page.locator("#requests-panel")).to_contain_text(CONTACT)
    expect(page.locator("main")).not_to_contain_text("Jeugdzorg De Linde")
    screenshot(page, app, "story-5-provider-b-case-page")


def _step6_the_director_reads_the_answers_and_help_starts(app, w, page) -> None:
    page.goto(f"/casussen/{w.case_id}/verzoeken")
    rows = page.locator("table tbody tr")
    declined = rows.filter(has_text="Jeugdzorg De Linde")
    expect(declined).to_contain_text(nl(app, "Declined"))
    expect(declined).to_contain_text(nl(app, "No capacity"))
    accepted = rows.filter(has_text="Kwadraad Gezinshulp")
    expect(accepted).to_contain_text(nl(app, "Accepted"))
    expect(accepted).to_contain_text(nl(app, "Contact: %(name)s", name=CONTACT))
    screenshot(page, app, "story-6-director-reads-answers")
    declined.get_by_role("link", name="Jeugdzorg De Linde").click()
    expect(page.locator("main")).to_contain_text(DECLINE_TEXT)
    expect(page.locator("main")).to_contain_text("Ahmed Linde")  # who answered

    page.goto(f"/casussen/{w.case_id}/plan")
    page.locator("#fit-started_on").fill(TODAY.isoformat())
    page.locator("#fit-what").fill(STARTED)
    page.locator("#passende-hulp-form").get_by_role("button", name=nl(app, "Record: fitting help started")).click()
    expect(page.locator("#fitting-help-state")).to_contain_text(nl(app, "The case is in the monitoring stage."))
    expect(page.locator("#fitting-help-what")).to_have_text(STARTED)
    screenshot(page, app, "story-6-fitting-help-started")
    page.goto(f"/casussen/{w.case_id}")
    expect(page.locator("#case-status")).to_have_text(nl(app, "Monitoring"))
    expect(page.locator("#plan-panel")).to_contain_text(STARTED)
    expect(page.locator("#requests-panel")).to_contain_text(nl(app, "Accepted"))
    screenshot(page, app, "story-6-case-in-monitoring")
    with app.app_context():
        case = db.session.get(Case, w.case_id)
        assert (case.status, case.fitting_help_started_on) == ("monitoring", TODAY)


def _step7_provider_b_updates_its_capacity(app, w, page) -> None:
    page.goto("/start")
    card = page.locator("#start-capacity")
    expect(card.locator("#start-capacity-stale")).to_have_text("1 zorgsoort bij te werken")
    expect(card).to_contain_text("verouderd")
    card.get_by_role("link", name="Nu bijwerken (Ambulante jeugdhulp)").click()
    page.wait_for_url("**/capaciteit/ambulatory")
    page.locator("#places_available").fill("1")
    page.locator("#waiting_weeks").fill("3")
    page.locator("#note").fill("Eén plek vrij voor gezinsbehandeling thuis")
    page.get_by_role("button", name="Capaciteit opslaan").click()
    page.wait_for_url(f"**/collectief/aanbieders/{w.other_provider.id}#capacity")
    entry = page.locator("#capacity-ambulatory")
    expect(entry).to_contain_text("actueel")
    expect(entry).to_contain_text(nl(app, "updated today"))
    expect(entry).not_to_contain_text("verouderd")
    expect(entry).to_contain_text("Eén plek vrij voor gezinsbehandeling thuis")
    screenshot(page, app, "story-7-capacity-updated")
    page.goto("/start")
    expect(page.locator("#start-capacity")).to_contain_text(nl(app, "Your capacity is current."))
    expect(page.locator("#start-capacity-stale")).to_have_count(0)


def _step8_each_role_sees_what_waits_on_whom(app, w, new_page, provider_b) -> None:
    story_ref, other_ref, intake_ref = w.refs[w.case_id], w.refs[w.other_case_id], w.refs[w.intake_case_id]

    chair = new_page()
    sign_in(chair, app, w.chair)
    expect(chair.locator("#start-intake")).to_contain_text("1 aanmelding wacht op uw intakebesluit.")
    expect(chair.locator("#start-intake-overdue")).to_have_text("1 over tijd")
    expect(chair.locator("#start-overdue-intake_decision")).to_have_text("1 over tijd")
    expect(chair.locator("#start-overdue-request_reply")).to_have_text("1 over tijd")
    late = chair.locator("#start-late-requests")
    expect(late).to_contain_text("1 verzoek over de antwoorddatum")
    expect(late).to_contain_text(f"{other_ref}: GGZ Het Baken")
    expect(late).not_to_contain_text(story_ref)
    expect(chair.locator("#start-stale-count")).to_have_text("1 zorgsoort met verouderde capaciteit")
    screenshot(chair, app, "story-8-start-chair")
    chair.locator("#start-stale").get_by_role("link", name="Toon de verouderde capaciteit").click()
    chair.wait_for_url("**/collectief/capaciteit?*stale=1*")
    stale_rows = chair.locator("#overview-results tbody tr")
    expect(stale_rows).to_have_count(1)
    expect(stale_rows).to_contain_text("GGZ Het Baken")

    director = new_page()
    sign_in(director, app, w.director)
    mine = director.locator("#start-my-cases li")
    expect(mine).to_have_count(2)
    expect(mine.nth(0)).to_contain_text(other_ref)  # the late reply first
    expect(mine.nth(0)).to_contain_text("Antwoord op een verzoek")
    expect(mine.nth(0)).to_contain_text("over tijd")
    expect(mine.nth(0)).to_contain_text("wacht op GGZ Het Baken")
    expect(mine.nth(1)).to_contain_text(story_ref)
    expect(mine.nth(1)).to_contain_text(nl(app, "Monitoring"))
    expect(mine.nth(1)).to_contain_text("Evaluatiemoment")
    expect(mine.nth(1)).to_contain_text("wacht op u")
    expect(director.locator("#start-late-requests")).to_contain_text("1 verzoek over de antwoorddatum")
    screenshot(director, app, "story-8-start-process-director")

    caseworker = new_page()
    sign_in(caseworker, app, w.caseworker)
    cards = caseworker.locator("#start-my-cases")
    expect(cards.locator("li")).to_have_count(3)
    expect(cards.locator("li", has_text=intake_ref)).to_contain_text("wacht op de voorzitter van het RET")
    expect(cards.locator("li", has_text=other_ref)).to_contain_text("wacht op GGZ Het Baken")
    expect(cards.locator("li", has_text=story_ref)).to_contain_text("wacht op Pim Regisseur")
    screenshot(caseworker, app, "story-8-start-caseworker")

    provider_b.goto("/start")
    waiting = provider_b.locator("#start-requests")
    expect(waiting).to_contain_text("1 verzoek wacht op antwoord")
    expect(waiting.locator("li")).to_have_count(1)
    expect(waiting.locator("li")).to_contain_text(other_ref)
    expect(waiting).to_contain_text("1 lopende toezegging")
    expect(provider_b.locator("#start-capacity")).to_contain_text(nl(app, "Your capacity is current."))
    expect(provider_b.locator("#start-capacity")).to_contain_text(nl(app, "updated today"))
    screenshot(provider_b, app, "story-8-start-provider")
    waiting.get_by_role("link", name=nl(app, "My commitments")).click()
    provider_b.wait_for_url("**/toezeggingen")
    expect(provider_b.locator("main tbody tr")).to_have_count(1)
    expect(provider_b.locator("main tbody tr")).to_contain_text(story_ref)


def test_from_plan_to_fitting_help_through_the_pages_of_every_role(app, story, new_page):
    director = new_page()
    director.on("dialog", lambda dialog: dialog.accept())  # agreeing the plan, fitting help started
    sign_in(director, app, story.director)
    _step1_the_director_writes_and_agrees_the_plan(app, story, director)
    _step2_the_director_asks_two_providers(app, story, director)
    _step3_the_case_waits_on_both_providers(app, story, director)
    _step4_provider_a_declines(app, story, new_page())
    provider_b = new_page()
    _step5_provider_b_accepts(app, story, provider_b)
    _step6_the_director_reads_the_answers_and_help_starts(app, story, director)
    _step7_provider_b_updates_its_capacity(app, story, provider_b)
    _step8_each_role_sees_what_waits_on_whom(app, story, new_page, provider_b)
