"""A gap signal's lifecycle as data (one `StateMachine` of the kernel).

    new ──take_up──▶ in_progress ──address──▶ addressed ──close──▶ closed
                          ▲                        │
                          └────────reopen──────────┘
    new / in_progress ──dismiss──▶ closed (with a reason: nothing to do)

Every step is the chair's (of the signal's region). Taking a signal up needs its owner (purchasing or
policy) set first — with the same response, the owner is set before the step. Marking it addressed,
reopening and dismissing need a response saying why. Closing frees the signal's key: the rule may raise a
new signal for the same gap later (with cases the closed one did not hold)."""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.kernel.machine import Messages, StateMachine, Step, Transition
from ret_app.models import GapSignal, SignalStatus

S = SignalStatus

OWNER_FIRST = _l("Choose who takes the signal up (purchasing or policy) first.")


def _owner_set(signal: GapSignal) -> Optional[object]:
    return None if signal.owner else OWNER_FIRST


def _enter(step: Step) -> None:
    step.subject.status_changed_at = step.now


def _free_key(step: Step) -> None:
    step.subject.open_key = None


SIGNAL = StateMachine(
    states=SignalStatus,
    transitions=[
        Transition("take_up", _l("Take up"), frozenset({S.NEW}), S.IN_PROGRESS, policy.can_act_on_signal,
                   guards=(_owner_set,), done=_l("The signal is being taken up.")),
        Transition("address", _l("Mark as addressed"), frozenset({S.IN_PROGRESS}), S.ADDRESSED,
                   policy.can_act_on_signal, guards=(_owner_set,), reason_required=True,
                   done=_l("The signal is marked as addressed.")),
        Transition("reopen", _l("Back to in progress"), frozenset({S.ADDRESSED}), S.IN_PROGRESS,
                   policy.can_act_on_signal, reason_required=True, done=_l("The signal is in progress again.")),
        Transition("close", _l("Close"), frozenset({S.ADDRESSED}), S.CLOSED, policy.can_act_on_signal,
                   done=_l("The signal has been closed.")),
        Transition("dismiss", _l("Close without action"), frozenset({S.NEW, S.IN_PROGRESS}), S.CLOSED,
                   policy.can_act_on_signal, reason_required=True, done=_l("The signal has been closed.")),
    ],
    state_of=lambda signal: signal.status,
    set_state=lambda signal, state: setattr(signal, "status", state.value),
    messages=Messages(
        not_possible=_l("This step is not possible for the signal as it stands now."),
        not_allowed=_l("Only the chair of the region acts on its signals."),
        reason_needed=_l("Write a response saying why."),
        reason_field="text",
    ),
    on_enter={S.CLOSED: (_free_key,)},
    after=(_enter,),
)

OPEN = frozenset(SignalStatus) - SIGNAL.targets("close", "dismiss")
