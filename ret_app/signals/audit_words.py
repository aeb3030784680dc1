"""The audit trail's details of gap signals and the signal report in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import STATUS_CHANGE, Key, transition_labels
from ret_app.signals.labels import OWNER_LABELS, STATUS_LABELS
from ret_app.signals.lifecycle import SIGNAL

WORDS = {
    "gap_signal": {
        "region": Key(_l("Region")),
        "category": Key(_l("Gap category")),
        "care_type": Key(_l("Care type")),
        "cases": Key(_l("Cases")),
        "evidence": Key(_l("Evidence shown (rows)")),
        "evidence_added": Key(_l("Evidence added (rows)")),
        "step": Key(_l("Step"), transition_labels(SIGNAL)),
        STATUS_CHANGE: Key(_l("Status"), STATUS_LABELS),
        "owner": Key(_l("Who takes it up"), {**OWNER_LABELS, "-": _l("not chosen")}),
        "response": _l("with a response"),
    },
    "signal_report": {
        "period": Key(_l("Period")),
        "format": Key(_l("Format"), {"pdf": _l("as PDF"), "csv": _l("as CSV")}),
        "signals": Key(_l("Signals in it")),
    },
}

NAMES = {
    "gap_signal": _l("Gap signal"),
    "signal_report": _l("Gap signal report"),
}
