"""Who may see and do what: the one access policy.

Routes declare their access with `@public` or `@requires(Permission.X)`; a request to a route
that declares nothing is refused (fail closed). Templates ask `can(Permission.X)` to decide what
to show, and services call the same functions. Per-object rules (cases, once they exist) live
here too, with their SQL twins for list queries.
"""

from __future__ import annotations

import enum
from typing import Callable, Optional

from flask import abort, current_app, request
from flask_login import current_user

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from ret_app.models import (
    Case,
    CaseAction,
    CaseParticipant,
    CaseStatus,
    Decision,
    DecisionStatus,
    Mandate,
    Meeting,
    MeetingInvitation,
    MeetingItem,
    MeetingStatus,
    ParticipantRole,
    Role,
    User,
)


class Permission(enum.StrEnum):
    USE_APP = "use_app"  # start page, own account, own sessions
    VIEW_OWN_MANDATES = "view_own_mandates"
    MANAGE_REFERENCE_DATA = "manage_reference_data"  # regions, municipalities, networks, organisations
    MANAGE_USERS = "manage_users"
    MANAGE_MANDATES = "manage_mandates"
    VIEW_AUDIT = "view_audit"
    WORK_ON_CASES = "work_on_cases"  # case list and case pages (which cases: per object, below)
    MAKE_REFERRALS = "make_referrals"
    RUN_INTAKE = "run_intake"
    VIEW_SESSIONS = "view_sessions"  # RET sessions: which ones and which items, per object below
    PLAN_SESSIONS = "plan_sessions"
    VIEW_OWN_ACTIONS = "view_own_actions"  # "Mijn acties"
    ANSWER_PROVISIONAL = "answer_provisional"  # the municipality's answer to an "onder voorbehoud" decision


ALL_ROLES = frozenset(Role)

ROLE_PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.USE_APP: ALL_ROLES,
    Permission.VIEW_OWN_MANDATES: frozenset({Role.CASEWORKER}),
    Permission.MANAGE_REFERENCE_DATA: frozenset({Role.ADMIN}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    Permission.MANAGE_MANDATES: frozenset({Role.ADMIN}),
    Permission.VIEW_AUDIT: frozenset({Role.ADMIN}),
    Permission.WORK_ON_CASES: frozenset({Role.CHAIR, Role.RET_MEMBER, Role.CASEWORKER, Role.PROVIDER_MEMBER}),
    Permission.MAKE_REFERRALS: frozenset({Role.CASEWORKER}),
    Permission.RUN_INTAKE: frozenset({Role.CHAIR}),
    Permission.VIEW_SESSIONS: frozenset({Role.CHAIR, Role.RET_MEMBER, Role.CASEWORKER, Role.PROVIDER_MEMBER}),
    Permission.PLAN_SESSIONS: frozenset({Role.CHAIR}),
    Permission.VIEW_OWN_ACTIONS: frozenset({Role.CHAIR, Role.RET_MEMBER, Role.CASEWORKER, Role.PROVIDER_MEMBER}),
    Permission.ANSWER_PROVISIONAL: frozenset({Role.CASEWORKER, Role.ADMIN}),
}

# Roles that may hold a mandate of a municipality.
MANDATE_HOLDER_ROLES = frozenset({Role.CASEWORKER})


class Access:
    """What a view function declares; read by the before-request guard."""

    def __init__(self, public: bool, permission: Optional[Permission] = None, fresh: bool = False):
        self.public = public
        self.permission = permission
        self.fresh = fresh


def public(view: Callable) -> Callable:
    """Reachable without signing in (login, activation, error-free static pages)."""
    view._access = Access(public=True)  # type: ignore[attr-defined]
    return view


def requires(permission: Permission, *, fresh: bool = False) -> Callable[[Callable], Callable]:
    """Signed-in users whose role has `permission`. `fresh=True` also asks for a recent
    password confirmation (sensitive actions)."""

    def decorator(view: Callable) -> Callable:
        view._access = Access(public=False, permission=permission, fresh=fresh)  # type: ignore[attr-defined]
        return view

    return decorator


