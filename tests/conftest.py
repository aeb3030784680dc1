"""Shared fixtures: one app per test session on the database named by TEST_DATABASE_URL
(SQLite file by default; the Makefile runs the suite again on a throwaway PostgreSQL), the schema
built by the real migrations.

Each test runs inside one database transaction that is rolled back at its end: every session of
the test (the factories', the requests', the test's own) is bound to one connection and turns its
commits into savepoints of that transaction. Tests that need real commits — another connection or
thread must see the data (browser tests against the live server, "another worker" races) — are
marked `committing`; they commit for real and every table is emptied afterwards."""

from __future__ import annotations

import itertools
import os
import re
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Optional
from urllib.parse import urlsplit

import pyotp
import time_machine
import pytest
from sqlalchemy import delete, insert, text

import config
from ret_app import create_app
from ret_app.caretypes.services import default_catalogue
from ret_app.outcomes.taxonomy import default_taxonomy
from ret_app.extensions import db
from ret_app.models import AuditHead, Mandate, Municipality, Network, Organisation, Region, User
from ret_app.kernel.dates import utcnow

# The tests say "today" with date.today(); the application's today is the Netherlands' (kernel.dates).
# From 23:00 (22:00 in summer) to midnight UTC the two are a day apart, so the test process keeps the
# Netherlands' time: a test never depends on the hour it runs at. (Stored moments stay UTC-aware.)
os.environ["TZ"] = "Europe/Amsterdam"
time.tzset()

# A test module may take "today" once at import (TODAY = date.today()), and the application asks for
# today at every request. A run that crosses midnight would see two different days. So when the suite
# starts late in the evening its clock is set back a few hours and then runs on normally: every test
# sees one calendar day, as it would at any other hour. (RET_TEST_SHIFT_HOURS forces the shift, to
# try the suite the way it runs late at night.)
_LATE_EVENING_HOUR = 20
_SHIFT_HOURS = int(os.environ.get("RET_TEST_SHIFT_HOURS") or 0)
if not _SHIFT_HOURS and datetime.now().hour >= _LATE_EVENING_HOUR:
    _SHIFT_HOURS = 4
if _SHIFT_HOURS:
    time_machine.travel(datetime.now().astimezone() - timedelta(hours=_SHIFT_HOURS), tick=True).start()

TEST_PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_schema(url: str) -> None:
    if url.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    url = database_url(tmp_path_factory)
    application = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with application.app_context():
        _reset_schema(url)
        upgrade()
    yield application


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
    # The browser tests (tests/browser) test what Chromium does with the pages: htmx, focus, keyboard,
    # axe, what a person sees. They run once, in the SQLite run (the database of `make run`'s demo);
    # every request they make is also tested over HTTP on both databases. Both runs of `make test` go
    # side by side on two cores, so running them twice cost the whole suite about 7 minutes.
    # BROWSER_TESTS_ON_POSTGRES=1 runs them on PostgreSQL too.
    browsers_here = not on_postgres or os.environ.get("BROWSER_TESTS_ON_POSTGRES") == "1"
    deselected = []
    for item in items:
        if item.get_closest_marker("browser"):
            if not browsers_here:
                deselected.append(item)
                continue
            item.add_marker(pytest.mark.committing)  # the live server works on its own connections
        if item.get_closest_marker("postgres_only") and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="measures PostgreSQL (make test runs it there)"))
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in set(deselected)]


def _empty_tables(app) -> None:
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.execute(insert(AuditHead).values(id=1, seq=0, hash="0" * 64))
        db.session.commit()
        db.session.remove()


class Transaction:
    """One connection whose transaction is rolled back at the end, with every session of the tests
    bound to it: a session's commit releases a savepoint of that transaction (SQLAlchemy's "joining a
    session into an external transaction"). One session per app context, as in the application.

    It spans a test module, so that module-scoped fixtures (data built once for many tests, users
    signed in once per role) live in it too; each test adds a savepoint that is rolled back after it."""

    def __init__(self, app):
        self.app = app
        self.connection = None
        self._outer = None
        self._sessions = None

    @property
    def active(self) -> bool:
        return self.connection is not None

    def begin(self) -> None:
        from flask_sqlalchemy.session import _app_ctx_id
        from sqlalchemy.orm import scoped_session, sessionmaker

        def scope():
            try:
                return _app_ctx_id()
            except RuntimeError:  # outside an app context: the harness's own cleanup
                return None

        with self.app.app_context():
            engine = db.engine
        self.connection = engine.connect()
        self._outer = self.connection.begin()
        self._sessions = db.session
        db.session = scoped_session(sessionmaker(bind=self.connection, join_transaction_mode="create_savepoint"),
                                    scopefunc=scope)

    def end(self) -> None:
        db.session.remove()
        db.session = self._sessions
        self._outer.rollback()
        self.connection.close()
        self.connection = self._outer = self._sessions = None

    @contextmanager
    def savepoint(self):
        nested = self.connection.begin_nested()
        try:
            yield
        finally:
            db.session.remove()
            if nested.is_active:
                nested.rollback()


