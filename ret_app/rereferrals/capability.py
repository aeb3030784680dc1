"""Re-referral as a capability: the panel of earlier cases on the case page and the intake page, the
chair's start-page card of undecided matches, the decision route, timeline labels (the RET side reads
them) and audit words; the suggestions follow the case's lifecycle (services.py subscribes)."""

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.cases import timeline
from ret_app.expected import CHAIR
from ret_app.kernel.registry import Capability
from ret_app.rereferrals import audit_words, cards
from ret_app.rereferrals import routes, services  # noqa: F401  (views registered; the lifecycle subscriber)
from ret_app.rereferrals.blueprint import bp
from ret_app.rereferrals.labels import BASIS_EXPLAINED, BASIS_LABELS, LINK_STATUS_LABELS

# The chair's work on the later case: what was found, what was dismissed.
CHAIR_KINDS = {
    "rereferral_suggested": _l("Possible earlier case of the same youth found"),
    "rereferral_dismissed": _l("Earlier case dismissed: not the same youth"),
}
# The RET side of both cases: the confirmed link.
RET_KINDS = {
    "rereferral_confirmed": _l("Re-referral confirmed: earlier case of the same youth"),
    "rereferred_later": _l("The youth was referred again"),
    "rereferred_later_undone": _l("Link to the later referral dismissed"),
}
timeline.restrict(CHAIR_KINDS, policy.can_decide_rereferral)
timeline.restrict(RET_KINDS, policy.is_ret_side)

capability = (
    Capability("rereferrals")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .case_panel("rereferrals", "rereferrals/_panel.html", cards.case_panel, slot="work", order=5)
    .case_panel("rereferrals", "rereferrals/_panel.html", cards.intake_panel, slot="intake", order=5)
    .start_card("rereferrals", "rereferrals/_start_card.html", cards.start_card, order=15)
    .timeline_labels({**CHAIR_KINDS, **RET_KINDS})
    .template_global("rereferral_basis_labels", BASIS_LABELS)
    .template_global("rereferral_basis_explained", BASIS_EXPLAINED)
    .template_global("rereferral_status_labels", LINK_STATUS_LABELS)
    .expected_access({"rereferrals.decide": CHAIR})
)
