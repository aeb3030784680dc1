"""The case history that users read: lifecycle transitions and the other timeline events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app.models import Case

EVENT_LABELS = {
    "referral_created": _l("Referral started"),
    "intake_decision": _l("Intake decision taken"),
    "consent_recorded": _l("Consent recorded"),
    "consent_withdrawn": _l("Consent withdrawn"),
    "legal_ground_recorded": _l("Legal ground recorded"),
    "legal_ground_ended": _l("Legal ground ended"),
    "attachment_added": _l("Attachment added"),
    "attachment_removed": _l("Attachment removed"),
    "participant_invited": _l("Participant invited"),
    "participant_removed": _l("Participant removed"),
    "screening_started": _l("Screening started"),
    "screening_finalised": _l("Screening finalised"),
    "screening_addendum": _l("Addendum to the screening"),
    "session_planned": _l("Put on the agenda of a RET session"),
    "session_unplanned": _l("Taken off the agenda of a RET session"),
    "session_cancelled": _l("RET session cancelled"),
    "session_decision": _l("Decision taken in a RET session"),
    "provisional_confirmed": _l("Provisional decision confirmed by the municipality"),
    "provisional_refused": _l("Provisional decision refused by the municipality"),
    "action_created": _l("Action agreed"),
    "action_done": _l("Action done"),
    "action_open": _l("Action reopened"),
    "action_cancelled": _l("Action cancelled"),
}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: Optional[str]
    transition: Optional[tuple[Optional[str], str]]  # (from, to) status codes
    label: Optional[object]
    note: str


def history(case: Case) -> list[HistoryEntry]:
    """Newest first. Transitions carry their own reason; their timeline twins are not repeated."""
    entries = [HistoryEntry(t.at, t.actor.name if t.actor else None, (t.from_status, t.to_status), None,
                            t.reason or "") for t in case.transitions]
    for event in case.events:
        if event.kind.startswith("transition:") or event.kind not in EVENT_LABELS:
            continue
        entries.append(HistoryEntry(event.at, event.actor.name if event.actor else None, None,
                                    EVENT_LABELS[event.kind], event.summary or ""))
    return sorted(entries, key=lambda e: e.at, reverse=True)
