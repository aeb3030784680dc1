"""Escalations to the supra-regional network: the business rules. Flush, never commit; one event per change.

The RET's side
* `save` (the form): the chair or the case's process director makes or edits the draft — why the
  regional options are exhausted, what was tried (references to the case's own items, chosen from
  `tried_options`), the question (kind and text), urgency, the expected answer date (by default the
  network's `answer_days` working days from today); with `send=True` the chair escalates it at once
  (the lifecycle's guards: network consent or a legal ground, the age limit, a case that is not closed).
  One open escalation per case. The same form sent twice is recorded once (its key).
* `remind`, `move_date` (with a reason), `withdraw`, `reply` (the RET's answer to a question).

The network's side (a liaison of the escalation's network; their pages are liaison_routes.py)
* `accept`, `decline` (a reason), `start`, `assign_director` (name and organisation), `add_message`
  (advice or a question), `answer` (the answer's text), `close` (a result).

The watchdog: an escalation waiting for the network's answer past its expected date is overdue
(`is_overdue`, SQL twin `overdue_clause`); the expected date is a due source of the case
(`escalation_due`, kind "escalation_answer", held by the network: deadlines.py registers both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ret_app import policy
from ret_app.cases import clock
from ret_app.escalations.events import (
    EscalationDateMoved,
    EscalationDirectorAssigned,
    EscalationDrafted,
    EscalationMessageAdded,
    EscalationReminded,
    EscalationStepTaken,
)
from ret_app.escalations.lifecycle import (
    AWAITING_ANSWER,
    CASE_CLOSED,
    ESCALATION,
    EXCHANGE_OPEN,
    FOLLOW_UP,
    OPEN,
    admission_age_refused,
    network_consent_message,
)
from ret_app.extensions import db
from ret_app.kernel import dates, events, submissions
from ret_app.kernel.submissions import EXPIRED
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.labels import DECLINE_REASON_LABELS, REQUEST_ROLE_LABELS, REQUEST_STATUS_LABELS
from ret_app.models import (
    Case,
    CaseStatus,
    Decision,
    Escalation,
    EscalationDateChange,
    EscalationMessage,
    EscalationReminder,
    EscalationResult,
    EscalationStatus,
    EscalationTried,
    Meeting,
    MeetingItem,
    MessageKind,
    MessageSide,
    Network,
    Plan,
    PlanGoal,
    PlanVersion,
    PriorHelp,
    ProviderRequest,
    QuestionKind,
    Screening,
    TriedKind,
    Urgency,
    User,
)
from ret_app.models.organisations import DEFAULT_ANSWER_DAYS

MAX_TEXT = 4000
MAX_NAME = 200
DUE_KIND = "escalation_answer"

CHANGED_MEANWHILE = _l("Someone else changed this escalation while you were looking at it. Nothing of yours was "
                       "saved yet: check what it says now below; your input is still in the form.")
ONE_OPEN = _l("This case has an escalation to the network that is still open; finish or withdraw it first.")
NO_NETWORK = _l("The case's region belongs to no supra-regional network: there is no network to escalate to.")
NOT_DRAFT = _l("This escalation has been sent already; it can no longer be edited.")

new_submission_key = submissions.new_key  # a fresh key per rendered form: sent twice, recorded once
_valid_key = submissions.valid_key


def _check_version(escalation: Escalation, loaded_version: Optional[int]) -> None:
    if loaded_version is not None and loaded_version != escalation.version:
        raise Conflict(CHANGED_MEANWHILE)


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


# --- the network and the expected answer date ----------------------------------------------------

def network_of(case: Case) -> Optional[Network]:
    return case.region.network if case.region is not None else None


def answer_days(network: Optional[Network]) -> int:
    return network.answer_days if network is not None and network.answer_days else DEFAULT_ANSWER_DAYS


def default_expected_date(network: Optional[Network], today: Optional[date] = None) -> date:
    """Today plus the network's answer time in working days (the clock module's Dutch calendar)."""
    return clock.add_working_days(today or dates.today(), answer_days(network), clock.DEFAULT_CALENDAR)


# --- the watchdog -------------------------------------------------------------------------------

_AWAITING = [s.value for s in AWAITING_ANSWER]


def is_overdue(escalation: Escalation, today: Optional[date] = None) -> bool:
    """Waiting for the network's answer past its expected date (Python twin of `overdue_clause`)."""
    return (escalation.status in _AWAITING and escalation.expected_answer_date is not None
            and escalation.expected_answer_date < (today or dates.today()))


