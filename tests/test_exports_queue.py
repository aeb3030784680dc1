"""An export made by a real job worker on PostgreSQL (procrastinate; ret_app/jobs/tasks.py and
queue.py): the request hands the job to the queue after its commit and answers at once; a separate
worker process (what `flask jobs-worker` runs, tests/jobs_worker.py) makes it; while it is being made
the requester's page shows its progress (read from the database by another connection); then the
requester downloads the file, and the audit trail names the requester for what the worker did.

SQLite has no queue (the demo makes exports in a thread of the development server): skipped there
with that reason; `make test` runs the suite on PostgreSQL too, where this runs."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import AuditEvent, ExportJob
from tests import export_kinds
from tests.conftest import csrf_token, login
from tests.test_jobs_queue import _scalar, workers  # noqa: F401  (workers is a fixture)

pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="procrastinate's queue lives in PostgreSQL; SQLite makes exports in a thread of "
                              "the development server (make test's PostgreSQL run executes this)"),
    pytest.mark.committing,
]


def test_a_worker_makes_the_export_while_the_page_shows_its_progress(app, make_world, monkeypatch, tmp_path,
                                                                       workers):  # noqa: F811
    export_kinds.register()
    monkeypatch.setitem(app.config, "JOBS_TASKS", "queue")
    gate = tmp_path / "go-on"
    monkeypatch.setenv("RET_TEST_EXPORT_GATE", str(gate))
    world = make_world()
    workers.start("exports")

    client = app.test_client()
    login(client, app, world.chair)
    asked = client.post(f"/exports/{export_kinds.REPORT}/aanvragen",
                        data={"csrf_token": csrf_token(client, "/start"), "steps": "4"})
    assert asked.status_code == 302
    job_id = int(re.search(r"/exports/(\d+)$", asked.headers["Location"]).group(1))
    assert _scalar(app, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'ret.task.export' "
                        "AND args->>'job_id' = :id", id=str(job_id)) == 1

    def poll() -> str:
        return client.get(f"/exports/{job_id}?gezien=running", headers={"HX-Request": "true"}).get_data(as_text=True)

    workers.wait_for(lambda: "Stap 2 van 4" in poll(), "the page to show the worker at step 2")
    page = poll()
    assert 'value="40"' in page and 'hx-trigger="every 1s"' in page
    assert _scalar(app, "SELECT status FROM export_job WHERE id = :id", id=job_id) == "running"

    gate.touch()
    workers.wait_for(lambda: _scalar(app, "SELECT status FROM export_job WHERE id = :id", id=job_id) == "done",
                     "the worker to finish the export")
    steps = [line.split() for line in workers.lines() if line.startswith("export-step")]
    assert [step for _, _, step in steps] == ["1", "2", "3", "4"]
    assert {pid for _, pid, _ in steps} != {str(os.getpid())}  # made in the worker, not here

    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "Uw export is klaar." in page and "hx-trigger" not in page.split('id="export-progress"', 1)[1]
    download = client.get(f"/exports/{job_id}/bestand")
    assert download.status_code == 200
    assert download.data == f"requester;{world.chair.id}\n1;ok\n2;ok\n3;ok\n4;ok\n".encode()
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert (job.attempts, job.progress) == (1, 100)
        trail = db.session.execute(select(AuditEvent.action, AuditEvent.object_type, AuditEvent.user_id).where(
            AuditEvent.object_id == str(job_id), AuditEvent.object_type.in_(("export_job", "test_report")))
            .order_by(AuditEvent.id)).all()
        db.session.rollback()
    assert [tuple(row) for row in trail] == [("create", "export_job", world.chair.id),
                                             ("export", "test_report", world.chair.id),
                                             ("update", "export_job", world.chair.id),
                                             ("export", "export_job", world.chair.id)]
    workers.wait_for(lambda: _scalar(app, "SELECT status FROM procrastinate_jobs WHERE task_name = 'ret.task.export' "
                                          "AND args->>'job_id' = :id", id=str(job_id)) == "succeeded",
                     "the queue to mark the task succeeded")
