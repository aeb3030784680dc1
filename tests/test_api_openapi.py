"""The monitor API conforms to the OpenAPI document it serves (schemathesis, in the suite).

Schemathesis reads /api/v1/openapi.json from the app and sends generated queries — valid ones and, for
the parameters' types and patterns, invalid ones — with a valid bearer token, and checks every answer
against the document: no 500, a documented status and media type, a body that fits the schema, invalid
input refused (400), and the token not ignored (a call without it is 401). Deterministic
(`derandomize`, no example database) and short (`max_examples`), so that the suite stays quick."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, ignored_auth, negative_data_rejection, not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import config
from ret_app import create_app
from ret_app.extensions import db
from sqlalchemy import select
from ret_app.kernel.dates import AMSTERDAM
from tests.conftest import Factory

# Checks that fit a read-only API with query parameters. Left out: positive_data_acceptance (valid
# per schema is not always acceptable here: `from` after `to`, or a range longer than one call may
# ask, are refused with 400 as documented) and the checks for created resources (there are none).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, ignored_auth]


@pytest.fixture(scope="module")
def monitor_secret(app) -> str:
    """A token of a region with a few cases of last year (some counts shown, some suppressed)."""
    from ret_app.api import services
    from ret_app.kernel import dates, submissions
    from ret_app.models import User

    factory = Factory(app)
    region = factory.region()
    municipalities = [factory.municipality(region.id) for _ in range(2)]
    team = factory.organisation("access_team", region_id=region.id, municipality_id=municipalities[0].id)
    caseworker = factory.user("caseworker", team.id)
    admin = factory.user("admin")
    year = dates.today().year - 1
    for index in range(9):
        day = date(year, 1 + index % 3, 10)
        moment = datetime.combine(day, time(10), AMSTERDAM).astimezone(timezone.utc)
        factory.case(caseworker, municipalities[index % 2], status="submitted", submitted_at=moment,
                     intake_at=moment if index % 2 else None)
    with app.app_context():
        # outcomes with gaps and a signal, so that the answers of /outcomes, /gaps and /signals hold rows
        from ret_app.models import Case, CaseOutcome, GapCategory, GapSignal, OutcomeGap

        category = db.session.scalar(select(GapCategory).where(GapCategory.region_id == region.id))
        for index in range(6):
            # within the default range (the last 12 months), which most generated calls ask for
            moment = datetime.combine(dates.today() - timedelta(days=40 + 20 * (index % 2)), time(10),
                                      AMSTERDAM).astimezone(timezone.utc)
            case = db.session.get(Case, factory.case(caseworker, municipalities[index % 2], status="submitted",
                                                     submitted_at=moment))
            outcome = CaseOutcome(case_id=case.id, result="not_realised", recorded_by_id=admin.id, recorded_at=moment,
                                  working_days_to_fitting_help=10 + index)
            outcome.gaps.append(OutcomeGap(case_id=case.id, gap_category_id=category.id, care_type=None, note=""))
            db.session.add(outcome)
        db.session.add(GapSignal(region_id=region.id, gap_category_id=category.id, status="new",
                                 raised_at=moment, window_start=moment.date(), window_end=moment.date(),
                                 raised_count=6, case_count=6, open_key=f"{category.id}:"))
        db.session.flush()
        issued = services.issue(db.session.get(User, admin.id), team.id, "Schemathesis",
                                dates.today() + timedelta(days=30), submissions.new_key())
        secret = issued.secret
        db.session.commit()
        db.session.remove()
    return secret


def _served_document() -> dict:
    """The document exactly as the app serves it, read at collection time from an app of its own (the
    app factory touches no database); the calls go to the test's app. (schemathesis' own lazy loading
    from a fixture does not run under our pytest version.)"""
    application = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = application.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


schema = schemathesis.openapi.from_dict(_served_document())


@schema.parametrize()
@settings(max_examples=30, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_openapi_document(app, case, monitor_secret):
    case.operation.schema.app = app  # the WSGI transport: the generated calls and the checks' own probes
    case.call_and_validate(app=app, base_url="http://localhost", headers={"Authorization": f"Bearer {monitor_secret}"}, checks=CHECKS)
