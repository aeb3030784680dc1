"""Faults survived with nothing lost (issue 14), on PostgreSQL:

- The database server stops while the app serves requests (its own throwaway cluster, tests/pg_cluster.py;
  the suite's server is never stopped): a request inside its transaction, the pages, an htmx request and
  a sign-in answer a Dutch 503 page (no traceback, not 500; the page needs no database); when the server
  is back the same app, not restarted, serves the same signed-in session again (pool_pre_ping) and the
  interrupted form, sent again, is stored once.
- A request's database connection is killed (pg_terminate_backend from another connection) just before
  its COMMIT is sent, while saving a decision, a new case, requests to two providers and an escalation:
  503, and no table holds anything of it — no row added, changed or removed anywhere, and the audit trail
  gained only what is kept after a rollback (reads and the failure). The same form sent again is stored,
  once. A service that committed part of its work earlier in the request would leave that part behind.

The app here is not in testing mode, so Flask handles errors as in production. SQLite has neither a
server to stop nor connections to kill: skipped there (make test's PostgreSQL run executes these)."""

from __future__ import annotations

import os
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.pool import NullPool

import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.kernel import dates, uow
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    AuditEvent,
    Case,
    CaseParticipant,
    Decision,
    Escalation,
    MeetingItem,
    ProviderCareType,
    ProviderExpertise,
    ProviderProfile,
    ProviderRequest,
    Screening,
    User,
)
from tests.conftest import Factory, csrf_token, login
from tests.pg_cluster import Cluster, pg_bin
from tests.worlds import World

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="stops a PostgreSQL server and kills PostgreSQL connections; "
                                               "SQLite has neither (make test's PostgreSQL run executes these)"),
    pytest.mark.committing,
]

HTMX = {"HX-Request": "true"}
DUTCH_TITLE = "Tijdelijk niet beschikbaar"
DUTCH_MESSAGE = "RET kan de database op dit moment niet bereiken"
TODAY = dates.today()


def production_like(url: str):
    """The app on `url`, handling errors as in production (not testing mode: no exception reaches the
    client, every error gets its page)."""
    return create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False,
                                          "PROPAGATE_EXCEPTIONS": False})


def assert_unavailable(response, *, fragment: bool = False) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, (response.status_code, body[:800])
    assert response.headers.get("Retry-After") == "30"
    assert DUTCH_TITLE in body and DUTCH_MESSAGE in body
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body
    assert ("<html" in body) is not fragment


# --- the database server stops --------------------------------------------------------------------------

@pytest.fixture
def own_server():
    if pg_bin() is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    cluster = Cluster()
    try:
        cluster.start()
        cluster.create_database("ret")
        yield cluster
    finally:
        cluster.remove()


def test_a_stopped_database_answers_a_dutch_503_and_the_app_recovers_by_itself(own_server):
    from flask_migrate import upgrade

    application = production_like(own_server.url("ret"))
    with application.app_context():
        upgrade()
    try:
        world = World(Factory(application))
        client = application.test_client()
        login(client, application, world.caseworker)
        token = csrf_token(client, "/start")
        form = {"csrf_token": token, "municipality_id": str(world.municipality.id)}

        # A new referral is being saved when the server stops: the request is inside its transaction
        # (its case row is being inserted) while pg_ctl stops the server ("fast": every session ends).
        with application.app_context():
            engine = db.engine
        inside, stopped = threading.Event(), threading.Event()

        def hold(conn, cursor, statement, *args):
            if re.match(r'\s*INSERT INTO "?ret_case"?\s', statement) and not stopped.is_set():
                inside.set()
                stopped.wait(60)

        event.listen(engine, "before_cursor_execute", hold)
        answers = []
        request = threading.Thread(target=lambda: answers.append(client.post("/casussen/nieuw", data=form)))
        try:
            request.start()
            assert inside.wait(60), "the request never reached its insert"
            own_server.stop("fast")
            stopped.set()
            request.join(60)
        finally:
            stopped.set()
            event.remove(engine, "before_cursor_execute", hold)
        [interrupted] = answers
        assert_unavailable(interrupted)

        # While it is down: a page, an htmx request, a sign-in.
        assert_unavailable(client.get("/start"))
        assert_unavailable(client.get("/casussen"))
        assert_unavailable(client.get("/start", headers=HTMX), fragment=True)
        assert client.get("/static/css/app.css").status_code == 200  # the page's own style, without a session
        stranger = application.test_client()
        sign_in = stranger.post("/inloggen", data={"csrf_token": csrf_token(stranger, "/inloggen"),
                                                   "email": world.chair.email, "password": "whatever it is"})
        assert_unavailable(sign_in)
        assert application.test_client().get("/health").status_code == 503

        # Back: the same app and the same session, without a restart or a new sign-in.
        own_server.start()
        assert client.get("/start").status_code == 200
        assert application.test_client().get("/health").status_code == 200
        with application.app_context():
            assert db.session.scalar(select(db.func.count()).select_from(Case)) == 0, "the interrupted case was kept"
            failed = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "request")).all()
            assert failed == [], "nothing could be audited while the database was down"
        again = client.post("/casussen/nieuw", data=form)
        assert again.status_code == 302 and re.search(r"/casussen/\d+/aanmelding$", again.headers["Location"])
        with application.app_context():
            assert db.session.scalar(select(db.func.count()).select_from(Case)) == 1
            db.session.remove()
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


