"""Domain events: a service emits one typed event per change; subscribers do the rest.

    @dataclass(frozen=True, kw_only=True)
    class FamilyMemberAdded(CaseChange):
        AUDIT = ("create", "family_member")
        member_id: int
        ...

    events.emit(FamilyMemberAdded(actor=user, case=case, member_id=member.id))

Two kinds of subscribers:

* `subscribe(EventType)`: runs at once, inside the transaction of the change. The audit trail and
  the case timeline subscribe this way, so a change and its records commit (or roll back) together.
* `subscribe(EventType, after_commit=True)`: a reaction of another domain (invite the case's new
  participant to its coming sessions, notify someone). It runs after the change was committed, in a
  unit of work of its own; sibling domains never call each other directly. Outside a unit of work (a
  test or script calling a service directly) a reaction runs at once.

A subscriber for a base class receives every subclass (dispatch follows the class hierarchy).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, ClassVar, Optional

from ret_app.kernel import uow

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that changed. `actor` is the user who did it (None: the system).

    Audit metadata: `AUDIT = (action, object_type)` (None: not audited by the generic subscriber),
    with `audit_object_id`, `audit_case_id` and `audit_detail()` (machine-readable, never personal
    data or free text). Timeline metadata: see `timeline_entries()`.
    """

    AUDIT: ClassVar[Optional[tuple[str, str]]] = None
    actor: Any = None

    @property
    def audit_object_id(self) -> Any:
        return None

    @property
    def audit_case_id(self) -> Optional[int]:
        return None

    def audit_detail(self) -> Optional[str]:
        return None

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        """(case, kind, summary) for each entry this change puts on a case timeline."""
        return []


Handler = Callable[[Any], None]
_subscribers: dict[type, list[Handler]] = {}
_reactions: dict[type, list[Handler]] = {}


def subscribe(event_type: type, *, after_commit: bool = False) -> Callable[[Handler], Handler]:
    """Register the decorated function for `event_type` and its subclasses (once per function)."""

    def decorator(handler: Handler) -> Handler:
        table = _reactions if after_commit else _subscribers
        handlers = table.setdefault(event_type, [])
        if handler not in handlers:
            handlers.append(handler)
        return handler

    return decorator


def _handlers(table: dict[type, list[Handler]], event_type: type) -> list[Handler]:
    found: list[Handler] = []
    for cls in reversed(event_type.__mro__):  # base classes first: the audit record before the rest
        for handler in table.get(cls, ()):
            if handler not in found:
                found.append(handler)
    return found


def emit(domain_event: DomainEvent) -> None:
    """Run the event's subscribers now and schedule its reactions for after the commit."""
    for handler in _handlers(_subscribers, type(domain_event)):
        handler(domain_event)
    unit = uow.current()
    for reaction in _handlers(_reactions, type(domain_event)):
        if unit is None or unit.finished:
            reaction(domain_event)
        else:
            unit.after_commit(partial(_react, reaction, domain_event))


def _react(reaction: Handler, domain_event: DomainEvent) -> None:
    with uow.unit_of_work():
        reaction(domain_event)
