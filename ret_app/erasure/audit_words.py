"""The audit details of erasure and retention, in words (ret_app/erasure/events.py writes them)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key

_REQUESTER = {"youth": _l("The youth"), "parent": _l("A parent"), "guardian": _l("A guardian"),
              "other": _l("Someone else")}
_WHY = {"request": _l("on request"), "retention": _l("past retention (destruction list)")}

WORDS = {
    "erasure_request": {"requester": Key(_l("Who asks"), _REQUESTER), "due_on": Key(_l("Decide before")),
                        "granted": _l("Granted: erased"), "refused": _l("Refused"),
                        "ground": Key(_l("Legal ground"))},
    "case": {"why": Key(_l("Why"), _WHY), "rows": Key(_l("Rows removed or emptied")),
             "files": Key(_l("Files removed"))},
    "legal_hold": {"placed": _l("Legal hold placed"), "lifted": _l("Legal hold lifted")},
    "retention": {"retain_until": Key(_l("Kept until")), "extended": Key(_l("Extended"))},
    "destruction_list": {"region": Key(_l("Region")), "added": Key(_l("Cases added")),
                         "approved": _l("Approved"), "cases": Key(_l("Cases")), "done": _l("Done")},
    "destruction_entry": {"list": Key(_l("Destruction list")), "taken_off": _l("Taken off the list")},
    "erasure_overview": {},
}
NAMES = {"erasure_request": _l("Erasure request"), "legal_hold": _l("Legal hold"), "retention": _l("Retention"),
         "destruction_list": _l("Destruction list"), "destruction_entry": _l("Destruction list entry"),
         "erasure_overview": _l("Retention and erasure")}
