"""All models, imported here so that Alembic and the app see one metadata."""

from ret_app.models.audit import AuditEvent, AuditHead
from ret_app.models.base import Base
from ret_app.models.mandates import CareType, Mandate, MandateStatus
from ret_app.models.organisations import Municipality, Network, Organisation, OrganisationKind, Region
from ret_app.models.users import (
    ActivationPurpose,
    ActivationToken,
    AuthThrottle,
    RecoveryCode,
    Role,
    User,
    WebSession,
)

__all__ = [
    "ActivationPurpose",
    "ActivationToken",
    "AuditEvent",
    "AuditHead",
    "AuthThrottle",
    "Base",
    "CareType",
    "Mandate",
    "MandateStatus",
    "Municipality",
    "Network",
    "Organisation",
    "OrganisationKind",
    "RecoveryCode",
    "Region",
    "Role",
    "User",
    "WebSession",
]
