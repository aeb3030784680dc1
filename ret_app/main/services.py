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
    # RET sessions
    open_actions: int = 0
    overdue_actions: int = 0
    upcoming_meetings: list = field(default_factory=list)
    provisional_waiting: int = 0
    region_expiring_mandates: list[Mandate] = field(default_factory=list)


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
    _session_overview(user, overview)
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


UPCOMING_DAYS = 14


def _session_overview(user: User, overview: StartOverview) -> None:
    """My open (and late) actions, my sessions of the next two weeks, provisional decisions waiting
    for my answer and, for the chair, the region's mandates that expire soon."""
    from datetime import timedelta

    from ret_app import policy
    from ret_app.meetings import actions, decisions
    from ret_app.models import Meeting, MeetingStatus
    from ret_app.models.base import utcnow

    today = date.today()
    if can(Permission.VIEW_OWN_ACTIONS, user):
        mine = list(db.session.scalars(actions.my_actions_query(user, today=today)))
        overview.open_actions = len(mine)
        overview.overdue_actions = sum(1 for a in mine if actions.is_overdue(a, today))
    if can(Permission.VIEW_SESSIONS, user):
        now = utcnow()
        overview.upcoming_meetings = list(db.session.scalars(
            select(Meeting).where(policy.visible_meetings_clause(user),
                                  Meeting.status.in_([MeetingStatus.PLANNED.value, MeetingStatus.IN_PROGRESS.value]),
                                  Meeting.starts_at >= now - timedelta(hours=12),
                                  Meeting.starts_at <= now + timedelta(days=UPCOMING_DAYS))
            .order_by(Meeting.starts_at)))
    if can(Permission.ANSWER_PROVISIONAL, user):
        overview.provisional_waiting = len(decisions.provisional_for(user))
    if user.role == Role.CHAIR and overview.region is not None:
        overview.region_expiring_mandates = [m for m in db.session.scalars(
            select(Mandate).join(Mandate.municipality)
            .where(Municipality.region_id == overview.region.id, Mandate.revoked_at.is_(None),
                   Mandate.valid_until >= today)
            .order_by(Mandate.valid_until)) if expiring_soon(m, today)]
