"""The audit trail's details of the collective in words (ret_app/audit_words.py): profiles, contact
persons and capacity entries."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key, form_labels
from ret_app.collective.forms import CapacityForm, ContactForm, ProfileForm
from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES

PROVIDER = Key(_l("Provider (organisation)"))

WORDS = {
    "provider_profile": {"fields": Key(_l("Fields"), form_labels(ProfileForm), many=True)},
    "provider_contact": {"provider": PROVIDER, "fields": Key(_l("Fields"), form_labels(ContactForm), many=True)},
    "capacity_entry": {
        "provider": PROVIDER,
        # The default catalogue's names (a region may have renamed one; the code is what is stored).
        "care_type": Key(_l("Care type"), {d.code: d.name for d in DEFAULT_CARE_TYPES}),
        "fields": Key(_l("Fields"), form_labels(CapacityForm), many=True),
        "confirmed": _l("values confirmed unchanged"),
    },
}

NAMES = {
    "provider_profile": _l("Provider profile"),
    "provider_contact": _l("Contact person of a provider"),
    "capacity_entry": _l("Capacity register"),
}
