"""Gap signals.

The rule (ret_app/signals/rule.py) on a generated region of a few thousand outcomes with declines and
escalations, checked against an independent computation written here (its own window arithmetic with
dateutil, its own Dutch days with zoneinfo, its own grouping) over several nightly runs while the chair
closes signals in between; the job is idempotent; a recorded outcome raises a signal at once and notifies
the region's chair and RET members only. The lifecycle as data (owner first, a response where a step
needs one, every refusal at once, closing frees the key, a stale form is a conflict). The pages: who sees
what (the RET of the region reads, only the chair acts, another region's signal is 404, everyone else 403),
the chair's response with bad input, query counts that do not grow with the rows, the report's PDF (pypdf)
and CSV content (suppressed, no case reference) and its audit, the region's settings on the norms page."""

from __future__ import annotations

import csv
import io
import random
import re
import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from flask_babel import force_locale, gettext
from pypdf import PdfReader
from sqlalchemy import func, insert, select

from ret_app.extensions import db
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import (
    AuditEvent,
    Case,
    CaseOutcome,
    Escalation,
    ExportJob,
    GapCategory,
    GapSignal,
    Notification,
    OutcomeGap,
    ProviderRequest,
    SignalEvidence,
    User,
)
from ret_app.signals import lifecycle, rule, services
from tests.conftest import csrf_token, login

NL = ZoneInfo("Europe/Amsterdam")
CARE_TYPES = ("ambulatory", "residential", "youth_mental_health", "foster_care")


def nl(app, message: str, **variables) -> str:
    with app.test_request_context(), force_locale("nl"):
        return gettext(message, **variables)


@pytest.fixture
def world(make_world):
    return make_world(network=True)


def categories(region_id: int) -> dict[str, int]:
    return dict(db.session.execute(select(GapCategory.code, GapCategory.id).where(GapCategory.region_id == region_id)).all())


# --- a generated history ------------------------------------------------------------------------------------

class History:
    """Cases with outcomes, gaps, declines and escalations, bulk-inserted; kept here as plain data for the
    independent computation."""

    def __init__(self, world, *, n: int, today: date, seed: int = 12, months: int = 20):
        rng = random.Random(seed)
        self.gaps: list[dict] = []  # case_id, category_id, care_type, recorded_at (aware UTC)
        self.declines: list[dict] = []
        self.escalations: list[dict] = []
        cats = list(categories(world.region.id).values())
        weights = [30, 12, 6, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1][:len(cats)] + [1] * max(0, len(cats) - 14)
        base = (db.session.scalar(select(func.max(Case.id))) or 0) + 1000
        network_id = world.network.id
        cases, outcomes = [], []
        start = today - relativedelta(months=months)
        span = (today - start).days
        for i in range(n):
            case_id = base + i
            day = start + timedelta(days=rng.randrange(span + 1))
            # some outcomes late in the evening: 23:30 UTC is the next day in the Netherlands
            hour = rng.choice([9, 10, 14, 23])
            recorded_at = datetime(day.year, day.month, day.day, hour, 30, tzinfo=timezone.utc)
            municipality = world.municipality if rng.random() < 0.6 else world.other_municipality
            cases.append({"id": case_id, "reference": f"GEN-{i:06d}", "region_id": world.region.id,
                          "municipality_id": municipality.id, "submitting_organisation_id": world.team.id,
                          "caseworker_id": world.caseworker.id, "status": "closed", "youth_first_name": "Gen",
                          "youth_last_name": f"Case{i}", "submitted_at": recorded_at - timedelta(days=60),
                          "closed_at": recorded_at, "outcome_recorded_at": recorded_at})
            outcomes.append({"id": case_id, "case_id": case_id, "recorded_by_id": world.chair.id,
                             "recorded_at": recorded_at,
                             "result": rng.choice(["realised", "partly_realised", "not_realised"])})
            for _g in range(rng.choice([0, 0, 1, 1, 1, 2])):
                self.gaps.append({"outcome_id": case_id, "case_id": case_id,
                                  "gap_category_id": rng.choices(cats, weights)[0],
                                  "care_type": rng.choice(CARE_TYPES + (None, None)), "recorded_at": recorded_at})
            for _d in range(rng.choice([0, 0, 0, 1, 2])):
                answered = recorded_at - timedelta(days=rng.randrange(10, 50))
                self.declines.append({"case_id": case_id, "organisation_id": world.provider.id, "role": "lead_provider",
                                      "care_type": rng.choice(CARE_TYPES), "question": "",
                                      "reply_by": answered.date(), "status": "declined",
                                      "requested_by_id": world.chair.id, "submission_key": secrets.token_hex(16),
                                      "decline_reason": rng.choice(["no_capacity", "not_our_expertise", "other",
                                                                    "age_outside_range"]),
                                      "answered_at": answered, "requested_at": answered - timedelta(days=3)})
            if rng.random() < 0.1:
                sent = recorded_at - timedelta(days=20)
                status, result = rng.choice([("closed", "not_solved"), ("closed", "placement_found"),
                                             ("declined", None), ("draft", None)])
                self.escalations.append({"case_id": case_id, "network_id": network_id, "status": status,
                                         "result": result, "created_by_id": world.chair.id,
                                         "submission_key": secrets.token_hex(16),
                                         "sent_at": None if status == "draft" else sent})
        db.session.execute(insert(Case), cases)
        db.session.execute(insert(CaseOutcome), outcomes)
        db.session.execute(insert(OutcomeGap), [{k: v for k, v in g.items() if k != "recorded_at"} for g in self.gaps])
        db.session.execute(insert(ProviderRequest), self.declines)
        db.session.execute(insert(Escalation), self.escalations)
        db.session.flush()
        self.request_ids = dict(db.session.execute(select(ProviderRequest.submission_key, ProviderRequest.id)).all())
        self.escalation_ids = dict(db.session.execute(select(Escalation.submission_key, Escalation.id)).all())


