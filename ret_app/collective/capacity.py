"""The capacity register: per provider x care type the places available now, places expected to come
free (from a date), the waiting time and a note, kept by the provider's own members. Every update is
kept as history (who, when, the values); saving the values unchanged confirms them (the entry is fresh
again). Flush, never commit; one event per update.

What other parts call:
* `fresh_for(region_id, care_type)`: the region's collective providers with fresh capacity for a care
  type (the suggestions' "fresh capacity");
* `freshness.rule_for(region_id)`: is an entry stale, in Python and in SQL;
* `stale_count(region_id)`: how many offered care types of the region's collective are stale or never
  filled in (the chair's start page).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from ret_app import policy
from ret_app.collective import care_types, freshness, rules
from ret_app.collective.events import CapacityRegistered, CapacityUpdated
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import CapacityEntry, CapacityUpdate, Organisation, ProviderCareType, User

VALUE_FIELDS = ("places_available", "expected_places", "expected_on", "waiting_weeks", "note")

NOT_YOURS = _l("Only a member of this provider updates its capacity.")
CHANGED_MEANWHILE = _l("Someone of your organisation updated this capacity while you were editing it. Nothing "
                       "of yours was saved yet: compare with what is saved now below, then save again to keep "
                       "your values.")


def entry_for(organisation_id: int, care_type: str) -> Optional[CapacityEntry]:
    return db.session.scalar(select(CapacityEntry).where(CapacityEntry.organisation_id == organisation_id,
                                                         CapacityEntry.care_type == care_type))


def offers(organisation_id: int, care_type: str) -> bool:
    """Does the provider's profile list the care type?"""
    return db.session.scalar(select(ProviderCareType.id).where(
        ProviderCareType.organisation_id == organisation_id, ProviderCareType.care_type == care_type)) is not None


def saved_values(entry: Optional[CapacityEntry]) -> Optional[dict[str, Any]]:
    """The entry's values as saved now, with who saved them and when (what a conflict shows)."""
    if entry is None:
        return None
    values = {name: getattr(entry, name) for name in VALUE_FIELDS}
    values["updated_at"] = entry.updated_at
    values["updated_by"] = entry.updated_by.name if entry.updated_by else None
    return values


def _clean(data: dict) -> dict[str, Any]:
    return {"places_available": data.get("places_available"), "expected_places": data.get("expected_places"),
            "expected_on": data.get("expected_on"), "waiting_weeks": data.get("waiting_weeks"),
            "note": (data.get("note") or "").strip()}


def update(organisation: Organisation, care_type: str, data: dict, actor: User, loaded_version: Optional[int],
           today: Optional[date] = None) -> CapacityEntry:
    """One update of the provider's capacity for `care_type` by one of its members: the entry is
    created on the first, every update (also one that changes nothing: a confirmation) is kept in
    the history and makes the entry fresh. `loaded_version` is the entry's version the form was
    loaded from (None: there was no entry yet); a newer one is a Conflict whose detail is what is
    saved now."""
    today = today or dates.today()
    if not policy.can_keep_provider(actor, organisation):
        raise RuleError(NOT_YOURS)
    values = _clean(data)
    errors = rules.capacity_problems(values, today)
    if not offers(organisation.id, care_type):
        errors[None] = rules.NOT_OFFERED
    if errors:
        raise RuleError.many(errors)
    entry = entry_for(organisation.id, care_type)
    if (entry.version if entry is not None else None) != loaded_version:
        raise Conflict(CHANGED_MEANWHILE, detail=saved_values(entry))
    now = utcnow()
    created = entry is None
    if created:
        entry = CapacityEntry(organisation_id=organisation.id, care_type=care_type)
        changed = [name for name in VALUE_FIELDS if values[name] not in (None, "")]
    else:
        changed = [name for name in VALUE_FIELDS if getattr(entry, name) != values[name]]
    for name in VALUE_FIELDS:
        setattr(entry, name, values[name])
    entry.updated_at = now
    entry.updated_by_id = actor.id
    if created:
        try:
            with db.session.begin_nested():
                db.session.add(entry)
                db.session.flush()
        except IntegrityError:  # another member registered it at the same moment
            raise Conflict(CHANGED_MEANWHILE, detail=saved_values(entry_for(organisation.id, care_type))) from None
    db.session.add(CapacityUpdate(entry=entry, recorded_at=now, recorded_by_id=actor.id,
                                  **{name: values[name] for name in VALUE_FIELDS}))
    db.session.flush()  # a concurrent update that won the race makes this a Conflict (stale version)
    event = CapacityRegistered if created else CapacityUpdated
    events.emit(event(actor=actor, organisation_id=organisation.id, entry_id=entry.id, care_type=care_type,
                      fields=tuple(changed)))
    return entry


