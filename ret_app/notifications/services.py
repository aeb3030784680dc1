"""Notifications: making them (once per fact and user), reading them, each user's choices, and
delivering them by e-mail at once or in the daily digest. Flush, never commit.

`notify` runs inside the unit of work of whatever raised the fact; the e-mails go after that unit
committed (never for a notification that was rolled back), each through mail.py, which never lets a
failing mail server fail anything."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ret_app.extensions import db
from ret_app.kernel import dates, uow
from ret_app.kernel.dates import AMSTERDAM, utcnow
from ret_app.kernel.errors import RuleError
from ret_app.models import Delivery, Notification, NotificationPreference, User
from ret_app.notifications import kinds, mail

MAX_LINK = 300
MAX_KEY = 120
MAX_WORDS = 120
_MAIL_KEY = "notifications_to_mail"


def _user_ids(recipients: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for recipient in recipients:
        user_id = recipient if isinstance(recipient, int) else getattr(recipient, "id", None)
        if isinstance(user_id, int) and user_id not in ids:
            ids.append(user_id)
    return ids


def _check_link(link: str) -> str:
    """A path in RET with ids only: never another site, never more than a path."""
    if not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > MAX_LINK \
            or any(ord(ch) < 33 for ch in link):
        raise ValueError("a notification links to a path in RET")
    return link


def notify(recipients: Iterable[Any], kind: str, link: str, key: str, *,
           subject_words: Optional[str] = None, by_mail: bool = True) -> list[int]:
    """One notification of `kind` for each recipient (users or user ids) about one fact: `key` names
    the fact ("request_overdue:17"), so the same fact notifies a user once however often it is raised
    (a job run twice, a retry). `link`: where the user acts (a path with ids only). `subject_words`:
    a few words without personal data shown with it in the list (a date). Returns the ids of the
    notifications made now; those whose recipient wants them at once are mailed after the commit
    (`by_mail=False`: the caller tells it by a mail of its own, e.g. the link after a 2FA reset)."""
    spec = kinds.get(kind)
    _check_link(link)
    if not key or len(key) > MAX_KEY:
        raise ValueError("a notification's key has 1 to 120 characters")
    words = (subject_words or "").strip()[:MAX_WORDS]
    ids = _user_ids(recipients)
    if not ids:
        return []
    now = utcnow()
    rows = [{"user_id": user_id, "kind": kind, "link": link, "key": key, "words": words, "created_at": now,
             "mailed_at": None if by_mail else now} for user_id in ids]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # One statement; a (user, key) that exists already (or is inserted by a concurrent unit at the same
    # moment) is skipped by the database itself.
    statement = (dialect.insert(Notification).values(rows)
                 .on_conflict_do_nothing(index_elements=["user_id", "key"])
                 .returning(Notification.id, Notification.user_id))
    made = db.session.execute(statement).all()
    if not made or not by_mail:
        return [row_id for row_id, _user in made]
    chosen = _deliveries([user_id for _id, user_id in made], spec)
    at_once = [row_id for row_id, user_id in made if chosen[user_id] == Delivery.MAIL_NOW]
    if at_once:
        _mail_after_commit(at_once)
    return [row_id for row_id, _user in made]


def _deliveries(user_ids: list[int], spec: kinds.Kind) -> dict[int, str]:
    """How `spec` reaches each user: locked kinds always at once, else the user's choice or the
    kind's default (one query)."""
    if spec.locked:
        return {user_id: Delivery.MAIL_NOW.value for user_id in user_ids}
    chosen = dict(db.session.execute(select(NotificationPreference.user_id, NotificationPreference.delivery).where(
        NotificationPreference.kind == spec.code, NotificationPreference.user_id.in_(user_ids))).all())
    return {user_id: chosen.get(user_id, spec.default) for user_id in user_ids}


def _mail_after_commit(notification_ids: list[int]) -> None:
    unit = uow.current()
    if unit is None or unit.finished:
        _mail_now(notification_ids)
        return
    pending = unit.state.get(_MAIL_KEY)
    if pending is None:
        pending = unit.state[_MAIL_KEY] = []
        unit.after_commit(lambda: _mail_now(list(pending)))
    pending.extend(notification_ids)


def _mail_now(notification_ids: list[int]) -> None:
    """After the commit, in a unit of its own: mail the notifications not mailed yet, and record the
    ones that went (a failure leaves them unmailed; the app still shows them)."""
    if not notification_ids:
        return
    with uow.unit_of_work():
        rows = list(db.session.scalars(
            select(Notification).options(joinedload(Notification.user))
            .where(Notification.id.in_(notification_ids), Notification.mailed_at.is_(None))
            .order_by(Notification.id)))
        rows = [row for row in rows if row.user.deactivated_at is None]
        sent = mail.send(mail.notification_messages(rows))
        now = utcnow()
        for row, went in zip(rows, sent):
            if went:
                row.mailed_at = now


