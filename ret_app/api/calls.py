"""What every call of the API leaves behind, and how it is refused.

Each call is audited once: a read (`api_call`, the token's id as the object, its organisation as "on
behalf of", the route, the region and the figures asked for — never the secret, never what an
invalid parameter held), a refusal 400 (the names of the parameters at fault), a 404 (what was not
found), or the 401 of policy/tokens.py. A successful call also marks when the token was last used.
"""

from __future__ import annotations

from typing import Iterable, NoReturn

from flask import abort, request
from sqlalchemy import update

from ret_app import audit
from ret_app.api.schemas import json_error
from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import ApiToken
from ret_app.policy import api_token

OBJECT_TYPE = "api_call"


def _record(outcome: audit.Outcome, detail: str) -> None:
    token = api_token()
    audit.record(audit.Action.READ, outcome=outcome, object_type=OBJECT_TYPE,
                 object_id=token.id if token is not None else None,
                 on_behalf_of=token.organisation.name if token is not None else None,
                 detail=f"route={request.endpoint};{detail}")


def bad_request(parameters: Iterable[str]):
    """The 400 answer for query parameters that cannot be used (names only; audited as failed)."""
    names = sorted(set(parameters))
    _record(audit.Outcome.FAILED, "invalid=" + ",".join(names))
    return json_error(400, "bad_request", "These query parameters cannot be used: " + ", ".join(names) + ".",
                      names)


def refuse_parameters(parameters: Iterable[str]) -> NoReturn:
    abort(bad_request(parameters))


def not_found(what: str) -> NoReturn:
    """404: not in the token's region (or not at all; the answer is the same). Audited as denied."""
    _record(audit.Outcome.DENIED, f"not_found={what}")
    abort(json_error(404, "not_found", f"No such {what} in your region."))


def record_read(token: ApiToken, detail: str) -> None:
    """A call answered: audited, and the token's last use kept."""
    # A plain UPDATE: the token's version (the administrator's pages) does not change by being used.
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=utcnow()))
    _record(audit.Outcome.ALLOWED, detail)
