"""Re-referral: the link between a later and an earlier case of the same youth (suggested, confirmed or
dismissed by the chair), the youth's stored match key on every case (normalised first name, last name
and birth date, hashed), and indexes to find earlier cases of a youth in a region by BSN or key.

Revision ID: 0016_rereferral
Revises: 0015_outcomes
Create Date: 2026-12-14 10:00:00.000000

The key of every existing case is filled here with a frozen copy of ret_app/models/rereferrals.py's
youth_match_key (a test checks that both give the same key). Referrals that wait for the chair's intake
decision (submitted, intake) get their suggestions as the application makes them on submission and
intake (a frozen copy of ret_app/rereferrals/matching.py's rule), so the chair sees them at once.
"""
import hashlib
import re
import unicodedata
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_rereferral'
down_revision = '0015_outcomes'
branch_labels = None
depends_on = None

_NOT_LETTERS = re.compile(r"[\W_]+")


def _normalise(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_LETTERS.sub(" ", bare.casefold()).strip()


def _day(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _key(first_name, last_name, birth_date):
    first, last, birth_date = _normalise(first_name), _normalise(last_name), _day(birth_date)
    if not first or not last or birth_date is None:
        return None
    return hashlib.sha256(f"{first}\x1f{last}\x1f{birth_date.isoformat()}".encode()).hexdigest()


def _backfill():
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, youth_first_name, youth_last_name, youth_birth_date FROM ret_case")).all()
    for case_id, first, last, birth in rows:
        key = _key(first, last, birth)
        if key is not None:
            conn.execute(sa.text("UPDATE ret_case SET youth_match_key = :key WHERE id = :id"),
                         {"key": key, "id": case_id})
    # An earlier case of the same youth in the region (BSN, or name and birth date unless two different
    # BSNs are known), for every referral that waits for the intake decision.
    conn.execute(sa.text(
        "INSERT INTO case_link (case_id, earlier_case_id, basis, status, suggested_at, version) "
        "SELECT c.id, e.id, CASE WHEN c.youth_bsn IS NOT NULL AND e.youth_bsn = c.youth_bsn THEN 'bsn' ELSE 'name' END, "
        "'suggested', :now, 1 "
        "FROM ret_case c JOIN ret_case e ON e.region_id = c.region_id AND e.id <> c.id "
        "WHERE c.status IN ('submitted', 'intake') AND c.submitted_at IS NOT NULL "
        "AND e.status <> 'concept' AND e.submitted_at IS NOT NULL AND e.submitted_at < c.submitted_at "
        "AND ((c.youth_bsn IS NOT NULL AND e.youth_bsn = c.youth_bsn) "
        "OR (c.youth_match_key IS NOT NULL AND e.youth_match_key = c.youth_match_key "
        "AND (c.youth_bsn IS NULL OR e.youth_bsn IS NULL OR c.youth_bsn = e.youth_bsn)))"),
        {"now": datetime.now(timezone.utc)})


def upgrade():
    op.create_table('case_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('earlier_case_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('suggested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['ret_case.id'], name=op.f('fk_case_link_case_id_ret_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_case_link_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['earlier_case_id'], ['ret_case.id'], name=op.f('fk_case_link_earlier_case_id_ret_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_link')),
    sa.UniqueConstraint('case_id', 'earlier_case_id', name='uq_case_link_case_id_earlier_case_id')
    )
    with op.batch_alter_table('case_link', schema=None) as batch_op:
        batch_op.create_index('ix_case_link_case_id_status', ['case_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_link_earlier_case_id'), ['earlier_case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_link_status'), ['status'], unique=False)

    with op.batch_alter_table('ret_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('youth_match_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_ret_case_region_id_youth_bsn', ['region_id', 'youth_bsn'], unique=False)
        batch_op.create_index('ix_ret_case_region_id_youth_match_key', ['region_id', 'youth_match_key'], unique=False)

    _backfill()


def downgrade():
    with op.batch_alter_table('ret_case', schema=None) as batch_op:
        batch_op.drop_index('ix_ret_case_region_id_youth_match_key')
        batch_op.drop_index('ix_ret_case_region_id_youth_bsn')
        batch_op.drop_column('youth_match_key')

    with op.batch_alter_table('case_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_link_status'))
        batch_op.drop_index(batch_op.f('ix_case_link_earlier_case_id'))
        batch_op.drop_index('ix_case_link_case_id_status')

    op.drop_table('case_link')
