"""Sign-in, second factor, activation and password rules: the business side of auth."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from flask import current_app, request, session
from sqlalchemy import func, select, update

from ret_app import audit
from ret_app.auth import passwords, throttle, totp
from ret_app.auth.events import ActivationLinkIssued, PasswordChanged
from ret_app.extensions import db
from ret_app.kernel import events, request_cache
from ret_app.models import ActivationPurpose, ActivationToken, RecoveryCode, User
from ret_app.kernel.dates import utcnow
from ret_app.policy.freshness import mark_authenticated, needs_reauthentication, reauth_redirect  # noqa: F401
from ret_app.sessions import end_sessions

PENDING_USER_KEY = "pending_2fa_user_id"
PENDING_SINCE_KEY = "pending_2fa_since"
PENDING_MINUTES = 5
SECOND_FACTOR_MAX_FAILURES = 5


def find_user_by_email(email: str) -> Optional[User]:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _login_keys(email: str) -> tuple[str, str]:
    return throttle.account_key("login", email), throttle.address_key("login", request.remote_addr)


def check_password_step(email: str, password: str) -> Optional[User]:
    """First factor. Returns the user when the password is right and the account usable.

    Every failure (unknown address, wrong password, inactive account, throttled) looks the same
    to the caller, so the answer never tells whether an account exists.
    """
    cfg = current_app.config
    account_key, address_key = _login_keys(email)
    user = find_user_by_email(email)
    if throttle.blocked([account_key, address_key]):
        audit.record(audit.Action.LOGIN, outcome=audit.Outcome.DENIED, user=user,
                     object_type="user", object_id=user.id if user else None,
                     detail="throttled")
        return None
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        throttle.register_failure(account_key, cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
        throttle.register_failure(address_key, cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"], slowdown=False)
        reason = "unknown_account" if user is None else ("bad_password" if not ok else "inactive_account")
        audit.record(audit.Action.LOGIN, outcome=audit.Outcome.FAILED, user=user,
                     object_type="user", object_id=user.id if user else None,
                     detail=reason)
        return None
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    audit.record(audit.Action.LOGIN, user=user, object_type="user", object_id=user.id,
                 detail="password_ok_awaiting_2fa")
    return user


def start_pending_second_factor(user: User) -> None:
    session[PENDING_USER_KEY] = user.id
    session[PENDING_SINCE_KEY] = utcnow().isoformat()


def pending_user() -> Optional[User]:
    user_id = session.get(PENDING_USER_KEY)
    since = session.get(PENDING_SINCE_KEY)
    if not user_id or not since:
        return None
    if utcnow() - datetime.fromisoformat(since) > timedelta(minutes=PENDING_MINUTES):
        clear_pending()
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


def clear_pending() -> None:
    session.pop(PENDING_USER_KEY, None)
    session.pop(PENDING_SINCE_KEY, None)


def _second_factor_key(user: User) -> str:
    return throttle.account_key("2fa", str(user.id))


def second_factor_blocked(user: User) -> bool:
    return throttle.blocked([_second_factor_key(user)])


@dataclass
class SecondFactorResult:
    ok: bool
    locked: bool = False


def check_second_factor(user: User, code: str, *, recovery: bool = False) -> SecondFactorResult:
    key = _second_factor_key(user)
    if throttle.blocked([key]):
        audit.record(audit.Action.TWO_FACTOR, outcome=audit.Outcome.DENIED, user=user,
                     object_type="user", object_id=user.id, detail="throttled")
        return SecondFactorResult(False, locked=throttle.locked([key]))
    ok = use_recovery_code(user, code) if recovery else totp.verify_for_user(user, code)
    method = "recovery_code" if recovery else "totp"
    if not ok:
        throttle.register_failure(key, SECOND_FACTOR_MAX_FAILURES)
        audit.record(audit.Action.TWO_FACTOR, outcome=audit.Outcome.FAILED, user=user,
                     object_type="user", object_id=user.id, detail=method)
        return SecondFactorResult(False, locked=throttle.locked([key]))
    throttle.clear([key, throttle.account_key("login", user.email)])
    user.last_login_at = utcnow()
    audit.record(audit.Action.LOGIN, user=user, object_type="user", object_id=user.id,
                 detail=f"signed_in_{method}")
    return SecondFactorResult(True)


def use_recovery_code(user: User, code: str) -> bool:
    code_hash = totp.hash_recovery_code(code)
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    # Conditional update: two simultaneous uses of one code cannot both succeed.
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return result.rowcount == 1


def remaining_recovery_codes(user: User) -> int:
    """Read once per request (kernel.request_cache: the start page's recovery alert and account card)."""
    return request_cache.remembered(("recovery_codes_left", user.id), lambda: db.session.scalar(
        select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ) or 0, watch=RecoveryCode)


def replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    codes = [totp.new_recovery_code() for _ in range(current_app.config["RECOVERY_CODE_COUNT"])]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(code)))
    db.session.flush()
    return codes


