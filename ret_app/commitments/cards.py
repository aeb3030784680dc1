"""What the case page and the start page show of requests and commitments (builders registered in
capability.py); each a constant number of queries."""

from __future__ import annotations

from typing import Optional

from ret_app import policy
from ret_app.collective import care_types
from ret_app.commitments import queries, services
from ret_app.kernel import dates
from ret_app.models import Case, User


def case_header(case: Case, user: User) -> Optional[dict]:
    """The crisis back-up in the case header, for everyone who may see the case."""
    backup = queries.crisis_backup(case)
    if backup is None:
        return None
    from ret_app.collective import profiles

    profile = profiles.profile_of(backup.organisation_id)
    return {"backup": backup, "phone": profile.crisis_phone if profile else "",
            "hours": profile.crisis_hours if profile else ""}


def case_panel(case: Case, user: User) -> Optional[dict]:
    """The case's requests and commitments in short, with the way to the requests page."""
    rows = [r for r in queries.case_requests(case) if policy.can_view_request(user, r)]
    may_ask = policy.can_make_requests(user, case) and services.requests_open(case)
    if not rows and not may_ask:
        return None
    return {"case": case, "rows": rows, "may_ask": may_ask, "today": dates.today(),
            "care_type_names": care_types.names(case.region_id)}


def provider_card(user: User) -> Optional[dict]:
    """A provider member: requests waiting for their organisation, and its running commitments."""
    if user.role != "provider_member" or user.organisation is None \
            or not policy.can_keep_provider(user, user.organisation):
        return None
    waiting = queries.waiting_for_my_organisation(user, per_page=5)
    return {"waiting": waiting.items, "waiting_count": queries.count_waiting(user),
            "running_count": queries.count_running(user), "today": dates.today(),
            "care_type_names": care_types.names(user.organisation.region_id)}


def past_reply_by_card(user: User) -> Optional[dict]:
    """The chair and process directors: requests unanswered past their reply-by date."""
    if not policy.sees_past_reply_by(user):
        return None
    count, rows = queries.past_reply_by(user, limit=5)
    if user.role == "ret_member" and not count:
        return None  # a RET member without late requests of their cases: no card
    return {"count": count, "rows": rows, "today": dates.today()}
