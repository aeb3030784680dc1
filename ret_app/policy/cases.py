"""Who may see and change a case: need-to-know, decided per case.

`can_view_case` and its SQL twin `visible_cases_clause` must agree (a test proves it over every
role). A case the user may not see answers 404, so its existence does not leak. The other rules
(intake, referral, consent, participants, screening) all start from `can_view_case`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, select, union

from ret_app.kernel.sql import among
from ret_app.models import Case, CaseParticipant, CaseStatus, ParticipantRole, Role, User
from ret_app.policy.core import has_role, region_of, signed_in


def _active_participations(*, user_id=None, organisation_id=None) -> Select:
    """The ids of the cases a user (or a provider organisation) takes part in now."""
    if user_id is not None:
        where = (CaseParticipant.user_id == user_id,)
    else:
        where = (CaseParticipant.organisation_id == organisation_id,
                 CaseParticipant.role == ParticipantRole.PROVIDER.value)
    return select(CaseParticipant.case_id).where(*where, CaseParticipant.removed_at.is_(None))


def visible_case_ids(user: User) -> Select:
    """The ids of the cases `user` may see (can_view_case), as one select that each part answers from
    its own index: for a caseworker "own case, own team, or taking part" is a UNION of three indexed
    lookups, not an OR that makes the database test every case of the country. Use it as
    `among(Case.id, visible_case_ids(user))` or `X.case_id.in_(visible_case_ids(user))`."""
    role = Role(user.role)
    not_erased = Case.status != CaseStatus.ERASED.value
    if role in (Role.CHAIR, Role.RET_MEMBER):
        region_id = region_of(user)
        if region_id is None:
            return select(Case.id).where(false()).correlate(None)
        return select(Case.id).where(Case.region_id == region_id, Case.status != CaseStatus.CONCEPT.value,
                                     not_erased).correlate(None)
    if role is Role.CASEWORKER:
        return union(
            select(Case.id).where(Case.caseworker_id == user.id, not_erased).correlate(None),
            select(Case.id).where(Case.submitting_organisation_id == user.organisation_id, not_erased)
            .correlate(None),
            select(Case.id).where(Case.id.in_(_active_participations(user_id=user.id)), not_erased)
            .correlate(None),
        )
    if role is Role.PROVIDER_MEMBER:
        return select(Case.id).where(
            Case.id.in_(_active_participations(organisation_id=user.organisation_id)),
            Case.consent_collective.is_(True), Case.status != CaseStatus.CONCEPT.value).correlate(None)
    return select(Case.id).where(false()).correlate(None)


def visible_cases_clause(user: User) -> ColumnElement[bool]:
    """The SQL twin of can_view_case: a WHERE clause (on Case) for every case list and count.

    - chair and RET members: the submitted cases of their region;
    - caseworkers: cases they referred, take part in, or of their own organisation (access team);
    - provider members: cases their organisation is invited to, while collective consent stands;
    - network liaisons, analysts, admins: none (escalations and anonymised reports come later).

    The chair's and RET members' rule is a condition on the case row (the region's index finds
    them); the others' are the ids of visible_case_ids, looked up first (kernel.sql.among).
    """
    role = Role(user.role)
    if role in (Role.CHAIR, Role.RET_MEMBER):
        region_id = region_of(user)
        if region_id is None:
            return false()
        return and_(Case.region_id == region_id, Case.status != CaseStatus.CONCEPT.value,
                    Case.status != CaseStatus.ERASED.value)
    if role in (Role.CASEWORKER, Role.PROVIDER_MEMBER):
        return among(Case.id, visible_case_ids(user))
    return false()


def _active_participants(case: Case) -> list[CaseParticipant]:
    return [p for p in case.participants if p.removed_at is None]


def can_view_case(user: User, case: Case) -> bool:
    """Need-to-know: may this user see this case at all? (Python twin of visible_cases_clause.)"""
    if not signed_in(user) or case.status == CaseStatus.ERASED:
        return False  # an erased case is a minimal record: no one opens it
    role = Role(user.role)
    if role in (Role.CHAIR, Role.RET_MEMBER):
        region_id = region_of(user)
        return region_id is not None and case.region_id == region_id and case.status != CaseStatus.CONCEPT
    if role is Role.CASEWORKER:
        return (case.caseworker_id == user.id or case.submitting_organisation_id == user.organisation_id
                or any(p.user_id == user.id for p in _active_participants(case)))
    if role is Role.PROVIDER_MEMBER:
        return (case.consent_collective and case.status != CaseStatus.CONCEPT
                and any(p.organisation_id == user.organisation_id and p.role == ParticipantRole.PROVIDER
                        for p in _active_participants(case)))
    return False


def can_see_identity(user: User, case: Case) -> bool:
    """Names and BSN: everyone who may see the case works with the family (no anonymous roles yet)."""
    return can_view_case(user, case)


def identity_visible_clause(user: User) -> ColumnElement[bool]:
    """The SQL twin of can_see_identity: the cases whose names (youth, family) the user may see and
    search by. Today the same cases as visible_cases_clause; a role that sees cases without names
    (an anonymised view) changes both twins together."""
    return visible_cases_clause(user)


def is_chair_of(user: User, case: Case) -> bool:
    return has_role(user, Role.CHAIR) and region_of(user) == case.region_id


def is_referrer(user: User, case: Case) -> bool:
    """The caseworker who referred the case, or a colleague of the same access team."""
    return has_role(user, Role.CASEWORKER) and (
        case.caseworker_id == user.id or case.submitting_organisation_id == user.organisation_id)


def is_process_director(user: User, case: Case) -> bool:
    return case.process_director_id == user.id and can_view_case(user, case)


def is_chair_or_director(user: User, case: Case) -> bool:
    return is_chair_of(user, case) or is_process_director(user, case)


def can_manage_participants(user: User, case: Case) -> bool:
    """The process director and the chair of the region invite and remove participants."""
    return is_process_director(user, case) or is_chair_of(user, case)


def can_edit_referral(user: User, case: Case) -> bool:
    """The referral itself (youth, family, question, attachments) is edited by the access team
    while it is a concept or after it came back with advice."""
    return is_referrer(user, case) and case.status in (CaseStatus.CONCEPT, CaseStatus.RETURNED_WITH_ADVICE)


def can_record_consent(user: User, case: Case) -> bool:
    """Consent is recorded by the access team (who speaks with the family) and by the chair."""
    return is_referrer(user, case) or is_chair_of(user, case)


# --- the integrated screening -------------------------------------------------------------------

def can_contribute_to_screening(user: User, case: Case) -> bool:
    """May this user write in the case's screening (their own contribution, addenda)?
    The process director; a RET member or chair invited by name; a provider member whose
    organisation is invited (and who sees the case: collective consent)."""
    if not can_view_case(user, case):
        return False
    if is_process_director(user, case):
        return True
    active = _active_participants(case)
    role = Role(user.role)
    if role in (Role.CHAIR, Role.RET_MEMBER):
        return any(p.user_id == user.id for p in active)
    if role is Role.PROVIDER_MEMBER:
        return any(p.organisation_id == user.organisation_id and p.role == ParticipantRole.PROVIDER for p in active)
    return False


def can_open_screening(user: User, case: Case) -> bool:
    """The process director or the chair starts the screening when the case enters it."""
    return case.status == CaseStatus.SCREENING and is_chair_or_director(user, case)


def can_write_screening_texts(user: User, case: Case) -> bool:
    """The youth's and family's views, the analysis and the advice are the process director's;
    finalising the screening is theirs too."""
    return is_process_director(user, case)
