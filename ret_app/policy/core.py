"""Roles, permissions and route declarations: the part of the policy every domain builds on.

Routes declare their access with `@public` or `@requires(Permission.X)`; a request to a route that
declares nothing is refused (fail closed). Templates ask `can(Permission.X)` to decide what to show,
and services call the same functions. The per-object rules live next to this module, one module per
domain (cases, meetings, mandates), each rule beside its SQL twin.
"""

from __future__ import annotations

import enum
from typing import Callable, Optional

from flask import abort, current_app, request
from flask_login import current_user

from ret_app.models import Role, User


class Permission(enum.StrEnum):
    USE_APP = "use_app"  # start page, own account, own sessions
    VIEW_OWN_MANDATES = "view_own_mandates"
    MANAGE_REFERENCE_DATA = "manage_reference_data"  # regions, municipalities, networks, organisations
    MANAGE_USERS = "manage_users"
    MANAGE_MANDATES = "manage_mandates"
    VIEW_AUDIT = "view_audit"
    WORK_ON_CASES = "work_on_cases"  # case list and case pages (which cases: per object)
    MAKE_REFERRALS = "make_referrals"
    RUN_INTAKE = "run_intake"
    VIEW_SESSIONS = "view_sessions"  # RET sessions: which ones and which items, per object
    PLAN_SESSIONS = "plan_sessions"
    VIEW_OWN_ACTIONS = "view_own_actions"  # "Mijn acties"
    ANSWER_PROVISIONAL = "answer_provisional"  # the municipality's answer to an "onder voorbehoud" decision
    SEE_COLLECTIVE = "see_collective"  # the region's HSWV collective on the start page
    VIEW_COLLECTIVE = "view_collective"  # the region's provider profiles and their capacity (per object)
    KEEP_PROVIDER_PROFILE = "keep_provider_profile"  # one's own organisation's profile and capacity register
    VIEW_CAPACITY_OVERVIEW = "view_capacity_overview"  # the region's capacity: care type x provider
    ANSWER_FOR_NETWORK = "answer_for_network"  # a network liaison: the escalations to their network (per object)
    VIEW_AGGREGATES = "view_aggregates"  # the analyst: suppressed aggregates of their own region only
    READ_VIGNETTES = "read_vignettes"  # the region's approved learning vignettes and packs (per object: policy/vignettes.py)
    KEEP_VIGNETTES = "keep_vignettes"  # generate, edit, approve and withdraw learning vignettes of closed cases
    VIEW_SIGNALS = "view_signals"  # the region's gap signals and gap overview (the chair acts on them)
    VIEW_REFLECTION = "view_reflection"  # the reflection report per access team / municipality (suppressed)
    VIEW_PRIVACY_HUB = "view_privacy_hub"  # the region's privacy hub: requests of the people in the files
    VIEW_ACCESS_LOG = "view_access_log"  # a case's access log and the family's "who looked at my file" PDF
    VIEW_PROCESSING_REGISTER = "view_processing_register"  # the register of processing (GDPR art. 30)
    HANDLE_ERASURE = "handle_erasure"  # erasure requests, legal holds, retention, the destruction list (per region)


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
    Permission.SEE_COLLECTIVE: frozenset({Role.CHAIR, Role.RET_MEMBER, Role.PROVIDER_MEMBER}),
    Permission.VIEW_COLLECTIVE: frozenset({Role.CHAIR, Role.RET_MEMBER, Role.CASEWORKER, Role.PROVIDER_MEMBER}),
    Permission.KEEP_PROVIDER_PROFILE: frozenset({Role.PROVIDER_MEMBER}),
    # Process directors are RET members or the chair.
    Permission.VIEW_CAPACITY_OVERVIEW: frozenset({Role.CHAIR, Role.RET_MEMBER}),
    Permission.ANSWER_FOR_NETWORK: frozenset({Role.NETWORK_LIAISON}),
    Permission.VIEW_AGGREGATES: frozenset({Role.ANALYST}),
    # Anonymised learning vignettes: the chair keeps them; the RET reads the approved ones for its learning
    # sessions. Not for access teams, providers, the network, analysts or the administrator: a vignette
    # is anonymised, but it still tells one case's story, and is shared only where the RET learns from it.
    Permission.READ_VIGNETTES: frozenset({Role.CHAIR, Role.RET_MEMBER}),
    Permission.KEEP_VIGNETTES: frozenset({Role.CHAIR}),
    Permission.HANDLE_ERASURE: frozenset({Role.CHAIR, Role.PRIVACY_OFFICER}),
    Permission.VIEW_SIGNALS: frozenset({Role.CHAIR, Role.RET_MEMBER}),
    # The reflection report per access team or municipality: the RET prepares its periodic reflection
    # with the access teams; the region's analyst reads the same suppressed figures.
    Permission.VIEW_REFLECTION: frozenset({Role.CHAIR, Role.RET_MEMBER, Role.ANALYST}),
    # The privacy officer sees audit data and the requests of the people in the files, no case content;
    # the chair of the region handles those requests with them (per object: policy/privacy.py).
    Permission.VIEW_PRIVACY_HUB: frozenset({Role.CHAIR, Role.PRIVACY_OFFICER}),
    Permission.VIEW_ACCESS_LOG: frozenset({Role.CHAIR, Role.PRIVACY_OFFICER}),
    Permission.VIEW_PROCESSING_REGISTER: frozenset({Role.PRIVACY_OFFICER, Role.ADMIN}),
}

