"""The job runner's health for the administrator (GET /beheer/taken): each periodic job with its schedule,
its last completed run and whether the latest schedule point has been done; and the one-off tasks (exports)
waiting, running, failed and stalled. Two queries whatever the number of runs or exports; no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import func, select

from ret_app import audit
from ret_app.exports import services as exports
from ret_app.extensions import db
from ret_app.jobs import registry
from ret_app.kernel import dates
from ret_app.models import ExportJob, ExportStatus, JobRun

LATE_AFTER = timedelta(minutes=30)  # a schedule point not done this long after it passed: late


@dataclass(frozen=True)
class JobState:
    name: str
    schedule: str
    due_at: datetime  # the latest schedule point
    last: Optional[JobRun]
    state: str  # "on_time" | "late" | "never"


@dataclass(frozen=True)
class TaskState:
    queued: int
    running: int
    failed_last_day: int
    stalled: int  # running without a sign of life (exports.stalled_clause)
    oldest_queued_at: Optional[datetime]

    @property
    def healthy(self) -> bool:
        return not self.stalled


def jobs(now: Optional[datetime] = None) -> list[JobState]:
    now = now or dates.utcnow()
    runs = {run.name: run for run in db.session.scalars(select(JobRun))}
    out = []
    for job in sorted(registry.jobs(), key=lambda j: j.name):
        due_at = registry.latest_point(job.schedule, now)
        last = runs.get(job.name)
        if last is None or last.finished_at is None:
            state = "never"  # not flagged: a fresh installation's first point may lie before it
        else:
            done = (last.last_period_at is not None and last.last_period_at >= due_at) or last.finished_at >= due_at
            state = "late" if not done and now - due_at >= LATE_AFTER else "on_time"
        out.append(JobState(job.name, job.schedule, due_at, last, state))
    return out


def tasks(now: Optional[datetime] = None) -> TaskState:
    now = now or dates.utcnow()
    day_ago = now - timedelta(days=1)
    row = db.session.execute(select(
        func.count(ExportJob.id).filter(ExportJob.status == ExportStatus.QUEUED.value),
        func.count(ExportJob.id).filter(ExportJob.status == ExportStatus.RUNNING.value),
        func.count(ExportJob.id).filter(ExportJob.status == ExportStatus.FAILED.value,
                                        ExportJob.finished_at >= day_ago),
        func.count(ExportJob.id).filter(exports.stalled_clause(now)),
        func.min(ExportJob.created_at).filter(ExportJob.status == ExportStatus.QUEUED.value))).one()
    return TaskState(*row)


def shown() -> None:
    audit.record(audit.Action.READ, object_type="job_health")
