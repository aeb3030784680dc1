"""Requests to providers of the collective and the commitments they become: the business rules.
Flush, never commit; one event per change.

* `make_requests`: the process director (or the chair) asks one or more collective providers of the
  case's region for a role, with a question, a care type and a reply-by date (by default the region's
  norm in working days: 3, or 1 when the case is a crisis; counted by ret_app/cases/clock.py). It needs
  collective consent (or the recorded legal ground). The same form sent twice records its requests once.
* `answer`: a member of the provider accepts (contact person, intended start) or declines (a reason
  from the fixed list, and a text). Sent twice (double click, retry): recorded once.
* `withdraw`, `start`, `end`: the other steps of the lifecycle (lifecycle.py).
* `request_due(case)`: the earliest reply-by date of the case's open requests, a due source for the
  case's stored next due date (ret_app/cases/norms.py registers it).

Accepting makes the provider a participant of the case (a subscriber of RequestAccepted below).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ret_app import policy
from ret_app.cases import clock, participants
from ret_app.cases.lifecycle import IN_TRACK
from ret_app.collective import care_types
from ret_app.commitments.events import (
    CommitmentEnded,
    CommitmentStarted,
    RequestAccepted,
    RequestDeclined,
    RequestMade,
    RequestWithdrawn,
)
from ret_app.commitments.lifecycle import REQUEST
from ret_app.extensions import db
from ret_app.kernel import dates, events, submissions
from ret_app.kernel.submissions import EXPIRED
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.kernel.ids import parse_id
from ret_app.models import (
    Case,
    CaseStatus,
    DeclineReason,
    Organisation,
    ProviderRequest,
    RegionNorms,
    RequestRole,
    RequestStatus,
    User,
)
from ret_app.models.cases import DEFAULT_REQUEST_REPLY_DAYS, DEFAULT_REQUEST_REPLY_DAYS_CRISIS

MAX_QUESTION = 4000
MAX_TEXT = 2000
DUE_KIND = "request_reply"

CHANGED_MEANWHILE = _l("Someone else changed this request while you were looking at it. Nothing of yours was "
                       "saved yet: check what it says now below; your input is still in the form.")
NO_CONSENT = _l("A provider can only be asked when there is consent for the collective (or a recorded legal "
                "ground) for this case. Record it on the consent page first.")
ALREADY_WITHDRAWN = _l("The process director has withdrawn this request; it can no longer be answered.")
ALREADY_ANSWERED = _l("This request has already been answered.")

new_submission_key = submissions.new_key  # a fresh key per rendered form: sent twice, recorded once
_valid_key = submissions.valid_key


# --- the reply-by date ------------------------------------------------------------------------------

def reply_days(region_id: int, urgency: str) -> int:
    """The region's norm for a reply, in working days (a crisis case: the crisis norm)."""
    row = db.session.get(RegionNorms, region_id)
    regular = row.request_reply_days if row is not None else DEFAULT_REQUEST_REPLY_DAYS
    crisis = row.request_reply_days_crisis if row is not None else DEFAULT_REQUEST_REPLY_DAYS_CRISIS
    return crisis if urgency == "crisis" else regular


def default_reply_by(case: Case, today: Optional[date] = None) -> date:
    """Today plus the region's norm in working days (the clock module's Dutch calendar)."""
    return clock.add_working_days(today or dates.today(), reply_days(case.region_id, case.urgency),
                                  clock.DEFAULT_CALENDAR)


def is_past_reply_by(request: ProviderRequest, today: Optional[date] = None) -> bool:
    """Open and past its reply-by date (Python twin of `past_reply_by_clause`)."""
    return request.status == RequestStatus.REQUESTED and request.reply_by < (today or dates.today())


def past_reply_by_clause(today: Optional[date] = None):
    return (ProviderRequest.status == RequestStatus.REQUESTED.value) & (ProviderRequest.reply_by < (today or dates.today()))


def request_due(case: Case) -> Optional[tuple[date, str]]:
    """The earliest reply-by date of the case's open requests, as (date, "request_reply"), or None: a
    due source of the case's stored next due date (one query)."""
    due = db.session.scalar(select(func.min(ProviderRequest.reply_by)).where(
        ProviderRequest.case_id == case.id, ProviderRequest.status == RequestStatus.REQUESTED.value))
    return (due, DUE_KIND) if due is not None else None


