"""The API's queries and answers as pydantic models: what SpecTree validates and writes into the
OpenAPI document (spec.py), and the JSON error every refusal answers (`json_error`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Optional

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

PERIODS = ("month", "quarter", "year")
# Dates of the query: ISO 8601 calendar dates of this century (the form says which; the route
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
    # An unknown parameter is refused (400, named): a misspelt "municipality" must not silently answer
    # for the whole region.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

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


def json_error(status: int, error: str, message: str, parameters: tuple[str, ...] | list[str] = ()):
    body = Error(error=error, message=message, parameters=list(parameters))
    response = jsonify(body.model_dump())
    response.status_code = status
    return response
