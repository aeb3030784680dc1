"""What changes in an escalation: one event per change, each about one case. The audit trail records it
(ids and codes only, never what was typed); the case timeline shows it with who and when (labels:
capability.py; the summary names the network, never a person of the family). The case's stored next
due item follows the expected answer date (`services.escalation_due`, a due source), refreshed on every
escalation change (deadlines.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.cases.events import CaseChange


@dataclass(frozen=True, kw_only=True)
class _EscalationChange(CaseChange):
    AUDIT = ("update", "escalation")
    escalation: Any  # Escalation
    network_name: str = ""  # what the timeline shows

    @property
    def audit_object_id(self) -> Any:
        return self.escalation.id

    def timeline_summary(self) -> str:
        return self.network_name


@dataclass(frozen=True, kw_only=True)
class EscalationDrafted(_EscalationChange):
    """A draft was made (or edited: `edited`)."""

    AUDIT = ("create", "escalation")
    TIMELINE = "escalation_drafted"
    edited: bool = False
    fields: tuple = ()

    def audit_detail(self) -> str:
        e = self.escalation
        fields = ",".join(self.fields)
        return (f"step=edit;fields={fields}" if self.edited
                else f"network={e.network_id};question_kind={e.question_kind or ''};tried={len(e.tried)}")

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, "escalation_edited" if self.edited else "escalation_drafted", self.timeline_summary())]


@dataclass(frozen=True, kw_only=True)
class EscalationStepTaken(_EscalationChange):
    """A lifecycle step (send, accept, decline, start, answer, close, withdraw)."""

    name: str
    source: str
    target: str

    def audit_detail(self) -> str:
        e = self.escalation
        detail = f"step={self.name};{self.source}->{self.target}"
        if self.name == "send":
            detail += f";network={e.network_id};expected={e.expected_answer_date.isoformat()}"
        if self.name == "close":
            detail += f";result={e.result}"
        return detail

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, f"escalation_{self.name}", self.timeline_summary())]


@dataclass(frozen=True, kw_only=True)
class EscalationDirectorAssigned(_EscalationChange):
    TIMELINE = "escalation_director_assigned"

    def audit_detail(self) -> str:
        return "network_director"


@dataclass(frozen=True, kw_only=True)
class EscalationMessageAdded(_EscalationChange):
    """Advice or a question of the network, or the RET's reply to a question."""

    message: Any  # EscalationMessage

    def audit_detail(self) -> str:
        return f"message={self.message.kind};side={self.message.side}"

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, f"escalation_message_{self.message.kind}", self.timeline_summary())]


@dataclass(frozen=True, kw_only=True)
class EscalationReminded(_EscalationChange):
    TIMELINE = "escalation_reminder"

    def audit_detail(self) -> str:
        return "reminder"


@dataclass(frozen=True, kw_only=True)
class EscalationDateMoved(_EscalationChange):
    TIMELINE = "escalation_new_date"
    old: Any = None
    new: Any = None

    def audit_detail(self) -> str:
        old = self.old.isoformat() if self.old else ""
        return f"expected_from={old};expected_to={self.new.isoformat()}"
