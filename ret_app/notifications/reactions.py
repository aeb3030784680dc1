"""The facts other capabilities record that notify someone: the notifications capability reacts to
their events after the commit (docs/architecture.md: sibling capabilities do not call each other).
The periodic ones (a request past its reply-by date, a mandate about to expire) are in watch.py.

Each reaction names the recipients, where they act (a path with ids only) and the fact's key, so a
retried reaction notifies nobody twice. Nobody is notified of what they did themselves."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app import policy
from ret_app.auth.events import ActivationLinkIssued, PasswordChanged, RecoveryCodesReplaced
from ret_app.commitments.events import RequestMade
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import local_datetime
from ret_app.meetings import lifecycle as meeting_lifecycle
from ret_app.meetings.events import ActionAgreed, InvitationsChanged
from ret_app.models import CaseAction, Meeting, ProviderRequest, Role, User
from ret_app.notifications import mail
from ret_app.notifications.kinds import register_kind
from ret_app.notifications.services import notify

SESSION_INVITATION = "session_invitation"
REQUEST_TO_ORGANISATION = "request_to_organisation"
REQUEST_OVERDUE = "request_overdue"
ACTION_ASSIGNED = "action_assigned"
MANDATE_EXPIRING = "mandate_expiring"
PASSWORD_CHANGED = "password_changed"
RECOVERY_CODES_REPLACED = "recovery_codes_replaced"
SECOND_FACTOR_RESET = "second_factor_reset"

register_kind(SESSION_INVITATION, _l("Invitation to a RET session"), "digest", order=10)
register_kind(REQUEST_TO_ORGANISATION, _l("Request to your organisation"), "mail_now", order=20)
register_kind(REQUEST_OVERDUE, _l("Request unanswered past its reply-by date"), "mail_now", order=30)
register_kind(ACTION_ASSIGNED, _l("Action assigned to you"), "digest", order=40)
ACTION_DUE = "action_due"
register_kind(ACTION_DUE, _l("Action of yours due today or past its date"), "digest", order=41)
register_kind(MANDATE_EXPIRING, _l("Mandate expires within 30 days"), "digest", order=60)
# Changes to the account's credentials: always by e-mail at once (ASVS V2.2.3).
register_kind(PASSWORD_CHANGED, _l("Your password was changed"), "mail_now", locked=True, order=90)
register_kind(RECOVERY_CODES_REPLACED, _l("New recovery codes were made"), "mail_now", locked=True, order=91)
register_kind(SECOND_FACTOR_RESET, _l("Your second factor was reset"), "mail_now", locked=True, order=92)


def path(endpoint: str, **values: Any) -> str:
    """The path of a route, with or without a request (a reaction, a job)."""
    return current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)


def day(value) -> str:
    """A date the same in every language (stored with the notification: no month names)."""
    return value.strftime("%d-%m-%Y")


def others_than(user_ids: Iterable[int], actor: Optional[User]) -> list[int]:
    actor_id = getattr(actor, "id", None)
    return sorted({user_id for user_id in user_ids if user_id != actor_id})


# --- sessions ------------------------------------------------------------------------------------

@events.subscribe(InvitationsChanged, after_commit=True)
def session_invitations(event: InvitationsChanged) -> None:
    meeting = db.session.get(Meeting, event.meeting.id)
    if meeting is None or meeting.status not in {s.value for s in meeting_lifecycle.OPEN}:
        return
    notify(others_than(event.added, event.actor), SESSION_INVITATION, path("meetings.page", meeting_id=meeting.id),
           f"session_invitation:{meeting.id}",
           subject_words=local_datetime(meeting.starts_at).strftime("%d-%m-%Y %H:%M"))


def action_owners(action: CaseAction) -> list[int]:
    """Who owns an action: its person, or the people of its organisation who may see the case."""
    if action.owner_user_id is not None:
        return [action.owner_user_id]
    members = db.session.scalars(select(User).where(User.organisation_id == action.owner_organisation_id,
                                                    User.deactivated_at.is_(None)))
    return [user.id for user in members if policy.can_view_case(user, action.case)]


@events.subscribe(ActionAgreed, after_commit=True)
def action_assigned(event: ActionAgreed) -> None:
    action = db.session.get(CaseAction, event.action_id)
    if action is None:
        return
    notify(others_than(action_owners(action), event.actor), ACTION_ASSIGNED, path("actions.mine"), f"action:{action.id}",
           subject_words=day(action.due_date))


# --- requests to the collective --------------------------------------------------------------------

@events.subscribe(RequestMade, after_commit=True)
def request_to_organisation(event: RequestMade) -> None:
    request = db.session.get(ProviderRequest, event.request.id)
    if request is None:
        return
    members = db.session.scalars(select(User).where(
        User.organisation_id == request.organisation_id, User.role == Role.PROVIDER_MEMBER.value,
        User.deactivated_at.is_(None)))
    notify(others_than((user.id for user in members if policy.can_view_request(user, request)), event.actor),
           REQUEST_TO_ORGANISATION, path("commitments.request_page", request_id=request.id),
           f"request:{request.id}", subject_words=day(request.reply_by))


# --- the account's credentials ---------------------------------------------------------------------

def _credential_key(kind: str, event) -> str:
    return f"{kind}:{event.at.isoformat(timespec='microseconds')}"


@events.subscribe(PasswordChanged, after_commit=True)
def password_changed(event: PasswordChanged) -> None:
    notify([event.user_id], PASSWORD_CHANGED, path("account.overview"), _credential_key(PASSWORD_CHANGED, event))


@events.subscribe(RecoveryCodesReplaced, after_commit=True)
def recovery_codes_replaced(event: RecoveryCodesReplaced) -> None:
    notify([event.user_id], RECOVERY_CODES_REPLACED, path("account.overview"),
           _credential_key(RECOVERY_CODES_REPLACED, event))


@events.subscribe(ActivationLinkIssued, after_commit=True)
def activation_link_issued(event: ActivationLinkIssued) -> None:
    """The link also goes to the user by e-mail (the administrator still sees it on screen). After a
    reset of the second factor that mail says so, and the list keeps a notice of it."""
    user = db.session.get(User, event.user_id)
    if user is None or user.deactivated_at is not None:
        return
    if event.purpose == "reset_2fa":
        notify([user.id], SECOND_FACTOR_RESET, path("account.overview"), _credential_key(SECOND_FACTOR_RESET, event),
               by_mail=False)  # the link's mail below tells it
    mail.send_one(mail.activation_message(user, event.token, event.purpose, event.at))
