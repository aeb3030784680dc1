"""The audit trail's details of requests and commitments in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key
from ret_app.commitments.lifecycle import REQUEST
from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES
from ret_app.labels import DECLINE_REASON_LABELS, REQUEST_ROLE_LABELS

WORDS = {
    "provider_request": {
        "provider": Key(_l("Provider (organisation)")),
        "role": Key(_l("Role on the case"), REQUEST_ROLE_LABELS),
        "care_type": Key(_l("Care type"), {d.code: d.name for d in DEFAULT_CARE_TYPES}),
        "reply_by": Key(_l("Reply by")),
        "step": Key(_l("Step"), {t.name: t.label for t in REQUEST.transitions}),
        "reason": Key(_l("Reason for declining"), DECLINE_REASON_LABELS),
    },
}

NAMES = {"provider_request": _l("Request to a provider")}
