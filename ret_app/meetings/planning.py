"""Planning RET sessions: the details (date, time, place, chair), the agenda (cases with a purpose,
in an order) and the invitations that follow from both. Services: flush, never commit; every change
emits one event (events.py: the audit trail records it, agenda changes go on the case's timeline).

Who is invited is derived, never typed: the region's RET (active chairs and RET members) and, per
agenda item, the case's caseworker, its participants by name and the provider members of invited
providers — only people who may see that case. `sync_invitations` runs after every change.

A case discussed in a session that runs has had its first RET session: putting it on (or taking it
off) a running agenda stores its next deadline again (ret_app.cases.norms); starting the session
does so for every case on it (lifecycle.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ret_app import audit, policy
from ret_app.cases import lifecycle as case_lifecycle
from ret_app.cases import norms, participants
from ret_app.cases.events import ParticipantInvited, ParticipantRemoved
from ret_app.extensions import db
from ret_app.kernel import dates, events, submissions
from ret_app.kernel.dates import AMSTERDAM, utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.meetings import lifecycle
from ret_app.meetings.common import bump_revision, date_summary
from ret_app.meetings.events import (
    InvitationsChanged,
    ItemMoved,
    ItemPlanned,
    ItemRemoved,
    SessionDetailsChanged,
    SessionPlanned,
)
from ret_app.paging import Page, paginate
from ret_app.models import (
    Case,
    ItemPurpose,
    Meeting,
    MeetingAttendance,
    MeetingInvitation,
    MeetingItem,
    MeetingStatus,
    Organisation,
    ParticipantRole,
    Role,
    User,
)

MIN_DURATION, MAX_DURATION = 15, 12 * 60
DETAIL_FIELDS = ("starts_at", "duration_minutes", "location", "online_url", "chair_id")

# Same words for a case that does not exist, is not of the region or is not plannable: the
# answer must not tell whether a case exists.
NOT_PLANNABLE = _l("Choose a case of your region that is open for discussion (not a concept, closed or returned).")
DETAILS_CHANGED = _l("Someone else changed this session in the meantime. Your input is kept below; check what is "
                     "saved now and save again if yours should stand.")
# The agenda changes while the session is planned or runs.
AGENDA_STATUSES = lifecycle.OPEN


# --- details ----------------------------------------------------------------------------------

def to_utc(day: date, start: time) -> datetime:
    """A date and clock time in the Netherlands, as the aware UTC moment stored."""
    return datetime.combine(day, start.replace(tzinfo=None), tzinfo=AMSTERDAM).astimezone(timezone.utc)


def local_parts(meeting: Meeting) -> tuple[date, time]:
    local = meeting.starts_at.astimezone(AMSTERDAM)
    return local.date(), local.time().replace(second=0, microsecond=0)


def chair_candidates(region_id: Optional[int]) -> list[User]:
    """Active chairs of the region: who may chair a session there."""
    if region_id is None:
        return []
    return list(db.session.scalars(
        select(User).join(User.organisation)
        .where(User.role == Role.CHAIR.value, User.deactivated_at.is_(None), Organisation.region_id == region_id)
        .order_by(User.name)))


def _is_https_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.hostname) and " " not in value


def validate_details(data: dict, region_id: Optional[int], *, today: Optional[date] = None,
                     current: Optional[Meeting] = None) -> dict[str, Any]:
    """Field → message for everything the rules refuse in the details (the form checked types)."""
    today = today or dates.today()
    errors: dict[str, Any] = {}
    day, start = data.get("date"), data.get("start_time")
    if day is None:
        errors["date"] = _l("Enter the date of the session.")
    elif day < today and not (current is not None and local_parts(current)[0] == day):
        errors["date"] = _l("The date lies in the past. Choose today or a later date.")
    if start is None:
        errors["start_time"] = _l("Enter the start time, for example 14:00.")
    duration = data.get("duration_minutes")
    if duration is None:
        errors["duration_minutes"] = _l("Enter the duration in minutes.")
    elif not MIN_DURATION <= duration <= MAX_DURATION:
        errors["duration_minutes"] = _l("Enter a duration between %(low)d and %(high)d minutes.",
                                        low=MIN_DURATION, high=MAX_DURATION)
    location = (data.get("location") or "").strip()
    online_url = (data.get("online_url") or "").strip()
    if online_url and not _is_https_url(online_url):
        errors["online_url"] = _l("Enter a secure link that starts with https://, for example https://meet.example.nl/ret.")
    elif not location and not online_url:
        # Either one will do: the message goes next to both.
        errors["location"] = errors["online_url"] = _l("Enter a place, an online link, or both.")
    chair_id = data.get("chair_id")
    if chair_id is not None and chair_id not in {u.id for u in chair_candidates(region_id)}:
        errors["chair_id"] = _l("Choose a chair of your region.")
    return errors


def _refuse_any(errors: dict[str, Any]) -> None:
    """Every objection at once."""
    if errors:
        raise RuleError.many(errors)


def _detail_values(data: dict, actor: User) -> dict[str, Any]:
    return {
        "starts_at": to_utc(data["date"], data["start_time"]),
        "duration_minutes": data["duration_minutes"],
        "location": (data.get("location") or "").strip(),
        "online_url": (data.get("online_url") or "").strip(),
        "chair_id": data.get("chair_id") or actor.id,
    }


def create(data: dict, actor: User) -> Meeting:
    """A chair plans a session in their own region; it starts with the region's RET invited."""
    if not policy.can_plan_sessions(actor):
        raise RuleError(_l("Only a chair of a region plans sessions, and your organisation has no region."))
    region_id = policy.region_of(actor)
    _refuse_any(validate_details(data, region_id))
    key = submissions.clean(data.get("submission_key"))

    def plan() -> Meeting:
        meeting = Meeting(region_id=region_id, created_by_id=actor.id, status=MeetingStatus.PLANNED.value,
                          submission_key=key, **_detail_values(data, actor))
        db.session.add(meeting)
        db.session.flush()
        return meeting

    # The same form sent twice (its submission key) plans one session: the second time, the first.
    meeting, created = submissions.create_once(Meeting, key, plan, Meeting.created_by_id == actor.id)
    if not created:
        return meeting
    events.emit(SessionPlanned(actor=actor, meeting=meeting, region_id=region_id))
    sync_invitations(meeting, actor)
    return meeting


