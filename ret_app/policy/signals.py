"""Who sees the region's gap signals and the gap overview, and who acts on a signal.

The signals are the RET's: the chair and the RET members of a region read its signal list, each signal
(with its evidence: case references) and the gap overview; only the chair sets a signal's owner and
status and writes responses. A signal of another region answers 404. Caseworkers, provider members,
network liaisons, analysts and administrators never see these pages (403 at the door; the analyst's view
is the analyst's own, suppressed)."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import false

from ret_app.models import GapSignal, Role, User
from ret_app.policy.core import has_role, region_of, signed_in


def sees_signals(user: Optional[User]) -> bool:
    """The chair or a RET member (of some region; which signals: their region's)."""
    return signed_in(user) and has_role(user, Role.CHAIR, Role.RET_MEMBER)


def signals_region(user: Optional[User]) -> Optional[int]:
    """The region whose signals the user reads, or None (not of the RET, or of no region)."""
    return region_of(user) if sees_signals(user) else None


def can_view_signal(user: Optional[User], signal: GapSignal) -> bool:
    region_id = signals_region(user)
    return region_id is not None and signal.region_id == region_id


def can_act_on_signal(user: Optional[User], signal: GapSignal) -> bool:
    """The chair of the signal's region sets its owner and status and responds."""
    return can_view_signal(user, signal) and has_role(user, Role.CHAIR)


def visible_signals_clause(user: Optional[User]):
    """The SQL twin of can_view_signal."""
    region_id = signals_region(user)
    return GapSignal.region_id == region_id if region_id is not None else false()
