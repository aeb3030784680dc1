"""The words for the plan's stored codes (goal status, whose words, does the help fit)."""

from flask_babel import lazy_gettext as _l

GOAL_STATUS_LABELS = {
    "open": _l("open"),
    "reached": _l("reached"),
    "partly": _l("partly reached"),
    "dropped": _l("dropped"),
}

# Whose words a goal is in.
VOICE_LABELS = {
    "youth": _l("the youth"),
    "parents": _l("the parent(s)"),
    "family": _l("the family together"),
    "professionals": _l("the professionals"),
}

HELP_FITS_LABELS = {
    "yes": _l("Yes"),
    "partly": _l("Partly"),
    "no": _l("No"),
}

# The badge colour of a goal status (the words carry the meaning; the colour only repeats it).
GOAL_STATUS_BADGES = {"open": "neutral", "reached": "ok", "partly": "warn", "dropped": "neutral"}
HELP_FITS_BADGES = {"yes": "ok", "partly": "warn", "no": "bad"}
