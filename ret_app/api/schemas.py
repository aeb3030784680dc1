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


# --- the analyst's figures: outcomes, gaps, signals (ret_app/analyst) ---------------------------------------

YEAR_PATTERN = r"^20[0-9]{2}$"
CODE_PATTERN = r"^[a-z0-9_]{1,32}$"  # a care type's code (caretypes: at most 32)
CATEGORY_PATTERN = r"^[a-z0-9_]{1,40}$"  # a gap category's code (taxonomy: at most 40)
YearText = Annotated[OptionalText, StringConstraints(pattern=YEAR_PATTERN, max_length=4)]
CodeText = Annotated[OptionalText, StringConstraints(pattern=CODE_PATTERN, max_length=32)]
CategoryText = Annotated[OptionalText, StringConstraints(pattern=CATEGORY_PATTERN, max_length=40)]
YEAR_DESCRIPTION = ("A calendar year (YYYY): its months or quarters, or with period=year the five years up to "
                    "it — exactly what the analyst's page shows for that year. Not together with `from`/`to`.")
FROM_DESCRIPTION = ("A day in the first period (YYYY-MM-DD), when no `year` is given. Default: the period 11 "
                    "months, 3 quarters or 2 years before the one of `to`. At most 36 months, 20 quarters or 5 "
                    "years in one call.")
TO_DESCRIPTION = "A day in the last period (YYYY-MM-DD), not before `from`. Default: today."
MUNICIPALITY_DESCRIPTION = ("Only the cases of this municipality of the token's region (its CBS code, e.g. "
                            "GM0200). Default: the whole region.")
CARE_TYPE_DESCRIPTION = "Only this care type of the region's catalogue (its code, e.g. youth_mental_health)."
CATEGORY_DESCRIPTION = "Only this gap category of the region (its code, e.g. no_place_best_fit)."


class _PeriodsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    period: Literal["month", "quarter", "year"] = Field(
        "month", description="The length of each period: month, quarter or year (calendar periods).")
    year: YearText = Field(None, json_schema_extra=_query_schema(pattern=YEAR_PATTERN, maxLength=4),
                           description=YEAR_DESCRIPTION)
    from_: DateText = Field(None, alias="from", json_schema_extra=DATE_SCHEMA, description=FROM_DESCRIPTION)
    to: DateText = Field(None, json_schema_extra=DATE_SCHEMA, description=TO_DESCRIPTION)


class OutcomesQuery(_PeriodsQuery):
    municipality: CbsCode = Field(None, json_schema_extra=_query_schema(pattern=CBS_CODE_PATTERN, maxLength=6),
                                  description=MUNICIPALITY_DESCRIPTION)


class GapsQuery(OutcomesQuery):
    care_type: CodeText = Field(None, json_schema_extra=_query_schema(pattern=CODE_PATTERN, maxLength=32),
                                description=CARE_TYPE_DESCRIPTION + " Default: every care type.")
    category: CategoryText = Field(None, json_schema_extra=_query_schema(pattern=CATEGORY_PATTERN, maxLength=40),
                               description=CATEGORY_DESCRIPTION + " Default: every category.")


class SignalsQuery(_PeriodsQuery):
    care_type: CodeText = Field(None, json_schema_extra=_query_schema(pattern=CODE_PATTERN, maxLength=32),
                                description=CARE_TYPE_DESCRIPTION + " Only the signals raised for that care "
                                                                    "type. Default: every signal.")
    category: CategoryText = Field(None, json_schema_extra=_query_schema(pattern=CATEGORY_PATTERN, maxLength=40),
                               description=CATEGORY_DESCRIPTION + " Default: every category.")


class CodeName(BaseModel):
    code: str
    name: str


class PeriodBase(BaseModel):
    period: str = Field(description="The period: 2026-03 (month), 2026-Q1 (quarter) or 2026 (year).")
    label: str = Field(description="The period in Dutch words, e.g. maart 2026.")
    start: date
    end: date