def request_due_batch(case_ids: list[int]) -> dict[int, tuple[date, str]]:
    """request_due for many cases in one query (the norms' refresh of a whole region)."""
    if not case_ids:
        return {}
    rows = db.session.execute(select(ProviderRequest.case_id, func.min(ProviderRequest.reply_by)).where(
        ProviderRequest.case_id.in_(case_ids), ProviderRequest.status == RequestStatus.REQUESTED.value)
        .group_by(ProviderRequest.case_id))
    return {case_id: (due, DUE_KIND) for case_id, due in rows if due is not None}


def request_holders_batch(case_ids: list[int]) -> dict[int, tuple[tuple[int, ...], str]]:
    """Who holds each case's request reply: the providers whose open request is due first, as
    ((organisation ids), "name, name"). One query for all the cases (cases/waiting.py's namer)."""
    if not case_ids:
        return {}
    first = (select(ProviderRequest.case_id, func.min(ProviderRequest.reply_by).label("due"))
             .where(ProviderRequest.case_id.in_(case_ids),
                    ProviderRequest.status == RequestStatus.REQUESTED.value)
             .group_by(ProviderRequest.case_id).subquery())
    rows = db.session.execute(
        select(ProviderRequest.case_id, Organisation.id, Organisation.name)
        .join(first, (first.c.case_id == ProviderRequest.case_id) & (first.c.due == ProviderRequest.reply_by))
        .join(Organisation, Organisation.id == ProviderRequest.organisation_id)
        .where(ProviderRequest.status == RequestStatus.REQUESTED.value)
        .order_by(ProviderRequest.case_id, Organisation.name).distinct())
    found: dict[int, list[tuple[int, str]]] = {}
    for case_id, organisation_id, name in rows:
        found.setdefault(case_id, []).append((organisation_id, name))
    return {case_id: (tuple(o for o, _ in orgs), ", ".join(n for _, n in orgs)) for case_id, orgs in found.items()}


# --- making requests -------------------------------------------------------------------------------

def requests_open(case: Case) -> bool:
    """Providers are asked from the screening until the case is closed (as participants are invited)."""
    return CaseStatus(case.status) in IN_TRACK


def _provider_ids(raw: Iterable[Any]) -> list[int]:
    out = []
    for value in raw or ():
        parsed = parse_id(str(value)) if value is not None else None
        if parsed is not None and parsed not in out:
            out.append(parsed)
    return out


def _taken(case: Case, organisation_ids: list[int], role: str) -> set[int]:
    """Providers already asked for this role on this case (an open request or a commitment that holds)."""
    if not organisation_ids:
        return set()
    holding = [RequestStatus.REQUESTED.value, RequestStatus.ACCEPTED.value, RequestStatus.STARTED.value]
    return set(db.session.scalars(select(ProviderRequest.organisation_id).where(
        ProviderRequest.case_id == case.id, ProviderRequest.role == role,
        ProviderRequest.organisation_id.in_(organisation_ids), ProviderRequest.status.in_(holding))))


