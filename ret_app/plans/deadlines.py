"""A planned review moment is a due date of the case: the plan registers it with the norms
(`norms.register_due_source`), so the case's stored next deadline (lists, "overdue", start pages)
takes it into account, and refreshes that deadline when a review moment is planned, held or
cancelled."""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import func, select

from ret_app.cases import norms
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.models import Case, Plan, PlanReview
from ret_app.plans.events import ReviewChange
from ret_app.plans.services import WRITABLE, is_writable

KIND = "review"


def next_review_due(case: Case) -> Optional[tuple[date, str]]:
    """The first review moment that has not been held, while the plan is worked on."""
    if case.id is None or not is_writable(case):
        return None
    day = db.session.scalar(select(func.min(PlanReview.planned_on)).join(Plan, Plan.id == PlanReview.plan_id)
                            .where(Plan.case_id == case.id, PlanReview.held_on.is_(None)))
    return (day, KIND) if day is not None else None


@events.subscribe(ReviewChange)
def _refresh(event: ReviewChange) -> None:
    norms.refresh_deadline(event.case)


def next_review_due_batch(case_ids: list[int]) -> dict[int, tuple[date, str]]:
    """next_review_due for many cases in one query (the norms' refresh of a whole region, which never
    asks for a paused case: its status is its stage)."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(Plan.case_id, func.min(PlanReview.planned_on)).join(PlanReview, PlanReview.plan_id == Plan.id)
        .join(Case, Case.id == Plan.case_id)
        .where(Plan.case_id.in_(case_ids), PlanReview.held_on.is_(None),
               Case.status.in_([status.value for status in WRITABLE]))
        .group_by(Plan.case_id))
    return {case_id: (day, KIND) for case_id, day in rows if day is not None}


norms.register_due_source(next_review_due, batch=next_review_due_batch)
