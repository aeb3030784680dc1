"""Mandates: registering, revoking and reading them. Flush, never commit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ret_app import audit, policy
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.kernel import dates, submissions
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.models import Mandate, MandateStatus, Municipality, User

EXPIRY_WARNING_DAYS = 30


def mandates_of(user: User) -> list[Mandate]:
    """Every mandate of the holder (valid ones first, the latest end first), with its municipality."""
    return list(db.session.scalars(
        select(Mandate).where(Mandate.holder_id == user.id)
        .options(joinedload(Mandate.municipality))
        .order_by(Mandate.revoked_at.is_not(None), Mandate.valid_until.desc())
    ))


def own_mandates(user: User) -> list[Mandate]:
    """The holder's own mandates, for their page (the reading is audited)."""
    mandates = mandates_of(user)
    audit.record(audit.Action.READ, object_type="mandate_list", object_id=user.id, user=user,
                 detail="own_mandates")
    return mandates


def expiring_soon(mandate: Mandate, today: Optional[date] = None) -> bool:
    today = today or dates.today()
    return (mandate.status_on(today) is MandateStatus.VALID
            and mandate.valid_until <= today + timedelta(days=EXPIRY_WARNING_DAYS))


def register_mandate(data: dict, actor: User) -> Mandate:
    """A new mandate; refuses every objection at once. Its care types must be on offer in the
    catalogue of the municipality's region. The same form sent twice (its `submission_key`) registers one."""
    errors: dict = {}
    holder = db.session.get(User, data["holder_id"]) if data.get("holder_id") else None
    if holder is None or not policy.may_hold_mandate(holder):
        errors["holder_id"] = _l("Only caseworkers can hold a mandate.")
    municipality = db.session.get(Municipality, data["municipality_id"]) if data.get("municipality_id") else None
    if municipality is None:
        errors["municipality_id"] = _l("Choose the municipality that grants the mandate.")
    else:
        try:
            caretypes.validate_many(municipality.region_id, data.get("care_types") or [], "care_types")
        except RuleError as refused:
            errors.update(refused.errors)
    if errors:
        raise RuleError.many(errors)
    key = submissions.clean(data.get("submission_key"))
    done = submissions.find(Mandate, key, Mandate.created_by_id == actor.id)
    if done is not None:  # the same form sent twice: registered once
        return done
    mandate = Mandate(
        holder_id=data["holder_id"],
        municipality_id=data["municipality_id"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        ceiling_eur=Decimal(data["ceiling_eur"]),
        care_types=sorted(data["care_types"]),
        granted_by=data["granted_by"].strip(),
        document_reference=data["document_reference"].strip(),
        created_by_id=actor.id,
        submission_key=key,
    )

    mandate, created = submissions.add_once(Mandate, key, lambda: mandate, Mandate.created_by_id == actor.id)
    if not created:
        return mandate
    audit.record(audit.Action.CREATE, object_type="mandate", object_id=mandate.id,
                 detail=f"holder={mandate.holder_id};municipality={mandate.municipality_id}")
    return mandate


def revoke_mandate(mandate: Mandate, reason: str, actor: User) -> bool:
    if mandate.revoked_at is not None:
        return False
    mandate.revoked_at = utcnow()
    mandate.revoked_by_id = actor.id
    mandate.revoke_reason = reason.strip()
    audit.record(audit.Action.UPDATE, object_type="mandate", object_id=mandate.id, detail="revoked")
    return True