def make_requests(case: Case, actor: User, data: dict, today: Optional[date] = None
                  ) -> tuple[list[ProviderRequest], bool]:
    """Ask each provider in data["providers"] (ids) for data["role"] on the case. Returns the requests
    and whether they were made now (False: this form had been sent before; its requests stand).
    Every objection at once, each next to its field."""
    today = today or dates.today()
    key = _valid_key(data.get("submission_key"))
    organisation_ids = _provider_ids(data.get("providers") or [])
    if organisation_ids:
        keys = [f"{key}:{oid}" for oid in organisation_ids]
        existing = list(db.session.scalars(select(ProviderRequest).where(ProviderRequest.submission_key.in_(keys))))
        if existing:
            if any(r.case_id != case.id for r in existing):
                raise RuleError(EXPIRED)
            return existing, False
    errors: dict[Optional[str], Any] = {}
    if not policy.can_make_requests(actor, case):
        raise RuleError(_l("Only the process director or the chair asks providers of the collective."))
    if not requests_open(case):
        errors[None] = _l("Providers can be asked from the screening until the case is closed.")
    role = data.get("role") or ""
    if role not in {r.value for r in RequestRole}:
        errors["role"] = _l("Choose the role you ask the provider for.")
    care_type = data.get("care_type") or ""
    try:
        care_types.validate(case.region_id, care_type, "care_type")
    except RuleError as refused:
        errors.update(refused.errors)
    question = (data.get("question") or "").strip()
    if not question:
        errors["question"] = _l("Write the question for the provider.")
    elif len(question) > MAX_QUESTION:
        errors["question"] = _l("The question can be at most %(num)d characters.", num=MAX_QUESTION)
    reply_by = data.get("reply_by")
    if reply_by is None:
        errors["reply_by"] = _l("Enter the date by which the provider should reply.")
    elif reply_by < today:
        errors["reply_by"] = _l("The reply-by date cannot lie before today.")
    organisations = []
    if not case.consent_collective:
        errors["providers"] = NO_CONSENT
    elif not organisation_ids:
        errors["providers"] = _l("Choose at least one provider to ask.")
    else:
        found = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(organisation_ids)))}
        organisations = [found.get(oid) for oid in organisation_ids]
        if any(o is None or not policy.is_collective_provider(o) or o.region_id != case.region_id
               for o in organisations):
            errors["providers"] = _l("Only providers of this region's collective can be asked.")
        elif role and (taken := _taken(case, organisation_ids, role)):
            names = ", ".join(sorted(found[oid].name for oid in taken))
            errors["providers"] = _l("Already asked for this role on this case: %(names)s.", names=names)
    if errors:
        raise RuleError.many(errors)
    made = []
    for organisation in organisations:
        request = ProviderRequest(case_id=case.id, organisation_id=organisation.id, role=role, care_type=care_type,
                                  question=question, reply_by=reply_by, status=RequestStatus.REQUESTED.value,
                                  requested_by_id=actor.id, submission_key=f"{key}:{organisation.id}")
        try:
            with db.session.begin_nested():
                db.session.add(request)
                db.session.flush()
        except IntegrityError:  # the same form won a race in another request
            raise RuleError(EXPIRED) from None
        made.append(request)
        events.emit(RequestMade(actor=actor, case=case, request=request, provider_name=organisation.name))
    return made, True


# --- answering ---------------------------------------------------------------------------------------

def _check_version(request: ProviderRequest, loaded_version: Optional[int]) -> None:
    if loaded_version is not None and loaded_version != request.version:
        raise Conflict(CHANGED_MEANWHILE)


def answer(request: ProviderRequest, actor: User, decision: str, data: dict, loaded_version: Optional[int],
           today: Optional[date] = None) -> tuple[ProviderRequest, bool]:
    """Accept or decline (`decision`). Returns (request, answered now). The same form sent again after
    it was recorded (its key) changes nothing and is no error."""
    today = today or dates.today()
    key = _valid_key(data.get("answer_key"))
    if request.answer_key == key and request.status != RequestStatus.REQUESTED:
        return request, False
    if decision not in ("accept", "decline"):
        raise RuleError(EXPIRED)
    if request.status == RequestStatus.WITHDRAWN:
        raise RuleError(ALREADY_WITHDRAWN)
    if request.status != RequestStatus.REQUESTED:
        raise RuleError(ALREADY_ANSWERED)
    if not policy.can_answer_request(actor, request):
        raise RuleError(_l("Only a member of the provider that was asked answers this request."))
    errors: dict[Optional[str], Any] = {}
    if decision == "accept":
        contact = (data.get("contact_name") or "").strip()
        phone = (data.get("contact_phone") or "").strip()
        start = data.get("intended_start")
        if not contact:
            errors["contact_name"] = _l("Name the contact person for this case.")
        elif len(contact) > 200:
            errors["contact_name"] = _l("The name can be at most %(num)d characters.", num=200)
        if len(phone) > 40:
            errors["contact_phone"] = _l("The phone number can be at most %(num)d characters.", num=40)
        if start is None:
            errors["intended_start"] = _l("Enter the date on which you intend to start.")
        elif start < today:
            errors["intended_start"] = _l("The intended start cannot lie in the past.")
    else:
        reason = data.get("decline_reason") or ""
        text = (data.get("decline_text") or "").strip()
        if reason not in {r.value for r in DeclineReason}:
            errors["decline_reason"] = _l("Choose why you decline.")
        if not text:
            errors["decline_text"] = _l("Explain in a few words why you decline.")
        elif len(text) > MAX_TEXT:
            errors["decline_text"] = _l("The explanation can be at most %(num)d characters.", num=MAX_TEXT)
    if errors:
        raise RuleError.many(errors)
    _check_version(request, loaded_version)
    REQUEST.apply(request, actor, decision, today=today)
    request.answered_at = utcnow()
    request.answered_by_id = actor.id
    request.answer_key = key
    if decision == "accept":
        request.contact_name, request.contact_phone, request.intended_start = contact, phone, start
        db.session.flush()
        events.emit(RequestAccepted(actor=actor, case=request.case, request=request,
                                    provider_name=request.organisation.name))
    else:
        request.decline_reason, request.decline_text = reason, text
        db.session.flush()
        events.emit(RequestDeclined(actor=actor, case=request.case, request=request,
                                    provider_name=request.organisation.name))
    return request, True