class Results(BaseModel):
    realised: Count = Field(description="Fitting help realised.")
    partly_realised: Count = Field(description="Fitting help partly realised.")
    not_realised: Count = Field(description="Fitting help not realised.")
    returned_with_advice: Count = Field(description="Returned to the access team with advice.")
    aged_out_or_moved: Count = Field(description="The youth turned 23 or moved away.")


class Placements(BaseModel):
    prevented: Count = Field(description="Intended out-of-home placements prevented.")
    carried_out: Count = Field(description="Intended out-of-home placements carried out.")


class Days(BaseModel):
    """Working days from referral to fitting help of the outcomes recorded in the period."""

    enough: bool = Field(description="False when fewer than 5 outcomes have them: nothing is shown then.")
    median: Optional[float] = None
    q1: Optional[float] = Field(None, description="The first quartile (25%).")
    q3: Optional[float] = Field(None, description="The third quartile (75%).")


class ReferredAgain(BaseModel):
    """Youths whose case closed in the period and of them those referred again within 12 months: always
    of the whole region."""

    youths: Count
    referred_again: Count
    share: Optional[float] = Field(description="referred_again / youths, when both are shown and youths >= 5.")


class OutcomesPeriod(PeriodBase):
    results: Results = Field(description="Outcomes recorded in the period, by result.")
    placements: Placements
    days_to_fitting_help: Days
    referred_again: ReferredAgain


class Outcomes(BaseModel):
    """The outcomes of closed cases per period: the analyst's figures (same filters, same numbers)."""

    region: Area
    municipality: Optional[Area] = Field(None, description="The municipality asked for; null: the whole region.")
    period: Literal["month", "quarter", "year"]
    start: date
    end: date
    threshold: int = Field(description="Counts from 1 up to (not including) this number are suppressed.")
    periods: list[OutcomesPeriod]


class GapCount(BaseModel):
    category: CodeName
    count: Count = Field(description="Gaps of this category recorded in the period's outcomes.")


class GapsPeriod(PeriodBase):
    categories: list[GapCount]


class Gaps(BaseModel):
    """Gaps in the care offer met per category and period: the analyst's figures (same filters, same
    numbers). Each gap recorded in an outcome counts once."""

    region: Area
    municipality: Optional[Area] = None
    care_type: Optional[CodeName] = Field(None, description="The care type asked for; null: every care type.")
    period: Literal["month", "quarter", "year"]
    start: date
    end: date
    threshold: int
    periods: list[GapsPeriod]


class SignalCounts(BaseModel):
    raised: int = Field(description="Signals raised in the period.")
    open_at_end: int = Field(description="Signals not closed at the end of the period (new, in progress, "
                                         "addressed).")
    addressed: int = Field(description="Signals marked as addressed in the period.")
    closed: int = Field(description="Signals closed in the period.")


class SignalKeyCounts(SignalCounts):
    category: CodeName
    care_type: Optional[CodeName] = Field(description="null: the signal is for the category across care types.")


class SignalsPeriod(SignalCounts, PeriodBase):
    keys: list[SignalKeyCounts] = Field(description="Per gap category (and care type) with a signal.")


class Signal(BaseModel):
    """One signal: never its cases, their number, its responses, or a date finer than a month."""

    category: CodeName
    care_type: Optional[CodeName]
    raised: str = Field(description="The month it was raised (YYYY-MM).")
    status: Literal["new", "in_progress", "addressed", "closed"] = Field(description="Its status now.")
    owner: Optional[Literal["purchasing", "policy"]] = Field(description="Who takes it up; null: not yet chosen.")
    status_since: str = Field(description="The month its status last changed (YYYY-MM).")


class Signals(BaseModel):
    """Gap signals per period: counts of signals (not of youths), and the signals concerned."""

    region: Area
    care_type: Optional[CodeName] = None
    category: Optional[CodeName] = None
    period: Literal["month", "quarter", "year"]
    start: date
    end: date
    periods: list[SignalsPeriod]
    signals: list[Signal] = Field(description="The signals open at some moment of the periods.")


def json_error(status: int, error: str, message: str, parameters: tuple[str, ...] | list[str] = ()):
    body = Error(error=error, message=message, parameters=list(parameters))
    response = jsonify(body.model_dump())
    response.status_code = status
    return response
