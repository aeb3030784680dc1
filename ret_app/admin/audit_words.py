"""The audit trail's details of functional management in words (ret_app/audit_words.py): users,
reference data, region norms and the audit search itself."""

from flask_babel import lazy_gettext as _l

from ret_app.admin.forms import AuditSearchForm, MunicipalityForm, NetworkForm, OrganisationForm, RegionForm, UserForm
from ret_app.audit_words import Key, form_labels
from ret_app.labels import CLOCK_LABELS, ROLE_LABELS


def _fields(form) -> Key:
    return Key(_l("Fields"), form_labels(form), many=True)


WORDS = {
    "user": {
        "role": Key(_l("Role"), ROLE_LABELS),
        "fields": _fields(UserForm),
        "activation_link_issued": _l("activation link issued"),
        "deactivated": _l("deactivated"),
        "reactivated": _l("reactivated"),
        "2fa_reset_by_admin": _l("second factor reset by an administrator"),
    },
    "network": {"fields": _fields(NetworkForm)},
    "region": {"fields": _fields(RegionForm)},
    "municipality": {"fields": _fields(MunicipalityForm)},
    "organisation": {"fields": _fields(OrganisationForm)},
    # The norms by the clocks they set (the form's labels carry commas, which a list cannot).
    "region_norms": {"fields": Key(_l("Norms"), {**CLOCK_LABELS,
                                                 "first_session_crisis": _l("First RET session in a crisis"),
                                                 "request_reply_days": _l("Reply to a provider request"),
                                                 "request_reply_days_crisis": _l(
                                                     "Reply to a provider request in a crisis"),
                                                 "capacity_stale_days": _l("Capacity stale after (days)"),
                                                 "signal_threshold": _l("Cases that raise a gap signal"),
                                                 "signal_window_months": _l("Window of a gap signal (months)"),
                                                 "access_log_shows_names": _l("Staff names in the family's access log"),
                                                 "retention_years": _l("Retention in years")},
                                   many=True)},
    "audit_event": {"filters": Key(_l("Filters"), form_labels(AuditSearchForm), many=True)},
}

NAMES = {
    "network": _l("Supra-regional network"),
    "region": _l("Region"),
    "municipality": _l("Municipality"),
    "organisation": _l("Organisation"),
    "region_norms": _l("Norms of a region"),
    "audit_event": _l("Audit trail"),
}
