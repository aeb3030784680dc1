"""The audit trail's details of learning vignettes in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import STATUS_CHANGE, Key, form_labels, transition_labels
from ret_app.vignettes.forms import TextForm, WithdrawForm
from ret_app.vignettes.lifecycle import STATUS_LABELS, VIGNETTE

WORDS = {
    "case": {"vignette": _l("generating a learning vignette")},  # the case opened to generate one (case_or_404)
    "vignette": {
        "generated": _l("vignette generated of the closed case"),
        "replaced": Key(_l("Values replaced by the scrubber")),
        "step": Key(_l("Step"), {**transition_labels(VIGNETTE), "edit": _l("Text edited")}),
        STATUS_CHANGE: Key(_l("Status"), STATUS_LABELS),
        "status": Key(_l("Status"), STATUS_LABELS),
        "fields": Key(_l("Fields"), {**form_labels(TextForm), **form_labels(WithdrawForm)}, many=True),
        "not approved": _l("download refused: the vignette is not approved"),
        "pdf": _l("as a PDF"),
        "pack": _l("in a learning-session pack"),
        "size": Key(_l("Vignettes in the pack")),
        "list": _l("the region's vignettes"),
        "pack choice": _l("choosing vignettes for a pack"),
        "pack refused": _l("pack refused: the choice was not valid"),
        "chosen": Key(_l("Vignettes chosen")),
        "conflict": _l("someone else changed it first"),
    },
}

NAMES = {"vignette": _l("Learning vignette")}