# --- reading --------------------------------------------------------------------------------------

def own(user: User, notification_id: int) -> Optional[Notification]:
    """The user's own notification, or None (someone else's is as good as absent)."""
    row = db.session.get(Notification, notification_id)
    return row if row is not None and row.user_id == user.id else None


def mark_read(row: Notification, read: bool = True) -> None:
    if read and row.read_at is None:
        row.read_at = utcnow()
    elif not read:
        row.read_at = None
    db.session.flush()


def mark_all_read(user: User) -> int:
    return db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount or 0


# --- preferences -----------------------------------------------------------------------------------

def preferences(user: User) -> dict[str, str]:
    """kind -> delivery for every kind the user chooses (their choice or the default)."""
    chosen = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.delivery)
                                     .where(NotificationPreference.user_id == user.id)).all())
    return {k.code: chosen.get(k.code, k.default) for k in kinds.choosable()}


def save_preferences(user: User, data: dict[str, Any]) -> list[str]:
    """Store the user's choice per kind; returns the kinds that changed. Refuses an unknown delivery."""
    current = preferences(user)
    errors = {code: _l("Choose how this kind of notification reaches you.")
              for code in current if data.get(code) not in kinds.DELIVERY_LABELS}
    if errors:
        raise RuleError.many(errors)
    rows = {row.kind: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    changed = []
    for code, delivery in current.items():
        wanted = data[code]
        if wanted == delivery:
            continue
        changed.append(code)
        if code in rows:
            rows[code].delivery = wanted
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=code, delivery=wanted))
    db.session.flush()
    return changed


# --- the daily digest ------------------------------------------------------------------------------

def _delivery_clause():
    """SQL: how each notification's kind reaches its user (their choice, else the kind's default)."""
    defaults = {k.code: (Delivery.MAIL_NOW.value if k.locked else k.default) for k in kinds.all_kinds()}
    default = case(defaults, value=Notification.kind, else_=literal(Delivery.APP.value)) if defaults \
        else literal(Delivery.APP.value)
    return func.coalesce(NotificationPreference.delivery, default)


def send_digest(today: Optional[date] = None) -> int:
    """The daily summary for everyone who chose it: per user, the notifications they have not read
    and that were not mailed yet, made before the end of `today`. They are marked mailed in this unit;
    the mails go after its commit, and those that could not be sent are unmarked again (the next run
    tries them again). A second run the same day finds nothing new. Returns how many summaries are
    to be sent."""
    today = today or dates.today()
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=AMSTERDAM)
    due = (select(Notification.id, Notification.user_id, Notification.kind)
           .join(User, User.id == Notification.user_id)
           .outerjoin(NotificationPreference, and_(NotificationPreference.user_id == Notification.user_id,
                                                   NotificationPreference.kind == Notification.kind))
           .where(Notification.mailed_at.is_(None), Notification.read_at.is_(None), Notification.created_at < end,
                  User.deactivated_at.is_(None), _delivery_clause() == Delivery.DIGEST.value)
           .order_by(Notification.user_id, Notification.id))
    per_user: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row_id, user_id, kind in db.session.execute(due):
        per_user[user_id].append((row_id, kind))
    if not per_user:
        return 0
    claimed = [row_id for rows in per_user.values() for row_id, _kind in rows]
    db.session.execute(update(Notification).where(Notification.id.in_(claimed), Notification.mailed_at.is_(None))
                       .values(mailed_at=utcnow()).execution_options(synchronize_session=False))
    plan = {user_id: rows for user_id, rows in per_user.items()}
    uow.when_committed(lambda: _send_digests(plan))
    return len(plan)


def _send_digests(plan: dict[int, list[tuple[int, str]]]) -> None:
    with uow.unit_of_work():
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(plan))))}
        order = [user_id for user_id in plan if user_id in users]
        position = {k.code: n for n, k in enumerate(kinds.all_kinds())}
        messages = []
        for user_id in order:
            counts: dict[str, int] = defaultdict(int)
            for _row_id, kind in plan[user_id]:
                counts[kind] += 1
            ordered = sorted(counts.items(), key=lambda item: position.get(item[0], len(position)))
            messages.append(mail.digest_message(users[user_id], ordered))
        sent = mail.send(messages)
        failed = [row_id for user_id, went in zip(order, sent) if not went for row_id, _kind in plan[user_id]]
        if failed:  # not sent: the next digest tries again
            db.session.execute(update(Notification).where(Notification.id.in_(failed))
                               .values(mailed_at=None).execution_options(synchronize_session=False))
