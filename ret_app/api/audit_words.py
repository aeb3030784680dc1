"""The audit trail's details of the monitor API in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key

REASONS = {
    "missing": _l("no token sent"),
    "malformed": _l("not a bearer token"),
    "unknown": _l("unknown token"),
    "revoked": _l("revoked token"),
    "expired": _l("expired token"),
    "organisation_inactive": _l("organisation inactive or without a region"),
}

WORDS = {
    "api_token": {
        "organisation": Key(_l("Organisation")),
        "expires": Key(_l("Valid until")),
        "replaces": Key(_l("Renews token")),
        "replaced_by": Key(_l("Renewed by token")),
        "revoked": _l("revoked"),
    },
    "api_call": {
        "route": Key(_l("Endpoint")),
        "region": Key(_l("Region")),
        "period": Key(_l("Period"), {"month": _l("month"), "quarter": _l("quarter"), "year": _l("year")}),
        "from": Key(_l("From")),
        "to": Key(_l("To")),
        "municipality": Key(_l("Municipality (CBS code)")),
        "care_type": Key(_l("Care type (code)")),
        "category": Key(_l("Gap category (code)")),
        "reason": Key(_l("Refused because"), REASONS),
        "invalid": Key(_l("Invalid parameters"), many=True),
        "not_found": Key(_l("Not found")),
    },
}

NAMES = {
    "api_token": _l("API token of the monitor"),
    "api_call": _l("Call of the monitor API"),
}