def saved_details(meeting: Meeting) -> dict:
    """The details as saved now (what a conflict shows next to the user's input)."""
    return {"starts_at": meeting.starts_at, "duration_minutes": meeting.duration_minutes,
            "location": meeting.location, "online_url": meeting.online_url, "chair": meeting.chair.name}


def update_details(meeting: Meeting, data: dict, actor: User, loaded_version: Optional[int]) -> list[str]:
    """Change date, time, place or chair while the session is planned. Returns the changed fields.
    `loaded_version` is the version the form was loaded from: a stale one is refused (no lost update)
    with a Conflict whose detail is what is saved now."""
    _require_runner(meeting, actor)
    if meeting.status not in lifecycle.NOT_STARTED:
        raise RuleError(_l("The details can only be changed while the session is planned."))
    if loaded_version is None or loaded_version != meeting.version:
        raise Conflict(DETAILS_CHANGED, detail=saved_details(meeting))
    _refuse_any(validate_details(data, meeting.region_id, current=meeting))
    values = _detail_values(data, actor)
    changed = [name for name in DETAIL_FIELDS if getattr(meeting, name) != values[name]]
    if not changed:
        return []
    for name in changed:
        setattr(meeting, name, values[name])
    db.session.flush()  # raises StaleDataError when a concurrent save won the race
    bump_revision(meeting)
    events.emit(SessionDetailsChanged(actor=actor, meeting=meeting, fields=tuple(changed)))
    if "chair_id" in changed:
        sync_invitations(meeting, actor)
    return changed


# --- the agenda -------------------------------------------------------------------------------

