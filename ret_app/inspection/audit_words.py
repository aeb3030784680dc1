"""The audit trail's details of inspection and correction requests in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key
from ret_app.inspection.forms import DECISION_LABELS, KIND_LABELS
from ret_app.inspection.lifecycle import STATUS_LABELS
from ret_app.inspection.rights import RULES

WORDS = {
    "case": {
        "inspection": _l("inspection requests"),
        "correction": _l("correction request"),
    },
    "inspection_request": {
        "status": Key(_l("Status"), STATUS_LABELS),
        "kind": Key(_l("Who asks"), KIND_LABELS),
        "rule": Key(_l("Rule"), RULES),
        "withheld": Key(_l("Parts withheld")),
        "inspection_copy": _l("inspection copy made"),
    },
    "correction_request": {
        "section": Key(_l("Part of the file")),
        "decision": Key(_l("Decision"), DECISION_LABELS),
    },
    "case_addendum": {
        "section": Key(_l("Part of the file")),
        "correction": Key(_l("Correction request (id)")),
    },
}
NAMES = {"inspection_request": _l("inspection request"), "correction_request": _l("correction request"),
         "case_addendum": _l("addendum")}
