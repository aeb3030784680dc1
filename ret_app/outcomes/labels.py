"""The words for the outcome's stored codes."""

from flask_babel import lazy_gettext as _l

RESULT_LABELS = {
    "realised": _l("Fitting help realised"),
    "partly_realised": _l("Fitting help partly realised"),
    "not_realised": _l("Fitting help not realised"),
    "returned_with_advice": _l("Returned to the access team with advice"),
    "aged_out_or_moved": _l("The youth turned 23 or moved away"),
}

RESULT_BADGES = {"realised": "ok", "partly_realised": "warning", "not_realised": "error",
                 "returned_with_advice": "neutral", "aged_out_or_moved": "neutral"}

PLACEMENT_RESULT_LABELS = {
    "prevented": _l("Placement prevented"),
    "carried_out": _l("Placement carried out"),
    "other": _l("Other"),
}
