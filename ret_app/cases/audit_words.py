"""The audit trail's details of the case core in words (ret_app/audit_words.py): lifecycle steps
with the case machine's labels, statuses, the case list's filters, participants."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import STATUS_CHANGE, YES_NO, Key, transition_labels
from ret_app.cases.lifecycle import CASE
from ret_app.labels import CASE_STATUS_LABELS

STEP = Key(_l("Step"), transition_labels(CASE))
PARTICIPANT_ROLES = {"ret_member": _l("RET member"), "provider": _l("Provider")}
CASE_LIST_FILTERS = {
    "status": _l("Status"),
    "municipality_id": _l("Municipality"),
    "track": _l("Track"),
    "urgency": _l("Urgency"),
    "q": _l("Reference or name"),
    "overdue": _l("Only overdue"),
    "due_kind": _l("Next due"),
    "mine": _l("Only my cases"),
    "flag": _l("Signal"),
}

WORDS = {
    "case": {
        "transition": STEP,  # the step taken (CaseTransitioned)
        "step": STEP,  # the step asked for (the step route's read)
        STATUS_CHANGE: Key(_l("Status"), CASE_STATUS_LABELS),
        "case_page": _l("case page"),
        "intake": _l("intake decision page"),
        # The nightly consent-age refresh (ConsentAgeRuleApplied).
        "consent_age": Key(_l("Age rule for consent"), {
            "12": _l("12 to 15: the youth and the holders of parental authority"),
            "16": _l("16 and over: the youth alone"),
        }),
        "consent_ret": Key(_l("Consent for the RET stands"), YES_NO),
        "consent_collective": Key(_l("Consent for the collective stands"), YES_NO),
        "consent_network": Key(_l("Consent for the supra-regional network stands"), YES_NO),
    },
    "case_participant": {
        "invited": _l("invited"),
        "removed": _l("removed"),
        "role": Key(_l("Role"), PARTICIPANT_ROLES),
    },
    "case_list": {"filters": Key(_l("Filters"), CASE_LIST_FILTERS, many=True)},
    "intake_queue": {"filters": Key(_l("Filters"), {"overdue": _l("Only overdue")}, many=True)},
}

NAMES = {
    "case": _l("Case"),
    "case_participant": _l("Participant"),
    "case_list": _l("Case list"),
    "intake_queue": _l("Intake queue"),
}
