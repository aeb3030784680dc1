"""The job runner (ret_app/jobs): the registry and its commands, one run = one unit of work that is
recorded with it (so an interrupted run leaves nothing and runs again, and a schedule point runs
once), the in-process runner of the SQLite demo, and the first real job: the nightly refresh of
consent ages (cases/consent_ages.py). The queue itself, with real workers, is tested on PostgreSQL
in tests/test_jobs_queue.py.

No wall clock: the days and moments are fixed and passed in."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta, timezone

import click
import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

import config
from ret_app import create_app
from ret_app.cases import consent, consent_ages
from ret_app.extensions import db
from ret_app.jobs import inprocess, registry
from ret_app.models import AuditEvent, Case, CaseEvent, Consent, JobRun

DAY = date(2026, 3, 10)  # "today" of these tests
YESTERDAY = DAY - timedelta(days=1)


@pytest.fixture
def job(app):
    """A test job `test-count` that counts its calls (a list of the days it ran for) and changes
    one thing per call."""
    calls: list[date] = []

    def count(today: date) -> int:
        calls.append(today)
        return 1

    registry.register("test-count", count, "0 3 * * *", "Counts its calls")
    yield calls
    registry.unregister("test-count")


# --- the registry ----------------------------------------------------------------------------

def test_a_job_needs_a_plain_name_and_a_cron_schedule():
    with pytest.raises(ValueError, match="lower-case"):
        registry.register("Bad Name", lambda today: 0, "0 3 * * *")
    with pytest.raises(ValueError, match="cron"):
        registry.register("bad-schedule", lambda today: 0, "every night")
    assert "bad-schedule" not in {j.name for j in registry.jobs()}


def test_a_name_is_registered_once(job):
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("test-count", lambda today: 0, "0 3 * * *")


def test_the_consent_age_refresh_is_registered_nightly():
    registered = registry.get(consent_ages.NAME)
    assert registered.fn is consent_ages.refresh
    assert registered.schedule == "30 0 * * *"


def test_a_run_is_recorded_with_its_day_and_count(app, job):
    with app.app_context():
        outcome = registry.run("test-count", DAY)
        assert (outcome.count, outcome.skipped) == (1, False)
        row = db.session.get(JobRun, "test-count")
        assert (row.last_day, row.last_count, row.runs, row.last_period_at) == (DAY, 1, 1, None)
        assert row.finished_at is not None
    assert job == [DAY]


def test_a_schedule_point_runs_once_however_often_it_is_handed_out(app, job):
    """A worker that dies after the commit but before the queue hears of it: the job comes again for
    the same point and does nothing."""
    point = datetime(2026, 3, 10, 0, 30, tzinfo=timezone.utc)
    with app.app_context():
        assert registry.run("test-count", DAY, period_at=point).skipped is False
        again = registry.run("test-count", DAY, period_at=point)
        assert (again.skipped, again.count) == (True, 0)
        assert db.session.get(JobRun, "test-count").runs == 1
        # The next point runs.
        assert registry.run("test-count", DAY + timedelta(days=1), period_at=point + timedelta(days=1)).count == 1
    assert job == [DAY, DAY + timedelta(days=1)]


def test_previous_day_is_the_last_run_s_day_during_the_next_run(app):
    seen = []
    registry.register("test-previous", lambda today: seen.append(registry.previous_day("test-previous")) or 0,
                      "0 3 * * *")
    try:
        with app.app_context():
            registry.run("test-previous", YESTERDAY)
            registry.run("test-previous", DAY)
    finally:
        registry.unregister("test-previous")
    assert seen == [None, YESTERDAY]


def test_a_failing_run_leaves_nothing_and_the_next_run_does_it_once(app, make_world, factory):
    """Interrupted midway (the worker killed, the database gone): its changes, the audit and
    timeline entries and the record of the run are rolled back together; the run again does it all,
    once."""
    world = make_world()
    registry.register("test-flaky", lambda today: 0, "0 3 * * *")
    case_id = factory.case(world.caseworker, world.municipality)
    calls = []

    def half_then_die(today: date) -> int:
        calls.append(today)
        case = db.session.get(Case, case_id)
        case.why_stuck = "changed by the job"
        db.session.flush()
        if len(calls) == 1:
            raise KeyboardInterrupt  # killed midway (not an Exception: nothing may catch it)
        return 1

    registry.unregister("test-flaky")
    registry.register("test-flaky", half_then_die, "0 3 * * *")
    try:
        with app.app_context():
            with pytest.raises(KeyboardInterrupt):
                registry.run("test-flaky", DAY)
            db.session.expire_all()
            assert db.session.get(Case, case_id).why_stuck == "Wachtlijst"
            assert db.session.get(JobRun, "test-flaky") is None
            assert registry.run("test-flaky", DAY).count == 1
            db.session.expire_all()
            assert db.session.get(Case, case_id).why_stuck == "changed by the job"
            assert db.session.get(JobRun, "test-flaky").runs == 1
    finally:
        registry.unregister("test-flaky")


# --- the commands ----------------------------------------------------------------------------

def test_run_job_list_names_every_job_with_its_schedule(app, job):
    result = app.test_cli_runner().invoke(args=["run-job", "--list"])
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line for line in result.output.splitlines()}
    assert set(lines) >= {"consent-ages", "test-count"}
    assert "0 3 * * * (UTC)" in lines["test-count"] and "never run" in lines["test-count"]
    assert "Counts its calls" in lines["test-count"]


def test_run_job_runs_the_named_job_for_the_day_given(app, job):
    result = app.test_cli_runner().invoke(args=["run-job", "test-count", "--today", "2026-03-10"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "test-count: 1 changed"
    assert job == [DAY]
    listed = app.test_cli_runner().invoke(args=["run-job", "--list"]).output
    assert "last run for 2026-03-10: 1 changed" in listed


def test_run_job_refuses_an_unknown_name(app, job):
    result = app.test_cli_runner().invoke(args=["run-job", "no-such-job"])
    assert result.exit_code == 2
    assert "No job named 'no-such-job'" in result.output and "test-count" in result.output
    assert job == []


def test_the_worker_refuses_sqlite(app, factory):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the refusal is for SQLite (on PostgreSQL the worker starts: tests/test_jobs_queue.py)")
    result = app.test_cli_runner().invoke(args=["jobs-worker"])
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output


# --- the consent-age refresh -----------------------------------------------------------------

def _case_with(factory, world, *, birth_date, status="screening", youth_consents=(), parent_consents=(),
               flags_on=YESTERDAY):
    """A case with a mother and a father holding authority; consent per scope by the youth and by
    both parents, the flags computed as the services compute them on an edit the day before."""
    case_id = factory.case(world.caseworker, world.municipality, status=status, birth_date=birth_date,
                           family=(("mother", True), ("father", True)))
    case = db.session.get(Case, case_id)
    for scope in youth_consents:
        case.consents.append(Consent(scope=scope, family_member_id=None, given_by_role="youth",
                                     given_on=YESTERDAY - timedelta(days=30), form="written",
                                     recorded_by_id=world.caseworker.id))
    for scope in parent_consents:
        for member in case.family_members:
            case.consents.append(Consent(scope=scope, family_member_id=member.id, given_by_role="parent",
                                         given_on=YESTERDAY - timedelta(days=30), form="written",
                                         recorded_by_id=world.caseworker.id))
    consent.refresh_flags(case, flags_on)
    db.session.commit()
    return case_id


def _flags(case_id):
    case = db.session.get(Case, case_id)
    db.session.refresh(case)
    return case.consent_ret, case.consent_collective, case.consent_network


def _entries(case_id, kind_prefix="consent_age"):
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                      CaseEvent.kind.startswith(kind_prefix))).all()


def test_a_youth_turning_12_must_consent_too_and_the_flag_follows(app, make_world, factory):
    world = make_world()
    with app.app_context():
        # Turns 12 today; the parents consented for RET and the collective, the youth did not.
        case_id = _case_with(factory, world, birth_date=DAY - relativedelta(years=12),
                             parent_consents=("ret", "collective"))
        case = db.session.get(Case, case_id)
        assert consent.requirement(case, YESTERDAY).youth is False
        assert consent.requirement(case, DAY).youth is True
        assert len(consent.requirement(case, DAY).authority_holders) == 2
        assert _flags(case_id) == (True, True, False)
        registry.run(consent_ages.NAME, YESTERDAY)  # the last run: the youth was 11

        assert registry.run(consent_ages.NAME, DAY).count == 1

        assert _flags(case_id) == (False, False, False)  # the youth's own consent is missing now
        status = consent.scope_status(db.session.get(Case, case_id), "ret", DAY)
        assert status.youth_missing and not status.missing_holders
        [entry] = _entries(case_id)
        assert entry.kind == "consent_age_12" and entry.actor_id is None
        assert entry.summary == "Toestemming voor RET staat niet meer; Toestemming voor Collectief staat niet meer"
        [audit] = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                              AuditEvent.detail.like("consent_age=%"))).all()
        assert audit.detail == "consent_age=12;consent_ret=yes->no;consent_collective=yes->no"
        assert (audit.action, audit.object_type, audit.user_id) == ("update", "case", None)


def test_a_youth_turning_16_consents_alone_and_the_flag_follows(app, make_world, factory):
    world = make_world()
    with app.app_context():
        # Turns 16 today; the youth consented for RET and the network, the parents for nothing.
        case_id = _case_with(factory, world, birth_date=DAY - relativedelta(years=16),
                             youth_consents=("ret", "network"))
        case = db.session.get(Case, case_id)
        assert len(consent.requirement(case, YESTERDAY).authority_holders) == 2
        assert consent.requirement(case, DAY).authority_holders == ()
        assert _flags(case_id) == (False, False, False)
        registry.run(consent_ages.NAME, YESTERDAY)

        assert registry.run(consent_ages.NAME, DAY).count == 1

        assert _flags(case_id) == (True, False, True)
        [entry] = _entries(case_id)
        assert entry.kind == "consent_age_16"
        assert entry.summary == ("Toestemming voor RET staat; "
                                 "Toestemming voor Bovenregionaal netwerk staat")


def test_running_the_refresh_again_changes_nothing_more(app, make_world, factory):
    world = make_world()
    with app.app_context():
        case_id = _case_with(factory, world, birth_date=DAY - relativedelta(years=12), parent_consents=("ret",))
        registry.run(consent_ages.NAME, YESTERDAY)
        assert registry.run(consent_ages.NAME, DAY).count == 1
        audits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id))

        assert registry.run(consent_ages.NAME, DAY).count == 0  # by hand, the same day
        assert registry.run(consent_ages.NAME, DAY + timedelta(days=1)).count == 0  # the next night

        assert _flags(case_id) == (False, False, False)
        assert len(_entries(case_id)) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.case_id == case_id)) == audits


def test_only_open_cases_whose_youth_crossed_since_the_last_run_are_read(app, make_world, factory):
    """Selected in SQL by birth date: a youth who turned 12 before the last run, one who is not 12
    yet, one who turned 12 in a closed case: their (deliberately stale) flags are left alone."""
    world = make_world()
    with app.app_context():
        earlier = _case_with(factory, world, birth_date=DAY - relativedelta(years=12) - timedelta(days=3),
                             parent_consents=("ret",))
        younger = _case_with(factory, world, birth_date=DAY - relativedelta(years=12) + timedelta(days=1),
                             parent_consents=("ret",))
        closed = _case_with(factory, world, birth_date=DAY - relativedelta(years=12), status="closed",
                            parent_consents=("ret",))
        crossing = _case_with(factory, world, birth_date=DAY - relativedelta(years=12) - timedelta(days=1),
                              parent_consents=("ret",), flags_on=DAY - timedelta(days=2))
        registry.run(consent_ages.NAME, DAY - timedelta(days=2))  # the last run, two nights ago
        for case_id in (earlier, closed):  # stale on purpose: as if computed before the birthday
            db.session.get(Case, case_id).consent_ret = True
        db.session.commit()

        assert registry.run(consent_ages.NAME, DAY).count == 1  # turned 12 yesterday: caught up

        assert _flags(crossing)[0] is False
        assert _flags(earlier)[0] is True and _flags(closed)[0] is True  # not read
        assert _flags(younger)[0] is True  # still 11: the parents' consent counts
        assert [len(_entries(c)) for c in (earlier, younger, closed, crossing)] == [0, 0, 0, 1]


@pytest.mark.parametrize("age", [12, 16])
def test_the_birth_date_window_agrees_with_the_age_rule_on_every_day(age):
    """born_to_turn (the SQL bounds) against consent.age_on, for every birth date around the
    threshold and windows of one night, three nights and a leap day."""
    windows = [(date(2028, 2, 28), date(2028, 2, 29)), (date(2028, 2, 29), date(2028, 3, 1)),
               (date(2027, 2, 27), date(2027, 3, 2)), (date(2026, 12, 31), date(2027, 1, 1))]
    for since, today in windows:
        after, latest = consent_ages.born_to_turn(age, since, today)
        start = today - relativedelta(years=age) - timedelta(days=10)
        for offset in range(20):
            born = start + timedelta(days=offset)
            crossed = consent.age_on(born, since) < age <= consent.age_on(born, today)
            assert (after < born <= latest) == crossed, (age, since, today, born)


def test_the_refresh_logs_no_personal_data(app, make_world, factory, caplog):
    world = make_world()
    with app.app_context():
        case_id = _case_with(factory, world, birth_date=DAY - relativedelta(years=12), parent_consents=("ret",))
        case = db.session.get(Case, case_id)
        case.youth_first_name, case.youth_last_name = "Zoë", "Vandermolen"
        db.session.commit()
        registry.run(consent_ages.NAME, YESTERDAY)
        with caplog.at_level(logging.DEBUG):
            registry.run(consent_ages.NAME, DAY)
        reference = case.reference
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "consent-ages: 1 changed" in logged
    for personal in ("Zoë", "Vandermolen", reference, str(DAY - relativedelta(years=12))):
        assert personal not in logged


# --- the in-process runner of the SQLite demo -------------------------------------------------

def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


def _only(outcomes):
    return [o.name for o in outcomes if o.name.startswith("test-")]


def test_a_due_job_runs_once_per_schedule_point(app, job):
    with app.app_context():
        for other in registry.jobs():  # the application's own jobs: done for this period
            if other.name != "test-count":
                db.session.merge(JobRun(name=other.name, last_period_at=_at(DAY + timedelta(days=5), 0),
                                        last_count=0, runs=1))
        db.session.commit()
        assert _only(inprocess.run_due(_at(DAY, 2))) == ["test-count"]  # never ran: due at once
        assert job == [DAY - timedelta(days=1)]  # for the latest point: yesterday 03:00 UTC
        assert _only(inprocess.run_due(_at(DAY, 2, 30))) == []
        assert _only(inprocess.run_due(_at(DAY, 3))) == ["test-count"]  # today's point
        assert _only(inprocess.run_due(_at(DAY, 3))) == []
        assert _only(inprocess.run_due(_at(DAY, 23, 59))) == []
        # Two nights missed (the laptop was closed): one run catches up.
        assert _only(inprocess.run_due(_at(DAY + timedelta(days=3), 9))) == ["test-count"]
        assert _only(inprocess.run_due(_at(DAY + timedelta(days=3), 10))) == []
    assert job == [DAY - timedelta(days=1), DAY, DAY + timedelta(days=3)]


@pytest.mark.committing
def test_the_runner_thread_runs_a_due_job_once(app, job):
    """The background thread of `make run`: ticking again and again, it runs the due job once."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the in-process runner is for the SQLite demo (on PostgreSQL: the queue's workers)")
    with app.app_context():
        for other in registry.jobs():
            if other.name != "test-count":
                db.session.merge(JobRun(name=other.name, last_period_at=datetime(2999, 1, 1, tzinfo=timezone.utc),
                                        last_count=0, runs=1))
        db.session.commit()
    runner = inprocess.Runner(app, interval=0.01, start_delay=0)
    ticked = threading.Event()
    original = runner.tick

    def tick():
        original()
        if runner.ticks >= 5:
            ticked.set()

    runner.tick = tick  # type: ignore[method-assign]
    runner.start()
    try:
        assert ticked.wait(timeout=60), "the runner did not tick"
    finally:
        runner.stop()
        runner.join(timeout=60)
    assert not runner.is_alive()
    assert len(job) == 1
    with app.app_context():
        assert db.session.get(JobRun, "test-count").runs == 1


