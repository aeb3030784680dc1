"""The audit trail's details of the referral in words (ret_app/audit_words.py): the parts of the
referral that were opened or changed, the changed fields with the forms' labels, consent and
legal grounds, attachments."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import YES_NO, Key, form_labels
from ret_app.labels import ATTACHMENT_TYPE_LABELS, CONSENT_FORM_LABELS, GIVEN_BY_ROLE_LABELS, SCOPE_LABELS
from ret_app.referrals.forms import FamilyMemberForm, ReferralForm


def file_size(value: str):
    """A size in bytes in words: "12 kB"."""
    if not value.isdigit():
        return None
    size = int(value)
    return f"{size} B" if size < 1024 else (f"{size // 1024} kB" if size < 1024 * 1024 else
                                              f"{size / (1024 * 1024):.1f} MB")


SCOPE = Key(_l("For"), SCOPE_LABELS)

WORDS = {
    "case": {
        "referral_concept": _l("referral started as a concept"),
        "referral": _l("referral"),
        "fields": Key(_l("Fields"), form_labels(ReferralForm), many=True),
        # The parts of the referral that were opened to be changed (case_or_404's detail).
        "referral_save": _l("save the referral"),
        "referral_submit": _l("submit the referral"),
        "family_member": _l("family member"),
        "family_add": _l("add a family member"),
        "family_edit": _l("change a family member"),
        "family_remove": _l("remove a family member"),
        "prior_help_add": _l("add help tried before"),
        "prior_help_remove": _l("remove help tried before"),
        "consent": _l("consent page"),
        "consent_record": _l("record consent"),
        "consent_withdraw": _l("withdraw consent"),
        "legal_ground_add": _l("record a legal ground"),
        "legal_ground_end": _l("end a legal ground"),
        "attachment": _l("attachment"),
        "attachment_upload": _l("add an attachment"),
        "attachment_delete": _l("remove an attachment"),
    },
    "family_member": {
        "authority": Key(_l("Holds parental authority"), YES_NO),
        "fields": Key(_l("Fields"), form_labels(FamilyMemberForm), many=True),
    },
    "consent": {
        "scope": SCOPE,
        "role": Key(_l("Given by"), GIVEN_BY_ROLE_LABELS),
        "form": Key(_l("Form"), CONSENT_FORM_LABELS),
        "withdrawn": _l("withdrawn"),
    },
    "legal_ground": {"scope": SCOPE, "ended": _l("ended")},
    "attachment": {
        "type": Key(_l("File type"), ATTACHMENT_TYPE_LABELS),
        "size": Key(_l("Size"), file_size),
        "download": _l("downloaded"),
        # Why a stored file could not be served (attachments.AttachmentMissing).
        "file not found": _l("the stored file is missing"),
        "checksum mismatch": _l("the stored file has been altered"),
        "malformed storage key": _l("the stored file's key is not valid"),
    },
}

NAMES = {
    "family_member": _l("Family member"),
    "prior_help": _l("Help tried before"),
    "consent": _l("Consent"),
    "legal_ground": _l("Legal ground"),
    "attachment": _l("Attachment"),
}
