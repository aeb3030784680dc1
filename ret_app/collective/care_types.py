"""The care types the collective refers to, in one place: the choices for a form, the names for a
page, and the check of a code typed or sent.

# care types: switch to caretypes.choices()
Until the region's care-type catalogue (ret_app/caretypes/) is merged, these read the eleven codes
of ret_app.labels.CARE_TYPE_LABELS, which the catalogue keeps as the same codes; then each function
becomes a call of ret_app.caretypes.services (choices / names / validate) with the same arguments.
"""

from __future__ import annotations

from typing import Iterable, Optional

from flask_babel import lazy_gettext as _l

from ret_app.kernel.errors import RuleError
from ret_app.labels import CARE_TYPE_LABELS

UNKNOWN = _l("Choose a care type from the list.")


def choices(region_id: Optional[int], keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The active care types (code, name) in the catalogue's order, plus the codes in `keep` (an
    old record's value) so that editing it never loses one."""
    out = [(code, str(name)) for code, name in CARE_TYPE_LABELS.items()]
    known = {code for code, _name in out}
    out += [(code, code) for code in keep if code not in known]
    return out


def names(region_id: Optional[int]) -> dict[str, str]:
    """code -> name, retired ones included (for lists and pages)."""
    return {code: str(name) for code, name in CARE_TYPE_LABELS.items()}


def positions(region_id: Optional[int]) -> dict[str, int]:
    """code -> its place in the catalogue's order (lists sort care types by it, in SQL with
    `order_by(case(positions, value=column, else_=len(positions)))`)."""
    return {code: index for index, code in enumerate(CARE_TYPE_LABELS)}


def is_known(region_id: Optional[int], code: Optional[str]) -> bool:
    """Any code of the region's catalogue, retired ones included (what an old record may hold)."""
    return code in CARE_TYPE_LABELS


def validate(region_id: Optional[int], code: Optional[str], field: str = "care_type") -> None:
    """New input: an active care type of the region, else a RuleError next to `field`."""
    if code not in CARE_TYPE_LABELS:
        raise RuleError(UNKNOWN, field)
