"""Erasure and retention as a capability: the chair's (and the privacy officer's) pages, the start card, the
case page's panel, the nightly destruction-list job and the purge task (purge.py registers both)."""

from ret_app.erasure import audit_words, cards, labels
from ret_app.erasure import purge, routes  # noqa: F401  (views registered; the job and the task)
from ret_app.erasure.blueprint import bp
from ret_app.expected import PRIVACY
from ret_app.kernel.registry import Capability

capability = (
    Capability("erasure")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .start_card("erasure", "erasure/_start_card.html", cards.start_card, order=12)
    .start_card("erasure", "erasure/_hub.html", cards.hub_section, slot="privacy", order=30)
    .case_panel("erasure", "erasure/_case_panel.html", cards.case_panel, slot="details", order=95)
    .template_global("erasure_status_labels", labels.ERASURE_STATUS_LABELS)
    .template_global("requester_kind_labels", labels.REQUESTER_KIND_LABELS)
    .template_global("refusal_ground_labels", labels.REFUSAL_GROUND_LABELS)
    .template_global("destruction_status_labels", labels.DESTRUCTION_STATUS_LABELS)
    .expected_access({
        "erasure.case_privacy": PRIVACY, "erasure.request_record": PRIVACY, "erasure.hold_place": PRIVACY,
        "erasure.hold_lift": PRIVACY, "erasure.retention_extend": PRIVACY, "erasure.request_page": PRIVACY,
        "erasure.overview": PRIVACY, "erasure.list_page": PRIVACY, "erasure.entry_take_off": PRIVACY,
        "erasure.list_approve": PRIVACY,
    })
)
