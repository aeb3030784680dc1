"""In Chromium, issue 13's story: the family's rights.

1. The chair opens a case's access log: the reads of the access team and a provider, a search hit and a
   refused attempt by another municipality's team are there with who, role and organisation; the filter
   narrows it to refusals. The chair makes the family's "who looked at your file" PDF (an export job) and
   downloads it: organisations, roles and actions, no staff member's name (the region's default).
2. Three closed cases met the same gap, so a gap signal of 3 cases stands. A parent asked 80 days ago to
   erase one of them: the request is due in 10 days. The privacy officer sees it on the start page, opens
   it, is refused without a decision and without ticking that erasing cannot be undone, then grants it.
3. The case is gone from the chair's case list and its page is 404; the minimal record says it was erased;
   the signal still counts 3 cases, and the anonymous outcome rows are all still there.

Screenshots and the PDF's pages go to test-artifacts/ (or $SHOTS_DIR)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from ret_app import audit
from ret_app.extensions import db
from ret_app.models import (
    Case, CaseOutcome, ErasureRequest, GapCategory, GapSignal, OutcomeGap, User,
)
from tests.browser.conftest import backend_name, check_accessibility, keep_pdf, nl, shots_dir, sign_in

pytestmark = pytest.mark.browser

YOUTH_FIRST, YOUTH_LAST, BSN = "Ysbrand", "Kuipers-Olthof", "135792468"


def shot(page, app, name: str) -> None:
    page.screenshot(path=str(shots_dir() / f"issue13-{name}-{backend_name(app)}.png"), full_page=True)


@pytest.fixture
def story(app, make_world, factory):
    world = make_world(names={"chair": "Wendelien Stokvis", "caseworker": "Gerbrich Annema",
                              "provider_member": "Tjitske Hoekstra", "privacy_officer": "Hendrikje Postma"})
    other_team = factory.user("caseworker", factory.organisation("access_team", region_id=world.region.id).id,
                              name="Wobbe Dijkstra")
    now = datetime.now(timezone.utc)
    # The case whose access log the chair opens.
    open_case = factory.case(world.caseworker, world.municipality, status="screening", consent_ret=True,
                             submitted_at=now - timedelta(days=20), intake_at=now - timedelta(days=18))
    with app.app_context():
        users = {u.id: u for u in db.session.scalars(select(User).where(
            User.id.in_([world.caseworker.id, world.provider_member.id, other_team.id])))}
        audit.record(audit.Action.READ, object_type="case", object_id=open_case, case_id=open_case,
                     user=users[world.caseworker.id], at=now - timedelta(days=5), address="198.51.100.8")
        audit.record(audit.Action.SEARCH, object_type="case_search_hit", object_id=open_case, case_id=open_case,
                     user=users[world.caseworker.id], at=now - timedelta(days=4), address="198.51.100.8")
        audit.record(audit.Action.READ, object_type="case", object_id=open_case, case_id=open_case,
                     user=users[world.provider_member.id], detail="screening", at=now - timedelta(days=3),
                     address="203.0.113.45")
        audit.record(audit.Action.READ, outcome=audit.Outcome.DENIED, object_type="case", object_id=open_case,
                     case_id=open_case, user=users[other_team.id], at=now - timedelta(days=2),
                     address="198.51.100.63")
        db.session.commit()
        category = db.session.scalar(select(GapCategory).where(GapCategory.region_id == world.region.id,
                                                               GapCategory.code == "no_living_place"))
        category_id = category.id
    # Three closed cases with the same gap: a signal of 3 cases.
    closed = []
    for days in (20, 40, 60):
        case_id = factory.case(world.caseworker, world.municipality, status="closed", track="process_direction",
                               consent_ret=True, submitted_at=now - timedelta(days=days + 90),
                               closed_at=now - timedelta(days=days), outcome_recorded_at=now - timedelta(days=days))
        closed.append(case_id)
        with app.app_context():
            outcome = CaseOutcome(case_id=case_id, result="not_realised", recorded_by_id=world.chair.id,
                                  recorded_at=now - timedelta(days=days))
            outcome.gaps.append(OutcomeGap(case_id=case_id, gap_category_id=category_id, note="Geen woonplek"))
            db.session.add(outcome)
            db.session.commit()
    erased = closed[0]
    with app.app_context():
        from ret_app.signals import rule

        rule.evaluate_region(world.region.id)
        case = db.session.get(Case, erased)
        case.youth_first_name, case.youth_last_name, case.youth_bsn = YOUTH_FIRST, YOUTH_LAST, BSN
        received = date.today() - timedelta(days=80)
        db.session.add(ErasureRequest(case_id=erased, region_id=world.region.id, requester_kind="parent",
                                      requester_name="Moeder van de jeugdige", received_on=received,
                                      due_on=date.today() + timedelta(days=10), recorded_by_id=world.chair.id))
        db.session.commit()
        signal = db.session.scalar(select(GapSignal).where(GapSignal.region_id == world.region.id,
                                                           GapSignal.care_type.is_(None)))
        assert signal is not None and signal.case_count == 3
        references = {"open": db.session.get(Case, open_case).reference, "erased": case.reference}
    return world, open_case, erased, references, signal.id


def outcome_rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(CaseOutcome)),
                db.session.scalar(select(func.count()).select_from(OutcomeGap)))


def test_access_log_family_pdf_and_an_erasure(app, story, new_page):
    world, open_case, erased, references, signal_id = story

    # 1. The chair opens the case's access log.
    chair = new_page()
    sign_in(chair, app, world.chair)
    chair.goto(f"/casussen/{open_case}")
    chair.goto(f"/casussen/{open_case}/toegangslog")
    log = chair.locator("main table")
    expect(log).to_contain_text("Gerbrich Annema")
    expect(log).to_contain_text("Tjitske Hoekstra")
    expect(log).to_contain_text("Wobbe Dijkstra")
    expect(log).to_contain_text("203.0.113.45")
    expect(log).to_contain_text(nl(app, "search hit"))
    check_accessibility(chair, app, "issue13-access-log")
    shot(chair, app, "1-access-log")
    chair.locator("#kind").select_option("denied")
    chair.get_by_role("button", name=nl(app, "Filter")).click()
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log).to_contain_text("Wobbe Dijkstra")
    shot(chair, app, "2-access-log-refused")

    # The family's PDF, as an export job.
    chair.goto(f"/casussen/{open_case}/toegangslog")
    chair.get_by_role("button", name=nl(app, "Make the PDF for the family")).click()
    chair.wait_for_url(re.compile(r"/exports/\d+$"))
    download_link = chair.get_by_role("link", name=re.compile(r"^" + re.escape(nl(app, "Download")[:8])))
    expect(download_link).to_be_visible(timeout=60_000)
    shot(chair, app, "3-family-pdf-ready")
    with chair.expect_download() as download_info:
        download_link.click()
    data = Path(download_info.value.path()).read_bytes()
    assert data[:5] == b"%PDF-"
    text = keep_pdf(app, "issue13-family", data)
    # Per day the organisation, the role and the action; the refused attempt saw nothing and is not listed.
    assert references["open"] in text and "Toegangsmedewerker" in text and "Lid HSWV-collectief" in text
    assert "Gevonden bij" in text and "RET-voorzitter" in text and text.count("Toegangsmedewerker") == 2
    for name in ("Gerbrich", "Tjitske", "Wendelien", "Wobbe"):
        assert name not in text, f"a staff member's name in the family's PDF: {name}"

    # 2. The privacy officer: the request due, refused without a decision and without the tick, then granted.
    counts_before = outcome_rows(app)
    chair.goto("/casussen?status=closed")
    expect(chair.locator("#case-results")).to_contain_text(references["erased"])
    officer = new_page()
    sign_in(officer, app, world.privacy_officer)
    card = officer.locator("#start-erasure")
    expect(card).to_contain_text(references["erased"])
    check_accessibility(officer, app, "issue13-officer-start")
    shot(officer, app, "4-officer-start")
    card.get_by_role("link", name=re.compile(references["erased"])).first.click()
    officer.wait_for_url(re.compile(r"/verwijderverzoeken/\d+$"))
    check_accessibility(officer, app, "issue13-erasure-request")
    officer.get_by_role("button", name=nl(app, "Record the decision")).click()
    expect(officer.locator("main")).to_contain_text(nl(app, "Choose a decision."))
    officer.locator("#decision").select_option("grant")
    officer.get_by_role("button", name=nl(app, "Record the decision")).click()
    expect(officer.locator("main")).to_contain_text(
        nl(app, "Tick that you understand that erasing the case cannot be undone."))
    expect(officer.locator("#decision")).to_have_value("grant")
    with app.app_context():
        assert db.session.get(Case, erased).status == "closed", "nothing erased before the tick"
    shot(officer, app, "5-erasure-not-ticked")
    officer.locator("#confirm").check()
    officer.get_by_role("button", name=nl(app, "Record the decision")).click()
    expect(officer.locator("main")).to_contain_text(nl(app, "The case has been erased."))
    shot(officer, app, "6-erased")

    # 3. Gone from every list; the minimal record; the counts stay.
    chair.goto("/casussen?status=closed")
    expect(chair.locator("#case-results")).not_to_contain_text(references["erased"])
    assert chair.goto(f"/casussen/{erased}").status == 404
    chair.goto(f"/casussen/{erased}/bewaren-en-verwijderen")
    expect(chair.locator("main")).to_contain_text(nl(app, "Erased"))
    assert YOUTH_FIRST not in chair.locator("main").inner_text()
    shot(chair, app, "7-minimal-record")
    chair.goto("/signalen")
    row = chair.locator("#signal-table tr", has=chair.locator(f"a[href$='/signalen/{signal_id}']"))
    expect(row.locator("td.utrecht-table__cell--numeric")).to_have_text("3")
    shot(chair, app, "8-signal-still-3")
    assert outcome_rows(app) == counts_before
    with app.app_context():
        case = db.session.get(Case, erased)
        assert case.status == "erased" and not case.youth_bsn and YOUTH_FIRST not in (case.youth_first_name or "")
        assert db.session.get(GapSignal, signal_id).case_count == 3
