"""The re-referral outcome measure: the share of youths referred again within 12 months of closing.

For a region and a period (first and last day, dates in the Netherlands):

- the youths counted are those with a case of the region closed in the period. One youth is one set of
  cases joined by confirmed re-referral links (the chair's confirmation is what says two cases are the
  same youth), so a youth whose two cases both closed in the period counts once;
- a youth counts as referred again when, for a case of theirs closed in the period, a confirmed link
  names a later case of the region submitted on the closing day or within 12 months after it (to the
  same day of the month; 28 February for a closing on 29 February). A later case submitted while the
  earlier one was still open is a parallel referral, not a re-referral after closing.

Cases answered with advice (returned to the access team) were never taken on by the RET and did not
close: they are not counted. The measure reads the links as they stand: for a period that ended less
than 12 months ago a youth may still be referred again, so the share of such a period can still rise.
Round 2's analyst pages and API show the counts suppressed (ret_app/stats); the counts hold no person.

Two queries, whatever the numbers: the closed cases of the period and the confirmed links of the region
(`shares_referred_again`: the same two for several periods at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ret_app.extensions import db
from ret_app.stats.periods import add_months
from ret_app.kernel.dates import AMSTERDAM, local_date
from ret_app.models import Case, CaseLink, CaseStatus, LinkStatus

WINDOW_MONTHS = 12


@dataclass(frozen=True)
class RereferralShare:
    youths: int  # youths with a case closed in the period
    referred_again: int  # of them, referred again within 12 months of that closing

    @property
    def share(self) -> Optional[float]:
        return self.referred_again / self.youths if self.youths else None


# The same day some months later; the month's last day when it has no such day.
months_later = add_months


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM)


def share_referred_again(region_id: int, first_day: date, last_day: date) -> RereferralShare:
    """The share of youths of the region whose case closed from `first_day` to `last_day` (inclusive)
    and who were referred again within 12 months of that closing."""
    return shares_referred_again(region_id, [(first_day, last_day)])[0]


def shares_referred_again(region_id: int, periods: list[tuple[date, date]]) -> list[RereferralShare]:
    """`share_referred_again` for several periods (first and last day each) at once: two queries,
    however many periods (the analyst's months of a year)."""
    periods = [(first, last) for first, last in periods]
    valid = [(first, last) for first, last in periods if first <= last]
    if not valid:
        return [RereferralShare(0, 0) for _ in periods]
    since, until = min(first for first, _ in valid), max(last for _, last in valid)
    closed_all = dict(db.session.execute(
        select(Case.id, Case.closed_at).where(
            Case.region_id == region_id,
            # An erased case was closed: its closing month stays, so the share does not change.
            Case.status.in_([CaseStatus.CLOSED.value, CaseStatus.ERASED.value]),
            Case.closed_at >= _start_of(since), Case.closed_at < _start_of(until + timedelta(days=1)))).all())
    later = aliased(Case, name="later")
    links = db.session.execute(
        select(CaseLink.earlier_case_id, CaseLink.case_id, later.submitted_at)
        .join(later, later.id == CaseLink.case_id)
        .where(CaseLink.status == LinkStatus.CONFIRMED.value, later.region_id == region_id)).all()
    out = []
    for first, last in periods:
        closed = {case_id: at for case_id, at in closed_all.items() if first <= local_date(at) <= last}
        out.append(_share(closed, links) if closed else RereferralShare(0, 0))
    return out


def _share(closed: dict, links) -> RereferralShare:
    parent: dict[int, int] = {}

    def root(case_id: int) -> int:
        parent.setdefault(case_id, case_id)
        while parent[case_id] != case_id:
            parent[case_id] = parent[parent[case_id]]
            case_id = parent[case_id]
        return case_id

    again: set[int] = set()  # closed cases of the period followed by a re-referral within the window
    for earlier_id, later_id, submitted_at in links:
        parent[root(earlier_id)] = root(later_id)
        if earlier_id in closed and submitted_at is not None:
            closed_on, submitted_on = local_date(closed[earlier_id]), local_date(submitted_at)
            if closed_on <= submitted_on <= months_later(closed_on, WINDOW_MONTHS):
                again.add(earlier_id)
    youths = {root(case_id) for case_id in closed}
    referred_again = {root(case_id) for case_id in again}
    return RereferralShare(len(youths), len(referred_again))
