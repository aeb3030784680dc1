"""What changes in erasure and retention. Every step is audited; the details hold codes, ids and
counts only (never the requester's name or a reason's text). None of these write the case timeline:
an erased case has none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ret_app.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class _Change(DomainEvent):
    object_id: Any = None
    case_id: Optional[int] = None
    detail: str = ""

    @property
    def audit_object_id(self) -> Any:
        return self.object_id

    @property
    def audit_case_id(self) -> Optional[int]:
        return self.case_id

    def audit_detail(self) -> str:
        return self.detail


@dataclass(frozen=True, kw_only=True)
class ErasureRequested(_Change):
    AUDIT = ("create", "erasure_request")


@dataclass(frozen=True, kw_only=True)
class ErasureDecided(_Change):
    AUDIT = ("update", "erasure_request")


@dataclass(frozen=True, kw_only=True)
class CaseErased(_Change):
    """The eraser ran: detail = why and the counts of what was removed."""

    AUDIT = ("delete", "case")


@dataclass(frozen=True, kw_only=True)
class HoldPlaced(_Change):
    AUDIT = ("create", "legal_hold")


@dataclass(frozen=True, kw_only=True)
class HoldLifted(_Change):
    AUDIT = ("update", "legal_hold")


@dataclass(frozen=True, kw_only=True)
class RetentionChanged(_Change):
    AUDIT = ("update", "retention")


@dataclass(frozen=True, kw_only=True)
class DestructionListDrafted(_Change):
    AUDIT = ("create", "destruction_list")


@dataclass(frozen=True, kw_only=True)
class DestructionEntryRemoved(_Change):
    AUDIT = ("update", "destruction_entry")


@dataclass(frozen=True, kw_only=True)
class DestructionListApproved(_Change):
    AUDIT = ("update", "destruction_list")


@dataclass(frozen=True, kw_only=True)
class DestructionListDone(_Change):
    AUDIT = ("update", "destruction_list")
