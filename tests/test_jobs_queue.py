"""The job queue with real workers on PostgreSQL (procrastinate; ret_app/jobs/queue.py): separate
worker processes (tests/jobs_worker.py, what `flask jobs-worker` runs), as on several machines.

- Two workers, one periodic job due every second: each schedule point becomes one job and runs
  once, although both workers' deferrers try every point (the database refuses the second deferral,
  and the workers say so in their logs).
- A worker killed mid-job (SIGKILL): its heartbeat stops, another worker's `retry-stalled` task
  puts the job back in the queue, and it runs again, once; what the killed run had written was
  never committed, so the effect is there once.

SQLite has no queue (the demo runs the jobs in-process): skipped there with that reason; `make
test` runs the suite on PostgreSQL too (scripts/with-postgres.sh), where these run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from ret_app.extensions import db
from ret_app.jobs import queue, registry
from ret_app.models import JobRun

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="procrastinate's queue lives in PostgreSQL; SQLite runs the jobs in-process "
                              "(make test's PostgreSQL run executes these)"),
    pytest.mark.committing,
]

QUEUE_TABLES = ("procrastinate_periodic_defers", "procrastinate_events", "procrastinate_jobs",
                "procrastinate_workers")


class Workers:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.log = tmp_path / "jobs.log"
        self.log.touch()
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def start(self, *jobs: str) -> subprocess.Popen:
        output = self.tmp_path / f"worker{len(self.processes)}.log"
        env = {**os.environ, "RET_TEST_JOBS_LOG": str(self.log), "RET_ENV": "test"}
        process = subprocess.Popen([sys.executable, "-m", "tests.jobs_worker", *jobs], cwd=ROOT, env=env,
                                   stdout=output.open("w"), stderr=subprocess.STDOUT)
        self.processes.append((process, output))
        return process

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def wait_for(self, condition, what: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            for process, output in self.processes:
                if process.poll() not in (None, -signal.SIGKILL):
                    pytest.fail(f"a worker ended ({process.returncode}):\n{output.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"waited in vain for {what}; logs:\n{self.output()[-6000:]}")
            time.sleep(0.2)

    def output(self) -> str:
        return "\n".join(output.read_text() for _, output in self.processes)

    def stop(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # graceful: running jobs finish first
        for process, _ in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(app, tmp_path):
    running = Workers(tmp_path)
    with app.app_context():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS jobs_test_effect (id serial PRIMARY KEY, note text)"))
        db.session.commit()
    try:
        yield running
    finally:
        running.stop()
        with app.app_context():
            db.session.rollback()
            db.session.execute(text(f"TRUNCATE {', '.join(QUEUE_TABLES)} CASCADE"))
            db.session.execute(text("DROP TABLE IF EXISTS jobs_test_effect"))
            db.session.commit()


def _scalar(app, sql: str, **params):
    with app.app_context():
        try:
            return db.session.execute(text(sql), params).scalar()
        finally:
            db.session.rollback()


def test_two_workers_run_each_periodic_point_once(app, workers):
    workers.start("tick")
    workers.start("tick")
    workers.wait_for(lambda: len(workers.lines()) >= 5, "five ticks")
    workers.stop()

    ticks = workers.lines()
    jobs = _scalar(app, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'ret.tick'")
    points = _scalar(app, "SELECT count(DISTINCT args->>'timestamp') FROM procrastinate_jobs "
                          "WHERE task_name = 'ret.tick'")
    succeeded = _scalar(app, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'ret.tick' "
                             "AND status = 'succeeded'")
    assert jobs == points, "a schedule point was deferred twice"
    assert succeeded == len(ticks), "a job ran twice, or ran without succeeding"
    assert _scalar(app, "SELECT max(attempts) FROM procrastinate_jobs WHERE task_name = 'ret.tick'") <= 1
    with app.app_context():
        assert db.session.get(JobRun, "tick").runs == len(ticks)
        db.session.rollback()
    # Both workers tried the same points; the database took the deferral from one of them only.
    assert "already deferred" in workers.output()


def test_a_job_whose_worker_dies_runs_again_once(app, workers):
    registry.register("slow", lambda today: 0, "0 0 1 1 *")  # for queue.defer: the task's name
    try:
        first = workers.start("slow")
        job_id = queue.defer(app, "slow", timestamp=int(time.time()))
        workers.wait_for(lambda: any(line.startswith("started") for line in workers.lines()),
                         "the first worker to start the job")
        assert _scalar(app, "SELECT status FROM procrastinate_jobs WHERE id = :id", id=job_id) == "doing"

        first.kill()  # SIGKILL: no graceful shutdown, the job stays "doing", the transaction dies
        first.wait()
        workers.start("slow")
        workers.wait_for(lambda: any(line.startswith("done") for line in workers.lines()),
                         "another worker to take the stalled job back and finish it")
        workers.wait_for(lambda: _scalar(app, "SELECT status FROM procrastinate_jobs WHERE id = :id",
                                         id=job_id) == "succeeded", "the job to be marked succeeded")
    finally:
        registry.unregister("slow")

    lines = workers.lines()
    assert [line.split()[0] for line in lines] == ["started", "started", "done"]
    assert lines[0].split()[1] == str(first.pid) and lines[1].split()[1] != str(first.pid)
    assert _scalar(app, "SELECT count(*) FROM jobs_test_effect") == 1, "the killed run's effect was kept"
    with app.app_context():
        assert db.session.get(JobRun, "slow").runs == 1
        db.session.rollback()
    assert "stalled: its worker stopped; queued again" in workers.output()