def _require_runner(meeting: Meeting, actor: User) -> None:
    if not policy.can_run_meeting(actor, meeting):
        raise RuleError(_l("Only a chair of the region plans this session."))


def _require_agenda_open(meeting: Meeting) -> None:
    if meeting.status not in AGENDA_STATUSES:
        raise RuleError(_l("The agenda can only be changed while the session is planned or in progress."))


def placement_possible(case: Case) -> bool:
    """A placement review needs an intended out-of-home placement."""
    return bool(case.placement_intended) or case.track == "placement_review"


def plannable_cases(meeting: Meeting, actor: User) -> list[Case]:
    """The region's cases this chair may put on the agenda, not on it already."""
    on_agenda = select(MeetingItem.case_id).where(MeetingItem.meeting_id == meeting.id)
    statuses = [s.value for s in case_lifecycle.OPEN]
    cases = db.session.scalars(
        select(Case).where(Case.region_id == meeting.region_id, Case.status.in_(statuses),
                           Case.id.not_in(on_agenda))
        .order_by(Case.reference))
    return [case for case in cases if _plannable(actor, case)]


def _plannable(actor: User, case: Case) -> bool:
    """A case of the chair's region that is open for discussion (submitted and not finished)."""
    return policy.can_put_on_agenda(actor, case) and case.status in case_lifecycle.OPEN


