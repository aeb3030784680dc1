"""What changes in a referral: one event per change; the audit trail records each (field names and
codes only, never what was typed) and the case timeline shows the ones that matter to the work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.cases.events import CaseChange


@dataclass(frozen=True, kw_only=True)
class ReferralStarted(CaseChange):
    AUDIT = ("create", "case")
    TIMELINE = "referral_created"

    def audit_detail(self) -> str:
        return "referral_concept"


@dataclass(frozen=True, kw_only=True)
class ReferralSaved(CaseChange):
    AUDIT = ("update", "case")
    fields: tuple[str, ...]

    def audit_detail(self) -> str:
        return "referral fields=" + ",".join(self.fields)


@dataclass(frozen=True, kw_only=True)
class _ObjectChange(CaseChange):
    object_id: Any

    @property
    def audit_object_id(self) -> Any:
        return self.object_id


@dataclass(frozen=True, kw_only=True)
class FamilyMemberAdded(_ObjectChange):
    AUDIT = ("create", "family_member")
    authority: bool

    def audit_detail(self) -> str:
        return "authority=" + ("yes" if self.authority else "no")


@dataclass(frozen=True, kw_only=True)
class FamilyMemberChanged(_ObjectChange):
    AUDIT = ("update", "family_member")
    fields: tuple[str, ...]

    def audit_detail(self) -> str:
        return "fields=" + ",".join(self.fields)


@dataclass(frozen=True, kw_only=True)
class FamilyMemberRemoved(_ObjectChange):
    AUDIT = ("delete", "family_member")


@dataclass(frozen=True, kw_only=True)
class PriorHelpAdded(_ObjectChange):
    AUDIT = ("create", "prior_help")


@dataclass(frozen=True, kw_only=True)
class PriorHelpRemoved(_ObjectChange):
    AUDIT = ("delete", "prior_help")


@dataclass(frozen=True, kw_only=True)
class ConsentRecorded(_ObjectChange):
    AUDIT = ("create", "consent")
    TIMELINE = "consent_recorded"
    scope: str
    role: str
    kind: str
    summary: str  # "Consent for RET by the youth": the timeline's words

    def audit_detail(self) -> str:
        return f"scope={self.scope};role={self.role};form={self.kind}"

    def timeline_summary(self) -> str:
        return self.summary


@dataclass(frozen=True, kw_only=True)
class ConsentWithdrawn(_ObjectChange):
    AUDIT = ("update", "consent")
    TIMELINE = "consent_withdrawn"
    scope: str
    summary: str

    def audit_detail(self) -> str:
        return f"withdrawn;scope={self.scope}"

    def timeline_summary(self) -> str:
        return self.summary


@dataclass(frozen=True, kw_only=True)
class LegalGroundRecorded(_ObjectChange):
    AUDIT = ("create", "legal_ground")
    TIMELINE = "legal_ground_recorded"
    scope: str
    summary: str  # the reason itself stays on the legal ground: free text could hold a BSN

    def audit_detail(self) -> str:
        return f"scope={self.scope}"

    def timeline_summary(self) -> str:
        return self.summary


@dataclass(frozen=True, kw_only=True)
class LegalGroundEnded(_ObjectChange):
    AUDIT = ("update", "legal_ground")
    TIMELINE = "legal_ground_ended"
    scope: str
    summary: str

    def audit_detail(self) -> str:
        return f"ended;scope={self.scope}"

    def timeline_summary(self) -> str:
        return self.summary


@dataclass(frozen=True, kw_only=True)
class AttachmentAdded(_ObjectChange):
    AUDIT = ("create", "attachment")
    TIMELINE = "attachment_added"
    content_type: str
    size: int
    summary: str  # the file name with long numbers masked

    def audit_detail(self) -> str:
        return f"type={self.content_type};size={self.size}"

    def timeline_summary(self) -> str:
        return self.summary


@dataclass(frozen=True, kw_only=True)
class AttachmentRemoved(_ObjectChange):
    AUDIT = ("delete", "attachment")
    TIMELINE = "attachment_removed"
    summary: str

    def timeline_summary(self) -> str:
        return self.summary
