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
import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
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
    GapCategory,
    GapSignal,
    Notification,
    OutcomeGap,
    ProviderRequest,
    RegionNorms,
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
