"""The audit trail's details of outcomes and the gap taxonomy in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key, form_labels
from ret_app.outcomes.forms import GapCategoryEditForm, OutcomeForm
from ret_app.outcomes.labels import RESULT_LABELS

WORDS = {
    "case": {"outcome": _l("outcome of the case")},  # the outcome page opened (case_or_404)
    "case_outcome": {
        "result": Key(_l("Outcome"), RESULT_LABELS),
        "help": Key(_l("Help arranged (rows)")),
        "gaps": Key(_l("Gaps met")),
        "categories": Key(_l("Gap categories"), many=True),
        "fields": Key(_l("Fields"), {**form_labels(OutcomeForm), "help": _l("Help arranged"),
                                     "gaps": _l("Gaps met")}, many=True),
    },
    "gap_category": {
        "region": Key(_l("Region")),
        "code": Key(_l("Code")),
        "fields": Key(_l("Fields"), form_labels(GapCategoryEditForm), many=True),
        "retired": _l("no longer in use"),
        "reactivated": _l("in use again"),
    },
    "gap_taxonomy": {
        "region": Key(_l("Region")),
        "count": Key(_l("Gap categories added")),
    },
}

NAMES = {
    "case_outcome": _l("Outcome of a case"),
    "gap_category": _l("Gap category"),
    "gap_taxonomy": _l("Gap taxonomy of a region"),
}