def test_the_runner_is_off_in_the_tests_and_for_other_commands(app):
    assert app.config["JOBS_IN_PROCESS"] is False
    assert "ret_jobs_in_process" not in app.extensions
    other = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://", "JOBS_IN_PROCESS": True})
    assert "ret_jobs_in_process" not in other.extensions  # not serving `flask run`
    with click.Context(click.Command("seed-demo"), info_name="seed-demo"):
        assert inprocess._serving_flask_run() is False


def test_the_runner_starts_only_for_flask_run_and_in_the_reloader_s_child(monkeypatch):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with click.Context(click.Command("run"), info_name="run") as context:
        assert inprocess._serving_flask_run() is True
        context.params["reload"] = True  # the watching parent
        assert inprocess._serving_flask_run() is False
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")  # the reloader's child serves
        assert inprocess._serving_flask_run() is True


def test_production_refuses_the_in_process_runner(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://ret@db/ret")
    monkeypatch.setenv("RET_BASE_URL", "https://ret.example.nl")
    monkeypatch.setenv("RET_JOBS_IN_PROCESS", "1")
    with pytest.raises(RuntimeError, match="flask jobs-worker"):
        config.ProductionConfig.check()


def test_the_case_history_shows_the_refresh_as_done_by_ret(app, make_world, factory, client):
    from tests.conftest import login

    world = make_world()
    with app.app_context():
        case_id = _case_with(factory, world, birth_date=DAY - relativedelta(years=12), parent_consents=("ret",))
        registry.run(consent_ages.NAME, YESTERDAY)
        registry.run(consent_ages.NAME, DAY)
    login(client, app, world.caseworker)
    page = " ".join(client.get(f"/casussen/{case_id}").get_data(as_text=True).split())
    assert "RET (automatisch): De jeugdige is 12 geworden: ook de toestemming van de jeugdige telt nu" in page
    assert "Toestemming voor RET staat niet meer" in page