def overdue_clause(today: Optional[date] = None):
    return Escalation.status.in_(_AWAITING) & (Escalation.expected_answer_date < (today or dates.today()))


def overdue_cases_clause(today: Optional[date] = None):
    """The cases with an overdue escalation (on Case): the case list's filter."""
    return Case.id.in_(select(Escalation.case_id).where(overdue_clause(today)))


def escalation_due(case: Case) -> Optional[tuple[date, str]]:
    """The expected answer date of the case's escalation waiting for the network, as (date,
    "escalation_answer"), or None: a due source of the case (one query)."""
    due = db.session.scalar(select(func.min(Escalation.expected_answer_date)).where(
        Escalation.case_id == case.id, Escalation.status.in_(_AWAITING)))
    return (due, DUE_KIND) if due is not None else None


def escalation_due_batch(case_ids: list[int]) -> dict[int, tuple[date, str]]:
    if not case_ids:
        return {}
    rows = db.session.execute(select(Escalation.case_id, func.min(Escalation.expected_answer_date)).where(
        Escalation.case_id.in_(case_ids), Escalation.status.in_(_AWAITING)).group_by(Escalation.case_id))
    return {case_id: (due, DUE_KIND) for case_id, due in rows if due is not None}


def escalation_holders_batch(case_ids: list[int]) -> dict[int, tuple[tuple[int, ...], str]]:
    """Who holds each case's escalation answer: the network, by name. One query (cases/waiting.py)."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(Escalation.case_id, Network.name).join(Network, Network.id == Escalation.network_id)
        .where(Escalation.case_id.in_(case_ids), Escalation.status.in_(_AWAITING)))
    return {case_id: ((), name) for case_id, name in rows}


# --- what other parts ask ----------------------------------------------------------------------

def escalation_possible(case: Case) -> bool:
    """A case is escalated while the RET works on it (not closed, not a concept, not returned)."""
    return case.status not in (CaseStatus.CLOSED, CaseStatus.CONCEPT, CaseStatus.RETURNED_WITH_ADVICE)


def open_escalation(case: Case) -> Optional[Escalation]:
    return db.session.scalar(select(Escalation).where(
        Escalation.case_id == case.id, Escalation.status.in_([s.value for s in OPEN])))


# --- what was tried: references to the case's own items ------------------------------------------

@dataclass(frozen=True)
class TriedOption:
    kind: str
    object_id: int
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"


TRIED_GROUPS = {
    TriedKind.PRIOR_HELP.value: _l("Help tried before the referral"),
    TriedKind.SCREENING.value: _l("Screening"),
    TriedKind.PLAN_VERSION.value: _l("Agreed plan versions"),
    TriedKind.PLAN_GOAL.value: _l("Plan goals"),
    TriedKind.PROVIDER_REQUEST.value: _l("Requests to providers and their answers"),
    TriedKind.DECISION.value: _l("Session decisions"),
}


def _short(text: str, length: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _day(value) -> str:
    return value.strftime("%d-%m-%Y") if value else "—"


def tried_options(case: Case) -> list[TriedOption]:
    """Every item of the case that can be named as tried, grouped by kind (TRIED_GROUPS' order): a
    fixed number of queries, whatever the number of items."""
    out: list[TriedOption] = []
    for help_ in db.session.scalars(select(PriorHelp).where(PriorHelp.case_id == case.id).order_by(PriorHelp.id)):
        period = f" ({_day(help_.from_date)} – {_day(help_.to_date)})" if help_.from_date or help_.to_date else ""
        out.append(TriedOption(TriedKind.PRIOR_HELP.value, help_.id,
                               _short(f"{help_.provider}: {help_.help_type}{period}")))
    screening = db.session.scalar(select(Screening).where(Screening.case_id == case.id))
    if screening is not None:
        state = (str(_l("finalised %(day)s", day=_day(dates.local_date(screening.finalised_at))))
                 if screening.finalised_at else str(_l("not finalised")))
        out.append(TriedOption(TriedKind.SCREENING.value, screening.id,
                               str(_l("The integrated screening (%(state)s)", state=state))))
    for version in db.session.scalars(select(PlanVersion).join(Plan, Plan.id == PlanVersion.plan_id)
                                      .where(Plan.case_id == case.id).order_by(PlanVersion.number)):
        out.append(TriedOption(TriedKind.PLAN_VERSION.value, version.id,
                               str(_l("Plan version %(number)d, agreed %(day)s", number=version.number,
                                      day=_day(dates.local_date(version.agreed_at))))))
    for goal in db.session.scalars(select(PlanGoal).join(Plan, Plan.id == PlanGoal.plan_id)
                                   .where(Plan.case_id == case.id).order_by(PlanGoal.position, PlanGoal.id)):
        out.append(TriedOption(TriedKind.PLAN_GOAL.value, goal.id, _short(goal.text)))
    for request in db.session.scalars(select(ProviderRequest).where(ProviderRequest.case_id == case.id)
                                      .options(joinedload(ProviderRequest.organisation))
                                      .order_by(ProviderRequest.requested_at, ProviderRequest.id)):
        role = str(REQUEST_ROLE_LABELS.get(request.role, request.role))
        if request.status == "declined":
            answer = str(_l("declined: %(reason)s", reason=DECLINE_REASON_LABELS.get(request.decline_reason,
                                                                                       request.decline_reason)))
        else:
            answer = str(REQUEST_STATUS_LABELS.get(request.status, request.status))
        out.append(TriedOption(TriedKind.PROVIDER_REQUEST.value, request.id,
                               f"{request.organisation.name} ({role}, {_day(dates.local_date(request.requested_at))}): "
                               f"{answer}"))
    for decision, starts_at in db.session.execute(
            select(Decision, Meeting.starts_at).join(MeetingItem, MeetingItem.id == Decision.item_id)
            .join(Meeting, Meeting.id == MeetingItem.meeting_id)
            .where(Decision.case_id == case.id).order_by(Meeting.starts_at, Decision.id)):
        out.append(TriedOption(TriedKind.DECISION.value, decision.id,
                               f"{_day(dates.local_date(starts_at))}: {_short(decision.text)}"))
    return out


def tried_of(escalation: Escalation, options: Optional[list[TriedOption]] = None) -> list[TriedOption]:
    """The items the escalation names as tried, as the case shows them now (an item since removed
    from the case is left out)."""
    options = options if options is not None else tried_options(escalation.case)
    chosen = {(t.kind, t.object_id) for t in escalation.tried}
    return [o for o in options if (o.kind, o.object_id) in chosen]


def _parse_tried(raw: Iterable[Any]) -> list[tuple[str, int]]:
    out = []
    for value in raw or ():
        kind, _, number = str(value).partition(":")
        if kind in {k.value for k in TriedKind} and number.isdigit() and len(number) <= 10:
            pair = (kind, int(number))
            if pair not in out:
                out.append(pair)
        else:
            out.append(("", 0))  # not one of the case's items
    return out


# --- the RET's form: draft and send ---------------------------------------------------------------

EDIT_FIELDS = ("why_exhausted", "tried", "question_kind", "question", "urgency", "expected_answer_date")


def save(case: Case, actor: User, data: dict, *, escalation: Optional[Escalation] = None, send: bool = False,
         loaded_version: Optional[int] = None, today: Optional[date] = None) -> tuple[Escalation, bool]:
    """Make or edit the draft from the form's data and, with `send`, escalate it. Returns the escalation
    and whether anything was recorded now (False: this form had been recorded before). Every objection at
    once, each next to its field."""
    today = today or dates.today()
    key = _valid_key(data.get("submission_key"))
    if escalation is None:
        existing = db.session.scalar(select(Escalation).where(Escalation.submission_key == key))
        if existing is not None:
            if existing.case_id != case.id:
                raise RuleError(EXPIRED)
            return existing, False
    elif escalation.last_key == key:
        return escalation, False
    if not policy.can_prepare_escalation(actor, case):
        raise RuleError(_l("Only the chair or the case's process director prepares an escalation."))
    if send and escalation is not None and not policy.can_send_escalation(actor, escalation):
        raise RuleError(_l("Only the chair escalates a case to the network."))
    if send and escalation is None and not policy.is_chair_of(actor, case):
        raise RuleError(_l("Only the chair escalates a case to the network."))
    if escalation is not None and escalation.status != EscalationStatus.DRAFT:
        raise RuleError(NOT_DRAFT)
    whole: list = []  # objections to the whole form, every one of them shown
    errors: dict[Optional[str], Any] = {}
    if escalation is None and open_escalation(case) is not None:
        whole.append(ONE_OPEN)
    if not escalation_possible(case):
        whole.append(CASE_CLOSED)
    network = network_of(case) if escalation is None else escalation.network
    if network is None:
        whole.append(NO_NETWORK)
    if send:  # the lifecycle's guards on sending, said with the form's own objections
        whole += [reason for reason in (network_consent_message(case, today), admission_age_refused(case, today))
                  if reason is not None]
    why = _text(data.get("why_exhausted"))
    question = _text(data.get("question"))
    kind = data.get("question_kind") or ""
    urgency = data.get("urgency") or Urgency.REGULAR.value
    expected = data.get("expected_answer_date")
    if len(why) > MAX_TEXT:
        errors["why_exhausted"] = _l("This can be at most %(num)d characters.", num=MAX_TEXT)
    elif send and not why:
        errors["why_exhausted"] = _l("Say why the region's own options are exhausted.")
    if len(question) > MAX_TEXT:
        errors["question"] = _l("The question can be at most %(num)d characters.", num=MAX_TEXT)
    elif send and not question:
        errors["question"] = _l("Write the question for the network.")
    if (kind and kind not in {k.value for k in QuestionKind}) or (send and not kind):
        errors["question_kind"] = _l("Choose what you ask of the network.")
    if urgency not in {u.value for u in Urgency}:
        errors["urgency"] = _l("Choose the urgency.")
    if expected is not None and expected < today:
        errors["expected_answer_date"] = _l("The expected answer date cannot lie in the past.")
    elif send and expected is None:
        errors["expected_answer_date"] = _l("Enter the date by which you expect the network's answer.")
    chosen = _parse_tried(data.get("tried") or [])
    options = {(o.kind, o.object_id) for o in tried_options(case)}
    if any(pair not in options for pair in chosen):
        errors["tried"] = _l("Choose only items of this case.")
    elif send and not chosen:
        errors["tried"] = _l("Choose at least one thing of the case that was tried.")
    if whole or errors:
        if whole:
            errors = {None: whole[0], **errors}
        raise RuleError.many(errors, reasons=whole + [m for f, m in errors.items() if f is not None])
    created = escalation is None
    if created:
        escalation = Escalation(case_id=case.id, network_id=network.id, status=EscalationStatus.DRAFT.value,
                                created_by_id=actor.id, submission_key=key)
        escalation.case, escalation.network = case, network
    else:
        _check_version(escalation, loaded_version)
    before = {name: getattr(escalation, name) for name in EDIT_FIELDS if name != "tried"}
    before_tried = {(t.kind, t.object_id) for t in escalation.tried}
    escalation.why_exhausted, escalation.question, escalation.question_kind = why, question, kind or None
    escalation.urgency, escalation.expected_answer_date = urgency, expected
    escalation.last_key = key
    for item in list(escalation.tried):
        if (item.kind, item.object_id) not in chosen:
            escalation.tried.remove(item)
    for kind_, object_id in chosen:
        if (kind_, object_id) not in before_tried:
            escalation.tried.append(EscalationTried(kind=kind_, object_id=object_id))
    if created:
        try:
            with db.session.begin_nested():
                db.session.add(escalation)
                db.session.flush()
        except IntegrityError:  # another request opened one for this case (or sent this form) first
            raise RuleError(ONE_OPEN) from None
    else:
        db.session.flush()
    changed = [name for name, value in before.items() if getattr(escalation, name) != value]
    if before_tried != set(chosen):
        changed.append("tried")
    if created or changed:
        events.emit(EscalationDrafted(actor=actor, case=case, escalation=escalation, network_name=network.short_name,
                                      edited=not created, fields=tuple(changed)))
    if send:
        _send(escalation, actor, today)
    return escalation, True


def _send(escalation: Escalation, actor: User, today: date) -> None:
    step = ESCALATION.apply(escalation, actor, "send", today=today)
    escalation.sent_at = step.now
    escalation.sent_by_id = actor.id
    db.session.flush()
    _emit_step(escalation, actor, step)


def _emit_step(escalation: Escalation, actor: User, step) -> None:
    events.emit(EscalationStepTaken(actor=actor, case=escalation.case, escalation=escalation,
                                    network_name=escalation.network.short_name, name=step.name,
                                    source=step.source.value, target=step.target.value))


# --- the RET's follow-up -------------------------------------------------------------------------

def withdraw(escalation: Escalation, actor: User, reason: str, loaded_version: Optional[int]) -> Escalation:
    reason = _text(reason)
    if len(reason) > MAX_TEXT:
        raise RuleError(_l("The reason can be at most %(num)d characters.", num=MAX_TEXT), "reason")
    if escalation.status == EscalationStatus.WITHDRAWN:
        raise RuleError(_l("This escalation has been withdrawn already."))
    _check_version(escalation, loaded_version)
    step = ESCALATION.apply(escalation, actor, "withdraw", reason=reason)
    escalation.withdraw_reason = reason
    db.session.flush()
    _emit_step(escalation, actor, step)
    return escalation


def remind(escalation: Escalation, actor: User, note: str, key: Optional[str]) -> tuple[EscalationReminder, bool]:
    """The chair reminds the network of its answer (recorded; the notification comes with the
    notifications). The same form sent twice is recorded once."""
    key = _valid_key(key)
    existing = db.session.scalar(select(EscalationReminder).where(EscalationReminder.submission_key == key))
    if existing is not None:
        if existing.escalation_id != escalation.id:
            raise RuleError(EXPIRED)
        return existing, False
    if not policy.can_send_escalation(actor, escalation):
        raise RuleError(_l("Only the chair reminds the network."))
    if escalation.status not in {s.value for s in FOLLOW_UP}:
        raise RuleError(_l("A reminder is for an escalation that waits for the network's answer."))
    note = _text(note)
    if len(note) > MAX_TEXT:
        raise RuleError(_l("The note can be at most %(num)d characters.", num=MAX_TEXT), "note")
    reminder = EscalationReminder(sent_by_id=actor.id, note=note, submission_key=key)
    escalation.reminders.append(reminder)
    db.session.flush()
    events.emit(EscalationReminded(actor=actor, case=escalation.case, escalation=escalation,
                                   network_name=escalation.network.short_name))
    return reminder, True


def move_date(escalation: Escalation, actor: User, new_date: Optional[date], reason: str,
              loaded_version: Optional[int], today: Optional[date] = None) -> Escalation:
    """A new expected answer date, with its reason (the old one is kept in the row)."""
    today = today or dates.today()
    if not policy.can_send_escalation(actor, escalation):
        raise RuleError(_l("Only the chair sets a new expected date."))
    if escalation.status not in {s.value for s in FOLLOW_UP}:
        raise RuleError(_l("A new expected date is for an escalation that waits for the network's answer."))
    reason = _text(reason)
    errors: dict[Optional[str], Any] = {}
    if new_date is None:
        errors["new_date"] = _l("Enter the new expected answer date.")
    elif new_date < today:
        errors["new_date"] = _l("The expected answer date cannot lie in the past.")
    elif new_date == escalation.expected_answer_date:
        errors["new_date"] = _l("This is the expected answer date already.")
    if not reason:
        errors["date_reason"] = _l("Give the reason for the new date.")
    elif len(reason) > MAX_TEXT:
        errors["date_reason"] = _l("The reason can be at most %(num)d characters.", num=MAX_TEXT)
    if errors:
        raise RuleError.many(errors)
    _check_version(escalation, loaded_version)
    old = escalation.expected_answer_date
    escalation.date_changes.append(EscalationDateChange(old_date=old, new_date=new_date, reason=reason,
                                                        changed_by_id=actor.id))
    escalation.expected_answer_date = new_date
    db.session.flush()
    events.emit(EscalationDateMoved(actor=actor, case=escalation.case, escalation=escalation,
                                    network_name=escalation.network.short_name, old=old, new=new_date))
    return escalation


def _message(escalation: Escalation, actor: User, side: MessageSide, kind: MessageKind, text: str, key: str,
             reply_to: Optional[EscalationMessage] = None) -> EscalationMessage:
    message = EscalationMessage(side=side.value, kind=kind.value, text=text, author_id=actor.id,
                                submission_key=key, reply_to_id=reply_to.id if reply_to else None)
    message.author = actor
    escalation.messages.append(message)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(EXPIRED) from None
    events.emit(EscalationMessageAdded(actor=actor, case=escalation.case, escalation=escalation,
                                       network_name=escalation.network.short_name, message=message))
    return message


def _message_text(text: Any, field: str) -> str:
    text = _text(text)
    if not text:
        raise RuleError(_l("Write the message."), field)
    if len(text) > MAX_TEXT:
        raise RuleError(_l("The message can be at most %(num)d characters.", num=MAX_TEXT), field)
    return text


def _existing_message(escalation: Escalation, key: str) -> Optional[EscalationMessage]:
    existing = db.session.scalar(select(EscalationMessage).where(EscalationMessage.submission_key == key))
    if existing is not None and existing.escalation_id != escalation.id:
        raise RuleError(EXPIRED)
    return existing


def reply(escalation: Escalation, actor: User, question_id: Optional[int], text: Any, key: Optional[str]
          ) -> tuple[EscalationMessage, bool]:
    """The RET answers a question of the network (the chair or the process director)."""
    key = _valid_key(key)
    if (existing := _existing_message(escalation, key)) is not None:
        return existing, False
    if not policy.can_reply_for_ret(actor, escalation):
        raise RuleError(_l("Only the chair or the case's process director answers the network."))
    if escalation.status not in {s.value for s in EXCHANGE_OPEN}:
        raise RuleError(_l("The network's questions can be answered while it works on the escalation."))
    question = next((m for m in escalation.messages if m.id == question_id and m.kind == MessageKind.QUESTION), None)
    if question is None:
        raise RuleError(_l("Choose the question you answer."), "question_id")
    return _message(escalation, actor, MessageSide.RET, MessageKind.REPLY, _message_text(text, "text"), key,
                    reply_to=question), True


def open_questions(escalation: Escalation) -> list[EscalationMessage]:
    """The network's questions without a reply of the RET yet."""
    answered = {m.reply_to_id for m in escalation.messages if m.kind == MessageKind.REPLY}
    return [m for m in escalation.messages if m.kind == MessageKind.QUESTION and m.id not in answered]


# --- the network's side --------------------------------------------------------------------------

def _recorded_before(escalation: Escalation, key: Optional[str]) -> bool:
    """The liaison's forms carry a key: the same form sent twice is recorded once (the escalation keeps
    the key of the last form that changed it)."""
    return key is not None and escalation.last_key == _valid_key(key)


def _network_step(escalation: Escalation, actor: User, name: str, loaded_version: Optional[int],
                  reason: str = "", key: Optional[str] = None) -> None:
    _check_version(escalation, loaded_version)
    step = ESCALATION.apply(escalation, actor, name, reason=reason)
    if key is not None:
        escalation.last_key = key
    db.session.flush()
    _emit_step(escalation, actor, step)


def accept(escalation: Escalation, actor: User, loaded_version: Optional[int] = None,
           key: Optional[str] = None) -> Escalation:
    if not _recorded_before(escalation, key):
        _network_step(escalation, actor, "accept", loaded_version, key=key)
    return escalation


def decline(escalation: Escalation, actor: User, reason: str, loaded_version: Optional[int] = None,
            key: Optional[str] = None) -> Escalation:
    if _recorded_before(escalation, key):
        return escalation
    reason = _text(reason)
    if len(reason) > MAX_TEXT:
        raise RuleError(_l("The reason can be at most %(num)d characters.", num=MAX_TEXT), "reason")
    escalation.decline_reason = reason
    _network_step(escalation, actor, "decline", loaded_version, reason, key=key)
    return escalation


def start(escalation: Escalation, actor: User, loaded_version: Optional[int] = None,
          key: Optional[str] = None) -> Escalation:
    if not _recorded_before(escalation, key):
        _network_step(escalation, actor, "start", loaded_version, key=key)
    return escalation


def assign_director(escalation: Escalation, actor: User, name: Any, organisation: Any,
                    loaded_version: Optional[int] = None, key: Optional[str] = None) -> Escalation:
    """The network names its process director (name and organisation)."""
    if _recorded_before(escalation, key):
        return escalation
    if not policy.can_act_for_network(actor, escalation):
        raise RuleError(ESCALATION.messages.not_allowed)
    if escalation.status not in (EscalationStatus.ACCEPTED, EscalationStatus.IN_PROGRESS):
        raise RuleError(_l("A network process director is named once the network has accepted the escalation."))
    name, organisation = _text(name), _text(organisation)
    errors: dict[Optional[str], Any] = {}
    if not name:
        errors["director_name"] = _l("Name the network process director.")
    elif len(name) > MAX_NAME:
        errors["director_name"] = _l("The name can be at most %(num)d characters.", num=MAX_NAME)
    if not organisation:
        errors["director_organisation"] = _l("Name the organisation of the network process director.")
    elif len(organisation) > MAX_NAME:
        errors["director_organisation"] = _l("The name can be at most %(num)d characters.", num=MAX_NAME)
    if errors:
        raise RuleError.many(errors)
    _check_version(escalation, loaded_version)
    escalation.network_director_name, escalation.network_director_organisation = name, organisation
    if key is not None:
        escalation.last_key = key
    db.session.flush()
    events.emit(EscalationDirectorAssigned(actor=actor, case=escalation.case, escalation=escalation,
                                           network_name=escalation.network.short_name))
    return escalation


def add_message(escalation: Escalation, actor: User, kind: str, text: Any, key: Optional[str]
                ) -> tuple[EscalationMessage, bool]:
    """The network sends advice or a question to the RET."""
    key = _valid_key(key)
    if (existing := _existing_message(escalation, key)) is not None:
        return existing, False
    if not policy.can_act_for_network(actor, escalation):
        raise RuleError(_l("Only a liaison of the network the case was escalated to writes for the network."))
    if escalation.status not in {s.value for s in EXCHANGE_OPEN}:
        raise RuleError(_l("Advice and questions are sent once the network has accepted the escalation."))
    if kind not in (MessageKind.ADVICE, MessageKind.QUESTION):
        raise RuleError(_l("Choose advice or a question."), "kind")
    return _message(escalation, actor, MessageSide.NETWORK, MessageKind(kind), _message_text(text, "text"), key), True


def answer(escalation: Escalation, actor: User, text: Any, key: Optional[str],
           loaded_version: Optional[int] = None) -> Escalation:
    """The network's answer to the RET's question (the "answer" step, its text a message)."""
    key = _valid_key(key)
    if _existing_message(escalation, key) is not None:
        return escalation
    text = _message_text(text, "text")
    _network_step(escalation, actor, "answer", loaded_version)
    _message(escalation, actor, MessageSide.NETWORK, MessageKind.ANSWER, text, key)
    return escalation


def close(escalation: Escalation, actor: User, result: str, text: Any = "",
          loaded_version: Optional[int] = None, key: Optional[str] = None) -> Escalation:
    if _recorded_before(escalation, key):
        return escalation
    text = _text(text)
    errors: dict[Optional[str], Any] = {}
    if result not in {r.value for r in EscalationResult}:
        errors["result"] = _l("Choose the result.")
    if len(text) > MAX_TEXT:
        errors["result_text"] = _l("This can be at most %(num)d characters.", num=MAX_TEXT)
    if errors:
        raise RuleError.many(errors)
    escalation.result, escalation.result_text = result, text
    _network_step(escalation, actor, "close", loaded_version, key=key)
    return escalation
