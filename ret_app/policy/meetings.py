"""RET sessions, their minutes, decisions and actions: who sees what, who runs them, who answers.

A session is seen by the RET of its region, by whoever is invited and by whoever may see a case on
its agenda; what they see of it is limited to `visible_items`. `can_view_meeting` and its SQL twin
`visible_meetings_clause` agree (tested over every role).
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Optional

from sqlalchemy import ColumnElement, Select, exists, false, or_, select, union

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.sql import among
from ret_app.models import (
    Case,
    CaseAction,
    Decision,
    DecisionStatus,
    Mandate,
    Meeting,
    MeetingInvitation,
    MeetingItem,
    MeetingStatus,
    Role,
    User,
)
from ret_app.policy.cases import can_view_case, is_chair_of, is_process_director, visible_case_ids
from ret_app.policy.core import Permission, can, has_role, region_of, role_has, signed_in
from ret_app.policy.mandates import may_hold_mandate


def is_ret_of_region(user: User, region_id: int) -> bool:
    """Chair and RET members see every session of their region, with every item."""
    return has_role(user, Role.CHAIR, Role.RET_MEMBER) and region_of(user) == region_id


def is_invited(user: User, meeting: Meeting) -> bool:
    return any(i.user_id == user.id for i in meeting.invitations)


def can_view_meeting(user: User, meeting: Meeting) -> bool:
    """The RET of the region, whoever is invited, and whoever may see a case on the agenda (a
    provider invited to the case after it was planned, a colleague of the access team). What they
    see of it is limited to `visible_items`."""
    if not signed_in(user) or not can(Permission.VIEW_SESSIONS, user):
        return False
    return (is_ret_of_region(user, meeting.region_id) or is_invited(user, meeting)
            or any(can_view_case(user, item.case) for item in meeting.items))


def visible_meetings_clause(user: User, among_meetings: Optional[Select] = None) -> ColumnElement[bool]:
    """SQL twin of can_view_meeting. The sessions the user is invited to or that have a case on the
    agenda they may see are ids looked up first (kernel.sql.among): each part from its own index,
    not a test of every session of the country.

    `among_meetings` (a select of meeting ids the outer query is limited to anyway, such as the
    sessions of the next two weeks) bounds those lookups to the agenda items and invitations of just
    those sessions; without it, "has a case on the agenda I may see" reads the items of every case
    in the user's view, which for the RET grows with the region's whole history."""
    if not role_has(user.role, Permission.VIEW_SESSIONS):
        return false()
    invitations = select(MeetingInvitation.meeting_id).where(MeetingInvitation.user_id == user.id)
    if among_meetings is None:
        # The user's case ids gathered first (kernel.sql.among): with `IN (SELECT ...)` PostgreSQL misjudged a
        # caseworker's few cases and read every agenda item of the country (the session list: 2 x 30 ms at
        # 60,000 cases); as an array it looks their items up by the case_id index.
        items = select(MeetingItem.meeting_id).where(among(MeetingItem.case_id, visible_case_ids(user)))
    else:
        # Within a few sessions the items are found from those sessions (the meeting index) and tested
        # against the user's cases: as an array of the chair's thousands of cases PostgreSQL read their
        # items of twenty years by the case index on every start page.
        invitations = invitations.where(MeetingInvitation.meeting_id.in_(among_meetings))
        items = select(MeetingItem.meeting_id).where(MeetingItem.meeting_id.in_(among_meetings),
                                                     MeetingItem.case_id.in_(visible_case_ids(user)))
    invited_or_sees_a_case = among(Meeting.id, union(invitations.correlate(None), items.correlate(None)))
    if has_role(user, Role.CHAIR, Role.RET_MEMBER):
        region_id = region_of(user)
        if region_id is not None:
            return or_(Meeting.region_id == region_id, invited_or_sees_a_case)
    return invited_or_sees_a_case


def sees_full_meeting(user: User, meeting: Meeting) -> bool:
    """All items, the full minutes: the RET of the region."""
    return is_ret_of_region(user, meeting.region_id)


def visible_items(user: User, meeting: Meeting) -> list[MeetingItem]:
    """The agenda as this user may see it: only items of cases they may see."""
    if sees_full_meeting(user, meeting):
        return list(meeting.items)
    return [item for item in meeting.items if can_view_case(user, item.case)]


def visible_items_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of visible_items (on MeetingItem, with its Meeting joined): every item of a session of
    the user's region for its RET, otherwise the items of cases the user may see (looked up by id)."""
    of_visible_case = among(MeetingItem.case_id, visible_case_ids(user))
    if has_role(user, Role.CHAIR, Role.RET_MEMBER) and region_of(user) is not None:
        return or_(Meeting.region_id == region_of(user), of_visible_case)
    return of_visible_case


