"""The stored next due item (`Case.next_deadline`, `Case.next_due_kind`) is what the clock module
computes, after every kind of change: a lifecycle step, the intake decision, a pause and its end, a
RET session starting and going back, a case joining and leaving a running session's agenda, the
screening finalised, the region's norms changed, and another capability's due source (the registry
in cases/norms.py). The overdue filter and the chair's start page agree with it.

Every test changes one thing through the service that changes it, then checks the whole set of
cases built here (so a change that forgot to refresh, or refreshed the wrong case, shows); a few
values are pinned by hand from the working-day calendar, so the check is not the code compared with
itself."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ret_app.cases import clock, lifecycle, norms
from ret_app.cases.events import DueDateChanged
from ret_app.extensions import db
from ret_app.kernel import dates, events
from ret_app.kernel.dates import local_date, utcnow
from ret_app.models import Case, CaseStatus, Consent, Meeting, MeetingItem, Region, Screening, User
from tests.conftest import login

CAL = clock.DEFAULT_CALENDAR
LONG_AGO = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)  # a Monday


def _ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days)


@pytest.fixture
def world(make_world, factory):
    """The region's cases in every situation that has (or has no) next due item."""
    w = make_world()
    case = lambda **fields: factory.case(w.caseworker, w.municipality, **fields)  # noqa: E731
    w.cases = {
        "concept": case(status="concept", birth_date=dates.today() - timedelta(days=365 * 17)),
        "submitted_late": case(status="submitted", submitted_at=LONG_AGO),
        "submitted_now": case(status="submitted", submitted_at=utcnow()),
        "intake": case(status="intake", submitted_at=_ago(3), intake_at=_ago(1),
                       birth_date=dates.today() - timedelta(days=365 * 17)),
        # First session (10 working days) before the screening (20): first_session is next, and late.
        "screening_late": case(status="screening", submitted_at=_ago(70), intake_at=_ago(60),
                               track="process_direction", process_director_id=w.director.id),
        "screening_crisis": case(status="screening", urgency="crisis", submitted_at=_ago(4), intake_at=_ago(2),
                                 track="process_direction", process_director_id=w.director.id),
        "process_direction": case(status="process_direction", submitted_at=_ago(50), intake_at=_ago(40),
                                  track="process_direction", process_director_id=w.director.id),
        "monitoring": case(status="monitoring", submitted_at=_ago(200), intake_at=_ago(190)),
        "paused": case(status="paused", status_before_pause="submitted", submitted_at=_ago(5)),
        "closed": case(status="closed", submitted_at=_ago(300), intake_at=_ago(290), closed_at=_ago(10)),
        "elsewhere": factory.case(w.elsewhere.caseworker, w.elsewhere.municipality, status="submitted",
                                  submitted_at=LONG_AGO),
    }
    with factory.app.app_context():
        for name in ("concept", "intake"):
            the_case = db.session.get(Case, w.cases[name])
            the_case.consents.append(Consent(scope="ret", given_by_role="youth",
                                             given_on=dates.today() - timedelta(days=1),
                                             form="written", recorded_by_id=w.caseworker.id))
            the_case.consent_ret = True
        for name in ("process_direction", "monitoring"):
            db.session.add(Screening(case_id=w.cases[name], analysis="Analyse", advice="Advies",
                                     finalised_at=_ago(30), finalised_by_id=w.director.id))
        db.session.add(Screening(case_id=w.cases["screening_late"], analysis="Analyse", advice="Advies"))
        from ret_app.models import CasePause

        paused = db.session.get(Case, w.cases["paused"])
        paused.pauses.append(CasePause(start=dates.today() - timedelta(days=2), reason="Gezin vraagt tijd",
                                       started_by_id=w.chair.id))
        db.session.commit()
    # The monitoring case was discussed in an approved session: its first-session clock stopped.
    factory.meeting(w.chair, status="approved", starts_at=_ago(150), cases=(w.cases["monitoring"],))
    return w


def _user(person) -> User:
    return db.session.get(User, person.id)


def _case(world, name: str) -> Case:
    return db.session.get(Case, world.cases[name])


