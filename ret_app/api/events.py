"""What changes in the API's tokens: one event per change, audited with the token's id, its
organisation and its expiry date — never the secret or any part of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from ret_app.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class _TokenChange(DomainEvent):
    token_id: int
    organisation_id: int

    @property
    def audit_object_id(self) -> Any:
        return self.token_id


@dataclass(frozen=True, kw_only=True)
class ApiTokenIssued(_TokenChange):
    AUDIT = ("create", "api_token")
    expires_on: date
    replaces_id: Optional[int] = None  # rotated: the token this one replaces

    def audit_detail(self) -> str:
        detail = f"organisation={self.organisation_id};expires={self.expires_on.isoformat()}"
        return detail + (f";replaces={self.replaces_id}" if self.replaces_id else "")


@dataclass(frozen=True, kw_only=True)
class ApiTokenRevoked(_TokenChange):
    AUDIT = ("update", "api_token")
    replaced_by_id: Optional[int] = None  # rotated: the token that replaces this one

    def audit_detail(self) -> str:
        detail = f"organisation={self.organisation_id};revoked"
        return detail + (f";replaced_by={self.replaced_by_id}" if self.replaced_by_id else "")
