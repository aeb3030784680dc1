"""Actions on cases ("acties"): agreed in a session or by the process director, owned by a person
or an organisation, with a due date. Services: flush, never commit; one event per change."""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case as sql_case, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ret_app import audit, policy
from ret_app.cases import participants
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.meetings import common, recording
from ret_app.meetings.common import bump_revision, lock_meeting
from ret_app.meetings.events import ActionAgreed, ActionStatusChanged
from ret_app.models import (
    ActionStatus,
    Case,
    CaseAction,
    Meeting,
    MeetingItem,
    Organisation,
    User,
)

USER_PREFIX = "u"
ORGANISATION_PREFIX = "o"

# What deciding whether a user sees a session (policy.can_view_meeting) reads: its invitations and
# the cases on its agenda with their participants.
SESSION_LINK_LOADS = (selectinload(Meeting.invitations),
                      selectinload(Meeting.items).joinedload(MeetingItem.case).selectinload(Case.participants))


def owner_candidates(case: Case) -> tuple[list[User], list[Organisation]]:
    """Who can own an action on this case: people who see the case (its caseworker, the process
    director, participants by name, the region's RET) and organisations working on it (the access
    team, invited providers)."""
    from ret_app.meetings.planning import ret_of_region

    people: dict[int, User] = {}
    for user in [case.caseworker, case.process_director] + [p.user for p in participants.active(case) if p.user]:
        if user is not None and user.deactivated_at is None:
            people[user.id] = user
    for user in ret_of_region(case.region_id):
        people.setdefault(user.id, user)
    organisations: dict[int, Organisation] = {case.submitting_organisation_id: case.submitting_organisation}
    for p in participants.active(case):
        if p.organisation is not None:
            organisations[p.organisation.id] = p.organisation
    return (sorted(people.values(), key=lambda u: u.name.lower()),
            sorted(organisations.values(), key=lambda o: o.name.lower()))


def parse_owner(case: Case, value: str) -> tuple[Optional[int], Optional[int]]:
    """'u12' / 'o7' → (user id, organisation id), refused unless a candidate of this case."""
    people, organisations = owner_candidates(case)
    if value.startswith(USER_PREFIX) and value[1:].isdigit() and int(value[1:]) in {u.id for u in people}:
        return int(value[1:]), None
    if (value.startswith(ORGANISATION_PREFIX) and value[1:].isdigit()
            and int(value[1:]) in {o.id for o in organisations}):
        return None, int(value[1:])
    raise RuleError(_l("Choose an owner who works on this case."), "owner")


def find_submitted(submission_key: str) -> Optional[CaseAction]:
    return common.find_submitted(CaseAction, submission_key)


def create(case: Case, data: dict, actor: User, item: Optional[MeetingItem] = None) -> tuple[CaseAction, bool]:
    """A new action; the same submission key twice records it once. Returns (action, created)."""
    key = (data.get("submission_key") or "").strip()
    if not key:
        raise RuleError(_l("The form has expired. Reload the page and try again."))
    existing = find_submitted(key)
    if existing is not None:
        if existing.case_id != case.id or existing.item_id != (item.id if item else None):
            raise RuleError(_l("The form has expired. Reload the page and try again."))
        return existing, False
    # Every objection at once: per field, and one for the form as a whole.
    errors: dict[Optional[str], Any] = {}
    if (not_open := recording.case_refusal(case, recording.ACTION)) is not None:
        errors[None] = not_open
    elif item is not None:
        lock_meeting(item.meeting)
        if (closed := recording.session_refusal(item.meeting, recording.ACTION)) is not None:
            errors[None] = closed
        elif not policy.can_run_meeting(actor, item.meeting):
            errors[None] = _l("Only the chair records actions in the session.")
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = _l("Describe the action.")
    try:
        owner_user_id, owner_organisation_id = parse_owner(case, data.get("owner") or "")
    except RuleError as refused:
        errors.update(refused.errors)
    due = data.get("due_date")
    if due is None:
        errors["due_date"] = _l("Enter a due date.")
    elif due < dates.today():
        errors["due_date"] = _l("The due date cannot lie in the past.")
    if errors:
        raise RuleError.many(errors)
    action = CaseAction(case_id=case.id, item_id=item.id if item else None, description=description,
                        owner_user_id=owner_user_id, owner_organisation_id=owner_organisation_id, due_date=due,
                        status=ActionStatus.OPEN.value, submission_key=key, created_by_id=actor.id)
    action, created = common.insert_once(action)
    if not created:
        return action, False
    if item is not None:
        bump_revision(item.meeting)
    events.emit(ActionAgreed(actor=actor, case=case, action_id=action.id))
    return action, True


