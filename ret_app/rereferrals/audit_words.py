"""The audit trail's details of re-referrals in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key
from ret_app.rereferrals.labels import BASIS_LABELS

WORDS = {
    "case": {
        "rereferral": _l("decision on an earlier case of the same youth"),
    },
    "case_link": {
        "suggested": _l("earlier case of the same youth suggested"),
        "confirmed": _l("confirmed as a re-referral"),
        "dismissed": _l("dismissed: not the same youth"),
        "no_longer_matches": _l("suggestion withdrawn: the youth's data no longer match"),
        "basis": Key(_l("Found by"), BASIS_LABELS),
        "earlier_case": Key(_l("Earlier case (id)")),
    },
}
NAMES = {"case_link": _l("link to an earlier case")}
