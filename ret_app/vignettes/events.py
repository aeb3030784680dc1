"""What changes in a vignette: one event per change, about its case. The audit trail records it (ids and
counts only, never the text); the case timeline shows that a vignette was made, approved or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.cases.events import CaseChange


@dataclass(frozen=True, kw_only=True)
class _VignetteChange(CaseChange):
    AUDIT = ("update", "vignette")
    vignette: Any  # LearningVignette

    @property
    def audit_object_id(self) -> Any:
        return self.vignette.id


@dataclass(frozen=True, kw_only=True)
class VignetteGenerated(_VignetteChange):
    AUDIT = ("create", "vignette")
    TIMELINE = "vignette_generated"
    replaced: int = 0  # how many values the scrubber replaced

    def audit_detail(self) -> str:
        return f"generated;replaced={self.replaced}"


@dataclass(frozen=True, kw_only=True)
class VignetteEdited(_VignetteChange):
    fields: tuple = ()
    replaced: int = 0

    def audit_detail(self) -> str:
        return f"step=edit;fields={','.join(self.fields)};replaced={self.replaced}"


@dataclass(frozen=True, kw_only=True)
class VignetteStepTaken(_VignetteChange):
    name: str
    source: str
    target: str

    def audit_detail(self) -> str:
        return f"step={self.name};{self.source}->{self.target}"

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, f"vignette_{self.name}", "")]
