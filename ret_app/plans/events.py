"""What changes in a plan: one event per change. The audit trail records each with the case id and
codes or field names only (never what was typed); the timeline shows agreeing a version, a review
held and fitting help started."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ret_app.cases.events import CaseChange


@dataclass(frozen=True, kw_only=True)
class _PlanChange(CaseChange):
    object_id: Any

    @property
    def audit_object_id(self) -> Any:
        return self.object_id


@dataclass(frozen=True, kw_only=True)
class PlanStarted(_PlanChange):
    AUDIT = ("create", "plan")


@dataclass(frozen=True, kw_only=True)
class GoalAdded(_PlanChange):
    AUDIT = ("create", "plan_goal")
    status: str
    voiced_by: str

    def audit_detail(self) -> str:
        return f"status={self.status};voice={self.voiced_by}"


@dataclass(frozen=True, kw_only=True)
class GoalChanged(_PlanChange):
    AUDIT = ("update", "plan_goal")
    fields: tuple[str, ...]

    def audit_detail(self) -> str:
        return "fields=" + ",".join(self.fields)


@dataclass(frozen=True, kw_only=True)
class GoalRemoved(_PlanChange):
    AUDIT = ("delete", "plan_goal")


@dataclass(frozen=True, kw_only=True)
class ReviewChange(_PlanChange):
    """A review moment planned, held or cancelled: the case's next due date can change with it."""


@dataclass(frozen=True, kw_only=True)
class ReviewPlanned(ReviewChange):
    AUDIT = ("create", "plan_review")


@dataclass(frozen=True, kw_only=True)
class ReviewRecorded(ReviewChange):
    AUDIT = ("update", "plan_review")
    TIMELINE = "plan_review_held"
    help_fits: str
    fields: tuple[str, ...]
    first: bool = True  # False: a correction of what was recorded before

    def audit_detail(self) -> str:
        return f"{'recorded' if self.first else 'corrected'};fits={self.help_fits};fields={','.join(self.fields)}"

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return super().timeline_entries() if self.first else []


@dataclass(frozen=True, kw_only=True)
class ReviewCancelled(ReviewChange):
    AUDIT = ("delete", "plan_review")


@dataclass(frozen=True, kw_only=True)
class PlanAgreed(_PlanChange):
    """A version of the plan agreed (object: the PlanVersion)."""

    AUDIT = ("create", "plan_version")
    TIMELINE = "plan_agreed"
    number: int
    decision_id: Optional[int] = None

    def audit_detail(self) -> str:
        return f"number={self.number}" + (f";decision={self.decision_id}" if self.decision_id else "")


@dataclass(frozen=True, kw_only=True)
class FittingHelpStarted(_PlanChange):
    """Fitting help started (object: the plan); the lifecycle step to monitoring follows."""

    AUDIT = ("update", "plan")
    TIMELINE = "fitting_help_started"
    what: str = ""

    def audit_detail(self) -> str:
        return "fitting_help_started"

    def timeline_summary(self) -> str:
        return self.what
