"""The audit trail's words for the privacy pages' reads and the case search's hits (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key

WORDS = {
    "access_log": {"filters": Key(_l("Filters"), {
        "kind": _l("Kind of action"), "who": _l("Person or organisation"), "date_from": _l("From"),
        "date_to": _l("Until")}, many=True),
        "lookup": Key(_l("Looked up by"), {"reference": _l("case reference")})},
    "access_log_family": {"names": Key(_l("Staff names"), {"yes": _l("shown"), "no": _l("left out")})},
}
NAMES = {
    "access_log": _l("access log"),
    "access_log_family": _l("access log for the family"),
    "privacy_hub": _l("privacy hub"),
    "processing_register": _l("register of processing"),
    "case_search_hit": _l("search hit"),
}
