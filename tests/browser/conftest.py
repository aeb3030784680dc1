"""Browser tests: the session app (same database as the rest of the suite, SQLite or PostgreSQL)
served by Werkzeug in a background thread, driven by Debian's Chromium through Playwright.

Chromium comes from apt (`make test` installs it), never from `playwright install`. Set CHROMIUM to
use another binary. The fixtures have their own names (`chromium_browser`, `new_page`) so that the
pytest-playwright plugin's `browser`/`page` fixtures, which would try to launch Playwright's own
downloaded browser, are never involved.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import TEST_PASSWORD, totp_code

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    # Containers often have a 64 MB /dev/shm, too small for Chromium's shared memory.
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 15_000
# Assertions wait as long as actions do: on a loaded 2-core machine an htmx answer can take more than
# Playwright's default 5 s (an agenda's status message once did during a whole-suite run).
expect.set_options(timeout=TIMEOUT_MS)


def backend_name(app) -> str:
    return "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"


def nl(app, message: str, **variables) -> str:
    """The Dutch text of a message, as the page shows it (Dutch is the default language)."""
    with app.test_request_context(), force_locale("nl"):
        return gettext(message, **variables)


class LiveServer:
    """The session app on a free port, in a background thread, counting the requests in flight.

    Chromium can still be fetching (a favicon, say) when a test ends; those requests write to the
    session table. new_page waits for them before the database is emptied for the next test, so
    the cleanup never races a request (on SQLite that race can end in "database is locked")."""

    def __init__(self, app):
        self._app = app
        self._in_flight = 0
        self._idle = threading.Condition()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def _wsgi(self, environ, start_response):
        with self._idle:
            self._in_flight += 1
        try:
            result = self._app(environ, start_response)
            try:
                yield from result
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:
    """The session app served over HTTP on 127.0.0.1 (same database as the other tests)."""
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium_browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make test does) or set CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(app, chromium_browser, live_server, request) -> Iterator[Callable]:
    """new_page(**context_options) -> a Page in a fresh browser context (own cookies) whose relative
    URLs go to the live server. A failing test leaves a screenshot of each of its pages in
    test-artifacts/."""
    contexts = []

    def _new_page(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("locale", "nl-NL")
        context = chromium_browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, context in enumerate(contexts):
        try:
            if failed:
                ARTIFACTS.mkdir(exist_ok=True)
                for j, page in enumerate(context.pages):
                    page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-{backend_name(app)}-{i}{j}.png"),
                                    full_page=True)
            context.close()
        except Exception as error:  # noqa: BLE001  (a crashed browser: the test's own failure says more)
            print(f"closing browser context: {error!r}")
    assert live_server.wait_idle(), "the live server still has requests in flight 10 s after the test"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def screenshot(page, app, name: str) -> Path:
    """A full-page screenshot test-artifacts/<name>-<sqlite|postgresql>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{backend_name(app)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, app, user, password: str = TEST_PASSWORD,
            before_code: Optional[Callable[[], None]] = None) -> None:
    """Password, then the TOTP code, through the real forms; ends on /start. before_code() runs on
    the verification page before the code is entered."""
    page.goto("/inloggen")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/inloggen/verificatie")
    if before_code is not None:
        before_code()
    page.locator("#code").fill(totp_code(app, user.id))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/start")


# --- accessibility ------------------------------------------------------------------

BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page; every violation (all impacts).

    The app's CSP (script-src 'self') blocks injected <script> tags, so axe is evaluated through
    the DevTools protocol (page.evaluate), which CSP does not govern. It waits for the page's load event
    first: the page's text can be there before its style sheets (once, under load, axe measured a button
    still in the browser's own grey)."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {AXE_JS.read_text(encoding='utf-8')}\n }}")
        assert page.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core did not load"
    result = page.evaluate(
        "async () => { const r = await window.axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,"
        " nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))})); }"
    )
    return result


def check_accessibility(page, app, name: str) -> None:
    """Fail on serious/critical axe violations; all violations are printed and saved as
    test-artifacts/axe-<name>-<backend>.json."""
    violations = axe_violations(page)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}-{backend_name(app)}.json").write_text(json.dumps(violations, indent=2))
    for v in violations:
        print(f"axe {name}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            print(f"    {node['target']}: {node['html'][:200]}")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{name}: serious/critical accessibility violations:\n" + json.dumps(blocking, indent=2)


# --- what a story test leaves to look at ------------------------------------------------------------

def shots_dir() -> Path:
    """Where a story test leaves its screenshots and PDFs: $SHOTS_DIR when run by hand, else test-artifacts/."""
    path = Path(os.environ.get("SHOTS_DIR") or ARTIFACTS)
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_pdf(app, name: str, data: bytes) -> str:
    """Save a downloaded PDF in shots_dir() as NAME-<backend>.pdf, turn its pages into PNGs beside it, and
    return its text (pdftotext -layout) for the test to search."""
    stem = shots_dir() / f"{name}-{backend_name(app)}"
    pdf = stem.with_suffix(".pdf")
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(stem)], check=True)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
