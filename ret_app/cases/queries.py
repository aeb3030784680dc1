"""select() builders for case lists: always scoped by what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Select, case as sql_case, func, or_, select

from ret_app import policy
from ret_app.models import Case, CaseStatus, User

URGENCY_ORDER = sql_case({"crisis": 0, "urgent": 1}, value=Case.urgency, else_=2)


@dataclass
class CaseFilters:
    status: str = ""
    municipality_id: Optional[int] = None
    track: str = ""
    urgency: str = ""
    q: str = ""
    overdue: bool = False


def visible_cases(user: User, filters: Optional[CaseFilters] = None) -> Select:
    filters = filters or CaseFilters()
    stmt = select(Case).where(policy.visible_cases_clause(user))
    if filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.municipality_id:
        stmt = stmt.where(Case.municipality_id == filters.municipality_id)
    if filters.track:
        stmt = stmt.where(Case.track == filters.track)
    if filters.urgency:
        stmt = stmt.where(Case.urgency == filters.urgency)
    if filters.q:
        term = filters.q.strip().lower()
        # Everyone who may see a case here works with the family, so names are searchable too.
        like = f"%{term}%"
        stmt = stmt.where(or_(func.lower(Case.reference).like(like),
                              func.lower(Case.youth_first_name + " " + Case.youth_last_name).like(like)))
    return stmt.order_by(URGENCY_ORDER, Case.submitted_at.is_(None), Case.submitted_at, Case.id)


def intake_queue(user: User) -> Select:
    """Submitted cases of the chair's region: most urgent first, then the longest waiting."""
    return (select(Case).where(policy.visible_cases_clause(user), Case.status == CaseStatus.SUBMITTED.value)
            .order_by(URGENCY_ORDER, Case.submitted_at, Case.id))
