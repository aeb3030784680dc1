"""Submission keys: a fresh key per rendered form, sent back with it, so that the same form sent twice
(a double click, a retry) is recorded once. The services store the key with what it made and look it
up before making anything (`create_once` does both for a form that creates one row: a new referral, a
family member, a session)."""

from __future__ import annotations

import re
import secrets
from typing import Callable, Optional, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ret_app.extensions import db
from ret_app.kernel.errors import RuleError

T = TypeVar("T")

EXPIRED = _l("The form has expired. Reload the page and try again.")

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,48}$")


def new_key() -> str:
    return secrets.token_urlsafe(24)


def valid_key(key: Optional[str]) -> str:
    """The key as sent, or a refusal ("the form has expired") when it is missing or malformed."""
    key = (key or "").strip()
    if not _KEY.match(key):
        raise RuleError(EXPIRED)
    return key


def clean(key: Optional[str]) -> Optional[str]:
    """The key as sent, or None (a form without one, or something that is no key): such a form is
    simply not protected against being sent twice."""
    key = (key or "").strip()
    return key if _KEY.match(key) else None


def find(model, key: Optional[str], *conditions):
    """What a form with this key made already (within `conditions`: the same author, the same case)."""
    if not key:
        return None
    return db.session.scalar(select(model).where(model.submission_key == key, *conditions))


def add_once(model, key: Optional[str], make: Callable[[], T], *conditions) -> tuple[T, bool]:
    """`create_once` for a row that is simply added: `make()` builds it (with `submission_key=key`), this
    adds and flushes it."""

    def create() -> T:
        row = make()
        db.session.add(row)
        db.session.flush()
        return row

    return create_once(model, key, create, *conditions)


def create_once(model, key: Optional[str], create: Callable[[], T], *conditions) -> tuple[T, bool]:
    """`create()` (which adds a row with `submission_key=key` and flushes) in a savepoint, unless this key
    made its row already. Returns (row, created). When another request with the same key gets there at the
    same moment, the database refuses the second row (the unique key; PostgreSQL makes it wait for the
    first's commit): everything the second `create()` did is rolled back and the first's row is the answer."""
    existing = find(model, key, *conditions)
    if existing is not None:
        return existing, False
    if not key:
        return create(), True
    try:
        with db.session.begin_nested():
            row = create()
    except IntegrityError:
        existing = find(model, key, *conditions)
        if existing is None:
            raise
        return existing, False
    return row, True
