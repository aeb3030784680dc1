"""Mandates: registering, revoking and reading them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from sqlalchemy import Select, select

from ret_app import audit
from ret_app.extensions import db
from ret_app.models import Mandate, MandateStatus, User
from ret_app.kernel.dates import utcnow
from ret_app.kernel import dates

EXPIRY_WARNING_DAYS = 30


def mandates_of(user: User) -> list[Mandate]:
    return list(db.session.scalars(
        select(Mandate).where(Mandate.holder_id == user.id)
        .order_by(Mandate.revoked_at.is_not(None), Mandate.valid_until.desc())
    ))


def expiring_soon(mandate: Mandate, today: Optional[date] = None) -> bool:
    today = today or dates.today()
    return (mandate.status_on(today) is MandateStatus.VALID
            and mandate.valid_until <= today + timedelta(days=EXPIRY_WARNING_DAYS))


def mandate_list_query(*, municipality_id: Optional[int] = None, status: Optional[str] = None,
                       today: Optional[date] = None) -> Select:
    today = today or dates.today()
    stmt = select(Mandate).join(Mandate.holder).order_by(Mandate.valid_until.desc(), Mandate.id.desc())
    if municipality_id:
        stmt = stmt.where(Mandate.municipality_id == municipality_id)
    if status == MandateStatus.REVOKED:
        stmt = stmt.where(Mandate.revoked_at.is_not(None))
    elif status == MandateStatus.VALID:
        stmt = stmt.where(Mandate.revoked_at.is_(None), Mandate.valid_from <= today, Mandate.valid_until >= today)
    elif status == MandateStatus.EXPIRED:
        stmt = stmt.where(Mandate.revoked_at.is_(None), Mandate.valid_until < today)
    elif status == MandateStatus.NOT_YET_VALID:
        stmt = stmt.where(Mandate.revoked_at.is_(None), Mandate.valid_from > today)
    return stmt


def register_mandate(data: dict, actor: User) -> Mandate:
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
    )
    db.session.add(mandate)
    db.session.flush()
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
