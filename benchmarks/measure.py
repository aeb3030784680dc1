"""Measuring the pages of `make bench`: which pages, as whom; the app served by gunicorn; one client
asking each page in turn (median and p95); a bounded concurrent load (a pool of threads, each a user
with its own session, for a fixed time); the exports that are jobs, timed by calling their work
directly; the workers' memory.

Times are taken at the client, from sending the request to the last byte of the answer, over loopback:
the server's time plus well under a millisecond of the client's own work.
"""

from __future__ import annotations

import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Optional

import pyotp

from benchmarks.national import ROLES

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


@dataclass(frozen=True)
class Target:
    label: str
    role: str  # who asks it (a role of Nation.accounts)
    path: str
    kind: str = "page"  # page | export | floor
    search: str = ""  # a name typed into the case list's search (the path is then found by posting it)
    load: bool = True  # part of the concurrent load's mix


def targets(sample: dict) -> list[Target]:
    """The key pages and exports of issue 14, as the first region's people see them."""
    case, meeting = sample["case"], sample["meeting"]
    found = [
        Target("floor (base layout, one query)", "chair", "/ijkpunt", kind="floor"),
        Target("case list, default", "chair", "/casussen"),
        Target("case list, filtered (status, urgency)", "chair", "/casussen?status=process_direction&urgency=regular"),
        Target("case list, over tijd", "chair", "/casussen?overdue=1"),
        Target("case list, name search", "chair", "/casussen", search=sample["case_family"] or "Testfamilie"),
        # The oldest of the region's twenty years (every status; keyset paging: the list's order reversed).
        Target("case list, last page", "chair", "/casussen?status=all&pagina=laatste"),
        Target("case list, caseworker", "caseworker", "/casussen"),
        Target("case page", "chair", f"/casussen/{case}"),
        Target("intake queue", "chair", "/intake"),
        Target("session list, caseworker", "caseworker", "/overleggen/"),
        Target("capacity overview", "chair", "/collectief/capaciteit"),
        # Read from the stored figures (ret_app/analyst/stored.py): in the load's mix like every other page
        # (before they were stored, at seconds of CPU each, they were measured for one client only).
        Target("analyst aggregates", "analyst", "/cijfers"),
        Target("audit search", "admin", "/beheer/audit"),
        Target("audit search, name matching nothing", "admin", "/beheer/audit?who=Niemand+Nergens"),
        Target("case access log", "privacy_officer", f"/casussen/{case}/toegangslog"),
    ]
    if sample.get("live_meeting"):
        found.append(Target("live session page", "chair", f"/overleggen/{sample['live_meeting']}/live"))
    if sample.get("signal"):
        found.append(Target("signal page", "chair", f"/signalen/{sample['signal']}"))
    found += [Target(f"start page, {role}", role, "/start") for role in ROLES]
    found.append(Target("screening PDF", "chair", f"/casussen/{case}/screening/verslag.pdf", kind="export", load=False))
    if meeting:
        found.append(Target("minutes PDF", "chair", f"/overleggen/{meeting}/notulen.pdf", kind="export", load=False))
    if sample.get("escalation"):
        found.append(Target("escalation dossier PDF", "chair", f"/escalaties/{sample['escalation']}/dossier.pdf",
                            kind="export", load=False))
    return found


# --- clients: over HTTP (requests) or in-process (Flask's test client) -----------------------------------

class HttpClient:
    """One signed-in user over HTTP."""

    def __init__(self, base_url: str, cookies=None) -> None:
        import requests

        self.base_url = base_url
        self.session = requests.Session()
        if cookies is not None:
            self.session.cookies.update(cookies)

    def get(self, path: str) -> tuple[int, bytes, str]:
        response = self.session.get(self.base_url + path, allow_redirects=False, timeout=120)
        return response.status_code, response.content, response.headers.get("Location", "")

    def post(self, path: str, data: dict) -> tuple[int, bytes, str]:
        response = self.session.post(self.base_url + path, data=data, allow_redirects=False, timeout=120)
        return response.status_code, response.content, response.headers.get("Location", "")

    def copy(self) -> "HttpClient":
        return HttpClient(self.base_url, self.session.cookies)