def history(entry: CapacityEntry, limit: int = 50) -> list[CapacityUpdate]:
    """The entry's updates, the latest first, with who made each (one query)."""
    return list(db.session.scalars(
        select(CapacityUpdate).where(CapacityUpdate.entry_id == entry.id)
        .options(joinedload(CapacityUpdate.recorded_by))
        .order_by(CapacityUpdate.recorded_at.desc(), CapacityUpdate.id.desc()).limit(limit)))


def entries_of(organisation_id: int) -> dict[str, CapacityEntry]:
    """The provider's entries by care type (one query)."""
    return {entry.care_type: entry for entry in db.session.scalars(
        select(CapacityEntry).where(CapacityEntry.organisation_id == organisation_id)
        .options(joinedload(CapacityEntry.updated_by)))}


def fresh_for(region_id: int, care_type: str, today: Optional[date] = None) -> list[CapacityEntry]:
    """The region's collective providers' entries for `care_type` that are fresh today, with the
    organisation loaded, most places first (one query for the rule, one for the entries)."""
    rule = freshness.rule_for(region_id, today)
    return list(db.session.scalars(
        select(CapacityEntry).join(Organisation, Organisation.id == CapacityEntry.organisation_id)
        .join(ProviderCareType, and_(ProviderCareType.organisation_id == CapacityEntry.organisation_id,
                                     ProviderCareType.care_type == CapacityEntry.care_type))
        .where(policy.collective_providers_clause(), Organisation.region_id == region_id,
               CapacityEntry.care_type == care_type, rule.fresh_clause(CapacityEntry.updated_at))
        .options(joinedload(CapacityEntry.organisation))
        .order_by(CapacityEntry.places_available.desc(), Organisation.name)))


def stale_count(region_id: int, today: Optional[date] = None) -> int:
    """How many care types offered by the region's collective providers have a stale capacity entry
    or none at all."""
    rule = freshness.rule_for(region_id, today)
    return db.session.scalar(
        select(func.count(ProviderCareType.id))
        .join(Organisation, Organisation.id == ProviderCareType.organisation_id)
        .outerjoin(CapacityEntry, and_(CapacityEntry.organisation_id == ProviderCareType.organisation_id,
                                       CapacityEntry.care_type == ProviderCareType.care_type))
        .where(policy.collective_providers_clause(), Organisation.region_id == region_id,
               rule.stale_clause(CapacityEntry.updated_at))) or 0


def my_capacity(user: User) -> list[ProviderCareType]:
    """The care types the user's own organisation offers, each with its entry (for the start page),
    never-filled and then the longest not updated first. Empty for anyone who keeps no provider."""
    if user.organisation is None or not policy.can_keep_provider(user, user.organisation):
        return []
    positions = care_types.positions(user.organisation.region_id)
    return list(db.session.scalars(
        select(ProviderCareType).where(ProviderCareType.organisation_id == user.organisation_id)
        .outerjoin(CapacityEntry, and_(CapacityEntry.organisation_id == ProviderCareType.organisation_id,
                                       CapacityEntry.care_type == ProviderCareType.care_type))
        .options(contains_eager(ProviderCareType.entry).joinedload(CapacityEntry.updated_by))
        .order_by(CapacityEntry.updated_at.asc().nulls_first(),
                  case(positions, value=ProviderCareType.care_type, else_=len(positions)))))
