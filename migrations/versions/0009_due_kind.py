"""What the case's next due item is (Case.next_due_kind, next to Case.next_deadline), filled for the
cases that exist.

Revision ID: 0009_due_kind
Revises: 0008_care_types
Create Date: 2026-12-05 09:00:00.000000

Both columns are filled again for every open case with the calculation the application uses (the
pure functions of cases/norms.py on plain rows), so date and kind agree. The due sources of other
capabilities (plan review moments, request reply-by dates) come with their own tables; the
migrations that create those fill their part.
"""
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_due_kind'
down_revision = '0008_care_types'
branch_labels = None
depends_on = None


def _aware(value):
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc)


def _day(value):
    if value is None or not isinstance(value, str):
        return value
    return date.fromisoformat(value[:10])


def upgrade():
    with op.batch_alter_table('ret_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_due_kind', sa.String(length=32), nullable=True))

    from ret_app.cases import clock
    from ret_app.cases.norms import clock_due, running_clocks
    from ret_app.kernel.dates import today

    conn = op.get_bind()
    norms = {row.region_id: clock.Norms(row.intake_decision, row.first_session, row.first_session_crisis,
                                        row.screening)
             for row in conn.execute(sa.text("SELECT * FROM region_norms"))}
    finalised = {row[0] for row in conn.execute(sa.text(
        "SELECT case_id FROM screening WHERE finalised_at IS NOT NULL"))}
    held = {row[0] for row in conn.execute(sa.text(
        "SELECT meeting_item.case_id FROM meeting_item JOIN meeting ON meeting.id = meeting_item.meeting_id "
        "WHERE meeting.status IN ('in_progress', 'closed', 'approved')"))}
    pauses: dict = {}
    for row in conn.execute(sa.text('SELECT case_id, start, "end" FROM case_pause')):
        pauses.setdefault(row.case_id, []).append(clock.Pause(_day(row.start), _day(row.end)))
    cases = conn.execute(sa.text(
        "SELECT id, region_id, status, status_before_pause, submitted_at, intake_at, urgency, next_deadline "
        "FROM ret_case WHERE status NOT IN ('concept', 'closed', 'returned_with_advice')")).all()
    day = today()
    for row in cases:
        due = None
        if row.status != 'paused':  # a paused case stores none
            due = clock_due(running_clocks(
                status=row.status, status_before_pause=row.status_before_pause,
                submitted_at=_aware(row.submitted_at), intake_at=_aware(row.intake_at), urgency=row.urgency,
                pauses=pauses.get(row.id, []), norms=norms.get(row.region_id, clock.Norms()),
                screening_finalised=row.id in finalised, session_held=row.id in held, today=day))
        deadline, kind = due or (None, None)
        if (_day(row.next_deadline), None) != (deadline, kind):
            conn.execute(sa.text("UPDATE ret_case SET next_deadline = :deadline, next_due_kind = :kind "
                                 "WHERE id = :id"), {"deadline": deadline, "kind": kind, "id": row.id})


def downgrade():
    with op.batch_alter_table('ret_case', schema=None) as batch_op:
        batch_op.drop_column('next_due_kind')
