"""Decisions on agenda items, the mandate check that makes them binding or "onder voorbehoud",
and the municipality's answer to provisional ones. Services: flush, never commit; one event per
change.

The rules run once per decision, in `record`: it refuses with every objection at once
(`RuleError.many`, field -> message, None for the form as a whole)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ret_app import audit, policy
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.meetings import common, mandate_check, recording
from ret_app.meetings.common import bump_revision, lock_meeting, session_date
from ret_app.meetings.events import DecisionRecorded, ProvisionalAnswered
from ret_app.models import (
    Case,
    Decision,
    DecisionKind,
    DecisionStatus,
    ItemPurpose,
    MeetingItem,
    Organisation,
    OrganisationKind,
    PlacementOutcome,
    User,
)

PLACEMENT_FIELDS = ("alternatives_considered", "behavioural_scientist_name", "behavioural_scientist_role",
                    "behavioural_scientist_judgement", "placement_outcome")
# What fits the amount column (Numeric(12, 2)): up to 9.999.999.999,99.
MAX_AMOUNT = Decimal("9999999999.99")


def find_submitted(submission_key: str) -> Optional[Decision]:
    return common.find_submitted(Decision, submission_key)


def _text(data: dict, name: str) -> str:
    return (data.get(name) or "").strip()


def _field_problems(item: MeetingItem, data: dict, today: date) -> dict[str, object]:
    """Field → message for everything the rules refuse in the input (the form checked types)."""
    errors: dict[str, object] = {}
    if not _text(data, "text"):
        errors["text"] = _l("Describe the decision.")
    kind = data.get("kind") or DecisionKind.GENERAL
    if kind not in set(DecisionKind):
        errors["kind"] = _l("Choose what kind of decision this is.")
    if kind == DecisionKind.COMMITS_HELP:
        if not data.get("care_type"):
            errors["care_type"] = _l("Choose the type of care that is committed.")
        else:  # on offer in the catalogue of the case's region
            try:
                caretypes.validate(item.case.region_id, data["care_type"], "care_type")
            except RuleError as refused:
                errors.update(refused.errors)
        amount = data.get("amount_eur")
        if amount is None:
            errors["amount_eur"] = _l("Enter the estimated cost per year in euros.")
        elif not isinstance(amount, Decimal) or amount <= 0:
            errors["amount_eur"] = _l("Enter an amount in euros above zero, for example 12.500,00.")
        elif amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            errors["amount_eur"] = _l("Enter an amount in whole cents, at most 9.999.999.999,99.")
        provider_id = data.get("provider_id")
        if provider_id:
            provider = db.session.get(Organisation, provider_id)
            if provider is None or provider.kind != OrganisationKind.PROVIDER:
                errors["provider_id"] = _l("Choose a provider of the collective.")
    if item.purpose == ItemPurpose.PLACEMENT_REVIEW:
        if not _text(data, "alternatives_considered"):
            errors["alternatives_considered"] = _l("Describe the alternatives to placement that were considered.")
        if not _text(data, "behavioural_scientist_name"):
            errors["behavioural_scientist_name"] = _l("Enter the name of the behavioural scientist present.")
        if not _text(data, "behavioural_scientist_role"):
            errors["behavioural_scientist_role"] = _l("Enter the role of the behavioural scientist.")
        if not _text(data, "behavioural_scientist_judgement"):
            errors["behavioural_scientist_judgement"] = _l("Record the judgement of the behavioural scientist.")
        outcome = data.get("placement_outcome")
        if outcome not in set(PlacementOutcome):
            errors["placement_outcome"] = _l("Choose the outcome: placement prevented, carried out or postponed.")
        elif outcome == PlacementOutcome.PREVENTED and not _text(data, "placement_alternative"):
            errors["placement_alternative"] = _l("Describe the alternative that prevents the placement.")
        elif outcome == PlacementOutcome.POSTPONED:
            until = data.get("postponed_until")
            if until is None:
                errors["postponed_until"] = _l("Enter the date until which the decision is postponed.")
            elif until <= today:
                errors["postponed_until"] = _l("The date must lie in the future.")
    return errors


def record(item: MeetingItem, data: dict, actor: User, *,
           unreadable: Optional[Mapping[str, Any]] = None) -> tuple[Decision, bool]:
    """Record a decision on `item`. Returns (decision, created): the same submission key a second
    time (double click, retry) returns the decision recorded the first time.

    Refuses with every objection at once (RuleError.many): per field, and for the form as a whole
    (the session is not running, the user does not chair it, the case is no longer open).
    `unreadable`: fields whose input the form could not read (name -> its message); they keep that
    message only, the rules judge the rest, and nothing is recorded."""
    unreadable = dict(unreadable or {})
    key = _text(data, "submission_key")
    if not key:
        raise RuleError(_l("The form has expired. Reload the page and try again."))
    existing = find_submitted(key)
    if existing is not None:
        if existing.item_id != item.id:  # a key of another form: never answer with someone else's decision
            raise RuleError(_l("The form has expired. Reload the page and try again."))
        if not unreadable:
            return existing, False
    meeting = lock_meeting(item.meeting)
    errors: dict[Optional[str], Any] = dict(unreadable)
    if existing is None:
        for name, message in _field_problems(item, data, session_date(meeting)).items():
            errors.setdefault(name, message)
        if (closed := recording.session_refusal(meeting, recording.DECISION)) is not None:
            errors[None] = closed
        elif not policy.can_run_meeting(actor, meeting):
            errors[None] = _l("Only the chair records decisions.")
        elif (not_open := recording.case_refusal(item.case, recording.DECISION)) is not None:
            errors[None] = not_open
    if errors:
        raise RuleError.many(errors)

    case = item.case
    kind = DecisionKind(data.get("kind") or DecisionKind.GENERAL)
    decision = Decision(item_id=item.id, case_id=case.id, municipality_id=case.municipality_id, kind=kind.value,
                        text=_text(data, "text"), submission_key=key, recorded_by_id=actor.id,
                        recorded_at=utcnow())
    if kind is DecisionKind.COMMITS_HELP:
        decision.care_type = data["care_type"]
        decision.provider_id = data.get("provider_id") or None
        decision.amount_eur = data["amount_eur"]
        found = mandate_check.check(meeting, case, decision.care_type, decision.amount_eur)
        decision.status = (DecisionStatus.BINDING if found.binding else DecisionStatus.PROVISIONAL).value
        decision.mandate_id = found.mandate.id if found.mandate else None
        decision.mandate_finding = found.finding.value
    else:
        decision.status = DecisionStatus.RECORDED.value
    if item.purpose == ItemPurpose.PLACEMENT_REVIEW:
        for name in ("alternatives_considered", "behavioural_scientist_name", "behavioural_scientist_role",
                     "behavioural_scientist_judgement", "placement_alternative"):
            setattr(decision, name, _text(data, name) or None)
        decision.placement_outcome = data["placement_outcome"]
        decision.postponed_until = (data.get("postponed_until")
                                    if data["placement_outcome"] == PlacementOutcome.POSTPONED else None)
    try:
        decision, created = common.insert_once(decision)
    except IntegrityError:
        raise RuleError(_l("The decision could not be recorded. Try again.")) from None
    if not created:
        return decision, False
    bump_revision(meeting)
    events.emit(DecisionRecorded(actor=actor, case=case, decision_id=decision.id, meeting_id=meeting.id,
                                 status=decision.status, mandate_id=decision.mandate_id))
    return decision, True


def answer(decision: Decision, data: dict, actor: User) -> None:
    """The municipality answers a provisional decision: confirmed or refused, with the date."""
    if decision.status != DecisionStatus.PROVISIONAL:
        raise RuleError(_l("This decision has been answered already."))
    if not policy.can_answer_provisional(actor, decision):
        raise RuleError(_l("Only a holder of a mandate of this municipality that covers the decision, "
                                  "or the functional administrator, records the municipality's answer."))
    errors: dict[str, Any] = {}  # every objection at once
    outcome = data.get("answer")
    if outcome not in (DecisionStatus.CONFIRMED, DecisionStatus.REFUSED):
        errors["answer"] = _l("Choose confirmed or refused.")
    answer_date = data.get("answer_date")
    if answer_date is None:
        errors["answer_date"] = _l("Enter the date of the municipality's answer.")
    elif answer_date > dates.today():
        errors["answer_date"] = _l("The date of the answer cannot lie in the future.")
    elif answer_date < session_date(decision.item.meeting):
        errors["answer_date"] = _l("The answer cannot predate the session.")
    if errors:
        raise RuleError.many(errors)
    decision.status = outcome
    decision.answer_date = answer_date
    decision.answer_note = _text(data, "answer_note") or None
    decision.answered_at = utcnow()
    decision.answered_by_id = actor.id
    db.session.flush()
    bump_revision(decision.item.meeting)
    events.emit(ProvisionalAnswered(actor=actor, case=decision.case, decision_id=decision.id, answer=outcome))


def provisional_for(user: User, *options) -> list[Decision]:
    """The follow-ups waiting for this user: provisional decisions they may answer (the policy's SQL
    pre-selection, then its rule per decision with the user's mandates read once). `options`: what
    the caller shows of each, loaded up front."""
    stmt = (select(Decision).where(policy.answerable_decisions_clause(user)).order_by(Decision.recorded_at)
            .options(*options))
    found = list(db.session.scalars(stmt))
    if not found:
        return []
    mandates = [] if policy.answers_for_every_municipality(user) else policy.mandates_of(user)
    return [d for d in found if policy.can_answer_provisional(user, d, mandates=mandates)]


def followup_list(user: User) -> list[Decision]:
    """The follow-up list: what provisional_for finds, with what each row shows (its session, case
    and municipality) loaded up front. The search is audited with the number found."""
    waiting = provisional_for(user, joinedload(Decision.item).joinedload(MeetingItem.meeting),
                              joinedload(Decision.case).selectinload(Case.participants),
                              joinedload(Decision.municipality))
    audit.record(audit.Action.SEARCH, object_type="provisional_decisions", detail=f"count={len(waiting)}")
    return waiting
