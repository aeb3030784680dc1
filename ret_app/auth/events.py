"""Changes to a user's credentials, as events: other domains react to them after the commit (the
notifications tell the user by e-mail, ASVS V2.2.3). The audit trail records these changes already
in the services (audit.record), so the events carry no audit metadata.

`ActivationLinkIssued` carries the one-time link's token, in memory only, for the reaction that mails
it to the user: never audited, never logged, never stored readable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ret_app.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CredentialChanged(DomainEvent):
    user_id: int
    at: datetime


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(CredentialChanged):
    """The user changed their own password."""


@dataclass(frozen=True, kw_only=True)
class RecoveryCodesReplaced(CredentialChanged):
    """The user made new recovery codes (the old unused ones stopped working)."""


@dataclass(frozen=True, kw_only=True)
class ActivationLinkIssued(CredentialChanged):
    """A new one-time link: to activate the account ("activate") or, after an administrator reset the
    second factor, to set up a new one ("reset_2fa")."""

    purpose: str
    token: str = field(repr=False)
