"""The job queue on PostgreSQL: procrastinate (https://procrastinate.readthedocs.io), hidden here.

Every registered job becomes a procrastinate task `ret.<name>` with a periodic schedule. Each worker
(`flask jobs-worker`, on any number of machines) runs a periodic deferrer; the deferral of one
schedule point is an INSERT ... ON CONFLICT DO NOTHING on procrastinate_periodic_defers, unique on
(task, periodic id, timestamp), so a point becomes exactly one job whatever the number of workers.
A job is fetched by one worker (a row lock in procrastinate_fetch_job), so it runs once; the task's
`lock` keeps two jobs of the same task from running at the same time and its `queueing_lock` keeps
at most one waiting. The task runs `registry.run` for the point's day, which records the point: a
job for a point that already completed does nothing.

A worker that dies mid-job (killed, its machine gone) leaves its job in "doing". Workers send a
heartbeat every JOBS_HEARTBEAT_SECONDS; the periodic task `ret.retry-stalled` (every minute) asks
procrastinate for the jobs of workers without a heartbeat for JOBS_STALLED_AFTER_SECONDS and puts
them back in the queue (`JobManager.get_stalled_jobs` + `retry_job`, the library's recipe). Our
unit of work never committed, so the job runs again, once, from the start. `ret.remove-old-jobs`
deletes finished jobs after JOBS_KEEP_FINISHED_DAYS.

One-off tasks (`tasks`: an export a user asked for) become procrastinate tasks `ret.task.<name>`
on the same queue, deferred by `defer_task` once the request that asked for them has committed.
"""

from __future__ import annotations

import logging
import socket
from datetime import datetime, timezone
from typing import Any

import procrastinate
from flask import Flask
from sqlalchemy.engine import make_url

from ret_app.extensions import db
from ret_app.jobs import registry, tasks
from ret_app.kernel import dates

log = logging.getLogger(__name__)

QUEUE = "ret"
TASK_PREFIX = "ret."
ONE_OFF_PREFIX = "ret.task."  # job names have no dots: the two never clash
STALLED = "retry-stalled"
CLEANUP = "remove-old-jobs"


def conninfo(database_uri: str) -> str:
    """The SQLAlchemy URL (postgresql+psycopg://...) as a libpq connection string."""
    url = make_url(database_uri)
    if url.get_backend_name() != "postgresql":
        raise RuntimeError("the job queue needs PostgreSQL; on SQLite the jobs run in the development "
                           "server (make run) or by hand (flask run-job)")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def task_name(job_name: str) -> str:
    return TASK_PREFIX + job_name


def build(flask_app: Flask) -> procrastinate.App:
    """A procrastinate app with a task per registered job and the queue's own housekeeping."""
    config = flask_app.config
    papp = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(config["SQLALCHEMY_DATABASE_URI"])),
        # A worker that starts after a schedule point (all workers were down) still defers it when
        # it is less than this old; the database keeps it from being deferred twice.
        periodic_defaults={"max_delay": float(config["JOBS_CATCH_UP_SECONDS"])},
    )
    for job in registry.jobs():
        _add_job(papp, flask_app, job)
    for task in tasks.tasks():
        _add_task(papp, flask_app, task)
    _add_housekeeping(papp, config)
    return papp


def _add_task(papp: procrastinate.App, flask_app: Flask, task: tasks.Task) -> None:
    def run_task(**kwargs: Any) -> None:
        with flask_app.app_context():
            try:
                tasks.run(task.name, kwargs)
            finally:
                db.session.remove()

    # No retry: a task decides itself what a second run does (the exports' claim refuses it).
    papp.task(name=ONE_OFF_PREFIX + task.name, queue=QUEUE)(run_task)


def _add_job(papp: procrastinate.App, flask_app: Flask, job: registry.Job) -> None:
    def run_job(timestamp: int) -> int:
        point = datetime.fromtimestamp(timestamp, timezone.utc)
        with flask_app.app_context():
            try:
                return registry.run(job.name, dates.local_date(point), period_at=point).count
            finally:
                db.session.remove()

    name = task_name(job.name)
    task = papp.task(name=name, queue=QUEUE, lock=name, queueing_lock=name,
                     retry=procrastinate.RetryStrategy(max_attempts=3, wait=60))(run_job)
    papp.periodic(cron=job.schedule, periodic_id=job.name)(task)


def _add_housekeeping(papp: procrastinate.App, config: Any) -> None:
    stalled_after = float(config["JOBS_STALLED_AFTER_SECONDS"])
    keep_hours = int(config["JOBS_KEEP_FINISHED_DAYS"]) * 24

    async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> int:
        manager = context.app.job_manager
        stalled = list(await manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled_after))
        for job in stalled:
            log.warning("job %s (%s) stalled: its worker stopped; queued again", job.id, job.task_name)
            await manager.retry_job(job)
        return len(stalled)

    async def remove_old_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
        await context.app.job_manager.delete_old_jobs(nb_hours=keep_hours, queue=QUEUE, include_failed=True)

    stalled_task = papp.task(name=task_name(STALLED), queue=QUEUE, pass_context=True,
                             queueing_lock=task_name(STALLED))(retry_stalled)
    papp.periodic(cron=config["JOBS_STALLED_CHECK_CRON"], periodic_id=STALLED)(stalled_task)
    cleanup_task = papp.task(name=task_name(CLEANUP), queue=QUEUE, pass_context=True,
                             queueing_lock=task_name(CLEANUP))(remove_old_jobs)
    papp.periodic(cron="15 1 * * *", periodic_id=CLEANUP)(cleanup_task)


def worker_options(flask_app: Flask, concurrency: int) -> dict[str, Any]:
    config = flask_app.config
    return {
        "queues": [QUEUE],
        "name": f"ret-{socket.gethostname()}",
        "concurrency": concurrency,
        "update_heartbeat_interval": float(config["JOBS_HEARTBEAT_SECONDS"]),
        "stalled_worker_timeout": float(config["JOBS_STALLED_AFTER_SECONDS"]),
    }


def run_worker(flask_app: Flask, concurrency: int = 1) -> None:
    """Run one worker until SIGTERM / SIGINT (procrastinate stops it gracefully: the running jobs
    finish first)."""
    papp = build(flask_app)
    log.info("jobs worker: %d jobs on queue %s", len(registry.jobs()), QUEUE)
    papp.run_worker(**worker_options(flask_app, concurrency))


def defer(flask_app: Flask, job_name: str, timestamp: int) -> int:
    """Put one run of a job for the schedule point `timestamp` in the queue now (the id of the
    queued job)."""
    registry.get(job_name)
    papp = build(flask_app)
    with papp.open():
        return papp.tasks[task_name(job_name)].defer(timestamp=timestamp)


def defer_task(flask_app: Flask, name: str, kwargs: dict[str, Any]) -> int:
    """Put one run of the one-off task `name` in the queue (the id of the queued job)."""
    tasks.get(name)
    papp = build(flask_app)
    with papp.open():
        return papp.tasks[ONE_OFF_PREFIX + name].defer(**kwargs)
