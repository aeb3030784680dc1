"""What changes in the care-type catalogue: one event per change. The audit trail records each (the
region, the code and the names of the fields, never the texts typed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class _CareTypeChange(DomainEvent):
    care_type_id: int
    region_id: int
    code: str

    @property
    def audit_object_id(self) -> Any:
        return self.care_type_id

    def _where(self) -> str:
        return f"region={self.region_id};code={self.code}"


@dataclass(frozen=True, kw_only=True)
class CareTypeAdded(_CareTypeChange):
    AUDIT = ("create", "care_type")

    def audit_detail(self) -> str:
        return self._where()


@dataclass(frozen=True, kw_only=True)
class CareTypeChanged(_CareTypeChange):
    AUDIT = ("update", "care_type")
    fields: tuple[str, ...]

    def audit_detail(self) -> str:
        return f"{self._where()};fields=" + ",".join(self.fields)


@dataclass(frozen=True, kw_only=True)
class CareTypeRetired(_CareTypeChange):
    AUDIT = ("update", "care_type")

    def audit_detail(self) -> str:
        return f"{self._where()};retired"


@dataclass(frozen=True, kw_only=True)
class CareTypeReactivated(_CareTypeChange):
    AUDIT = ("update", "care_type")

    def audit_detail(self) -> str:
        return f"{self._where()};reactivated"


@dataclass(frozen=True, kw_only=True)
class CareTypeRemoved(_CareTypeChange):
    AUDIT = ("delete", "care_type")

    def audit_detail(self) -> str:
        return self._where()


@dataclass(frozen=True, kw_only=True)
class CatalogueSeeded(DomainEvent):
    """A region got the default catalogue (a new region, the demo)."""

    AUDIT = ("create", "care_type_catalogue")
    region_id: int
    count: int

    @property
    def audit_object_id(self) -> Any:
        return self.region_id

    def audit_detail(self) -> str:
        return f"region={self.region_id};count={self.count}"
