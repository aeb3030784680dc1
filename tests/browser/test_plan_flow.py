"""The process direction plan in Chromium: the process director writes goals in the family's words
(htmx, errors next to the fields with the input kept), plans a review moment, agrees version 1; the
chair and the director edit the same goal at once and the second gets the conflict with both inputs;
fitting help started moves the case to monitoring; the plan downloads as a PDF. Screenshots in
test-artifacts/."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ret_app.extensions import db
from ret_app.models import Case, CaseParticipant
from tests.browser.conftest import check_accessibility, nl, screenshot, sign_in

pytestmark = pytest.mark.browser


def _world(app, factory):
    region = factory.region("Regio Plantest")
    municipality = factory.municipality(region.id, name="Gemeente Plantest")
    team = factory.organisation(kind="access_team", region_id=region.id, municipality_id=municipality.id,
                                name="Toegangsteam Plantest")
    ret = factory.organisation(kind="ret", region_id=region.id, name="RET Plantest")
    provider = factory.organisation(kind="provider", region_id=region.id, collective_member=True,
                                    name="Jeugdhulp Plantest")
    caseworker = factory.user("caseworker", team.id, name="Karin Toegang")
    chair = factory.user("chair", ret.id, name="Carla Voorzitter")
    director = factory.user("ret_member", ret.id, name="Pim Regisseur")
    intake = datetime.now(timezone.utc) - timedelta(days=20)
    case_id = factory.case(caseworker, municipality, status="process_direction", consent_ret=True,
                           consent_collective=True, track="process_direction", process_director_id=director.id,
                           submitted_at=intake - timedelta(days=2), intake_at=intake)
    with app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=director.id,
                                       invited_by_id=chair.id))
        db.session.commit()
    return case_id, chair, director, provider


def test_the_director_writes_the_plan_and_fitting_help_moves_the_case_to_monitoring(app, factory, new_page):
    case_id, chair, director, provider = _world(app, factory)
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of agreeing and of fitting help
    sign_in(page, app, director)
    page.goto(f"/casussen/{case_id}")
    panel = page.locator("#plan-panel")
    expect(panel).to_contain_text(nl(app, "Not agreed yet."))
    panel.get_by_role("link", name=nl(app, "To the plan")).click()
    page.wait_for_url(f"**/casussen/{case_id}/plan")

    # A goal without words is refused next to the field; what was chosen stays.
    add = page.locator("#nieuw-doel")
    add.locator("#goal-voiced_by").select_option("youth")
    add.locator("#goal-provider_id").select_option(label="Jeugdhulp Plantest")
    add.locator("#goal-provider_name").fill("Huisarts De Berk")
    add.get_by_role("button", name=nl(app, "Add goal")).click()
    expect(page.locator("#goal-text-error")).to_have_text(
        nl(app, "Write the goal down, in the family's own words where possible."))
    expect(page.locator("#goal-provider_name-error")).to_have_text(
        nl(app, "Choose a provider of the collective or name one outside it, not both."))
    expect(page.locator("#goal-provider_name")).to_have_value("Huisarts De Berk")
    expect(page.locator("#goal-voiced_by")).to_have_value("youth")
    screenshot(page, app, "plan-goal-errors")

    page.locator("#goal-text").fill("Ik wil weer naar school, gewoon in de klas.")
    page.locator("#goal-provider_name").fill("")
    page.locator("#goal-care_type").select_option("education_care")
    page.locator("#goal-intended_start").fill((date.today() + timedelta(days=14)).isoformat())
    page.locator("#nieuw-doel").get_by_role("button", name=nl(app, "Add goal")).click()
    expect(page.locator("#plan-goals")).to_contain_text("Ik wil weer naar school, gewoon in de klas.")
    expect(page.locator("#doelen .ret-notice")).to_have_text(nl(app, "The goal has been added to the plan."))
    page.locator("#goal-text").fill("Wij willen weten wat we thuis kunnen doen als het misgaat.")
    page.locator("#goal-voiced_by").select_option("parents")
    page.locator("#goal-provider_name").fill("Wijkteam Plantest")
    page.locator("#nieuw-doel").get_by_role("button", name=nl(app, "Add goal")).click()
    expect(page.locator("#plan-goals > li")).to_have_count(2)

    # A review moment in three weeks.
    review_day = date.today() + timedelta(days=21)
    page.locator("#review-planned_on").fill(review_day.isoformat())
    page.locator("#nieuwe-evaluatie").get_by_role("button", name=nl(app, "Plan review moment")).click()
    expect(page.locator("#plan-reviews > li")).to_have_count(1)

    # Agree version 1 (the agree form came back with every change, carrying the plan's version).
    page.locator("#vaststellen").get_by_role("button", name=nl(app, "Agree this version")).click()
    expect(page.locator("#plan-state")).to_contain_text(nl(app, "Agreed"))
    expect(page.locator("#plan-versions")).to_contain_text(nl(app, "Version %(number)s", number=1))
    screenshot(page, app, "plan-agreed")
    check_accessibility(page, app, "plan-agreed")

    # The chair and the director change the first goal at the same time.
    chair_page = new_page()
    sign_in(chair_page, app, chair)
    chair_page.goto(f"/casussen/{case_id}/plan")
    first = page.locator("#plan-goals > li").first
    goal_id = first.get_attribute("id").removeprefix("doel-")
    first.locator("summary").click()
    chair_page.locator(f"#doel-{goal_id} summary").click()
    page.locator(f"#g{goal_id}-status").select_option("partly")
    page.locator(f"#doel-{goal_id}").get_by_role("button", name=nl(app, "Save goal")).click()
    expect(page.locator(f"#doel-{goal_id} .ret-notice")).to_have_text(nl(app, "The goal has been saved."))
    expect(page.locator("#plan-state")).to_contain_text(nl(app, "Draft with changes"))
    chair_page.locator(f"#g{goal_id}-text").fill("Ik wil weer naar school, eerst halve dagen.")
    chair_page.locator(f"#doel-{goal_id}").get_by_role("button", name=nl(app, "Save goal")).click()
    conflict = chair_page.locator(f"#doel-{goal_id} .ret-conflict")
    expect(conflict).to_contain_text(nl(app, "Someone else saved this after you opened it."))
    expect(chair_page.locator(f"#g{goal_id}-text")).to_have_value("Ik wil weer naar school, eerst halve dagen.")
    # Next to the status what the director saved; next to the text what is saved (the chair's own input
    # stays in the field).
    saved = chair_page.locator(f"#doel-{goal_id} .ret-saved-now")
    expect(saved.filter(has_text=nl(app, "partly reached"))).to_have_count(1)
    expect(saved.filter(has_text="Ik wil weer naar school, gewoon in de klas.")).to_have_count(1)
    screenshot(chair_page, app, "plan-goal-conflict")
    # Saving again is a choice made knowingly: the chair keeps the director's status and adds the text.
    chair_page.locator(f"#g{goal_id}-status").select_option("partly")
    chair_page.locator(f"#doel-{goal_id}").get_by_role("button", name=nl(app, "Save goal")).click()
    expect(chair_page.locator(f"#doel-{goal_id} .ret-notice")).to_have_text(nl(app, "The goal has been saved."))

    # Fitting help started: the case moves to monitoring.
    page.goto(f"/casussen/{case_id}/plan")
    started = date.today() - timedelta(days=1)
    page.locator("#fit-started_on").fill(started.isoformat())
    page.locator("#fit-what").fill("Halve dagen school met begeleiding van Jeugdhulp Plantest.")
    page.locator("#passende-hulp-form").get_by_role("button", name=nl(app, "Record: fitting help started")).click()
    expect(page.locator(".ret-flashes")).to_contain_text(nl(
        app, "Fitting help started on %(date)s. The case is in the monitoring stage now.", date="X").split("X")[0])
    expect(page.locator("#fitting-help-state")).to_contain_text(nl(app, "The case is in the monitoring stage."))
    expect(page.locator("#fitting-help-what")).to_have_text("Halve dagen school met begeleiding van Jeugdhulp Plantest.")
    screenshot(page, app, "plan-fitting-help")
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.status, case.fitting_help_started_on) == ("monitoring", started)
    page.goto(f"/casussen/{case_id}")
    expect(page.locator("#case-status")).to_have_text(nl(app, "Monitoring"))
    expect(page.locator("#plan-panel")).to_contain_text("Halve dagen school")
    screenshot(page, app, "plan-case-panel")

    # The plan as a PDF for the family conversation.
    with page.expect_download() as download_info:
        page.locator("#plan-panel").get_by_role("link", name=nl(app, "Plan (PDF)")).click()
    download = download_info.value
    assert re.fullmatch(r"plan-RET-\d{4}-\d{4}\.pdf", download.suggested_filename)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages)
    assert "Ik wil weer naar school, eerst halve dagen." in " ".join(text.split())