# --- a connection killed just before its commit ----------------------------------------------------------

@pytest.fixture(scope="module")
def served(app):
    """The production-like app on the suite's database, with `kill_before_commit`."""
    application = production_like(app.config["SQLALCHEMY_DATABASE_URI"])
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


class Killer:
    """arm(): the app's next request has its database connection terminated by another connection
    (pg_terminate_backend, waiting until the backend is gone) just before the COMMIT of its unit of
    work is sent — the request's last commit. A part of the work committed earlier in the request (a
    service that commits on its own) would survive it, and the tests look for such leftovers."""

    def __init__(self, application):
        with application.app_context():
            self.engine = db.engine
        self.application = application
        self.other = create_engine(application.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
        self.armed = False
        self.final = False
        self.killed = 0
        application.before_request_funcs.setdefault(None, []).append(self._watch_unit)
        event.listen(self.engine, "commit", self._commit)

    def arm(self) -> None:
        self.armed, self.final = True, False

    def _watch_unit(self):
        if self.armed:
            uow.current().before_commit(self._unit_commits)

    def _unit_commits(self):
        self.final = True  # the unit's own COMMIT is the next one on its connection

    def _commit(self, conn):
        if self.armed and self.final:
            pid = conn.connection.dbapi_connection.info.backend_pid
            with self.other.connect() as killer:
                assert killer.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid}).scalar()
            self.armed = self.final = False
            self.killed += 1

    def close(self):
        self.application.before_request_funcs[None].remove(self._watch_unit)
        event.remove(self.engine, "commit", self._commit)
        self.other.dispose()


@pytest.fixture
def killer(served):
    k = Killer(served)
    yield k
    k.close()


# Rows that any request changes (a session's last-seen time) or that the audit trail writes after a
# rollback (checked on their own below).
NOT_COMPARED = {"web_session", "audit_event", "audit_head", "audit_checkpoint"}
KEPT_AFTER_ROLLBACK = {"read", "search", "export", "print", "request"}


def everything(application) -> dict:
    """Every row of every table (but NOT_COMPARED), in primary-key order."""
    with application.app_context():
        try:
            return {table.name: [tuple(row) for row in db.session.execute(
                        select(table).order_by(*table.primary_key.columns))]
                    for table in db.metadata.sorted_tables if table.name not in NOT_COMPARED}
        finally:
            db.session.remove()


def last_audit_id(application) -> int:
    with application.app_context():
        try:
            return db.session.scalar(select(db.func.max(AuditEvent.id))) or 0
        finally:
            db.session.remove()


def assert_nothing_kept(application, before: dict, audit_before: int) -> None:
    after = everything(application)
    changed = sorted(name for name in before if before[name] != after[name])
    assert not changed, f"the killed request left rows behind in {changed}"
    with application.app_context():
        new = db.session.execute(select(AuditEvent.action, AuditEvent.outcome, AuditEvent.detail)
                                 .where(AuditEvent.id > audit_before)).all()
        db.session.remove()
    assert {action for action, _, _ in new} <= KEPT_AFTER_ROLLBACK, new
    assert ("request", "failed", "server_error=OperationalError") in new, new  # the failure is on record


@pytest.fixture
def w(app, make_world, factory):
    w = make_world(network=True, aliases={"mun": "municipality"})
    case_id = factory.case(w.caseworker, w.mun, status="process_direction", consent_ret=True,
                           consent_collective=True, track="process_direction", process_director_id=w.director.id,
                           submitted_at=utcnow(), intake_at=utcnow())
    from tests.test_escalations import network_case

    w.network_case = network_case(factory, w)
    factory.mandate(w.caseworker.id, w.mun.id, ceiling="50000", care_types=("ambulatory",))
    with app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=w.director.id,
                                       invited_by_id=w.chair.id))
        db.session.add(Screening(case_id=case_id, advice="Advies", analysis="Analyse"))
        for provider in (w.provider, w.other_provider):
            db.session.add(ProviderProfile(organisation_id=provider.id, crisis_available=False,
                                           care_types=[ProviderCareType(care_type="ambulatory")],
                                           expertise=[ProviderExpertise(area="youth_mental_health")]))
        db.session.commit()
    w.case_id = case_id
    w.meeting_id = factory.meeting(w.chair, status="in_progress", cases=(case_id,), present=(w.caseworker,))
    return w


