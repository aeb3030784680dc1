"""The words for the codes: one module low in the tree, so that forms, templates, PDFs and services
all import downward. Each dictionary maps a stored code (an enum's value) to its English msgid; the
Dutch text comes from the catalogue. Template filters are registered from here (templating.py).

The labels of case-timeline entries are not here: each capability registers those of its own events
(`Capability.timeline_labels`).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from flask_babel import lazy_gettext as _l

from ret_app.models import DecisionKind, LifeDomain
from ret_app.models.cases import SEVERITY_SCALE

# --- people and organisations -----------------------------------------------------------------------

ROLE_LABELS = {
    "chair": _l("RET chair"),
    "ret_member": _l("RET member"),
    "caseworker": _l("Caseworker"),
    "provider_member": _l("Collective member (provider)"),
    "network_liaison": _l("Network liaison"),
    "analyst": _l("Policy analyst"),
    "privacy_officer": _l("Privacy officer"),
    "admin": _l("Functional administrator"),
}

ORGANISATION_KIND_LABELS = {
    "access_team": _l("Access team"),
    "certified_institution": _l("Certified institution"),
    "provider": _l("Provider"),
    "ret": _l("Regional Expert Team"),
    "network": _l("Supra-regional network"),
    "management": _l("Management and policy"),
}

# The expertise areas of a provider of the collective (ExpertiseArea), in the order forms show them.
EXPERTISE_LABELS = {
    "youth_mental_health": _l("Youth mental health"),
    "intellectual_disability": _l("Mild intellectual disability (LVB)"),
    "parenting_support": _l("Parenting support"),
    "addiction": _l("Addiction"),
    "eating_disorders": _l("Eating disorders"),
    "trauma": _l("Trauma"),
    "autism": _l("Autism"),
    "intensive_home_treatment": _l("Intensive home treatment"),
    "three_milieu": _l("Three-milieu care"),
    "closed_care": _l("Closed youth care"),
}

# --- requests to providers of the collective and commitments (ret_app/commitments/) ---------------

REQUEST_ROLE_LABELS = {
    "screening": _l("Screening"),
    "lead_provider": _l("Lead provider"),
    "co_provider": _l("Co-provider"),
    "place_to_stay": _l("Place to stay"),
    "crisis_backup": _l("Crisis back-up"),
    "consultation": _l("Consultation"),
}

REQUEST_STATUS_LABELS = {
    "requested": _l("Requested"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "started": _l("Started"),
    "ended": _l("Ended"),
}

DECLINE_REASON_LABELS = {
    "no_capacity": _l("No capacity"),
    "not_our_expertise": _l("Not our expertise"),
    "age_outside_range": _l("Age outside our range"),
    "region": _l("Region (outside our working area)"),
    "other": _l("Other"),
}

# --- the audit trail -----------------------------------------------------------------------------

AUDIT_ACTION_LABELS = {
    "create": _l("create"),
    "read": _l("read"),
    "update": _l("update"),
    "delete": _l("delete"),
    "export": _l("export"),
    "print": _l("print"),
    "search": _l("search"),
    "login": _l("sign in"),
    "logout": _l("sign out"),
    "2fa": _l("second factor"),
    "activate": _l("activation"),
    "password": _l("password"),
    "session": _l("session"),
    "request": _l("request"),
}

AUDIT_OUTCOME_LABELS = {
    "allowed": _l("allowed"),
    "denied": _l("denied"),
    "failed": _l("failed"),
}

# --- cases ---------------------------------------------------------------------------------------

CASE_STATUS_LABELS = {
    "concept": _l("Concept"),
    "submitted": _l("Submitted"),
    "intake": _l("Intake"),
    "screening": _l("Screening"),
    "process_direction": _l("Process direction"),
    "monitoring": _l("Monitoring"),
    "closed": _l("Closed"),
    "returned_with_advice": _l("Returned with advice"),
    "paused": _l("Paused"),
    "erased": _l("Erased"),
}

TRACK_LABELS = {
    "consultation": _l("Consultation and advice"),
    "process_direction": _l("Process direction"),
    "placement_review": _l("Placement review (intended out-of-home placement)"),
}

URGENCY_LABELS = {"regular": _l("Regular"), "urgent": _l("Urgent"), "crisis": _l("Crisis")}

CLOCK_LABELS = {
    "intake_decision": _l("Intake decision"),
    "screening": _l("Screening finished"),
    "first_session": _l("First RET session"),
}

# What a case's next due item is (Case.next_due_kind): a norm clock, or the kind a capability's due
# source gives (cases/norms.py; "review", "request_reply" and "escalation_answer" are the plan's, the
# requests' and the escalations').
DUE_KIND_LABELS = {
    **CLOCK_LABELS,
    "review": _l("Plan review"),
    "request_reply": _l("Reply to a request"),
    "escalation_answer": _l("Answer of the supra-regional network"),
}

# --- the referral: the youth, the family, consent ------------------------------------------------------

GENDER_LABELS = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other_unknown": _l("Other / unknown"),
}

RELATION_LABELS = {
    "mother": _l("Mother"),
    "father": _l("Father"),
    "step_parent": _l("Step-parent"),
    "foster_parent": _l("Foster parent"),
    "guardian": _l("Guardian"),
    "sibling": _l("Brother or sister"),
    "other": _l("Other"),
}

SCOPE_LABELS = {
    "ret": _l("RET"),
    "collective": _l("Collective"),
    "network": _l("Supra-regional network"),
}

CONSENT_FORM_LABELS = {"written": _l("Written"), "verbal": _l("Verbal")}

GIVEN_BY_ROLE_LABELS = {"youth": _l("The youth"), "parent": _l("Parent with authority"),
                        "guardian": _l("Guardian")}

ATTACHMENT_TYPE_LABELS = {
    "application/pdf": _l("PDF document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Word document"),
    "image/png": _l("PNG image"),
    "image/jpeg": _l("JPEG image"),
}

# --- the integrated screening ----------------------------------------------------------------------

# In the order of the screening (LifeDomain's order).
DOMAIN_LABELS = {
    LifeDomain.SAFETY.value: _l("Safety"),
    LifeDomain.MENTAL_HEALTH.value: _l("Mental health"),
    LifeDomain.PHYSICAL_HEALTH.value: _l("Physical health"),
    LifeDomain.DEVELOPMENT.value: _l("Development and disability"),
    LifeDomain.EDUCATION.value: _l("Education and daytime activity"),
    LifeDomain.PARENTING.value: _l("Parenting and family"),
    LifeDomain.PARENTS_OWN_PROBLEMS.value: _l("Parents' own problems"),
    LifeDomain.SOCIAL_NETWORK.value: _l("Social network"),
    LifeDomain.HOUSING.value: _l("Housing"),
    LifeDomain.FINANCES.value: _l("Finances"),
    LifeDomain.JUSTICE.value: _l("Justice"),
    LifeDomain.SUBSTANCE_USE.value: _l("Substance use"),
}
assert list(DOMAIN_LABELS) == [d.value for d in LifeDomain]

SEVERITY_LABELS = {
    0: _l("no concern"),
    1: _l("mild"),
    2: _l("moderate"),
    3: _l("serious"),
    4: _l("acute / unsafe"),
}
assert tuple(SEVERITY_LABELS) == SEVERITY_SCALE

# --- RET sessions -----------------------------------------------------------------------------------

PURPOSE_LABELS = {
    "intake": _l("Intake discussion"),
    "screening": _l("Screening discussion"),
    "progress": _l("Progress"),
    "placement_review": _l("Placement review"),
    "closing": _l("Closing"),
}

MEETING_STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "closed": _l("Closed, minutes in draft"),
    "approved": _l("Minutes approved"),
    "cancelled": _l("Cancelled"),
}

DECISION_KIND_LABELS = {
    "general": _l("General decision"),
    "commits_help": _l("Commits help"),
}

# The same kinds as the decision form offers them (with what they mean).
DECISION_KIND_CHOICES = {
    DecisionKind.GENERAL.value: _l("General (advice, agreement, next step)"),
    DecisionKind.COMMITS_HELP.value: _l("Commits help (needs a mandate of the municipality)"),
}

DECISION_STATUS_LABELS = {
    "recorded": _l("Recorded"),
    "binding": _l("Binding"),
    "provisional": _l("Provisional (awaiting the municipality)"),
    "confirmed": _l("Confirmed by the municipality"),
    "refused": _l("Refused by the municipality"),
}

# Why no present mandate covered a decision (mandate_check.Finding).
FINDING_LABELS = {
    "no_holder_present": _l("No holder of a mandate of the municipality was present."),
    "not_valid_on_date": _l("The present holder's mandate was not valid on the session date."),
    "revoked": _l("The present holder's mandate has been revoked."),
    "care_type": _l("The present holder's mandate does not cover this type of care."),
    "ceiling": _l("The amount exceeds the ceiling of the present holder's mandate."),
}

PLACEMENT_OUTCOME_LABELS = {
    "prevented": _l("Placement prevented"),
    "placed": _l("Placement carried out"),
    "postponed": _l("Postponed"),
}

ACTION_STATUS_LABELS = {
    "open": _l("Open"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}


# --- helpers ----------------------------------------------------------------------------------------

def label(table: Mapping[Any, Any], code: Any, default: Optional[str] = None) -> str:
    """The label of `code`, the code itself (or `default`) when it has none."""
    return str(table.get(code, default if default is not None else code))


def severity_label(value: Any) -> str:
    """'2 – moderate'; an empty string for no severity."""
    if value is None or value == "":
        return ""
    return f"{int(value)} – {SEVERITY_LABELS[int(value)]}"


def decision_badge(status: str) -> str:
    """The badge colour of a decision status on screen."""
    return {"binding": "ok", "confirmed": "ok", "provisional": "warn", "refused": "bad"}.get(status, "neutral")


def purpose_label(code: str) -> str:
    return label(PURPOSE_LABELS, code)


def meeting_status_label(code: str) -> str:
    return label(MEETING_STATUS_LABELS, code)


def finding_text(finding: Optional[str]) -> str:
    """Why no present mandate made a decision binding (Decision.mandate_finding)."""
    return str(FINDING_LABELS.get(finding or "", ""))


def action_status_label(code: str) -> str:
    return label(ACTION_STATUS_LABELS, code)


def relation_label(code: Optional[str]) -> str:
    """A family member's relation in words."""
    return str(RELATION_LABELS.get(code, code or "—"))


