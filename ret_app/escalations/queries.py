"""The escalations' lists, scoped by the policy's SQL twins, with what each row shows loaded up front
(a constant number of queries, whatever the number of escalations, messages or steps)."""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ret_app import policy
from ret_app.escalations.services import overdue_clause
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import (
    Case,
    Escalation,
    EscalationDateChange,
    EscalationMessage,
    EscalationReminder,
    EscalationStep,
    User,
)

# One escalation with its whole exchange: messages, steps, reminders and new dates with who did them.
WITH_EXCHANGE = (
    joinedload(Escalation.network), joinedload(Escalation.created_by), joinedload(Escalation.sent_by),
    selectinload(Escalation.tried),
    selectinload(Escalation.messages).joinedload(EscalationMessage.author),
    selectinload(Escalation.steps).joinedload(EscalationStep.actor),
    selectinload(Escalation.reminders).joinedload(EscalationReminder.sent_by),
    selectinload(Escalation.date_changes).joinedload(EscalationDateChange.changed_by),
)


def case_escalations(case: Case, user: User) -> list[Escalation]:
    """The case's escalations the user may see, newest first, each with its exchange."""
    return list(db.session.scalars(
        select(Escalation).where(Escalation.case_id == case.id, policy.visible_escalations_clause(user))
        .options(*WITH_EXCHANGE).order_by(Escalation.created_at.desc(), Escalation.id.desc())))


def overdue(user: User, limit: int = 5, today: Optional[date] = None) -> tuple[int, list[Escalation]]:
    """Escalations waiting for the network past their expected date that the user watches (the chair:
    the region's; a process director: their cases'), how many and the longest waiting first. Two
    queries, whatever the numbers."""
    today = today or dates.today()
    where = (policy.escalation_watch_clause(user), overdue_clause(today))
    count = db.session.scalar(select(func.count(Escalation.id)).where(*where)) or 0
    rows = list(db.session.scalars(
        select(Escalation).where(*where).options(joinedload(Escalation.case), joinedload(Escalation.network))
        .order_by(Escalation.expected_answer_date, Escalation.id).limit(limit))) if count else []
    return count, rows
