"""The job runner as a capability: the administrator's page of its health (/beheer/taken); the commands `flask run-job` and `flask jobs-worker`,
and the in-process runner of the SQLite demo (started for `flask run` when configured)."""

from __future__ import annotations

import logging
import sys
from datetime import date
from typing import Optional

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from flask_babel import lazy_gettext as _l

from ret_app.expected import ADMIN
from ret_app.jobs import inprocess, registry, tasks
from ret_app.jobs.routes import bp
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

capability = (
    Capability("jobs")
    .blueprint(bp)
    .nav("jobs.jobs_page", _l("Jobs"), Permission.MANAGE_REFERENCE_DATA, "jobs.", order=125)
    .audit_words({}, {"job_health": _l("health of the job runner")})
    .expected_access({"jobs.jobs_page": ADMIN})
)


@capability.on_install
def _install(app: Flask) -> None:
    app.cli.add_command(run_job)
    app.cli.add_command(jobs_worker)
    tasks.install_queue(_defer_to_queue)
    inprocess.start_if_configured(app)


def _defer_to_queue(app: Flask, name: str, kwargs: dict) -> None:
    from ret_app.jobs import queue

    queue.defer_task(app, name, kwargs)


@click.command("run-job")
@click.argument("name", required=False)
@click.option("--list", "list_jobs", is_flag=True, help="List the registered jobs and their last runs.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run for this day (YYYY-MM-DD) instead of today in the Netherlands.")
@with_appcontext
def run_job(name: Optional[str], list_jobs: bool, today) -> None:
    """Run one registered job now, in this process (one unit of work; safe next to the workers: the
    jobs are idempotent and two runs of one job never overlap)."""
    if list_jobs or not name:
        for job in registry.jobs():
            last = registry.last_run(job.name)
            when = (f"last run for {last.last_day.isoformat()}: {last.last_count} changed"
                    if last is not None and last.last_day is not None else "never run")
            click.echo(f"{job.name}\t{job.schedule} (UTC)\t{when}\t{job.description}")
        if not name and not list_jobs:
            click.echo("Name a job to run it: flask run-job NAME", err=True)
            sys.exit(2)
        return
    try:
        registry.get(name)
    except LookupError:
        known = ", ".join(job.name for job in registry.jobs()) or "none"
        click.echo(f"No job named {name!r}; registered: {known}", err=True)
        sys.exit(2)
    day: Optional[date] = today.date() if today is not None else None
    outcome = registry.run(name, day)
    click.echo(f"{outcome.name}: {outcome.count} changed")


@click.command("jobs-worker")
@click.option("--concurrency", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Jobs this worker runs at the same time.")
@with_appcontext
def jobs_worker(concurrency: int) -> None:
    """Run a job worker (PostgreSQL): runs the periodic jobs from the queue until stopped. Start
    one or more next to gunicorn, on one machine or several (docs/production.md)."""
    from ret_app.jobs import queue

    if not current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        click.echo("Refused: the job worker needs PostgreSQL. On SQLite the development server runs "
                   "the jobs (make run); any job also runs by hand: flask run-job NAME", err=True)
        sys.exit(2)
    if not logging.getLogger().handlers:  # the worker's log on stderr (systemd's journal): job names,
        # ids, schedule timestamps and counts, never personal data
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    queue.run_worker(current_app._get_current_object(), concurrency)  # type: ignore[attr-defined]
