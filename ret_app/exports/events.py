"""What happens to an export job: requested, made, failed, downloaded, its file removed when it
expired. The audit detail holds the kind, the params (ids, dates, codes), sizes and error types only,
never a name or what the file contains."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ret_app.exports import params as export_params
from ret_app.kernel.events import DomainEvent
from ret_app.models import ExportJob


@dataclass(frozen=True, kw_only=True)
class _JobEvent(DomainEvent):
    job: ExportJob

    @property
    def audit_object_id(self) -> Any:
        return self.job.id


@dataclass(frozen=True, kw_only=True)
class ExportRequested(_JobEvent):
    AUDIT = ("create", "export_job")

    def audit_detail(self) -> str:
        described = export_params.detail(self.job.params or {})
        return f"kind={self.job.kind}" + (f";{described}" if described else "")


@dataclass(frozen=True, kw_only=True)
class ExportMade(_JobEvent):
    AUDIT = ("update", "export_job")

    def audit_detail(self) -> str:
        return f"kind={self.job.kind};status=done;size={self.job.size or 0}"


@dataclass(frozen=True, kw_only=True)
class ExportFailed(_JobEvent):
    AUDIT = ("update", "export_job")
    error: Optional[str] = None  # the error's type (None: the render refused, its reason shown)

    def audit_detail(self) -> str:
        return f"kind={self.job.kind};status=failed;" + (f"error={self.error}" if self.error else "refused")


@dataclass(frozen=True, kw_only=True)
class ExportDownloaded(_JobEvent):
    AUDIT = ("export", "export_job")

    def audit_detail(self) -> str:
        return f"kind={self.job.kind};size={self.job.size or 0}"


@dataclass(frozen=True, kw_only=True)
class ExportRemoved(_JobEvent):
    """The file was removed: the job expired (the system, no actor)."""

    AUDIT = ("delete", "export_job")

    def audit_detail(self) -> str:
        return f"kind={self.job.kind};expired"
