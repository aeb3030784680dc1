"""The audit trail's details of signing in, activation and passwords in words
(ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

from ret_app.audit_words import Key

WORDS = {
    "user": {
        "throttled": _l("blocked after too many attempts"),
        "unknown_account": _l("unknown e-mail address"),
        "bad_password": _l("wrong password"),
        "inactive_account": _l("account not active"),
        "password_ok_awaiting_2fa": _l("password correct, waiting for the second factor"),
        "totp": _l("wrong code from the authenticator app"),
        "recovery_code": _l("wrong recovery code"),
        "signed_in_totp": _l("signed in with the authenticator app"),
        "signed_in_recovery_code": _l("signed in with a recovery code"),
        "reauthenticated": _l("password confirmed again"),
        "reauthentication_failed": _l("password confirmation failed"),
        "current_password_wrong": _l("current password wrong"),
        "password_changed_other_sessions_ended": Key(_l("Password changed; other sessions ended")),
        "password_set": _l("password chosen"),
        "password_wrong": _l("wrong password"),
        "enrolment_code_wrong": _l("wrong code while setting up the authenticator app"),
        "enrolled_activate": _l("authenticator app set up, account activated"),
        "enrolled_reset_2fa": _l("authenticator app set up again"),
    },
}

NAMES = {"user": _l("User")}
