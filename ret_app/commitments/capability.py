"""Requests and commitments as a capability: the case's requests page (with suggestions), one request,
a provider member's lists, the case header's crisis back-up, the case panel, the start-page cards
(a provider member's waiting requests and commitments; requests past their reply-by date for the chair
and process directors), timeline labels and the expected access of every route."""

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.cases import timeline
from ret_app.commitments import audit_words, cards, deadlines  # noqa: F401  (reply-by dates registered as due dates)
from ret_app.commitments import routes, services  # noqa: F401  (views and subscribers registered)
from ret_app.commitments.blueprint import bp
from ret_app.expected import CASE_ROLES
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

PROVIDER_MEMBER = frozenset({"provider_member"})

TIMELINE_LABELS = {
    "request_made": _l("Provider asked"),
    "request_accepted": _l("Request accepted"),
    "request_declined": _l("Request declined"),
    "request_withdrawn": _l("Request withdrawn"),
    "commitment_started": _l("Commitment started"),
    "commitment_ended": _l("Commitment ended"),
}
# A provider member who is a participant of the case reads its own requests on the requests panel,
# not the timeline's entries naming the other providers asked and their answers.
timeline.restrict(TIMELINE_LABELS, policy.reads_every_request_of)

capability = (
    Capability("commitments")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("commitments.waiting", _l("Requests"), Permission.KEEP_PROVIDER_PROFILE, "commitments.", order=54)
    .case_panel("crisis_backup", "commitments/_case_header.html", cards.case_header, slot="header", order=10)
    .case_panel("requests", "commitments/_case_panel.html", cards.case_panel, slot="work", order=20)
    .start_card("provider_requests", "commitments/_start_provider.html", cards.provider_card, order=24)
    .start_card("past_reply_by", "commitments/_start_past_reply_by.html", cards.past_reply_by_card, order=26)
    .timeline_labels(TIMELINE_LABELS)
    .expected_access({
        "commitments.case_requests": CASE_ROLES,
        "commitments.suggestions_list": CASE_ROLES,
        "commitments.request_page": CASE_ROLES,
        "commitments.request_withdraw": CASE_ROLES,
        "commitments.commitment_start": CASE_ROLES,
        "commitments.commitment_end": CASE_ROLES,
        "commitments.waiting": PROVIDER_MEMBER,
        "commitments.my_commitments": PROVIDER_MEMBER,
    })
)