def expected(case: Case, sources=()) -> tuple:
    """What the clock module says is due next: the earliest running norm clock (or source item); nothing
    for a paused case. Checked to be the same whichever day it is computed on (the stored value needs
    no refresh as days pass: only changes move it)."""
    if case.status == CaseStatus.PAUSED:
        return None, None
    answers = []
    for day in (dates.today(), dates.today() + timedelta(days=45), dates.today() + timedelta(days=400)):
        clocks = norms.case_clocks(case, today=day)
        assert not any(c.paused for c in clocks)
        found = [(c.due, c.name) for c in clocks] + [due for due in (s(case) for s in sources) if due]
        answers.append(min(found, key=lambda due: due[0]) if found else (None, None))
    assert answers[0] == answers[1] == answers[2], answers
    return answers[0]


def check_all(world, sources=()) -> dict[str, tuple]:
    """Every case of the set: the stored next due item is what the clock module computes. Returns them."""
    db.session.flush()
    db.session.expire_all()
    stored = {}
    for name in world.cases:
        case = _case(world, name)
        stored[name] = (case.next_deadline, case.next_due_kind)
        assert stored[name] == expected(case, sources), name
    return stored


def working_days_after(moment: datetime, n: int) -> date:
    return clock.add_working_days(local_date(moment), n, CAL)


# --- what the set holds before anything changes ---------------------------------------------------

def test_the_stored_items_of_every_situation(ctx, world):
    stored = check_all(world)
    assert stored["concept"] == stored["closed"] == stored["paused"] == stored["monitoring"] == (None, None)
    assert stored["submitted_late"] == (date(2025, 1, 13), "intake_decision")  # Mon 6 Jan + 5 working days
    assert stored["submitted_now"] == (working_days_after(utcnow(), 5), "intake_decision")
    assert stored["intake"][1] == "intake_decision"  # intake status: the intake decision is still due
    assert stored["screening_late"][1] == "first_session"
    assert stored["screening_crisis"] == (working_days_after(_case(world, "screening_crisis").intake_at, 2),
                                          "first_session")
    assert stored["process_direction"][1] == "first_session"


# --- lifecycle steps (the CaseTransitioned subscriber) ----------------------------------------------

def test_submitting_starts_the_intake_clock(ctx, world):
    lifecycle.apply(_case(world, "concept"), _user(world.caseworker), "submit")
    db.session.flush()
    stored = check_all(world)
    assert stored["concept"] == (working_days_after(_case(world, "concept").submitted_at, 5), "intake_decision")


def test_the_intake_decision_starts_the_first_session_and_screening_clocks(ctx, world):
    from ret_app.cases import services

    services.accept_into_track(_case(world, "intake"), _user(world.chair), track="process_direction",
                               urgency="crisis", process_director_id=world.director.id, reason="Crisis")
    db.session.flush()
    stored = check_all(world)
    intake_at = _case(world, "intake").intake_at
    assert stored["intake"] == (working_days_after(intake_at, 2), "first_session")  # the crisis norm


def test_a_pause_stores_nothing_and_the_resume_shifts_by_the_pause(ctx, world):
    case = _case(world, "screening_late")
    before = case.next_deadline
    start = local_date(case.intake_at) + timedelta(days=1)
    lifecycle.apply(case, _user(world.chair), "pause", reason="Gezin vraagt tijd", today=start)
    db.session.flush()
    assert check_all(world)["screening_late"] == (None, None)

    end = start + timedelta(days=14)  # two weeks paused, before the deadline
    lifecycle.apply(_case(world, "screening_late"), _user(world.chair), "resume", today=end)
    db.session.flush()
    stored = check_all(world)
    assert stored["screening_late"][1] == "first_session"
    paused = clock.working_days_between(start - timedelta(days=1), end - timedelta(days=1), CAL)
    assert paused >= 8 and clock.working_days_between(before, stored["screening_late"][0], CAL) == paused


def test_resuming_a_paused_case_brings_its_clock_back(ctx, world):
    lifecycle.apply(_case(world, "paused"), _user(world.chair), "resume")
    db.session.flush()
    assert check_all(world)["paused"][1] == "intake_decision"


