"""The in-process runner of the SQLite demo: a background thread in the development server's
process that runs the due periodic jobs, so that `make run` stays the only command.

A job is due when its schedule has a point (cron, UTC) later than the point of its last completed
run; a job that never ran is due at once. Missed points are not run one by one: one run catches
up (the jobs work "since the last run"). Each run is one unit of work through `registry.run`.

It starts only when `JOBS_IN_PROCESS` is set (RET_JOBS_IN_PROCESS=1; the Makefile's `run` target
sets it), on SQLite, in the process that serves `flask run` (with the reloader: its child only).
It never starts in gunicorn workers or under the production configuration, and it is off in the
tests. On PostgreSQL the jobs go through the queue and `flask jobs-worker` instead.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Optional

from flask import Flask

from ret_app.extensions import db
from ret_app.jobs import registry
from ret_app.kernel import dates

log = logging.getLogger(__name__)


def due(now: datetime) -> list[tuple[registry.Job, datetime]]:
    """The jobs due at `now` (aware UTC), each with the schedule point it is due for."""
    found = []
    for job in registry.jobs():
        point = registry.latest_point(job.schedule, now)
        last = registry.last_run(job.name)
        if last is None or last.last_period_at is None or last.last_period_at < point:
            found.append((job, point))
    db.session.rollback()  # end the read; each run is its own unit of work
    return found


def run_due(now: Optional[datetime] = None) -> list[registry.Outcome]:
    """Run every due job once, for its latest schedule point (its "today": that point's day in the
    Netherlands). A failing job is logged (its type only) and does not stop the others."""
    now = now or dates.utcnow()
    outcomes = []
    for job, point in due(now):
        try:
            outcomes.append(registry.run(job.name, dates.local_date(point), period_at=point))
        except Exception:  # logged by registry.run without personal data; try again next tick
            db.session.rollback()
    return outcomes


class Runner(threading.Thread):
    """Runs `run_due` every `interval` seconds after a first wait of `start_delay` seconds, until
    `stop()`."""

    def __init__(self, app: Flask, interval: float, start_delay: float) -> None:
        super().__init__(name="ret-jobs-in-process", daemon=True)
        self.app = app
        self.interval = interval
        self.start_delay = start_delay
        self.stopping = threading.Event()
        self.ticks = 0

    def run(self) -> None:
        if self.stopping.wait(self.start_delay):
            return
        while True:
            self.tick()
            if self.stopping.wait(self.interval):
                return

    def tick(self) -> None:
        with self.app.app_context():
            try:
                run_due()
            except Exception as error:  # the database away for a moment: the next tick tries again
                log.error("in-process jobs: %s", type(error).__name__)
            finally:
                db.session.remove()
        self.ticks += 1

    def stop(self) -> None:
        self.stopping.set()


def _serving_flask_run() -> bool:
    """True in the process that serves `flask run` (with the reloader: only in its child, never in
    the watching parent); False for every other command and under gunicorn."""
    import click
    from flask.helpers import get_debug_flag
    from werkzeug.serving import is_running_from_reloader

    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return False
    reloading = context.params.get("reload")
    if reloading is None:  # as `flask run` decides: the reloader follows the debug flag
        reloading = get_debug_flag()
    return is_running_from_reloader() or not reloading


def start_if_configured(app: Flask) -> Optional[Runner]:
    """Start the runner when the configuration asks for it and this process serves `flask run`."""
    if not app.config.get("JOBS_IN_PROCESS"):
        return None
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError("RET_JOBS_IN_PROCESS is for the development server only; in production run "
                           "`flask jobs-worker` (docs/production.md)")
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        log.warning("in-process jobs are for the SQLite demo; on PostgreSQL run `flask jobs-worker`")
        return None
    if not _serving_flask_run():
        return None
    runner = Runner(app, float(app.config["JOBS_IN_PROCESS_INTERVAL_SECONDS"]),
                    float(app.config["JOBS_IN_PROCESS_START_SECONDS"]))
    app.extensions["ret_jobs_in_process"] = runner
    runner.start()
    log.info("in-process jobs: %d registered, checked every %s s", len(registry.jobs()), runner.interval)
    return runner