# --- sessions and re-authentication ------------------------------------------------------

def reauthenticate(user: User, password: str) -> bool:
    key = throttle.account_key("reauth", str(user.id))
    if throttle.blocked([key]):
        return False
    if passwords.verify_password(user.password_hash, password):
        throttle.clear([key])
        mark_authenticated()
        audit.record(audit.Action.LOGIN, user=user, object_type="user", object_id=user.id,
                     detail="reauthenticated")
        return True
    throttle.register_failure(key, current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    audit.record(audit.Action.LOGIN, outcome=audit.Outcome.FAILED, user=user, object_type="user",
                 object_id=user.id, detail="reauthentication_failed")
    return False


def record_sign_out(user: User) -> None:
    """Signing out (or ending the current session from the list of sessions) is audited."""
    audit.record(audit.Action.LOGOUT, user=user, object_type="user", object_id=user.id)


def change_password(user: User, current: str, new: str, *, keep_session_row: Optional[int]) -> bool:
    """Returns False when the current password is wrong. The new one must be checked already."""
    if not passwords.verify_password(user.password_hash, current):
        audit.record(audit.Action.PASSWORD, outcome=audit.Outcome.FAILED, user=user,
                     object_type="user", object_id=user.id, detail="current_password_wrong")
        return False
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    ended = end_sessions(user.id, "password_changed", except_row_id=keep_session_row)
    audit.record(audit.Action.PASSWORD, user=user, object_type="user", object_id=user.id,
                 detail=f"password_changed_other_sessions_ended={ended}")
    events.emit(PasswordChanged(actor=user, user_id=user.id, at=user.password_changed_at))
    return True


# --- activation links ----------------------------------------------------------------

def _hash_activation(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def issue_activation(user: User, purpose: ActivationPurpose, created_by: Optional[User]) -> str:
    """A new one-time link; earlier unused links of the user stop working."""
    now = utcnow()
    db.session.execute(
        update(ActivationToken)
        .where(ActivationToken.user_id == user.id, ActivationToken.used_at.is_(None),
               ActivationToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(ActivationToken(
        user_id=user.id,
        token_hash=_hash_activation(token),
        purpose=purpose.value,
        created_by_id=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["ACTIVATION_VALID_DAYS"]),
    ))
    db.session.flush()
    events.emit(ActivationLinkIssued(actor=created_by, user_id=user.id, at=now, purpose=purpose.value, token=token))
    return token


def check_activation(token: str) -> tuple[Optional[ActivationToken], Optional[str]]:
    """The activation row for a link and why it cannot be used (None: it can). One link, one use:
    a link is used up once its password step passed; the rest of the activation continues only in
    the browser session that passed it (`pending_enrolment`)."""
    if not token or len(token) > 128:
        return None, "unknown"
    row = db.session.scalar(select(ActivationToken).where(ActivationToken.token_hash == _hash_activation(token)))
    if row is None:
        return None, "unknown"
    if row.used_at:
        return row, "used"
    if row.revoked_at:
        return row, "revoked"
    if row.expires_at <= utcnow():
        return row, "expired"
    if row.user.deactivated_at is not None:
        return row, "account_deactivated"
    return row, None


def find_activation(token: str) -> Optional[ActivationToken]:
    row, problem = check_activation(token)
    return row if problem is None else None


def record_invalid_activation(row: Optional[ActivationToken], reason: str) -> None:
    """A link or an enrolment step that cannot be used: audited as a denial (which account it was
    for, if known, and why; never the link itself)."""
    audit.record(audit.Action.ACTIVATE, outcome=audit.Outcome.DENIED, object_type="user",
                 object_id=row.user_id if row else None, detail=f"invalid_{reason}")


def _claim(act: ActivationToken) -> bool:
    """The password step passed: the link is used up (opened again anywhere, it is invalid). A
    conditional update, so that of two requests sent with one link at the same moment one wins."""
    claimed = db.session.execute(
        update(ActivationToken).where(ActivationToken.id == act.id, ActivationToken.used_at.is_(None),
                                      ActivationToken.revoked_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(act)
    return claimed


def set_activation_password(act: ActivationToken, password: str) -> bool:
    """Set the first password and use the link up; False when another request used it first."""
    if not _claim(act):
        record_invalid_activation(act, "link_used")
        return False
    user = act.user
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    audit.record(audit.Action.ACTIVATE, user=user, object_type="user", object_id=user.id,
                 detail="password_set")
    return True


def confirm_activation_password(act: ActivationToken, password: str) -> bool:
    """The reset link's password check; it uses the link up when it passes. False when the password
    is wrong (or throttled), or another request used the link first."""
    key = throttle.account_key("activation", str(act.user_id))
    if throttle.blocked([key]):
        return False
    if passwords.verify_password(act.user.password_hash, password):
        throttle.clear([key])
        if not _claim(act):
            record_invalid_activation(act, "link_used")
            return False
        return True
    throttle.register_failure(key, current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    audit.record(audit.Action.ACTIVATE, outcome=audit.Outcome.FAILED, user=act.user,
                 object_type="user", object_id=act.user_id, detail="password_wrong")
    return False


def pending_enrolment(activation_id: Any, user_id: Any) -> tuple[Optional[ActivationToken], Optional[str]]:
    """The activation this browser session claimed (its id and user kept in the server-side
    session, never in a link), if enrolling the second factor may still continue: the account is
    active, and no newer link was issued meanwhile. Otherwise the reason it may not."""
    if not isinstance(activation_id, int) or not isinstance(user_id, int):
        return None, "enrolment_not_started"
    act = db.session.get(ActivationToken, activation_id)
    if act is None or act.user_id != user_id or act.used_at is None or not act.user.password_hash:
        return act, "enrolment_not_started"
    newer = db.session.scalar(select(func.count()).select_from(ActivationToken).where(
        ActivationToken.user_id == user_id, ActivationToken.id > act.id))
    if act.revoked_at is not None or newer or act.user.deactivated_at is not None:
        return act, "enrolment_no_longer_valid"
    return act, None


def is_link_of(act: ActivationToken, token: str) -> bool:
    return act.token_hash == _hash_activation(token)


def complete_enrolment(act: ActivationToken, secret: str, code: str) -> Optional[list[str]]:
    """Store the confirmed TOTP secret, finish the activation and hand out recovery codes."""
    counter = totp.matching_counter(secret, code)
    user = act.user
    if counter is None:
        audit.record(audit.Action.TWO_FACTOR, outcome=audit.Outcome.FAILED, user=user,
                     object_type="user", object_id=user.id, detail="enrolment_code_wrong")
        return None
    now = utcnow()
    user.totp_secret = secret
    user.totp_last_counter = counter
    if user.activated_at is None:
        user.activated_at = now
    user.last_login_at = now
    codes = replace_recovery_codes(user)
    audit.record(audit.Action.TWO_FACTOR, user=user, object_type="user", object_id=user.id,
                 detail=f"enrolled_{act.purpose}")
    return codes


