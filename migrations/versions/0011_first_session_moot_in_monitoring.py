"""The first RET session is no longer due once fitting help has started: cases in monitoring whose
stored next due item is the first session get their next due item again, from what can still be due
then (a planned review moment that has not been held, an open request's reply-by date), or none.

Revision ID: 0011_first_session_moot
Revises: 0010_commitments
Create Date: 2026-12-04 21:00:00.000000

Plain SQL on the tables as they are at this revision (a frozen copy of what plans/deadlines.py and
commitments/services.py ask), so the stored value agrees with what the application computes.
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_first_session_moot'
down_revision = '0010_commitments'
branch_labels = None
depends_on = None


def _day(value):
    if value is None or not isinstance(value, str):
        return value
    return date.fromisoformat(value[:10])


def upgrade():
    conn = op.get_bind()
    cases = conn.execute(sa.text(
        "SELECT id FROM ret_case WHERE next_due_kind = 'first_session' AND status = 'monitoring'")).scalars().all()
    for case_id in cases:
        due = []
        reply = conn.execute(sa.text(
            "SELECT min(reply_by) FROM provider_request WHERE case_id = :case_id AND status = 'requested'"),
            {"case_id": case_id}).scalar()
        if reply is not None:
            due.append((_day(reply), "request_reply"))
        review = conn.execute(sa.text(
            "SELECT min(r.planned_on) FROM plan_review r JOIN plan p ON p.id = r.plan_id "
            "WHERE p.case_id = :case_id AND r.held_on IS NULL"), {"case_id": case_id}).scalar()
        if review is not None:
            due.append((_day(review), "review"))
        # The earliest; of equal dates the first source, in the order the application registers them
        # (the requests' before the plan's).
        deadline, kind = min(due, key=lambda item: item[0]) if due else (None, None)
        conn.execute(sa.text("UPDATE ret_case SET next_deadline = :deadline, next_due_kind = :kind "
                             "WHERE id = :case_id"), {"deadline": deadline, "kind": kind, "case_id": case_id})


def downgrade():
    # The first session's clock of a case in monitoring comes back when its next due item is stored
    # again (any change to the case); nothing to undo in the schema.
    pass