@pytest.fixture(scope="module", autouse=True)
def _module_transaction(app):
    transaction = Transaction(app)
    transaction.begin()
    yield transaction
    if transaction.active:
        transaction.end()


@pytest.fixture(autouse=True)
def _database(app, request, _module_transaction):
    transaction = _module_transaction
    if request.node.get_closest_marker("committing"):
        # Real commits, other connections: outside the module's transaction (a module with such
        # tests builds no module-scoped data), every table emptied afterwards.
        if transaction.active:
            transaction.end()
        try:
            yield
        finally:
            _empty_tables(app)
            transaction.begin()
        return
    with transaction.savepoint():
        yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Whether the test itself passed (count_queries checks its marker only then)."""
    report = yield
    if report.when == "call":
        item.counting_call_passed = report.passed
    return report


# What the transaction harness adds around each session's work, not what the code under test asks.
_HARNESS_STATEMENT = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


@contextmanager
def statement_recorder(app):
    """`with statement_recorder(app) as statements:` the SQL statements sent to the app's database while
    the block runs (the harness's savepoints left out). The one recorder of the suite: count_queries and
    the walk of every page (tests/test_query_counts_walk.py) both count with it."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not _HARNESS_STATEMENT.match(statement):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def count_queries(app, request):
    """`with count_queries() as statements:` collects the SQL statements the block sends to the
    database (the harness's savepoints left out), for tests that a page's query count does not
    grow with its rows.

    A test marked `@pytest.mark.counts_queries("endpoint", ...)` says which pages it holds to a
    constant count (every GET route is held to one by the walk, tests/test_query_counts_walk.py; the
    marked tests add what the walk does not: filters, paging, many rows of one kind); it fails unless
    each of them was requested inside a counting block."""
    from flask import request as flask_request, request_finished

    counted: set[str] = set()

    def requested(sender, response, **extra):
        counted.add(flask_request.endpoint)

    @contextmanager
    def counting():
        with statement_recorder(app) as statements:
            request_finished.connect(requested, app)
            try:
                yield statements
            finally:
                request_finished.disconnect(requested, app)

    yield counting
    marker = request.node.get_closest_marker("counts_queries")
    if marker is not None and getattr(request.node, "counting_call_passed", False):
        missing = set(marker.args) - counted
        assert not missing, f"marked as counting {sorted(missing)}, but no such page was requested while counting"


@pytest.fixture
def ctx(app):
    """An application context for calling services and models directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories ----------------------------------------------------------------------

class Factory:
    """Builds reference data and users; every call commits so HTTP requests see it."""

    _numbers = itertools.count(1)  # one sequence for the whole run: names stay unique across modules

    def __init__(self, app):
        self.app = app
        self._n = 0

    def _next(self) -> int:
        self._n = next(Factory._numbers)
        return self._n

    def network(self, short_name: str = "BOEG") -> Network:
        with self.app.app_context():
            net = Network(name=f"Netwerk {short_name} {self._next()}", short_name=f"{short_name}-{self._n}")
            db.session.add(net)
            db.session.commit()
            return self._detach(net)

    def region(self, name: Optional[str] = None, network_id: Optional[int] = None) -> Region:
        with self.app.app_context():
            region = Region(name=name or f"Regio {self._next()}", network_id=network_id)
            db.session.add(region)
            db.session.flush()
            db.session.add_all(default_catalogue(region.id))  # as every new region gets it
            db.session.add_all(default_taxonomy(region.id))  # and its gap taxonomy
            db.session.commit()
            return self._detach(region)

    def municipality(self, region_id: int, name: Optional[str] = None) -> Municipality:
        with self.app.app_context():
            n = self._next()
            m = Municipality(region_id=region_id, name=name or f"Gemeente {n}", cbs_code=f"GM{5000 + n % 5000:04d}")
            db.session.add(m)
            db.session.commit()
            return self._detach(m)

    def organisation(self, kind: str = "ret", region_id: Optional[int] = None, municipality_id: Optional[int] = None,
                     network_id: Optional[int] = None, collective_member: bool = False,
                     name: Optional[str] = None) -> Organisation:
        with self.app.app_context():
            org = Organisation(name=name or f"Organisatie {kind} {self._next()}", kind=kind, region_id=region_id,
                               municipality_id=municipality_id, network_id=network_id,
                               collective_member=collective_member)
            db.session.add(org)
            db.session.commit()
            return self._detach(org)

    _hashes: dict[str, str] = {}  # one Argon2 hash per password for the whole run: hashing is slow on purpose

    def new_user(self, role: str, organisation_id: int, *, email: Optional[str] = None, name: Optional[str] = None,
                 activated: bool = True, password: str = TEST_PASSWORD) -> User:
        """A user ready to add to a session (activated: a password and an authenticator)."""
        from ret_app.auth.passwords import hash_password

        if activated and password not in Factory._hashes:
            with self.app.app_context():
                Factory._hashes[password] = hash_password(password)
        n = self._next()
        return User(
            email=email or f"gebruiker{n}@test.example",
            name=name or f"Testgebruiker {n}",
            role=role,
            organisation_id=organisation_id,
            password_hash=Factory._hashes[password] if activated else None,
            password_changed_at=utcnow() if activated else None,
            totp_secret=pyotp.random_base32() if activated else None,
            activated_at=utcnow() if activated else None,
        )

    @staticmethod
    def default_kind(role: str) -> str:
        return _default_kind(role)

    def user(self, role: str = "chair", organisation_id: Optional[int] = None, *, email: Optional[str] = None,
             name: Optional[str] = None, activated: bool = True, password: str = TEST_PASSWORD) -> User:
        if organisation_id is None:
            organisation_id = self.organisation(kind=_default_kind(role)).id
        with self.app.app_context():
            user = self.new_user(role, organisation_id, email=email, name=name, activated=activated,
                                 password=password)
            db.session.add(user)
            db.session.commit()
            return self._detach(user)

    def mandate(self, holder_id: int, municipality_id: int, *, valid_from: Optional[date] = None,
                valid_until: Optional[date] = None, ceiling: str = "50000", care_types=("ambulatory",),
                revoked: bool = False) -> Mandate:
        with self.app.app_context():
            m = Mandate(holder_id=holder_id, municipality_id=municipality_id,
                        valid_from=valid_from or date.today() - timedelta(days=10),
                        valid_until=valid_until or date.today() + timedelta(days=300),
                        ceiling_eur=Decimal(ceiling), care_types=list(care_types),
                        granted_by="College van B&W", document_reference="MB-TEST-1",
                        revoked_at=utcnow() if revoked else None)
            db.session.add(m)
            db.session.commit()
            return self._detach(m)

    def case(self, caseworker: User, municipality: Municipality, *, status: str = "concept",
             birth_date: Optional[date] = None, family: tuple = (), complete: bool = True, **fields) -> int:
        """A case referred by `caseworker` for a youth of `municipality`; returns its id.
        `family` holds (relation, parental_authority) pairs."""
        from ret_app.cases import norms
        from ret_app.models import Case, FamilyMember
        from ret_app.referrals.services import next_reference

        with self.app.app_context():
            n = self._next()
            case = Case(
                reference=next_reference(date.today().year), region_id=municipality.region_id,
                municipality_id=municipality.id, submitting_organisation_id=caseworker.organisation_id,
                caseworker_id=caseworker.id, status=status,
                youth_first_name="Jeugdige" if complete else "", youth_last_name=f"Test{n}" if complete else "",
                youth_birth_date=birth_date or (date.today() - timedelta(days=365 * 14 + 30)),
                question="Welke hulp past?" if complete else "", why_stuck="Wachtlijst" if complete else "",
                **fields)
            for relation, authority in family:
                case.family_members.append(FamilyMember(relation=relation, parental_authority=authority))
            db.session.add(case)
            db.session.flush()
            norms.refresh_deadline(case)  # as the services store it when something changes
            db.session.commit()
            return case.id

    def meeting(self, chair: User, *, starts_at: Optional[datetime] = None, status: str = "planned",
                cases: tuple = (), purpose: str = "progress", present: tuple = (), invite: tuple = ()) -> int:
        """A RET session of the chair's region; returns its id. `cases` (ids) go on the agenda with
        `purpose`; `present` (users) are checked in; `invite` (users) are invited (the chair always is)."""
        from ret_app.models import Meeting, MeetingAttendance, MeetingInvitation, MeetingItem, Organisation

        with self.app.app_context():
            region_id = db.session.get(Organisation, chair.organisation_id).region_id
            meeting = Meeting(region_id=region_id, chair_id=chair.id, created_by_id=chair.id, status=status,
                              starts_at=starts_at or utcnow(), location="Vergaderzaal 2")
            if status in ("in_progress", "closed", "approved"):
                meeting.started_at = meeting.starts_at
            for position, case_id in enumerate(cases, start=1):
                meeting.items.append(MeetingItem(case_id=case_id, purpose=purpose, position=position,
                                                 added_by_id=chair.id))
            invited = {chair.id} | {u.id for u in invite} | {u.id for u in present}
            for user_id in sorted(invited):
                meeting.invitations.append(MeetingInvitation(user_id=user_id))
            for user in present:
                meeting.attendances.append(MeetingAttendance(user_id=user.id, present=True, recorded_by_id=chair.id))
            db.session.add(meeting)
            db.session.flush()
            if status != "planned":  # a session that started stops the cases' first-session clocks
                from ret_app.cases import norms
                from ret_app.models import Case

                for case_id in cases:
                    norms.refresh_deadline(db.session.get(Case, case_id))
            db.session.commit()
            return meeting.id

    @staticmethod
    def _detach(obj):
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj


def _default_kind(role: str) -> str:
    return {
        "chair": "ret", "ret_member": "ret", "caseworker": "access_team", "provider_member": "provider",
        "network_liaison": "network", "analyst": "management", "privacy_officer": "management",
        "admin": "management",
    }[role]


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


@pytest.fixture
def make_world(factory):
    """make_world(names=..., aliases=..., network=..., without=...) -> a World (tests/worlds.py): the
    region most tests play in."""
    from tests.worlds import World

    return lambda **kwargs: World(factory, **kwargs)


# --- HTTP helpers --------------------------------------------------------------------

def csrf_token(client, path: str = "/inloggen") -> str:
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1)


def totp_code(app, user_id: int) -> str:
    """A fresh code for the user, after forgetting the last used time step (tests sign in
    many times within one 30-second window)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        user.totp_last_counter = 0
        db.session.commit()
        return pyotp.TOTP(user.totp_secret).now()


def login(client, app, user: User, password: str = TEST_PASSWORD) -> None:
    """The whole sign-in: password, then TOTP. Fails the test if it does not end signed in."""
    token = csrf_token(client, "/inloggen")
    r = client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": password})
    assert r.status_code == 302 and r.headers["Location"].endswith("/inloggen/verificatie"), r.status_code
    r = client.post("/inloggen/verificatie", data={"csrf_token": token, "code": totp_code(app, user.id)})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]


