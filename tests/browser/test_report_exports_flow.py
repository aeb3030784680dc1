"""In Chromium: the chair asks for the signal report of the running quarter on the gap overview and for a
learning-session pack of two approved vignettes; each is made by the job runner in a thread of the server
(`JOBS_TASKS=thread`, as in the SQLite demo) while she watches the job's page (the signal report is held at
one of its steps until the test has seen the progress), then she downloads the file from that page. The
downloaded PDFs are read back (pypdf) and kept as test-artifacts/report-*.pdf; screenshots
test-artifacts/report-*.png; each page passes the accessibility check."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import func, select

from ret_app.exports import registry
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.models import Case, CaseOutcome, GapCategory, LearningVignette, OutcomeGap
from ret_app.signals import report
from ret_app.stats.periods import Period
from tests.browser.conftest import ARTIFACTS, backend_name, check_accessibility, nl, screenshot, sign_in

pytestmark = pytest.mark.browser


def _closed_cases(world, n: int, *, code: str) -> list[int]:
    """`n` closed cases of the running quarter whose outcome names the gap `code`."""
    category = db.session.scalar(select(GapCategory.id).where(GapCategory.region_id == world.region.id,
                                                              GapCategory.code == code))
    first = Period.containing("quarter", dates.today()).start
    at = datetime(first.year, first.month, first.day, 10, tzinfo=timezone.utc)
    base = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
    ids = []
    for i in range(n):
        case = Case(id=base + i, reference=f"RPT-{base + i}", region_id=world.region.id,
                    municipality_id=world.municipality.id, submitting_organisation_id=world.team.id,
                    caseworker_id=world.caseworker.id, status="closed", youth_first_name="Jeugdige",
                    youth_last_name=f"Rapport{i}", submitted_at=at - timedelta(days=40), closed_at=at,
                    outcome_recorded_at=at)
        db.session.add(case)
        db.session.flush()
        outcome = CaseOutcome(case_id=case.id, result="not_realised", recorded_by_id=world.chair.id, recorded_at=at)
        outcome.gaps.append(OutcomeGap(case_id=case.id, gap_category_id=category, care_type=None, note="x"))
        db.session.add(outcome)
        ids.append(case.id)
    db.session.flush()
    return ids


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages).split())


def _download(page, app, filename: str, keep_as: str) -> bytes:
    link = page.get_by_role("link", name=nl(app, "Download %(name)s", name=filename))
    expect(link).to_be_visible(timeout=20_000)
    expect(page.locator("#export-live")).to_have_text(nl(app, "Your export is ready."))
    with page.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename == filename
    data = open(download_info.value.path(), "rb").read()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{keep_as}-{backend_name(app)}.pdf").write_bytes(data)
    return data


def test_the_chair_asks_for_the_signal_report_and_a_pack_watches_them_being_made_and_downloads_them(
        app, make_world, new_page, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_TASKS", "thread")
    world = make_world(names={"chair": "Vera Voorzitter"})
    with app.app_context():
        case_ids = _closed_cases(world, 7, code="no_place_best_fit")
        vignettes = []
        for i, case_id in enumerate(case_ids[:2]):
            vignette = LearningVignette(region_id=world.region.id, case_id=case_id, status="approved",
                                        title=f"Vastgelopen plek {i + 1}", text=f"## Vraag\n\nWelke plek past? ({i})",
                                        generated_by_id=world.chair.id, approved_by_id=world.chair.id,
                                        approved_at=utcnow(), withdraw_reason="")
            db.session.add(vignette)
            vignettes.append(vignette)
        db.session.commit()
        vignette_ids = [v.id for v in vignettes]
        category = db.session.scalar(select(GapCategory.name).where(GapCategory.region_id == world.region.id,
                                                                    GapCategory.code == "no_place_best_fit"))
    quarter = Period.containing("quarter", dates.today())

    # The signal report is held at its step "reading the gaps" until the test has seen it on the page.
    at_step, go_on = threading.Event(), threading.Event()
    kind = registry.find(report.KIND)

    def held_render(job, progress):
        def reporting(percent, message=None):
            progress(percent, message)
            if percent == 45:
                at_step.set()
                go_on.wait(60)
        return kind.render(job, reporting)

    monkeypatch.setitem(registry._kinds, report.KIND, registry.Kind(kind.code, held_render, kind.may_request,
                                                                     kind.label))
    try:
        page = new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, app, world.chair)
        page.goto("/signalen/hiaten")
        form = page.locator("#report-form")
        expect(form.get_by_label(nl(app, "Period"))).to_have_value(quarter.key)
        check_accessibility(page, app, "report-overview")
        form.get_by_role("button", name=nl(app, "Make the report as PDF")).click()
        page.wait_for_url(re.compile(r"/exports/\d+$"))
        assert at_step.wait(30), "the report did not reach its step"
        expect(page.locator("#export-step")).to_contain_text(
            "45% · " + nl(app, "Reading the gaps from the protected tables"), timeout=10_000)
        expect(page.locator("progress#export-bar")).to_have_attribute("value", "45")
        expect(page.locator("#export-live")).to_have_text(nl(app, "Your export is being made."))
        check_accessibility(page, app, "report-progress")
        screenshot(page, app, "report-1-progress")
        go_on.set()
        data = _download(page, app, f"signaalrapport-{quarter.key}.pdf", "report-signal")
        screenshot(page, app, "report-2-done")
        text = _pdf_text(data)
        assert category in text and quarter.label in text and "RPT-" not in text and "Rapport0" not in text

        # The learning-session pack: two approved vignettes ticked, the job's page, the download.
        page.goto("/leerverhalen/pakket")
        for vignette_id in vignette_ids:
            page.locator(f"#pack-{vignette_id}").check()
        check_accessibility(page, app, "report-pack-choice")
        page.get_by_role("button", name=nl(app, "Make the pack (PDF)")).click()
        page.wait_for_url(re.compile(r"/exports/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(nl(app, "Learning-session pack"))
        data = _download(page, app, "leerbijeenkomst-pakket.pdf", "report-pack")
        check_accessibility(page, app, "report-pack-done")
        screenshot(page, app, "report-3-pack-done")
        text = _pdf_text(data)
        assert all(f"LV-{vignette_id}" in text for vignette_id in vignette_ids)
        assert "RPT-" not in text and "Rapport0" not in text
    finally:
        go_on.set()
