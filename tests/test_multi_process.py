"""Several processes on one PostgreSQL, as on several machines (issue 14), with real gunicorn servers on
free loopback ports (stopped at the end of the module, whatever happens):

- Two gunicorn masters (A: 2 workers × 8 threads; B: one worker) with the production configuration
  (RET_ENV=production, the same SECRET_KEY, an https RET_BASE_URL, one trusted proxy: the requests carry
  the load balancer's X-Forwarded-Host/-Proto/-For headers and the Secure session cookie): a session signed in through A is used through B and ended
  through B for A too; failed sign-ins through A lock the account on B; a decision saved through A
  reaches the live session page polling B.
- A worker killed (SIGKILL) in the middle of a request — before its unit of work commits, or after
  that while its audit events are being linked into the hash chain — loses nothing that was committed,
  the master's new worker serves on, and the audit chain verifies (`flask verify-audit`'s check).
- Sixteen clients writing at once (A's 2 workers × 8 threads): every write is stored, every audit event is
  linked into one chain without a fork, and it verifies.

SQLite has one writer and no server to share: skipped there (make test's PostgreSQL run executes these)."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Optional

import pytest
import requests
from sqlalchemy import func, select, update

from ret_app import audit
from ret_app.extensions import db
from ret_app.models import AuditEvent, AuthThrottle, Case, Decision, MeetingItem
from tests.conftest import CSRF_RE, TEST_PASSWORD, totp_code
from tests.pg_cluster import free_port

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="several app processes share one PostgreSQL; SQLite has one "
                                               "writer and no server (make test's PostgreSQL run executes these)"),
    pytest.mark.committing,
]

HOST = "ret.test"
LOAD_BALANCER = {"X-Forwarded-Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.10"}


class Server:
    """A gunicorn master with its workers on a free loopback port."""

    def __init__(self, tmp: Path, name: str, app: str, env: dict, *args: str, headers: Optional[dict] = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"gunicorn-{name}.log"
        self.headers = headers or {}
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "--no-control-socket",
                   "--error-logfile", str(self.log), *args, app]
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn ended ({self.process.returncode}):\n{self.output()}")
            try:
                if requests.get(f"{self.url}/health", headers=self.headers, timeout=10).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not listening yet; a worker still booting
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer /health:\n{self.output()}")

    def workers(self) -> set[int]:
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.add(int(stat.parent.name))
        return children

    def output(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""

class Browser:
    """A client that keeps its cookies itself: the production session cookie is Secure (`__Host-`), which
    a cookie jar would not send over the loopback's plain http, although the load balancer would."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()

    def request(self, method: str, path: str, *, via: Optional[Server] = None, headers=None, **kwargs):
        server = via or self.server
        sent = {**server.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.http.cookies.clear()
        response = self.http.request(method, server.url + path, headers=sent, allow_redirects=False, timeout=60,
                                     **kwargs)
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, token_from: str = "/start", headers=None, **kwargs):
        # Over https (behind the load balancer) Flask-WTF also wants the page the form came from, as a
        # browser sends it (Referrer-Policy: same-origin).
        headers = {"Referer": f"https://{HOST}{token_from}", **(headers or {})}
        return self.request("POST", path, data={"csrf_token": self.token(token_from, via=kwargs.get("via")), **data},
                            headers=headers, **kwargs)

    def token(self, path: str, via: Optional[Server] = None) -> str:
        page = self.get(path, via=via)
        match = CSRF_RE.search(page.text)
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1)

    def password_step(self, email: str, password: str, via: Optional[Server] = None):
        return self.post("/inloggen", {"email": email, "password": password}, token_from="/inloggen", via=via)

    def sign_in(self, app, user, via: Optional[Server] = None) -> None:
        r = self.password_step(user.email, TEST_PASSWORD, via=via)
        assert r.status_code == 302 and r.headers["Location"].endswith("/inloggen/verificatie"), r.status_code
        r = self.post("/inloggen/verificatie", {"code": totp_code(app, user.id)}, token_from="/inloggen", via=via)
        assert r.status_code == 302 and r.headers["Location"].endswith("/start"), r.status_code


