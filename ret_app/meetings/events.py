"""What changes in RET sessions: one event per change. The audit trail records each (ids, codes and
field names only, never what was typed); the case timeline shows the ones that matter to a case's
work (their labels: capability.py).

Events about one case (an agenda item, a decision, an action, the item's notes) derive from
`CaseChange`; events about the session itself (planning, its lifecycle, invitations, attendance,
addenda) from `DomainEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ret_app.cases.events import CaseChange
from ret_app.kernel.events import DomainEvent
from ret_app.models import Meeting

# --- the session --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _SessionChange(DomainEvent):
    meeting: Meeting

    @property
    def audit_object_id(self) -> Any:
        return self.meeting.id


@dataclass(frozen=True, kw_only=True)
class SessionPlanned(_SessionChange):
    AUDIT = ("create", "meeting")
    region_id: int

    def audit_detail(self) -> str:
        return f"region={self.region_id}"


@dataclass(frozen=True, kw_only=True)
class SessionDetailsChanged(_SessionChange):
    AUDIT = ("update", "meeting")
    fields: tuple[str, ...]

    def audit_detail(self) -> str:
        return "fields=" + ",".join(self.fields)


@dataclass(frozen=True, kw_only=True)
class SessionStepTaken(_SessionChange):
    """A step of the session's lifecycle (lifecycle.py)."""

    AUDIT = ("update", "meeting")
    name: str

    def audit_detail(self) -> str:
        return f"step={self.name}"


@dataclass(frozen=True, kw_only=True)
class SessionStarted(SessionStepTaken):
    """The session started: its cases count as discussed in a RET session from now on."""


@dataclass(frozen=True, kw_only=True)
class SessionUnstarted(SessionStepTaken):
    """A session started by mistake is planned again: its cases no longer count as discussed. Like
    the start, it is audited and leaves nothing on the cases' timelines."""


@dataclass(frozen=True, kw_only=True)
class SessionCancelled(SessionStepTaken):
    """A cancelled session leaves a trace on the timeline of every case that was on its agenda."""

    case_ids: tuple[int, ...]
    summary: str  # the session's local date and time (no names, no free text)

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(case_id, "session_cancelled", self.summary) for case_id in self.case_ids]


@dataclass(frozen=True, kw_only=True)
class InvitationsChanged(_SessionChange):
    AUDIT = ("update", "meeting_invitation")
    added: tuple[int, ...]
    removed: tuple[int, ...]

    def audit_detail(self) -> str:
        return f"added={','.join(map(str, self.added))};removed={','.join(map(str, self.removed))}"


@dataclass(frozen=True, kw_only=True)
class _AttendanceChange(_SessionChange):
    attendance_id: int
    user_id: int
    present: bool
    own: bool  # the user checked themselves in or out

    @property
    def audit_object_id(self) -> Any:
        return self.attendance_id

    def audit_detail(self) -> str:
        return (f"meeting={self.meeting.id};user={self.user_id};present={'yes' if self.present else 'no'}"
                + (";self" if self.own else ""))


@dataclass(frozen=True, kw_only=True)
class AttendanceRecorded(_AttendanceChange):
    """The first presence (or absence) recorded for someone."""

    AUDIT = ("create", "meeting_attendance")


@dataclass(frozen=True, kw_only=True)
class AttendanceChanged(_AttendanceChange):
    AUDIT = ("update", "meeting_attendance")


@dataclass(frozen=True, kw_only=True)
class AddendumAdded(_SessionChange):
    """A correction to approved minutes, for the whole session or tied to one item's case."""

    AUDIT = ("create", "minutes_addendum")
    addendum_id: int
    case_id: Optional[int] = None

    @property
    def audit_object_id(self) -> Any:
        return self.addendum_id

    @property
    def audit_case_id(self) -> Optional[int]:
        return self.case_id

    def audit_detail(self) -> str:
        return f"meeting={self.meeting.id}"


# --- a case on the agenda -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _ItemChange(CaseChange):
    meeting_id: int
    item_id: int

    @property
    def audit_object_id(self) -> Any:
        return self.item_id


@dataclass(frozen=True, kw_only=True)
class ItemPlanned(_ItemChange):
    AUDIT = ("create", "meeting_item")
    TIMELINE = "session_planned"
    purpose: str
    summary: str  # the session's local date and time

    def audit_detail(self) -> str:
        return f"meeting={self.meeting_id};purpose={self.purpose}"

    def timeline_summary(self) -> str:
        return self.summary


@dataclass(frozen=True, kw_only=True)
class ItemRemoved(_ItemChange):
    AUDIT = ("delete", "meeting_item")
    TIMELINE = "session_unplanned"
    summary: str

    def audit_detail(self) -> str:
        return f"meeting={self.meeting_id}"

    def timeline_summary(self) -> str:
        return self.summary


@dataclass(frozen=True, kw_only=True)
class ItemMoved(_ItemChange):
    AUDIT = ("update", "meeting_item")
    direction: str

    def audit_detail(self) -> str:
        return f"meeting={self.meeting_id};move={self.direction}"


@dataclass(frozen=True, kw_only=True)
class ItemUnderDiscussion(_ItemChange):
    """The chair moved the session on to this item."""

    AUDIT = ("update", "meeting_item")

    def audit_detail(self) -> str:
        return "discussing"


@dataclass(frozen=True, kw_only=True)
class NotesSaved(_ItemChange):
    AUDIT = ("update", "meeting_item")

    def audit_detail(self) -> str:
        return "notes"


@dataclass(frozen=True, kw_only=True)
class DecisionRecorded(CaseChange):
    AUDIT = ("create", "decision")
    TIMELINE = "session_decision"
    decision_id: int
    meeting_id: int
    status: str
    mandate_id: Optional[int] = None

    @property
    def audit_object_id(self) -> Any:
        return self.decision_id

    def audit_detail(self) -> str:
        return f"meeting={self.meeting_id};status={self.status}" + (
            f";mandate={self.mandate_id}" if self.mandate_id else "")


@dataclass(frozen=True, kw_only=True)
class ProvisionalAnswered(CaseChange):
    """The municipality's answer to an "onder voorbehoud" decision: confirmed or refused."""

    AUDIT = ("update", "decision")
    decision_id: int
    answer: str

    @property
    def audit_object_id(self) -> Any:
        return self.decision_id

    def audit_detail(self) -> str:
        return f"answer={self.answer}"

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, f"provisional_{self.answer}", "")]


@dataclass(frozen=True, kw_only=True)
class ActionAgreed(CaseChange):
    AUDIT = ("create", "case_action")
    TIMELINE = "action_created"
    action_id: int

    @property
    def audit_object_id(self) -> Any:
        return self.action_id


@dataclass(frozen=True, kw_only=True)
class ActionStatusChanged(CaseChange):
    AUDIT = ("update", "case_action")
    action_id: int
    status: str

    @property
    def audit_object_id(self) -> Any:
        return self.action_id

    def audit_detail(self) -> str:
        return f"status={self.status}"

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, f"action_{self.status}", "")]
