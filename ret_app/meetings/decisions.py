"""Decisions on agenda items, the mandate check that makes them binding or "onder voorbehoud",
and the municipality's answer to provisional ones. Services: flush, never commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app import audit, policy
from ret_app.cases import lifecycle as case_lifecycle
from ret_app.extensions import db
from ret_app.meetings import common, mandate_check
from ret_app.meetings.common import RuleError, bump_revision, case_event, lock_meeting, session_date
from ret_app.models import (
    CareType,
    Decision,
    DecisionKind,
    DecisionStatus,
    ItemPurpose,
    MeetingItem,
    MeetingStatus,
    Organisation,
    OrganisationKind,
    PlacementOutcome,
    User,
)
from ret_app.kernel.dates import utcnow
from ret_app.kernel import dates

PLACEMENT_FIELDS = ("alternatives_considered", "behavioural_scientist_name", "behavioural_scientist_role",
                    "behavioural_scientist_judgement", "placement_outcome")
# What fits the amount column (Numeric(12, 2)): up to 9.999.999.999,99.
MAX_AMOUNT = Decimal("9999999999.99")


def find_submitted(submission_key: str) -> Optional[Decision]:
    return common.find_submitted(Decision, submission_key)


def _text(data: dict, name: str) -> str:
    return (data.get(name) or "").strip()


def validate(item: MeetingItem, data: dict, today: Optional[date] = None) -> dict[str, object]:
    """Field → message for everything the rules refuse (the form checked types already)."""
    today = today or dates.today()
    errors: dict[str, object] = {}
    if not _text(data, "text"):
        errors["text"] = _l("Describe the decision.")
    kind = data.get("kind") or DecisionKind.GENERAL
    if kind not in set(DecisionKind):
        errors["kind"] = _l("Choose what kind of decision this is.")
    if kind == DecisionKind.COMMITS_HELP:
        if data.get("care_type") not in set(CareType):
            errors["care_type"] = _l("Choose the type of care that is committed.")
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


def record(item: MeetingItem, data: dict, actor: User) -> tuple[Decision, bool]:
    """Record a decision on `item`. Returns (decision, created): the same submission key a second
    time (double click, retry) returns the decision recorded the first time."""
    key = _text(data, "submission_key")
    if not key:
        raise RuleError(_l("The form has expired. Reload the page and try again."))
    existing = find_submitted(key)
    if existing is not None:
        if existing.item_id != item.id:  # a key of another form: never answer with someone else's decision
            raise RuleError(_l("The form has expired. Reload the page and try again."))
        return existing, False
    meeting = lock_meeting(item.meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise RuleError(_l("Decisions are recorded while the session is in progress."))
    if not policy.can_run_meeting(actor, meeting):
        raise RuleError(_l("Only the chair records decisions."))
    if item.case.status not in case_lifecycle.OPEN:
        raise RuleError(_l("This case is closed or back with the access team: no decisions on it here."))
    errors = validate(item, data, today=session_date(meeting))
    if errors:
        field, message = next(iter(errors.items()))
        raise RuleError(message, field)

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
    decision, created = common.insert_once(decision)
    if not created:
        return decision, False
    bump_revision(meeting)
    case_event(case.id, actor, "session_decision", "")
    audit.record(audit.Action.CREATE, object_type="decision", object_id=decision.id, case_id=case.id,
                 detail=f"meeting={meeting.id};status={decision.status}"
                        + (f";mandate={decision.mandate_id}" if decision.mandate_id else ""))
    return decision, True


def answer(decision: Decision, data: dict, actor: User) -> None:
    """The municipality answers a provisional decision: confirmed or refused, with the date."""
    if decision.status != DecisionStatus.PROVISIONAL:
        raise RuleError(_l("This decision has been answered already."))
    if not policy.can_answer_provisional(actor, decision):
        raise RuleError(_l("Only a holder of a mandate of this municipality that covers the decision, "
                                  "or the functional administrator, records the municipality's answer."))
    outcome = data.get("answer")
    if outcome not in (DecisionStatus.CONFIRMED, DecisionStatus.REFUSED):
        raise RuleError(_l("Choose confirmed or refused."), "answer")
    answer_date = data.get("answer_date")
    if answer_date is None:
        raise RuleError(_l("Enter the date of the municipality's answer."), "answer_date")
    if answer_date > dates.today():
        raise RuleError(_l("The date of the answer cannot lie in the future."), "answer_date")
    if answer_date < session_date(decision.item.meeting):
        raise RuleError(_l("The answer cannot predate the session."), "answer_date")
    decision.status = outcome
    decision.answer_date = answer_date
    decision.answer_note = _text(data, "answer_note") or None
    decision.answered_at = utcnow()
    decision.answered_by_id = actor.id
    db.session.flush()
    bump_revision(decision.item.meeting)
    case_event(decision.case_id, actor, "provisional_" + outcome, "")
    audit.record(audit.Action.UPDATE, object_type="decision", object_id=decision.id, case_id=decision.case_id,
                 detail=f"answer={outcome}")


def provisional_for(user: User) -> list[Decision]:
    """The follow-ups waiting for this user: provisional decisions they may answer."""
    from ret_app.models import Role

    stmt = select(Decision).where(Decision.status == DecisionStatus.PROVISIONAL.value).order_by(Decision.recorded_at)
    if Role(user.role) is not Role.ADMIN:
        from ret_app.models import Mandate

        municipalities = select(Mandate.municipality_id).where(Mandate.holder_id == user.id)
        stmt = stmt.where(Decision.municipality_id.in_(municipalities))
    return [d for d in db.session.scalars(stmt) if policy.can_answer_provisional(user, d)]
