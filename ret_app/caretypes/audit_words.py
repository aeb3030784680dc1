"""The audit trail's details of the care-type catalogue in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key, form_labels
from ret_app.caretypes.forms import CareTypeEditForm

WORDS = {
    "care_type": {
        "region": Key(_l("Region")),
        "code": Key(_l("Code")),
        "fields": Key(_l("Fields"), form_labels(CareTypeEditForm), many=True),
        "retired": _l("no longer offered"),
        "reactivated": _l("offered again"),
    },
    "care_type_catalogue": {
        "region": Key(_l("Region")),
        "count": Key(_l("Care types added")),
    },
}

NAMES = {
    "care_type": _l("Care type"),
    "care_type_catalogue": _l("Care-type catalogue of a region"),
}