def set_status(action: CaseAction, status: str, actor: User) -> None:
    if status not in set(ActionStatus):
        raise RuleError(_l("Choose a valid status."), "status")
    if not policy.can_update_action(actor, action):
        raise RuleError(_l("Only the owner, the process director or the chair changes this action."))
    if action.status == status:
        return
    action.status = status
    if status == ActionStatus.DONE:
        action.completed_at, action.completed_by_id = utcnow(), actor.id
    else:
        action.completed_at, action.completed_by_id = None, None
    db.session.flush()
    if action.item is not None:
        bump_revision(action.item.meeting)
    events.emit(ActionStatusChanged(actor=actor, case=action.case, action_id=action.id, status=status))


def is_overdue(action: CaseAction, today: Optional[date] = None) -> bool:
    return action.status == ActionStatus.OPEN and action.due_date < (today or dates.today())


def my_actions_query(user: User, *, include_closed: bool = False, today: Optional[date] = None) -> Select:
    """Actions owned by the user or their organisation, on cases they still see; open and overdue
    first, then by due date."""
    today = today or dates.today()
    stmt = (select(CaseAction).join(CaseAction.case)
            .where(or_(CaseAction.owner_user_id == user.id,
                       CaseAction.owner_organisation_id == user.organisation_id),
                   policy.visible_cases_clause(user)))
    if not include_closed:
        stmt = stmt.where(CaseAction.status == ActionStatus.OPEN.value)
    overdue_first = sql_case((CaseAction.status == ActionStatus.OPEN.value, sql_case(
        (CaseAction.due_date < today, 0), else_=1)), else_=2)
    return stmt.order_by(overdue_first, CaseAction.due_date, CaseAction.id)


def my_actions(user: User, *, include_closed: bool = False, today: Optional[date] = None) -> list[CaseAction]:
    """"Mijn acties", with what each row shows loaded up front (the case, the owner, the session and
    what decides whether the user sees it). The search is audited (open or all; no content)."""
    audit.record(audit.Action.SEARCH, object_type="my_actions", detail="all" if include_closed else "open")
    stmt = my_actions_query(user, include_closed=include_closed, today=today).options(
        contains_eager(CaseAction.case).selectinload(Case.participants),
        joinedload(CaseAction.owner_user), joinedload(CaseAction.owner_organisation),
        joinedload(CaseAction.item).joinedload(MeetingItem.meeting).options(*SESSION_LINK_LOADS))
    return list(db.session.scalars(stmt).unique())


def actions_of_case(case: Case, *, sessions_loaded: bool = False) -> list[CaseAction]:
    """The case's actions with what their rows show loaded up front (owner, session and who sees it).
    `sessions_loaded`: the caller loaded every session of the case with SESSION_LINK_LOADS in this
    session already (the case page's sessions panel), so the actions' sessions are not loaded again."""
    session_of = joinedload(CaseAction.item).joinedload(MeetingItem.meeting)
    return list(db.session.scalars(
        select(CaseAction).where(CaseAction.case_id == case.id)
        .options(joinedload(CaseAction.owner_user), joinedload(CaseAction.owner_organisation),
                 session_of if sessions_loaded else session_of.options(*SESSION_LINK_LOADS))
        .order_by(CaseAction.status != ActionStatus.OPEN.value, CaseAction.due_date)).unique())
