"""Labels of the session codes (purposes, statuses, findings, outcomes): one place for every page,
form and PDF, registered as template filters by the blueprint."""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l

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


def decision_badge(status: str) -> str:
    """The badge colour of a decision status on screen."""
    return {"binding": "ok", "confirmed": "ok", "provisional": "warn", "refused": "bad"}.get(status, "neutral")


def purpose_label(code: str) -> str:
    return str(PURPOSE_LABELS.get(code, code))


def meeting_status_label(code: str) -> str:
    return str(MEETING_STATUS_LABELS.get(code, code))


def finding_text(finding: Optional[str]) -> str:
    """Why no present mandate made a decision binding (Decision.mandate_finding)."""
    return str(FINDING_LABELS.get(finding or "", ""))


def action_status_label(code: str) -> str:
    return str(ACTION_STATUS_LABELS.get(code, code))
