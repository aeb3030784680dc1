"""The start page's management card: how much reference data, how many users and valid mandates."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Mandate, Municipality, Organisation, Region, User
from ret_app.policy import Permission, can


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def management_card(user: User) -> Optional[dict]:
    if not can(Permission.MANAGE_USERS, user):
        return None
    today = dates.today()
    return {"counts": {
        "regions": _count(select(func.count()).select_from(Region)),
        "municipalities": _count(select(func.count()).select_from(Municipality)),
        "organisations": _count(select(func.count()).select_from(Organisation)),
        "users": _count(select(func.count()).select_from(User)),
        "users_pending": _count(select(func.count()).select_from(User).where(
            User.activated_at.is_(None), User.deactivated_at.is_(None))),
        "mandates_valid": _count(select(func.count()).select_from(Mandate).where(
            Mandate.revoked_at.is_(None), Mandate.valid_from <= today, Mandate.valid_until >= today)),
    }}
