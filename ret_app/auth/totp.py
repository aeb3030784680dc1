"""TOTP second factor (RFC 6238) with reuse detection, and single-use recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Optional

import pyotp
import segno
from sqlalchemy import func, update

from ret_app.extensions import db
from ret_app.models import User

# Accept the previous and the next 30-second step too (clock drift).
VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG data URI, rendered on the server (no script needed)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


def matching_counter(secret: str, code: str, *, now: Optional[float] = None) -> Optional[int]:
    """The time step whose code equals `code`, within the window, or None."""
    code = normalise_code(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // totp.interval)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        counter = current + offset
        if counter >= 0 and hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def verify_for_user(user: User, code: str) -> bool:
    """Check a code and remember its time step, so the same code cannot be used twice."""
    if not user.totp_secret:
        return False
    counter = matching_counter(user.totp_secret, code)
    if counter is None or counter <= (user.totp_last_counter or 0):
        return False
    # Conditional update: two simultaneous uses of one code cannot both succeed.
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, func.coalesce(User.totp_last_counter, 0) < counter)
        .values(totp_last_counter=counter)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    user.totp_last_counter = counter
    return True


def hash_recovery_code(code: str) -> str:
    cleaned = normalise_code(code).replace("-", "").lower()
    return hashlib.sha256(cleaned.encode("utf-8")).hexdigest()


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"
