"""What changes in the collective: one event per change. The audit trail records each (ids, codes and
field names only, never what was typed); none of them is about a case, so none goes on a timeline.
Other domains may react (the start pages' stale-capacity counts, the suggestions) by subscribing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ProviderProfileSaved(DomainEvent):
    """A provider member saved their organisation's profile."""

    AUDIT = ("update", "provider_profile")
    organisation_id: int
    fields: tuple[str, ...]

    @property
    def audit_object_id(self) -> Any:
        return self.organisation_id

    def audit_detail(self) -> str:
        return "fields=" + ",".join(self.fields)


@dataclass(frozen=True, kw_only=True)
class ProviderProfileCreated(ProviderProfileSaved):
    """The profile's first save."""

    AUDIT = ("create", "provider_profile")


@dataclass(frozen=True, kw_only=True)
class ProviderContactAdded(DomainEvent):
    AUDIT = ("create", "provider_contact")
    organisation_id: int
    contact_id: int

    @property
    def audit_object_id(self) -> Any:
        return self.contact_id

    def audit_detail(self) -> str:
        return f"provider={self.organisation_id}"


@dataclass(frozen=True, kw_only=True)
class ProviderContactRemoved(ProviderContactAdded):
    AUDIT = ("delete", "provider_contact")


@dataclass(frozen=True, kw_only=True)
class CapacityUpdated(DomainEvent):
    """A provider member updated (or confirmed: nothing changed) one capacity entry; the history row
    is written with it."""

    AUDIT = ("update", "capacity_entry")
    organisation_id: int
    entry_id: int
    care_type: str
    fields: tuple[str, ...]  # the values that changed (none: the values were confirmed as they stand)

    @property
    def audit_object_id(self) -> Any:
        return self.entry_id

    def audit_detail(self) -> str:
        detail = f"provider={self.organisation_id};care_type={self.care_type}"
        return detail + (";fields=" + ",".join(self.fields) if self.fields else ";confirmed")


@dataclass(frozen=True, kw_only=True)
class CapacityRegistered(CapacityUpdated):
    """The first update of a provider's capacity for a care type: the entry is created."""

    AUDIT = ("create", "capacity_entry")
