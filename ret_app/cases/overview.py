"""The start page's card of the case core: the chair's intake queue, with how many referrals wait
for the intake decision and how many of them are past the region's norm (counted in SQL from the
stored `Case.next_deadline`: one query, whatever the numbers)."""

from __future__ import annotations

from typing import Optional

from ret_app.cases import queries
from ret_app.models import User
from ret_app.policy import Permission, can


def intake_card(user: User) -> Optional[dict]:
    if not can(Permission.RUN_INTAKE, user):
        return None
    return {"intake": queries.intake_counts(user)}
