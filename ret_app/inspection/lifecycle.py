"""An inspection request's lifecycle as data (one `StateMachine` of the kernel).

    received ──check──▶ checked (the right stands)    ──hand_over──▶ handed_over
    received ──check──▶ refused (the rule named)

`check` applies the age rules on the received date (rights.check): its target is decided at that
moment. Only the chair of the case's region takes a step.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.inspection import rights
from ret_app.kernel.machine import Messages, StateMachine, Step, Transition
from ret_app.models import InspectionRequest, InspectionStatus

S = InspectionStatus


def _chair(user, request: InspectionRequest) -> bool:
    return policy.is_chair_of(user, request.case)


def verdict(request: InspectionRequest) -> rights.Verdict:
    return rights.check(request.case, request.requester_kind, request.family_member, request.received_on,
                        request.youth_objects)


def _checked_target(request: InspectionRequest):
    return S.CHECKED if verdict(request).allowed else S.REFUSED


def _checked(step: Step) -> None:
    step.subject.rule = verdict(step.subject).rule
    step.subject.checked_at = step.now


def _handed_over(step: Step) -> None:
    step.subject.handed_over_on = step.today
    step.subject.handed_over_by_id = step.actor.id


INSPECTION = StateMachine(
    states=InspectionStatus,
    transitions=[
        Transition("check", _l("Check the right"), frozenset({S.RECEIVED}), _checked_target, _chair,
                   done=_l("The right of inspection has been checked."), on_enter=(_checked,)),
        Transition("hand_over", _l("Record the handing over"), frozenset({S.CHECKED}), S.HANDED_OVER, _chair,
                   done=_l("The handing over of the inspection copy has been recorded."), on_enter=(_handed_over,)),
    ],
    state_of=lambda r: r.status,
    set_state=lambda r, state: setattr(r, "status", state.value),
    messages=Messages(not_possible=_l("This step is not possible for the request as it is now."),
                      not_allowed=_l("Only the chair of the region does this."),
                      reason_needed=_l("Give a reason.")),
)

STATUS_LABELS = {
    S.RECEIVED.value: _l("Received"),
    S.CHECKED.value: _l("Right checked"),
    S.HANDED_OVER.value: _l("Handed over"),
    S.REFUSED.value: _l("Refused"),
}
STATUS_BADGES = {S.RECEIVED.value: "warn", S.CHECKED.value: "warn", S.HANDED_OVER.value: "ok",
                 S.REFUSED.value: "neutral"}
