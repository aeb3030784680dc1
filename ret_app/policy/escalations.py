"""Escalations to the supra-regional network: who sees them and who takes which step.

* The RET side: the chair and the RET members of the case's region (those who see the case and are
  RET) read the case's escalations, with the whole exchange. The chair escalates (sends), reminds the
  network, sets a new expected date and withdraws; the case's process director (or the chair) prepares
  and edits the draft and answers the network's questions. Caseworkers and provider members see no
  escalation (404), nor does anyone of another region.
* The network side: a network liaison (role `network_liaison`, organisation of kind network) of the
  escalation's network sees the escalations sent to it (never a draft) while the case's network
  consent (or a recorded legal ground for the network) stands; when it is withdrawn, the liaison's
  access ends at once. A liaison sees nothing else of the case (`can_view_case` stays false for them)
  and nothing of another network. The liaison takes the network's steps (accept, decline, start,
  name a network process director, advise or ask, answer, close).

Each object rule sits beside its SQL twin (tests/test_escalations_policy.py checks they agree).
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ColumnElement, and_, false, select

from ret_app.models import Case, CaseStatus, Escalation, EscalationStatus, Role, User
from ret_app.policy.cases import can_view_case, is_chair_of, is_chair_or_director, visible_cases_clause
from ret_app.policy.core import has_role, signed_in

RET_ROLES = (Role.CHAIR, Role.RET_MEMBER)


def _ret_side(user: User) -> bool:
    return has_role(user, *RET_ROLES)


def sees_escalations(user: User) -> bool:
    """The RET's side of a case (the chair, RET members) sees its escalations; nobody else on the case."""
    return signed_in(user) and _ret_side(user)


def liaison_network_id(user: User) -> Optional[int]:
    """The network a liaison speaks for (their organisation of kind network), or None."""
    if not signed_in(user) or not has_role(user, Role.NETWORK_LIAISON):
        return None
    organisation = user.organisation
    if organisation is None or organisation.kind != "network" or not organisation.active:
        return None
    return organisation.network_id


def network_consent_stands(case: Case) -> bool:
    """Consent for the network scope (or a recorded legal ground for it), on the case's flag."""
    return bool(case.consent_network) and case.status != CaseStatus.CONCEPT


def is_liaison_of(user: User, escalation: Escalation) -> bool:
    """A liaison of the escalation's network (whatever the escalation's state or consent)."""
    network_id = liaison_network_id(user)
    return network_id is not None and network_id == escalation.network_id


def can_view_escalation(user: User, escalation: Optional[Escalation]) -> bool:
    if escalation is None or not signed_in(user):
        return False
    if _ret_side(user):
        return can_view_case(user, escalation.case)
    if is_liaison_of(user, escalation):
        return escalation.status != EscalationStatus.DRAFT and network_consent_stands(escalation.case)
    return False


def visible_escalations_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_view_escalation (on Escalation)."""
    if not signed_in(user):
        return false()
    if _ret_side(user):
        return Escalation.case_id.in_(select(Case.id).where(visible_cases_clause(user)))
    network_id = liaison_network_id(user)
    if network_id is not None:
        consented = select(Case.id).where(Case.consent_network.is_(True), Case.status != CaseStatus.CONCEPT.value)
        return and_(Escalation.network_id == network_id, Escalation.status != EscalationStatus.DRAFT.value,
                    Escalation.case_id.in_(consented))
    return false()


# --- the RET's steps ------------------------------------------------------------------------------

def can_prepare_escalation(user: User, case: Case) -> bool:
    """Create and edit a draft: the case's process director or the chair of its region."""
    return signed_in(user) and _ret_side(user) and is_chair_or_director(user, case)


def can_send_escalation(user: User, escalation: Escalation) -> bool:
    """Escalate (send), remind, set a new date, withdraw: the chair of the case's region."""
    return signed_in(user) and is_chair_of(user, escalation.case)


def can_withdraw_escalation(user: User, escalation: Escalation) -> bool:
    """The chair; the process director too while it is a draft (one they may edit)."""
    if can_send_escalation(user, escalation):
        return True
    return escalation.status == EscalationStatus.DRAFT and can_prepare_escalation(user, escalation.case)


def can_reply_for_ret(user: User, escalation: Escalation) -> bool:
    """Answer the network's question: the chair or the case's process director."""
    return signed_in(user) and _ret_side(user) and is_chair_or_director(user, escalation.case)


# --- the network's steps --------------------------------------------------------------------------

def can_act_for_network(user: User, escalation: Escalation) -> bool:
    """A liaison of the escalation's network, while it may see the escalation (sent, consent stands)."""
    return is_liaison_of(user, escalation) and can_view_escalation(user, escalation)


def actionable_escalations_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of can_act_for_network (on Escalation)."""
    if liaison_network_id(user) is None:
        return false()
    return visible_escalations_clause(user)


def lists_escalation(user: User, escalation: Escalation) -> bool:
    """The liaison's list: every escalation sent to their network, also after network consent was
    withdrawn (the row then says so and shows nothing of the case; the escalation itself is 404)."""
    return is_liaison_of(user, escalation) and escalation.status != EscalationStatus.DRAFT


def listed_escalations_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of lists_escalation (on Escalation)."""
    network_id = liaison_network_id(user)
    if network_id is None:
        return false()
    return and_(Escalation.network_id == network_id, Escalation.status != EscalationStatus.DRAFT.value)


# --- the watchdog: who watches which escalations --------------------------------------------------

def watches_escalations(user: User) -> bool:
    """The start-page card of overdue escalations: the chair and RET members (their cases)."""
    return signed_in(user) and _ret_side(user)


def escalation_watch_clause(user: User) -> ColumnElement[bool]:
    """The escalations whose lateness the user watches (on Escalation): the chair, those of the region's
    cases; a RET member, those of the cases they direct."""
    if not watches_escalations(user):
        return false()
    visible = select(Case.id).where(visible_cases_clause(user))
    if has_role(user, Role.CHAIR):
        return Escalation.case_id.in_(visible)
    return Escalation.case_id.in_(visible.where(Case.process_director_id == user.id))


def watches_escalation(user: User, escalation: Escalation) -> bool:
    """Python twin of escalation_watch_clause."""
    if not watches_escalations(user) or not can_view_case(user, escalation.case):
        return False
    return has_role(user, Role.CHAIR) or escalation.case.process_director_id == user.id


