"""The start-page card of the region's open gap signals, for those who read the signal list (the chair and
RET members of a region; policy.signals_region): how many are new and how many in progress, and the
oldest new one's month and category. Two queries, whatever the number of signals; no card for anyone
else."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select

from ret_app import policy
from ret_app.extensions import db
from ret_app.kernel.dates import local_date
from ret_app.models import GapCategory, GapSignal, SignalStatus, User
from ret_app.stats.periods import MONTH_NAMES

COUNTED = (SignalStatus.NEW.value, SignalStatus.IN_PROGRESS.value)


def start_card(user: User) -> Optional[dict]:
    region_id = policy.signals_region(user)
    if region_id is None:
        return None
    counts = dict(db.session.execute(
        select(GapSignal.status, func.count(GapSignal.id))
        .where(policy.visible_signals_clause(user), GapSignal.status.in_(COUNTED))
        .group_by(GapSignal.status)).all())
    new, in_progress = counts.get(SignalStatus.NEW.value, 0), counts.get(SignalStatus.IN_PROGRESS.value, 0)
    oldest = None
    if new:
        row = db.session.execute(
            select(GapSignal.raised_at, GapCategory.name, GapCategory.active)
            .join(GapCategory, GapSignal.gap_category_id == GapCategory.id)
            .where(policy.visible_signals_clause(user), GapSignal.status == SignalStatus.NEW.value)
            .order_by(GapSignal.raised_at.asc(), GapSignal.id.asc()).limit(1)).one()
        raised = local_date(row.raised_at)
        oldest = {"month": f"{MONTH_NAMES[raised.month - 1]} {raised.year}", "category": row.name,
                  "active": row.active}
    return {"new": new, "in_progress": in_progress, "oldest": oldest}
