"""The minutes of a RET session ("notulen"): the full minutes for the RET, the per-case extract
("uittreksel") for everyone else who sees that case, and addenda once the chair approved them.

The minutes are not stored as a document: they are drawn from the session's items, notes,
decisions and actions whenever they are exported. Approving the session freezes what cannot change
any more (the services refuse new decisions, actions and note edits; corrections become addenda
with author and date). Two things do go on after approval: an action's status (done, cancelled)
and the municipality's answer to a provisional decision. So approving stores the status of every
action and decision (`Meeting.approved_state`, see `approved_snapshot`); an approved export shows
those statuses as approved, and where one has changed since, a separate "later changed" line with
the current status and its date. The approved record itself reads the same in every export.
Minutes approved before `approved_state` existed (None) show the current status.
Services: flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional, Union

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ret_app import audit, policy
from ret_app.extensions import db
from ret_app.kernel import events, submissions
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.labels import PURPOSE_LABELS
from ret_app.meetings import lifecycle
from ret_app.meetings.common import bump_revision, session_date
from ret_app.meetings.events import AddendumAdded
from ret_app.meetings.lifecycle import approved_snapshot  # noqa: F401  (the demo data stores it as approved)
from ret_app.meetings.timing import seconds_spent
from ret_app.models import (
    ActionStatus,
    Case,
    CaseAction,
    Decision,
    Mandate,
    Meeting,
    MeetingAttendance,
    MeetingInvitation,
    MeetingItem,
    MeetingStatus,
    MinutesAddendum,
    User,
)

MAX_ADDENDUM = 8000


def minutes_exist(meeting: Meeting) -> bool:
    """Minutes exist once the session is closed; they are a draft ("Concept") until approved."""
    return meeting.status in lifecycle.WITH_MINUTES


def is_draft(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.CLOSED


def minutes_time(seconds: int) -> str:
    """Time spent on an item, in whole minutes (at least 1 once anything was spent)."""
    if not seconds:
        return "0 min"
    return f"{max(1, round(seconds / 60))} min"


@dataclass
class DecisionEntry:
    """A decision as the approved minutes record it, and what changed after approval."""

    decision: Decision
    status: str  # as approved (the current status while the minutes are a draft)
    later: Optional[str] = None  # the current status, when it differs from the approved one


@dataclass
class ActionEntry:
    """An action as the approved minutes record it, and what changed after approval."""

    action: CaseAction
    status: str  # as approved (the current status while the minutes are a draft)
    later: Optional[str] = None  # the current status, when it differs from the approved one
    changed_on: Optional[Union[date, datetime]] = None  # when it got its current status


@dataclass
class ItemMinutes:
    item: MeetingItem
    case: Case
    purpose: object
    seconds: int
    decisions: list[DecisionEntry]
    actions: list[ActionEntry]
    addenda: list[MinutesAddendum] = field(default_factory=list)


@dataclass
class Minutes:
    meeting: Meeting
    session_day: object
    draft: bool
    present: list[User]  # attended: checked in (and possibly left before the end)
    absent: list[User]
    items: list[ItemMinutes]
    addenda: list[MinutesAddendum]  # for the whole session (not tied to an item)
    extract_of: Optional[Case] = None
    left: dict = field(default_factory=dict)  # user id -> when they checked out, for those who left early


def _approved(meeting: Meeting, kind: str) -> Optional[dict]:
    """The approved statuses of `kind` ("actions", "decisions"); None for a draft, or for minutes
    approved before the statuses were stored (those show the current status)."""
    if meeting.status != MeetingStatus.APPROVED or not meeting.approved_state:
        return None
    return meeting.approved_state.get(kind) or {}


def _entry_status(approved: Optional[dict], obj_id: int, current: str) -> tuple[str, Optional[str]]:
    """(status as approved, current status if it changed since — else None)."""
    if approved is None or str(obj_id) not in approved:
        return current, None
    recorded = approved[str(obj_id)]
    return recorded, (current if current != recorded else None)


def _decision_entry(decision: Decision, approved: Optional[dict]) -> DecisionEntry:
    status, later = _entry_status(approved, decision.id, decision.status)
    return DecisionEntry(decision=decision, status=status, later=later)


def _action_entry(action: CaseAction, approved: Optional[dict]) -> ActionEntry:
    status, later = _entry_status(approved, action.id, action.status)
    changed_on = None
    if later is not None:
        changed_on = action.completed_at if later == ActionStatus.DONE and action.completed_at else action.updated_at
    return ActionEntry(action=action, status=status, later=later, changed_on=changed_on)


def _item_minutes(item: MeetingItem, addenda: list[MinutesAddendum]) -> ItemMinutes:
    meeting = item.meeting
    decisions_approved, actions_approved = _approved(meeting, "decisions"), _approved(meeting, "actions")
    return ItemMinutes(item=item, case=item.case, purpose=PURPOSE_LABELS.get(item.purpose, item.purpose),
                       seconds=seconds_spent(item),
                       decisions=[_decision_entry(d, decisions_approved) for d in item.decisions],
                       actions=[_action_entry(a, actions_approved)
                                for a in sorted(item.actions, key=lambda a: (a.due_date, a.id))],
                       addenda=[a for a in addenda if a.item_id == item.id])


def _attendance(meeting: Meeting) -> tuple[list[User], list[User]]:
    """Present: checked in at some moment (still present, or left before the end); absent: invited
    but never present."""
    present = [a.user for a in meeting.attendances if a.present or a.left_at is not None]
    present_ids = {u.id for u in present}
    absent = [i.user for i in meeting.invitations if i.user_id not in present_ids]
    key = lambda u: u.name.lower()  # noqa: E731
    return sorted(present, key=key), sorted(absent, key=key)


def _left_early(meeting: Meeting) -> dict:
    return {a.user_id: a.left_at for a in meeting.attendances if not a.present and a.left_at is not None}


def _load_for_minutes(meeting: Meeting) -> None:
    """What the minutes show of each item, invitee and addendum, loaded in a fixed number of queries
    (not one per decision, action or person)."""
    person = (joinedload(User.organisation),)
    db.session.execute(select(Meeting).where(Meeting.id == meeting.id).options(
        joinedload(Meeting.region), joinedload(Meeting.chair), joinedload(Meeting.approved_by),
        selectinload(Meeting.attendances).joinedload(MeetingAttendance.user).options(*person),
        selectinload(Meeting.invitations).joinedload(MeetingInvitation.user).options(*person),
        selectinload(Meeting.addenda).joinedload(MinutesAddendum.author),
        selectinload(Meeting.items).options(
            joinedload(MeetingItem.case).joinedload(Case.municipality),
            selectinload(MeetingItem.decisions).options(
                joinedload(Decision.provider), joinedload(Decision.answered_by),
                joinedload(Decision.mandate).options(joinedload(Mandate.holder), joinedload(Mandate.municipality))),
            selectinload(MeetingItem.actions).options(joinedload(CaseAction.owner_user),
                                                      joinedload(CaseAction.owner_organisation))),
    )).unique().all()


def full_minutes(meeting: Meeting) -> Minutes:
    """Everything, for the RET of the region."""
    _load_for_minutes(meeting)
    addenda = list(meeting.addenda)
    present, absent = _attendance(meeting)
    return Minutes(meeting=meeting, session_day=session_date(meeting), draft=is_draft(meeting), present=present,
                   absent=absent, items=[_item_minutes(item, addenda) for item in meeting.items],
                   addenda=[a for a in addenda if a.item_id is None], left=_left_early(meeting))


def _sees_case(user: User, case: Case, region_id: int) -> bool:
    """Whom the extract names in its attendance: the RET and people who see this case themselves,
    so an extract does not tell who came for other cases."""
    return policy.is_ret_of_region(user, region_id) or policy.can_view_case(user, case)


def case_extract(meeting: Meeting, case: Case) -> Minutes:
    """Only the item of `case`, with the addenda tied to that item; nothing of other cases."""
    _load_for_minutes(meeting)
    item = item_of(meeting, case.id)
    if item is None:
        raise LookupError(case.id)
    addenda = [a for a in meeting.addenda if a.item_id == item.id]
    present, absent = _attendance(meeting)
    return Minutes(meeting=meeting, session_day=session_date(meeting), draft=is_draft(meeting),
                   present=[u for u in present if _sees_case(u, case, meeting.region_id)],
                   absent=[u for u in absent if _sees_case(u, case, meeting.region_id)],
                   items=[_item_minutes(item, addenda)], addenda=[], extract_of=case, left=_left_early(meeting))


def item_of(meeting: Meeting, case_id: int) -> Optional[MeetingItem]:
    return next((i for i in meeting.items if i.case_id == case_id), None)


def add_addendum(meeting: Meeting, data: dict, actor: User) -> MinutesAddendum:
    """A correction to approved minutes, by the RET of the region; optionally tied to one item. The same
    form sent twice (its `submission_key`) adds one."""
    key = submissions.clean(data.get("submission_key"))
    done = submissions.find(MinutesAddendum, key, MinutesAddendum.meeting_id == meeting.id)
    if done is not None:
        return done
    if meeting.status != MeetingStatus.APPROVED:
        raise RuleError(_l("Addenda are added once the minutes have been approved."))
    if not policy.can_add_addendum(actor, meeting):
        raise RuleError(_l("Only the RET of the region adds addenda to the minutes."))
    errors: dict[str, Any] = {}  # every objection at once
    text = (data.get("text") or "").strip()
    if not text:
        errors["text"] = _l("Write the correction or addition.")
    elif len(text) > MAX_ADDENDUM:
        errors["text"] = _l("Keep the addendum under %(num)d characters.", num=MAX_ADDENDUM)
    item_id = data.get("item_id") or None
    item = None
    if item_id is not None:
        item = next((i for i in meeting.items if i.id == item_id), None)
        if item is None:
            errors["item_id"] = _l("Choose an item of this session's agenda.")
    if errors:
        raise RuleError.many(errors)
    addendum = MinutesAddendum(meeting_id=meeting.id, item_id=item.id if item else None, text=text,
                               author_id=actor.id, created_at=utcnow(), submission_key=key)

    addendum, created = submissions.add_once(MinutesAddendum, key, lambda: addendum, MinutesAddendum.meeting_id == meeting.id)
    if not created:
        return addendum
    bump_revision(meeting)
    events.emit(AddendumAdded(actor=actor, meeting=meeting, addendum_id=addendum.id,
                              case_id=item.case_id if item else None))
    return addendum


# --- exports: what they hand out is audited (ids only, never names) -------------------------------

def audit_full_export(meeting: Meeting) -> None:
    """One export event per case on the agenda (so each case's trail shows it), never names."""
    case_ids = sorted({item.case_id for item in meeting.items})
    for case_id in case_ids:
        audit.record(audit.Action.EXPORT, object_type="minutes", object_id=meeting.id, case_id=case_id,
                     detail=f"meeting={meeting.id};{'draft' if is_draft(meeting) else 'approved'}")
    if not case_ids:
        audit.record(audit.Action.EXPORT, object_type="minutes", object_id=meeting.id,
                     detail=f"meeting={meeting.id}")


def audit_extract_export(meeting: Meeting, case: Case) -> None:
    audit.record(audit.Action.EXPORT, object_type="minutes_extract", object_id=meeting.id, case_id=case.id,
                 detail=f"meeting={meeting.id};{'draft' if is_draft(meeting) else 'approved'}")
