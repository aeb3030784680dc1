"""What a referral needs before it can go to the RET, and the age limit of the RET."""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from flask_babel import lazy_gettext as _l

from ret_app.cases.consent import age_on
from ret_app.kernel import dates
from ret_app.models import Case

MAX_AGE_AT_REFERRAL = 23


def age_problem(birth_date: Optional[date], today: Optional[date] = None) -> Optional[object]:
    if birth_date is None:
        return None
    today = today or dates.today()
    if birth_date > today:
        return _l("The date of birth lies in the future.")
    if age_on(birth_date, today) > MAX_AGE_AT_REFERRAL:
        return _l("The RET handles youths up to and including 23 years old.")
    return None


def referral_problems(case: Any) -> dict[str, Any]:
    """Per field, what a referral still needs before it can be submitted (a concept may lack all of
    it). `case`: the case, or anything with its referral fields (the values a form was sent with)."""
    problems: dict[str, Any] = {}
    if not (case.youth_first_name or "").strip():
        problems["youth_first_name"] = _l("Enter the youth's first name.")
    if not (case.youth_last_name or "").strip():
        problems["youth_last_name"] = _l("Enter the youth's last name.")
    if case.youth_birth_date is None:
        problems["youth_birth_date"] = _l("Enter the date of birth.")
    elif age_problem(case.youth_birth_date):
        problems["youth_birth_date"] = age_problem(case.youth_birth_date)
    if not (case.question or "").strip():
        problems["question"] = _l("Describe the question.")
    if not (case.why_stuck or "").strip():
        problems["why_stuck"] = _l("Describe why the help is stuck.")
    return problems


def missing_referral_fields(case: Case) -> list:
    """What a referral still needs before it can be submitted, in a few words each."""
    return [words for _field, words in missing_referral_items(case)]


def missing_referral_items(case: Case) -> list[tuple[str, Any]]:
    """(the field to fill in, what is missing in a few words) for the page's "still needed" list."""
    problems = referral_problems(case)
    items: list[tuple[str, Any]] = []
    name = [field for field in ("youth_first_name", "youth_last_name") if field in problems]
    if name:
        items.append((name[0], _l("the youth's name")))
    if "youth_birth_date" in problems:
        items.append(("youth_birth_date", _l("date of birth") if case.youth_birth_date is None
                      else _l("a date of birth that fits the age limit")))
    if "question" in problems:
        items.append(("question", _l("the question")))
    if "why_stuck" in problems:
        items.append(("why_stuck", _l("why the help is stuck")))
    return items
