"""The case lifecycle as data: which transitions exist, from which states, who may take them and
which guards must hold. The UI asks `available(case, user)` which buttons to show; services call
`apply(...)`, which records the transition (who, when, why), the timeline entry and the audit event.

    concept -> submitted -> intake -> screening -> process_direction -> monitoring -> closed
    submitted / intake -> returned_with_advice (-> submitted again when the access team resubmits)
    submitted ... monitoring -> paused -> (back to where it was)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Optional

from flask_babel import lazy_gettext as _l

from ret_app import audit, policy
from ret_app.cases import consent
from ret_app.extensions import db
from ret_app.models import Case, CaseEvent, CasePause, CaseStatus, CaseTransition, ConsentScope, Screening, User
from ret_app.models.base import utcnow

S = CaseStatus
Guard = Callable[[Case], Optional[object]]  # returns a user-facing reason when the guard fails
Actor = Callable[[User, Case], bool]


# --- guards ---------------------------------------------------------------------------

def ret_consent(case: Case):
    if not consent.scope_status(case, ConsentScope.RET).stands:
        return _l("Consent for the RET (or a recorded legal ground) is missing.")
    return None


def referral_complete(case: Case):
    from ret_app.cases.referrals import missing_referral_fields

    missing = missing_referral_fields(case)
    if missing:
        return _l("The referral is not complete: %(fields)s.", fields=", ".join(str(m) for m in missing))
    return None


def track_and_director_set(case: Case):
    if not case.track:
        return _l("Choose a track first.")
    if not case.process_director_id:
        return _l("Assign a process director first.")
    return None


def screening_finalised(case: Case):
    screening = db.session.query(Screening).filter_by(case_id=case.id).one_or_none()
    if screening is None or screening.finalised_at is None:
        return _l("The screening has not been finalised yet.")
    return None


def outcome_recorded(case: Case):
    if case.outcome_recorded_at is None:
        return _l("Record the outcome of the case before closing it.")
    return None


# --- who may act ----------------------------------------------------------------------

def chair(user: User, case: Case) -> bool:
    return policy.is_chair_of(user, case)


def referrer(user: User, case: Case) -> bool:
    return policy.is_referrer(user, case)


def chair_or_director(user: User, case: Case) -> bool:
    return policy.is_chair_of(user, case) or policy.is_process_director(user, case)


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset[CaseStatus]
    target: Optional[CaseStatus]  # None: back to the status before the pause
    actor: Actor
    guards: tuple[Guard, ...] = field(default=())
    reason_required: bool = False


ACTIVE = frozenset({S.SUBMITTED, S.INTAKE, S.SCREENING, S.PROCESS_DIRECTION, S.MONITORING})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", _l("Submit referral"), frozenset({S.CONCEPT}), S.SUBMITTED, referrer,
               (referral_complete, ret_consent)),
    Transition("start_intake", _l("Take into intake"), frozenset({S.SUBMITTED}), S.INTAKE, chair, (ret_consent,)),
    Transition("return_with_advice", _l("Answer with advice and return"), frozenset({S.SUBMITTED, S.INTAKE}),
               S.RETURNED_WITH_ADVICE, chair, reason_required=True),
    Transition("resubmit", _l("Submit again"), frozenset({S.RETURNED_WITH_ADVICE}), S.SUBMITTED, referrer,
               (referral_complete, ret_consent), reason_required=True),
    Transition("accept", _l("Accept into a track"), frozenset({S.INTAKE}), S.SCREENING, chair,
               (ret_consent, track_and_director_set), reason_required=True),
    Transition("start_process_direction", _l("Start process direction"), frozenset({S.SCREENING}),
               S.PROCESS_DIRECTION, chair_or_director, (screening_finalised,)),
    Transition("start_monitoring", _l("Start monitoring"), frozenset({S.PROCESS_DIRECTION}), S.MONITORING,
               chair_or_director),
    Transition("close", _l("Close case"), frozenset({S.SCREENING, S.PROCESS_DIRECTION, S.MONITORING}), S.CLOSED,
               chair, (outcome_recorded,), reason_required=True),
    Transition("pause", _l("Pause"), ACTIVE, S.PAUSED, chair_or_director, reason_required=True),
    Transition("resume", _l("Resume"), frozenset({S.PAUSED}), None, chair_or_director),
)

BY_NAME = {t.name: t for t in TRANSITIONS}


class TransitionError(Exception):
    def __init__(self, reasons: list):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = reasons


def allowed_by_state(case: Case, transition: Transition) -> bool:
    return CaseStatus(case.status) in transition.sources


def guard_failures(case: Case, transition: Transition) -> list:
    return [reason for guard in transition.guards if (reason := guard(case)) is not None]


@dataclass(frozen=True)
class Option:
    transition: Transition
    blocked_by: list  # guard failures; empty when the transition can be taken now


def available(case: Case, user: User) -> list[Option]:
    """The transitions this user may take from the case's current state, with what blocks them."""
    return [Option(t, guard_failures(case, t)) for t in TRANSITIONS
            if allowed_by_state(case, t) and t.actor(user, case)]


def apply(case: Case, user: User, name: str, *, reason: Optional[str] = None,
          today: Optional[date] = None) -> CaseTransition:
    transition = BY_NAME[name]
    if not allowed_by_state(case, transition):
        raise TransitionError([_l("This step is not possible in the current status.")])
    if not transition.actor(user, case):
        raise TransitionError([_l("You may not take this step for this case.")])
    if transition.reason_required and not (reason or "").strip():
        raise TransitionError([_l("Give a reason.")])
    failures = guard_failures(case, transition)
    if failures:
        raise TransitionError(failures)

    today = today or date.today()
    now = utcnow()
    source = CaseStatus(case.status)
    if transition.name == "pause":
        case.status_before_pause = source.value
        case.pauses.append(CasePause(start=today, reason=reason.strip(), started_by_id=user.id))
        target = S.PAUSED
    elif transition.name == "resume":
        open_pause = next(p for p in reversed(case.pauses) if p.end is None)
        open_pause.end = today
        open_pause.ended_by_id = user.id
        target = CaseStatus(case.status_before_pause or S.SUBMITTED)
        case.status_before_pause = None
    else:
        target = transition.target
    if target is S.SUBMITTED and case.submitted_at is None:
        case.submitted_at = now
    if target is S.INTAKE:
        case.intake_at = now
    if target is S.CLOSED:
        case.closed_at = now
    case.status = target.value
    record = CaseTransition(from_status=source.value, to_status=target.value, actor_id=user.id, at=now,
                            reason=(reason or "").strip() or None)
    case.transitions.append(record)
    case.events.append(CaseEvent(at=now, actor_id=user.id, kind=f"transition:{transition.name}",
                                 summary=(reason or "").strip()))
    db.session.flush()
    audit.record(audit.Action.UPDATE, object_type="case", object_id=case.id, case_id=case.id,
                 detail=f"transition={transition.name};{source.value}->{target.value}")
    return record
