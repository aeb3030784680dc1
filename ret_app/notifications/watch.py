"""The periodic facts that notify: a request unanswered past its reply-by date (to the case's process
director and the region's chair) and a mandate that expires within 30 days (to its holder and the
administrators who keep the mandate register). The job runner calls these daily; each is also a
`flask` command (capability.py). Each is idempotent: a fact notifies each recipient once, however
often the job runs (the notification's key)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ret_app import policy
from ret_app.commitments.services import past_reply_by_clause
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.mandates.services import EXPIRY_WARNING_DAYS
from ret_app.models import ActionStatus, Case, CaseAction, Mandate, Organisation, ProviderRequest, Role, User
from ret_app.notifications.reactions import ACTION_DUE, MANDATE_EXPIRING, REQUEST_OVERDUE, action_owners, day, path
from ret_app.notifications.services import notify


def case_watchers(cases: Iterable[Case]) -> dict[int, list[User]]:
    """Per case, who watches what waits on others in it: the active chairs of its region and its
    active process director (the policy then says which of them watches the thing itself). One query
    for the chairs of all the cases' regions."""
    cases = list(cases)
    chairs: dict[int, list[User]] = defaultdict(list)
    region_ids = {case.region_id for case in cases}
    if region_ids:
        for chair in db.session.scalars(
                select(User).join(User.organisation).options(joinedload(User.organisation))
                .where(User.role == Role.CHAIR.value, User.deactivated_at.is_(None),
                       Organisation.region_id.in_(region_ids))):
            chairs[chair.organisation.region_id].append(chair)
    found = {}
    for case in cases:
        people = list(chairs[case.region_id])
        director = case.process_director
        if director is not None and director.deactivated_at is None:
            people.append(director)
        found[case.id] = people
    return found


def flag_overdue_requests(today: Optional[date] = None) -> int:
    """Notify the process director and the region's chairs of every open request past its reply-by
    date (those of them who watch it: policy.watches_request). Returns how many notifications were
    made now (0 when the job runs again)."""
    today = today or dates.today()
    late = list(db.session.scalars(
        select(ProviderRequest).where(past_reply_by_clause(today))
        .options(joinedload(ProviderRequest.case).joinedload(Case.process_director))
        .order_by(ProviderRequest.id)))
    if not late:
        return 0
    watchers_of = case_watchers(request.case for request in late)
    made = 0
    for request in late:
        watchers = watchers_of[request.case.id]
        recipients = [user for user in watchers if policy.watches_request(user, request)]
        made += len(notify(recipients, REQUEST_OVERDUE, path("commitments.request_page", request_id=request.id),
                           f"request_overdue:{request.id}", subject_words=day(request.reply_by)))
    return made


def notify_expiring_mandates(today: Optional[date] = None) -> int:
    """Notify the holder (and the administrators) of every valid mandate that ends within 30 days. A
    mandate extended later and nearing its new end notifies again (the key holds the end date).
    Returns how many notifications were made now."""
    today = today or dates.today()
    expiring = list(db.session.scalars(
        select(Mandate).where(Mandate.revoked_at.is_(None), Mandate.valid_from <= today,
                              Mandate.valid_until >= today,
                              Mandate.valid_until <= today + timedelta(days=EXPIRY_WARNING_DAYS))
        .options(joinedload(Mandate.holder)).order_by(Mandate.id)))
    if not expiring:
        return 0
    admins = list(db.session.scalars(select(User.id).where(User.role == Role.ADMIN.value,
                                                           User.deactivated_at.is_(None))))
    made = 0
    for mandate in expiring:
        key = f"mandate_expiring:{mandate.id}:{mandate.valid_until.isoformat()}"
        if mandate.holder.deactivated_at is None:
            made += len(notify([mandate.holder_id], MANDATE_EXPIRING, path("mandates.mine"), key,
                               subject_words=day(mandate.valid_until)))
        made += len(notify(admins, MANDATE_EXPIRING, path("admin.mandate_detail", mandate_id=mandate.id), key,
                           subject_words=day(mandate.valid_until)))
    return made


def notify_actions_due(today: Optional[date] = None) -> int:
    """Notify the owners of every open action due today or past its due date, once per action and due
    date (an action given a later date notifies again when that comes). Returns how many notifications
    were made now."""
    today = today or dates.today()
    due = list(db.session.scalars(
        select(CaseAction).where(CaseAction.status == ActionStatus.OPEN.value, CaseAction.due_date <= today)
        .options(joinedload(CaseAction.case)).order_by(CaseAction.id)))
    made = 0
    for action in due:
        made += len(notify(action_owners(action), ACTION_DUE, path("actions.mine"),
                           f"action_due:{action.id}:{action.due_date.isoformat()}", subject_words=day(action.due_date)))
    return made
