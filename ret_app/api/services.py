"""The API's tokens: issuing (the secret is handed back once and only its hash is kept), rotating (a
new secret for the same organisation and purpose; the old token stops at once) and revoking. Flush,
never commit; one event per change.

    issue(admin, organisation_id, name, expires_on, key) -> Issued | None   (None: this form was sent already)
    rotate(token, admin) -> Issued
    revoke(token, admin) -> bool        (False: it was revoked already)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ret_app import policy
from ret_app.api.events import ApiTokenIssued, ApiTokenRevoked
from ret_app.extensions import db
from ret_app.kernel import dates, events, submissions
from ret_app.kernel.dates import AMSTERDAM, utcnow
from ret_app.kernel.errors import RuleError
from ret_app.models import ApiToken, Organisation, Region, User
from ret_app.models.api import PREFIX_LENGTH
from ret_app.paging import Page, paginate

SECRET_PREFIX = "ret_"
DEFAULT_VALIDITY_DAYS = 365
MAX_VALIDITY_DAYS = 2 * 365

NOT_A_HOLDER = _l("Choose an organisation of the municipalities (policy and purchasing, or an access team) "
                  "of a region you manage.")
PAST = _l("Choose a date after today.")
TOO_FAR = _l("A token is valid for at most two years. Choose an earlier date.")
REVOKED_ALREADY = _l("This token was revoked already; it cannot be renewed. Issue a new one instead.")
EXPIRED = _l("This token has expired; it cannot be renewed. Issue a new one instead.")


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # shown once, never stored


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def expires_at(expires_on: date) -> datetime:
    """A token is valid up to and including `expires_on` (the day in the Netherlands)."""
    return datetime.combine(expires_on + timedelta(days=1), time.min, AMSTERDAM)


def expires_on(token: ApiToken) -> date:
    return dates.local_date(token.expires_at - timedelta(microseconds=1))


def holder_choices(admin: User) -> list[tuple[int, str]]:
    """(id, "organisation (region)") of the organisations the administrator may issue a token to."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Region.name).join(Region, Organisation.region_id == Region.id)
        .where(policy.administered_organisations_clause(admin), policy.holder_clause())
        .order_by(Region.name, Organisation.name))
    return [(organisation_id, f"{name} ({region})") for organisation_id, name, region in rows]


PAGE_SIZE = 50


def tokens_for(admin: User, page: int = 1) -> Page:
    """The tokens of the organisations of the administrator's regions, newest first, a page at a time."""
    return paginate(
        select(ApiToken).join(Organisation, ApiToken.organisation_id == Organisation.id)
        .where(policy.administered_organisations_clause(admin))
        .options(joinedload(ApiToken.organisation).joinedload(Organisation.region),
                 joinedload(ApiToken.created_by))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()), page, PAGE_SIZE)


def administered_token(admin: User, token_id: int) -> Optional[ApiToken]:
    """The token, when it belongs to an organisation of a region the administrator manages."""
    token = db.session.get(ApiToken, token_id, options=[joinedload(ApiToken.organisation)])
    if token is None or not policy.administers_region(admin, token.organisation.region_id):
        return None
    return token


def _check_issue(admin: User, organisation_id: Optional[int], valid_until: Optional[date]) -> Organisation:
    errors = {}
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or not policy.may_hold_api_token(organisation) or \
            not policy.administers_region(admin, organisation.region_id):
        errors["organisation_id"] = NOT_A_HOLDER
    today = dates.today()
    if valid_until is not None and valid_until <= today:
        errors["expires_on"] = PAST
    elif valid_until is not None and valid_until > today + timedelta(days=MAX_VALIDITY_DAYS):
        errors["expires_on"] = TOO_FAR
    if errors:
        raise RuleError.many(errors)
    return organisation  # type: ignore[return-value]


def _create(admin: User, organisation: Organisation, name: str, until: datetime, key: Optional[str],
            replaces: Optional[ApiToken] = None) -> Issued:
    secret = new_secret()
    token = ApiToken(organisation_id=organisation.id, name=name, token_hash=policy.hash_secret(secret),
                     prefix=secret[:PREFIX_LENGTH], created_by_id=admin.id, created_at=utcnow(), expires_at=until,
                     submission_key=key)
    db.session.add(token)
    db.session.flush()
    events.emit(ApiTokenIssued(actor=admin, token_id=token.id, organisation_id=organisation.id,
                               expires_on=expires_on(token), replaces_id=replaces.id if replaces else None))
    return Issued(token, secret)


def issue(admin: User, organisation_id: Optional[int], name: str, valid_until: Optional[date],
          key: Optional[str]) -> Optional[Issued]:
    """A new token for the organisation, valid up to and including `valid_until`. None when a token
    was issued with this form's key already (sent twice: its secret was shown the first time)."""
    key = submissions.valid_key(key)
    organisation = _check_issue(admin, organisation_id, valid_until)
    if db.session.scalar(select(ApiToken.id).where(ApiToken.submission_key == key)) is not None:
        return None
    return _create(admin, organisation, name.strip(), expires_at(valid_until), key)  # type: ignore[arg-type]


def rotate(token: ApiToken, admin: User) -> Issued:
    """A new secret for the same organisation, purpose and expiry; the old token stops at once."""
    now = utcnow()
    if token.revoked_at is not None:
        raise RuleError(REVOKED_ALREADY)
    if now >= token.expires_at:
        raise RuleError(EXPIRED)
    if not policy.may_hold_api_token(token.organisation):
        raise RuleError(NOT_A_HOLDER)
    issued = _create(admin, token.organisation, token.name, token.expires_at, None, replaces=token)
    token.revoked_at, token.revoked_by_id, token.replaced_by_id = now, admin.id, issued.token.id
    db.session.flush()
    events.emit(ApiTokenRevoked(actor=admin, token_id=token.id, organisation_id=token.organisation_id,
                                replaced_by_id=issued.token.id))
    return issued


def revoke(token: ApiToken, admin: User) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at, token.revoked_by_id = utcnow(), admin.id
    db.session.flush()
    events.emit(ApiTokenRevoked(actor=admin, token_id=token.id, organisation_id=token.organisation_id))
    return True