def add_item(meeting: Meeting, data: dict, actor: User) -> MeetingItem:
    """Put a case on the agenda, last. Refused for a case the chair may not plan (with the same
    message whether or not it exists), a case already on the agenda, and a placement review for a
    case without an intended placement."""
    _require_runner(meeting, actor)
    _require_agenda_open(meeting)
    errors: dict[str, Any] = {}
    purpose = data.get("purpose")
    if purpose not in set(ItemPurpose):
        errors["purpose"] = _l("Choose the purpose of the discussion.")
    case_id = data.get("case_id")
    case = db.session.get(Case, case_id) if isinstance(case_id, int) else None
    if case is None or case.region_id != meeting.region_id or not _plannable(actor, case):
        errors["case_id"] = NOT_PLANNABLE
    elif any(item.case_id == case.id for item in meeting.items):
        errors["case_id"] = _l("This case is already on the agenda.")
    elif purpose == ItemPurpose.PLACEMENT_REVIEW and not placement_possible(case):
        errors["purpose"] = _l("A placement review is only possible for a case with an intended out-of-home "
                               "placement. Choose another purpose.")
    _refuse_any(errors)
    last = db.session.scalar(select(func.max(MeetingItem.position)).where(MeetingItem.meeting_id == meeting.id))
    item = MeetingItem(meeting_id=meeting.id, case_id=case.id, purpose=purpose, position=(last or 0) + 1,
                       added_by_id=actor.id, added_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(item)
            db.session.flush()
    except IntegrityError:
        # Another request put the same case on the agenda a moment earlier.
        raise RuleError(_l("This case is already on the agenda."), "case_id") from None
    db.session.expire(meeting, ["items"])
    bump_revision(meeting)
    events.emit(ItemPlanned(actor=actor, case=case, meeting_id=meeting.id, item_id=item.id, purpose=purpose,
                            summary=date_summary(meeting)))
    _discussed_now(meeting, case)
    sync_invitations(meeting, actor)
    return item


def _discussed_now(meeting: Meeting, case: Case) -> None:
    """A running session's agenda changed: whether the case has had its first RET session changed
    with it, and so may its next deadline."""
    if meeting.status in lifecycle.HELD:
        norms.refresh_deadline(case)


def _item_of(meeting: Meeting, item_id: int) -> MeetingItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        raise LookupError(item_id)
    return item


def removal_problem(item: MeetingItem) -> Optional[Any]:
    """Why this item cannot leave the agenda now (None: it can)."""
    meeting = item.meeting
    if meeting.status == MeetingStatus.PLANNED:
        return None
    if meeting.status != MeetingStatus.IN_PROGRESS:
        return _l("The agenda can only be changed while the session is planned or in progress.")
    if meeting.current_item_id == item.id:
        return _l("This item is being discussed now. Move on to another item first.")
    if item.decisions or item.actions or (item.notes or "").strip() or item.seconds_spent:
        return _l("This item has been discussed (notes, decisions or actions): it stays on the agenda.")
    return None


def remove_item(meeting: Meeting, item: MeetingItem, actor: User) -> None:
    _require_runner(meeting, actor)
    problem = removal_problem(item)
    if problem:
        raise RuleError(problem)
    case = item.case
    item_id = item.id
    db.session.delete(item)
    db.session.flush()
    db.session.expire(meeting, ["items"])
    for position, rest in enumerate(meeting.items, start=1):
        rest.position = position
    db.session.flush()
    bump_revision(meeting)
    events.emit(ItemRemoved(actor=actor, case=case, meeting_id=meeting.id, item_id=item_id,
                            summary=date_summary(meeting)))
    _discussed_now(meeting, case)
    sync_invitations(meeting, actor)


def move_item(meeting: Meeting, item: MeetingItem, direction: str, actor: User) -> bool:
    """Swap the item with its neighbour above ("up") or below ("down"). False when it is at that end."""
    _require_runner(meeting, actor)
    _require_agenda_open(meeting)
    if direction not in ("up", "down"):
        raise RuleError(_l("Choose up or down."), "direction")
    items = list(meeting.items)
    index = items.index(item)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(items):
        return False
    # Renumber the whole agenda so that equal positions (two quick additions) cannot stall a move.
    items[index], items[other_index] = items[other_index], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    db.session.flush()
    db.session.expire(meeting, ["items"])
    bump_revision(meeting)
    events.emit(ItemMoved(actor=actor, case=item.case, meeting_id=meeting.id, item_id=item.id, direction=direction))
    return True


# --- invitations ------------------------------------------------------------------------------

def ret_of_region(region_id: int) -> list[User]:
    """Active chairs and RET members of organisations in the region."""
    return list(db.session.scalars(
        select(User).join(User.organisation)
        .where(User.role.in_([Role.CHAIR.value, Role.RET_MEMBER.value]), User.deactivated_at.is_(None),
               Organisation.region_id == region_id)))


def case_invitees(case: Case) -> set[int]:
    """The people of one case who come to the session: its caseworker, participants by name and
    the provider members of invited providers — if they may see the case."""
    people: dict[int, User] = {}
    if case.caseworker is not None:
        people[case.caseworker.id] = case.caseworker
    provider_ids = set()
    for participant in participants.active(case):
        if participant.user is not None:
            people[participant.user.id] = participant.user
        elif participant.organisation_id is not None and participant.role == ParticipantRole.PROVIDER:
            provider_ids.add(participant.organisation_id)
    if provider_ids:
        for user in db.session.scalars(select(User).where(User.organisation_id.in_(provider_ids),
                                                          User.role == Role.PROVIDER_MEMBER.value)):
            people[user.id] = user
    return {user.id for user in people.values()
            if user.deactivated_at is None and policy.can_view_case(user, case)}


def intended_invitees(meeting: Meeting) -> set[int]:
    wanted = {user.id for user in ret_of_region(meeting.region_id)} | {meeting.chair_id}
    for item in meeting.items:
        wanted |= case_invitees(item.case)
    return wanted


@dataclass(frozen=True)
class InvitationChange:
    added: list[int]
    removed: list[int]


def sync_invitations(meeting: Meeting, actor: User) -> InvitationChange:
    """Invite whoever the session now justifies. While planned, withdraw invitations nobody
    justifies any more — never of someone who checked in; once running, only add."""
    db.session.flush()
    db.session.expire(meeting, ["items", "invitations"])
    wanted = intended_invitees(meeting)
    existing = {invitation.user_id: invitation for invitation in meeting.invitations}
    added = sorted(wanted - set(existing))
    for user_id in added:
        try:
            with db.session.begin_nested():
                db.session.add(MeetingInvitation(meeting_id=meeting.id, user_id=user_id, invited_at=utcnow()))
                db.session.flush()
        except IntegrityError:
            pass  # invited by a concurrent request: the invitation exists, which is what we want
    removed: list[int] = []
    if meeting.status == MeetingStatus.PLANNED:
        checked_in = set(db.session.scalars(select(MeetingAttendance.user_id)
                                            .where(MeetingAttendance.meeting_id == meeting.id)))
        for user_id, invitation in existing.items():
            if user_id not in wanted and user_id not in checked_in:
                db.session.delete(invitation)
                removed.append(user_id)
    db.session.flush()
    db.session.expire(meeting, ["invitations"])
    if added or removed:
        bump_revision(meeting)
        events.emit(InvitationsChanged(actor=actor, meeting=meeting, added=tuple(added), removed=tuple(sorted(removed))))
    return InvitationChange(added, sorted(removed))


@events.subscribe(ParticipantInvited, after_commit=True)
@events.subscribe(ParticipantRemoved, after_commit=True)
def _case_people_changed(event) -> None:
    sync_sessions_of_case(event.case, event.actor)


def sync_sessions_of_case(case: Case, actor: User) -> None:
    """The case's people changed (a participant invited or removed): the sessions that still lie
    ahead or run, with this case on the agenda, invite accordingly."""
    meetings = db.session.scalars(
        select(Meeting).join(MeetingItem, MeetingItem.meeting_id == Meeting.id)
        .where(MeetingItem.case_id == case.id, Meeting.status.in_([s.value for s in lifecycle.OPEN])))
    for meeting in list(meetings):
        sync_invitations(meeting, actor)


# --- lists ------------------------------------------------------------------------------------

def upcoming_query(user: User):
    return (select(Meeting).where(policy.visible_meetings_clause(user),
                                  Meeting.status.in_([s.value for s in lifecycle.OPEN]))
            .order_by(Meeting.starts_at, Meeting.id))


def past_query(user: User):
    return (select(Meeting).where(policy.visible_meetings_clause(user),
                                  Meeting.status.not_in([s.value for s in lifecycle.OPEN]))
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc()))


