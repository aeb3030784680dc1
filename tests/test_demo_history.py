"""The demo's generated history (ret_app/demo_history.py): a few hundred closed cases of the past three years
whose dates, outcomes, gaps, declines, escalations and re-referrals hang together, with the patterns the gap
signals and the analyst's suppression need. The demo is seeded once for the module (its transaction)."""

import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

import pyotp
import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ret_app import demo, demo_history
from ret_app.cases import clock
from ret_app.cases.consent import age_on
from ret_app.extensions import db
from ret_app.kernel.dates import local_date
from ret_app.models import (
    AuditEvent, Case, CaseLink, CaseOutcome, Escalation, FamilyMember, GapCategory, OutcomeGap, OutcomeHelp, PriorHelp,
    ProviderRequest, Region, Screening,
)
from ret_app.outcomes import services as outcomes
from tests.conftest import csrf_token

TODAY = date.today()
STORY_NAMES = {(first, last) for _k, _m, _c, first, last, *_rest in demo.DEMO_CASES}


@pytest.fixture(scope="module")
def seeded(app, _module_transaction):
    with app.app_context():
        demo.seed()
        db.session.commit()


def generated(**options) -> list[Case]:
    """The generated cases: every closed case but the re-referral story's earlier cases (their youths are
    story youths)."""
    stmt = select(Case).where(Case.status == "closed").order_by(Case.id)
    if options:
        stmt = stmt.options(*options.values())
    return [c for c in db.session.scalars(stmt) if (c.youth_first_name, c.youth_last_name) not in STORY_NAMES]


def is_working_day(day: date) -> bool:
    return clock.is_working_day(day, clock.DEFAULT_CALENDAR)


def test_hundreds_of_closed_cases_over_three_years_in_each_region(app, seeded):
    with app.app_context():
        cases = generated()
        regions = dict(db.session.execute(select(Region.id, Region.name)).all())
        per_region = Counter(regions[c.region_id] for c in cases)
        closed = [local_date(c.closed_at) for c in cases]
    assert per_region == demo_history.PER_REGION
    assert 600 <= len(cases) <= 750
    assert all(100 <= n <= 160 for name, n in per_region.items() if name != demo.MIJOV)
    # The analyst's region about as busy as a real RET (150 a year): its monitor figures per quarter show.
    assert per_region[demo.MIJOV] == 450
    assert min(closed) >= TODAY - timedelta(days=365 * 3 + 10) and max(closed) < TODAY
    # Every half year of the three has closed cases in every region (a trend, not one heap).
    for months in range(0, 36, 6):
        start, end = TODAY - relativedelta(months=months + 6), TODAY - relativedelta(months=months)
        for region in regions.values():
            assert sum(1 for c, day in zip(cases, closed) if start < day <= end and regions[c.region_id] == region) >= 5


def test_lifecycle_dates_follow_each_other_on_working_days(app, seeded):
    with app.app_context():
        cases = generated(pauses=selectinload(Case.pauses), transitions=selectinload(Case.transitions))
        outcome_of = {o.case_id: o for o in db.session.scalars(select(CaseOutcome))}
        screenings = {s.case_id: s for s in db.session.scalars(select(Screening))}
        requests = defaultdict(list)
        for r in db.session.scalars(select(ProviderRequest)):
            requests[r.case_id].append(r)
        for case in cases:
            submitted, intake, closed = (local_date(case.submitted_at), local_date(case.intake_at),
                                         local_date(case.closed_at))
            fitting = case.fitting_help_started_on
            recorded = local_date(outcome_of[case.id].recorded_at)
            assert submitted <= intake <= (fitting or intake) <= closed, case.reference
            assert local_date(case.outcome_recorded_at) == recorded and (fitting or intake) <= recorded <= closed
            for day in (submitted, intake, closed, recorded, *([fitting] if fitting else [])):
                assert is_working_day(day), (case.reference, day)
            # The transitions: a path of the lifecycle, in time order, each on a working day.
            steps = case.transitions
            assert steps[0].to_status == "concept" and steps[-1].to_status == "closed"
            for before, after in zip(steps, steps[1:]):
                assert after.from_status == before.to_status and before.at <= after.at, case.reference
            assert all(is_working_day(local_date(t.at)) for t in steps)
            reached = [t.to_status for t in steps]
            assert reached[:4] == ["concept", "submitted", "intake", "screening"]
            assert ("monitoring" in reached) == (fitting is not None)
            assert local_date(next(t.at for t in steps if t.to_status == "intake")) == intake
            if fitting:
                assert local_date(next(t.at for t in steps if t.to_status == "monitoring")) == fitting
            for pause in case.pauses:
                assert submitted < pause.start < pause.end <= (fitting or closed)
            assert screenings[case.id].finalised_at is not None
            assert local_date(screenings[case.id].finalised_at) <= closed
            for r in requests[case.id]:
                assert submitted <= local_date(r.requested_at) <= local_date(r.answered_at) <= closed
                if r.status == "ended":
                    assert r.started_on == fitting and r.ended_on == closed
        assert sum(1 for c in cases if c.pauses) >= 5  # some paused on the way: the clocks leave those days out


