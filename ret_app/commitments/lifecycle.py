"""A request's lifecycle as data (one `StateMachine` of the kernel).

    requested ──accept──▶ accepted ──start──▶ started ──end──▶ ended
        │                     └────────────end──────────────▶ ended
        ├──decline──▶ declined
        └──withdraw──▶ withdrawn

An accepted request is a commitment. Accepting and declining are the provider's (a member of the
requested organisation, while collective consent stands); withdrawing is the process director's (or
the chair's) while the request is open; starting and ending a commitment, either side's. Accepting and
starting need collective consent (or the recorded legal ground) for the case at that moment.
"""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.kernel.machine import Messages, StateMachine, Transition
from ret_app.models import ProviderRequest, RequestStatus

S = RequestStatus

NO_CONSENT = _l("There is no consent for the collective (or recorded legal ground) for this case any more.")


def consent_stands(request: ProviderRequest) -> Optional[object]:
    return None if request.case.consent_collective else NO_CONSENT


REQUEST = StateMachine(
    states=RequestStatus,
    transitions=[
        Transition("accept", _l("Accept the request"), frozenset({S.REQUESTED}), S.ACCEPTED, policy.can_answer_request,
                   guards=(consent_stands,), done=_l("You have accepted the request.")),
        Transition("decline", _l("Decline the request"), frozenset({S.REQUESTED}), S.DECLINED, policy.can_answer_request,
                   done=_l("You have declined the request.")),
        Transition("withdraw", _l("Withdraw"), frozenset({S.REQUESTED}), S.WITHDRAWN, policy.can_withdraw_request,
                   done=_l("The request has been withdrawn.")),
        Transition("start", _l("Help has started"), frozenset({S.ACCEPTED}), S.STARTED, policy.can_run_commitment,
                   guards=(consent_stands,), done=_l("The start of the commitment has been recorded.")),
        Transition("end", _l("End the commitment"), frozenset({S.ACCEPTED, S.STARTED}), S.ENDED,
                   policy.can_run_commitment, done=_l("The end of the commitment has been recorded.")),
    ],
    state_of=lambda request: request.status,
    set_state=lambda request, state: setattr(request, "status", state.value),
    messages=Messages(
        not_possible=_l("This step is not possible for the request as it stands now."),
        not_allowed=_l("You may not take this step for this request."),
        reason_needed=_l("Give a reason."),
    ),
)

OPEN = REQUEST.sources("accept")  # answerable: waiting for the provider
COMMITMENTS = frozenset({S.ACCEPTED, S.STARTED, S.ENDED})
RUNNING = REQUEST.sources("end")  # commitments that still hold
