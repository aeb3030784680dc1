"""The collective's lists, scoped by the policy's SQL twins, filtered, sorted and paged in SQL, with
what each row shows loaded up front (the query count does not grow with the rows):

* the region's providers with their profiles (`providers_page`);
* the capacity overview, care type x provider, with freshness (`overview_page`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Select, and_, case, select
from sqlalchemy.orm import contains_eager, selectinload

from ret_app import policy
from ret_app.collective import care_types
from ret_app.collective.freshness import Rule
from ret_app.extensions import db
from ret_app.models import (
    CapacityEntry,
    Organisation,
    ProviderCareType,
    ProviderExpertise,
    ProviderProfile,
    User,
)
from ret_app.paging import Page

PER_PAGE = 50


def _rows_page(stmt: Select, page: int, per_page: int) -> Page:
    """paging.paginate for rows of several entities (one extra row tells whether a next page exists)."""
    page = max(1, page)
    rows = db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(rows[:per_page], page, per_page, len(rows) > per_page)


@dataclass(frozen=True)
class ProviderFilters:
    expertise: str = ""  # an expertise area code
    care_type: str = ""
    crisis: bool = False  # only providers whose crisis service can be called

    def active(self) -> list[str]:
        return [name for name in ("expertise", "care_type", "crisis") if getattr(self, name)]


def providers_page(user: User, filters: ProviderFilters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The region's collective providers the user may see, by name; rows (Organisation, profile or
    None) with the profile's expertise, care types and contacts loaded."""
    stmt = (select(Organisation, ProviderProfile)
            .outerjoin(ProviderProfile, ProviderProfile.organisation_id == Organisation.id)
            .where(policy.visible_providers_clause(user))
            .options(selectinload(ProviderProfile.expertise), selectinload(ProviderProfile.care_types),
                     selectinload(ProviderProfile.contacts))
            .order_by(Organisation.name, Organisation.id))
    if filters.expertise:
        stmt = stmt.where(select(ProviderExpertise.id).where(
            ProviderExpertise.organisation_id == Organisation.id, ProviderExpertise.area == filters.expertise).exists())
    if filters.care_type:
        stmt = stmt.where(select(ProviderCareType.id).where(
            ProviderCareType.organisation_id == Organisation.id,
            ProviderCareType.care_type == filters.care_type).exists())
    if filters.crisis:
        stmt = stmt.where(ProviderProfile.crisis_available.is_(True))
    return _rows_page(stmt, page, per_page)


def region_providers(user: User) -> list[Organisation]:
    """The region's collective providers the user may see (a filter's choices)."""
    return list(db.session.scalars(select(Organisation).where(policy.visible_providers_clause(user))
                                   .order_by(Organisation.name)))


def care_type_order(user: User):
    """An ORDER BY term: care types in the order of the region's catalogue."""
    positions = care_types.positions(policy.region_of(user))
    return case(positions, value=ProviderCareType.care_type, else_=len(positions))


@dataclass(frozen=True)
class OverviewFilters:
    care_type: str = ""
    provider_id: Optional[int] = None
    with_places: bool = False  # only entries with places available now
    only_stale: bool = False  # only stale entries and care types never filled in

    def active(self) -> list[str]:
        return [name for name in ("care_type", "provider_id", "with_places", "only_stale") if getattr(self, name)]


def overview_page(user: User, filters: OverviewFilters, rule: Rule, page: int = 1,
                  per_page: int = PER_PAGE) -> Page:
    """Care type x provider for the user's region: every care type a collective provider offers,
    with its capacity entry (None: never filled in), by care type (in the catalogue's order) and
    provider. Rows are
    ProviderCareType with `organisation`, `entry` and the entry's `updated_by` loaded."""
    if not policy.sees_capacity_overview(user):
        return Page([], 1, per_page, False)
    stmt = (select(ProviderCareType)
            .join(Organisation, Organisation.id == ProviderCareType.organisation_id)
            .outerjoin(CapacityEntry, and_(CapacityEntry.organisation_id == ProviderCareType.organisation_id,
                                           CapacityEntry.care_type == ProviderCareType.care_type))
            .where(policy.visible_providers_clause(user))
            .options(contains_eager(ProviderCareType.organisation),
                     contains_eager(ProviderCareType.entry).joinedload(CapacityEntry.updated_by))
            .order_by(care_type_order(user), Organisation.name, ProviderCareType.id))
    if filters.care_type:
        stmt = stmt.where(ProviderCareType.care_type == filters.care_type)
    if filters.provider_id is not None:
        stmt = stmt.where(Organisation.id == filters.provider_id)
    if filters.with_places:
        stmt = stmt.where(CapacityEntry.places_available > 0)
    if filters.only_stale:
        stmt = stmt.where(rule.stale_clause(CapacityEntry.updated_at))
    page_ = _rows_page(stmt, page, per_page)
    return Page([row[0] for row in page_.items], page_.page, page_.per_page, page_.has_next)