def test_every_outcomes_working_days_are_what_the_outcomes_service_computes(app, seeded):
    with app.app_context():
        cases = {c.id: c for c in generated(pauses=selectinload(Case.pauses))}
        stored = {o.case_id: o for o in db.session.scalars(select(CaseOutcome).where(CaseOutcome.case_id.in_(cases)))}
        assert set(stored) == set(cases)
        for case_id, case in cases.items():
            outcome = stored[case_id]
            assert (outcome.working_days_to_fitting_help, outcome.working_days_to_close) == outcomes.working_days(case)
            assert outcome.working_days_to_close > 0
            assert (outcome.working_days_to_fitting_help is None) == (case.fitting_help_started_on is None)
        helped = [o for o in stored.values() if o.result in ("realised", "partly_realised")]
        assert all(o.working_days_to_fitting_help for o in helped)
        # A pause leaves its days out: fewer working days than the calendar gives.
        paused = [c for c in cases.values() if c.pauses]
        assert all(stored[c.id].working_days_to_close < clock.working_days_between(
            local_date(c.submitted_at), local_date(c.closed_at), clock.DEFAULT_CALENDAR) for c in paused)


def test_the_outcomes_mix_results_placements_and_help_inside_and_outside_the_region(app, seeded):
    with app.app_context():
        cases = {c.id: c for c in generated()}
        rows = list(db.session.scalars(select(CaseOutcome).where(CaseOutcome.case_id.in_(cases))))
        results = Counter(o.result for o in rows)
        helps = list(db.session.scalars(select(OutcomeHelp).where(OutcomeHelp.case_id.in_(cases))))
        for o in rows:
            assert (o.placement_result is not None) == cases[o.case_id].placement_intended
        placements = Counter(o.placement_result for o in rows if o.placement_result)
    assert set(results) == {"realised", "partly_realised", "not_realised", "returned_with_advice", "aged_out_or_moved"}
    assert results["realised"] > results["not_realised"] >= 10
    assert set(placements) == {"prevented", "carried_out", "other"}
    kinds = Counter((h.inside_region, h.via_network, h.organisation_id is not None) for h in helps)
    assert kinds[(True, False, True)] >= 20  # a provider of the collective
    assert kinds[(False, False, False)] >= 5  # a provider outside the region
    assert kinds[(False, True, False)] >= 5  # found via the network
    assert all(h.organisation_id is None or h.inside_region for h in helps)


def recorded_gaps() -> list[tuple[str, str, int, date, int]]:
    """(region, category code, case id, the outcome's recorded day, the youth's age at the referral) of every
    gap of every outcome, the stories' included."""
    rows = db.session.execute(
        select(Region.name, GapCategory.code, OutcomeGap.case_id, CaseOutcome.recorded_at, Case.youth_birth_date,
               Case.submitted_at)
        .join(CaseOutcome, CaseOutcome.id == OutcomeGap.outcome_id)
        .join(GapCategory, GapCategory.id == OutcomeGap.gap_category_id)
        .join(Case, Case.id == OutcomeGap.case_id).join(Region, Region.id == Case.region_id))
    return [(region, code, case_id, local_date(at), age_on(birth, local_date(submitted)))
            for region, code, case_id, at, birth, submitted in rows]


