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
