"""The case timeline: what users read about a case's history (the audit trail is for
accountability, this is for work).

Entries are written by one subscriber for every domain event that declares them
(`timeline_entries()`), never by hand; their labels come from the capabilities that own the events
(`Capability.timeline_labels`). The history shows the lifecycle transitions (which carry their own
reason) and the other entries, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import inspect

from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.registry import registry
from ret_app.models import Case, CaseEvent


@events.subscribe(events.DomainEvent)
def _write_entries(event: events.DomainEvent) -> None:
    for case, kind, summary in event.timeline_entries():
        entry = CaseEvent(at=utcnow(), actor_id=event.actor.id if event.actor is not None else None, kind=kind,
                          summary=summary or "")
        if isinstance(case, Case) and "events" not in inspect(case).unloaded:
            case.events.append(entry)  # the page already holds the timeline: keep it current
        else:  # a case id, or a case whose timeline is not loaded (no need to read it to add one)
            entry.case_id = case.id if isinstance(case, Case) else case
            db.session.add(entry)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: Optional[str]
    transition: Optional[tuple[Optional[str], str]]  # (from, to) status codes
    label: Optional[object]
    note: str


def history(case: Case) -> list[HistoryEntry]:
    """Newest first. Transitions carry their own reason; their timeline twins are not repeated."""
    labels = registry().timeline_labels()
    entries = [HistoryEntry(t.at, t.actor.name if t.actor else None, (t.from_status, t.to_status), None,
                            t.reason or "") for t in case.transitions]
    for event in case.events:
        if event.kind.startswith("transition:") or event.kind not in labels:
            continue
        entries.append(HistoryEntry(event.at, event.actor.name if event.actor else None, None,
                                    labels[event.kind], event.summary or ""))
    return sorted(entries, key=lambda e: e.at, reverse=True)
