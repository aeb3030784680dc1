"""The audit trail's details of the user's own account in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key

WORDS = {
    "user": {
        "other_sessions_ended": Key(_l("Other sessions ended")),
        "recovery_codes_replaced": _l("new recovery codes made"),
    },
    "web_session": {"ended_by_user": _l("ended by the user")},
}

NAMES = {"web_session": _l("Browser session")}
