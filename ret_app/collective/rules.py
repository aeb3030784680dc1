"""The collective's input rules and their messages, in one place: the forms check the fields with
them, the services check them again (a service takes plain data, whoever calls it) together with the
rules that span fields — every refusal at once, next to its field."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Optional

from flask_babel import lazy_gettext as _l

MIN_AGE, MAX_AGE = 0, 23  # youth care runs to 23 at most
MAX_PLACES = 999
MAX_WAITING_WEEKS = 260  # five years: anything longer is a typing error
PHONE_PATTERN = r"^\+?[0-9][0-9 ()\-]{5,24}$"

AGE_RANGE = _l("Enter an age from 0 to 23.")
AGES_IN_ORDER = _l("The oldest age cannot be lower than the youngest.")
NEEDED_FOR_CRISIS = _l("needed for a crisis service")
CRISIS_HOURS_NEEDED = _l("Say when the crisis service can be called.")
CRISIS_PHONE_NEEDED = _l("Enter the phone number of the crisis line.")
NOT_A_PHONE = _l("Enter a phone number, for example 088 123 45 67 or +31 88 123 45 67.")
NOT_AN_EMAIL = _l("Enter a valid e-mail address.")
PLACES_RANGE = _l("Enter a number of places from 0 to 999.")
WEEKS_RANGE = _l("Enter a waiting time from 0 to 260 weeks.")
NEEDED_WITH_DATE = _l("needed with the date")
NEEDED_WITH_PLACES = _l("needed with the number of places")
EXPECTED_PLACES_NEEDED = _l("Enter how many places are expected to come free on this date.")
EXPECTED_DATE_NEEDED = _l("Enter the date from which these places are expected.")
DATE_IN_PAST = _l("This date lies in the past. Enter today or a later date.")
NOT_OFFERED = _l("Your organisation does not offer this care type; add it to the profile first.")


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def in_range(value: Any, low: int, high: int) -> bool:
    return is_whole(value) and low <= value <= high


def phone_ok(value: Optional[str]) -> bool:
    return bool(value) and re.match(PHONE_PATTERN, value) is not None


def profile_problems(data: dict) -> dict[str, Any]:
    """What is wrong with a profile's values (field -> message), every problem at once."""
    errors: dict[str, Any] = {}
    for name in ("min_age", "max_age"):
        if data.get(name) is not None and not in_range(data[name], MIN_AGE, MAX_AGE):
            errors[name] = AGE_RANGE
    if (not errors and data.get("min_age") is not None and data.get("max_age") is not None
            and data["max_age"] < data["min_age"]):
        errors["max_age"] = AGES_IN_ORDER
    if data.get("crisis_available"):
        if not (data.get("crisis_hours") or "").strip():
            errors["crisis_hours"] = CRISIS_HOURS_NEEDED
        if not (data.get("crisis_phone") or "").strip():
            errors["crisis_phone"] = CRISIS_PHONE_NEEDED
    if (data.get("crisis_phone") or "").strip() and not phone_ok(data["crisis_phone"].strip()):
        errors.setdefault("crisis_phone", NOT_A_PHONE)
    return errors


def capacity_problems(data: dict, today: date) -> dict[str, Any]:
    """What is wrong with one capacity update (field -> message), every problem at once."""
    errors: dict[str, Any] = {}
    if not in_range(data.get("places_available"), 0, MAX_PLACES):
        errors["places_available"] = PLACES_RANGE
    if not in_range(data.get("waiting_weeks"), 0, MAX_WAITING_WEEKS):
        errors["waiting_weeks"] = WEEKS_RANGE
    places, on = data.get("expected_places"), data.get("expected_on")
    if places is not None and not in_range(places, 0, MAX_PLACES):
        errors["expected_places"] = PLACES_RANGE
    if on is not None and on < today:
        errors["expected_on"] = DATE_IN_PAST
    if places is not None and on is None:
        errors.setdefault("expected_on", EXPECTED_DATE_NEEDED)
    if on is not None and places is None:
        errors.setdefault("expected_places", EXPECTED_PLACES_NEEDED)
    return errors