def signed_in(application, user):
    client = application.test_client()
    login(client, application, user)
    return client


def hidden(body: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', body) or \
        re.search(rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', body)
    assert match, f"no {name} in the form"
    return match.group(1)


def killed_then_stored(served, killer, send, count) -> None:
    """`send()` once with the kill armed (503, nothing kept), then again (stored once)."""
    before, audit_before = everything(served), last_audit_id(served)
    killer.arm()
    response = send()
    assert killer.killed == 1, "the request never reached its commit"
    assert_unavailable(response, fragment="<html" not in response.get_data(as_text=True))
    assert_nothing_kept(served, before, audit_before)
    assert count() == 0
    again = send()
    assert again.status_code in (200, 302), again.status_code
    assert count() == 1


def _count(application, stmt) -> int:
    with application.app_context():
        try:
            return len(db.session.scalars(stmt).all())
        finally:
            db.session.remove()


def test_no_half_written_decision(served, killer, w):
    client = signed_in(served, w.chair)
    with served.app_context():
        item_id = db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == w.meeting_id))
        db.session.remove()
    page = client.get(f"/overleggen/{w.meeting_id}/live").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, f"/overleggen/{w.meeting_id}/live"),
            **{f"d{item_id}-{name}": value for name, value in {
                "text": "Dagbehandeling", "kind": "commits_help", "care_type": "ambulatory", "amount_eur": "12.500,00",
                "submission_key": hidden(page, f"d{item_id}-submission_key")}.items()}}

    killed_then_stored(served, killer,
                       lambda: client.post(f"/overleggen/{w.meeting_id}/agenda/{item_id}/besluiten", data=data,
                                           headers=HTMX),
                       lambda: _count(served, select(Decision.id).where(Decision.item_id == item_id)))


def test_no_half_written_case(served, killer, w):
    client = signed_in(served, w.caseworker)
    data = {"csrf_token": csrf_token(client, "/start"), "municipality_id": str(w.mun.id)}
    with served.app_context():
        existing = set(db.session.scalars(select(Case.id)))
        db.session.remove()

    killed_then_stored(served, killer, lambda: client.post("/casussen/nieuw", data=data),
                       lambda: _count(served, select(Case.id).where(Case.id.not_in(existing))))


def test_no_half_written_requests_to_two_providers(served, killer, w):
    from ret_app.commitments import services

    client = signed_in(served, w.director)
    data = {"csrf_token": csrf_token(client, f"/casussen/{w.case_id}/verzoeken"),
            "providers": [str(w.provider.id), str(w.other_provider.id)], "role": "lead_provider",
            "care_type": "ambulatory", "question": "Kunt u de behandeling oppakken?",
            "reply_by": (TODAY + timedelta(days=3)).isoformat(), "submission_key": services.new_submission_key()}

    def both() -> int:
        n = _count(served, select(ProviderRequest.id).where(ProviderRequest.case_id == w.case_id))
        assert n in (0, 2), f"{n} of the two requests were stored"
        return n // 2

    killed_then_stored(served, killer,
                       lambda: client.post(f"/casussen/{w.case_id}/verzoeken", data=data), both)


def test_no_half_written_escalation(served, killer, w):
    from tests.test_escalations import form_data

    client = signed_in(served, w.chair)
    page = client.get(f"/casussen/{w.network_case}/escalatie").get_data(as_text=True)
    with served.app_context():
        data = {**form_data(db.session.get(Case, w.network_case)), "action": "send",
                "submission_key": hidden(page, "submission_key")}
        data["expected_answer_date"] = data["expected_answer_date"].isoformat()
        db.session.remove()
    data["csrf_token"] = csrf_token(client, "/start")

    killed_then_stored(served, killer,
                       lambda: client.post(f"/casussen/{w.network_case}/escalatie", data=data),
                       lambda: _count(served, select(Escalation.id).where(Escalation.case_id == w.network_case)))


def test_the_app_serves_on_after_a_killed_connection(served, killer, w):
    """The pool hands out a new connection: the next request of the same session works (pre-ping)."""
    client = signed_in(served, w.caseworker)
    data = {"csrf_token": csrf_token(client, "/start"), "municipality_id": str(w.mun.id)}
    killer.arm()
    assert client.post("/casussen/nieuw", data=data).status_code == 503
    assert killer.killed == 1
    for _ in range(3):
        assert client.get("/start").status_code == 200
    with served.app_context():
        assert db.session.get(User, w.caseworker.id) is not None
        db.session.remove()
