"""The words for re-referral codes."""

from flask_babel import lazy_gettext as _l

BASIS_LABELS = {
    "bsn": _l("same BSN"),
    "name": _l("possibly the same youth"),
}
BASIS_EXPLAINED = {
    "bsn": _l("Both cases carry the same BSN."),
    "name": _l("Same first name, last name and date of birth; no BSN to compare."),
}
LINK_STATUS_LABELS = {
    "suggested": _l("waiting for your decision"),
    "confirmed": _l("confirmed re-referral"),
    "dismissed": _l("dismissed: not the same youth"),
}
