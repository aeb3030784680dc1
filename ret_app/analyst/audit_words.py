"""The audit trail's words for the analyst's reads (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key

WORDS = {
    "aggregates": {
        "kind": Key(_l("Period")),
        "year": Key(_l("Year")),
        "municipality": Key(_l("Municipality (id)")),
        "care_type": Key(_l("Care type")),
    },
}
NAMES = {"aggregates": _l("aggregates of the region")}