class AppClient:
    """One signed-in user through Flask's test client (the harness's own test)."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()

    def copy(self) -> "AppClient":
        other = AppClient(self.app)
        name = self.app.config["SESSION_COOKIE_NAME"]
        cookie = self.client.get_cookie(name)
        if cookie is not None:
            other.client.set_cookie(name, cookie.value)
        return other

    def get(self, path: str) -> tuple[int, bytes, str]:
        response = self.client.get(path)
        return response.status_code, response.get_data(), response.headers.get("Location", "")

    def post(self, path: str, data: dict) -> tuple[int, bytes, str]:
        response = self.client.post(path, data=data)
        return response.status_code, response.get_data(), response.headers.get("Location", "")


def _local(location: str) -> str:
    """A redirect's path and query (gunicorn answers with absolute addresses)."""
    return re.sub(r"^https?://[^/]+", "", location)


def sign_in(client, email: str, password: str, secret: str):
    """The real sign-in: password, then the TOTP code. Returns the client, signed in."""
    status, body, _ = client.get("/inloggen")
    token = CSRF.search(body.decode()).group(1)
    status, body, location = client.post("/inloggen", {"csrf_token": token, "email": email, "password": password})
    if status != 302 or not location.endswith("/inloggen/verificatie"):
        raise RuntimeError(f"sign-in of {email}: password step answered {status}")
    status, body, location = client.post("/inloggen/verificatie", {"csrf_token": token,
                                                                   "code": pyotp.TOTP(secret).now()})
    if status != 302:
        raise RuntimeError(f"sign-in of {email}: second factor answered {status}")
    return client


def resolve(client, target: Target) -> str:
    """The path to ask: a typed name is posted once (the term is kept in the session, its id in the
    address: the name never goes into a URL); the list's address it sends the user to is measured."""
    if not target.search:
        return target.path
    status, _, location = client.get(f"{target.path}?q={target.search}")
    if status != 302:
        raise RuntimeError(f"{target.label}: the search answered {status}")
    return _local(location)


# --- one client ------------------------------------------------------------------------------------------

@dataclass
class Timing:
    label: str
    kind: str
    seconds: list[float]
    status: int
    size: int = 0
    floor: list[float] = field(default_factory=list)  # the floor page, asked between this page's requests

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        return percentile(self.seconds, 95)

    @property
    def floor_median(self) -> Optional[float]:
        return statistics.median(self.floor) if self.floor else None


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p95 of 20 requests is the 19th fastest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def sequential(clients: dict, found: list[Target], repeat: int, export_repeat: int,
               progress: Callable[[str], None] = print, warm_up: bool = True) -> dict[str, Timing]:
    """Each target asked `repeat` times (exports `export_repeat`) after one warm-up, one request at a time.
    Between a page's requests the floor page is asked as the same user: the page's ratio to the floor
    compares times taken within the same seconds (the machine's load changes during a run)."""
    floor = next((target for target in found if target.kind == "floor"), None)
    timings = {}
    for target in found:
        client = clients[target.role]
        path = resolve(client, target)
        if warm_up:
            client.get(path)  # templates compiled, caches filled
        seconds, floors, status, size = [], [], 0, 0
        for _ in range(export_repeat if target.kind == "export" else repeat):
            began = time.perf_counter()
            status, body, _ = client.get(path)
            seconds.append(time.perf_counter() - began)
            size = len(body)
            if floor is not None and target.kind != "floor":
                began = time.perf_counter()
                client.get(floor.path)
                floors.append(time.perf_counter() - began)
        timing = timings[target.label] = Timing(target.label, target.kind, seconds, status, size, floors)
        progress(f"  {target.label:<44} median {timing.median * 1000:7.1f} ms  p95 {timing.p95 * 1000:7.1f} ms"
                 + (f"  floor {timing.floor_median * 1000:5.1f} ms" if floors else "") + f"  ({status})")
    return timings


# --- the concurrent load ---------------------------------------------------------------------------------

@dataclass
class Load:
    users: int
    seconds: float
    requests: int
    errors: int
    p95: float
    median: float
    per_page: dict[str, float] = field(default_factory=dict)  # label -> p95
    failed: dict[str, int] = field(default_factory=dict)  # label -> answers other than 200
    pause: tuple[float, float] = (0.0, 0.0)  # each user's pause between two pages: from, to (s)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    @property
    def paced(self) -> bool:
        return self.pause[1] > 0

    def describe(self) -> str:
        """Who made the load, in words (the report and the log)."""
        if self.paced:
            return (f"{self.users} users, each pausing {self.pause[0]:g}–{self.pause[1]:g} s between pages "
                    f"(as a person reads a page)")
        return f"{self.users} users without pause (the most the app serves: a queue)"