def test_closing_and_returning_store_nothing(ctx, world):
    case = _case(world, "screening_late")
    case.outcome_recorded_at = utcnow()
    lifecycle.apply(case, _user(world.chair), "close", reason="Passende hulp gestart")
    lifecycle.apply(_case(world, "submitted_late"), _user(world.chair), "return_with_advice", reason="Advies")
    db.session.flush()
    stored = check_all(world)
    assert stored["screening_late"] == stored["submitted_late"] == (None, None)


# --- the screening and RET sessions ----------------------------------------------------------------

def test_finalising_the_screening_stops_its_clock(ctx, world, factory):
    from ret_app.screening import services as screening

    # Discussed in a closed session: only the screening clock runs, then none.
    factory.meeting(world.chair, status="closed", cases=(world.cases["screening_late"],))
    assert check_all(world)["screening_late"][1] == "screening"
    case = _case(world, "screening_late")
    the_screening = db.session.scalar(select(Screening).where(Screening.case_id == case.id))
    screening.finalise(case, the_screening, _user(world.director), str(the_screening.version))
    db.session.flush()
    assert check_all(world)["screening_late"] == (None, None)


def test_a_session_starting_and_going_back_moves_the_first_session_clock(ctx, world, factory):
    from ret_app.meetings import lifecycle as sessions

    meeting = db.session.get(Meeting, factory.meeting(
        world.chair, starts_at=utcnow() + timedelta(days=7),
        cases=(world.cases["process_direction"], world.cases["screening_crisis"])))
    assert check_all(world)["process_direction"][1] == "first_session"  # planned: still running
    sessions.apply(meeting, "start", _user(world.chair), confirmed=True)
    db.session.flush()
    stored = check_all(world)
    assert stored["process_direction"] == (None, None)  # screening finalised: nothing else runs
    assert stored["screening_crisis"][1] == "screening"
    sessions.apply(meeting, "unstart", _user(world.chair))
    db.session.flush()
    stored = check_all(world)
    assert stored["process_direction"][1] == stored["screening_crisis"][1] == "first_session"


def test_joining_and_leaving_a_running_session_moves_the_first_session_clock(ctx, world, factory):
    from ret_app.meetings import lifecycle as sessions, planning

    meeting = db.session.get(Meeting, factory.meeting(world.chair, starts_at=utcnow(),
                                                      cases=(world.cases["screening_crisis"],)))
    sessions.apply(meeting, "start", _user(world.chair), confirmed=True)
    item = planning.add_item(meeting, {"case_id": world.cases["process_direction"], "purpose": "progress"},
                             _user(world.chair))
    db.session.flush()
    assert check_all(world)["process_direction"] == (None, None)
    planning.remove_item(meeting, db.session.get(MeetingItem, item.id), _user(world.chair))
    db.session.flush()
    assert check_all(world)["process_direction"][1] == "first_session"


# --- the region's norms ------------------------------------------------------------------------------

def test_new_norms_move_every_open_case_of_the_region_and_no_version(ctx, world):
    from ret_app.admin import services as admin

    versions = {name: _case(world, name).version for name in world.cases}
    before = check_all(world)
    admin.save_region_norms(db.session.get(Region, world.region.id),
                            {"intake_decision": 2, "first_session": 30, "first_session_crisis": 1, "screening": 15,
                             "request_reply_days": 3, "request_reply_days_crisis": 1, "capacity_stale_days": 14})
    db.session.flush()
    after = check_all(world)
    assert after["submitted_late"] == (date(2025, 1, 8), "intake_decision")  # Mon 6 Jan + 2 working days
    assert after["screening_late"][1] == "screening"  # now 15 days against 30: the screening comes first
    assert after["screening_crisis"] == (working_days_after(_case(world, "screening_crisis").intake_at, 1),
                                         "first_session")
    assert after["elsewhere"] == before["elsewhere"]  # another region's norms
    # A recomputed due date is no edit: nobody editing one of these cases gets a conflict for it.
    assert {name: _case(world, name).version for name in world.cases} == versions


