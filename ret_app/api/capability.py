"""The monitor API as a capability: its endpoints under /api/v1 (a bearer token only: no session, no
CSRF — there is no form and no cookie to forge), its OpenAPI document, and the administrator's token
pages under /beheer."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ret_app.api import audit_words, errors
from ret_app.api import routes, token_routes  # noqa: F401  (views registered)
from ret_app.api.blueprint import bp, tokens_bp
from ret_app.expected import ADMIN, PUBLIC, TOKEN
from ret_app.extensions import csrf
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission

API_PREFIX = "/api/v1"

csrf.exempt(bp)
errors.register(bp)

capability = (
    Capability("api")
    .blueprint(bp, API_PREFIX)
    .blueprint(tokens_bp, "/beheer")
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("api_tokens.tokens", _l("API tokens"), Permission.MANAGE_REFERENCE_DATA, "api_tokens.", order=115)
    .expected_access({
        "api.openapi": PUBLIC,
        "api.flow": TOKEN,
        "api.outcomes": TOKEN,
        "api.gaps": TOKEN,
        "api.signals": TOKEN,
        "api_tokens.tokens": ADMIN,
        "api_tokens.token_new": ADMIN,
        "api_tokens.token_rotate": ADMIN,
        "api_tokens.token_revoke": ADMIN,
    })
)


@capability.on_install
def _install(app: Flask) -> None:
    # The API's paths carry no session: a signed-in browser's cookie is neither read nor renewed there.
    prefixes = list(app.config.get("SESSIONLESS_PATH_PREFIXES", ()))
    app.config["SESSIONLESS_PATH_PREFIXES"] = prefixes + [API_PREFIX + "/"]
    errors.register_unrouted(app, API_PREFIX + "/")
