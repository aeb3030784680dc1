"""Referrals as a capability: blueprint, the case page's attachments panel, timeline labels and the
expected access of its routes."""

from flask_babel import lazy_gettext as _l

from ret_app import policy
from ret_app.expected import CASE_ROLES, CASEWORKER
from ret_app.kernel.registry import Capability
from ret_app.referrals import audit_words
from ret_app.referrals import attachments, routes  # noqa: F401  (views registered)
from ret_app.referrals.blueprint import bp


def _case_panel(case, user) -> dict:
    """Attachments (downloaded through the policy) and the way to the consent screen."""
    return {"type_labels": attachments.TYPE_LABELS, "human_size": attachments.human_size,
            "may_record_consent": policy.can_record_consent(user, case),
            "may_edit_referral": policy.can_edit_referral(user, case)}


capability = (
    Capability("referrals")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .case_panel("attachments", "referrals/_case_panel.html", _case_panel, slot="details", order=10)
    .timeline_labels({
        "referral_created": _l("Referral started"),
        "consent_recorded": _l("Consent recorded"),
        "consent_withdrawn": _l("Consent withdrawn"),
        "legal_ground_recorded": _l("Legal ground recorded"),
        "legal_ground_ended": _l("Legal ground ended"),
        "attachment_added": _l("Attachment added"),
        "attachment_removed": _l("Attachment removed"),
    })
    .expected_access({
        "referrals.referral_new": CASEWORKER,
        "referrals.referral_edit": CASEWORKER,
        "referrals.referral_submit": CASEWORKER,
        "referrals.family_add": CASEWORKER,
        "referrals.family_edit": CASEWORKER,
        "referrals.family_remove": CASEWORKER,
        "referrals.prior_help_add": CASEWORKER,
        "referrals.prior_help_remove": CASEWORKER,
        "referrals.consent_page": CASE_ROLES,
        "referrals.consent_withdraw": CASE_ROLES,
        "referrals.legal_ground_add": CASE_ROLES,
        "referrals.legal_ground_end": CASE_ROLES,
        "referrals.attachment_upload": CASEWORKER,
        "referrals.attachment_download": CASE_ROLES,
        "referrals.attachment_delete": CASEWORKER,
    })
)
