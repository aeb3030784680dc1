"""The monitor API's bearer tokens: who administers them, and the check of a request's token.

Administering: the functional administrator issues, rotates and revokes tokens for organisations of
the region they administer (an administrator whose own organisation belongs to a region: that region;
one of the central functional management, without a region: every region). A token belongs to an
organisation of the municipalities (policy and purchasing, or an access team) that lies in a region.

The check (`authenticate_bearer`, run by the route guard for `@token_authenticated` routes): the
request must carry `Authorization: Bearer <secret>` of a token that exists, is not revoked, has not
expired and whose organisation is active and in a region. Anything else is 401 with a JSON body and
an audited denial (the reason and the token's id when it is known — never the secret or any part of
it). A session cookie counts for nothing: the API's paths carry no session (sessions.py), and this
check never looks at the signed-in user.
"""

from __future__ import annotations

import hashlib
import re
from typing import Optional

from flask import abort, g, jsonify, request
from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import joinedload

from ret_app.models import ApiToken, Organisation, OrganisationKind, Role, User
from ret_app.policy.core import bearer_check, has_role, region_of, signed_in

# Organisations that may hold a token: the municipalities' own (policy and purchasing; access teams).
TOKEN_HOLDER_KINDS = frozenset({OrganisationKind.MANAGEMENT.value, OrganisationKind.ACCESS_TEAM.value})
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,200}$")
REALM = "RET monitor API"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


# --- administering -------------------------------------------------------------------------

def administers_region(user: Optional[User], region_id: Optional[int]) -> bool:
    """The functional administrator of this region (see the module docstring)."""
    if not signed_in(user) or region_id is None or not has_role(user, Role.ADMIN):
        return False
    own = region_of(user)
    return own is None or own == region_id


def administered_organisations_clause(user: Optional[User]) -> ColumnElement[bool]:
    """SQL twin of `administers_region(user, organisation.region_id)` on Organisation."""
    if not signed_in(user) or not has_role(user, Role.ADMIN):
        return false()
    own = region_of(user)
    if own is None:
        return Organisation.region_id.is_not(None)
    return Organisation.region_id == own


def may_hold_api_token(organisation: Organisation) -> bool:
    return (organisation.region_id is not None and organisation.active
            and organisation.kind in TOKEN_HOLDER_KINDS)


def holder_clause() -> ColumnElement[bool]:
    """SQL twin of `may_hold_api_token` on Organisation."""
    return (Organisation.region_id.is_not(None) & Organisation.active.is_(True)
            & Organisation.kind.in_(sorted(TOKEN_HOLDER_KINDS)))


# --- a request's token ---------------------------------------------------------------------

def api_token() -> Optional[ApiToken]:
    """The token this request was authenticated with (after `authenticate_bearer`), else None."""
    return g.get("api_token")


def _secret_from_header() -> tuple[Optional[str], Optional[str]]:
    """(secret, None) or (None, why not)."""
    header = request.headers.get("Authorization")
    if not header:
        return None, "missing"
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not SECRET_PATTERN.match(secret):
        return None, "malformed"
    return secret, None


def _refuse(reason: str, token: Optional[ApiToken] = None):
    from ret_app import audit

    audit.record(audit.Action.READ, outcome=audit.Outcome.DENIED, object_type="api_call",
                 object_id=token.id if token is not None else None,
                 on_behalf_of=token.organisation.name if token is not None else None,
                 detail=f"route={request.endpoint};reason={reason}")
    response = jsonify(error="unauthorized",
                       message="A valid bearer token is required (Authorization: Bearer <token>).")
    response.status_code = 401
    challenge = f'Bearer realm="{REALM}"'
    if reason != "missing":
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    abort(response)


@bearer_check
def authenticate_bearer() -> ApiToken:
    """The request's valid token (kept for the view in `g.api_token`), or a 401 (audited)."""
    from ret_app.extensions import db
    from ret_app.kernel.dates import utcnow

    secret, problem = _secret_from_header()
    if secret is None:
        _refuse(problem or "malformed")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
                              .options(joinedload(ApiToken.organisation)))
    if token is None:
        _refuse("unknown")
    now = utcnow()
    if token.revoked_at is not None:
        _refuse("revoked", token)
    if now >= token.expires_at:
        _refuse("expired", token)
    if not (token.organisation.active and token.organisation.region_id is not None):
        _refuse("organisation_inactive", token)
    g.api_token = token
    return token
