"""The audit trail's words for the reflection report's reads (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key

WORDS = {
    "reflection_report": {
        "region": Key(_l("Region (id)")),
        "period": Key(_l("Period")),
    },
}
NAMES = {"reflection_report": _l("reflection report")}