def expected_run(history: History, today: date, model: dict, threshold: int = 3, months: int = 6) -> None:
    """The independent computation of one run of the rule: `model` maps a key to its signals, each
    {"open": bool, "cases": set}."""
    first = today - relativedelta(months=months) + timedelta(days=1)
    in_window: dict[tuple, set] = defaultdict(set)
    for g in history.gaps:
        day = g["recorded_at"].astimezone(NL).date()
        if first <= day <= today:
            in_window[(g["gap_category_id"], None)].add(g["case_id"])
            if g["care_type"]:
                in_window[(g["gap_category_id"], g["care_type"])].add(g["case_id"])
    for key, cases in in_window.items():
        signals = model.setdefault(key, [])
        counted = set().union(*(s["cases"] for s in signals if not s["open"])) if signals else set()
        fresh = cases - counted  # a case counts towards one signal per key
        current = [s for s in signals if s["open"]]
        if current:
            current[0]["cases"] |= fresh
            continue
        if len(fresh) >= threshold:
            signals.append({"open": True, "cases": set(fresh)})


def actual(region_id: int) -> dict:
    found: dict = defaultdict(list)
    signals = db.session.scalars(select(GapSignal).where(GapSignal.region_id == region_id).order_by(GapSignal.id))
    for s in signals:
        cases = set(db.session.scalars(select(SignalEvidence.case_id).where(SignalEvidence.signal_id == s.id,
                                                                            SignalEvidence.kind == "gap")))
        assert s.case_count == len(cases)
        found[(s.gap_category_id, s.care_type)].append({"open": s.status != "closed", "cases": cases})
    return dict(found)


def test_the_rule_matches_an_independent_computation_over_several_runs(app, ctx, world):
    today = date(2027, 3, 31)
    history = History(world, n=2600, today=today)
    assert len(history.gaps) > 2000 and len(history.declines) > 1000 and len(history.escalations) > 150
    model: dict = {}
    days = [today - relativedelta(months=9), today - relativedelta(months=6), today - relativedelta(months=3),
            today - timedelta(days=40), today]
    for n, day in enumerate(days):
        result = rule.evaluate_region(world.region.id, day)
        expected_run(history, day, model)
        assert actual(world.region.id) == {k: v for k, v in model.items() if v}, day
        assert rule.evaluate_region(world.region.id, day).changes == 0  # a second run that day: nothing
        if n == 0:
            assert result.raised, "the generated history raises signals"
        # the chair closes every third open signal: a later run may raise that key again with new cases only
        open_signals = list(db.session.scalars(select(GapSignal).where(
            GapSignal.region_id == world.region.id, GapSignal.status != "closed").order_by(GapSignal.id)))
        chair = db.session.get(User, world.chair.id)
        for signal in open_signals[::3]:
            services.respond(signal, chair, {"step": "dismiss", "text": "Geen actie nodig"})
            key = (signal.gap_category_id, signal.care_type)
            [entry] = [s for s in model[key] if s["open"]]
            entry["open"] = False
    assert sum(len(v) for v in model.values()) > 20
    assert any(len(v) > 1 for v in model.values()), "some key was raised again after closing"


