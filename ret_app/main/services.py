"""The start page's own cards: the user's region (with its collective) and, for network
organisations, the regions that escalate to their network. The other cards come from the
capabilities that own them (`Capability.start_card`)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.models import Organisation, Region, User
from ret_app.policy import Permission, can


def region_card(user: User) -> Optional[dict]:
    region = user.organisation.region if user.organisation else None
    if region is None:
        return None
    collective = []
    if can(Permission.SEE_COLLECTIVE, user):
        collective = list(db.session.scalars(
            select(Organisation).where(Organisation.region_id == region.id, Organisation.collective_member.is_(True),
                                       Organisation.active.is_(True))
            .order_by(Organisation.name)))
    return {"region": region, "collective": collective}


def network_card(user: User) -> Optional[dict]:
    if user.organisation is None or user.organisation.network_id is None:
        return None
    regions = list(db.session.scalars(
        select(Region).where(Region.network_id == user.organisation.network_id).order_by(Region.name)))
    return {"network": user.organisation.network, "network_regions": regions} if regions else None


def database_time() -> datetime:
    """The database's clock: the one query of the benchmark's floor page."""
    return db.session.scalar(select(func.now()))
