"""The audit trail's details of mandates in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key

WORDS = {
    "mandate": {
        "holder": Key(_l("Mandate holder (user)")),
        "municipality": Key(_l("Municipality")),
        "revoked": _l("revoked"),
    },
    "mandate_list": {"own_mandates": _l("own mandates")},
}

NAMES = {"mandate": _l("Mandate"), "mandate_list": _l("Mandates")}
