"""The case's nearest norm deadline, stored (lists find overdue cases in SQL), filled for the cases
that exist.

Revision ID: 0005_case_next_deadline
Revises: 0004_audit_without_lock
Create Date: 2026-12-04 16:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_case_next_deadline'
down_revision = '0004_audit_without_lock'
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
    from datetime import date
    return date.fromisoformat(value[:10])


def upgrade():
    with op.batch_alter_table('ret_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_deadline', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ret_case_next_deadline'), ['next_deadline'], unique=False)

    # Fill it for the open cases, with the same calculation the application uses (pure functions).
    from ret_app.cases import clock
    from ret_app.cases.norms import nearest_deadline, running_clocks
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
        "SELECT id, region_id, status, status_before_pause, submitted_at, intake_at, urgency FROM ret_case "
        "WHERE status NOT IN ('concept', 'closed', 'returned_with_advice')")).all()
    day = today()
    for row in cases:
        clocks = running_clocks(status=row.status, status_before_pause=row.status_before_pause,
                                submitted_at=_aware(row.submitted_at), intake_at=_aware(row.intake_at),
                                urgency=row.urgency, pauses=pauses.get(row.id, []),
                                norms=norms.get(row.region_id, clock.Norms()),
                                screening_finalised=row.id in finalised, session_held=row.id in held, today=day)
        deadline = nearest_deadline(clocks)
        if deadline is not None:
            conn.execute(sa.text("UPDATE ret_case SET next_deadline = :deadline WHERE id = :id"),
                         {"deadline": deadline, "id": row.id})


def downgrade():
    with op.batch_alter_table('ret_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ret_case_next_deadline'))
        batch_op.drop_column('next_deadline')
