"""Submission keys: a fresh key per rendered form, sent back with it, so that the same form sent twice
(a double click, a retry) is recorded once. The services store the key with what it made and look it
up before making anything."""

from __future__ import annotations

import re
import secrets
from typing import Optional

from flask_babel import lazy_gettext as _l

from ret_app.kernel.errors import RuleError

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
