"""The administrator's page of the job runner's health (/beheer/taken): every periodic job with its state
(on time, late, not run yet) and the exports waiting, running, stalled and failed; two queries whatever the
number of exports; for the administrator only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.jobs import health, registry
from ret_app.kernel import dates
from ret_app.models import ExportJob, JobRun, User
from tests.conftest import login


@pytest.fixture
def world(make_world):
    return make_world()


def test_each_job_late_on_time_or_not_run_and_the_exports(app, world):
    now = dates.utcnow()
    names = sorted(job.name for job in registry.jobs())
    late, on_time = names[0], names[1]
    with app.app_context():
        late_due = registry.latest_point(registry.get(late).schedule, now)
        on_time_due = registry.latest_point(registry.get(on_time).schedule, now)
        db.session.add_all([
            JobRun(name=late, last_period_at=late_due - timedelta(days=2), finished_at=late_due - timedelta(days=2),
                   last_count=3, runs=5),
            JobRun(name=on_time, last_period_at=on_time_due, finished_at=on_time_due + timedelta(minutes=1),
                   last_count=7, runs=9)])
        admin = db.session.get(User, world.admin.id)
        for status, extra in (("queued", {}), ("running", {"heartbeat_at": now - timedelta(hours=2)}),
                              ("running", {"heartbeat_at": now}), ("failed", {"finished_at": now})):
            db.session.add(ExportJob(kind="test", requested_by_id=admin.id, status=status, **extra))
        db.session.commit()
        states = {j.name: j.state for j in health.jobs(now + health.LATE_AFTER)}
        tasks = health.tasks(now)
    assert states[on_time] == "on_time" and states[names[2]] == "never"
    assert states[late] == "late" or (now - late_due) < health.LATE_AFTER
    assert (tasks.queued, tasks.running, tasks.stalled, tasks.failed_last_day) == (1, 2, 1, 1)
    assert not tasks.healthy

    client = app.test_client()
    login(client, app, world.admin)
    page = client.get("/beheer/taken").get_data(as_text=True)
    assert 'id="jobs-table"' in page and f'id="job-{on_time}"' in page and "Op tijd" in page
    assert "Nog niet gedraaid" in page and "Aandacht nodig" in page
    for name in names:
        assert f'id="job-{name}"' in page


@pytest.mark.counts_queries("jobs.jobs_page")
def test_the_page_keeps_its_query_count(app, world, count_queries):
    client = app.test_client()
    login(client, app, world.admin)
    counts = []
    for n in (1, 20):
        with app.app_context():
            admin_id = db.session.scalar(select(User.id).where(User.id == world.admin.id))
            db.session.add_all([ExportJob(kind="test", requested_by_id=admin_id, status="queued") for _ in range(n)])
            db.session.commit()
        with count_queries() as statements:
            assert client.get("/beheer/taken").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_only_the_administrator_sees_it(app, world):
    client = app.test_client()
    login(client, app, world.chair)
    assert client.get("/beheer/taken").status_code in (403, 404)
