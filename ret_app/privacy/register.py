"""The register of processing (GDPR art. 30): one data structure, shown on the privacy officer's page
(`/privacy/verwerkingsregister`) and written out in docs/processing-register.md.

Every personal-data column of the models is either in a category below or excused with a reason
(`EXCUSED`); `tests/test_processing_register.py` finds the String/Text columns of every table that holds
people or cases (the case and user tables, every table that refers to them by a foreign key, directly or
through another, and the audit trail) and fails on a column that is in neither, so a new column of
personal data cannot slip past the register."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ret_app import audit
from ret_app.models import AuditEvent  # noqa: F401  (the audit trail is a table of the register)


def _columns(spec: str) -> tuple[str, ...]:
    """'table: a b c; other: d' -> ('table.a', 'table.b', 'table.c', 'other.d')."""
    out = []
    for part in spec.split(";"):
        if part.strip():
            table, names = part.split(":")
            out += [f"{table.strip()}.{name}" for name in names.split()]
    return tuple(out)


@dataclass(frozen=True)
class Category:
    code: str
    title: object
    about: object  # whose data, what
    purpose: object
    recipients: tuple[str, ...]  # codes of RECIPIENTS
    retention: object
    columns: tuple[str, ...]


RECIPIENTS = {
    "ret": _l("The RET of the region (chair, members, process directors)"),
    "access_team": _l("The referring access team or certified institution"),
    "collective": _l("Providers of the region's collective, invited to the case and with the family's consent"),
    "network": _l("The supra-regional network, for an escalation and with the family's consent"),
    "municipality": _l("The municipality of the youth: decisions and their costs, no case content"),
    "administrator": _l("The functional administrator: accounts and reference data, no case content"),
    "privacy_officer": _l("The privacy officer: the audit trail and the people's requests, no case content"),
}

RETENTION_CASE = _l("20 years after the case closes (Jeugdwet 7.3.8), longer per case with a reason; erased "
                    "earlier on a granted request (GDPR art. 17)")

CATEGORIES: tuple[Category, ...] = (
    Category(
        "identity", _l("Identity of the youth"),
        _l("Name, citizen service number (BSN), birth date, gender and daytime activity of the youth."),
        _l("Knowing whom the case is about; finding an earlier case of the same youth."),
        ("ret", "access_team", "collective", "network"), RETENTION_CASE,
        _columns("ret_case: youth_first_name youth_last_name youth_bsn youth_match_key youth_gender "
                 "youth_daytime_activity reference"),
    ),
    Category(
        "family", _l("Family system"),
        _l("Names, relation, parental authority and living situation of family members; prior help."),
        _l("Understanding the family's situation and who holds authority (consent, inspection rights)."),
        ("ret", "access_team", "collective"), RETENTION_CASE,
        _columns("family_member: name relation living_situation; prior_help: provider help_type end_reason"),
    ),
    Category(
        "health", _l("Care and health (special category, GDPR art. 9)"),
        _l("The question, why help is stuck, the screening per life domain, analyses, advice, plans, "
           "decisions, outcomes and notes of sessions and escalations."),
        _l("Finding fitting help for the youth: the RET's legal task in the Jeugdwet (art. 2.6, 7.3.x)."),
        ("ret", "access_team", "collective", "network", "municipality"), RETENTION_CASE,
        _columns(
            "ret_case: question why_stuck intake_decision_reason advice status status_before_pause track urgency "
            "next_due_kind; "
            "screening: youth_view family_view analysis advice; screening_addendum: text; "
            "screening_contribution: domain notes sources; "
            "plan: fitting_help_what; plan_goal: text voiced_by status care_type provider_name; "
            "plan_review: help_fits own_judgement what_changes; "
            "decision: kind text care_type status mandate_finding alternatives_considered "
            "behavioural_scientist_judgement placement_outcome placement_alternative answer_note; "
            "meeting_item: purpose notes; minutes_addendum: text; case_action: description status; "
            "case_event: kind summary; case_pause: reason; case_transition: from_status to_status reason; "
            "case_link: basis status; "
            "case_outcome: result placement_result placement_note lessons; outcome_gap: care_type note; "
            "outcome_help: care_type provider_name; "
            "escalation: status why_exhausted question_kind question urgency decline_reason result result_text "
            "withdraw_reason; escalation_date_change: reason; escalation_message: side kind text; "
            "escalation_reminder: note; escalation_step: name from_status to_status reason; escalation_tried: kind; "
            "provider_request: role care_type question status decline_reason decline_text withdraw_text; "
            "learning_vignette: status title text withdraw_reason; legal_ground: scope reason; "
            "case_participant: role"),
    ),
    Category(
        "consent", _l("Consent and legal grounds"),
        _l("Who consented to what, when, and the legal grounds that replace consent."),
        _l("Sharing the case only as far as consent or a legal ground reaches."),
        ("ret", "access_team"), RETENTION_CASE,
        _columns("consent: scope given_by_role form"),
    ),
    Category(
        "documents", _l("Attachments"),
        _l("Documents the access team or the RET added to a case (their names and files)."),
        _l("The referral's and the screening's evidence."),
        ("ret", "access_team", "collective"), RETENTION_CASE,
        _columns("attachment: filename content_type"),
    ),
    Category(
        "staff", _l("Staff members and contacts"),
        _l("Names, e-mail addresses, roles and organisations of users; contacts of providers; the "
           "behavioural scientist named on a decision; the network's process director."),
        _l("Signing in, knowing who did what (accountability), reaching a provider or the network."),
        ("ret", "access_team", "collective", "network", "administrator"),
        _l("Accounts: as long as the user works with RET, then deactivated; names on decisions: with the case"),
        _columns("user_account: email name role locale; provider_contact: name role phone email; "
                 "decision: behavioural_scientist_name behavioural_scientist_role; "
                 "escalation: network_director_name network_director_organisation; "
                 "provider_request: contact_name contact_phone; mandate: granted_by document_reference revoke_reason; "
                 "api_token: name; provider_profile: summary crisis_hours crisis_phone"),
    ),
    Category(
        "sessions", _l("Sessions and planning"),
        _l("Where and when the RET meets, and who attends."),
        _l("Planning the RET's sessions."),
        ("ret", "access_team", "collective"), _l("With the cases discussed"),
        _columns("meeting: location online_url status cancel_reason"),
    ),
    Category(
        "erasure", _l("Erasure requests, legal holds and retention"),
        _l("Who asked for erasure (name and relation to the youth), the decision and its legal ground; legal "
           "holds and per-case retention with their reasons; cases taken off a destruction list and why."),
        _l("Deciding erasure requests within three months (GDPR art. 17, Jeugdwet 7.3.9) and keeping cases "
           "exactly as long as the law requires (Jeugdwet 7.3.8)."),
        ("ret", "privacy_officer"),
        _l("With the case; when the case is erased, the requester's name and every reason are emptied, the "
           "codes stay"),
        _columns("erasure_request: requester_name requester_kind status refusal_ground refusal_reason; "
                 "legal_hold: reason lifted_reason; destruction_entry: removed_reason; ret_case: retention_reason"),
    ),
    Category(
        "inspection", _l("Inspection and correction requests"),
        _l("Who asked to inspect or correct the file (name and relation to the youth), the age rule applied, the "
           "parts withheld and why; what was asked to be corrected, the decision and the addendum written."),
        _l("Giving the youth and the parents their right of inspection and correction (Jeugdwet 7.3.10, "
           "GDPR art. 15 and 16), and showing afterwards what was handed over."),
        ("ret", "privacy_officer"), RETENTION_CASE,
        _columns("inspection_request: requester_name requester_kind rule; inspection_withheld: reason; "
                 "correction_request: requester_name requester_kind asked decision_reason; case_addendum: text"),
    ),
    Category(
        "audit", _l("Audit trail and sign-ins (NEN 7513)"),
        _l("Who read, changed, exported or was refused what, when and from which address; sessions of "
           "signed-in users."),
        _l("Accountability and the family's right to know who looked at their file."),
        ("privacy_officer", "administrator", "ret"),
        _l("At least as long as the case (the chain holds no personal data in its details); sessions: 30 days"),
        _columns("audit_event: user_name user_role organisation_name on_behalf_of ip_address; "
                 "web_session: ip_address user_agent data ended_reason"),
    ),
)

# Text columns of those tables that hold no personal data, each with the reason.
_CODES = _l("a code or status from a fixed list, no personal data")
_SECRET = _l("a hash or secret for signing in, never shown; removed with the account")
_TECH = _l("a technical key or file name of the system, no personal data")
_AUDIT = _l("the audit trail's own codes (action, object, outcome, hash); its details hold no personal data "
            "by design (ret_app/audit.py)")
EXCUSED: dict[str, object] = {
    **dict.fromkeys(_columns(
        "activation_token: purpose; capacity_entry: care_type; export_job: kind locale status mimetype; "
        "notification: kind; notification_preference: kind delivery; signal_evidence: kind; "
        "signal_response: step from_status to_status owner_from owner_to; provider_care_type: care_type; "
        "provider_expertise: area; api_token: prefix; destruction_list: status; erasure_record: why; inspection_request: status; "
        "inspection_withheld: section; correction_request: section decision; case_addendum: section"), _CODES),
    **dict.fromkeys(_columns(
        "activation_token: token_hash; api_token: token_hash; recovery_code: code_hash; "
        "user_account: password_hash totp_secret; web_session: token_hash"), _SECRET),
    **dict.fromkeys(_columns(
        "api_token: submission_key; case_action: submission_key; decision: submission_key; "
        "escalation: submission_key last_key; escalation_message: submission_key; escalation_reminder: submission_key; "
        "provider_request: submission_key answer_key; notification: key; attachment: sha256 storage_key; "
        "export_job: filename; ret_case: submission_key; family_member: submission_key; meeting: submission_key; "
        "screening_report_file: fingerprint; minutes_file: fingerprint; attachment: submission_key; "
        "correction_request: submission_key; erasure_request: submission_key; export_job: submission_key; "
        "inspection_request: submission_key; mandate: submission_key; minutes_addendum: submission_key; "
        "plan_goal: submission_key; plan_review: submission_key; prior_help: submission_key; "
        "provider_contact: submission_key; screening_addendum: submission_key; signal_response: submission_key"), _TECH),
    **dict.fromkeys(_columns("audit_event: action object_type object_id outcome detail prev_hash hash"), _AUDIT),
    "notification.link": _l("an address inside RET (ids, no names)"),
    "notification.words": _l("the notification's words: codes and a case reference, no names (notifications/services.py)"),
    "export_job.message": _l("the reason an export failed, written by the system; no personal data"),
    "capacity_entry.note": _l("a provider's note on its capacity (places, waiting time), about no person"),
    "capacity_update.note": _l("a provider's note on its capacity (places, waiting time), about no person"),
    "signal_evidence.detail": _l("codes and counts of a gap signal's evidence, no personal data"),
    "erasure_record.reference": _l("the generated reference of an erased case, no personal data"),
    "erasure_record.summary": _l("counts of the rows and files an erasure removed, per table; no personal data"),
    "signal_response.text": _l("the chair's response to a gap signal of the region: about a gap in the care offer, "
                               "not about a person"),
}

SAFEGUARDS = (
    _l("Need-to-know per case: one access policy (ret_app/policy), every route classified and tested."),
    _l("Two-factor sign-in, sessions that end, a fresh password for sensitive actions."),
    _l("Every read, write, export and refusal is recorded in a hash-chained audit trail (NEN 7513)."),
    _l("Counts for analysts and the monitor API are suppressed below a threshold: no case can be recognised."),
    _l("Consent and legal grounds decide what the collective and the network see."),
    _l("Encrypted connections; data stays within the EU; backups encrypted."),
    _l("Retention per region with legal hold; erasure on request in one transaction per case."),
)

CONTROLLER = _l("The municipalities of the region, through the RET's host organisation")


@dataclass(frozen=True)
class Register:
    categories: tuple[Category, ...]
    recipients: dict
    safeguards: tuple
    controller: object


REGISTER = Register(CATEGORIES, RECIPIENTS, SAFEGUARDS, CONTROLLER)


def listed_columns() -> dict[str, str]:
    """'table.column' -> the code of its category."""
    return {column: category.code for category in CATEGORIES for column in category.columns}


def record_register_read() -> None:
    audit.record(audit.Action.READ, object_type="processing_register")


def record_hub_read(region_id: int) -> None:
    audit.record(audit.Action.READ, object_type="privacy_hub", object_id=region_id)


def find_case(region_id: int, reference: str):
    """The id of the case of the region with this reference, or None (the lookup is audited, the
    reference is not: it stays out of the trail's details)."""
    from sqlalchemy import select

    from ret_app.extensions import db
    from ret_app.models import Case

    case_id = db.session.scalar(select(Case.id).where(Case.region_id == region_id, Case.reference == reference))
    audit.record(audit.Action.SEARCH, object_type="access_log", case_id=case_id,
                 outcome=audit.Outcome.ALLOWED if case_id else audit.Outcome.FAILED, detail="lookup=reference")
    return case_id


def markdown() -> str:
    """docs/processing-register.md (in the app's source language; regenerate with
    `flask --app ret_app processing-register > docs/processing-register.md`)."""
    lines = ["# Register of processing (GDPR art. 30)", "",
             "Generated from `ret_app/privacy/register.py` (the same data as the privacy officer's page "
             "`/privacy/verwerkingsregister`); `tests/test_processing_register.py` keeps it true against the "
             "models. Do not edit by hand.", "",
             f"**Controller:** {CONTROLLER}", "", "## Categories of data", ""]
    for category in CATEGORIES:
        lines += [f"### {category.title} (`{category.code}`)", "",
                  f"- **Whose data, what:** {category.about}",
                  f"- **Purpose:** {category.purpose}",
                  "- **Recipients:** " + "; ".join(str(RECIPIENTS[r]) for r in category.recipients),
                  f"- **Retention:** {category.retention}",
                  "- **Columns:** " + ", ".join(f"`{column}`" for column in category.columns), ""]
    lines += ["## Safeguards", ""] + [f"- {s}" for s in SAFEGUARDS] + [""]
    lines += ["## Text columns that hold no personal data", ""]
    lines += [f"- `{column}`: {reason}" for column, reason in sorted(EXCUSED.items())] + [""]
    return "\n".join(lines)