def test_evidence_traces_the_declines_and_escalations_of_the_cases(app, ctx, world):
    today = date(2027, 3, 31)
    history = History(world, n=900, today=today, seed=5)
    rule.evaluate_region(world.region.id, today)
    signals = list(db.session.scalars(select(GapSignal).where(GapSignal.region_id == world.region.id)))
    assert signals
    declines_of = defaultdict(list)
    for d in history.declines:
        if d["decline_reason"] in ("no_capacity", "not_our_expertise"):
            declines_of[d["case_id"]].append(d)
    escalations_of = defaultdict(list)
    for e in history.escalations:
        if e["sent_at"] is not None:
            escalations_of[e["case_id"]].append(history.escalation_ids[e["submission_key"]])
    for s in signals:
        rows = list(db.session.scalars(select(SignalEvidence).where(SignalEvidence.signal_id == s.id)))
        cases = {r.case_id for r in rows if r.kind == "gap"}
        assert all(r.outcome_gap_id for r in rows if r.kind == "gap")
        expected_requests = {history.request_ids[d["submission_key"]] for c in cases for d in declines_of[c]
                             if s.care_type is None or d["care_type"] == s.care_type}
        assert {r.provider_request_id for r in rows if r.kind == "decline"} == expected_requests
        assert {r.escalation_id for r in rows if r.kind == "escalation"} == {x for c in cases for x in escalations_of[c]}


def test_the_window_ends_today_and_counts_months(app):
    assert rule.window(date(2027, 1, 10), 6) == (date(2026, 7, 11), date(2027, 1, 10))
    assert rule.window(date(2026, 8, 31), 6) == (date(2026, 3, 1), date(2026, 8, 31))  # 28 Feb + 1 day
    assert rule.months_before(date(2028, 8, 31), 6) == date(2028, 2, 29)


def test_the_nightly_job_is_registered_and_runs_every_region(app, ctx, world):
    from ret_app.jobs import registry as jobs

    assert jobs.get("gap-signals").fn is rule.run_nightly
    today = date(2027, 3, 31)
    History(world, n=300, today=today, seed=3)
    assert rule.run_nightly(today) > 0
    assert rule.run_nightly(today) == 0


# --- a small region with signals -----------------------------------------------------------------------------

def raise_signals(world, n_cases: int = 3, *, care_type: str = "youth_mental_health", code: str = "no_place_best_fit",
                  today: date = date(2027, 3, 31), region=None, municipality=None) -> list[GapSignal]:
    """`n_cases` closed cases whose outcomes name the same gap a few weeks before `today`, then the rule."""
    region = region or world.region
    municipality = municipality or world.municipality
    category = categories(region.id)[code]
    base = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
    for i in range(n_cases):
        at = datetime(today.year, today.month, 1, 10, tzinfo=timezone.utc) - timedelta(days=i % 60)
        case = Case(id=base + i, reference=f"SIG-{base + i}", region_id=region.id, municipality_id=municipality.id,
                    submitting_organisation_id=world.team.id, caseworker_id=world.caseworker.id, status="closed",
                    youth_first_name="Jeugdige", youth_last_name=f"Signaal{i}", submitted_at=at - timedelta(days=40),
                    closed_at=at, outcome_recorded_at=at)
        db.session.add(case)
        db.session.flush()
        outcome = CaseOutcome(case_id=case.id, result="not_realised", recorded_by_id=world.chair.id, recorded_at=at)
        outcome.gaps.append(OutcomeGap(case_id=case.id, gap_category_id=category, care_type=care_type,
                                       note=f"Wachtlijst {i}"))
        db.session.add(outcome)
    db.session.flush()
    rule.evaluate_region(region.id, today)
    return list(db.session.scalars(select(GapSignal).where(GapSignal.region_id == region.id).order_by(GapSignal.id)))


def chair_of(world):
    return db.session.get(User, world.chair.id)


