"""The audit trail's details of export jobs in words (ret_app/audit_words.py). The params of a kind
(ids, dates, codes) are shown as stored."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key
from ret_app.exports import registry
from ret_app.exports.labels import STATUS_LABELS


def _kind(code: str):
    kind = registry.find(code)
    return kind.label if kind is not None else None


WORDS = {
    "export_job": {
        "kind": Key(_l("Kind of export"), _kind),
        "status": Key(_l("Status"), STATUS_LABELS),
        "size": Key(_l("Size (bytes)")),
        "error": Key(_l("Error (type)")),
        "refused": _l("refused by the export's own rule"),
        "expired": _l("expired: the file was removed"),
        "not_available": _l("not available"),
        "bad_params": _l("the request did not name what to export"),
    },
}
NAMES = {"export_job": _l("export job")}