@dataclass
class SessionList:
    upcoming: list[Meeting]
    past: Page
    counts: dict[int, int]  # meeting id -> agenda items the user may see


def session_list(user: User, page: int, *, page_size: int, upcoming_limit: int) -> SessionList:
    """The session list: upcoming and running ones, and a page of earlier ones, with what each row
    shows loaded up front. The search is audited (the page number only)."""
    audit.record(audit.Action.SEARCH, object_type="meeting_list", detail=f"page={page}")
    upcoming = list(db.session.scalars(upcoming_query(user).limit(upcoming_limit)))
    past = paginate(past_query(user), page, page_size)
    return SessionList(upcoming, past, visible_item_counts(user, [m.id for m in upcoming + past.items]))


def visible_item_counts(user: User, meeting_ids: list[int]) -> dict[int, int]:
    """How many agenda items of each session the user may see (policy.visible_items, counted in SQL by
    its twin): one query, whatever the number of sessions and items; no item is loaded."""
    if not meeting_ids:
        return {}
    return dict(db.session.execute(
        select(MeetingItem.meeting_id, func.count(MeetingItem.id))
        .join(Meeting, Meeting.id == MeetingItem.meeting_id)
        .where(MeetingItem.meeting_id.in_(meeting_ids), policy.visible_items_clause(user))
        .group_by(MeetingItem.meeting_id)).all())


# What the session page shows: the agenda's cases (municipality; participants for who sees part of
# it), what decides whether an item can leave a running agenda, and the invitees.
PAGE_LOADS = (
    selectinload(Meeting.items).joinedload(MeetingItem.case).options(
        joinedload(Case.municipality), selectinload(Case.participants)),
    selectinload(Meeting.items).selectinload(MeetingItem.decisions),
    selectinload(Meeting.items).selectinload(MeetingItem.actions),
    selectinload(Meeting.invitations).joinedload(MeetingInvitation.user).joinedload(User.organisation),
    joinedload(Meeting.chair), joinedload(Meeting.region),
)


def ends_at(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes or 0)
