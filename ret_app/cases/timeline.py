"""The case timeline: what users read about a case's history (the audit trail is for
accountability, this is for work).

Entries are written by one subscriber for every domain event that declares them
(`timeline_entries()`), never by hand; their labels come from the capabilities that own the events
(`Capability.timeline_labels`). The history shows the lifecycle transitions (which carry their own
reason) and the other entries, newest first. A kind that not everyone who sees the case may read
(the requests to providers: a provider member reads only its own organisation's) is registered with
its reader rule from the policy (`restrict`); the history leaves it out for the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Optional

from sqlalchemy import inspect

from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.registry import registry
from ret_app.models import Case, CaseEvent, User

ReaderRule = Callable[[User, Case], bool]  # may this user read entries of the kind on this case?
_READERS: dict[str, ReaderRule] = {}


def restrict(kinds: Iterable[str], rule: ReaderRule) -> None:
    """Only viewers for whom `rule(user, case)` holds read entries of these kinds (the capability that
    owns the kinds registers them, with a rule of ret_app/policy)."""
    for kind in kinds:
        _READERS[kind] = rule


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


def history(case: Case, viewer: User) -> list[HistoryEntry]:
    """What `viewer` reads of the case's history, newest first. Transitions carry their own reason;
    their timeline twins are not repeated; restricted kinds only when the viewer may read them."""
    labels = registry().timeline_labels()
    readable = {kind: rule(viewer, case) for kind, rule in _READERS.items()}
    entries = [HistoryEntry(t.at, t.actor.name if t.actor else None, (t.from_status, t.to_status), None,
                            t.reason or "") for t in case.transitions]
    for event in case.events:
        if event.kind.startswith("transition:") or event.kind not in labels or not readable.get(event.kind, True):
            continue
        entries.append(HistoryEntry(event.at, event.actor.name if event.actor else None, None,
                                    labels[event.kind], event.summary or ""))
    return sorted(entries, key=lambda e: e.at, reverse=True)