# --- the lifecycle --------------------------------------------------------------------------------------------

def test_taking_a_signal_up_needs_an_owner_and_every_refusal_comes_at_once(app, ctx, world):
    signal, _per_care_type = raise_signals(world)
    chair = chair_of(world)
    with pytest.raises(RuleError) as refused:
        services.respond(signal, chair, {"step": "take_up", "text": "x" * (services.MAX_TEXT + 1)})
    assert set(refused.value.errors) == {"owner", "text"}
    assert signal.status == "new" and signal.owner is None
    with pytest.raises(RuleError) as refused:
        services.respond(signal, chair, {})
    assert set(refused.value.errors) == {"text"}
    response = services.respond(signal, chair, {"owner": "policy", "step": "take_up", "text": ""})
    assert (signal.status, signal.owner, response.from_status, response.to_status) == ("in_progress", "policy", "new",
                                                                                     "in_progress")
    with pytest.raises(RuleError) as refused:
        services.respond(signal, chair, {"step": "address"})
    assert set(refused.value.errors) == {"text"}  # marking it addressed needs a response
    with pytest.raises(RuleError) as refused:
        services.respond(signal, chair, {"step": "close", "text": "Klaar"})
    assert set(refused.value.errors) == {"step"}  # not from in progress
    services.respond(signal, chair, {"step": "address", "text": "Extra plekken ingekocht"})
    services.respond(signal, chair, {"step": "reopen", "text": "Toch nog wachtlijst"})
    services.respond(signal, chair, {"step": "address", "text": "Wachtlijst weg"})
    assert signal.open_key is not None
    services.respond(signal, chair, {"step": "close"})
    assert signal.status == "closed" and signal.open_key is None  # the key is free for a new signal
    assert [r.step for r in signal.responses] == ["take_up", "address", "reopen", "address", "close"]
    assert lifecycle.OPEN == {"new", "in_progress", "addressed"}


def test_only_the_chair_of_the_region_responds_and_a_stale_form_is_a_conflict(app, ctx, world):
    signal, _other = raise_signals(world)
    for person in (world.member, world.elsewhere.chair, world.caseworker, world.analyst):
        with pytest.raises(RuleError):
            services.respond(signal, db.session.get(User, person.id), {"text": "Ik reageer"})
    with pytest.raises(Conflict):
        services.respond(signal, chair_of(world), {"text": "Reactie"}, loaded_version=signal.version - 1)


def test_a_recorded_outcome_raises_a_signal_and_notifies_the_ret_of_the_region(app, ctx, factory, world):
    from ret_app.outcomes import services as outcomes

    category = categories(world.region.id)["no_living_place"]
    ids = [factory.case(world.caseworker, world.municipality, status="process_direction", track="process_direction",
                        process_director_id=world.director.id, consent_ret=True,
                        submitted_at=datetime.now(timezone.utc) - timedelta(days=30)) for _ in range(3)]
    director = db.session.get(User, world.director.id)
    for case_id in ids:
        assert not db.session.scalars(select(GapSignal).where(GapSignal.region_id == world.region.id)).all()
        outcomes.record(db.session.get(Case, case_id), director, {
            "result": "partly_realised", "gaps": [{"row": "gap-0", "category": str(category), "note": "Geen plek"}]})
    [signal] = db.session.scalars(select(GapSignal).where(GapSignal.region_id == world.region.id)).all()
    assert signal.gap_category_id == category and signal.case_count == 3 and signal.care_type is None
    notified = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == rule.SIGNAL_RAISED)))
    assert notified == {world.chair.id, world.director.id, world.member.id}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "gap_signal", AuditEvent.action == "create")) == 1


def test_a_run_for_a_day_gone_by_stamps_that_night_and_notifies_nobody(app, ctx, world):
    """Catching up (the demo's history, a missed night): what is raised carries the night of the day the
    rule was run for, not the moment of the run, and nobody is told about it now."""
    from ret_app.kernel import dates

    day = dates.today() - timedelta(days=200)
    past = raise_signals(world, today=day)
    assert len(past) == 2  # the category, and the category for the care type
    assert all(s.raised_at.date() == day and (s.raised_at.hour, s.raised_at.minute) == (2, 20) for s in past)
    assert not db.session.scalars(select(Notification).where(Notification.kind == rule.SIGNAL_RAISED)).all()
    # the same rule for today notifies, and stamps now
    fresh = [s for s in raise_signals(world, code="no_living_place", today=dates.today()) if s not in past]
    assert len(fresh) == 2 and all(s.raised_at.date() >= dates.today() - timedelta(days=1) for s in fresh)
    assert db.session.scalars(select(Notification).where(Notification.kind == rule.SIGNAL_RAISED)).all()


