"""What a referral needs before it can go to the RET, and the age limit of the RET."""

from __future__ import annotations

from datetime import date
from typing import Optional

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


def missing_referral_fields(case: Case) -> list:
    """What a referral still needs before it can be submitted (a concept may lack all of it)."""
    missing = []
    if not case.youth_first_name.strip() or not case.youth_last_name.strip():
        missing.append(_l("the youth's name"))
    if case.youth_birth_date is None:
        missing.append(_l("date of birth"))
    elif age_problem(case.youth_birth_date):
        missing.append(_l("a date of birth that fits the age limit"))
    if not case.question.strip():
        missing.append(_l("the question"))
    if not case.why_stuck.strip():
        missing.append(_l("why the help is stuck"))
    return missing
