"""An escalation's lifecycle as data (one `StateMachine` of the kernel).

    draft ──send──▶ sent ──accept──▶ accepted ──start──▶ in_progress ──answer──▶ answered ──close──▶ closed
                      └──decline──▶ declined (with a reason)
    draft / sent / accepted / in_progress ──withdraw──▶ withdrawn

Sending is the chair's (a process director prepares the draft); withdrawing too (the process director
may drop a draft). Accepting, declining, starting, answering and closing (with a result) are the
network's: a liaison of the escalation's network while the case's network consent stands.

Guards: sending needs network consent under the age rules or a recorded legal ground (the message
says exactly what is missing), a youth under 21 (the network takes youths up to 21) and a case that
is not closed; the network's own steps that carry its involvement on (accept, start, answer) need the
consent still and a youth under 23 (the network may stay involved until 23). Every step is kept as an
`EscalationStep` (who, when, why) and emitted as an event (audit and case timeline).
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.cases import consent
from ret_app.kernel import dates
from ret_app.kernel.machine import Messages, StateMachine, Step, Transition
from ret_app.labels import RELATION_LABELS
from ret_app.models import CaseStatus, ConsentScope, Escalation, EscalationStatus, EscalationStep

S = EscalationStatus

ADMISSION_AGE = 21  # the network takes youths up to 21
INVOLVEMENT_AGE = 23  # and may stay involved until 23


def consent_missing(escalation: Escalation, today: Optional[date] = None) -> Optional[object]:
    """Why there is no network consent (exactly who is missing), or None when it (or a legal ground) stands."""
    return network_consent_message(escalation.case, today)


def network_consent_message(case, today: Optional[date] = None) -> Optional[object]:
    status = consent.scope_status(case, ConsentScope.NETWORK, today or dates.today())
    if status.stands:
        return None
    missing = []
    if status.youth_missing:
        missing.append(str(_l("the youth")))
    for member in status.missing_holders:
        relation = str(RELATION_LABELS.get(member.relation, member.relation))
        missing.append(f"{member.name} ({relation})" if member.name else relation)
    if status.authority_missing:
        missing.append(str(_l("a parent or guardian with parental authority (none is registered)")))
    return _l("There is no consent for the supra-regional network and no recorded legal ground for it. "
              "Consent is missing from: %(missing)s. Record it on the consent page, or record the legal ground "
              "with its reason.", missing=", ".join(missing) or "—")


def youth_age(escalation_or_case, today: Optional[date] = None) -> Optional[int]:
    case = getattr(escalation_or_case, "case", escalation_or_case)
    if case.youth_birth_date is None:
        return None
    return consent.age_on(case.youth_birth_date, today or dates.today())


def admission_age_refused(case, today: Optional[date] = None) -> Optional[object]:
    age = youth_age(case, today)
    if age is None:
        return _l("The youth's date of birth is missing, so the network's age limit (up to 21) cannot be checked. "
                  "Add it to the referral first.")
    if age >= ADMISSION_AGE:
        return _l("The network takes youths up to 21; this youth is %(age)d. Look for help for young adults "
                  "in the region instead.", age=age)
    return None


def _age_for_sending(escalation: Escalation) -> Optional[object]:
    return admission_age_refused(escalation.case)


def _involvement_age(escalation: Escalation) -> Optional[object]:
    age = youth_age(escalation)
    if age is not None and age >= INVOLVEMENT_AGE:
        return _l("The network may stay involved until the youth is 23; this youth is %(age)d now.", age=age)
    return None


CASE_CLOSED = _l("This case is closed (or not taken on by the RET): it cannot be escalated.")


def case_not_closed(escalation: Escalation) -> Optional[object]:
    if escalation.case.status in (CaseStatus.CLOSED, CaseStatus.CONCEPT, CaseStatus.RETURNED_WITH_ADVICE):
        return CASE_CLOSED
    return None


def _network_consent(escalation: Escalation) -> Optional[object]:
    if policy.network_consent_stands(escalation.case):
        return None
    return _l("The consent for the supra-regional network has been withdrawn (and there is no legal ground): "
              "the network cannot continue with this escalation now.")


def _keep_step(step: Step) -> None:
    step.subject.steps.append(EscalationStep(name=step.name, from_status=step.source.value,
                                             to_status=step.target.value, actor_id=step.actor.id, at=step.now,
                                             reason=step.reason or ""))


ESCALATION = StateMachine(
    states=EscalationStatus,
    transitions=[
        Transition("send", _l("Escalate to the network"), frozenset({S.DRAFT}), S.SENT, policy.can_send_escalation,
                   guards=(case_not_closed, consent_missing, _age_for_sending),
                   done=_l("The case has been escalated to the network.")),
        Transition("accept", _l("Accept the escalation"), frozenset({S.SENT}), S.ACCEPTED,
                   policy.can_act_for_network, guards=(_network_consent, _involvement_age),
                   done=_l("You have accepted the escalation.")),
        Transition("decline", _l("Decline the escalation"), frozenset({S.SENT}), S.DECLINED,
                   policy.can_act_for_network, reason_required=True, done=_l("You have declined the escalation.")),
        Transition("start", _l("Start working on it"), frozenset({S.ACCEPTED}), S.IN_PROGRESS,
                   policy.can_act_for_network, guards=(_network_consent, _involvement_age),
                   done=_l("The network is working on the escalation.")),
        Transition("answer", _l("Answer the RET"), frozenset({S.IN_PROGRESS}), S.ANSWERED,
                   policy.can_act_for_network, guards=(_network_consent, _involvement_age),
                   done=_l("Your answer has been sent to the RET.")),
        Transition("close", _l("Close with a result"), frozenset({S.ANSWERED}), S.CLOSED,
                   policy.can_act_for_network, done=_l("The escalation has been closed.")),
        Transition("withdraw", _l("Withdraw the escalation"), frozenset({S.DRAFT, S.SENT, S.ACCEPTED, S.IN_PROGRESS}),
                   S.WITHDRAWN, policy.can_withdraw_escalation, reason_required=True,
                   done=_l("The escalation has been withdrawn.")),
    ],
    state_of=lambda escalation: escalation.status,
    set_state=lambda escalation, state: setattr(escalation, "status", state.value),
    messages=Messages(
        not_possible=_l("This step is not possible for the escalation as it stands now."),
        not_allowed=_l("You may not take this step for this escalation."),
        reason_needed=_l("Give a reason."),
        reason_field="reason",
    ),
    after=(_keep_step,),
)

# Waiting for the network's answer: the watchdog's states (an expected date that can pass).
AWAITING_ANSWER = ESCALATION.sources("accept", "start", "answer")
# The network may send advice or questions (and the RET reply) while it works on it.
EXCHANGE_OPEN = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ANSWERED})
FOLLOW_UP = AWAITING_ANSWER  # reminders and new expected dates
FINAL = frozenset({S.DECLINED, S.CLOSED, S.WITHDRAWN})
OPEN = frozenset(S) - FINAL