# --- the pages --------------------------------------------------------------------------------------------------

def client_for(app, person):
    client = app.test_client()
    login(client, app, person)
    return client


@pytest.fixture
def signals(app, world):
    with app.app_context():
        found = raise_signals(world)
        ids = [s.id for s in found]
        db.session.commit()
    return ids


def test_the_ret_of_the_region_reads_and_only_the_chair_acts(app, world, signals):
    signal_id = signals[0]
    chair = client_for(app, world.chair)
    body = chair.get("/signalen").get_data(as_text=True)
    assert f"/signalen/{signal_id}" in body
    page = chair.get(f"/signalen/{signal_id}").get_data(as_text=True)
    assert "SIG-" in page and 'name="text"' in page
    member = client_for(app, world.member)
    page = member.get(f"/signalen/{signal_id}").get_data(as_text=True)
    assert "SIG-" in page and 'name="text"' not in page
    token = csrf_token(member, "/start")
    assert member.post(f"/signalen/{signal_id}", data={"csrf_token": token, "text": "Ik ook"}).status_code == 403
    assert member.get("/signalen/hiaten").status_code == 200
    elsewhere = client_for(app, world.elsewhere.chair)
    assert elsewhere.get(f"/signalen/{signal_id}").status_code == 404
    assert f"/signalen/{signal_id}" not in elsewhere.get("/signalen").get_data(as_text=True)
    for person in (world.caseworker, world.provider_member, world.network_liaison, world.analyst, world.admin):
        other = client_for(app, person)
        for path in ("/signalen", f"/signalen/{signal_id}", "/signalen/hiaten"):
            assert other.get(path).status_code == 403, (person.role, path)
        token = csrf_token(other, "/start")
        assert other.post("/signalen/rapport", data={"csrf_token": token, "report-period": "2027-Q1", "report-format": "csv"}
                          ).status_code == 403, person.role


