"""Norm clocks applied to cases: which clocks run, the region's own norms, pauses, and the
overdue flag on the case list and page."""

import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from ret_app.cases import norms
from ret_app.extensions import db
from ret_app.models import AuditEvent, Case, CasePause, RegionNorms, Screening
from tests.conftest import login

SUBMITTED = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)  # Monday 30 November 2026


@pytest.fixture
def world(make_world):
    w = make_world()
    return w.region, w.municipality, w.caseworker, w.chair


def test_intake_clock_runs_from_submission(app, factory, world):
    region, municipality, caseworker, _ = world
    case_id = factory.case(caseworker, municipality, status="submitted", submitted_at=SUBMITTED)
    with app.app_context():
        case = db.session.get(Case, case_id)
        [c] = norms.case_clocks(case, today=date(2026, 12, 2))
        assert (c.name, c.due, c.days_left, c.overdue) == ("intake_decision", date(2026, 12, 7), 3, False)
        [late] = norms.case_clocks(case, today=date(2026, 12, 9))
        assert late.overdue and late.days_left == -2


def test_region_norms_override_the_defaults(app, factory, world):
    region, municipality, caseworker, _ = world
    case_id = factory.case(caseworker, municipality, status="submitted", submitted_at=SUBMITTED)
    with app.app_context():
        db.session.add(RegionNorms(region_id=region.id, intake_decision=3, first_session=10,
                                   first_session_crisis=2, screening=20))
        db.session.commit()
        [c] = norms.case_clocks(db.session.get(Case, case_id), today=date(2026, 12, 1))
        assert c.due == date(2026, 12, 3)


def test_a_pause_shifts_the_deadline_and_is_never_overdue(app, factory, world):
    region, municipality, caseworker, chair = world
    case_id = factory.case(caseworker, municipality, status="paused", status_before_pause="submitted",
                           submitted_at=SUBMITTED)
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.pauses.append(CasePause(start=date(2026, 12, 1), end=date(2026, 12, 8), reason="Gezin vraagt tijd",
                                     started_by_id=chair.id))
        db.session.commit()
        [c] = norms.case_clocks(case, today=date(2026, 12, 9))
        # 5 working days from Monday 30 Nov, plus the 5 working days of the pause.
        assert c.due == date(2026, 12, 14) and not c.overdue
        case.pauses[0].end = None
        [running] = norms.case_clocks(case, today=date(2026, 12, 21))
        assert running.paused and not running.overdue


def test_screening_clock_stops_when_the_screening_is_finalised(app, factory, world):
    region, municipality, caseworker, chair = world
    case_id = factory.case(caseworker, municipality, status="screening", submitted_at=SUBMITTED,
                           intake_at=SUBMITTED)
    with app.app_context():
        case = db.session.get(Case, case_id)
        c = _clock(norms.case_clocks(case, today=date(2026, 12, 2)), "screening")
        assert c.due == date(2026, 12, 29)  # 20 working days, Christmas Day skipped
        db.session.add(Screening(case_id=case_id, finalised_at=datetime.now(timezone.utc), finalised_by_id=chair.id))
        db.session.commit()
        assert _clock(norms.case_clocks(db.session.get(Case, case_id), today=date(2026, 12, 2)), "screening") is None


def _clock(clocks, name):
    return next((c for c in clocks if c.name == name), None)


@pytest.mark.parametrize("urgency,due", [("regular", date(2026, 12, 14)), ("crisis", date(2026, 12, 2))])
def test_first_session_clock_runs_from_intake_until_the_case_is_discussed(app, factory, world, urgency, due):
    region, municipality, caseworker, chair = world
    case_id = factory.case(caseworker, municipality, status="process_direction", submitted_at=SUBMITTED,
                           intake_at=SUBMITTED, urgency=urgency)
    planned = factory.meeting(chair, status="planned", cases=(case_id,))
    with app.app_context():
        c = _clock(norms.case_clocks(db.session.get(Case, case_id), today=date(2026, 12, 1)), "first_session")
        assert c is not None and c.due == due  # a planned session does not stop it
        late = _clock(norms.case_clocks(db.session.get(Case, case_id), today=date(2026, 12, 15)), "first_session")
        assert late.overdue
        from ret_app.models import Meeting

        db.session.get(Meeting, planned).status = "in_progress"
        db.session.commit()
        assert _clock(norms.case_clocks(db.session.get(Case, case_id), today=date(2026, 12, 15)),
                      "first_session") is None


def test_overdue_cases_are_flagged_and_filtered(app, client, factory, world):
    region, municipality, caseworker, chair = world
    old = factory.case(caseworker, municipality, status="submitted",
                       submitted_at=datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc))
    fresh = factory.case(caseworker, municipality, status="submitted", submitted_at=datetime.now(timezone.utc))
    with app.app_context():
        refs = {cid: db.session.get(Case, cid).reference for cid in (old, fresh)}
    login(client, app, chair)
    listing = client.get("/casussen").get_data(as_text=True)
    assert refs[old] in listing and refs[fresh] in listing
    overdue_only = client.get("/casussen?overdue=1").get_data(as_text=True)
    assert refs[old] in overdue_only and refs[fresh] not in overdue_only
    page = client.get(f"/casussen/{old}").get_data(as_text=True)
    assert 'id="case-clocks"' in page and "ret-badge--bad" in page


