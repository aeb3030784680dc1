"""What changes in requests and commitments: one event per change, each about one case. The audit
trail records it (ids and codes only, never what was typed); the case timeline shows it (labels:
capability.py). Other domains react to them: accepting makes the provider a participant of the case
(subscriber in services.py), and the stored next due date of the case follows the open requests'
reply-by dates (`services.request_due`, registered as a due source)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.cases.events import CaseChange


@dataclass(frozen=True, kw_only=True)
class _RequestChange(CaseChange):
    request: Any  # ProviderRequest
    provider_name: str = ""  # what the timeline shows

    @property
    def audit_object_id(self) -> Any:
        return self.request.id

    def timeline_summary(self) -> str:
        return self.provider_name


@dataclass(frozen=True, kw_only=True)
class RequestMade(_RequestChange):
    """The process director asked a provider for a role on the case (a reply-by date: a due date)."""

    AUDIT = ("create", "provider_request")
    TIMELINE = "request_made"

    def audit_detail(self) -> str:
        r = self.request
        return f"provider={r.organisation_id};role={r.role};care_type={r.care_type};reply_by={r.reply_by.isoformat()}"


@dataclass(frozen=True, kw_only=True)
class RequestAccepted(_RequestChange):
    AUDIT = ("update", "provider_request")
    TIMELINE = "request_accepted"

    def audit_detail(self) -> str:
        return f"step=accept;provider={self.request.organisation_id}"


@dataclass(frozen=True, kw_only=True)
class RequestDeclined(_RequestChange):
    AUDIT = ("update", "provider_request")
    TIMELINE = "request_declined"

    def audit_detail(self) -> str:
        return f"step=decline;provider={self.request.organisation_id};reason={self.request.decline_reason}"


@dataclass(frozen=True, kw_only=True)
class RequestWithdrawn(_RequestChange):
    AUDIT = ("update", "provider_request")
    TIMELINE = "request_withdrawn"

    def audit_detail(self) -> str:
        return f"step=withdraw;provider={self.request.organisation_id}"


@dataclass(frozen=True, kw_only=True)
class CommitmentStarted(_RequestChange):
    AUDIT = ("update", "provider_request")
    TIMELINE = "commitment_started"

    def audit_detail(self) -> str:
        return f"step=start;provider={self.request.organisation_id}"


@dataclass(frozen=True, kw_only=True)
class CommitmentEnded(_RequestChange):
    AUDIT = ("update", "provider_request")
    TIMELINE = "commitment_ended"

    def audit_detail(self) -> str:
        return f"step=end;provider={self.request.organisation_id}"
