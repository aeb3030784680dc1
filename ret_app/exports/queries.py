"""The list "Mijn exports": a user's own export jobs, newest first, filtered by state and kind, paged
in SQL; one query for the page (the file itself is never loaded with a row)."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select

from ret_app import policy
from ret_app.models import ExportJob, ExportStatus, User
from ret_app.paging import Page, paginate

PER_PAGE = 25
# The list's filter: its words in the address -> the states they show.
SHOWN = {
    "alle": None,
    "bezig": (ExportStatus.QUEUED.value, ExportStatus.RUNNING.value),
    "klaar": (ExportStatus.DONE.value,),
    "mislukt": (ExportStatus.FAILED.value,),
}


def mine(user: User, *, shown: str = "alle", kind: Optional[str] = None, page: int = 1,
         per_page: int = PER_PAGE) -> Page:
    stmt = select(ExportJob).where(policy.own_exports_clause(user))
    states = SHOWN.get(shown)
    if states:
        stmt = stmt.where(ExportJob.status.in_(states))
    if kind:
        stmt = stmt.where(ExportJob.kind == kind)
    return paginate(stmt.order_by(ExportJob.created_at.desc(), ExportJob.id.desc()), page, per_page)
