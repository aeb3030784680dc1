"""What changes in a screening: one event per change (audited with field names only; the timeline
shows starting, finalising and addenda)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.cases.events import CaseChange


@dataclass(frozen=True, kw_only=True)
class _ScreeningChange(CaseChange):
    object_id: Any

    @property
    def audit_object_id(self) -> Any:
        return self.object_id


@dataclass(frozen=True, kw_only=True)
class ScreeningStarted(_ScreeningChange):
    AUDIT = ("create", "screening")
    TIMELINE = "screening_started"


@dataclass(frozen=True, kw_only=True)
class ContributionCreated(_ScreeningChange):
    AUDIT = ("create", "screening_contribution")
    domain: str
    fields: tuple[str, ...]

    def audit_detail(self) -> str:
        return f"domain={self.domain};fields={','.join(self.fields)}"


@dataclass(frozen=True, kw_only=True)
class ContributionChanged(ContributionCreated):
    AUDIT = ("update", "screening_contribution")


@dataclass(frozen=True, kw_only=True)
class ContributionRemoved(_ScreeningChange):
    AUDIT = ("delete", "screening_contribution")
    domain: str

    def audit_detail(self) -> str:
        return f"domain={self.domain}"


@dataclass(frozen=True, kw_only=True)
class ScreeningTextsSaved(_ScreeningChange):
    AUDIT = ("update", "screening")
    fields: tuple[str, ...]

    def audit_detail(self) -> str:
        return "fields=" + ",".join(self.fields)


@dataclass(frozen=True, kw_only=True)
class ScreeningFinalised(_ScreeningChange):
    AUDIT = ("update", "screening")
    TIMELINE = "screening_finalised"

    def audit_detail(self) -> str:
        return "finalised"


@dataclass(frozen=True, kw_only=True)
class ScreeningAddendumAdded(_ScreeningChange):
    AUDIT = ("create", "screening_addendum")
    TIMELINE = "screening_addendum"
