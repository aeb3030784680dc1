"""In Chromium: the chair's export failed ("Mijn exports" shows it); she asks for it again from its
page, lands on the new job's page and watches it being made (htmx polls every second: the progress
bar and the step change, the live region says it is being made), then it is ready without a reload
and she downloads the file. The job runs in a thread of the server (`JOBS_TASKS=thread`, as in the
SQLite demo), paused at its second step until the test has looked at the page. Each page passes the
accessibility check; screenshots test-artifacts/export-*.png."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import ExportJob
from tests import export_kinds
from tests.browser.conftest import check_accessibility, nl, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_the_chair_watches_her_export_being_made_and_downloads_it(app, make_world, new_page, monkeypatch):
    export_kinds.register()
    monkeypatch.setitem(app.config, "JOBS_TASKS", "thread")
    world = make_world(names={"chair": "Vera Voorzitter"})
    with app.app_context():
        failed = ExportJob(kind=export_kinds.REPORT, params={"steps": 4}, requested_by_id=world.chair.id, locale="nl",
                           status="failed", progress=20, message=export_kinds.NO_DATA, attempts=1,
                           created_at=utcnow() - timedelta(hours=1), finished_at=utcnow() - timedelta(hours=1))
        db.session.add(failed)
        db.session.commit()
        failed_id = failed.id
    at_step_two, go_on = threading.Event(), threading.Event()

    def pause(job, step, steps):
        if step == 2:
            at_step_two.set()
            go_on.wait(60)

    export_kinds.DURING.append(pause)
    try:
        page = new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, app, world.chair)
        page.goto("/exports")
        expect(page.get_by_role("heading", level=1)).to_have_text(nl(app, "My exports"))
        row = page.locator(f"#export-{failed_id}")
        expect(row).to_contain_text("Testrapport")
        expect(row).to_contain_text(nl(app, "Failed"))
        check_accessibility(page, app, "exports-list")
        screenshot(page, app, "export-1-list")

        row.get_by_role("link", name="Testrapport").click()
        expect(page.locator("#export-live")).to_have_text(nl(app, "Your export could not be made."))
        expect(page.locator("#export-failure")).to_contain_text(export_kinds.NO_DATA)
        check_accessibility(page, app, "export-failed")
        screenshot(page, app, "export-2-failed")

        page.get_by_role("button", name=nl(app, "Ask for it again")).click()
        page.wait_for_url(re.compile(r"/exports/\d+$"))
        job_id = int(re.search(r"/exports/(\d+)$", page.url).group(1))
        assert job_id != failed_id
        assert at_step_two.wait(30), "the job did not reach its second step"
        # The page polls: without a reload it shows the job at its second step.
        expect(page.locator("#export-step")).to_have_text("40% · Stap 2 van 4", timeout=10_000)
        expect(page.locator("progress#export-bar")).to_have_attribute("value", "40")
        expect(page.locator("#export-live")).to_have_text(nl(app, "Your export is being made."))
        check_accessibility(page, app, "export-progress")
        screenshot(page, app, "export-3-progress")

        go_on.set()
        download_link = page.get_by_role("link", name=nl(app, "Download %(name)s", name="testrapport.csv"))
        expect(download_link).to_be_visible(timeout=10_000)
        expect(page.locator("#export-live")).to_have_text(nl(app, "Your export is ready."))
        expect(page.locator("#export-progress")).not_to_have_attribute("hx-trigger", re.compile(".*"))
        check_accessibility(page, app, "export-done")
        screenshot(page, app, "export-4-done")
        with page.expect_download() as download_info:
            download_link.click()
        data = open(download_info.value.path(), "rb").read()
        assert data == f"requester;{world.chair.id}\n1;ok\n2;ok\n3;ok\n4;ok\n".encode()
        assert download_info.value.suggested_filename == "testrapport.csv"
    finally:
        go_on.set()
        export_kinds.DURING.clear()
