"""What changes in inspection and correction requests. The audit detail holds codes and ids only (the
requester's name and what was asked stay in their tables); the timeline says what happened, by kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.cases.events import CaseChange


def _withheld(request) -> str:
    return "withheld=" + ",".join(sorted(w.section for w in request.withheld))


@dataclass(frozen=True, kw_only=True)
class _InspectionChange(CaseChange):
    request: Any  # InspectionRequest

    @property
    def audit_object_id(self) -> Any:
        return self.request.id

    def audit_detail(self) -> str:
        r = self.request
        return f"status={r.status};kind={r.requester_kind};rule={r.rule or '-'}"


@dataclass(frozen=True, kw_only=True)
class InspectionRecorded(_InspectionChange):
    AUDIT = ("create", "inspection_request")
    TIMELINE = "inspection_recorded"


@dataclass(frozen=True, kw_only=True)
class InspectionChecked(_InspectionChange):
    """The right was checked: `checked` (it stands) or `refused` (the rule named)."""

    AUDIT = ("update", "inspection_request")
    TIMELINE = "inspection_checked"


@dataclass(frozen=True, kw_only=True)
class InspectionWithheldChanged(_InspectionChange):
    AUDIT = ("update", "inspection_request")

    def audit_detail(self) -> str:
        return _withheld(self.request)


@dataclass(frozen=True, kw_only=True)
class InspectionHandedOver(_InspectionChange):
    AUDIT = ("update", "inspection_request")
    TIMELINE = "inspection_handed_over"

    def audit_detail(self) -> str:
        return super().audit_detail() + ";" + _withheld(self.request)


@dataclass(frozen=True, kw_only=True)
class _CorrectionChange(CaseChange):
    correction: Any  # CorrectionRequest

    @property
    def audit_object_id(self) -> Any:
        return self.correction.id

    def audit_detail(self) -> str:
        c = self.correction
        return f"section={c.section};decision={c.decision or '-'}"


@dataclass(frozen=True, kw_only=True)
class CorrectionRecorded(_CorrectionChange):
    AUDIT = ("create", "correction_request")
    TIMELINE = "correction_recorded"


@dataclass(frozen=True, kw_only=True)
class CorrectionDecided(_CorrectionChange):
    AUDIT = ("update", "correction_request")
    TIMELINE = "correction_decided"


@dataclass(frozen=True, kw_only=True)
class AddendumAdded(CaseChange):
    AUDIT = ("create", "case_addendum")
    TIMELINE = "case_addendum"
    addendum: Any

    @property
    def audit_object_id(self) -> Any:
        return self.addendum.id

    def audit_detail(self) -> str:
        return f"section={self.addendum.section};correction={self.addendum.correction_request_id or '-'}"
