"""Benchmark: the case list's "over tijd" filter, the intake queue and the chair's start page on a
large region (default 20,000 cases), per request: time and the number of SQL statements.

    make bench                                   # PostgreSQL (throwaway server), with the audit chain
    BENCH_CASES=5000 make bench
    .venv/bin/python benchmarks/lists.py         # SQLite in a temporary file (no TEST_DATABASE_URL)

Builds one fictional region (generated references and names, no personal data) straight into an
empty database: 12 municipalities with their access teams, the RET (a chair, eight process
directors) and N cases spread over every status, with pauses (running and ended), finalised
screenings and RET sessions that discussed part of them. Then, as the application does it:
- stores every case's next due date and kind (`norms.refresh_region`, what saving the region's
  norms runs), and checks each stored value against the clock module (`norms.case_clocks`);
- signs the chair in through the real pages and requests each page REPEAT times (after one warm-up
  request), printing the median time and the statements one request sends.
What to look for: the statement count does not depend on N (the lists filter, sort and page in SQL
on the stored columns); the times stay in milliseconds. Exits 1 when a page does not answer 200, or
a stored due date disagrees with the clock module. Timings are printed, never asserted (the
machine's load varies).

Figures at 20,000 cases on a shared 2-core machine (time per request, statements per request):

                                 before issue 10 (eddfca5^)    issue 10
                                 SQLite         PostgreSQL     SQLite        PostgreSQL
    case list, over tijd         15.7 s 33,019  18.9 s 33,019  24 ms 15      41 ms 15
    intake queue                 0.9 s   2,059   2.1 s  2,059  31 ms 15      32 ms 15
    intake queue, over tijd      1.2 s   2,059   2.4 s  2,059  29 ms 15      30 ms 15
    region norms saved                                         1.2 s 33      1.4 s 33
(The region norms refresh took 16-21 s and 34,360 statements on SQLite, 40 s on PostgreSQL, where
the stored deadline was introduced; the lists there already read it: 15 statements.)
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyotp  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

import config  # noqa: E402
from ret_app import create_app  # noqa: E402
from ret_app.extensions import db  # noqa: E402
from ret_app.models import (  # noqa: E402
    Case, CasePause, Meeting, MeetingItem, Municipality, Organisation, Region, Screening, User,
)

PASSWORD = "benchmark password, not for use"
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
BATCH = 2_000
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')

PAGES = [
    ("case list, over tijd", "/casussen?overdue=1"),
    ("case list, over tijd, page 10", "/casussen?overdue=1&page=10"),
    ("case list, by next deadline", "/casussen?sort=deadline"),
    ("case list, all", "/casussen"),
    ("intake queue", "/intake"),
    ("intake queue, over tijd", "/intake?overdue=1"),
    ("start page (chair)", "/start"),
]

# Share of each status (the rest of the cases are closed).
STATUSES = [("concept", 0.04), ("submitted", 0.10), ("intake", 0.03), ("screening", 0.15),
            ("process_direction", 0.20), ("monitoring", 0.15), ("paused", 0.05),
            ("returned_with_advice", 0.05), ("closed", 0.23)]
IN_TRACK = {"screening", "process_direction", "monitoring"}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, clock_time(hour), tzinfo=timezone.utc)


def _insert(model, rows: list[dict]) -> None:
    """Insert plain rows (only the columns the model has: the script also runs on older schemas)."""
    columns = set(model.__table__.columns.keys())
    rows = [{key: value for key, value in row.items() if key in columns} for row in rows]
    for first in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[first:first + BATCH])
    db.session.commit()


def _region() -> dict:
    """The region, its municipalities and access teams, the RET and the people who sign in."""
    from ret_app.auth.passwords import hash_password

    region = Region(name="Regio Benchmark")
    db.session.add(region)
    db.session.flush()
    ret = Organisation(name="RET Regio Benchmark", kind="ret", region_id=region.id)
    db.session.add(ret)
    municipalities, teams, caseworkers = [], [], []
    for n in range(12):
        municipality = Municipality(region_id=region.id, name=f"Gemeente {n + 1:02d}", cbs_code=f"GM9{n:03d}")
        db.session.add(municipality)
        db.session.flush()
        team = Organisation(name=f"Toegangsteam {n + 1:02d}", kind="access_team", region_id=region.id,
                            municipality_id=municipality.id)
        db.session.add(team)
        db.session.flush()
        municipalities.append(municipality)
        teams.append(team)
        for k in range(2):
            caseworkers.append(User(email=f"cw{n}-{k}@bench.example", name=f"Consulent {n}-{k}", role="caseworker",
                                    organisation_id=team.id))
    db.session.flush()
    secret = pyotp.random_base32()
    now = datetime.now(timezone.utc)
    chair = User(email="voorzitter@bench.example", name="Voorzitter Benchmark", role="chair",
                 organisation_id=ret.id, password_hash=hash_password(PASSWORD), password_changed_at=now,
                 totp_secret=secret, activated_at=now)
    directors = [User(email=f"lid{n}@bench.example", name=f"RET-lid {n}", role="ret_member", organisation_id=ret.id)
                 for n in range(8)]
    db.session.add_all([chair, *directors, *caseworkers])
    db.session.commit()
    return {"region": region.id, "municipalities": [m.id for m in municipalities],
            "teams": {m.id: t.id for m, t in zip(municipalities, teams)},
            "caseworkers": {t.id: [c.id for c in caseworkers if c.organisation_id == t.id] for t in teams},
            "chair": chair.id, "chair_email": chair.email, "directors": [d.id for d in directors], "secret": secret}


def build_cases(count: int, world: dict, today: date) -> dict:
    """`count` cases over every status, with pauses, screenings and the sessions that discussed them."""
    rng = random.Random(20261204)
    weights = [share for _, share in STATUSES]
    names = [status for status, _ in STATUSES]
    cases, pauses, screenings, held = [], [], [], []
    for n in range(1, count + 1):
        status = rng.choices(names, weights)[0]
        stage = status
        if status == "paused":
            stage = rng.choice(["submitted", "screening", "process_direction", "monitoring"])
        municipality = rng.choice(world["municipalities"])
        team = world["teams"][municipality]
        # The queue waits days to weeks; the cases further on were referred up to two years ago.
        submitted = today - timedelta(days=rng.randint(0, 45) if stage in ("submitted", "intake")
                                      else rng.randint(20, 730))
        row = {"id": n, "reference": f"RET-B-{n:06d}", "region_id": world["region"], "municipality_id": municipality,
               "submitting_organisation_id": team, "caseworker_id": rng.choice(world["caseworkers"][team]),
               "status": status, "status_before_pause": stage if status == "paused" else None,
               "urgency": rng.choices(["regular", "urgent", "crisis"], [0.8, 0.15, 0.05])[0],
               "youth_first_name": "Jeugdige", "youth_last_name": f"Bench{n}", "question": "Welke hulp past?",
               "why_stuck": "Wachtlijst", "consent_ret": True, "consent_collective": True,
               "submitted_at": None if status == "concept" else _at(submitted),
               "intake_at": None, "closed_at": None, "track": None, "process_director_id": None}
        if stage in IN_TRACK or status == "closed":
            row["intake_at"] = _at(submitted + timedelta(days=rng.randint(1, 8)), 14)
            row["track"] = rng.choice(["consultation", "process_direction", "placement_review"])
            row["process_director_id"] = rng.choice(world["directors"])
        if status == "closed":
            row["closed_at"] = _at(min(today, submitted + timedelta(days=rng.randint(60, 300))), 16)
        cases.append(row)
        if status == "paused":
            pauses.append({"case_id": n, "start": today - timedelta(days=rng.randint(0, 20)), "end": None,
                           "reason": "Gezin vraagt tijd", "started_by_id": world["chair"]})
        elif stage in IN_TRACK and rng.random() < 0.1:
            start = submitted + timedelta(days=rng.randint(2, 15))
            pauses.append({"case_id": n, "start": start, "end": start + timedelta(days=rng.randint(1, 15)),
                           "reason": "Gezin vraagt tijd", "started_by_id": world["chair"],
                           "ended_by_id": world["chair"]})
        if stage in ("process_direction", "monitoring") or status == "closed" or (
                stage == "screening" and rng.random() < 0.3):
            screenings.append({"case_id": n, "analysis": "Analyse", "advice": "Advies",
                               "finalised_at": _at(submitted + timedelta(days=20)),
                               "finalised_by_id": world["chair"]})
        if stage in IN_TRACK and rng.random() < 0.7 or status == "closed":
            held.append(n)
    _insert(Case, cases)
    _insert(CasePause, pauses)
    _insert(Screening, screenings)
    # The sessions that discussed the cases (20 cases each), approved.
    meetings, items = [], []
    for number, first in enumerate(range(0, len(held), 20), start=1):
        starts = _at(today - timedelta(days=7 * (number % 100) + 1), 9)
        meetings.append({"id": number, "region_id": world["region"], "chair_id": world["chair"], "starts_at": starts,
                         "status": "approved", "created_by_id": world["chair"], "started_at": starts,
                         "closed_at": starts, "approved_at": starts, "approved_by_id": world["chair"],
                         "location": "Vergaderzaal"})
        items += [{"meeting_id": number, "case_id": case_id, "purpose": "progress", "position": position,
                   "added_by_id": world["chair"]} for position, case_id in enumerate(held[first:first + 20], start=1)]
    _insert(Meeting, meetings)
    _insert(MeetingItem, items)
    if db.engine.dialect.name == "postgresql":  # the ids were given: move the sequences past them
        for table in ("ret_case", "meeting"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        db.session.commit()
    return {status: sum(1 for c in cases if c["status"] == status) for status in names}


def store_due_dates(region_id: int) -> int | None:
    """What saving the region's norms does: every open case's next due date stored again."""
    from ret_app.cases import norms

    if not hasattr(Case, "next_deadline") or not hasattr(norms, "refresh_region"):
        return None  # before the due date was stored: nothing to fill
    count = norms.refresh_region(region_id)
    db.session.commit()
    return count


def check_stored(today: date) -> list[str]:
    """Every case's stored next due date (and kind) is what the clock module computes."""
    from ret_app.cases import norms

    if not hasattr(Case, "next_deadline"):
        return []
    failures = []
    held = set(db.session.scalars(select(MeetingItem.case_id)))
    finalised = set(db.session.scalars(select(Screening.case_id).where(Screening.finalised_at.is_not(None))))
    region_norms = {}
    with_kind = hasattr(Case, "next_due_kind")
    for first in range(0, 10**9, BATCH):
        batch = list(db.session.scalars(select(Case).options(selectinload(Case.pauses)).order_by(Case.id)
                                        .offset(first).limit(BATCH)))
        if not batch:
            break
        for case in batch:
            if case.region_id not in region_norms:
                region_norms[case.region_id] = norms.norms_for(case.region_id)
            clocks = norms.case_clocks(case, today=today, norms=region_norms[case.region_id],
                                       screening_finalised=case.id in finalised, session_held=case.id in held)
            expected = norms.nearest_deadline(clocks)
            if case.next_deadline != expected:
                failures.append(f"{case.reference}: stored {case.next_deadline}, clocks {expected}")
            if with_kind:
                kind = norms.clock_due(clocks)[1] if expected else None
                if case.next_due_kind != kind:
                    failures.append(f"{case.reference}: stored kind {case.next_due_kind}, clocks {kind}")
        db.session.expunge_all()
    return failures[:10]


