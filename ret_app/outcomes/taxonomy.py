"""The gap taxonomy per region: what the outcome form offers and validates, and what the administrator
changes (add, rename and describe, order, retire, reactivate). Flush, never commit; one event per change.

Outcome gaps keep the category's id. A category is valid for *new* input when it is of the case's region
and active; a retired one stays valid and readable on the outcomes that have it (`keep`), so that
correcting such an outcome never loses it.

    catalogue(region_id)            -> [GapCategory]      every category, in order (one query)
    choices(region_id, keep=())     -> [(id, name)]       active ones, plus the ids in `keep`
    validate(region_id, id, field)  -> GapCategory, or RuleError next to the field
    seed_defaults(region_id)        -> how many were added (a new region, the demo)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import GapCategory, Region, User
from ret_app.models.outcomes import GAP_CODE_LENGTH
from ret_app.outcomes.defaults import DEFAULT_GAP_CATEGORIES, POSITION_STEP
from ret_app.outcomes.events import (
    GapCategoryAdded,
    GapCategoryChanged,
    GapCategoryReactivated,
    GapCategoryRetired,
    TaxonomySeeded,
)

CODE_PATTERN = re.compile(rf"^[a-z][a-z0-9_]{{1,{GAP_CODE_LENGTH - 1}}}$")
EDITABLE = ("name", "description", "position")
CHOOSE = _l("Choose a category for this gap.")


def catalogue(region_id: int) -> list[GapCategory]:
    """Every category of the region, retired ones too, in the taxonomy's order (one query)."""
    return list(db.session.scalars(select(GapCategory).where(GapCategory.region_id == region_id)
                                   .order_by(GapCategory.position, GapCategory.name, GapCategory.id)))


def choices(categories: Iterable[GapCategory], keep: Iterable[int] = ()) -> list[tuple[str, str]]:
    """(id as text, name) of the active categories in order, plus those in `keep` (what an outcome holds
    already) marked as no longer in use."""
    keep = set(keep)
    out = []
    for category in categories:
        if category.active:
            out.append((str(category.id), category.name))
        elif category.id in keep:
            out.append((str(category.id), _("%(name)s (no longer in use)", name=category.name)))
    return out


def validate(region_id: int, category_id: Optional[int], field: str, *, keep: Iterable[int] = ()) -> GapCategory:
    """The category, or a refusal next to `field`: none chosen, not of this region, or retired (unless the
    outcome holds it already: `keep`)."""
    if not category_id:
        raise RuleError(CHOOSE, field)
    category = db.session.get(GapCategory, category_id)
    if category is None or category.region_id != region_id:
        raise RuleError(_l("This category is not in the gap taxonomy of this region. Choose one from the list."),
                        field)
    if not category.active and category_id not in set(keep):
        raise RuleError(_l("%(name)s is no longer in use. Choose another category.", name=category.name), field)
    return category


# --- defaults -------------------------------------------------------------------------------------------

def default_taxonomy(region_id: int, without: Iterable[str] = ()) -> list[GapCategory]:
    """The default categories (defaults.py) as new rows of the region, leaving out the codes in `without`
    (nothing added to the session: test factories add them as they add regions)."""
    skip = set(without)
    return [GapCategory(region_id=region_id, code=default.code, name=default.name, description=default.description,
                        active=True, position=POSITION_STEP * number)
            for number, default in enumerate(DEFAULT_GAP_CATEGORIES, start=1) if default.code not in skip]


def seed_defaults(region_id: int, actor: Optional[User] = None) -> int:
    """Give the region the default taxonomy: the codes it lacks are added, what it has is left alone."""
    have = set(db.session.scalars(select(GapCategory.code).where(GapCategory.region_id == region_id)))
    added = default_taxonomy(region_id, without=have)
    if not added:
        return 0
    db.session.add_all(added)
    db.session.flush()
    events.emit(TaxonomySeeded(actor=actor, region_id=region_id, count=len(added)))
    return len(added)


# --- the administrator's changes -------------------------------------------------------------------------

def in_use(region_id: int) -> set[int]:
    """The ids of the region's categories that outcomes name (one query)."""
    from ret_app.models import OutcomeGap

    return set(db.session.scalars(select(OutcomeGap.gap_category_id).distinct().join(
        GapCategory, GapCategory.id == OutcomeGap.gap_category_id).where(GapCategory.region_id == region_id)))


