"""Login throttling whose state lives in the database, so it holds across workers and machines.

Two keys per attempt: the account (hashed e-mail, whether or not the account exists, so the
answer never tells) and the network address. After a few failures each next attempt must wait
longer (slowdown); after the maximum the key is locked for a while (lockout).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Iterable

from flask import current_app
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import AuthThrottle
from ret_app.kernel.dates import utcnow


def account_key(scope: str, identifier: str) -> str:
    digest = hashlib.sha256(identifier.strip().lower().encode("utf-8")).hexdigest()[:40]
    return f"{scope}:acct:{digest}"


def address_key(scope: str, address: str | None) -> str:
    return f"{scope}:addr:{(address or 'unknown')[:45]}"


def _row(key: str) -> AuthThrottle | None:
    return db.session.scalar(select(AuthThrottle).where(AuthThrottle.key == key).with_for_update())


def _insert_row(key: str, now: datetime) -> None:
    """Create the row unless a parallel request just did: no unique-key error, no lost count."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(AuthThrottle).values(key=key, failures=0, window_started_at=now, locked=False)
                       .on_conflict_do_nothing(index_elements=["key"]))


def blocked(keys: Iterable[str], now: datetime | None = None) -> bool:
    now = now or utcnow()
    for key in keys:
        row = db.session.get(AuthThrottle, key)
        if row and row.blocked_until and row.blocked_until > now:
            return True
    return False


def locked(keys: Iterable[str], now: datetime | None = None) -> bool:
    """Locked out (the maximum was reached), as opposed to merely slowed down for a few seconds."""
    now = now or utcnow()
    for key in keys:
        row = db.session.get(AuthThrottle, key)
        if row and row.locked and row.blocked_until and row.blocked_until > now:
            return True
    return False


def register_failure(key: str, limit: int, now: datetime | None = None, *, slowdown: bool = True) -> None:
    """Count a failure. `slowdown=False` for keys shared by many people (a network address):
    they only count towards the lockout, so that growing delays never outlast the window and
    keep the lockout from being reached."""
    cfg = current_app.config
    now = now or utcnow()
    window = timedelta(minutes=cfg["LOGIN_FAILURE_WINDOW_MINUTES"])
    row = _row(key)
    if row is None:
        _insert_row(key, now)
        row = _row(key)
    if now - row.window_started_at > window and not (row.blocked_until and row.blocked_until > now):
        row.failures = 0
        row.window_started_at = now
        row.locked = False
    row.failures += 1
    if row.failures >= limit:
        row.locked = True
        row.blocked_until = now + timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
    elif slowdown and row.failures >= cfg["LOGIN_SLOWDOWN_AFTER"]:
        # 2, 4, 8, ... seconds before the next attempt is considered.
        delay = 2 ** (row.failures - cfg["LOGIN_SLOWDOWN_AFTER"] + 1)
        row.blocked_until = now + timedelta(seconds=min(delay, 300))
    db.session.flush()


def clear(keys: Iterable[str]) -> None:
    for key in keys:
        row = db.session.get(AuthThrottle, key)
        if row is not None:
            db.session.delete(row)
    db.session.flush()