def test_admin_sets_region_norms_with_validation(app, client, factory, login_as):
    from tests.conftest import post_form

    region = factory.region()
    login_as("admin")
    path = f"/beheer/regios/{region.id}/normtijden"
    page = client.get(path).get_data(as_text=True)
    assert 'value="5"' in page and 'value="20"' in page  # the defaults
    r = post_form(client, path, {"intake_decision": "4", "first_session": "8", "first_session_crisis": "9",
                                 "screening": "abc"}, token_from=path)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="first_session_crisis-error"' in body and 'id="screening-error"' in body
    assert 'value="abc"' in body and 'value="4"' in body  # nothing typed is lost
    assert 'value="3"' in page and 'value="1"' in page  # the reply norms' defaults
    r = post_form(client, path, {"intake_decision": "4", "first_session": "8", "first_session_crisis": "1",
                                 "screening": "15", "request_reply_days": "0", "request_reply_days_crisis": "x",
                                 "capacity_stale_days": "14", "signal_threshold": "3",
                                 "signal_window_months": "6", "retention_years": "20"}, token_from=path)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Vul 1 tot 60 werkdagen in." in body
    assert 'id="request_reply_days-error"' in body and 'id="request_reply_days_crisis-error"' in body
    assert 'value="x"' in body and 'value="15"' in body  # nothing typed is lost
    r = post_form(client, path, {"intake_decision": "4", "first_session": "8", "first_session_crisis": "1",
                                 "screening": "15", "request_reply_days": "2", "request_reply_days_crisis": "3",
                                 "capacity_stale_days": "14", "signal_threshold": "3",
                                 "signal_window_months": "6", "retention_years": "20"}, token_from=path)
    assert "In een crisis kan het antwoord niet later vallen dan normaal." in r.get_data(as_text=True)
    r = post_form(client, path, {"intake_decision": "4", "first_session": "8", "first_session_crisis": "1",
                                 "screening": "15", "request_reply_days": "5", "request_reply_days_crisis": "2",
                                 "capacity_stale_days": "14", "signal_threshold": "3",
                                 "signal_window_months": "6", "retention_years": "20"}, token_from=path)
    assert r.status_code == 302
    with app.app_context():
        from ret_app.commitments import services as requests_services

        assert norms.norms_for(region.id).screening == 15
        assert requests_services.reply_days(region.id, "normal") == 5
        assert requests_services.reply_days(region.id, "crisis") == 2
        detail = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "region_norms")
                                    .order_by(AuditEvent.id.desc())).first()
        assert "request_reply_days" in detail and "request_reply_days_crisis" in detail


def test_admin_sets_the_retention_years_and_closed_cases_follow(app, client, factory, login_as):
    """At least the law's 20 years (a value the region already has below it, the demo's, can stay); a change
    stores every closed case's retain_until anew."""
    from tests.conftest import post_form

    region = factory.region()
    municipality = factory.municipality(region.id)
    caseworker = factory.user("caseworker", factory.organisation("access_team", region_id=region.id).id)
    closed_at = datetime(2024, 3, 5, 10, tzinfo=timezone.utc)
    case_id = factory.case(caseworker, municipality, status="closed", closed_at=closed_at)
    login_as("admin")
    path = f"/beheer/regios/{region.id}/normtijden"
    form = {"intake_decision": "5", "first_session": "10", "first_session_crisis": "2", "screening": "20",
            "request_reply_days": "3", "request_reply_days_crisis": "1", "capacity_stale_days": "14",
            "signal_threshold": "3", "signal_window_months": "6"}
    page = client.get(path).get_data(as_text=True)
    assert re.search(r"<input[^>]*id=\"retention_years\"[^>]*value=\"20\"", page), page[page.find("Bewaartermijn"):][:600]
    refused = post_form(client, path, {**form, "retention_years": "15"}, token_from=path)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="retention_years-error"' in body
    assert "De Jeugdwet schrijft ten minste 20 jaar voor (artikel 7.3.8)." in body and 'value="15"' in body
    assert post_form(client, path, {**form, "retention_years": "25"}, token_from=path).status_code == 302
    with app.app_context():
        assert db.session.get(RegionNorms, region.id).retention_years == 25
        assert db.session.get(Case, case_id).retain_until == date(2049, 3, 5)
        detail = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "region_norms")
                                    .order_by(AuditEvent.id.desc())).first()
        assert "retention_years" in detail
        db.session.get(RegionNorms, region.id).retention_years = 2  # the demo's short retention
        db.session.commit()
    # Saving the other norms keeps a shorter period the region already has.
    assert post_form(client, path, {**form, "screening": "18", "retention_years": "2"},
                     token_from=path).status_code == 302