# Filters every template can use: name -> function.
FILTERS = {
    "role_label": lambda role: ROLE_LABELS.get(role, role),
    "expertise_label": lambda code: EXPERTISE_LABELS.get(code, code),
    "audit_action_label": lambda code: AUDIT_ACTION_LABELS.get(code, code),
    "audit_outcome_label": lambda code: AUDIT_OUTCOME_LABELS.get(code, code),
    "status_label": lambda code: CASE_STATUS_LABELS.get(code, code),
    "track_label": lambda code: TRACK_LABELS.get(code, code or "—"),
    "urgency_label": lambda code: URGENCY_LABELS.get(code, code),
    "org_kind_label": lambda kind: ORGANISATION_KIND_LABELS.get(kind, kind),
    "relation_label": relation_label,
    "purpose_label": purpose_label,
    "meeting_status_label": meeting_status_label,
    "finding_text": finding_text,
    "action_status_label": action_status_label,
    "request_role_label": lambda code: REQUEST_ROLE_LABELS.get(code, code),
    "request_status_label": lambda code: REQUEST_STATUS_LABELS.get(code, code),
    "decline_reason_label": lambda code: DECLINE_REASON_LABELS.get(code, code or "—"),
    "due_kind_label": lambda kind: DUE_KIND_LABELS.get(kind, kind or "—"),
}
