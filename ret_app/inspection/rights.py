"""Who has the right to inspect the case file (Jeugdwet 7.3.10), checked on the day the request came in.

* the youth from 12 (under 12 the parents with authority exercise it);
* a parent or guardian who holds parental authority, while the youth is under 16;
* from 16 the youth decides: a youth of 16 or over can refuse the parents' inspection (recorded on the
  request as `youth_objects`); a youth under 16 cannot;
* anyone else has no right of inspection of their own (they need the youth's or the parents' consent,
  which is not an inspection request).

A refusal names its rule: `Verdict.rule` is a code of RULES, whose words the page and the PDF show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app.cases.consent import age_on
from ret_app.models import Case, FamilyMember, RequesterKind

YOUTH_AGE = 12
PARENT_UNTIL = 16

RULES = {
    "youth_12_plus": _l("The youth is 12 or older on the day of the request: the youth has the right of inspection."),
    "youth_under_12": _l("The youth is under 12 on the day of the request: the parents with parental authority "
                         "exercise the right of inspection, not the youth."),
    "parent_authority_under_16": _l("A parent or guardian with parental authority of a youth under 16 has the "
                                    "right of inspection."),
    "parent_youth_16_no_objection": _l("The youth is 16 or older and does not object to the inspection by this "
                                       "parent or guardian with parental authority."),
    "youth_16_objects": _l("The youth is 16 or older and refuses the inspection by the parents: the parents have "
                           "no right of inspection."),
    "no_parental_authority": _l("The requester does not hold parental authority (according to the family "
                                "system): no right of inspection."),
    "not_in_family": _l("A parent or guardian must be a member of the case's family system: choose them from "
                        "the family system."),
    "other_no_right": _l("Someone other than the youth or a parent with authority has no right of inspection of "
                         "their own."),
    "age_unknown": _l("The youth's birth date is not known: the age rule cannot be applied. Record the birth "
                      "date first."),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rule: str

    @property
    def message(self):
        return RULES[self.rule]


def check(case: Case, kind: str, member: Optional[FamilyMember], received_on: date,
          youth_objects: bool = False) -> Verdict:
    """The right of this requester on `received_on` (the youth's age on that day)."""
    if kind == RequesterKind.OTHER:
        return Verdict(False, "other_no_right")
    if case.youth_birth_date is None:
        return Verdict(False, "age_unknown")
    age = age_on(case.youth_birth_date, received_on)
    if kind == RequesterKind.YOUTH:
        return Verdict(age >= YOUTH_AGE, "youth_12_plus" if age >= YOUTH_AGE else "youth_under_12")
    if member is None or member.case_id != case.id:
        return Verdict(False, "not_in_family")
    if not member.parental_authority:
        return Verdict(False, "no_parental_authority")
    if age < PARENT_UNTIL:
        return Verdict(True, "parent_authority_under_16")
    if youth_objects:
        return Verdict(False, "youth_16_objects")
    return Verdict(True, "parent_youth_16_no_objection")