def stop(servers: list[Server]) -> None:
    """Quick shutdown of every master at once (no request is running any more); what is left after a
    few seconds is killed."""
    for server in servers:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGQUIT)
    deadline = time.monotonic() + 3
    for server in servers:
        try:
            server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def database_url() -> str:
    return os.environ["TEST_DATABASE_URL"]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two machines, booted side by side, both with the production configuration:
    - `a`: 2 workers × 8 threads, with the hang hook (tests/gunicorn_app.py), preloaded so that a killed
      worker's replacement is forked at once;
    - `b`: `ret_app:create_app()` itself, one worker."""
    tmp = tmp_path_factory.mktemp("servers")
    production = {"RET_ENV": "production", "DATABASE_URL": database_url(), "SECRET_KEY": secrets.token_hex(32),
                  "RET_BASE_URL": f"https://{HOST}", "RET_TRUSTED_PROXIES": "1", "MPLCONFIGDIR": str(tmp / "mpl"),
                  "RET_ATTACHMENT_DIR": str(tmp / "attachments"), "RET_ERASURE_LEDGER": str(tmp / "ledger.jsonl")}
    hang_file = tmp / "hanging.pid"
    started: list[Server] = []
    try:
        started.append(Server(tmp, "a", "tests.gunicorn_app:create()", {**production, "RET_TEST_HANG_FILE": str(hang_file)},
                              "--workers", "2", "--threads", "8", "--worker-class", "gthread", "--preload",
                              headers=LOAD_BALANCER))
        started[0].hang_file = hang_file
        started.append(Server(tmp, "b", "ret_app:create_app()", production, "--workers", "1", headers=LOAD_BALANCER))
        for server in started:
            server.wait_ready()
        yield started
    finally:
        stop(started)


@pytest.fixture
def two_machines(servers):
    return servers


@pytest.fixture
def threaded(servers):
    return servers[0]


def _scalar(app, stmt):
    with app.app_context():
        try:
            return db.session.scalar(stmt)
        finally:
            db.session.remove()


def _cases(app) -> int:
    return _scalar(app, select(func.count()).select_from(Case))


def chain_verifies(app, *, sealed: bool = True) -> int:
    """The audit chain verified from its first event (as `flask verify-audit --full`), no two events
    linked to the same predecessor; with `sealed`, nothing left waiting to be linked. Returns the
    number of events."""
    with app.app_context():
        try:
            report = audit.verify_chain(full=True)
            assert report.ok, (report.reason, report.broken_seq)
            total, linked, predecessors = db.session.execute(select(
                func.count(), func.count(AuditEvent.seq), func.count(AuditEvent.prev_hash.distinct()))).one()
            assert predecessors == linked, "two events are linked to the same predecessor: a fork"
            if sealed:
                assert report.pending == 0 and linked == total, f"{total - linked} events wait to be linked"
            return total
        finally:
            db.session.remove()


def seal(app) -> None:
    """What the next request's end (or `flask seal-audit`) does: link the events waiting for it."""
    with app.app_context():
        audit.seal_pending()
        db.session.remove()


# --- two machines ------------------------------------------------------------------------------------------

def test_a_session_signed_in_through_one_machine_works_through_the_other(app, two_machines, make_world):
    a, b = two_machines
    w = make_world()
    browser = Browser(a)
    browser.sign_in(app, w.caseworker)
    assert "__Host-ret_session" in browser.cookies  # the production cookie
    assert browser.get("/start", via=a).status_code == 200
    page = browser.get("/start", via=b)
    assert page.status_code == 200 and w.caseworker.name in page.text
    created = browser.post("/casussen/nieuw", {"municipality_id": str(w.municipality.id)}, via=b)
    assert created.status_code == 302 and "/aanmelding" in created.headers["Location"]
    assert browser.get(created.headers["Location"].replace(f"https://{HOST}", ""), via=a).status_code == 200
    # Signing out through B ends the session for A too, even for a browser that kept the cookie.
    cookie = browser.cookies["__Host-ret_session"]
    assert browser.post("/uitloggen", {}, via=b).status_code == 302
    browser.cookies["__Host-ret_session"] = cookie
    ended = browser.get("/start", via=a)
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/inloggen")


def test_failed_sign_ins_through_one_machine_lock_the_account_on_the_other(app, two_machines, make_world):
    a, b = two_machines
    w = make_world()
    attacker = Browser(a)
    for attempt in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert attacker.password_step(w.chair.email, f"fout wachtwoord {attempt}").status_code == 200
        # Past the growing delay between attempts (2, 4 s), as the test's clock cannot be moved in a
        # server process: each failure counts towards the lockout.
        with app.app_context():
            db.session.execute(update(AuthThrottle).where(AuthThrottle.locked.is_(False))
                               .values(blocked_until=None))
            db.session.commit()
            db.session.remove()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuthThrottle).where(AuthThrottle.locked)) == 1
        db.session.remove()
    owner = Browser(b)
    refused = owner.password_step(w.chair.email, TEST_PASSWORD)
    assert refused.status_code == 200 and "utrecht-alert" in refused.text  # the right password, refused on B
    assert owner.get("/start").status_code == 302
    with app.app_context():
        details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "login")
                                     .order_by(AuditEvent.id)).all()
        db.session.remove()
    assert details[-1] == "throttled", details


