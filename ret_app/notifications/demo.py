"""The demo's notifications: what the demo data would have raised (invitations to the planned
session, requests to providers, actions, requests past their reply-by date, mandates about to
expire, the escalations' exchange with the network and the one past its expected date), and for every account a notice about its credentials; some read, some unread, so every role
has a list to try. Nothing is mailed while seeding, except that the unread ones meant for the daily
summary wait for `flask send-digest`."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from ret_app.extensions import db
from ret_app.kernel.dates import local_datetime, utcnow
from ret_app.models import (
    ActionStatus, CaseAction, Escalation, Meeting, MeetingInvitation, Notification, ProviderRequest, RequestStatus, Role, User,
)
from ret_app.notifications import escalations as escalation_notices
from ret_app.notifications import kinds, reactions, watch
from ret_app.notifications.reactions import day, path
from ret_app.notifications.services import notify


def seed(today: date) -> int:
    db.session.flush()
    for meeting in db.session.scalars(select(Meeting).where(Meeting.status == "planned")):
        invited = db.session.scalars(select(MeetingInvitation.user_id).where(MeetingInvitation.meeting_id == meeting.id))
        notify(list(invited), reactions.SESSION_INVITATION, path("meetings.page", meeting_id=meeting.id),
               f"session_invitation:{meeting.id}", subject_words=local_datetime(meeting.starts_at).strftime("%d-%m-%Y %H:%M"), by_mail=False)
    for request in db.session.scalars(select(ProviderRequest).where(ProviderRequest.status == RequestStatus.REQUESTED.value)):
        members = db.session.scalars(select(User.id).where(User.organisation_id == request.organisation_id,
                                                           User.role == Role.PROVIDER_MEMBER.value))
        notify(list(members), reactions.REQUEST_TO_ORGANISATION,
               path("commitments.request_page", request_id=request.id), f"request:{request.id}",
               subject_words=day(request.reply_by), by_mail=False)
    for action in db.session.scalars(select(CaseAction).where(CaseAction.status == ActionStatus.OPEN.value,
                                                              CaseAction.owner_user_id.is_not(None))):
        notify([action.owner_user_id], reactions.ACTION_ASSIGNED, path("actions.mine"), f"action:{action.id}",
               subject_words=day(action.due_date), by_mail=False)
    watch.flag_overdue_requests(today)
    watch.notify_expiring_mandates(today)
    # The escalations' exchange (written without its events) and the one past its expected date.
    for escalation in db.session.scalars(select(Escalation).order_by(Escalation.id)):
        escalation_notices.notify_history(escalation)
    escalation_notices.flag_overdue_escalations(today)
    db.session.execute(update(Notification).where(Notification.mailed_at.is_(None))
                       .values(mailed_at=utcnow()).execution_options(synchronize_session=False))

    users = list(db.session.scalars(select(User).order_by(User.id)))
    earlier = utcnow() - timedelta(days=3)
    for user in users:
        # Every account's recovery codes were made when the demo was seeded: a notice, already read.
        made = notify([user.id], reactions.RECOVERY_CODES_REPLACED, path("account.overview"),
                      f"{reactions.RECOVERY_CODES_REPLACED}:demo", by_mail=False)
        db.session.execute(update(Notification).where(Notification.id.in_(made))
                           .values(created_at=earlier, read_at=earlier).execution_options(synchronize_session=False))
    # Of who has more than one, the oldest domain notification is read already.
    for user in users:
        first = db.session.scalar(select(Notification.id).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)).order_by(Notification.id).limit(1))
        others = db.session.scalar(select(Notification.id).where(
            Notification.user_id == user.id, Notification.read_at.is_(None), Notification.id != first).limit(1))
        if first is not None and others is not None:
            db.session.execute(update(Notification).where(Notification.id == first).values(read_at=utcnow())
                               .execution_options(synchronize_session=False))
        elif first is None:
            # Nothing of the demo's cases concerns this account (an analyst, a liaison before any
            # escalation): its password change shows how a credential notice looks.
            notify([user.id], reactions.PASSWORD_CHANGED, path("account.overview"),
                   f"{reactions.PASSWORD_CHANGED}:demo", by_mail=False)
    # What waits for the daily summary: unread and of a kind that goes there by default.
    digest = [k.code for k in kinds.all_kinds() if k.default == "digest" and not k.locked]
    db.session.execute(update(Notification).where(Notification.read_at.is_(None), Notification.kind.in_(digest))
                       .values(mailed_at=None).execution_options(synchronize_session=False))
    return db.session.scalar(select(db.func.count(Notification.id))) or 0