def cases_in_window(gaps, region: str, code: str, end: date, months: int = 6) -> set[int]:
    start = end - relativedelta(months=months)
    return {case_id for r, c, case_id, day, _age in gaps if r == region and c == code and start < day <= end}


def test_gaps_cluster_where_signals_should_appear_and_crisis_availability_stays_thin(app, seeded):
    with app.app_context():
        gaps = recorded_gaps()
    # No suitable living place for 12-17 year olds clusters in IJmond in the last six months ...
    living = cases_in_window(gaps, demo.IJZK, "no_living_place", TODAY)
    assert len(living) >= 5
    teens = {case_id for r, c, case_id, _d, age in gaps if r == demo.IJZK and c == "no_living_place" and 12 <= age <= 17}
    assert living <= teens
    # ... and far less there before, and elsewhere now.
    assert len(cases_in_window(gaps, demo.IJZK, "no_living_place", TODAY - relativedelta(months=12))) < 3
    assert len(cases_in_window(gaps, demo.MIJOV, "no_living_place", TODAY)) < 3
    # LVB with psychiatry: no provider offers it in Midden-IJssel/Oost-Veluwe.
    assert len(cases_in_window(gaps, demo.MIJOV, "no_provider_offers_it", TODAY)) >= 4
    # Crisis availability: in every region, never 3 cases within any six months (below the default threshold).
    for region in (demo.MIJOV, demo.IJZK, demo.DRENTHE):
        days = sorted(day for r, c, _id, day, _a in gaps if r == region and c == "crisis_availability")
        assert len(days) >= 4, region
        assert all(len(cases_in_window(gaps, region, "crisis_availability", day)) < 3 for day in days), region