def role_has(role: str | Role, permission: Permission) -> bool:
    try:
        return Role(role) in ROLE_PERMISSIONS[permission]
    except ValueError:
        return False


def can(permission: Permission, user: Optional[User] = None) -> bool:
    user = user if user is not None else current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return role_has(user.role, permission)


def access_of(endpoint: Optional[str]) -> Optional[Access]:
    if endpoint is None:
        return None
    if endpoint == "static":
        return Access(public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_access", None) if view else None


def roles_for(permission: Permission) -> frozenset[Role]:
    return ROLE_PERMISSIONS[permission]


# --- per-object rules -------------------------------------------------------------------

def can_view_mandate(user: User, mandate: Mandate) -> bool:
    if can(Permission.MANAGE_MANDATES, user):
        return True
    return can(Permission.VIEW_OWN_MANDATES, user) and mandate.holder_id == user.id


def _region_id(user: User) -> Optional[int]:
    return user.organisation.region_id if user.organisation else None


def _active_participation(case_id_column, *, user_id: Optional[int] = None,
                          organisation_id: Optional[int] = None):
    clauses = [CaseParticipant.case_id == case_id_column, CaseParticipant.removed_at.is_(None)]
    if user_id is not None:
        clauses.append(CaseParticipant.user_id == user_id)
    if organisation_id is not None:
        clauses += [CaseParticipant.organisation_id == organisation_id,
                    CaseParticipant.role == ParticipantRole.PROVIDER.value]
    return exists(select(CaseParticipant.id).where(*clauses))


def visible_cases_clause(user: User) -> ColumnElement[bool]:
    """The SQL twin of can_view_case: a WHERE clause for every case list and count.

    - chair and RET members: the submitted cases of their region;
    - caseworkers: cases they referred, take part in, or of their own organisation (access team);
    - provider members: cases their organisation is invited to, while collective consent stands;
    - network liaisons, analysts, admins: none (escalations and anonymised reports come later).
    """
    role = Role(user.role)
    if role in (Role.CHAIR, Role.RET_MEMBER):
        region_id = _region_id(user)
        if region_id is None:
            return false()
        return and_(Case.region_id == region_id, Case.status != CaseStatus.CONCEPT.value)
    if role is Role.CASEWORKER:
        return or_(Case.caseworker_id == user.id,
                   Case.submitting_organisation_id == user.organisation_id,
                   _active_participation(Case.id, user_id=user.id))
    if role is Role.PROVIDER_MEMBER:
        return and_(Case.consent_collective.is_(True), Case.status != CaseStatus.CONCEPT.value,
                    _active_participation(Case.id, organisation_id=user.organisation_id))
    return false()


def can_view_case(user: User, case: Case) -> bool:
    """Need-to-know: may this user see this case at all? (Python twin of visible_cases_clause.)"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    role = Role(user.role)
    active = [p for p in case.participants if p.removed_at is None]
    if role in (Role.CHAIR, Role.RET_MEMBER):
        region_id = _region_id(user)
        return region_id is not None and case.region_id == region_id and case.status != CaseStatus.CONCEPT
    if role is Role.CASEWORKER:
        return (case.caseworker_id == user.id or case.submitting_organisation_id == user.organisation_id
                or any(p.user_id == user.id for p in active))
    if role is Role.PROVIDER_MEMBER:
        return (case.consent_collective and case.status != CaseStatus.CONCEPT
                and any(p.organisation_id == user.organisation_id and p.role == ParticipantRole.PROVIDER
                        for p in active))
    return False


def can_see_identity(user: User, case: Case) -> bool:
    """Names and BSN: everyone who may see the case works with the family (no anonymous roles yet)."""
    return can_view_case(user, case)


def is_chair_of(user: User, case: Case) -> bool:
    return Role(user.role) is Role.CHAIR and _region_id(user) == case.region_id


def is_referrer(user: User, case: Case) -> bool:
    """The caseworker who referred the case, or a colleague of the same access team."""
    return Role(user.role) is Role.CASEWORKER and (
        case.caseworker_id == user.id or case.submitting_organisation_id == user.organisation_id)


def is_process_director(user: User, case: Case) -> bool:
    return case.process_director_id == user.id and can_view_case(user, case)


def can_manage_participants(user: User, case: Case) -> bool:
    """The process director and the chair of the region invite and remove participants."""
    return is_process_director(user, case) or is_chair_of(user, case)


def can_contribute_to_screening(user: User, case: Case) -> bool:
    """May this user write in the case's screening (their own contribution, addenda)?
    The process director; a RET member or chair invited by name; a provider member whose
    organisation is invited (and who sees the case: collective consent)."""
    if not can_view_case(user, case):
        return False
    if is_process_director(user, case):
        return True
    active = [p for p in case.participants if p.removed_at is None]
    role = Role(user.role)
    if role in (Role.CHAIR, Role.RET_MEMBER):
        return any(p.user_id == user.id for p in active)
    if role is Role.PROVIDER_MEMBER:
        return any(p.organisation_id == user.organisation_id and p.role == ParticipantRole.PROVIDER for p in active)
    return False


def can_edit_referral(user: User, case: Case) -> bool:
    """The referral itself (youth, family, question, attachments) is edited by the access team
    while it is a concept or after it came back with advice."""
    return is_referrer(user, case) and case.status in (CaseStatus.CONCEPT, CaseStatus.RETURNED_WITH_ADVICE)


def can_record_consent(user: User, case: Case) -> bool:
    """Consent is recorded by the access team (who speaks with the family) and by the chair."""
    return is_referrer(user, case) or is_chair_of(user, case)


def may_hold_mandate(user: User) -> bool:
    return Role(user.role) in MANDATE_HOLDER_ROLES and user.deactivated_at is None


# --- RET sessions -------------------------------------------------------------------------

# Cases the chair may put on an agenda: submitted and not finished (not concept, not closed,
# not returned to the access team).
PLANNABLE_STATUSES = frozenset({CaseStatus.SUBMITTED, CaseStatus.INTAKE, CaseStatus.SCREENING,
                                CaseStatus.PROCESS_DIRECTION, CaseStatus.MONITORING, CaseStatus.PAUSED})


def is_ret_of_region(user: User, region_id: int) -> bool:
    """Chair and RET members see every session of their region, with every item."""
    return Role(user.role) in (Role.CHAIR, Role.RET_MEMBER) and _region_id(user) == region_id


def is_invited(user: User, meeting: Meeting) -> bool:
    return any(i.user_id == user.id for i in meeting.invitations)


def can_view_meeting(user: User, meeting: Meeting) -> bool:
    """The RET of the region, whoever is invited, and whoever may see a case on the agenda (a
    provider invited to the case after it was planned, a colleague of the access team). What they
    see of it is limited to `visible_items`."""
    if user is None or not getattr(user, "is_authenticated", False) or not can(Permission.VIEW_SESSIONS, user):
        return False
    return (is_ret_of_region(user, meeting.region_id) or is_invited(user, meeting)
            or any(can_view_case(user, item.case) for item in meeting.items))


def visible_meetings_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_view_meeting."""
    if not role_has(user.role, Permission.VIEW_SESSIONS):
        return false()
    invited = exists(select(MeetingInvitation.id).where(MeetingInvitation.meeting_id == Meeting.id,
                                                        MeetingInvitation.user_id == user.id))
    sees_a_case = exists(select(MeetingItem.id).join(Case, Case.id == MeetingItem.case_id)
                         .where(MeetingItem.meeting_id == Meeting.id, visible_cases_clause(user)))
    if Role(user.role) in (Role.CHAIR, Role.RET_MEMBER):
        region_id = _region_id(user)
        if region_id is not None:
            return or_(Meeting.region_id == region_id, invited, sees_a_case)
    return or_(invited, sees_a_case)


def sees_full_meeting(user: User, meeting: Meeting) -> bool:
    """All items, the full minutes: the RET of the region."""
    return is_ret_of_region(user, meeting.region_id)


def visible_items(user: User, meeting: Meeting) -> list[MeetingItem]:
    """The agenda as this user may see it: only items of cases they may see."""
    if sees_full_meeting(user, meeting):
        return list(meeting.items)
    return [item for item in meeting.items if can_view_case(user, item.case)]


def can_run_meeting(user: User, meeting: Meeting) -> bool:
    """Plan, chair and close a session: a chair of the session's region (a colleague can stand in)."""
    return Role(user.role) is Role.CHAIR and _region_id(user) == meeting.region_id


def can_plan_case(user: User, case: Case) -> bool:
    """May this chair put this case on an agenda? Own region, submitted and not finished."""
    return is_chair_of(user, case) and case.status in PLANNABLE_STATUSES


def check_in_open(meeting: Meeting) -> bool:
    """Attendance is recorded while the session runs, and from the day it is planned for: a check-in
    weeks ahead would make someone "present" for the mandate check at the session."""
    from ret_app.models.base import local_date, local_today

    if meeting.status == MeetingStatus.IN_PROGRESS:
        return True
    return meeting.status == MeetingStatus.PLANNED and local_date(meeting.starts_at) <= local_today()


def can_check_in(user: User, meeting: Meeting) -> bool:
    """Check yourself in: invited, or the RET of the region, once check-in is open."""
    return check_in_open(meeting) and can_view_meeting(user, meeting)


def can_view_extract(user: User, meeting: Meeting, case: Case) -> bool:
    """The per-case extract of the minutes: whoever sees the session and the case."""
    return can_view_meeting(user, meeting) and can_view_case(user, case)


def can_add_addendum(user: User, meeting: Meeting) -> bool:
    """Corrections to approved minutes: the RET of the region."""
    return meeting.status == MeetingStatus.APPROVED and is_ret_of_region(user, meeting.region_id)


def can_answer_provisional(user: User, decision: Decision, day=None) -> bool:
    """The municipality's answer to an "onder voorbehoud" decision: the functional admin, or a
    holder of a mandate of that municipality that covers the decision today."""
    from datetime import date as _date

    if decision.status != DecisionStatus.PROVISIONAL or not can(Permission.ANSWER_PROVISIONAL, user):
        return False
    if Role(user.role) is Role.ADMIN:
        return True
    day = day or _date.today()
    return any(m.municipality_id == decision.municipality_id
               and m.covers(day, decision.care_type or "", decision.amount_eur or 0)
               for m in _mandates_of(user))


def _mandates_of(user: User) -> list[Mandate]:
    from ret_app.extensions import db

    return list(db.session.scalars(select(Mandate).where(Mandate.holder_id == user.id)))


def owns_action(user: User, action: CaseAction) -> bool:
    if action.owner_user_id is not None:
        return action.owner_user_id == user.id
    return action.owner_organisation_id == user.organisation_id


def can_update_action(user: User, action: CaseAction) -> bool:
    """Mark an action done or reopen it: its owner (a person, or a member of the owning
    organisation), the process director and the chair of the region — if they see the case."""
    if not can_view_case(user, action.case):
        return False
    return owns_action(user, action) or is_process_director(user, action.case) or is_chair_of(user, action.case)


def enforce_route_access() -> None:
    """Before every request: fail closed on unclassified routes, then check login and role."""
    if request.endpoint is None:
        return  # 404/405 handled by Flask
    access = access_of(request.endpoint)
    if access is None:
        current_app.logger.error("route %s has no access classification", request.endpoint)
        abort(403)
    if access.public:
        return
    if not current_user.is_authenticated:
        from ret_app.extensions import login_manager

        # Raised as a response so that htmx gets HX-Redirect and pages get the login form.
        abort(login_manager.unauthorized())
    if access.permission is not None and not can(access.permission):
        from ret_app import audit

        audit.record(
            audit.Action.READ,
            outcome=audit.Outcome.DENIED,
            object_type="route",
            object_id=request.endpoint,
            commit=True,
        )
        abort(403)
    if access.fresh:
        from ret_app.auth.services import needs_reauthentication, reauth_redirect

        if needs_reauthentication():
            abort(reauth_redirect())
