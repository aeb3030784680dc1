"""The job registry and runner.

A capability registers its periodic work once, at import:

    from ret_app.jobs import registry as jobs

    jobs.register("consent-ages", refresh_consent_ages, schedule="30 0 * * *")

`fn(today)` does the work for that day and returns how many things it changed. It must be
idempotent: running it twice for the same day (a retry after a worker died, a run by hand next to
the scheduled one) changes nothing more the second time. The schedule is a cron expression in UTC
(how procrastinate reads it); both runners use the same expression.

`run(name)` runs one job as one unit of work: the job's changes, its audit events and timeline
entries and the record of the run (`JobRun`) commit together or not at all, so a run that dies
midway leaves nothing behind and simply runs again. The job's `JobRun` row is locked for the
duration (PostgreSQL: SELECT ... FOR UPDATE), so two runs of the same job never overlap, whichever
worker or command started them; a run for a schedule point that already completed is skipped.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable, Optional

from croniter import croniter
from sqlalchemy.exc import IntegrityError

from ret_app.extensions import db
from ret_app.kernel import dates, uow
from ret_app.models import JobRun

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{1,63}$")


@dataclass(frozen=True)
class Job:
    name: str
    fn: Callable[[date], int]
    schedule: str  # cron, UTC
    description: str = ""


@dataclass(frozen=True)
class Outcome:
    name: str
    count: int
    skipped: bool = False  # the schedule point had already been done


_jobs: dict[str, Job] = {}


def register(name: str, fn: Callable[[date], int], schedule: str, description: str = "") -> Job:
    """Add a periodic job. `name`: lower-case letters, digits and dashes (it is also the name of the
    command-line run and of the queue's task); `schedule`: a cron expression in UTC."""
    if not NAME_RE.match(name):
        raise ValueError(f"job name {name!r}: use lower-case letters, digits and dashes")
    if not croniter.is_valid(schedule):
        raise ValueError(f"job {name}: {schedule!r} is not a cron expression")
    existing = _jobs.get(name)
    if existing is not None and existing.fn is not fn:
        raise ValueError(f"job {name} registered twice")
    job = _jobs[name] = Job(name, fn, schedule, description or (fn.__doc__ or "").strip().split("\n")[0])
    return job


def unregister(name: str) -> None:
    """Remove a job (tests that register their own)."""
    _jobs.pop(name, None)


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def get(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}") from None


def last_run(name: str) -> Optional[JobRun]:
    return db.session.get(JobRun, name)


def previous_day(name: str) -> Optional[date]:
    """The day the job's last completed run was for (None: it never ran). Inside a run this is the
    previous run's day: the runner records the new day only after the job's work."""
    row = db.session.get(JobRun, name)
    return row.last_day if row is not None else None


def latest_point(schedule: str, now: datetime) -> datetime:
    """The schedule's latest point at or before `now` (aware UTC), read as procrastinate reads it."""
    point = croniter(schedule).get_prev(float, start_time=now.timestamp() + 1)
    return datetime.fromtimestamp(round(point), timezone.utc)


def run(name: str, today: Optional[date] = None, *, period_at: Optional[datetime] = None) -> Outcome:
    """Run the job `name` for `today` (default: today in the Netherlands) as one unit of work.
    `period_at`: the schedule point this run is for; when a run for that point (or a later one)
    already completed, nothing is done."""
    job = get(name)
    today = today or dates.today()
    with uow.unit_of_work():
        row = _locked_row(name)
        if period_at is not None and row.last_period_at is not None and row.last_period_at >= period_at:
            log.info("job %s: schedule point already done, skipped", name)
            return Outcome(name, 0, skipped=True)
        try:
            count = int(job.fn(today) or 0)
        except Exception as error:  # the type only: never personal data in the log
            log.error("job %s failed: %s", name, type(error).__name__)
            raise
        if period_at is not None:
            row.last_period_at = period_at
        if row.last_day is None or today > row.last_day:
            row.last_day = today
        row.last_count = count
        row.runs = (row.runs or 0) + 1
        row.finished_at = dates.utcnow()
        db.session.flush()
    log.info("job %s: %d changed", name, count)
    return Outcome(name, count)


def _locked_row(name: str) -> JobRun:
    row = db.session.get(JobRun, name, with_for_update=True)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.add(JobRun(name=name, last_count=0, runs=0))
    except IntegrityError:  # another run created it first: wait for its lock below
        pass
    row = db.session.get(JobRun, name, with_for_update=True, populate_existing=True)
    assert row is not None
    return row