def test_gap_counts_per_region_category_and_quarter_have_small_cells_for_suppression(app, seeded):
    with app.app_context():
        gaps = recorded_gaps()
    cells = Counter((region, code, (day.year, (day.month - 1) // 3)) for region, code, _id, day, _a in gaps)
    small = [key for key, n in cells.items() if 1 <= n <= 4]
    assert len(small) >= 30
    yearly = Counter((region, code, day.year) for region, code, _id, day, _a in gaps)
    assert any(n >= 5 for n in yearly.values())  # and per year cells that are shown as they are
    assert {code for (_r, code, _q) in small} >= {"crisis_availability", "education", "conflict"}


def test_declines_per_care_type_escalations_with_results_and_confirmed_re_referrals(app, seeded):
    with app.app_context():
        ids = {c.id for c in generated()}
        declines = Counter((r.care_type, r.decline_reason) for r in db.session.scalars(
            select(ProviderRequest).where(ProviderRequest.case_id.in_(ids), ProviderRequest.status == "declined")))
        escalations = list(db.session.scalars(select(Escalation).where(Escalation.case_id.in_(ids))))
        for e in escalations:
            assert e.case.consent_network or not e.case.consent_ret  # sent with network consent (see the flags test)
            assert e.network_id == e.case.region.network_id and e.steps[0].name == "send"
            assert e.steps[-1].to_status == e.status and e.steps[-1].at <= e.case.closed_at
            assert e.tried
        by_network = defaultdict(set)
        for e in escalations:
            by_network[e.network.short_name].add(e.result)
        links = list(db.session.scalars(select(CaseLink).where(CaseLink.case_id.in_(ids))))
        pairs = [(link.status, link.case.youth_match_key == link.earlier_case.youth_match_key,
                  link.case.submitted_at - link.earlier_case.closed_at, link.earlier_case_id in ids) for link in links]
    reasons_by_type = defaultdict(set)
    for (care_type, reason), _n in declines.items():
        reasons_by_type[care_type].add(reason)
    assert {"no_capacity", "not_our_expertise"} == {reason for _t, reason in declines}
    assert sum(1 for reasons in reasons_by_type.values() if reasons == {"no_capacity", "not_our_expertise"}) >= 3
    assert declines[("intellectual_disability", "not_our_expertise")] >= 5
    assert set(by_network) == {"BOEG", "BEN NH", "JENN"}
    assert all(len(results - {None}) >= 2 for results in by_network.values())
    assert {e.status for e in escalations} == {"closed", "declined"}
    assert len(pairs) >= 3
    for status, same_youth, gap, earlier_generated in pairs:
        assert status == "confirmed" and same_youth and earlier_generated
        assert timedelta(days=30) < gap < timedelta(days=365)


def test_generated_people_are_fictional_without_bsn_or_address_and_4_to_22_at_the_referral(app, seeded):
    postcode = re.compile(r"\b\d{4} ?[A-Z]{2}\b")
    number = re.compile(r"\d{7,}")
    street = re.compile(r"\b\w+(straat|laan|weg|plein|gracht|dijk)\b \d", re.I)
    with app.app_context():
        cases = generated()
        ids = [c.id for c in cases]
        texts = [c.question for c in cases] + [c.why_stuck for c in cases]
        texts += list(db.session.scalars(select(FamilyMember.name).where(FamilyMember.case_id.in_(ids))))
        texts += [f"{p.provider} {p.help_type} {p.end_reason}" for p in db.session.scalars(
            select(PriorHelp).where(PriorHelp.case_id.in_(ids)))]
        texts += list(db.session.scalars(select(OutcomeGap.note).where(OutcomeGap.case_id.in_(ids))))
        texts += list(db.session.scalars(select(CaseOutcome.lessons).where(CaseOutcome.case_id.in_(ids))))
        for case in cases:
            assert case.youth_bsn is None
            assert 4 <= age_on(case.youth_birth_date, local_date(case.submitted_at)) <= 22, case.reference
            assert case.youth_first_name in demo_history.GIRLS + demo_history.BOYS
            assert case.youth_last_name in demo_history.SURNAMES
        # One youth, one case, except the re-referred ones: no accidental "possibly the same youth".
        keys = Counter(c.youth_match_key for c in cases)
        rereferred = db.session.scalar(select(func.count(CaseLink.id)).where(CaseLink.case_id.in_(ids)))
        assert sum(n - 1 for n in keys.values()) == rereferred
    for text in texts:
        assert not postcode.search(text) and not number.search(text) and not street.search(text), text
    story_first = {first for first, _last in STORY_NAMES} | {name.split()[0] for _e, name, *_r in demo.USERS}
    assert not story_first & set(demo_history.GIRLS + demo_history.BOYS)


def test_the_history_is_the_same_every_time_and_the_database_holds_that_plan(app, seeded):
    first, second = demo_history.plan(TODAY), demo_history.plan(TODAY)
    assert first == second
    assert demo_history.plan(TODAY - timedelta(days=1)) != first  # counted from today: not a frozen file
    with app.app_context():
        stored = {(c.youth_first_name, c.youth_last_name, c.youth_birth_date, local_date(c.submitted_at),
                   local_date(c.closed_at), c.fitting_help_started_on) for c in generated()}
        results = Counter(db.session.scalars(select(CaseOutcome.result).where(CaseOutcome.case_id.in_(
            [c.id for c in generated()]))))
    assert stored == {(c.first, c.last, c.birth, c.submitted, c.closed, c.fitting) for c in first}
    assert results == Counter(c.result for c in first)


def test_seeding_the_history_writes_no_audit_event_per_row(app, seeded):
    with app.app_context():
        ids = {str(c.id) for c in generated()}
        seeds = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "demo_seed"))
        # The chair's demo vignettes of the latest closed cases, and the erasure request and legal hold on two
        # of them, are real actions (audited as such); the generated rows themselves write nothing.
        about_history = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.case_id.in_([int(i) for i in ids]),
            AuditEvent.object_type.not_in(("vignette", "erasure_request", "legal_hold"))))
        total = db.session.scalar(select(func.count(AuditEvent.id)))
    assert seeds == 1 and about_history == 0
    assert total < len(ids)  # the stories' events, not one per generated row


