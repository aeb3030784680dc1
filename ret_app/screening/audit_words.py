"""The audit trail's details of the integrated screening in words (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key, form_labels
from ret_app.labels import DOMAIN_LABELS
from ret_app.screening.forms import AddendumForm, AnalysisForm, ContributionForm, InviteForm, ViewsForm

WORDS = {
    "case": {
        # The parts of the screening that were opened (case_or_404's detail).
        "screening": _l("screening"),
        "screening_contribution": _l("contribution to the screening"),
        "screening_texts": _l("the process director's texts"),
        "screening_finalise": _l("finalise the screening"),
        "screening_addendum": _l("addendum to the screening"),
        "screening_report": _l("screening report"),
        "unavailable": _l("not available yet"),
        "participant_invite": _l("invite a participant"),
        "participant_remove": _l("remove a participant"),
    },
    "screening": {
        "fields": Key(_l("Fields"), {**form_labels(ViewsForm), **form_labels(AnalysisForm)}, many=True),
        "finalised": _l("finalised"),
    },
    "screening_contribution": {
        "domain": Key(_l("Life domain"), DOMAIN_LABELS),
        "fields": Key(_l("Fields"), form_labels(ContributionForm), many=True),
    },
    "screening_addendum": {"fields": Key(_l("Fields"), form_labels(AddendumForm), many=True)},
    "screening_report": {"finalised": _l("finalised"), "concept": _l("draft, not finalised")},
    "case_participant": {"fields": Key(_l("Fields"), form_labels(InviteForm), many=True)},
}

NAMES = {
    "screening": _l("Screening"),
    "screening_contribution": _l("Contribution to the screening"),
    "screening_addendum": _l("Addendum to the screening"),
    "screening_report": _l("Screening report"),
}
