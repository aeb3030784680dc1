"""The nightly refresh of consent ages: who must consent depends on the youth's age (consent.py:
under 12 the holders of parental authority, 12 to 15 the youth and those holders, 16 and over the
youth alone), and the case's per-scope consent flags (what the lists and the access policy filter
on) are otherwise recomputed only when the case is edited. This job recomputes them for the open
cases whose youth turned 12 or 16 since its last run, and records each change on the case (audit
and timeline; actor: the system). Idempotent: a second run finds the flags already right and
changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import selectinload

from ret_app.cases import consent
from ret_app.cases.events import ConsentAgeRuleApplied
from ret_app.extensions import db
from ret_app.jobs import registry as jobs
from ret_app.kernel import events
from ret_app.labels import SCOPE_LABELS
from ret_app.models import Case, CaseStatus, ConsentScope

NAME = "consent-ages"
# 00:30 UTC: after midnight in the Netherlands in winter (01:30) and summer (02:30) alike.
SCHEDULE = "30 0 * * *"
THRESHOLDS = (consent.JOINT_CONSENT_AGE, consent.ADULT_CONSENT_AGE)
SCOPES = (ConsentScope.RET, ConsentScope.COLLECTIVE, ConsentScope.NETWORK)

TIMELINE_LABELS = {
    f"consent_age_{consent.JOINT_CONSENT_AGE}": _l("The youth turned 12: the youth's consent counts too"),
    f"consent_age_{consent.ADULT_CONSENT_AGE}": _l("The youth turned 16: only the youth's consent counts"),
}


def born_to_turn(age: int, since: Optional[date], today: date) -> tuple[Optional[date], date]:
    """The birth dates of a youth who turned `age` after `since` and on or before `today`: after the
    first date (None: no lower bound) and on or before the second. A youth is N on day d when born
    on or before d minus N years; relativedelta keeps 29 February births counting from 1 March in
    other years, as consent.age_on counts them."""
    latest = today - relativedelta(years=age)
    return (since - relativedelta(years=age) if since is not None else None), latest


def crossed_clause(since: Optional[date], today: date) -> ColumnElement[bool]:
    """SQL: the youth turned 12 or 16 after `since` and on or before `today` (since None: at any
    time up to today)."""
    parts = []
    for age in THRESHOLDS:
        after, latest = born_to_turn(age, since, today)
        reached = Case.youth_birth_date <= latest
        if after is not None:
            reached = and_(reached, Case.youth_birth_date > after)
        parts.append(reached)
    return or_(*parts)


def _flags(case: Case) -> dict[str, bool]:
    return {str(scope): bool(getattr(case, f"consent_{scope}")) for scope in SCOPES}


def refresh(today: date) -> int:
    """Recompute the consent flags of the open cases whose youth turned 12 or 16 since the last run;
    the number of cases whose flags changed."""
    since = jobs.previous_day(NAME)
    cases = db.session.scalars(
        select(Case)
        .where(Case.status != CaseStatus.CLOSED.value, Case.youth_birth_date.is_not(None),
               crossed_clause(since, today))
        .options(selectinload(Case.family_members), selectinload(Case.consents),
                 selectinload(Case.legal_grounds))
        .order_by(Case.id)
    ).all()
    changed = 0
    for case in cases:
        before = _flags(case)
        consent.refresh_flags(case, today)
        after = _flags(case)
        changes = tuple((scope, before[scope], after[scope]) for scope in before if before[scope] != after[scope])
        if not changes:
            continue
        age = consent.age_on(case.youth_birth_date, today)  # type: ignore[arg-type]
        threshold = max(t for t in THRESHOLDS if age >= t)
        summary = "; ".join(
            (_("Consent for %(scope)s stands", scope=SCOPE_LABELS[scope]) if now
             else _("Consent for %(scope)s no longer stands", scope=SCOPE_LABELS[scope]))
            for scope, _before, now in changes)
        events.emit(ConsentAgeRuleApplied(case=case, age=threshold, changes=changes, summary=summary))
        changed += 1
    db.session.flush()
    return changed


jobs.register(NAME, refresh, SCHEDULE,
              "Recompute the consent flags of open cases whose youth turned 12 or 16")
