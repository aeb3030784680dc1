"""The care types the collective refers to, from the region's catalogue (ret_app/caretypes/): the
choices for a form, the names for a page, the catalogue's order for sorting, and the check of a code
typed or sent."""

from __future__ import annotations

from typing import Iterable, Optional

from ret_app.caretypes import services as catalogue


def choices(region_id: Optional[int], keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The active care types (code, name) in the catalogue's order, plus the codes in `keep` (an
    old record's value) so that editing it never loses one."""
    if region_id is None:
        return [(code, code) for code in keep if code]
    return catalogue.choices(region_id, keep)


def names(region_id: Optional[int]) -> dict[str, str]:
    """code -> name, retired ones included (for lists and pages)."""
    return catalogue.names(region_id) if region_id is not None else {}


def positions(region_id: Optional[int]) -> dict[str, int]:
    """code -> its place in the catalogue's order (lists sort care types by it, in SQL with
    `order_by(case(positions, value=column, else_=len(positions)))`)."""
    return {code: index for index, code in enumerate(names(region_id))}


def is_known(region_id: Optional[int], code: Optional[str]) -> bool:
    """Any code of the region's catalogue, retired ones included (what an old record may hold)."""
    return bool(code) and code in names(region_id)


def validate(region_id: Optional[int], code: Optional[str], field: str = "care_type",
             keep: Iterable[str] = ()) -> None:
    """New input: an active care type of the region (or one the record holds already), else a
    RuleError next to `field`."""
    catalogue.validate(region_id, code, field, keep=keep)