def can_plan_sessions(user: User) -> bool:
    """Plan a new session: a chair whose organisation belongs to a region."""
    return has_role(user, Role.CHAIR) and region_of(user) is not None


def can_run_meeting(user: User, meeting: Meeting) -> bool:
    """Plan, chair and close a session: a chair of the session's region (a colleague can stand in)."""
    return has_role(user, Role.CHAIR) and region_of(user) == meeting.region_id


def can_put_on_agenda(user: User, case: Case) -> bool:
    """Which cases a chair may put on an agenda: those of their own region (the lifecycle decides
    which of them are open for discussion)."""
    return is_chair_of(user, case)


def check_in_open(meeting: Meeting) -> bool:
    """Attendance is recorded while the session runs, and from the day it is planned for: a check-in
    weeks ahead would make someone "present" for the mandate check at the session."""
    if meeting.status == MeetingStatus.IN_PROGRESS:
        return True
    return meeting.status == MeetingStatus.PLANNED and dates.local_date(meeting.starts_at) <= dates.today()


def can_check_in(user: User, meeting: Meeting) -> bool:
    """Check yourself in: invited, or the RET of the region, once check-in is open."""
    return check_in_open(meeting) and can_view_meeting(user, meeting)


def can_view_extract(user: User, meeting: Meeting, case: Case) -> bool:
    """The per-case extract of the minutes: whoever sees the session and the case."""
    return can_view_meeting(user, meeting) and can_view_case(user, case)


def can_add_addendum(user: User, meeting: Meeting) -> bool:
    """Corrections to approved minutes: the RET of the region."""
    return meeting.status == MeetingStatus.APPROVED and is_ret_of_region(user, meeting.region_id)


# --- the municipality's answer to a provisional decision ------------------------------------------

def answers_for_every_municipality(user: User) -> bool:
    """The functional administrator records answers for any municipality (without case content)."""
    return can(Permission.ANSWER_PROVISIONAL, user) and has_role(user, Role.ADMIN)


def mandates_of(user: User) -> list[Mandate]:
    return list(db.session.scalars(select(Mandate).where(Mandate.holder_id == user.id)))


def can_answer_provisional(user: User, decision: Decision, day: Optional[date] = None,
                           mandates: Optional[Iterable[Mandate]] = None) -> bool:
    """The municipality's answer to an "onder voorbehoud" decision: the functional administrator, or
    a holder of a mandate of that municipality that covers the decision today. `mandates` are the
    user's own (pass them when checking many decisions, so they are read once)."""
    if decision.status != DecisionStatus.PROVISIONAL or not can(Permission.ANSWER_PROVISIONAL, user):
        return False
    if answers_for_every_municipality(user):
        return True
    day = day or dates.today()
    own = mandates_of(user) if mandates is None else mandates
    return any(m.municipality_id == decision.municipality_id
               and m.covers(day, decision.care_type or "", decision.amount_eur or 0) for m in own)


def answerable_decisions_clause(user: User) -> ColumnElement[bool]:
    """SQL pre-selection for can_answer_provisional: provisional decisions of a municipality the user
    holds a mandate of (the validity, care type and ceiling are checked per decision)."""
    provisional = Decision.status == DecisionStatus.PROVISIONAL.value
    if not role_has(user.role, Permission.ANSWER_PROVISIONAL):
        return false()
    if has_role(user, Role.ADMIN):
        return provisional
    municipalities = select(Mandate.municipality_id).where(Mandate.holder_id == user.id)
    return provisional & Decision.municipality_id.in_(municipalities)


def may_learn_answer(user: User, decision: Decision) -> bool:
    """Who may learn that a provisional decision has been answered: whoever could have answered
    it — the functional administrator, or a holder of a mandate of its municipality
    (`can_answer_provisional` asks more: a mandate that covers it, while it waits)."""
    if not can(Permission.ANSWER_PROVISIONAL, user):
        return False
    if answers_for_every_municipality(user):
        return True
    return may_hold_mandate(user) and bool(db.session.scalar(select(exists().where(
        Mandate.holder_id == user.id, Mandate.municipality_id == decision.municipality_id))))


# --- actions ------------------------------------------------------------------------------------

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
