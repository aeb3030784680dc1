"""The API described in code: the SpecTree instance that validates queries and answers against their
pydantic models (schemas.py) and writes the OpenAPI 3.1 document (served at /api/v1/openapi.json).

Why spectree: it works with our plain Flask app and its blueprints as they are (apiflask and
flask-openapi3 want their own Flask subclass as the application: apiflask's blueprint on a plain Flask
app fails on its first invalid input, and the document comes from the subclass), it documents exactly the
routes it decorates (`mode="strict"`: no other page of RET appears), its models are pydantic (the JSON
Schema of OpenAPI 3.1), and it validates queries and answers against the same models the document is
made of. Its own documentation pages (which load scripts from elsewhere) are switched off; the
document is served by our own route.

A query that does not fit its model is answered 400 with `Error` (the names of the parameters at
fault, never what was sent) — see `_refuse_invalid_query`.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import abort
from pydantic import BaseModel
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData

from ret_app.api import calls
from ret_app.api.schemas import Error

API_VERSION = "1.0.0"
SECURITY = {"bearer": []}


def _refuse_invalid_query(req: Any, resp: Any, error: Optional[Exception], instance: Any, adapter: Any) -> None:
    """SpecTree's hook before the view: a query that does not fit its model is a 400 with the names of
    the parameters at fault (never their values: they are not logged and not echoed)."""
    if error is None:
        return
    names = sorted({str(item["loc"][0]) for item in adapter.validation_errors(error) if item.get("loc")})
    names = [{"from_": "from"}.get(name, name) for name in names]
    abort(calls.bad_request(names))


api = SpecTree(
    "flask",
    mode="strict",
    title="RET monitor API",
    description=("Read-only figures of a region's Regional Expert Team for the regional monitor: counts "
                 "per period, suppressed so that no child can be recognised (docs/api.md). Every call "
                 "needs a bearer token that the region's functional administrator issued to the "
                 "organisation; it reads that organisation's region only."),
    version=API_VERSION,
    page_templates={},
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(
        type="http", scheme="bearer", description="A token issued in RET (Beheer > API-sleutels)."))],
    security=SECURITY,
    validation_error_status=400,
    validation_error_model=Error,
    before=_refuse_invalid_query,
)

# The answers every endpoint may give besides its 200.
REFUSALS = {"HTTP_400": Error, "HTTP_401": Error, "HTTP_404": Error}


def responses(ok: type[BaseModel]) -> Response:
    return Response(HTTP_200=ok, **REFUSALS)


def document() -> dict:
    """The OpenAPI document (made once per process from the decorated routes)."""
    return api.spec
