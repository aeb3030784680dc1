"""What changes in outcomes and the gap taxonomy: one event per change. The audit trail records each
(codes, counts and field names, never what was typed); an outcome's events also put an entry on the
case timeline (labels: capability.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.cases.events import CaseChange
from ret_app.kernel.events import DomainEvent


# --- a case's outcome ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class _OutcomeChange(CaseChange):
    outcome: Any  # CaseOutcome
    categories: tuple[str, ...] = ()  # the codes of the gap categories it names

    @property
    def audit_object_id(self) -> Any:
        return self.outcome.id

    def _counts(self) -> str:
        o = self.outcome
        return (f"result={o.result};help={len(o.helps)};gaps={len(o.gaps)};"
                f"categories={','.join(sorted(set(self.categories)))}")


@dataclass(frozen=True, kw_only=True)
class OutcomeRecorded(_OutcomeChange):
    """The outcome was recorded for the first time (the case may close now)."""

    AUDIT = ("create", "case_outcome")
    TIMELINE = "outcome_recorded"

    def audit_detail(self) -> str:
        return self._counts()


@dataclass(frozen=True, kw_only=True)
class OutcomeChanged(_OutcomeChange):
    """The outcome was corrected (before the case closed)."""

    AUDIT = ("update", "case_outcome")
    TIMELINE = "outcome_changed"
    fields: tuple[str, ...] = ()

    def audit_detail(self) -> str:
        return f"{self._counts()};fields=" + ",".join(self.fields)


# --- the gap taxonomy --------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class _GapCategoryChange(DomainEvent):
    category_id: int
    region_id: int
    code: str

    @property
    def audit_object_id(self) -> Any:
        return self.category_id

    def _where(self) -> str:
        return f"region={self.region_id};code={self.code}"


@dataclass(frozen=True, kw_only=True)
class GapCategoryAdded(_GapCategoryChange):
    AUDIT = ("create", "gap_category")

    def audit_detail(self) -> str:
        return self._where()


@dataclass(frozen=True, kw_only=True)
class GapCategoryChanged(_GapCategoryChange):
    AUDIT = ("update", "gap_category")
    fields: tuple[str, ...]

    def audit_detail(self) -> str:
        return f"{self._where()};fields=" + ",".join(self.fields)


@dataclass(frozen=True, kw_only=True)
class GapCategoryRetired(_GapCategoryChange):
    AUDIT = ("update", "gap_category")

    def audit_detail(self) -> str:
        return f"{self._where()};retired"


@dataclass(frozen=True, kw_only=True)
class GapCategoryReactivated(_GapCategoryChange):
    AUDIT = ("update", "gap_category")

    def audit_detail(self) -> str:
        return f"{self._where()};reactivated"


@dataclass(frozen=True, kw_only=True)
class TaxonomySeeded(DomainEvent):
    """A region got the default gap taxonomy (a new region, the demo)."""

    AUDIT = ("create", "gap_taxonomy")
    region_id: int
    count: int

    @property
    def audit_object_id(self) -> Any:
        return self.region_id

    def audit_detail(self) -> str:
        return f"region={self.region_id};count={self.count}"
