"""Password hashing (Argon2id) and the password rules of ASVS V2.1.

At least 12 characters, at most 128; no composition rules; common and breached passwords from
a bundled list are refused (the list is Django's common-passwords, BSD licence, plus Dutch
additions).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Optional

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128
_DATA = Path(__file__).resolve().parent.parent / "data"

# A valid hash of a random password: verifying against it costs the same time as a real check,
# so an unknown e-mail address is not revealed by a faster answer.
_DUMMY_PASSWORD = "no-such-account-dummy-password"


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    words: set[str] = set()
    with gzip.open(_DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as fh:
        words.update(line.strip().lower() for line in fh if line.strip())
    with open(_DATA / "common-passwords-nl.txt", encoding="utf-8") as fh:
        words.update(line.strip().lower() for line in fh if line.strip() and not line.startswith("#"))
    return frozenset(words)


def is_common(password: str) -> bool:
    return password.strip().lower() in _common_passwords()


def password_problem(password: str, *, email: str = "", name: str = "") -> Optional[str]:
    """A user-facing reason why this password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.strip().lower()
    if is_common(password):
        return str(_l("This password is too common or has appeared in data breaches. Choose another one."))
    if len(set(lowered)) < 4:
        return str(_l("This password is too easy to guess. Choose another one."))
    local_part = email.split("@", 1)[0].lower() if email else ""
    if local_part and len(local_part) >= 4 and local_part in lowered:
        return str(_l("Do not use your e-mail address in your password."))
    return None


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: Optional[str], password: str) -> bool:
    hasher = _hasher()
    if not password_hash:
        dummy = current_app.extensions.get("ret_dummy_hash")
        if dummy is None:
            dummy = current_app.extensions["ret_dummy_hash"] = hasher.hash(_DUMMY_PASSWORD)
        try:
            hasher.verify(dummy, password)
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