def test_refreshing_the_region_costs_the_same_queries_for_more_cases(app, ctx, world, factory, count_queries):
    counts = []
    for _ in range(2):
        for n in range(20):
            factory.case(world.caseworker, world.municipality, status=("submitted", "screening")[n % 2],
                         submitted_at=_ago(30 + n), intake_at=_ago(20 + n))
        with count_queries() as statements:
            norms.refresh_region(world.region.id)
        counts.append(len([s for s in statements if not s.lstrip().upper().startswith("UPDATE")]))
    assert counts[0] == counts[1], counts


# --- another capability's due dates (the registry) ---------------------------------------------------

def test_a_due_source_takes_part_and_its_event_refreshes(ctx, world, monkeypatch):
    reviews: dict[int, date] = {}

    def review(case: Case):
        return (reviews[case.id], "review") if case.id in reviews else None

    monkeypatch.setattr(norms, "_due_sources", [])
    norms.register_due_source(review)
    norms.register_due_source(review)  # once
    assert norms.due_sources() == (review,)
    case = _case(world, "process_direction")
    first_session = case.next_deadline
    reviews[case.id] = first_session - timedelta(days=1)  # earlier than the clock: it wins
    events.emit(DueDateChanged(actor=_user(world.director), case=case))
    assert check_all(world, [review])["process_direction"] == (first_session - timedelta(days=1), "review")
    reviews[case.id] = first_session  # the same day: the clock comes first
    events.emit(DueDateChanged(actor=_user(world.director), case=case))
    assert check_all(world, [review])["process_direction"] == (first_session, "first_session")
    # A case with no clock running gets the source's item; a paused case none.
    for name in ("monitoring", "paused"):
        reviews[world.cases[name]] = dates.today() + timedelta(days=3)
        events.emit(DueDateChanged(actor=None, case=_case(world, name)))
    stored = check_all(world, [review])
    assert stored["monitoring"] == (dates.today() + timedelta(days=3), "review")
    assert stored["paused"] == (None, None)


def test_a_due_source_that_answers_wrongly_is_refused(ctx, world, monkeypatch):
    monkeypatch.setattr(norms, "_due_sources", [lambda case: (utcnow(), "review")])
    with pytest.raises(TypeError):
        norms.refresh_deadline(_case(world, "monitoring"))
    monkeypatch.setattr(norms, "_due_sources", [lambda case: (dates.today(), "x" * 33)])
    with pytest.raises(TypeError):
        norms.refresh_deadline(_case(world, "monitoring"))


# --- the pages agree ---------------------------------------------------------------------------------

def _overdue_by_the_clocks(world) -> set[str]:
    """The references of the region's cases with a norm clock past its deadline (clock module)."""
    with world.factory.app.app_context():
        return {case.reference for case in (db.session.get(Case, case_id) for case_id in world.cases.values())
                if case.region_id == world.region.id and any(c.overdue for c in norms.case_clocks(case))}


@pytest.mark.parametrize("norms_changed", [False, True])
def test_the_overdue_filter_and_the_chairs_start_page_agree_with_the_clocks(app, client, world, norms_changed):
    if norms_changed:
        with app.app_context():
            from ret_app.admin import services as admin

            admin.save_region_norms(db.session.get(Region, world.region.id),
                                    {"intake_decision": 2, "first_session": 60, "first_session_crisis": 1,
                                     "screening": 100, "request_reply_days": 3, "request_reply_days_crisis": 1, "capacity_stale_days": 14})
            db.session.commit()
    late = _overdue_by_the_clocks(world)
    with app.app_context():
        cases = [db.session.get(Case, case_id) for case_id in world.cases.values()]
        references = {case.reference for case in cases}
        late_intakes = {case.reference for case in cases if case.status == "submitted"} & late
    assert late and late_intakes  # the set has late cases, or this would prove nothing
    login(client, app, world.chair)
    listed = set(re.findall(r">(RET-[^<]+)</a>", client.get("/casussen?overdue=1").get_data(as_text=True)))
    assert listed & references == late
    start = client.get("/start").get_data(as_text=True)
    assert f'id="start-intake-overdue">{len(late_intakes)} over tijd<' in start