def load(clients: dict, found: list[Target], users: int, duration: float,
         pause: tuple[float, float] = (0.0, 0.0)) -> Load:
    """`users` threads, each a user of its own (a copy of the role's signed-in session), asking the
    pages of the mix one after another for `duration` seconds: without pause, or with a pause drawn
    between `pause[0]` and `pause[1]` seconds after each answer (locust's `between`: users who read what
    they asked for). Only the requests are timed, not the pauses."""
    mix = [(target, resolve(clients[target.role], target)) for target in found if target.load]
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def user(number: int) -> None:
        own = {role: client.copy() for role, client in clients.items()}
        k = number
        mine = []
        draw = random.Random(number)  # the same pauses in every run
        if pause[1] > 0:  # users do not all start at the same moment
            time.sleep(draw.uniform(0, pause[1]))
        while time.perf_counter() < stop:
            target, path = mix[k % len(mix)]
            k += 7  # users walk the mix from different places
            began = time.perf_counter()
            try:
                status, _, _ = own[target.role].get(path)
            except Exception:  # noqa: BLE001  (a refused connection counts as an error)
                status = 0
            mine.append((target.label, time.perf_counter() - began, status))
            if pause[1] > 0:
                time.sleep(min(draw.uniform(*pause), max(0.0, stop - time.perf_counter())))
        with lock:
            results.extend(mine)

    began = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    times = [seconds for _, seconds, _ in results]
    per_page: dict[str, list[float]] = {}
    for label, seconds, _ in results:
        per_page.setdefault(label, []).append(seconds)
    return Load(users=users, seconds=elapsed, requests=len(results),
                errors=sum(1 for _, _, status in results if status != 200), p95=percentile(times, 95),
                median=statistics.median(times), per_page={label: percentile(v, 95) for label, v in per_page.items()},
                failed=dict(Counter(label for label, _, status in results if status != 200)), pause=pause)


# --- exports that are jobs -------------------------------------------------------------------------------

def signal_report(app, nation, repeat: int, warm_up: bool = True) -> Timing:
    """The signal report (an export job): its work, `signals.report.render`, called directly for last
    year of the first region, as the job runner calls it (in a request context, the chair as actor)."""
    from flask_login import login_user

    from ret_app import audit
    from ret_app.extensions import db
    from ret_app.models import User
    from ret_app.signals import report
    from ret_app.stats.periods import Period, PeriodKind

    today = nation.today
    period = Period(today.replace(year=today.year - 1, month=1, day=1), PeriodKind.YEAR)
    job = SimpleNamespace(params=report.params(nation.regions[0].id, period, "pdf"))
    seconds, size = [], 0
    with app.test_request_context():
        chair = db.session.get(User, nation.regions[0].chair)
        login_user(chair)
        with audit.acting_as(chair):
            for _ in range(repeat + warm_up):
                began = time.perf_counter()
                _name, _mime, data = report.render(job, lambda *args: None)
                seconds.append(time.perf_counter() - began)
                size = len(data)
        db.session.rollback()
    return Timing("signal report PDF (job's work, in-process)", "export", seconds[warm_up:], 200, size)


# --- gunicorn --------------------------------------------------------------------------------------------

def free_port(first: int = 5101, last: int = 5199) -> int:
    for port in range(first, last + 1):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


class Gunicorn:
    """`gunicorn -w WORKERS 'ret_app:create_app()'` on loopback with the development configuration
    (plain http) on the given database; the workers share the secret key set here."""

    def __init__(self, database_url: str, workers: int, port: int) -> None:
        self.port, self.workers = port, workers
        self.base_url = f"http://127.0.0.1:{port}"
        self.env = os.environ | {"RET_ENV": "development", "DATABASE_URL": database_url,
                                 "SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789",
                                 "RET_BASE_URL": self.base_url, "RET_JOBS_IN_PROCESS": "0"}
        self.process: Optional[subprocess.Popen] = None

    def __enter__(self) -> "Gunicorn":
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "300",
             "--log-level", "warning", "ret_app:create_app()"], cwd=ROOT, env=self.env)
        import requests

        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(self.base_url + "/inloggen", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped")
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer")

    def worker_rss(self) -> list[int]:
        """The workers' resident memory in bytes (/proc/<pid>/status, VmRSS)."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            if int(fields.get("PPid", "0")) == self.process.pid and "VmRSS" in fields:
                sizes.append(int(fields["VmRSS"].split()[0]) * 1024)
        return sorted(sizes)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