def test_the_chairs_response_with_bad_input_keeps_what_was_typed(app, world, signals):
    signal_id = signals[0]
    chair = client_for(app, world.chair)
    token = csrf_token(chair, f"/signalen/{signal_id}")
    response = chair.post(f"/signalen/{signal_id}", data={"csrf_token": token, "step": "take_up", "owner": "",
                                                          "text": "Wij pakken dit op", "version": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert nl(app, "Choose who takes the signal up (purchasing or policy) first.") in body
    assert "Wij pakken dit op" in body
    response = chair.post(f"/signalen/{signal_id}", data={"csrf_token": token, "step": "take_up", "owner": "purchasing",
                                                          "text": "Wij pakken dit op", "version": "1"})
    assert response.status_code == 302
    with app.app_context():
        signal = db.session.get(GapSignal, signal_id)
        assert (signal.status, signal.owner, signal.responses[0].text) == ("in_progress", "purchasing",
                                                                          "Wij pakken dit op")


# --- the signal report: an export job -------------------------------------------------------------------------

@pytest.fixture
def april_2027():
    """The report offers the last eight quarters and three years up to today: the tests' data is of 2027."""
    with time_machine.travel(datetime(2027, 4, 6, 10, tzinfo=NL), tick=True):
        yield


def ask_report(client, period: str, fmt: str = "pdf"):
    token = csrf_token(client, "/signalen/hiaten")
    return client.post("/signalen/rapport", data={"csrf_token": token, "report-period": period, "report-format": fmt})


def job_of(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(re.search(r"/exports/(\d+)$", response.headers["Location"]).group(1))


def report_file(client, response):
    """The job (run by the job runner right after the request) downloaded from its page."""
    job_id = job_of(response)
    assert "Uw export is klaar." in client.get(f"/exports/{job_id}").get_data(as_text=True)
    download = client.get(f"/exports/{job_id}/bestand")
    assert download.status_code == 200
    return download


def csv_rows(download) -> list[list[str]]:
    return list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))


def test_the_report_is_suppressed_has_no_case_reference_and_is_audited(app, world, signals, april_2027):
    chair = client_for(app, world.chair)
    asked = ask_report(chair, "2027-Q1", "pdf")
    with app.app_context():
        job = db.session.get(ExportJob, job_of(asked))
        assert (job.kind, job.status, job.requested_by_id) == ("signal-report", "done", world.chair.id)
        assert job.params == {"region_id": world.region.id, "period_start": "2027-01-01", "period_kind": "quarter",
                              "format": "pdf"}
    pdf = report_file(chair, asked)
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="signaalrapport-2027-Q1.pdf"'
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    with app.app_context():
        name = db.session.get(GapCategory, categories(world.region.id)["no_place_best_fit"]).name
    assert name in " ".join(text.split())
    assert "<5" in text and "SIG-" not in text and "Signaal" not in text and "Wachtlijst 0" not in text
    assert "1e kwartaal 2027" in text
    data = report_file(chair, ask_report(chair, "2027-Q1", "csv"))
    assert data.mimetype == "text/csv"
    assert data.headers["Content-Disposition"] == 'attachment; filename="signaalrapport-2027-Q1.csv"'
    rows = csv_rows(data)
    assert rows[0][3] == "1e kwartaal 2027"
    signal_rows = [r for r in rows if r[0] == nl(app, "Signals")]
    assert len({r[1] for r in signal_rows}) == 2  # the two signals: status, owner, month raised
    # A signal's number of cases is not given: with the gap tables it could pin a hidden count.
    assert {r[2] for r in signal_rows} == {nl(app, "Status"), nl(app, "Owner"), nl(app, "Raised")}
    assert "SIG-" not in data.data.decode("utf-8-sig")
    with app.app_context():
        events = db.session.execute(select(AuditEvent.detail, AuditEvent.user_id).where(
            AuditEvent.object_type == "signal_report", AuditEvent.action == "export")).all()
    assert {(e.detail, e.user_id) for e in events} >= {("period=2027-Q1;format=pdf;signals=2", world.chair.id),
                                                      ("period=2027-Q1;format=csv;signals=2", world.chair.id)}
    # Only the requester downloads: the RET member of the region and the other region's chair get 404.
    job_id = job_of(asked)
    for person in (world.member, world.elsewhere.chair):
        other = client_for(app, person)
        assert other.get(f"/exports/{job_id}").status_code == 404
        assert other.get(f"/exports/{job_id}/bestand").status_code == 404


def test_the_report_form_with_bad_input_keeps_the_choice_and_asks_nothing(app, world, signals, april_2027):
    chair = client_for(app, world.chair)
    response = ask_report(chair, "onzin")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="report-period-error">{nl(app, "Choose a period from the list.")}</div>' in body
    assert 'aria-invalid="true"' in body.split('id="report-period-error"', 1)[1].split("</select>", 1)[0]
    response = ask_report(chair, "2027-Q1", "docx")
    body = response.get_data(as_text=True)
    assert f'id="report-format-error">{nl(app, "Choose PDF or CSV.")}</div>' in body
    assert '<option selected value="2027-Q1">' in body  # the period chosen is kept
    assert ask_report(chair, "2019-Q1").status_code == 200  # not offered
    with app.app_context():
        assert db.session.scalar(select(ExportJob.id)) is None
        refused = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.object_type == "signal_report", AuditEvent.outcome == "failed")).all()
    assert refused == ["invalid fields=period", "invalid fields=format", "invalid fields=period"]
    # Who may not ask: the other roles at the door (403), the RET of another region gets their own report.
    for person in (world.caseworker, world.analyst, world.admin):
        assert ask_report(client_for(app, person), "2027-Q1").status_code == 403
    elsewhere = client_for(app, world.elsewhere.chair)
    with app.app_context():
        job = db.session.get(ExportJob, job_of(ask_report(elsewhere, "2027-Q1", "csv")))
        assert job.params["region_id"] == world.elsewhere.region.id
    # The kind asked for through the general export route: the same rule (own region, a real period).
    token = csrf_token(chair, "/start")
    given = {"csrf_token": token, "region_id": str(world.region.id), "period_start": "2027-01-01",
             "period_kind": "quarter", "format": "csv"}
    assert chair.post("/exports/signal-report/aanvragen", data=given).status_code == 302
    for wrong in ({"region_id": str(world.elsewhere.region.id)}, {"period_start": "2027-02-01"},
                  {"period_start": "1900-01-01", "period_kind": "year"}, {"format": "docx"}):
        assert chair.post("/exports/signal-report/aanvragen", data={**given, **wrong}).status_code == 404, wrong


