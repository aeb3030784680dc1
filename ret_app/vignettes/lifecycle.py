"""A vignette's lifecycle as data (one `StateMachine` of the kernel).

    draft ──approve──▶ approved
    draft / approved ──withdraw──▶ withdrawn (with a reason)

Only the chair of the vignette's region takes a step. Approving needs a text (an emptied draft is not
approved); only a draft is edited. A withdrawn vignette is kept (who, when, why) and the case may get a new
one.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.kernel.machine import Messages, StateMachine, Step, Transition
from ret_app.models import LearningVignette, VignetteStatus

S = VignetteStatus


def _chair(user, vignette: LearningVignette) -> bool:
    return policy.can_keep_vignette(user, vignette)


def _has_text(vignette: LearningVignette):
    return None if vignette.text.strip() and vignette.title.strip() else _l(
        "A vignette needs a title and a text before it is approved.")


def _approved(step: Step) -> None:
    step.subject.approved_at = step.now
    step.subject.approved_by_id = step.actor.id


def _withdrawn(step: Step) -> None:
    step.subject.withdrawn_at = step.now
    step.subject.withdrawn_by_id = step.actor.id
    step.subject.withdraw_reason = step.reason


VIGNETTE = StateMachine(
    states=VignetteStatus,
    transitions=[
        Transition("approve", _l("Approve"), frozenset({S.DRAFT}), S.APPROVED, _chair, guards=(_has_text,),
                   done=_l("The vignette has been approved: the RET can read and download it now."),
                   on_enter=(_approved,)),
        Transition("withdraw", _l("Withdraw"), frozenset({S.DRAFT, S.APPROVED}), S.WITHDRAWN, _chair,
                   reason_required=True, done=_l("The vignette has been withdrawn."), on_enter=(_withdrawn,)),
    ],
    state_of=lambda v: v.status,
    set_state=lambda v, state: setattr(v, "status", state.value),
    messages=Messages(not_possible=_l("This step is not possible for the vignette as it is now."),
                      not_allowed=_l("Only the chair of the region does this."),
                      reason_needed=_l("Say why the vignette is withdrawn."), reason_field="reason"),
)

STATUS_LABELS = {
    S.DRAFT.value: _l("Draft"),
    S.APPROVED.value: _l("Approved"),
    S.WITHDRAWN.value: _l("Withdrawn"),
}
STATUS_BADGES = {S.DRAFT.value: "warn", S.APPROVED.value: "ok", S.WITHDRAWN.value: "neutral"}
