"""The case lifecycle as data (one `StateMachine` of the kernel): which transitions exist, from which
states, who may take them and which guards must hold. The UI asks `available(case, user)` which
buttons to show; services call `apply(...)`, which records the transition (who, when, why); the
timeline entry and the audit record follow from the `CaseTransitioned` event.

    concept -> submitted -> intake -> screening -> process_direction -> monitoring -> closed
    submitted / intake -> returned_with_advice (-> submitted again when the access team resubmits)
    submitted ... monitoring -> paused -> (back to where it was)

The sets of states other modules need are derived from the table below, never spelled out.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app import policy
from ret_app.cases import completeness, consent
from ret_app.cases.events import CaseTransitioned
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.machine import Messages, Option, StateMachine, Step, Transition  # noqa: F401
from ret_app.models import Case, CasePause, CaseStatus, CaseTransition, ConsentScope, Screening, User

S = CaseStatus


# --- guards: each returns why the step cannot be taken yet, or None --------------------------------

def ret_consent(case: Case):
    if not consent.scope_status(case, ConsentScope.RET).stands:
        return _l("Consent for the RET (or a recorded legal ground) is missing.")
    return None


def referral_complete(case: Case):
    missing = completeness.missing_referral_fields(case)
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
    finalised = db.session.scalar(select(Screening.finalised_at).where(Screening.case_id == case.id))
    if finalised is None:
        return _l("The screening has not been finalised yet.")
    return None


def fitting_help_started(case: Case):
    if case.fitting_help_started_on is None:
        return _l("Record on the plan when fitting help started.")
    return None


def outcome_recorded(case: Case):
    if case.outcome_recorded_at is None:
        return _l("Record the outcome of the case before closing it.")
    return None


# --- who may act: the policy's rules ------------------------------------------------------------

chair = policy.is_chair_of
referrer = policy.is_referrer
chair_or_director = policy.is_chair_or_director


# --- side effects ---------------------------------------------------------------------------------

def _begin_pause(step: Step) -> None:
    case = step.subject
    case.status_before_pause = step.source.value
    case.pauses.append(CasePause(start=step.today, reason=step.reason, started_by_id=step.actor.id))


def _end_pause(step: Step) -> None:
    case = step.subject
    open_pause = next(p for p in reversed(case.pauses) if p.end is None)
    open_pause.end = step.today
    open_pause.ended_by_id = step.actor.id
    case.status_before_pause = None


def _back_to_before_pause(case: Case) -> CaseStatus:
    return CaseStatus(case.status_before_pause or S.SUBMITTED)


def _submitted(step: Step) -> None:
    if step.subject.submitted_at is None:
        step.subject.submitted_at = step.now


def _taken_into_intake(step: Step) -> None:
    step.subject.intake_at = step.now


def _closed(step: Step) -> None:
    step.subject.closed_at = step.now


def _record(step: Step) -> None:
    case = step.subject
    record = CaseTransition(from_status=step.source.value, to_status=step.target.value, actor_id=step.actor.id,
                            at=step.now, reason=step.reason or None)
    case.transitions.append(record)
    db.session.flush()
    events.emit(CaseTransitioned(actor=step.actor, case=case, name=step.name, source=step.source.value,
                                 target=step.target.value, reason=step.reason))
    step.result = record


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", _l("Submit referral"), frozenset({S.CONCEPT}), S.SUBMITTED, referrer,
               (referral_complete, ret_consent),
               done=_l("The referral has been submitted to the RET. The chair will decide on the intake.")),
    Transition("start_intake", _l("Take into intake"), frozenset({S.SUBMITTED}), S.INTAKE, chair, (ret_consent,),
               done=_l("The case has been taken into intake.")),
    Transition("return_with_advice", _l("Answer with advice and return"), frozenset({S.SUBMITTED, S.INTAKE}),
               S.RETURNED_WITH_ADVICE, chair, reason_required=True,
               done=_l("The case has been answered with advice and returned to the access team.")),
    Transition("resubmit", _l("Submit again"), frozenset({S.RETURNED_WITH_ADVICE}), S.SUBMITTED, referrer,
               (referral_complete, ret_consent), reason_required=True,
               done=_l("The referral has been submitted again. The chair will decide on the intake.")),
    Transition("accept", _l("Accept into a track"), frozenset({S.INTAKE}), S.SCREENING, chair,
               (ret_consent, track_and_director_set), reason_required=True,
               done=_l("The case has been accepted; the screening can start.")),
    Transition("start_process_direction", _l("Start process direction"), frozenset({S.SCREENING}),
               S.PROCESS_DIRECTION, chair_or_director, (screening_finalised,),
               done=_l("The case is in process direction.")),
    Transition("start_monitoring", _l("Start monitoring"), frozenset({S.PROCESS_DIRECTION}), S.MONITORING,
               chair_or_director, (fitting_help_started,), done=_l("The case is in the monitoring stage.")),
    Transition("close", _l("Close case"), frozenset({S.SCREENING, S.PROCESS_DIRECTION, S.MONITORING}), S.CLOSED,
               chair, (outcome_recorded,), reason_required=True, done=_l("The case has been closed.")),
    Transition("pause", _l("Pause"), frozenset({S.SUBMITTED, S.INTAKE, S.SCREENING, S.PROCESS_DIRECTION,
                                                S.MONITORING}), S.PAUSED, chair_or_director,
               reason_required=True, on_enter=(_begin_pause,),
               done=_l("The case has been paused; its deadlines stand still until it is resumed.")),
    Transition("resume", _l("Resume"), frozenset({S.PAUSED}), _back_to_before_pause, chair_or_director,
               on_enter=(_end_pause,), done=_l("The case has been resumed; its deadlines run again.")),
)

CASE = StateMachine(
    states=CaseStatus,
    transitions=TRANSITIONS,
    state_of=lambda case: case.status,
    set_state=lambda case, state: setattr(case, "status", state.value),
    messages=Messages(not_possible=_l("This step is not possible in the current status."),
                      not_allowed=_l("You may not take this step for this case."),
                      reason_needed=_l("Give a reason.")),
    on_enter={S.SUBMITTED: (_submitted,), S.INTAKE: (_taken_into_intake,), S.CLOSED: (_closed,)},
    after=(_record,),
)
BY_NAME = CASE.by_name

# --- the sets of states other modules ask about, derived from the table --------------------------

# With the RET and not finished: can be paused (or is), planned on an agenda, decided on.
ACTIVE = CASE.sources("pause")
OPEN = ACTIVE | CASE.sources("resume")
# Waiting for the chair's intake decision (accept into a track, or answer with advice).
AWAITING_INTAKE = CASE.sources("return_with_advice")
# Taken into a track and not closed: screening, process direction, monitoring.
IN_TRACK = CASE.sources("close")
# Before the RET took the case into a track.
BEFORE_TRACK = frozenset(S) - IN_TRACK - {S.PAUSED, S.CLOSED}
# The intake decision's own form takes these steps (not the generic step buttons).
INTAKE_STEPS = frozenset({"accept", "return_with_advice"})


def guard_failures(case: Case, transition: Transition) -> list:
    return CASE.guard_failures(case, transition)


def available(case: Case, user: User) -> list[Option]:
    """The transitions this user may take from the case's current state, with what blocks them."""
    return CASE.available(case, user)


def apply(case: Case, user: User, name: str, *, reason: Optional[str] = None,
          today: Optional[date] = None) -> CaseTransition:
    """Take the step (RuleError when it is refused); returns the history record."""
    return CASE.apply(case, user, name, reason=reason, today=today).result


def may_decide_intake(user: User, case: Case) -> bool:
    """The chair of the region, while the case waits for the intake decision."""
    return policy.is_chair_of(user, case) and CaseStatus(case.status) in AWAITING_INTAKE
