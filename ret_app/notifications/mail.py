"""E-mail through Flask-Mailman: SMTP when configured (MAIL_SERVER), the console in development, an
in-memory outbox in the tests, nothing at all in production without a mail server.

What a mail says: that something waits in RET (the kind's words, or which credential changed and
when) and a link. Never a name, a BSN, a case reference or an id of a case: the mail leaves our
control, so it carries nothing a reader could use but the link to sign in. A mail that cannot be
sent is logged by the type of the error only (no address, no content) and never fails the work that
caused it."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Iterable, Optional

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage

from ret_app.kernel.dates import local_datetime
from ret_app.models import Notification, User
from ret_app.notifications import kinds
from ret_app.urls import external_url

log = logging.getLogger(__name__)


def enabled() -> bool:
    """Whether this installation sends mail at all (production without a mail server does not)."""
    return current_app.extensions["mailman"].backend != "dummy"


def _locale(user: User) -> str:
    return user.locale if user.locale in current_app.config["LANGUAGES"] else "nl"


def _moment(value: datetime) -> str:
    """A moment in the Netherlands, written the same in every language (no month names)."""
    return local_datetime(value).strftime("%d-%m-%Y %H:%M")


def _message(user: User, subject: str, template: str, **context: Any) -> EmailMessage:
    body = render_template(template, **context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def _send(messages: list[EmailMessage]) -> list[bool]:
    """Send each message on one connection; per message whether it went. Failures are logged without
    personal data (the error's type) and never raised."""
    if not messages or not enabled():
        return [False] * len(messages)
    results: list[bool] = []
    try:
        connection = current_app.extensions["mailman"].get_connection()
        connection.open()
    except Exception as error:  # the server cannot be reached: none of them goes
        log.warning("mail server not reachable, %d mail(s) not sent: %s", len(messages), type(error).__name__)
        return [False] * len(messages)
    try:
        for message in messages:
            message.connection = connection
            try:
                results.append(bool(message.send()))
            except Exception as error:
                log.warning("mail not sent: %s", type(error).__name__)
                results.append(False)
    finally:
        try:
            connection.close()
        except Exception as error:
            log.warning("closing the mail connection failed: %s", type(error).__name__)
    return results


# --- what is sent --------------------------------------------------------------------------------

def notification_messages(rows: Iterable[Notification]) -> list[EmailMessage]:
    """One mail per notification sent at once: its kind's words (and, for a change to the account,
    when it happened) and the link to the list of notifications."""
    messages = []
    for row in rows:
        kind = kinds.get(row.kind)
        with force_locale(_locale(row.user)):
            subject = _("RET: %(what)s", what=str(kind.label))
            messages.append(_message(
                row.user, subject, "notifications/mail/now.txt", what=str(kind.label), locked=kind.locked,
                when=_moment(row.created_at), inbox=external_url("notifications.inbox"),
                preferences=external_url("notifications.preferences"),
                account=external_url("account.overview")))
    return messages


def digest_message(user: User, counts: list[tuple[str, int]]) -> EmailMessage:
    """The daily summary: how many new notifications of each kind, and the link to the list."""
    with force_locale(_locale(user)):
        total = sum(n for _kind, n in counts)
        lines = [(str(kinds.label(kind)), n) for kind, n in counts]
        return _message(user, _("RET: new notifications"), "notifications/mail/digest.txt", total=total,
                        lines=lines, inbox=external_url("notifications.inbox"),
                        preferences=external_url("notifications.preferences"))


def activation_message(user: User, token: str, purpose: str, issued_at: datetime) -> EmailMessage:
    """The one-time link to activate the account, or to set up a new second factor after a reset."""
    with force_locale(_locale(user)):
        reset = purpose == "reset_2fa"
        subject = _("RET: set up your second factor again") if reset else _("RET: activate your account")
        return _message(user, subject, "notifications/mail/activation.txt", reset=reset,
                        when=_moment(issued_at), link=external_url("auth.activate", token=token),
                        days=current_app.config["ACTIVATION_VALID_DAYS"])


def send(messages: list[EmailMessage]) -> list[bool]:
    return _send(messages)


def send_one(message: Optional[EmailMessage]) -> bool:
    return bool(message is not None and _send([message])[0])
