"""When a capacity entry is stale: not updated for the region's number of days (default 14).

"Not updated for 14 days" counts calendar days in the Netherlands: an entry last updated on day D is
fresh on D .. D+13 and stale from D+14 on (13 days old: fresh; 14: stale; 15: stale). An entry that
was never filled in counts as stale too (nobody told the RET anything).

The same rule in Python (`Rule.is_stale`) and in SQL (`Rule.fresh_clause` / `stale_clause`): an
entry is fresh when it was updated at or after `Rule.boundary`, the start (Dutch time) of the
oldest day that is still fresh. Lists compare with the boundary, so freshness costs no query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional

from sqlalchemy import ColumnElement, or_, select

from ret_app.extensions import db
from ret_app.kernel import dates, request_cache
from ret_app.kernel.dates import AMSTERDAM
from ret_app.models import RegionNorms
from ret_app.models.cases import DEFAULT_CAPACITY_STALE_DAYS

FRESH = "fresh"
STALE = "stale"
NEVER = "never"  # no entry: never filled in (counts as stale)

MIN_DAYS, MAX_DAYS = 1, 365  # what the region's norm may be set to


def stale_days(region_id: Optional[int]) -> int:
    """The region's number of days (its norms), or the default; read once per request (kernel.request_cache)."""
    if region_id is None:
        return DEFAULT_CAPACITY_STALE_DAYS
    value = request_cache.remembered(("capacity_stale_days", region_id), lambda: db.session.scalar(
        select(RegionNorms.capacity_stale_days).where(RegionNorms.region_id == region_id)), watch=RegionNorms)
    return value if value is not None else DEFAULT_CAPACITY_STALE_DAYS


@dataclass(frozen=True)
class Rule:
    """Freshness on one day for one region's number of days."""

    days: int
    today: date

    @property
    def boundary(self) -> datetime:
        """The earliest update (aware UTC) that is still fresh today: the start of day today-(days-1)
        in the Netherlands."""
        first_fresh_day = self.today - timedelta(days=self.days - 1)
        return datetime.combine(first_fresh_day, time(0), tzinfo=AMSTERDAM).astimezone(timezone.utc)

    def age(self, updated_at: Optional[datetime]) -> Optional[int]:
        """Whole days since the update, counted in Dutch calendar days (0: today)."""
        return None if updated_at is None else (self.today - dates.local_date(updated_at)).days

    def is_stale(self, updated_at: Optional[datetime]) -> bool:
        return updated_at is None or self.age(updated_at) >= self.days

    def state(self, updated_at: Optional[datetime]) -> str:
        if updated_at is None:
            return NEVER
        return STALE if self.is_stale(updated_at) else FRESH

    def fresh_clause(self, column: Any) -> ColumnElement[bool]:
        """SQL twin of `not is_stale` on an updated-at column."""
        return column >= self.boundary

    def stale_clause(self, column: Any) -> ColumnElement[bool]:
        """SQL twin of `is_stale` (a missing entry, NULL through an outer join, is stale)."""
        return or_(column.is_(None), column < self.boundary)


def rule_for(region_id: Optional[int], today: Optional[date] = None) -> Rule:
    return Rule(stale_days(region_id), today or dates.today())