def test_a_change_through_one_machine_reaches_the_live_page_on_the_other(app, two_machines, make_world, factory):
    a, b = two_machines
    w = make_world()
    factory.mandate(w.caseworker.id, w.municipality.id, care_types=("ambulatory",))
    case_id = factory.case(w.caseworker, w.municipality, status="screening")
    meeting_id = factory.meeting(w.chair, status="in_progress", cases=(case_id,), present=(w.caseworker,),
                                 invite=(w.member,))
    item_id = _scalar(app, select(MeetingItem.id).where(MeetingItem.meeting_id == meeting_id))
    live = f"/overleggen/{meeting_id}/live"

    member = Browser(b)
    member.sign_in(app, w.member)
    page = member.get(live)
    assert page.status_code == 200
    revision = re.search(r'id="live-poller" data-revision="(\d+)"', page.text).group(1)
    poll = f"{live}/updates?item={item_id}&rev={revision}"
    assert member.get(poll, headers={"HX-Request": "true"}).status_code == 204  # nothing new yet

    chair = Browser(a)
    chair.sign_in(app, w.chair)
    form = chair.get(live).text
    key = re.search(rf'name="d{item_id}-submission_key"[^>]*value="([^"]+)"', form) or \
        re.search(rf'value="([^"]+)"[^>]*name="d{item_id}-submission_key"', form)
    fields = {"text": "Dagbehandeling bij De Bolder", "kind": "commits_help", "care_type": "ambulatory",
              "amount_eur": "12.500,00", "submission_key": key.group(1)}
    saved = chair.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten",
                       {f"d{item_id}-{k}": v for k, v in fields.items()}, token_from=live,
                       headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert _scalar(app, select(func.count()).select_from(Decision).where(Decision.item_id == item_id)) == 1

    update_ = member.get(poll, headers={"HX-Request": "true"})
    assert update_.status_code == 200 and "Dagbehandeling bij De Bolder" in update_.text
    new_revision = re.search(r'data-revision="(\d+)"', update_.text).group(1)
    assert int(new_revision) > int(revision)


# --- a worker killed mid-request -----------------------------------------------------------------------------

def _hang_and_kill(server: Server, browser: Browser, point: str, data: dict) -> None:
    """Send a new referral that hangs at `point`, SIGKILL its worker there; the client sees the
    connection end."""
    server.hang_file.unlink(missing_ok=True)
    token = browser.token("/start")
    outcome: list = []

    def send():
        try:
            outcome.append(browser.request("POST", "/casussen/nieuw", data={"csrf_token": token, **data},
                                           headers={"X-RET-Test-Hang": point, "Referer": f"https://{HOST}/start"}))
        except requests.ConnectionError as error:
            outcome.append(error)

    thread = threading.Thread(target=send)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.hang_file.exists() or not server.hang_file.read_text():
        assert time.monotonic() < deadline, f"the request never reached {point}:\n{server.output()}"
        time.sleep(0.05)
    pid = int(server.hang_file.read_text())
    assert pid in server.workers()
    os.kill(pid, signal.SIGKILL)
    thread.join(60)
    [result] = outcome
    assert isinstance(result, requests.ConnectionError) or result.status_code >= 500, result


def test_a_worker_killed_mid_request_loses_nothing_committed_and_the_chain_verifies(app, threaded, make_world):
    w = make_world()
    browser = Browser(threaded)
    browser.sign_in(app, w.caseworker)
    data = {"municipality_id": str(w.municipality.id)}
    for _ in range(3):
        assert browser.post("/casussen/nieuw", data).status_code == 302
    assert _cases(app) == 3
    workers = threaded.workers()

    # Killed before its commit: that referral is not there; the three before it are.
    _hang_and_kill(threaded, browser, "unit", data)
    assert _cases(app) == 3
    chain_verifies(app)

    # Killed after its commit, while linking its audit events: the referral is there, its events wait
    # to be linked, and the next request links them.
    _hang_and_kill(threaded, browser, "seal", data)
    assert _cases(app) == 4
    chain_verifies(app, sealed=False)
    assert browser.post("/casussen/nieuw", data).status_code == 302  # a new worker serves the session
    assert _cases(app) == 5
    assert threaded.workers() != workers and len(threaded.workers()) == 2  # the master replaced them
    seal(app)  # in case the last request's own linking step was the one still running
    chain_verifies(app)


# --- sixteen writers at once ---------------------------------------------------------------------------------

WRITERS = 16
WRITES = 4


def test_sixteen_concurrent_writers_make_one_chain_without_a_fork(app, threaded, make_world):
    w = make_world()
    signed_in = []
    for user in (w.caseworker, w.colleague):
        browser = Browser(threaded)
        browser.sign_in(app, user)
        signed_in.append((dict(browser.cookies), browser.token("/start")))
    browsers = []
    for n in range(WRITERS):  # eight clients (tabs) on each of the two sessions
        browser = Browser(threaded)
        browser.cookies, browser.csrf = dict(signed_in[n % 2][0]), signed_in[n % 2][1]
        browsers.append(browser)
    events_before = chain_verifies(app)
    start = threading.Barrier(WRITERS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def write(browser: Browser) -> None:
        try:
            start.wait(30)
            for _ in range(WRITES):
                statuses.append(browser.request("POST", "/casussen/nieuw", data={
                    "csrf_token": browser.csrf, "municipality_id": str(w.municipality.id)},
                    headers={"Referer": f"https://{HOST}/start"}).status_code)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert statuses == [302] * (WRITERS * WRITES)
    assert _cases(app) == WRITERS * WRITES

    total = chain_verifies(app, sealed=False)  # what is linked already is one chain
    seal(app)
    assert chain_verifies(app) == total
    created = _scalar(app, select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "create", AuditEvent.object_type == "case"))
    assert created == WRITERS * WRITES and total - events_before >= created