def withdraw(request: ProviderRequest, actor: User, text: str, loaded_version: Optional[int]) -> ProviderRequest:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise RuleError(_l("The explanation can be at most %(num)d characters.", num=MAX_TEXT), "withdraw_text")
    if request.status == RequestStatus.WITHDRAWN:
        raise RuleError(_l("This request has already been withdrawn."))
    if request.status != RequestStatus.REQUESTED:
        raise RuleError(_l("This request has been answered already; it can no longer be withdrawn."))
    _check_version(request, loaded_version)
    REQUEST.apply(request, actor, "withdraw")
    request.withdrawn_at = utcnow()
    request.withdrawn_by_id = actor.id
    request.withdraw_text = text
    db.session.flush()
    events.emit(RequestWithdrawn(actor=actor, case=request.case, request=request,
                                 provider_name=request.organisation.name))
    return request


def _step_date(day: Optional[date], today: date, field: str, after: Optional[date] = None) -> date:
    if day is None:
        raise RuleError(_l("Enter the date."), field)
    if day > today:
        raise RuleError(_l("The date cannot lie in the future."), field)
    if after is not None and day < after:
        raise RuleError(_l("The end cannot lie before the start (%(day)s).", day=after.strftime("%d-%m-%Y")), field)
    return day


def start(request: ProviderRequest, actor: User, on: Optional[date], loaded_version: Optional[int],
          today: Optional[date] = None) -> ProviderRequest:
    """The committed help (or the stand-by) started on `on` (today or earlier)."""
    today = today or dates.today()
    if request.status != RequestStatus.ACCEPTED:
        raise RuleError(REQUEST.messages.not_possible)
    on = _step_date(on, today, "started_on")
    _check_version(request, loaded_version)
    REQUEST.apply(request, actor, "start", today=today)
    request.started_on = on
    db.session.flush()
    events.emit(CommitmentStarted(actor=actor, case=request.case, request=request,
                                  provider_name=request.organisation.name))
    return request


def end(request: ProviderRequest, actor: User, on: Optional[date], loaded_version: Optional[int],
        today: Optional[date] = None) -> ProviderRequest:
    today = today or dates.today()
    if request.status not in (RequestStatus.ACCEPTED, RequestStatus.STARTED):
        raise RuleError(REQUEST.messages.not_possible)
    on = _step_date(on, today, "ended_on", after=request.started_on)
    _check_version(request, loaded_version)
    REQUEST.apply(request, actor, "end", today=today)
    request.ended_on = on
    db.session.flush()
    events.emit(CommitmentEnded(actor=actor, case=request.case, request=request,
                                provider_name=request.organisation.name))
    return request


# --- what other parts of the case show ------------------------------------------------------------

@events.subscribe(RequestAccepted)
def _accepted_provider_takes_part(event: RequestAccepted) -> None:
    """Accepting a request makes the provider a participant of the case (same need-to-know rules as a
    provider invited to the screening), in the same transaction as the answer."""
    request = event.request
    participants.join_provider(event.case, event.actor, request.organisation, invited_by_id=request.requested_by_id)
