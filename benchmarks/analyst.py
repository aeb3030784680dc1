"""Benchmark: the analyst's two pages (the aggregates page /cijfers and the start page) at the national
density of one region, where the time goes (SQL against Python), and the statements per request.

    scripts/with-postgres.sh .venv/bin/python benchmarks/analyst.py
    BENCH_REGIONS=2 BENCH_CASES=9524 BENCH_PROFILE=1 scripts/with-postgres.sh .venv/bin/python benchmarks/analyst.py

The analyst sees their own region only, so what matters is a region's cases, not the country's: at
`make bench`'s 200,000 cases over 42 regions a region holds about 4,760 cases over 20 years (about 240
a year). This builds BENCH_REGIONS regions (default 2) of the national data set (benchmarks/national.py)
with BENCH_CASES cases (default 9,524: the national density per region) and asks each page REPEAT
times after one warm-up, first with the protected tables computed on the request (the stored ones
removed), then after the nightly job has stored the past years. BENCH_PROFILE=1 prints the functions
that take the most time (cProfile) of one request of each. Timings are printed, never asserted.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyotp  # noqa: E402
from sqlalchemy import event  # noqa: E402

import config  # noqa: E402
from benchmarks import national  # noqa: E402
from benchmarks.slow_spots import CSRF  # noqa: E402
from ret_app import create_app  # noqa: E402
from ret_app.extensions import db  # noqa: E402
from ret_app.kernel import dates  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "10"))
FLOOR = "/ijkpunt"
PAGES = [
    ("aggregates, years (default)", "/cijfers"),
    ("aggregates, months of last year", f"/cijfers?kind=month&year={dates.today().year - 1}"),
    ("aggregates, quarters, a municipality", None),  # filled in: the region's first municipality
    ("start page", "/start"),
]


def sign_in(app, email: str, secret: str):
    client = app.test_client()
    token = CSRF.search(client.get("/inloggen").get_data(as_text=True)).group(1)
    response = client.post("/inloggen", data={"csrf_token": token, "email": email, "password": national.PASSWORD})
    assert response.status_code == 302, response.status_code
    response = client.post("/inloggen/verificatie", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.status_code
    return client


class Statements:
    """Statements and their time on the database connection, per request."""

    def __init__(self, engine) -> None:
        self.engine, self.count, self.seconds = engine, 0, 0.0

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_began"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        took = time.perf_counter() - conn.info.pop("bench_began")
        self.seconds += took
        self.each.append((took, " ".join(statement.split())[:160]))

    def __enter__(self):
        self.count, self.seconds, self.each = 0, 0.0, []
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def measure(engine, client, path: str, label: str, profile: bool) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    totals, sql, counts, floors = [], [], [], []
    for _ in range(REPEAT):
        began = time.perf_counter()
        client.get(FLOOR)  # the floor between the page's requests, as `make bench` asks it
        floors.append(time.perf_counter() - began)
        with Statements(engine) as statements:
            began = time.perf_counter()
            response = client.get(path)
            totals.append(time.perf_counter() - began)
        assert response.status_code == 200, (path, response.status_code)
        sql.append(statements.seconds)
        slowest = sorted(statements.each, reverse=True)[:6]
        counts.append(statements.count)
    median = statistics.median(totals)
    line = (f"  {label:<40} median {median * 1000:7.1f} ms = {median / statistics.median(floors):5.1f} x floor"
            f"  (SQL {statistics.median(sql) * 1000:6.1f} ms, {max(counts)} statements; max {max(totals) * 1000:7.1f} ms)")
    if profile:
        line += "\n" + "\n".join(f"      {took * 1000:6.1f} ms  {sql_text}" for took, sql_text in slowest)
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(25)
        line += "\n" + "\n".join("      " + row for row in out.getvalue().splitlines()[6:40] if row.strip())
    return line


def main() -> int:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("benchmarks/analyst.py measures PostgreSQL: run it under scripts/with-postgres.sh", file=sys.stderr)
        return 2
    regions = int(os.environ.get("BENCH_REGIONS", "2"))
    cases = int(os.environ.get("BENCH_CASES", str(round(200_000 / national.REGIONS * regions))))
    profile = os.environ.get("BENCH_PROFILE") == "1"
    app = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": url})

    began = time.perf_counter()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        nation = national.build_country(dates.today(), 1, regions)
        national.add_cases(nation, cases, lambda message: None)
        national.finish(nation, lambda message: None)
        engine = db.engine
        first_municipality = nation.regions[0].municipalities[0]
        db.session.remove()
    print(f"Analyst pages on PostgreSQL: {regions} regions, {cases:,} cases over {national.YEARS} years "
          f"(about {cases // regions:,} a region), built in {time.perf_counter() - began:.0f} s; median of {REPEAT}")
    pages = [(label, path or f"/cijfers?kind=quarter&year={dates.today().year - 1}&municipality={first_municipality}")
             for label, path in PAGES]
    client = sign_in(app, nation.accounts["analyst"], nation.secret)
    stored = _stored_tables()
    if stored is not None:
        with app.app_context():
            stored.clear()  # (national.finish stored them, as the nightly job does)
            db.session.commit()
    print("computed on every request:")
    for label, path in pages:
        print(measure(engine, client, path, label, profile), flush=True)
    if stored is not None:
        with app.app_context():
            began = time.perf_counter()
            from ret_app.analyst import refresh

            count = refresh.refresh_all(dates.today())
            db.session.commit()
            from sqlalchemy import func, select

            from ret_app.models import AnalystYearFigures
            size = db.session.scalar(select(func.avg(func.length(AnalystYearFigures.data))))
        print(f"the nightly job stored {count} years in {time.perf_counter() - began:.1f} s "
              f"({size / 1000:.0f} kB a year); then:")
        for label, path in pages:
            print(measure(engine, client, path, label, profile), flush=True)
    return 0


def _stored_tables():
    try:
        from ret_app.analyst import stored
    except ImportError:
        return None
    return stored


if __name__ == "__main__":
    sys.exit(main())