# Roles for whom no case exists, not even as "forbidden": a case route they may not use answers 404, as
# one of a case that does not exist. The analyst sees aggregates only; the privacy officer sees audit data
# and requests, no case content.
NO_CASE_ROLES: frozenset[Role] = frozenset({Role.ANALYST, Role.PRIVACY_OFFICER})


class Access:
    """What a view function declares; read by the before-request guard."""

    def __init__(self, public: bool, permission: Optional[Permission] = None, fresh: bool = False,
                 token: bool = False):
        self.public = public
        self.permission = permission
        self.fresh = fresh
        self.token = token  # a bearer token of the monitor API, never a signed-in session


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


# The check of a request's bearer token (policy/tokens.py installs it with `bearer_check`).
_bearer_checks: list[Callable[[], object]] = []


def bearer_check(fn: Callable[[], object]) -> Callable[[], object]:
    """Install `fn` as the check the route guard runs for `@token_authenticated` routes."""
    _bearer_checks[:] = [fn]
    return fn


def token_authenticated(view: Callable) -> Callable:
    """Reachable with a bearer token of the monitor API only (policy/tokens.py checks it before the
    view): a signed-in session counts for nothing there, signed in or not the answer is the same."""
    view._access = Access(public=False, token=True)  # type: ignore[attr-defined]
    return view


def role_has(role: str | Role, permission: Permission) -> bool:
    try:
        return Role(role) in ROLE_PERMISSIONS[permission]
    except ValueError:
        return False


def signed_in(user: Optional[User]) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def can(permission: Permission, user: Optional[User] = None) -> bool:
    user = user if user is not None else current_user
    if not signed_in(user):
        return False
    return role_has(user.role, permission)


def has_role(user: User, *roles: Role) -> bool:
    return Role(user.role) in roles


def sees_no_cases(user: Optional[User]) -> bool:
    """Whether no case exists for the user's role (NO_CASE_ROLES): their refusals on case routes are 404."""
    try:
        return signed_in(user) and Role(user.role) in NO_CASE_ROLES
    except ValueError:
        return False


def region_of(user: User) -> Optional[int]:
    """The region a user works in (through their organisation), or None."""
    return user.organisation.region_id if user.organisation else None


def access_of(endpoint: Optional[str]) -> Optional[Access]:
    if endpoint is None:
        return None
    if endpoint == "static":
        return Access(public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_access", None) if view else None


def roles_for(permission: Permission) -> frozenset[Role]:
    return ROLE_PERMISSIONS[permission]


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
    if access.token:
        if not _bearer_checks:
            abort(403)  # no check installed: fail closed
        _bearer_checks[0]()  # 401 unless the request carries a valid token (never the session)
        return
    if not current_user.is_authenticated:
        from ret_app.extensions import login_manager

        # Raised as a response so that htmx gets HX-Redirect and pages get the login form.
        abort(login_manager.unauthorized())
    if access.permission is not None and not can(access.permission):
        from ret_app import audit

        # For the roles that see no case content no case exists, not even as "forbidden".
        case_id = (request.view_args or {}).get("case_id") if sees_no_cases(current_user) else None
        audit.record(audit.Action.READ, outcome=audit.Outcome.DENIED, object_type="route", object_id=request.endpoint,
                     case_id=case_id)
        abort(404 if case_id is not None else 403)
    if access.fresh:
        from ret_app.policy.freshness import needs_reauthentication, reauth_redirect

        if needs_reauthentication():
            abort(reauth_redirect())
