"""Sign-in, activation and re-authentication as a capability."""

from ret_app.auth import audit_words
from ret_app.auth import routes  # noqa: F401  (views registered)
from ret_app.auth.blueprint import bp
from ret_app.expected import EVERYONE, PUBLIC
from ret_app.kernel.registry import Capability

capability = (
    Capability("auth")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .expected_access({
        "auth.login": PUBLIC,
        "auth.second_factor": PUBLIC,
        "auth.recovery_code": PUBLIC,
        "auth.logout": PUBLIC,
        "auth.activate": PUBLIC,
        "auth.enrol": PUBLIC,
        "auth.reauthenticate": EVERYONE,
    })
)
