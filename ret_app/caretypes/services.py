"""The care-type catalogue: what every capability asks (choices, names, validate) and what the
administrator changes (add, edit, retire, reactivate, remove an unused one). Flush, never commit; one
event per change.

Records keep the code string they were given (`Mandate.care_types`, `Decision.care_type`, and every
later `care_type` column). A code is valid for *new* input when the region's catalogue has it and it is
active; a retired code stays valid and readable on the records that have it (`keep`), so that editing
such a record never loses its value.

    choices(region_id, keep=())  -> [(code, name)]  active types in order, plus the codes in `keep`
    names(region_id)             -> {code: name}    every type of the region, retired ones too
    read(region_id)              -> Catalogue       both from one read (.choices(keep), .names)
    validate(region_id, code)    -> None, or RuleError next to the field
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, String, func, select

from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES, POSITION_STEP
from ret_app.caretypes.events import (
    CareTypeAdded,
    CareTypeChanged,
    CareTypeReactivated,
    CareTypeRemoved,
    CareTypeRetired,
    CatalogueSeeded,
)
from ret_app.extensions import db
from ret_app.kernel import events, request_cache
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import CareType, Case, Municipality, Organisation, Region, User
from ret_app.models.caretypes import CODE_LENGTH

CODE_PATTERN = re.compile(rf"^[a-z][a-z0-9_]{{1,{CODE_LENGTH - 1}}}$")
EDITABLE = ("name", "description", "position")


# --- what every capability asks ---------------------------------------------------------------

def _rows(region_id: int, *, active_only: bool = False) -> list[tuple[str, str, bool]]:
    """(code, name, active) of the region's catalogue in its order; read once per request (a page's
    panels and forms ask for its names and its choices: kernel.request_cache)."""
    rows = request_cache.remembered(("care_types", region_id), lambda: [tuple(row) for row in db.session.execute(
        select(CareType.code, CareType.name, CareType.active).where(CareType.region_id == region_id)
        .order_by(CareType.position, CareType.name, CareType.id))], watch=CareType)
    return [row for row in rows if row[2]] if active_only else list(rows)


def choices(region_id: int, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, name) of the region's active care types in the catalogue's order, plus each code in
    `keep` (a record's current value, perhaps retired since) so that editing the record keeps it. A
    kept retired type says so in its name; a kept code the catalogue does not know is shown as is."""
    return _choices(_rows(region_id), keep)