@pytest.fixture
def login_as(client, app, factory):
    """login_as("admin") -> a signed-in user of that role (client is signed in)."""

    def _login(role: str, **kwargs) -> User:
        user = factory.user(role, **kwargs)
        login(client, app, user)
        return user

    return _login


def path_of(response) -> str:
    """The path a redirect response points to."""
    return urlsplit(response.headers.get("Location", "")).path


def signed_in(client) -> bool:
    """Whether the client's session is signed in (the start page answers instead of a redirect)."""
    r = client.get("/start")
    if r.status_code == 200:
        return True
    assert r.status_code == 302 and path_of(r) == "/inloggen", r.status_code
    return False


@contextmanager
def own_database(application):
    """Tables for an extra app instance (a test that needs other configuration), dropped with it."""
    with application.app_context():
        db.create_all()
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def post_form(client, path: str, data: dict, token_from: Optional[str] = None, **kwargs):
    token = csrf_token(client, token_from or "/start")
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def pytest_sessionstart(session):
    """Compile the translation catalogues (.po -> .mo) when missing or older than the .po, before any
    app is created (Flask-Babel caches a missing catalogue for the whole process): plain `pytest`
    then works without `make`."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "ret_app" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src:
                catalog = read_po(src)
            with mo.open("wb") as out:
                write_mo(out, catalog)