def gap_cases(world, n: int, day: date, *, code: str, care_type: Optional[str], municipality,
              result: str = "not_realised") -> None:
    """`n` closed cases whose outcome, recorded on `day`, names the gap `code` (no rule run)."""
    category = categories(world.region.id)[code]
    base = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
    at = datetime(day.year, day.month, day.day, 10, tzinfo=timezone.utc)
    for i in range(n):
        case = Case(id=base + i, reference=f"GAP-{base + i}", region_id=world.region.id,
                    municipality_id=municipality.id, submitting_organisation_id=world.team.id,
                    caseworker_id=world.caseworker.id, status="closed", youth_first_name="Jeugdige",
                    youth_last_name=f"Hiaat{i}", submitted_at=at - timedelta(days=40), closed_at=at,
                    outcome_recorded_at=at)
        db.session.add(case)
        db.session.flush()
        outcome = CaseOutcome(case_id=case.id, result=result, recorded_by_id=world.chair.id, recorded_at=at)
        outcome.gaps.append(OutcomeGap(case_id=case.id, gap_category_id=category, care_type=care_type, note="x"))
        db.session.add(outcome)
    db.session.flush()


def test_the_reports_gap_numbers_are_the_analysts(app, world, april_2027):
    """The gaps per category x municipality, their totals and the cases not solved of the report are the
    numbers the analyst's page shows for the same period (one protected table: nothing to combine)."""
    from ret_app.analyst import aggregates
    from ret_app.caretypes import services as caretypes
    from ret_app.models import Region
    from ret_app.signals import report
    from ret_app.stats.periods import Period, PeriodKind

    m, o = world.municipality, world.other_municipality
    with app.app_context():
        for month, n in ((1, 6), (2, 7), (3, 5)):
            gap_cases(world, n, date(2027, month, 15), code="no_place_best_fit", care_type="youth_mental_health",
                      municipality=m)
        gap_cases(world, 2, date(2027, 2, 10), code="no_place_best_fit", care_type="residential", municipality=o)
        gap_cases(world, 6, date(2027, 3, 3), code="no_living_place", care_type=None, municipality=m)
        gap_cases(world, 3, date(2027, 3, 4), code="no_living_place", care_type=None, municipality=o,
                  result="realised")
        db.session.commit()

    chair = client_for(app, world.chair)
    rows = csv_rows(report_file(chair, ask_report(chair, "2027-Q1", "csv")))
    section = nl(app, "Gaps recorded per category and municipality")
    in_csv = {(r[1], r[2]): r[3] for r in rows if r[0] == section}
    not_solved_csv = [r[3] for r in rows if r[0] == nl(app, "Cases not solved")]

    with app.test_request_context():
        region = db.session.get(Region, world.region.id)
        built = report.build(region, Period.parse("2027-Q1"))
        care_types = list(caretypes.names(region.id))

        def analyst(municipality_id):
            view = aggregates.view(region.id, aggregates.Filters(kind=PeriodKind.QUARTER, year=2027,
                                                                 municipality_id=municipality_id), care_types)
            return ({cid: cells[0] for cid, _name, cells in view.gaps},
                    dict(view.results)["not_realised"][0])

        whole, not_solved = analyst(None)
        per = {mun.id: analyst(mun.id)[0] for mun in built.municipalities}
        compared = []
        assert [c.name for c in built.categories] == [name for cid, name in aggregates.gap_categories(region.id)
                                                      if cid in {c.id for c in built.categories}]
        assert len(built.categories) == 2
        for i, category in enumerate(built.categories):
            assert built.gaps.row_totals[i] == whole[category.id]
            assert in_csv[(category.name, nl(app, "Total"))] == whole[category.id].shown
            for j, mun in enumerate(built.municipalities):
                assert built.gaps.cells[i][j] == per[mun.id][category.id], (category.name, mun.name)
                assert in_csv[(category.name, mun.name)] == per[mun.id][category.id].shown
                compared.append(per[mun.id][category.id])
            compared.append(whole[category.id])
        assert built.not_solved == not_solved and not_solved_csv == [not_solved.shown]
        # Not vacuous: shown numbers and hidden ones were compared.
        assert any(not c.suppressed and c.value >= 5 for c in compared) and any(c.suppressed for c in compared)
        assert not not_solved.suppressed and not_solved.value == 6 + 7 + 5 + 2 + 6
        # A total across categories is a sum of published numbers, hidden when any part is hidden.
        for j, _mun in enumerate(built.municipalities):
            parts = [built.gaps.cells[i][j] for i in range(len(built.categories))]
            total = built.gaps.column_totals[j]
            assert total.suppressed if any(p.suppressed for p in parts) else total.value == sum(p.value for p in parts)


