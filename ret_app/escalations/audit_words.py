"""The audit trail's details of escalations in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import STATUS_CHANGE, Key, form_labels, transition_labels
from ret_app.escalations.forms import EscalationForm, NewDateForm, ReminderForm, ReplyForm, WithdrawForm
from ret_app.escalations.labels import ESCALATION_STATUS_LABELS, MESSAGE_KIND_LABELS, QUESTION_KIND_LABELS, RESULT_LABELS
from ret_app.escalations.lifecycle import ESCALATION

WORDS = {
    "case": {"escalation": _l("escalation to the network")},  # the escalation form opened (case_or_404)
    "escalation": {
        "step": Key(_l("Step"), {**transition_labels(ESCALATION), "edit": _l("Draft edited")}),
        STATUS_CHANGE: Key(_l("Status"), ESCALATION_STATUS_LABELS),
        "network": Key(_l("Network")),
        "question_kind": Key(_l("What is asked of the network"), QUESTION_KIND_LABELS),
        "tried": Key(_l("Items of the case named as tried")),
        "expected": Key(_l("Answer expected by")),
        "expected_from": Key(_l("Expected answer date before")),
        "expected_to": Key(_l("New expected answer date")),
        "result": Key(_l("Result"), RESULT_LABELS),
        "message": Key(_l("Message"), MESSAGE_KIND_LABELS),
        "side": Key(_l("Side"), {"ret": _l("the RET"), "network": _l("the network")}),
        "reminder": _l("reminder sent to the network"),
        "network_director": _l("network process director named"),
        "conflict": _l("someone else changed it first"),
        "dossier": Key(_l("Escalation dossier"), {"pdf": _l("as a PDF"), "json": _l("as a JSON document")}),
        "dossier unavailable": _l("escalation dossier asked for: none, the consent for the network does not stand"),
        "fields": Key(_l("Fields"), {**form_labels(EscalationForm), **form_labels(ReminderForm),
                                     **form_labels(NewDateForm), **form_labels(WithdrawForm),
                                     **form_labels(ReplyForm)}, many=True),
    },
}

NAMES = {"escalation": _l("Escalation to the network")}