def test_the_chair_finds_closed_cases_in_the_list_after_the_open_ones_and_reads_one(app, seeded):
    with app.app_context():
        mijov = db.session.scalar(select(Region.id).where(Region.name == demo.MIJOV))
        case = next(c for c in generated() if c.region_id == mijov and c.fitting_help_started_on
                    and db.session.scalar(select(func.count(Escalation.id)).where(Escalation.case_id == c.id)))
        case_id, reference, name = case.id, case.reference, case.youth_name
    client = app.test_client()
    token = csrf_token(client)
    email = "voorzitter@mijov.example"
    client.post("/inloggen", data={"csrf_token": token, "email": email, "password": demo.DEMO_PASSWORD})
    client.post("/inloggen/verificatie", data={"csrf_token": token,
                                               "code": pyotp.TOTP(demo.demo_totp_secret(email)).now()})
    # The default list holds the open cases only (issue 14); "alle" lists the closed ones after them.
    default = client.get("/casussen").get_data(as_text=True).split("<tbody", 1)[1]
    assert ">Afgesloten<" not in default and "Daan Kuipers" in default
    rows = client.get("/casussen?status=all").get_data(as_text=True).split("<tbody", 1)[1]
    first_closed = rows.index(">Afgesloten<")
    for story in ("Daan Kuipers", "Noah Brink", "Sara de Jong", "Finn Willems", "Lotte Smits", "Jesse Bos",
                 "Lieke van Dijk"):  # the region's open stories, before the first closed case
        assert -1 < rows.find(story) < first_closed, story
    closed = client.get("/casussen?status=closed").get_data(as_text=True)
    assert closed.count("Afgesloten") >= 25 and "Volgende pagina" in closed
    page = client.get(f"/casussen/{case_id}").get_data(as_text=True)
    assert reference in page and name in page
    for words in ("Werkdagen tot passende hulp", "Opschaling naar het bovenregionale netwerk", "Afgewezen",
                  "Passende hulp gestart"):
        assert words in page, words


def test_the_signals_have_a_past_the_chairs_took_up_addressed_and_closed(app, seeded):
    """The rule replayed over the history: signals raised in many months, some closed after the chair's
    responses (dated between raising and today), and the newest still new for the chair to take up."""
    from ret_app.models import GapSignal, SignalResponse

    with app.app_context():
        signals = list(db.session.scalars(select(GapSignal)))
        responses = list(db.session.scalars(select(SignalResponse)))
    months = {(s.raised_at.year, s.raised_at.month) for s in signals}
    assert len(months) >= 6, months
    statuses = {s.status for s in signals}
    assert {"new", "in_progress", "closed"} <= statuses, statuses
    raised = {s.id: s.raised_at for s in signals}
    assert all(raised[r.signal_id] <= r.at <= datetime.now(timezone.utc) for r in responses)
    assert all(s.raised_at.date() >= TODAY - relativedelta(months=25) for s in signals)
    for signal in signals:
        if signal.status == "closed":
            steps = [r.step for r in sorted(responses, key=lambda r: r.at) if r.signal_id == signal.id and r.step]
            assert steps[-1] in ("close", "dismiss"), steps


def test_each_municipalitys_own_access_team_referred_its_youths(app, seeded):
    """The reflection report per access team has cases for every team: a youth is referred by the access
    team of their own municipality (or by the certified institution)."""
    from ret_app.models import Organisation

    with app.app_context():
        rows = db.session.execute(
            select(Case.municipality_id, Organisation.kind, Organisation.municipality_id)
            .join(Organisation, Organisation.id == Case.submitting_organisation_id)
            .where(Case.id.in_([c.id for c in generated()]))).all()
        teams = db.session.scalars(select(Organisation.municipality_id).where(
            Organisation.kind == "access_team")).all()
    assert all(team_municipality == municipality for municipality, kind, team_municipality in rows
               if kind == "access_team")
    referred = {team_municipality for _m, kind, team_municipality in rows if kind == "access_team"}
    assert referred == set(teams)
