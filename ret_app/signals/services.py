"""A gap signal: the chair's response (owner, a step of the lifecycle, a text), and reading a signal with
what its page shows. Flush, never commit; one event per change.

`respond(signal, actor, data, loaded_version)`: the chair of the signal's region sets the owner
(purchasing or policy), takes a step (lifecycle.py) and/or writes a response — at least one of them.
Every refusal at once, each next to its field: a text that is too long, an owner that is no choice, a
step that is not possible now, a step that needs a response (or an owner) without one. A response based
on an older version of the signal (someone else responded meanwhile) is a Conflict: nothing is saved, the
typed text stays in the form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ret_app import audit, policy
from ret_app.extensions import db
from ret_app.kernel import dates, events, submissions
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import (
    Case,
    Escalation,
    EvidenceKind,
    GapSignal,
    OutcomeGap,
    ProviderRequest,
    SignalEvidence,
    SignalOwner,
    SignalResponse,
    User,
)
from ret_app.signals.events import SignalResponded
from ret_app.signals.lifecycle import SIGNAL

MAX_TEXT = 4000

NOT_YOURS = _l("Only the chair of the region acts on its signals.")
NOTHING = _l("Write a response, choose who takes the signal up, or take a step.")
NO_OWNER_CHOICE = _l("Choose purchasing or policy.")
TOO_LONG = _l("This text is too long (at most %(max)d characters).", max=MAX_TEXT)
CHANGED_MEANWHILE = _l("Someone else responded to this signal while you were looking at it. Nothing of yours was "
                       "saved yet: check the signal as it is now; your text is still in the form.")

OWNERS = {o.value for o in SignalOwner}


def signal_for_page(signal_id: int) -> Optional[GapSignal]:
    """The signal with its category, responses (and authors) and evidence (with cases) — a fixed number of
    queries."""
    return db.session.scalar(select(GapSignal).where(GapSignal.id == signal_id).options(
        joinedload(GapSignal.category),
        selectinload(GapSignal.responses).joinedload(SignalResponse.author),
        selectinload(GapSignal.evidence).joinedload(SignalEvidence.case).joinedload(Case.municipality)))


@dataclass(frozen=True)
class EvidenceRow:
    evidence: SignalEvidence
    gap: Optional[OutcomeGap]  # None: the outcome was corrected since and no longer names it
    request: Optional[ProviderRequest]
    escalation: Optional[Escalation]


def evidence_rows(signal: GapSignal) -> list[EvidenceRow]:
    """The signal's evidence with the gap rows, requests (and their providers) and escalations it points
    to: three queries whatever the number of rows."""
    evidence = list(signal.evidence)
    gap_ids = [e.outcome_gap_id for e in evidence if e.outcome_gap_id]
    request_ids = [e.provider_request_id for e in evidence if e.provider_request_id]
    escalation_ids = [e.escalation_id for e in evidence if e.escalation_id]
    gaps = {g.id: g for g in db.session.scalars(select(OutcomeGap).where(OutcomeGap.id.in_(gap_ids)))} \
        if gap_ids else {}
    requests = {r.id: r for r in db.session.scalars(select(ProviderRequest).options(
        joinedload(ProviderRequest.organisation)).where(ProviderRequest.id.in_(request_ids)))} if request_ids else {}
    escalations = {x.id: x for x in db.session.scalars(select(Escalation).where(Escalation.id.in_(escalation_ids)))} \
        if escalation_ids else {}
    kinds = {EvidenceKind.GAP.value: 0, EvidenceKind.DECLINE.value: 1, EvidenceKind.ESCALATION.value: 2}
    rows = [EvidenceRow(e, gaps.get(e.outcome_gap_id), requests.get(e.provider_request_id),
                        escalations.get(e.escalation_id)) for e in evidence]
    return sorted(rows, key=lambda r: (r.evidence.case.reference, kinds.get(r.evidence.kind, 9), r.evidence.id))


def shown(signal: GapSignal) -> None:
    """The signal's page was shown (it lists case references): audited."""
    audit.record(audit.Action.READ, object_type="gap_signal", object_id=signal.id,
                 detail=f"evidence={len(signal.evidence)}")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def respond(signal: GapSignal, actor: User, data: Mapping[str, Any], loaded_version: Optional[int] = None
            ) -> SignalResponse:
    """Record the chair's response. `data`: owner ("" = unchanged), step ("" = none), text; the same form
    sent twice (its `submission_key`) records one (the second time before the version is compared: the
    first changed it)."""
    if not policy.can_act_on_signal(actor, signal):
        raise RuleError(NOT_YOURS)
    sent_key = submissions.clean(data.get("submission_key"))
    done = submissions.find(SignalResponse, sent_key, SignalResponse.signal_id == signal.id)
    if done is not None:
        return done
    if loaded_version is not None and loaded_version != signal.version:
        raise Conflict(CHANGED_MEANWHILE)
    text = _text(data.get("text"))
    owner = _text(data.get("owner")) or None
    step = _text(data.get("step")) or None
    errors: dict[Optional[str], Any] = {}
    if len(text) > MAX_TEXT:
        errors["text"] = TOO_LONG
    if owner is not None and owner not in OWNERS:
        errors["owner"] = NO_OWNER_CHOICE
    owner_changes = owner is not None and owner in OWNERS and owner != signal.owner
    if not (text or owner_changes or step) and not errors:
        errors["text"] = NOTHING
    owner_before, status_before = signal.owner, signal.status
    if owner_changes:
        signal.owner = owner  # before the step: taking a signal up needs its owner
    if step is not None:
        if step not in SIGNAL.by_name:
            errors["step"] = SIGNAL.messages.not_possible
        else:
            try:
                # the machine checks state, actor, reason and guards; it changes nothing when it refuses
                _check_step(signal, actor, step, text)
            except RuleError as refusal:
                for key, message in refusal.errors.items():
                    errors.setdefault(key or "step", message)
    if errors:
        signal.owner = owner_before
        raise RuleError.many(errors)
    applied = SIGNAL.apply(signal, actor, step, reason=text) if step else None
    now = dates.utcnow()

    response, created = submissions.add_once(SignalResponse, sent_key, lambda: SignalResponse(
        signal=signal, author_id=actor.id, text=text, step=step, from_status=status_before, to_status=signal.status,
        owner_from=owner_before, owner_to=signal.owner, at=applied.now if applied else now, submission_key=sent_key),
        SignalResponse.signal_id == signal.id)
    if not created:
        return response
    events.emit(SignalResponded(actor=actor, signal_id=signal.id, region_id=signal.region_id,
                                category=signal.category.code, care_type=signal.care_type, step=step,
                                from_status=status_before, to_status=signal.status, owner_from=owner_before,
                                owner_to=signal.owner, text=bool(text)))
    return response


def _check_step(signal: GapSignal, actor: User, name: str, text: str) -> None:
    """Refuse (RuleError) what SIGNAL.apply would refuse, without taking the step."""
    transition = SIGNAL.by_name[name]
    if SIGNAL.state(signal) not in transition.sources:
        raise RuleError(SIGNAL.messages.not_possible, "step")
    if not transition.actor(actor, signal):
        raise RuleError(SIGNAL.messages.not_allowed, "step")
    errors: dict[Optional[str], Any] = {}
    if transition.reason_required and not text:
        errors["text"] = SIGNAL.messages.reason_needed
    failures = SIGNAL.guard_failures(signal, transition)
    if failures:
        errors["owner" if signal.owner is None else "step"] = failures[0]
    if errors:
        raise RuleError.many(errors)
