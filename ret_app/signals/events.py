"""What changes in gap signals: one event per change. The audit trail records each (codes, counts and
ids, never what was typed). Signals belong to a region, not to a case: no case timeline entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ret_app.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class _SignalChange(DomainEvent):
    signal_id: int
    region_id: int
    category: str  # the gap category's code
    care_type: Optional[str] = None

    @property
    def audit_object_id(self) -> Any:
        return self.signal_id

    def _key(self) -> str:
        return f"region={self.region_id};category={self.category};care_type={self.care_type or '-'}"


@dataclass(frozen=True, kw_only=True)
class SignalRaised(_SignalChange):
    """The rule raised a new signal (the system: actor None)."""

    AUDIT = ("create", "gap_signal")
    cases: int

    def audit_detail(self) -> str:
        return f"{self._key()};cases={self.cases}"


@dataclass(frozen=True, kw_only=True)
class SignalEvidenceAdded(_SignalChange):
    """The rule added evidence to an open signal (new cases, or their declines and escalations)."""

    AUDIT = ("update", "gap_signal")
    added: int
    cases: int

    def audit_detail(self) -> str:
        return f"{self._key()};evidence_added={self.added};cases={self.cases}"


@dataclass(frozen=True, kw_only=True)
class SignalResponded(_SignalChange):
    """The chair responded: a text, an owner, a step of the lifecycle (any of them)."""

    AUDIT = ("update", "gap_signal")
    step: Optional[str] = None
    from_status: str = ""
    to_status: str = ""
    owner_from: Optional[str] = None
    owner_to: Optional[str] = None
    text: bool = False

    def audit_detail(self) -> str:
        parts = [self._key()]
        if self.step:
            parts.append(f"step={self.step}")
            parts.append(f"{self.from_status}->{self.to_status}")
        if self.owner_from != self.owner_to:
            parts.append(f"owner={self.owner_from or '-'}->{self.owner_to or '-'}")
        if self.text:
            parts.append("response")
        return ";".join(parts)