def test_once_fitting_help_started_the_first_session_is_no_longer_due(ctx, world):
    """A case that reaches monitoring without a RET session: the first session's norm is moot then, so
    it is neither due nor overdue (and nothing else is, without review moments or requests)."""
    case = _case(world, "process_direction")
    assert case.next_due_kind == "first_session"
    case.fitting_help_started_on = dates.today()
    lifecycle.apply(case, _user(world.chair), "start_monitoring")
    assert not [c for c in norms.case_clocks(case) if c.name == "first_session"]
    assert check_all(world)["process_direction"] == (None, None)
    # Paused in monitoring and resumed: still nothing due.
    lifecycle.apply(_case(world, "process_direction"), _user(world.chair), "pause", reason="Gezin vraagt tijd")
    lifecycle.apply(_case(world, "process_direction"), _user(world.chair), "resume")
    assert check_all(world)["process_direction"] == (None, None)
    assert _case(world, "process_direction").status == "monitoring"


# --- the migrations that fill the stored items -----------------------------------------------------------------

from tests.test_migrations import fresh_app, fresh_database_url  # noqa: E402,F401  (fixtures)


class _Rows:
    """Plain rows in the schema of the revision a migration test stands at: a region with a
    municipality, an access team and a caseworker, and cases of that team."""

    def __init__(self, conn):
        import sqlalchemy as sa

        self.conn, self.now = conn, utcnow()
        tables = sa.MetaData()
        tables.reflect(conn)
        self.tables = tables.tables
        self.region = self.add("region", name="Regio Migratie")
        self.municipality = self.add("municipality", region_id=self.region, name="Gemeente Migratie",
                                     cbs_code="GM0999", active=True)
        self.team = self.add("organisation", name="Toegang", kind="access_team", region_id=self.region,
                             municipality_id=self.municipality, collective_member=False, active=True)
        self.worker = self.add("user_account", email="m@test.example", name="Consulent", role="caseworker",
                               organisation_id=self.team, totp_last_counter=0, locale="nl")

    def add(self, table, **values) -> int:
        import sqlalchemy as sa

        values = {"created_at": self.now, "updated_at": self.now, **values}
        values = {key: value for key, value in values.items() if key in self.tables[table].c}
        return self.conn.execute(sa.insert(self.tables[table]).values(**values)).inserted_primary_key[0]

    def case(self, n, status, **values) -> int:
        values = {"consent_collective": False, **values}
        return self.add("ret_case", reference=f"RET-MIG-{n}", region_id=self.region,
                        municipality_id=self.municipality, submitting_organisation_id=self.team,
                        caseworker_id=self.worker, status=status, urgency="regular", youth_first_name="Jeugdige",
                        youth_last_name=f"Migratie{n}", question="Vraag", why_stuck="Wachtlijst",
                        placement_intended=False, consent_ret=True, consent_network=False, version=1, **values)


def _stored_items(ids: dict[str, int]) -> dict[str, tuple]:
    """Each case's stored next due date and kind, read as plain rows."""
    import sqlalchemy as sa

    with db.engine.connect() as conn:
        stored = {name: tuple(conn.execute(sa.text(
            "SELECT next_deadline, next_due_kind FROM ret_case WHERE id = :id"), {"id": case_id}).one())
            for name, case_id in ids.items()}
    day = lambda value: value if value is None or isinstance(value, date) else date.fromisoformat(value)  # noqa: E731
    return {name: (day(deadline), kind) for name, (deadline, kind) in stored.items()}


