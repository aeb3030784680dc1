"""The integrated screening as a capability: blueprint, the case page's screening panel, timeline
labels and the expected access of its routes."""

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.cases import lifecycle, participants
from ret_app.expected import CASE_ROLES
from ret_app.kernel.registry import Capability
from ret_app.models import CaseStatus
from ret_app.screening import audit_words
from ret_app.screening import routes, services  # noqa: F401  (views registered)
from ret_app.screening.blueprint import bp


def _case_panel(case, user) -> dict:
    """The screening's state and who takes part (shown once there is something to show)."""
    screening = services.get(case)
    active = participants.active(case)
    return {
        "screening": screening,
        "participants": [(p, participants.describe(p)) for p in active],
        "may_manage": policy.can_manage_participants(user, case) and participants.invitations_open(case),
        "shown": screening is not None or CaseStatus(case.status) not in lifecycle.BEFORE_TRACK or bool(active),
    }


capability = (
    Capability("screening")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .case_panel("screening", "screening/_case_panel.html", _case_panel, slot="work", order=10)
    .timeline_labels({
        "screening_started": _l("Screening started"),
        "screening_finalised": _l("Screening finalised"),
        "screening_addendum": _l("Addendum to the screening"),
    })
    .expected_access({
        "screening.screening_page": CASE_ROLES,
        "screening.screening_contribution_save": CASE_ROLES,
        "screening.screening_texts_save": CASE_ROLES,
        "screening.screening_finalise": CASE_ROLES,
        "screening.screening_addendum_add": CASE_ROLES,
        "screening.screening_report": CASE_ROLES,
        "screening.participant_invite": CASE_ROLES,
        "screening.participant_remove": CASE_ROLES,
    })
)
