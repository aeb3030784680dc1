"""The case page's and intake page's panel of earlier cases, and the chair's start-page card (builders
registered in capability.py); each a constant number of queries."""

from __future__ import annotations

from typing import Optional

from ret_app import policy
from ret_app.models import Case, Role, User
from ret_app.policy.core import has_role
from ret_app.rereferrals import queries

CARD_ROWS = 5


def _panel(case: Case, user: User, back: str) -> Optional[dict]:
    rows = queries.links_of(case, user)
    if not rows:
        return None
    return {"case": case, "rows": rows, "may_decide": policy.can_decide_rereferral(user, case), "back": back,
            "undecided": sum(1 for row in rows if row.undecided)}


def case_panel(case: Case, user: User) -> Optional[dict]:
    return _panel(case, user, "case")


def intake_panel(case: Case, user: User) -> Optional[dict]:
    return _panel(case, user, "intake")


def start_card(user: User) -> Optional[dict]:
    """The chair: the region's cases with earlier cases of the same youth waiting for a decision (no card
    when there are none)."""
    if not has_role(user, Role.CHAIR):
        return None
    count, rows = queries.undecided(user, CARD_ROWS)
    if not count:
        return None
    return {"count": count, "rows": rows}
