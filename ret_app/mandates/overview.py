"""The start page's mandate warnings and card: my mandates (and those expiring within 30 days), and
for the chair the region's mandates that expire soon."""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ret_app import policy
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.mandates.services import expiring_soon
from ret_app.models import Mandate, Municipality, User
from ret_app.policy import Permission, can


def current_mandates(user: User, today: Optional[date] = None) -> list[Mandate]:
    """The user's mandates that are valid today or start later (not expired, not revoked)."""
    today = today or dates.today()
    return list(db.session.scalars(
        select(Mandate).where(Mandate.holder_id == user.id, Mandate.revoked_at.is_(None),
                              Mandate.valid_until >= today)
        .options(joinedload(Mandate.municipality))
        .order_by(Mandate.valid_until)))


def expiring_alert(user: User) -> Optional[dict]:
    if not can(Permission.VIEW_OWN_MANDATES, user):
        return None
    today = dates.today()
    expiring = [m for m in current_mandates(user, today) if expiring_soon(m, today)]
    return {"expiring_mandates": expiring} if expiring else None


def region_expiring_alert(user: User) -> Optional[dict]:
    region_id = policy.region_of(user)
    if not policy.oversees_region_mandates(user) or region_id is None:
        return None
    today = dates.today()
    expiring = [m for m in db.session.scalars(
        select(Mandate).join(Mandate.municipality)
        .where(Municipality.region_id == region_id, Mandate.revoked_at.is_(None), Mandate.valid_until >= today)
        .options(joinedload(Mandate.municipality), joinedload(Mandate.holder))
        .order_by(Mandate.valid_until)) if expiring_soon(m, today)]
    return {"region_expiring_mandates": expiring} if expiring else None


def my_mandates_card(user: User) -> Optional[dict]:
    if not can(Permission.VIEW_OWN_MANDATES, user):
        return None
    return {"mandates": current_mandates(user)}
