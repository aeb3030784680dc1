"""Export jobs: requesting one, making it (the job runner's task), the requester's download, and the
periodic housekeeping.

The life of a job: `request` stores it (queued) and hands `run` to the job runner once the request
has committed. `run` claims it (queued -> running, one conditional UPDATE: a second hand-over of the
same job does nothing), then renders it in a unit of work of its own, in the requester's language
and with the requester as the actor of what it audits. The render reports its progress: each report
is committed at once, so the job's page (another request, perhaps on another machine) shows it. At
the end the file goes into the row (done) or the reason into `message` (failed). The file is kept
EXPORTS_KEEP_DAYS; the housekeeping job removes it then, marks jobs whose runner died as failed, and
hands over again a job that waited too long (a hand-over lost with a restarted server).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Optional

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, select, update

from ret_app import audit, policy
from ret_app.exports import params as export_params
from ret_app.exports import registry
from ret_app.exports.events import ExportDownloaded, ExportFailed, ExportMade, ExportRemoved, ExportRequested
from ret_app.extensions import db
from ret_app.jobs import tasks
from ret_app.kernel import dates, events, submissions, uow
from ret_app.kernel.errors import RuleError
from ret_app.models import ExportJob, ExportStatus, User

log = logging.getLogger(__name__)

TASK = "export"
OPEN = (ExportStatus.QUEUED.value, ExportStatus.RUNNING.value)


class NotAllowed(LookupError):
    """No such kind, or the user may not request it (the route answers 404)."""


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def allowed(user: User, code: str, params: dict) -> bool:
    kind = registry.find(code)
    return kind is not None and bool(kind.may_request(user, params))


def request(user: User, code: str, given: dict, submission_key: Optional[str] = None) -> ExportJob:
    """Ask for an export of kind `code` with `given` params (ids, dates, codes: `params.clean` checks
    them, BadParams otherwise). The export the same form asked for (its `submission_key`: a double
    click, a retry), or the same export still being made for this user, is returned instead of a second
    one; at most EXPORTS_MAX_OPEN of a user's exports wait or run at a time (RuleError beyond)."""
    params = export_params.clean(given)
    if not allowed(user, code, params):
        raise NotAllowed(code)
    key = submissions.clean(submission_key)
    done = submissions.find(ExportJob, key, ExportJob.requested_by_id == user.id)
    if done is not None:
        return done
    open_jobs = list(db.session.scalars(select(ExportJob).where(
        policy.own_exports_clause(user), ExportJob.status.in_(OPEN)).order_by(ExportJob.id)))
    for job in open_jobs:
        if job.kind == code and job.params == params:
            return job
    limit = _setting("EXPORTS_MAX_OPEN", 3)
    if len(open_jobs) >= limit:
        raise RuleError(_("You already have %(num)d exports being made. Wait until one of them is ready, "
                          "then ask again.", num=len(open_jobs)))
    locale = get_locale()
    job = ExportJob(kind=code, params=params, requested_by_id=user.id,
                    region_id=user.organisation.region_id if user.organisation is not None else None,
                    locale=str(locale) if locale is not None else "nl", status=ExportStatus.QUEUED.value,
                    progress=0, attempts=0, created_at=dates.utcnow(), submission_key=key)

    job, created = submissions.add_once(ExportJob, key, lambda: job, ExportJob.requested_by_id == user.id)
    if not created:
        return job
    events.emit(ExportRequested(actor=user, job=job))
    tasks.defer(TASK, job_id=job.id)
    return job


def own(user: User, job_id: int) -> Optional[ExportJob]:
    """The user's own job, or None (anyone else's, or none: the same answer)."""
    job = db.session.get(ExportJob, job_id)
    return job if job is not None and policy.owns_export(user, job) else None


def download(job: ExportJob, user: User) -> bytes:
    """The file, for its requester (the route checked `own`), recorded in the audit trail."""
    if not job.available:
        raise RuleError(_("This export is no longer available."))
    events.emit(ExportDownloaded(actor=user, job=job))
    return job.content or b""


# --- the job runner's task ---------------------------------------------------------------------