def _next_position(region_id: int) -> int:
    highest = db.session.scalar(select(func.max(GapCategory.position)).where(GapCategory.region_id == region_id))
    return (highest or 0) + POSITION_STEP


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    description = (data.get("description") or "").strip()
    return {"name": (data.get("name") or "").strip(), "description": description or None,
            "position": data.get("position")}


def _name_taken(region_id: int, name: str, exclude_id: Optional[int]) -> bool:
    stmt = select(GapCategory.id).where(GapCategory.region_id == region_id,
                                        func.lower(GapCategory.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(GapCategory.id != exclude_id)
    return db.session.scalar(stmt) is not None


def add(region: Region, data: Mapping[str, Any], actor: User) -> GapCategory:
    """A new category for the region; every problem at once (code format and uniqueness, the name)."""
    code = (data.get("code") or "").strip().lower()
    values = _clean(data)
    errors: dict[Optional[str], Any] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = _l("A code is 2 to %(max)d characters: lowercase letters, digits and _, starting with a "
                            "letter (for example no_living_place).", max=GAP_CODE_LENGTH)
    elif db.session.scalar(select(GapCategory.id).where(GapCategory.region_id == region.id, GapCategory.code == code)):
        errors["code"] = _l("This region has a gap category with this code already.")
    if not values["name"]:
        errors["name"] = _l("Enter the name of the category.")
    elif _name_taken(region.id, values["name"], None):
        errors["name"] = _l("This region has a gap category with this name already.")
    if errors:
        raise RuleError.many(errors)
    category = GapCategory(region_id=region.id, code=code, name=values["name"], description=values["description"],
                           active=True, position=values["position"] if values["position"] is not None
                           else _next_position(region.id))
    db.session.add(category)
    db.session.flush()
    events.emit(GapCategoryAdded(actor=actor, category_id=category.id, region_id=region.id, code=code))
    return category


def _check_version(category: GapCategory, loaded_version: Any) -> None:
    """Someone else saved this category after the form was loaded: Conflict, nothing written."""
    if loaded_version is None or loaded_version == "":
        return
    if str(loaded_version) != str(category.version):
        raise Conflict(detail={name: getattr(category, name) for name in (*EDITABLE, "active")})


def update(category: GapCategory, data: Mapping[str, Any], actor: User, loaded_version: Any = None) -> list[str]:
    """Rename, describe, move (the code never changes). Returns the names of the fields that changed."""
    _check_version(category, loaded_version)
    values = _clean(data)
    if not values["name"]:
        raise RuleError(_l("Enter the name of the category."), "name")
    if _name_taken(category.region_id, values["name"], category.id):
        raise RuleError(_l("This region has a gap category with this name already."), "name")
    if values["position"] is None:
        values["position"] = category.position
    changed = [name for name in EDITABLE if getattr(category, name) != values[name]]
    for name in changed:
        setattr(category, name, values[name])
    if changed:
        db.session.flush()
        events.emit(GapCategoryChanged(actor=actor, category_id=category.id, region_id=category.region_id,
                                       code=category.code, fields=tuple(changed)))
    return changed


def retire(category: GapCategory, actor: User, loaded_version: Any = None) -> bool:
    """No longer offered for new outcomes; the outcomes that name it keep it. False when it was retired
    already. The region keeps at least one category in use."""
    _check_version(category, loaded_version)
    if not category.active:
        return False
    others = db.session.scalar(select(func.count(GapCategory.id)).where(
        GapCategory.region_id == category.region_id, GapCategory.active.is_(True), GapCategory.id != category.id))
    if not others:
        raise RuleError(_l("This is the region's last gap category in use: add or reactivate another first."))
    category.active = False
    db.session.flush()
    events.emit(GapCategoryRetired(actor=actor, category_id=category.id, region_id=category.region_id,
                                   code=category.code))
    return True


def reactivate(category: GapCategory, actor: User, loaded_version: Any = None) -> bool:
    """Offered again for new outcomes. False when it was in use already."""
    _check_version(category, loaded_version)
    if category.active:
        return False
    category.active = True
    db.session.flush()
    events.emit(GapCategoryReactivated(actor=actor, category_id=category.id, region_id=category.region_id,
                                       code=category.code))
    return True