def test_the_overview_counts_cases_per_category_period_and_municipality(app, ctx, world):
    from ret_app.signals import overview
    from ret_app.stats.periods import Period

    raise_signals(world, 4, today=date(2027, 3, 31))
    raise_signals(world, 2, code="no_living_place", care_type=None, municipality=world.other_municipality,
                  today=date(2027, 3, 31))
    periods = [Period.parse("2026-Q4"), Period.parse("2027-Q1")]
    data = overview.build(world.region.id, overview.OverviewFilters(), periods=periods)
    ids = categories(world.region.id)
    assert data.gaps[ids["no_place_best_fit"]] == [0, 4] and data.gaps[ids["no_living_place"]] == [0, 2]
    assert data.gap_totals == [0, 6] and data.not_solved == [0, 6]
    assert data.by_municipality[ids["no_living_place"]] == {world.other_municipality.id: 2}
    only = overview.build(world.region.id, overview.OverviewFilters(care_type="youth_mental_health"), periods=periods)
    assert only.gap_totals == [0, 4]


def test_the_region_settings_on_the_norms_page(app, world):
    admin = client_for(app, world.admin)
    path = f"/beheer/regios/{world.region.id}/normtijden"
    token = csrf_token(admin, path)
    data = {"csrf_token": token, "intake_decision": "5", "first_session": "10", "first_session_crisis": "2",
            "screening": "20", "request_reply_days": "3", "request_reply_days_crisis": "1", "capacity_stale_days": "14",
            "retention_years": "20"}
    response = admin.post(path, data={**data, "signal_threshold": "1", "signal_window_months": "zes"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert nl(app, "Enter 2 to 100 cases.") in body
    assert 'id="signal_threshold-error"' in body and 'id="signal_window_months-error"' in body
    assert admin.post(path, data={**data, "signal_threshold": "4", "signal_window_months": "12"}).status_code == 302
    with app.app_context():
        assert rule.settings_for(world.region.id) == rule.Settings(4, 12)


# --- query counts -----------------------------------------------------------------------------------------------

# The report (a POST that asks for the export job, which the job runner makes right after it) is counted
# too, below; the marker names the pages (GET) only.
@pytest.mark.counts_queries("signals.signal_list", "signals.signal_page", "signals.overview")
def test_the_pages_do_not_grow_their_query_count_with_their_rows(app, world, count_queries, april_2027):
    chair = client_for(app, world.chair)

    def counts(n_signals: int, n_cases: int) -> dict:
        with app.app_context():
            codes = list(categories(world.region.id))[:n_signals]
            found = []
            for code in codes:
                found = raise_signals(world, n_cases, code=code, care_type=None)
            db.session.commit()
            signal_id = max(s.id for s in found)
        out = {}
        for name, path in (("list", "/signalen?status="), ("page", f"/signalen/{signal_id}"),
                           ("overview", "/signalen/hiaten?period=month&count=12")):
            with count_queries() as statements:
                assert chair.get(path).status_code == 200, path
            out[name] = len(statements)
        # The report: asked for, and made by the job runner right after the request (counted with it).
        for fmt in ("csv", "pdf"):
            token = csrf_token(chair, "/signalen/hiaten")
            with count_queries() as statements:
                job_id = job_of(chair.post("/signalen/rapport", data={"csrf_token": token, "report-period": "2027",
                                                                      "report-format": fmt}))
            with app.app_context():
                assert db.session.get(ExportJob, job_id).status == "done"
            out[fmt] = len(statements)
        return out

    few = counts(2, 3)
    many = counts(12, 9)
    assert few == many
