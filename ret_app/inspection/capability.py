"""Inspection and correction requests as a capability: the chair's pages from the case page, the case
panel (requests; addenda for everyone who sees the case), the inspection copy as an export job, the core
sections of the copy, timeline labels, audit words and the expected access of every route."""

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.cases import timeline
from ret_app.exports import registry as exports
from ret_app.expected import CHAIR
from ret_app.inspection import audit_words, cards, case_sections, copy  # noqa: F401  (sections registered)
from ret_app.inspection import hub, routes  # noqa: F401  (views registered)
from ret_app.inspection.blueprint import bp
from ret_app.inspection.forms import DECISION_LABELS, KIND_LABELS
from ret_app.inspection.lifecycle import STATUS_BADGES, STATUS_LABELS
from ret_app.inspection.sections import title as section_title
from ret_app.kernel.registry import Capability

# The requests are the chair's work; the RET side reads them on the timeline (the referrer and providers do
# not). An addendum corrects the file everyone who sees the case reads, so its entry is for all of them.
REQUEST_KINDS = {
    "inspection_recorded": _l("Inspection request recorded"),
    "inspection_checked": _l("Right of inspection checked"),
    "inspection_handed_over": _l("Inspection copy handed over"),
    "correction_recorded": _l("Correction request recorded"),
    "correction_decided": _l("Correction request decided"),
}
timeline.restrict(REQUEST_KINDS, policy.is_ret_side)

ROUTES = ("inspection.requests_page", "inspection.inspection_page", "inspection.inspection_step",
          "inspection.inspection_withheld", "inspection.correction_form", "inspection.correction_page")

exports.register(copy.KIND, copy.render, copy.may_request, copy.LABEL)

capability = (
    Capability("inspection")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .start_card("inspection", "inspection/_start_card.html", cards.start_card, order=13)
    .start_card("inspection", "inspection/_hub.html", hub.section, slot="privacy", order=20)
    .case_panel("inspection", "inspection/_case_panel.html", cards.case_panel, slot="work", order=95)
    .timeline_labels({**REQUEST_KINDS, "case_addendum": _l("Addendum to a finalised part")})
    .template_filter("inspection_status_label", lambda code: STATUS_LABELS.get(code, code))
    .template_filter("inspection_badge", lambda code: STATUS_BADGES.get(code, "neutral"))
    .template_filter("requester_kind_label", lambda code: KIND_LABELS.get(code, code))
    .template_filter("correction_decision_label", lambda code: DECISION_LABELS.get(code, code or "—"))
    .template_filter("inspection_section_title", section_title)
    .expected_access({endpoint: CHAIR for endpoint in ROUTES})
)
