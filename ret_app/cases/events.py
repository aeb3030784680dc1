"""The case's own domain events. `CaseChange` is the base of every event about one case (its
`case` is the subject): the audit trail records it with the case id, and the case timeline shows it
when it declares a TIMELINE kind. Other domains (referrals, screening, meetings) derive their events
from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Optional

from ret_app.kernel.events import DomainEvent
from ret_app.models import Case


@dataclass(frozen=True, kw_only=True)
class CaseChange(DomainEvent):
    case: Case
    TIMELINE: ClassVar[Optional[str]] = None  # the timeline entry's kind (labels: the capabilities)

    @property
    def audit_case_id(self) -> Optional[int]:
        return self.case.id

    @property
    def audit_object_id(self) -> Any:
        return self.case.id

    def timeline_summary(self) -> str:
        return ""

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, self.TIMELINE, self.timeline_summary())] if self.TIMELINE else []


@dataclass(frozen=True, kw_only=True)
class CaseTransitioned(CaseChange):
    """A lifecycle step (the history record is the CaseTransition row)."""

    AUDIT = ("update", "case")
    name: str
    source: str
    target: str
    reason: str = ""

    def audit_detail(self) -> str:
        return f"transition={self.name};{self.source}->{self.target}"

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, f"transition:{self.name}", self.reason)]


@dataclass(frozen=True, kw_only=True)
class IntakeDecided(CaseChange):
    """The chair's intake decision (track, urgency, process director); the lifecycle step follows."""

    TIMELINE = "intake_decision"
    reason: str = ""

    def timeline_summary(self) -> str:
        return self.reason


@dataclass(frozen=True, kw_only=True)
class ParticipantInvited(CaseChange):
    """A RET member or a provider of the collective now takes part in the case."""

    AUDIT = ("create", "case_participant")
    TIMELINE = "participant_invited"
    participant: Any  # CaseParticipant
    name: str  # who was invited, as the timeline shows it

    @property
    def audit_object_id(self) -> Any:
        return self.participant.id

    def audit_detail(self) -> str:
        return f"invited role={self.participant.role}"

    def timeline_summary(self) -> str:
        return self.name


@dataclass(frozen=True, kw_only=True)
class ParticipantRemoved(CaseChange):
    AUDIT = ("update", "case_participant")
    TIMELINE = "participant_removed"
    participant: Any
    name: str

    @property
    def audit_object_id(self) -> Any:
        return self.participant.id

    def audit_detail(self) -> str:
        return f"removed role={self.participant.role}"

    def timeline_summary(self) -> str:
        return self.name


@dataclass(frozen=True, kw_only=True)
class DueDateChanged(CaseChange):
    """Something a due source reads changed (cases/norms.py: a plan's review moment planned or held, a
    request sent, answered or withdrawn): the case's stored next due date and kind are refreshed.
    A capability with a due source emits this after its own event, or derives that event from it.
    Neither audited nor on the timeline by itself (the capability's own event is)."""


@dataclass(frozen=True, kw_only=True)
class ConsentAgeRuleApplied(CaseChange):
    """The youth reached an age at which other people's consent counts (12: the youth too; 16: the
    youth alone), and the case's consent flags changed with it (the nightly job; actor: the system).
    `changes`: (scope, stood before, stands now) for each flag that changed. No personal data: the
    age threshold and scope codes only."""

    AUDIT = ("update", "case")
    age: int  # the threshold reached: 12 or 16
    changes: tuple[tuple[str, bool, bool], ...]
    summary: str  # the timeline's words: which scopes stand now

    def audit_detail(self) -> str:
        yes_no = {True: "yes", False: "no"}
        flags = ";".join(f"consent_{scope}={yes_no[before]}->{yes_no[after]}" for scope, before, after in self.changes)
        return f"consent_age={self.age};{flags}"

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, f"consent_age_{self.age}", self.summary)]
