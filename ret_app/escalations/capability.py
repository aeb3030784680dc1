"""Escalations as a capability: the escalation form and page of a case, the case panel with the whole
exchange, the start-page card of escalations without an answer past their date (the chair and process
directors), the expected answer date as a due date of the case held by the network, the case list's
"overdue escalation" filter, timeline labels and the expected access of every route; and the network
liaison's side: the list of escalations to their network ("Opschalingen"), one escalation with the
network's forms, and the start-page card of escalations waiting for the network."""

from flask_babel import lazy_gettext as _l

from ret_app.escalations import audit_words, cards, deadlines  # noqa: F401  (due source, holder and list flag registered)
from ret_app.escalations import liaison_routes, routes  # noqa: F401  (views registered)
from ret_app.escalations import liaison_queries
from ret_app.escalations.blueprint import bp
from ret_app.escalations.labels import (
    ESCALATION_STATUS_LABELS,
    MESSAGE_KIND_LABELS,
    QUESTION_KIND_LABELS,
    RESULT_LABELS,
    STATUS_BADGES,
    STEP_WORDS,
)
from ret_app.expected import CASE_ROLES, EVERYONE, NETWORK_LIAISON
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

ROUTES = ("escalations.escalation_form", "escalations.escalation_page", "escalations.escalation_remind",
          "escalations.escalation_new_date", "escalations.escalation_withdraw", "escalations.escalation_reply")
DOSSIER_ROUTES = ("escalations.dossier_pdf", "escalations.dossier_json")
# The network liaison's side: the list, one escalation and the network's forms.
NETWORK_ROUTES = ("escalations.network_list", "escalations.network_page", "escalations.network_step",
                  "escalations.network_director", "escalations.network_message", "escalations.network_answer",
                  "escalations.network_close")


def _network_card(user):
    """A liaison's start page: the escalations waiting for the network's answer."""
    from ret_app.policy import can

    return liaison_queries.waiting_for_network(user) if can(Permission.ANSWER_FOR_NETWORK, user) else None


capability = (
    Capability("escalations")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .case_panel("escalation", "escalations/_case_panel.html", cards.case_panel, slot="work", order=40)
    .start_card("overdue_escalations", "escalations/_start_overdue.html", cards.overdue_card, order=27)
    .start_card("network_escalations", "escalations/liaison/_start_card.html", _network_card, order=20)
    .nav("escalations.network_list", _l("Escalations"), Permission.ANSWER_FOR_NETWORK, "escalations.network_",
         order=30)
    .timeline_labels({
        "escalation_drafted": _l("Escalation to the network drafted"),
        "escalation_edited": _l("Draft escalation edited"),
        **{f"escalation_{name}": words for name, words in STEP_WORDS.items()},
        "escalation_director_assigned": _l("Network process director named"),
        "escalation_message_question": _l("Question of the network"),
        "escalation_message_advice": _l("Advice of the network"),
        "escalation_message_answer": _l("Answer of the network"),
        "escalation_message_reply": _l("The RET answered the network"),
        "escalation_reminder": _l("Network reminded of its answer"),
        "escalation_new_date": _l("New expected answer date of the network"),
    })
    .template_filter("escalation_status_label", lambda code: ESCALATION_STATUS_LABELS.get(code, code))
    .template_filter("escalation_badge", lambda code: STATUS_BADGES.get(code, "neutral"))
    .template_filter("question_kind_label", lambda code: QUESTION_KIND_LABELS.get(code, code or "—"))
    .template_filter("escalation_result_label", lambda code: RESULT_LABELS.get(code, code or "—"))
    .template_filter("message_kind_label", lambda code: MESSAGE_KIND_LABELS.get(code, code))
    .expected_access({endpoint: CASE_ROLES for endpoint in ROUTES})
    # The dossier serves both sides (the RET and the liaison of the escalation's network): every role passes
    # the door, the escalation itself decides (policy.can_view_escalation; 404 for everyone else).
    .expected_access({endpoint: EVERYONE for endpoint in DOSSIER_ROUTES})
    .expected_access({endpoint: NETWORK_LIAISON for endpoint in NETWORK_ROUTES})
)
