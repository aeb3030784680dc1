"""Requests to providers of the collective and commitments: who sees them, who answers them.

* The RET side: whoever may see the case and is not a provider member (the chair and RET members of
  the region, the case's caseworkers) reads its requests and commitments; the process director and
  the chair of the region make and withdraw them (`can_make_requests`).
* A provider member reads the requests to their own organisation, and answers them, only while the
  case has collective consent (or a recorded legal ground): when it is withdrawn, the provider's
  access ends at once — its requests answer 404 like its case does (can_view_case), and the RET sees
  "consent withdrawn" on them. Another organisation's request, another region's: 404.
* A commitment (accepted) is started and ended by a member of the provider or by the process
  director / chair.

Each object rule sits beside its SQL twin (tests/test_commitments_policy.py checks they agree).
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ColumnElement, and_, false, select

from ret_app.models import Case, CaseStatus, Organisation, ProviderRequest, RequestStatus, Role, User
from ret_app.policy.cases import can_view_case, is_chair_or_director, visible_cases_clause
from ret_app.policy.collective import collective_providers_clause, is_collective_provider
from ret_app.policy.core import Permission, has_role, role_has, signed_in


def can_make_requests(user: User, case: Case) -> bool:
    """The process director of the case, or the chair of its region."""
    return signed_in(user) and is_chair_or_director(user, case)


def can_see_suggestions(user: User, case: Case) -> bool:
    """The ranked suggestions for a case: the RET side of those who may see it (the providers' profiles
    they rank are readable to them anyway); a provider member does not rank its peers."""
    return signed_in(user) and not _provider_side(user) and can_view_case(user, case)


def _provider_side(user: User) -> bool:
    return Role(user.role) is Role.PROVIDER_MEMBER


def _consent_stands(case: Case) -> bool:
    return bool(case.consent_collective) and case.status != CaseStatus.CONCEPT


def is_member_of_provider(user: User, request: ProviderRequest) -> bool:
    """A provider member of the requested organisation (a collective provider), while consent stands."""
    return (signed_in(user) and _provider_side(user) and role_has(user.role, Permission.KEEP_PROVIDER_PROFILE)
            and user.organisation_id == request.organisation_id and is_collective_provider(request.organisation)
            and _consent_stands(request.case))


def can_view_request(user: User, request: Optional[ProviderRequest]) -> bool:
    if request is None or not signed_in(user):
        return False
    if _provider_side(user):
        return is_member_of_provider(user, request)
    return can_view_case(user, request.case)


def _consented_cases():
    return select(Case.id).where(Case.consent_collective.is_(True), Case.status != CaseStatus.CONCEPT.value)


def _own_provider_clause(user: User) -> ColumnElement[bool]:
    return and_(ProviderRequest.organisation_id == user.organisation_id,
                ProviderRequest.organisation_id.in_(select(Organisation.id).where(collective_providers_clause())),
                ProviderRequest.case_id.in_(_consented_cases()))


def visible_requests_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_view_request (on ProviderRequest)."""
    if not signed_in(user):
        return false()
    if _provider_side(user):
        if not role_has(user.role, Permission.KEEP_PROVIDER_PROFILE) or user.organisation_id is None:
            return false()
        return _own_provider_clause(user)
    return ProviderRequest.case_id.in_(select(Case.id).where(visible_cases_clause(user)))


def reads_every_request_of(user: User, case: Case) -> bool:
    """The case's timeline entries of requests and commitments name the provider in words only, so
    they are for those who read every request of the case: the RET side (a provider member reads only
    its own organisation's requests, on the requests panel)."""
    return signed_in(user) and not _provider_side(user) and can_view_case(user, case)


def can_answer_request(user: User, request: ProviderRequest) -> bool:
    """Accept or decline: a member of the requested provider (the state is the lifecycle's business)."""
    return is_member_of_provider(user, request)


def answerable_requests_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_answer_request (on ProviderRequest)."""
    if not signed_in(user) or not _provider_side(user) or user.organisation_id is None \
            or not role_has(user.role, Permission.KEEP_PROVIDER_PROFILE):
        return false()
    return _own_provider_clause(user)


def can_withdraw_request(user: User, request: ProviderRequest) -> bool:
    return can_make_requests(user, request.case)


def can_run_commitment(user: User, request: ProviderRequest) -> bool:
    """Start and end a commitment: a member of the provider, or the process director / chair."""
    return is_member_of_provider(user, request) or can_make_requests(user, request.case)


def sees_past_reply_by(user: User) -> bool:
    """The start-page card of requests unanswered past their date: the chair and RET members (for the
    cases they direct)."""
    return signed_in(user) and has_role(user, Role.CHAIR, Role.RET_MEMBER)


def overdue_watch_clause(user: User) -> ColumnElement[bool]:
    """The requests whose lateness the user watches (on ProviderRequest): the chair, every request of
    the region's cases; a RET member, those of the cases they direct."""
    if not sees_past_reply_by(user):
        return false()
    visible = select(Case.id).where(visible_cases_clause(user))
    if has_role(user, Role.CHAIR):
        return ProviderRequest.case_id.in_(visible)
    return ProviderRequest.case_id.in_(visible.where(Case.process_director_id == user.id))


def watches_request(user: User, request: ProviderRequest) -> bool:
    """Python twin of overdue_watch_clause."""
    if not sees_past_reply_by(user) or not can_view_case(user, request.case):
        return False
    return has_role(user, Role.CHAIR) or request.case.process_director_id == user.id


OPEN = RequestStatus.REQUESTED.value