def test_the_migration_takes_the_first_session_off_cases_in_monitoring(fresh_app):  # noqa: F811
    """0011: a case in monitoring whose stored item was the first session gets the next review moment
    or request reply instead, or nothing; other cases keep theirs."""
    from flask_migrate import upgrade

    with fresh_app.app_context():
        upgrade(revision="0010_commitments")
        with db.engine.begin() as conn:
            rows = _Rows(conn)
            provider = rows.add("organisation", name="Aanbieder", kind="provider", region_id=rows.region,
                                collective_member=True, active=True)
            was_first_session = dict(consent_collective=True, submitted_at=LONG_AGO, intake_at=LONG_AGO,
                                     next_deadline=date(2025, 1, 20), next_due_kind="first_session")
            ids = {"bare": rows.case(1, "monitoring", **was_first_session),
                   "reviewed": rows.case(2, "monitoring", **was_first_session),
                   "asked": rows.case(3, "monitoring", **was_first_session),
                   "directing": rows.case(4, "process_direction", **was_first_session)}
            for name in ("reviewed", "asked"):
                plan = rows.add("plan", case_id=ids[name], changed_since_agreed=True, version=1)
                rows.add("plan_review", plan_id=plan, planned_on=date(2027, 2, 1), planned_by_id=rows.worker,
                         version=1)
                rows.add("plan_review", plan_id=plan, planned_on=date(2027, 1, 4), planned_by_id=rows.worker,
                         held_on=date(2027, 1, 4), version=1)  # held: not due
            request = dict(case_id=ids["asked"], organisation_id=provider, care_type="ambulatory", question="Vraag",
                           requested_at=rows.now, requested_by_id=rows.worker, decline_text="", contact_name="",
                           contact_phone="", withdraw_text="", version=1)
            rows.add("provider_request", role="lead_provider", reply_by=date(2027, 1, 15), status="requested",
                     submission_key="k1", **request)
            rows.add("provider_request", role="co_provider", reply_by=date(2027, 1, 5), status="declined",
                     submission_key="k2", **request)  # answered
        upgrade(revision="0011_first_session_moot")
        stored = _stored_items(ids)
    assert stored == {"bare": (None, None), "reviewed": (date(2027, 2, 1), "review"),
                      "asked": (date(2027, 1, 15), "request_reply"),
                      "directing": (date(2025, 1, 20), "first_session")}


def test_the_migration_fills_the_kind_of_the_cases_that_exist(fresh_app):  # noqa: F811
    """0009_due_kind: every open case gets the date and kind the application would store; the others none."""
    from flask_migrate import upgrade

    with fresh_app.app_context():
        upgrade(revision="0005_case_next_deadline")
        with db.engine.begin() as conn:
            rows = _Rows(conn)
            add, case, worker, now = rows.add, rows.case, rows.worker, rows.now
            add("region_norms", region_id=rows.region, intake_decision=3, first_session=10, first_session_crisis=2,
                screening=20)

            ids = {
                "submitted": case(1, "submitted", submitted_at=LONG_AGO),
                "screening": case(2, "screening", submitted_at=LONG_AGO, intake_at=LONG_AGO),
                "finalised": case(3, "screening", submitted_at=LONG_AGO, intake_at=LONG_AGO),
                "paused": case(4, "paused", status_before_pause="submitted", submitted_at=LONG_AGO),
                "resumed": case(5, "submitted", submitted_at=LONG_AGO),
                "concept": case(6, "concept"),
                "closed": case(7, "closed", submitted_at=LONG_AGO, intake_at=LONG_AGO, closed_at=now),
            }
            add("screening", case_id=ids["finalised"], youth_view="", family_view="", analysis="A", advice="B",
                finalised_at=now, version=1)
            meeting = add("meeting", region_id=rows.region, chair_id=worker, starts_at=now, duration_minutes=60,
                          location="", online_url="", status="closed", created_by_id=worker, revision=0, version=1)
            add("meeting_item", meeting_id=meeting, case_id=ids["finalised"], purpose="progress", position=1,
                notes="", seconds_spent=0, added_by_id=worker, added_at=now, version=1)
            add("case_pause", case_id=ids["paused"], start=date(2025, 1, 7), reason="Tijd", started_by_id=worker)
            add("case_pause", case_id=ids["resumed"], start=date(2025, 1, 7), end=date(2025, 1, 14), reason="Tijd",
                started_by_id=worker)
        upgrade(revision="0009_due_kind")
        stored = _stored_items(ids)
    assert stored["submitted"] == (date(2025, 1, 9), "intake_decision")  # Mon 6 Jan + 3 (the region's norm)
    assert stored["resumed"] == (date(2025, 1, 16), "intake_decision")  # paused Tue 7 to Mon 13: 14, 15, 16
    assert stored["screening"] == (date(2025, 1, 20), "first_session")  # 10 working days before 20
    assert stored["finalised"] == (None, None)  # screening finalised, first session held
    assert stored["paused"] == stored["concept"] == stored["closed"] == (None, None)
