"""What the start page shows each role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ret_app.account.services import live_sessions
from ret_app.auth.services import remaining_recovery_codes
from ret_app.extensions import db
from ret_app.mandates.services import expiring_soon
from ret_app.models import Mandate, Municipality, Organisation, Region, Role, User
from ret_app.policy import Permission, can


@dataclass
class StartOverview:
    active_sessions: int
    recovery_codes_left: int
    mandates: list[Mandate] = field(default_factory=list)
    expiring_mandates: list[Mandate] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    region: Region | None = None
    collective: list[Organisation] = field(default_factory=list)
    network_regions: list[Region] = field(default_factory=list)


def current_mandates(user: User, today: date | None = None) -> list[Mandate]:
    """The user's mandates that are valid today or start later (not expired, not revoked)."""
    today = today or date.today()
    return list(db.session.scalars(
        select(Mandate).where(Mandate.holder_id == user.id, Mandate.revoked_at.is_(None),
                              Mandate.valid_until >= today)
        .order_by(Mandate.valid_until)
    ))


def start_overview(user: User) -> StartOverview:
    overview = StartOverview(
        active_sessions=len(live_sessions(user)),
        recovery_codes_left=remaining_recovery_codes(user),
        region=user.organisation.region,
    )
    if can(Permission.VIEW_OWN_MANDATES, user):
        today = date.today()
        overview.mandates = current_mandates(user, today)
        overview.expiring_mandates = [m for m in overview.mandates if expiring_soon(m, today)]
    if overview.region is not None and user.role in (Role.CHAIR, Role.RET_MEMBER, Role.PROVIDER_MEMBER):
        overview.collective = list(db.session.scalars(
            select(Organisation).where(Organisation.region_id == overview.region.id,
                                       Organisation.collective_member.is_(True),
                                       Organisation.active.is_(True))
            .order_by(Organisation.name)))
    if user.organisation.network_id is not None:
        overview.network_regions = list(db.session.scalars(
            select(Region).where(Region.network_id == user.organisation.network_id).order_by(Region.name)))
    if user.role == Role.ADMIN:
        overview.counts = {
            "regions": db.session.scalar(select(func.count()).select_from(Region)) or 0,
            "municipalities": db.session.scalar(select(func.count()).select_from(Municipality)) or 0,
            "organisations": db.session.scalar(select(func.count()).select_from(Organisation)) or 0,
            "users": db.session.scalar(select(func.count()).select_from(User)) or 0,
            "users_pending": db.session.scalar(
                select(func.count()).select_from(User).where(User.activated_at.is_(None), User.deactivated_at.is_(None))) or 0,
            "mandates_valid": db.session.scalar(
                select(func.count()).select_from(Mandate).where(
                    Mandate.revoked_at.is_(None), Mandate.valid_from <= date.today(), Mandate.valid_until >= date.today())) or 0,
        }
    return overview
