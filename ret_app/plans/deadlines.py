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
from ret_app.plans.services import is_writable

KIND = "review"


@norms.register_due_source
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