class _Progress:
    """What `render` calls to report: `progress(percent, message=None)`. Each change is committed at
    once (the job's page reads it from another connection); 100 waits for the file itself."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last: Optional[tuple[int, Optional[str]]] = None

    def __call__(self, percent: int, message: Any = None) -> None:
        shown = max(0, min(99, int(percent)))
        text = str(message)[:200] if message else None
        if (shown, text) == self.last:
            return
        self.last = (shown, text)
        db.session.execute(update(ExportJob).where(
            ExportJob.id == self.job_id, ExportJob.status == ExportStatus.RUNNING.value).values(
            progress=shown, message=text, heartbeat_at=dates.utcnow()))
        db.session.commit()


def _claim(job_id: int) -> bool:
    now = dates.utcnow()
    claimed = db.session.execute(update(ExportJob).where(
        ExportJob.id == job_id, ExportJob.status == ExportStatus.QUEUED.value).values(
        status=ExportStatus.RUNNING.value, progress=0, message=None, started_at=now, heartbeat_at=now,
        attempts=ExportJob.attempts + 1))
    return claimed.rowcount == 1


def run(job_id: int) -> None:
    """Make the export `job_id` (the task the job runner runs). Never raises for a failing render:
    the job is marked failed, with the render's reason (a RuleError) or a general message."""
    with uow.unit_of_work():
        claimed = _claim(job_id)
    if not claimed:
        log.info("export %s: not waiting (already taken or gone), nothing to do", job_id)
        return
    code = "?"
    try:
        with uow.unit_of_work():
            job = db.session.get(ExportJob, job_id)
            code = job.kind
            kind = registry.find(job.kind)
            if kind is None:
                raise LookupError("kind not registered")
            user = job.requested_by
            with audit.acting_as(user), force_locale(job.locale):
                try:
                    filename, mimetype, data = kind.render(job, _Progress(job_id))
                except RuleError as refusal:  # the render's own reason, in the requester's language
                    _mark_failed(job, str(refusal.message)[:200], None)
                    log.info("export %s (%s) refused by its render", job_id, code)
                    return
                db.session.refresh(job)
                _mark_done(job, user, filename, mimetype, data)
        log.info("export %s (%s) done", job_id, code)
    except Exception as error:  # logged by type only: never personal data
        log.error("export %s (%s) failed: %s", job_id, code, type(error).__name__)
        db.session.rollback()
        with uow.unit_of_work():
            job = db.session.get(ExportJob, job_id)
            if job is not None and job.status == ExportStatus.RUNNING.value:
                with audit.acting_as(job.requested_by):
                    _mark_failed(job, None, type(error).__name__)


def _mark_done(job: ExportJob, user: User, filename: str, mimetype: str, data: bytes) -> None:
    now = dates.utcnow()
    job.status = ExportStatus.DONE.value
    job.progress = 100
    job.message = None
    job.filename = (filename or "export")[:200]
    job.mimetype = (mimetype or "application/octet-stream")[:100]
    job.content = bytes(data)
    job.size = len(job.content)
    job.finished_at = job.heartbeat_at = now
    job.expires_at = now + timedelta(days=_setting("EXPORTS_KEEP_DAYS", 7))
    db.session.flush()
    events.emit(ExportMade(actor=user, job=job))


def _mark_failed(job: ExportJob, message: Optional[str], error: Optional[str]) -> None:
    job.status = ExportStatus.FAILED.value
    job.message = message
    job.finished_at = dates.utcnow()
    db.session.flush()
    events.emit(ExportFailed(actor=job.requested_by, job=job, error=error))


# --- housekeeping (a periodic job) ---------------------------------------------------------------

def stalled_clause(now: datetime):
    """A job being made whose runner has given no sign of life for EXPORTS_STALLED_MINUTES: housekeeping
    fails it; the administrator's job page counts it."""
    stalled_before = now - timedelta(minutes=_setting("EXPORTS_STALLED_MINUTES", 15))
    return and_(ExportJob.status == ExportStatus.RUNNING.value, ExportJob.heartbeat_at < stalled_before)


def housekeeping(today=None, *, now: Optional[datetime] = None) -> int:
    """Remove the files of expired jobs, fail jobs whose runner stopped (no sign of life for
    EXPORTS_STALLED_MINUTES), hand over again jobs waiting longer than EXPORTS_REQUEUE_MINUTES, and
    forget jobs finished more than EXPORTS_FORGET_DAYS ago. Idempotent; returns what it changed."""
    now = now or dates.utcnow()
    changed = 0
    expired = list(db.session.scalars(select(ExportJob).where(
        ExportJob.status == ExportStatus.DONE.value, ExportJob.removed_at.is_(None), ExportJob.expires_at <= now)))
    for job in expired:
        job.content = None
        job.removed_at = now
        events.emit(ExportRemoved(job=job))
        changed += 1
    stalled = list(db.session.scalars(select(ExportJob).where(stalled_clause(now))))
    for job in stalled:
        with force_locale(job.locale), audit.acting_as(job.requested_by):
            _mark_failed(job, _("Making this export was interrupted. Please ask for it again."), "Interrupted")
        log.warning("export %s (%s): its runner stopped; marked failed", job.id, job.kind)
        changed += 1
    waiting_before = now - timedelta(minutes=_setting("EXPORTS_REQUEUE_MINUTES", 5))
    waiting = list(db.session.scalars(select(ExportJob.id).where(
        ExportJob.status == ExportStatus.QUEUED.value, ExportJob.created_at < waiting_before)))
    for job_id in waiting:
        log.warning("export %s waited too long; handed over again", job_id)
        tasks.defer(TASK, job_id=job_id)
        changed += 1
    forget_before = now - timedelta(days=_setting("EXPORTS_FORGET_DAYS", 30))
    forgotten = db.session.execute(delete(ExportJob).where(
        ExportJob.status.in_((ExportStatus.DONE.value, ExportStatus.FAILED.value)),
        ExportJob.finished_at <= forget_before, ExportJob.content.is_(None)))
    changed += forgotten.rowcount or 0
    db.session.flush()
    return changed


def open_count(user: User) -> int:
    return db.session.scalar(select(func.count(ExportJob.id)).where(
        policy.own_exports_clause(user), ExportJob.status.in_(OPEN))) or 0