class Catalogue(NamedTuple):
    """A region's catalogue read once, for a page that needs its choices (for many records) and its
    names: the same answers as choices() and names()."""

    rows: list[tuple[str, str, bool]]

    def choices(self, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
        return _choices(self.rows, keep)

    @property
    def names(self) -> dict[str, str]:
        return {code: name for code, name, _active in self.rows}


def read(region_id: int) -> Catalogue:
    return Catalogue(_rows(region_id))


def _choices(rows: list[tuple[str, str, bool]], keep: Iterable[str]) -> list[tuple[str, str]]:
    keep = [code for code in dict.fromkeys(keep) if code]
    offered: list[tuple[str, str]] = []
    kept: dict[str, str] = {}
    for code, name, active in rows:
        if active:
            offered.append((code, name))
        elif code in keep:
            kept[code] = _("%(name)s (no longer offered)", name=name)
    offered_codes = {code for code, _name in offered}
    return offered + [(code, kept.get(code, code)) for code in keep if code not in offered_codes]


def names(region_id: int) -> dict[str, str]:
    """code -> name of every care type of the region, retired ones included (one query per request: the
    case page's panels each ask it; kernel.request_cache): for lists, pages and PDFs that show what
    records hold."""
    return read(region_id).names


def names_for(region_ids: Iterable[Optional[int]]) -> dict[int, dict[str, str]]:
    """region id -> names(region), for pages that show records of several regions (one query)."""
    wanted = {rid for rid in region_ids if rid is not None}
    found: dict[int, dict[str, str]] = {rid: {} for rid in wanted}
    if not wanted:
        return found
    stmt = (select(CareType.region_id, CareType.code, CareType.name).where(CareType.region_id.in_(wanted))
            .order_by(CareType.position, CareType.name, CareType.id))
    for region_id, code, name in db.session.execute(stmt):
        found[region_id][code] = name
    return found


def label(code: Optional[str], care_names: Optional[Mapping[str, str]]) -> str:
    """The name of `code` in `care_names` (from names()); the code itself when the catalogue has none,
    so that nothing a record holds is ever hidden. Template filter `care_type_label`."""
    if not code:
        return "—"
    return (care_names or {}).get(code, code)


def validate(region_id: int, code: Optional[str], field: str = "care_type", *, keep: Iterable[str] = ()) -> None:
    """Refuse (RuleError next to `field`) a code that is no active care type of the region: empty,
    unknown there, or retired. A code in `keep` (what the record holds already) stays valid even when
    retired."""
    if not code:
        raise RuleError(_l("Choose a care type."), field)
    row = db.session.execute(select(CareType.name, CareType.active).where(
        CareType.region_id == region_id, CareType.code == code)).first()
    if row is None:
        raise RuleError(_l("This care type is not in the catalogue of this region. Choose one from the list."), field)
    if not row.active and code not in set(keep):
        raise RuleError(_l("%(name)s is no longer offered in this region. Choose another care type.",
                           name=row.name), field)


def validate_many(region_id: int, codes: Iterable[str], field: str = "care_types", *,
                  keep: Iterable[str] = ()) -> None:
    """validate() for a list of codes (at least one): one message next to `field` naming the first
    code refused."""
    codes = [code for code in codes if code]
    if not codes:
        raise RuleError(_l("Choose at least one care type."), field)
    for code in dict.fromkeys(codes):
        validate(region_id, code, field, keep=keep)


# --- the catalogue's management -----------------------------------------------------------------

def catalogue(region_id: int) -> list[CareType]:
    """Every care type of the region, in the catalogue's order (one query)."""
    return list(db.session.scalars(select(CareType).where(CareType.region_id == region_id)
                                   .order_by(CareType.position, CareType.name, CareType.id)))


def default_catalogue(region_id: int, without: Iterable[str] = ()) -> list[CareType]:
    """The default care types (defaults.py) as new rows of the region, leaving out the codes in
    `without` (nothing added to the session: test factories add them as they add regions)."""
    skip = set(without)
    return [CareType(region_id=region_id, code=default.code, name=default.name, description=default.description,
                     active=True, position=POSITION_STEP * number)
            for number, default in enumerate(DEFAULT_CARE_TYPES, start=1) if default.code not in skip]


def seed_defaults(region_id: int, actor: Optional[User] = None) -> int:
    """Give the region the default catalogue (defaults.py): the codes it lacks are added, what it has
    is left alone. Returns how many were added."""
    have = set(db.session.scalars(select(CareType.code).where(CareType.region_id == region_id)))
    added = default_catalogue(region_id, without=have)
    if not added:
        return 0
    db.session.add_all(added)
    db.session.flush()
    events.emit(CatalogueSeeded(actor=actor, region_id=region_id, count=len(added)))
    return len(added)


def usage_columns() -> list[Any]:
    """Every column of the schema that holds care-type codes: a String column named `care_type` or a
    JSON list named `care_types` (Mandate.care_types, Decision.care_type, and whatever later tables
    declare the same way)."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name == "care_type" and isinstance(column.type, String):
                found.append(column)
            elif column.name == "care_types" and isinstance(column.type, JSON):
                found.append(column)
    return found


def _region_of(table: Any) -> Optional[tuple[Any, Any]]:
    """How a row of `table` finds its region: (the column holding the region id, the FROM clause that
    reaches it), or None when the table names no region, case, municipality or organisation."""
    columns = table.c
    if "region_id" in columns:
        return columns.region_id, table
    for column, model in (("case_id", Case), ("municipality_id", Municipality), ("organisation_id", Organisation)):
        if column in columns:
            return model.region_id, table.join(model, model.id == columns[column])
    return None


def codes_in_use(region_id: Optional[int] = None) -> set[str]:
    """Every code the records of the region hold (every region's with None): one query per column that
    holds codes. A row is of the region it names, or of its case's, municipality's or organisation's
    region; a column whose table reaches no region counts for every region (it errs on the side of
    never leaving a record with a code its catalogue no longer has)."""
    used: set[str] = set()
    for column in usage_columns():
        stmt = select(column).where(column.is_not(None))
        scope = _region_of(column.table) if region_id is not None else None
        if scope is not None:
            region_column, from_clause = scope
            stmt = stmt.select_from(from_clause).where(region_column == region_id)
        if isinstance(column.type, JSON):
            for value in db.session.scalars(stmt):
                used.update(code for code in (value or []) if isinstance(code, str))
        else:
            used.update(db.session.scalars(stmt.distinct()))
    return used


def _next_position(region_id: int) -> int:
    highest = db.session.scalar(select(func.max(CareType.position)).where(CareType.region_id == region_id))
    return (highest or 0) + POSITION_STEP


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    description = (data.get("description") or "").strip()
    return {"name": (data.get("name") or "").strip(), "description": description or None,
            "position": data.get("position")}


def _name_taken(region_id: int, name: str, exclude_id: Optional[int]) -> bool:
    stmt = select(CareType.id).where(CareType.region_id == region_id, func.lower(CareType.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(CareType.id != exclude_id)
    return db.session.scalar(stmt) is not None


def add(region: Region, data: Mapping[str, Any], actor: User) -> CareType:
    """A new care type for the region; refuses every problem at once (code format and uniqueness,
    the name's uniqueness)."""
    code = (data.get("code") or "").strip().lower()
    values = _clean(data)
    errors: dict[Optional[str], Any] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = _l("A code is 2 to %(max)d characters: lowercase letters, digits and _, starting with a "
                            "letter (for example respite_care).", max=CODE_LENGTH)
    elif db.session.scalar(select(CareType.id).where(CareType.region_id == region.id, CareType.code == code)):
        errors["code"] = _l("This region has a care type with this code already.")
    if not values["name"]:
        errors["name"] = _l("Enter the name of the care type.")
    elif _name_taken(region.id, values["name"], None):
        errors["name"] = _l("This region has a care type with this name already.")
    if errors:
        raise RuleError.many(errors)
    care_type = CareType(region_id=region.id, code=code, name=values["name"], description=values["description"],
                         active=True,
                         position=values["position"] if values["position"] is not None else _next_position(region.id))
    db.session.add(care_type)
    db.session.flush()
    events.emit(CareTypeAdded(actor=actor, care_type_id=care_type.id, region_id=region.id, code=code))
    return care_type


def _check_version(care_type: CareType, loaded_version: Any) -> None:
    """Someone else saved this care type after the form was loaded: Conflict (detail: what is saved
    now), nothing written. The mapper's version column catches the same race at the flush."""
    if loaded_version is None:
        return
    if str(loaded_version) != str(care_type.version):
        raise Conflict(detail={name: getattr(care_type, name) for name in (*EDITABLE, "active")})


def update(care_type: CareType, data: Mapping[str, Any], actor: User, loaded_version: Any = None) -> list[str]:
    """Change the name, description and position (the code never changes: records hold it). Returns
    the names of the fields that changed."""
    _check_version(care_type, loaded_version)
    values = _clean(data)
    if not values["name"]:
        raise RuleError(_l("Enter the name of the care type."), "name")
    if _name_taken(care_type.region_id, values["name"], care_type.id):
        raise RuleError(_l("This region has a care type with this name already."), "name")
    if values["position"] is None:
        values["position"] = care_type.position
    changed = [name for name in EDITABLE if getattr(care_type, name) != values[name]]
    for name in changed:
        setattr(care_type, name, values[name])
    if changed:
        db.session.flush()
        events.emit(CareTypeChanged(actor=actor, care_type_id=care_type.id, region_id=care_type.region_id,
                                    code=care_type.code, fields=tuple(changed)))
    return changed


def retire(care_type: CareType, actor: User, loaded_version: Any = None) -> bool:
    """No longer offered for new input; the records that have it keep it. False when it was retired
    already. The region keeps at least one care type on offer."""
    _check_version(care_type, loaded_version)
    if not care_type.active:
        return False
    others = db.session.scalar(select(func.count(CareType.id)).where(
        CareType.region_id == care_type.region_id, CareType.active.is_(True), CareType.id != care_type.id))
    if not others:
        raise RuleError(_l("This is the region's last care type on offer: add or reactivate another first."))
    care_type.active = False
    db.session.flush()
    events.emit(CareTypeRetired(actor=actor, care_type_id=care_type.id, region_id=care_type.region_id,
                                code=care_type.code))
    return True


def reactivate(care_type: CareType, actor: User, loaded_version: Any = None) -> bool:
    """Offered again for new input. False when it was active already."""
    _check_version(care_type, loaded_version)
    if care_type.active:
        return False
    care_type.active = True
    db.session.flush()
    events.emit(CareTypeReactivated(actor=actor, care_type_id=care_type.id, region_id=care_type.region_id,
                                    code=care_type.code))
    return True


def remove(care_type: CareType, actor: User, loaded_version: Any = None) -> None:
    """Delete a care type no record holds (a mistake just made); one in use can only be retired."""
    _check_version(care_type, loaded_version)
    if care_type.code in codes_in_use(care_type.region_id):
        raise RuleError(_l("Records use this care type, so it cannot be removed. Retire it instead: the records "
                           "keep it and it is no longer offered."))
    events.emit(CareTypeRemoved(actor=actor, care_type_id=care_type.id, region_id=care_type.region_id,
                                code=care_type.code))
    db.session.delete(care_type)
    db.session.flush()
