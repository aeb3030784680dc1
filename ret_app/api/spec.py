"""The API described in code: pydantic models for every query and answer, and the SpecTree instance
that validates them and writes the OpenAPI 3.1 document (served at /api/v1/openapi.json).

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

from datetime import date
from typing import Annotated, Any, Literal, Optional

from flask import abort, jsonify
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData

API_VERSION = "1.0.0"
SECURITY = {"bearer": []}
PERIODS = ("month", "quarter", "year")
# Dates of the query: ISO 8601 calendar dates of this century (the form says which; the service
# says whether the range makes sense).
DATE_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
CBS_CODE_PATTERN = r"^GM[0-9]{4}$"


class Error(BaseModel):
    """What every refusal answers."""

    error: str = Field(description="A code: bad_request, unauthorized, not_found, server_error, ...")
    message: str = Field(description="What went wrong, in English, for the monitor's keeper.")
    parameters: list[str] = Field(default_factory=list,
                                  description="The query parameters at fault (names only), for bad_request.")


def _query_schema(**schema: Any):
    """The document's schema of an optional query parameter: a string with these constraints, no
    default (absent means the default the description gives; a query has no null)."""

    def extra(json_schema: dict) -> None:
        json_schema.pop("default", None)
        json_schema.update(schema)

    return extra


# An optional text in a query: a plain string in the document, None when absent.
OptionalText = Annotated[Optional[str], WithJsonSchema({"type": "string"})]
DateText = Annotated[OptionalText, StringConstraints(pattern=DATE_PATTERN, max_length=10)]
CbsCode = Annotated[OptionalText, StringConstraints(pattern=CBS_CODE_PATTERN, max_length=6)]
DATE_SCHEMA = _query_schema(format="date", pattern=DATE_PATTERN, maxLength=10)


class FlowQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    period: Literal["month", "quarter", "year"] = Field(
        "month", description="The length of each period: month, quarter or year (calendar periods).")
    from_: DateText = Field(None, alias="from", json_schema_extra=DATE_SCHEMA, description=(
        "A day in the first period (YYYY-MM-DD). Default: the period 11 months, 3 quarters or 2 years "
        "before the one of `to`. At most 36 months, 20 quarters or 5 years in one call."))
    to: DateText = Field(None, json_schema_extra=DATE_SCHEMA, description=(
        "A day in the last period (YYYY-MM-DD), not before `from`. Default: today."))
    municipality: CbsCode = Field(None, json_schema_extra=_query_schema(pattern=CBS_CODE_PATTERN, maxLength=6),
                                  description="Only the cases of this municipality of the token's region (its "
                                              "CBS code, e.g. GM0200). Default: the whole region.")


class Count(BaseModel):
    """One published number, after small-number suppression (docs/suppression.md)."""

    value: Optional[int] = Field(description="The count; null when it is suppressed.")
    shown: str = Field(description="What to show: the number, or the suppression mark.")
    suppressed: bool
    reason: Optional[Literal["small", "complementary"]] = Field(
        description="small: 1 to 4; complementary: hidden so that a small count cannot be computed back.")


class FlowPeriod(BaseModel):
    period: str = Field(description="The period: 2026-03 (month), 2026-Q1 (quarter) or 2026 (year).")
    label: str = Field(description="The period in Dutch words, e.g. maart 2026.")
    start: date
    end: date
    referred: Count = Field(description="Cases referred to the RET (submitted) in the period.")
    taken_in: Count = Field(description="Cases the chair took into intake in the period.")
    fitting_help_started: Count = Field(description="Cases whose fitting help started in the period.")
    closed: Count = Field(description="Cases closed in the period.")


class Area(BaseModel):
    name: str
    cbs_code: Optional[str] = Field(None, description="The municipality's CBS code; null for the region.")


class Flow(BaseModel):
    """In-, through- and outflow of the RET's cases per period."""

    region: Area
    municipality: Optional[Area] = Field(None, description="The municipality asked for; null: the whole region.")
    period: Literal["month", "quarter", "year"]
    start: date = Field(description="The first day of the first period.")
    end: date = Field(description="The last day of the last period.")
    threshold: int = Field(description="Counts from 1 up to (not including) this number are suppressed.")
    periods: list[FlowPeriod]


def _refuse_invalid_query(req: Any, resp: Any, error: Optional[Exception], instance: Any, adapter: Any) -> None:
    """SpecTree's hook before the view: a query that does not fit its model is a 400 with the names of
    the parameters at fault (never their values: they are not logged and not echoed)."""
    if error is None:
        return
    from ret_app.api import calls

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


def json_error(status: int, error: str, message: str, parameters: tuple[str, ...] | list[str] = ()):
    body = Error(error=error, message=message, parameters=list(parameters))
    response = jsonify(body.model_dump())
    response.status_code = status
    return response


def document() -> dict:
    """The OpenAPI document (made once per process from the decorated routes)."""
    return api.spec