def sign_in(app, world: dict):
    client = app.test_client()
    token = CSRF.search(client.get("/inloggen").get_data(as_text=True)).group(1)
    response = client.post("/inloggen", data={"csrf_token": token, "email": world["chair_email"],
                                              "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    response = client.post("/inloggen/verificatie", data={"csrf_token": token,
                                                          "code": pyotp.TOTP(world["secret"]).now()})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def measure(client, url: str) -> tuple[int, float, int, str]:
    """(status, median seconds, statements per request, body) of REPEAT requests after a warm-up."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    client.get(url)
    seconds = []
    engine = db.engine
    for _ in range(REPEAT):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            began = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - began)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return response.status_code, statistics.median(seconds), len(statements), response.get_data(as_text=True)


def main() -> int:
    count = int(os.environ.get("BENCH_CASES", "20000"))
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ret-bench-')}/lists.sqlite3"
    app = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    failures = []
    today = date.today()
    with app.app_context():
        db.drop_all()
        db.create_all()
        print(f"List benchmark on {db.engine.dialect.name}, {count:,} cases, median of {REPEAT} requests")
        began = time.perf_counter()
        world = _region()
        statuses = build_cases(count, world, today)
        print(f"{'build the region':<40} {time.perf_counter() - began:8.2f} s   "
              + ", ".join(f"{status} {n}" for status, n in statuses.items()))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        began = time.perf_counter()
        statements: list[str] = []
        listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            stored = store_due_dates(world["region"])
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        if stored is not None:
            print(f"{'store due dates (region norms saved)':<40} {time.perf_counter() - began:8.2f} s "
                  f"{len(statements):8,} statements ({stored:,} open cases)")
        mismatches = check_stored(today)
        failures += mismatches
        overdue_now = db.session.scalar(text(
            "SELECT count(*) FROM ret_case WHERE next_deadline < :today"), {"today": today}) \
            if hasattr(Case, "next_deadline") else None
        if overdue_now is not None:
            print(f"{'cases past their stored due date':<40} {overdue_now:8,}")
        db.session.remove()

        client = sign_in(app, world)
        print(f"{'page':<40} {'time':>10} {'statements':>11}")
        for label, path in PAGES:
            status, seconds, statement_count, body = measure(client, path)
            print(f"{label:<40} {seconds * 1000:8.0f} ms {statement_count:11,}   {path}")
            if status != 200:
                failures.append(f"{path} answered {status}")
            elif path.startswith("/casussen?overdue=1") and 'ret-badge--bad">over tijd<' not in body:
                failures.append(f"{path} shows no overdue case")
        db.session.remove()
        db.drop_all()
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
