"""Re-referral rules: suggestions when a case is submitted or taken into intake (a reaction to the case's
lifecycle step, after its commit), and the chair's decision. Flush, never commit; one event per change."""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app.cases.events import CaseTransitioned
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import RuleError
from ret_app.models import Case, CaseLink, CaseStatus, LinkStatus, User
from ret_app.rereferrals import matching
from ret_app.rereferrals.events import (
    RereferralConfirmed,
    RereferralDismissed,
    RereferralSuggested,
    RereferralWithdrawn,
)

# The lifecycle steps after which the chair looks at the case: submitted (again), taken into intake.
LOOK_AFTER = frozenset({CaseStatus.SUBMITTED.value, CaseStatus.INTAKE.value})
DECISIONS = {"confirm": LinkStatus.CONFIRMED, "dismiss": LinkStatus.DISMISSED}


def suggest(case: Case, actor: Optional[User] = None) -> list[CaseLink]:
    """Suggest every earlier case of the same youth that has no link with this case yet; a suggestion
    that no longer matches (the referral was changed before it was submitted again) goes. Decided links
    stay as the chair decided them. Returns the new suggestions. Two queries, whatever the numbers."""
    found = dict((earlier.id, (earlier, basis)) for earlier, basis in matching.earlier_cases(case))
    existing = {link.earlier_case_id: link for link in db.session.scalars(
        select(CaseLink).where(CaseLink.case_id == case.id))}
    for earlier_id, link in existing.items():
        if link.status == LinkStatus.SUGGESTED and earlier_id not in found:
            earlier = link.earlier_case
            db.session.delete(link)
            db.session.flush()
            events.emit(RereferralWithdrawn(actor=actor, case=case, link=link, earlier=earlier))
    added = []
    for earlier_id, (earlier, basis) in found.items():
        if earlier_id in existing:
            continue
        link = CaseLink(case_id=case.id, earlier_case_id=earlier_id, basis=basis, status=LinkStatus.SUGGESTED.value)
        db.session.add(link)
        added.append((link, earlier))
    db.session.flush()
    for link, earlier in added:
        events.emit(RereferralSuggested(actor=actor, case=case, link=link, earlier=earlier))
    return [link for link, _earlier in added]


@events.subscribe(CaseTransitioned, after_commit=True)
def _look_for_earlier_cases(event: CaseTransitioned) -> None:
    if event.target in LOOK_AFTER:
        case = db.session.get(Case, event.case.id)
        if case is not None and case.status in LOOK_AFTER:
            suggest(case)


def decide(link: CaseLink, actor: User, decision: str) -> CaseLink:
    """The chair's decision on a link of the later case: "confirm" (a re-referral of the same youth) or
    "dismiss" (not the same youth). A decision can be changed: a dismissed match confirmed after all,
    a confirmed link dismissed."""
    target = DECISIONS.get(decision)
    if target is None:
        raise RuleError(_l("Choose whether this is the same youth."), "decision")
    if link.status == target:
        raise RuleError(_l("This earlier case has already been confirmed as the same youth.")
                        if target is LinkStatus.CONFIRMED else
                        _l("This earlier case has already been dismissed."), "decision")
    was_confirmed = link.status == LinkStatus.CONFIRMED
    link.status = target.value
    link.decided_by_id = actor.id
    link.decided_at = utcnow()
    db.session.flush()
    if target is LinkStatus.CONFIRMED:
        events.emit(RereferralConfirmed(actor=actor, case=link.case, link=link, earlier=link.earlier_case))
    else:
        events.emit(RereferralDismissed(actor=actor, case=link.case, link=link, earlier=link.earlier_case,
                                        was_confirmed=was_confirmed))
    return link
