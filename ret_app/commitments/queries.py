"""The lists of requests and commitments, scoped by the policy's SQL twins, filtered, sorted and paged
in SQL with what each row shows loaded up front (a constant number of queries per page)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ret_app import policy
from ret_app.commitments.services import past_reply_by_clause
from ret_app.extensions import db
from ret_app.kernel import dates, request_cache
from ret_app.models import Case, Organisation, ProviderRequest, RequestRole, RequestStatus, User
from ret_app.paging import Page, paginate

PER_PAGE = 25
COMMITMENTS = [RequestStatus.ACCEPTED.value, RequestStatus.STARTED.value, RequestStatus.ENDED.value]


def _rows():
    return select(ProviderRequest).options(
        joinedload(ProviderRequest.case), joinedload(ProviderRequest.organisation),
        joinedload(ProviderRequest.requested_by), joinedload(ProviderRequest.answered_by))


def case_requests(case: Case) -> list[ProviderRequest]:
    """Every request on the case, open ones first (earliest reply-by first), then the rest, newest first;
    read once per request (kernel.request_cache: the case page's header and requests panel both ask)."""
    open_first = (ProviderRequest.status != RequestStatus.REQUESTED.value)
    return list(request_cache.remembered(("case_requests", case.id), lambda: list(db.session.scalars(
        _rows().where(ProviderRequest.case_id == case.id)
        .order_by(open_first, ProviderRequest.reply_by, ProviderRequest.id.desc()))), watch=ProviderRequest))


def crisis_backup(case: Case) -> Optional[ProviderRequest]:
    """The provider standing by as the case's crisis back-up: an accepted (or started) request with
    that role, the latest answered first (an unanswered one first, as PostgreSQL sorts), with its
    organisation. Picked from the case's requests (case_requests, read once per request: the case page's
    header and requests panel both ask)."""
    standing = [r for r in case_requests(case) if r.role == RequestRole.CRISIS_BACKUP.value
                and r.status in (RequestStatus.ACCEPTED.value, RequestStatus.STARTED.value)]
    return max(standing, key=lambda r: (r.answered_at is None, r.answered_at or _EARLIEST, r.id), default=None)


_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def waiting_for_my_organisation(user: User, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Open requests to the user's own provider, the earliest reply-by first."""
    stmt = (_rows().where(policy.answerable_requests_clause(user),
                          ProviderRequest.status == RequestStatus.REQUESTED.value)
            .order_by(ProviderRequest.reply_by, ProviderRequest.id))
    return paginate(stmt, page, per_page)


def my_commitments(user: User, page: int = 1, per_page: int = PER_PAGE, *, running_only: bool = False) -> Page:
    """The user's provider's commitments: running ones first (by intended start), then ended ones."""
    states = COMMITMENTS[:2] if running_only else COMMITMENTS
    ended_last = (ProviderRequest.status == RequestStatus.ENDED.value)
    stmt = (_rows().where(policy.visible_requests_clause(user), ProviderRequest.status.in_(states))
            .order_by(ended_last, ProviderRequest.intended_start, ProviderRequest.id))
    return paginate(stmt, page, per_page)


def count_waiting(user: User) -> int:
    return db.session.scalar(select(func.count(ProviderRequest.id)).where(
        policy.answerable_requests_clause(user), ProviderRequest.status == RequestStatus.REQUESTED.value)) or 0


def count_running(user: User) -> int:
    return db.session.scalar(select(func.count(ProviderRequest.id)).where(
        policy.visible_requests_clause(user), ProviderRequest.status.in_(COMMITMENTS[:2]))) or 0


def past_reply_by(user: User, limit: int = 10, today: Optional[date] = None) -> tuple[int, list[ProviderRequest]]:
    """Requests unanswered past their reply-by date that the user watches (the chair: the region's; a
    process director: their cases'), how many and the longest waiting first."""
    today = today or dates.today()
    where = (policy.overdue_watch_clause(user), past_reply_by_clause(today))
    count = db.session.scalar(select(func.count(ProviderRequest.id)).where(*where)) or 0
    rows = list(db.session.scalars(_rows().where(*where).order_by(ProviderRequest.reply_by, ProviderRequest.id)
                                   .limit(limit))) if count else []
    return count, rows


def region_providers(case: Case) -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(
        policy.collective_providers_clause(), Organisation.region_id == case.region_id).order_by(Organisation.name)))
