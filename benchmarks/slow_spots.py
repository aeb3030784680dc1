"""Benchmark: the slow spots of issue 14 on a national data set (PostgreSQL only), per page: median
time and statements per request, and the plan of the case list's query for a caseworker.

    BENCH_CASES=20000 scripts/with-postgres.sh .venv/bin/python benchmarks/slow_spots.py

Builds REGIONS (default 42) fictional regions straight into an empty database with INSERT ... SELECT
generate_series (no personal data: generated references and names): per region 12 municipalities
with their access teams and two caseworkers each, the RET (a chair, eight members), N cases spread
over the regions and 19 years (a third open), two family members each, a RET member taking part in
each, sessions of 20 agenda items and BENCH_AUDIT audit events (default 10 per case). Signs in a
caseworker, the chair of region 1 and an admin through the real pages and requests each page REPEAT
times after one warm-up. Timings are printed, never asserted (the machine's load varies).

Figures at 100,000 cases and 1,000,000 audit events on a shared, loaded 2-core machine (PostgreSQL 15;
time per request, median of 5; statements per request):

                                        before (68aaa8b)   issue 14 (i14-perf)
    caseworker  case list, default        551 ms  15         45-79 ms  15
    caseworker  case list, name search   1637 ms  15         65-107 ms 15
    caseworker  case list, all statuses   618 ms  15         51-135 ms 15
    caseworker  session list              181 ms  17         74-190 ms 16
    chair       case list, name search     85 ms  15         43-144 ms 15
    admin       audit search, no match    556 ms  14         47-61 ms  14
The caseworker's list query itself: 297 ms (a Seq Scan over every case, with JIT) -> 2.6 ms.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyotp  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

import config  # noqa: E402
from ret_app import create_app  # noqa: E402
from ret_app.extensions import db  # noqa: E402

PASSWORD = "benchmark password, not for use"
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')

BUILD = """
INSERT INTO region (id, name, created_at, updated_at)
  SELECT r, 'Regio ' || r, now(), now() FROM generate_series(1, :regions) r;
INSERT INTO municipality (id, region_id, name, cbs_code, created_at, updated_at)
  SELECT (r - 1) * 12 + m, r, 'Gemeente ' || r || '-' || m, 'G' || lpad(((r - 1) * 12 + m)::text, 5, '0'),
         now(), now()
  FROM generate_series(1, :regions) r, generate_series(1, 12) m;
-- organisation ids: 1 management, 1000 + r the RET, 100000 + municipality id the access team
INSERT INTO organisation (id, name, kind, region_id, collective_member, active, created_at, updated_at)
  VALUES (1, 'Beheer', 'management', NULL, false, true, now(), now());
INSERT INTO organisation (id, name, kind, region_id, collective_member, active, created_at, updated_at)
  SELECT 1000 + r, 'RET ' || r, 'ret', r, false, true, now(), now() FROM generate_series(1, :regions) r;
INSERT INTO organisation (id, name, kind, region_id, municipality_id, collective_member, active, created_at,
                          updated_at)
  SELECT 100000 + m.id, 'Toegangsteam ' || m.id, 'access_team', m.region_id, m.id, false, true, now(), now()
  FROM municipality m;
-- user ids: 1 admin, 1000 + r the chair, 2000 + r * 10 + k the RET members, 100000 + municipality * 2 + k
-- the caseworkers
INSERT INTO user_account (id, email, name, role, organisation_id, totp_last_counter, created_at, updated_at)
  VALUES (1, 'admin@bench.example', 'Beheerder', 'admin', 1, 0, now(), now());
INSERT INTO user_account (id, email, name, role, organisation_id, totp_last_counter, created_at, updated_at)
  SELECT 1000 + r, 'vz' || r || '@bench.example', 'Voorzitter ' || r, 'chair', 1000 + r, 0, now(), now()
  FROM generate_series(1, :regions) r;
INSERT INTO user_account (id, email, name, role, organisation_id, totp_last_counter, created_at, updated_at)
  SELECT 2000 + r * 10 + k, 'lid' || r || '-' || k || '@bench.example', 'Lid ' || r || '-' || k, 'ret_member',
         1000 + r, 0, now(), now()
  FROM generate_series(1, :regions) r, generate_series(0, 7) k;
INSERT INTO user_account (id, email, name, role, organisation_id, totp_last_counter, created_at, updated_at)
  SELECT 100000 + m.id * 2 + k, 'cw' || m.id || '-' || k || '@bench.example', 'Consulent ' || m.id || '-' || k,
         'caseworker', 100000 + m.id, 0, now(), now()
  FROM municipality m, generate_series(0, 1) k;
-- cases: case i in region 1 + i % regions, municipality by i, submitted over 19 years (newest last)
INSERT INTO ret_case (id, reference, region_id, municipality_id, submitting_organisation_id, caseworker_id,
                      process_director_id, status, urgency, youth_first_name, youth_last_name, question, why_stuck,
                      placement_intended, consent_ret, consent_collective, consent_network, submitted_at,
                      closed_at, next_deadline, version, created_at, updated_at)
  SELECT i, 'RET-N-' || lpad(i::text, 7, '0'), r, m, 100000 + m, 100000 + m * 2 + (i / 7) % 2,
         2000 + r * 10 + i % 8,
         CASE WHEN i > :cases * 0.9 THEN (ARRAY['submitted','screening','process_direction','monitoring'])[1 + i % 4]
              WHEN i % 50 = 0 THEN 'monitoring' ELSE 'closed' END,
         (ARRAY['regular','regular','regular','urgent','crisis'])[1 + i % 5],
         'Jeugdige', 'Naam' || i || (ARRAY['jansen','de vries','bakker','visser','smit'])[1 + i % 5], 'Vraag', 'Vast',
         false, true, true, false,
         now() - ((:cases - i) * interval '19 years' / :cases),
         CASE WHEN i > :cases * 0.9 OR i % 50 = 0 THEN NULL
              ELSE now() - ((:cases - i) * interval '19 years' / :cases) + interval '120 days' END,
         CASE WHEN i > :cases * 0.9 OR i % 50 = 0 THEN current_date + (i % 60 - 20) END,
         1, now(), now()
  FROM (SELECT i, 1 + i % :regions AS r, (i % :regions) * 12 + 1 + (i / :regions) % 12 AS m
        FROM generate_series(1, :cases) i) g;
INSERT INTO family_member (case_id, name, relation, parental_authority)
  SELECT i, (ARRAY['Moeder ','Vader '])[k] || 'Familie' || i, (ARRAY['mother','father'])[k], true
  FROM generate_series(1, :cases) i, generate_series(1, 2) k;
INSERT INTO case_participant (case_id, role, user_id, invited_by_id, invited_at)
  SELECT c.id, 'ret_member', c.process_director_id, 1000 + c.region_id, now() FROM ret_case c;
-- sessions: 20 agenda items each, per region
INSERT INTO meeting (id, region_id, chair_id, starts_at, duration_minutes, location, online_url, status,
                     created_by_id, revision, version, created_at, updated_at)
  SELECT s, 1 + (s - 1) % :regions, 1001 + (s - 1) % :regions, now() - (:cases / 20 - s) * interval '1 day' / 3,
         120, 'Zaal', '', CASE WHEN s > :cases / 20 - :regions THEN 'planned' ELSE 'approved' END,
         1001 + (s - 1) % :regions, 1, 1, now(), now()
  FROM generate_series(1, :cases / 20) s;
INSERT INTO meeting_item (meeting_id, case_id, purpose, position, notes, seconds_spent, added_by_id, added_at, version)
  SELECT ((c.id / :regions) / 20) * :regions + c.region_id, c.id, 'progress', 1 + (c.id / :regions) % 20, '', 0,
         1000 + c.region_id, now(), 1
  FROM ret_case c
  WHERE ((c.id / :regions) / 20) * :regions + c.region_id <= :cases / 20;
INSERT INTO audit_event (occurred_at, user_id, user_name, user_role, organisation_name, action, object_type,
                         object_id, case_id, outcome, detail)
  SELECT now() - (e * interval '19 years' / :audit), 2000 + (1 + e % :regions) * 10 + e % 8,
         'Lid ' || (1 + e % :regions) || '-' || e % 8, 'ret_member', 'RET ' || (1 + e % :regions), 'read', 'case',
         (1 + e % :cases)::text, 1 + e % :cases, 'success', 'case_page'
  FROM generate_series(1, :audit) e;
"""

PAGES = [
    ("caseworker", "case list, default", "/casussen"),
    ("caseworker", "case list, name search", "/casussen?q=jansen"),
    ("caseworker", "case list, all statuses", "/casussen?status=all"),
    ("caseworker", "session list", "/overleggen/"),
    ("caseworker", "start page", "/start"),
    ("chair", "case list, default", "/casussen"),
    ("chair", "case list, name search", "/casussen?q=jansen"),
    ("chair", "case list, name search, nothing", "/casussen?q=zzzzqq"),
    ("chair", "session list", "/overleggen/"),
    ("admin", "audit search, who matches nothing", "/beheer/audit?who=zzzzqq"),
    ("admin", "audit search, newest", "/beheer/audit"),
]


def sign_in(app, email: str, secret: str):
    client = app.test_client()
    token = CSRF.search(client.get("/inloggen").get_data(as_text=True)).group(1)
    response = client.post("/inloggen", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    response = client.post("/inloggen/verificatie", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def measure(engine, client, url: str) -> tuple[int, float, int]:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    response = client.get(url)
    if response.status_code == 302:  # a search term is kept in the session; the list's URL holds its id
        url = response.headers["Location"]
        client.get(url)
    seconds = []
    for _ in range(REPEAT):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            began = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - began)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return response.status_code, statistics.median(seconds), len(statements)


def explain(stmt) -> str:
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    rows = db.session.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + str(compiled))).scalars()
    return "\n".join("    " + row for row in rows)


def main() -> int:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("slow_spots.py measures PostgreSQL: run it under scripts/with-postgres.sh", file=sys.stderr)
        return 2
    cases = int(os.environ.get("BENCH_CASES", "20000"))
    regions = int(os.environ.get("BENCH_REGIONS", "42"))
    audit_events = int(os.environ.get("BENCH_AUDIT", str(cases * 10)))
    app = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    from flask_migrate import upgrade

    from ret_app.auth.passwords import hash_password
    from ret_app.models import User

    failures = []
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        for statement in BUILD.split(";\n"):
            if statement.strip():
                db.session.execute(text(statement), {"regions": regions, "cases": cases, "audit": audit_events})
        for table in ("region", "municipality", "organisation", "user_account", "ret_case", "meeting"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        secret = pyotp.random_base32()
        caseworker_id = 100000 + 1 * 2 + 0  # municipality 1 (region 1)
        for user_id in (1, 1001, caseworker_id):
            user = db.session.get(User, user_id)
            user.password_hash = hash_password(PASSWORD)
            user.totp_secret = secret
            user.activated_at = user.password_changed_at = db.session.scalar(text("SELECT now()"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # as autovacuum leaves a live database
        own = db.session.scalar(text("SELECT count(*) FROM ret_case WHERE submitting_organisation_id = 100001"))
        print(f"Slow spots on PostgreSQL: {regions} regions, {cases:,} cases, {audit_events:,} audit events "
              f"(the caseworker's team: {own} cases), built in {time.perf_counter() - began:.1f} s; "
              f"median of {REPEAT} requests")

        from ret_app.cases import queries as case_queries
        caseworker = db.session.get(User, caseworker_id)
        print("Plan of the caseworker's default case list:")
        print(explain(case_queries.visible_cases(caseworker).limit(26)))
        print("Plan of the chair's name search:")
        chair = db.session.get(User, 1001)
        print(explain(case_queries.visible_cases(chair, case_queries.CaseFilters(q="jansen")).limit(26)))
        engine = db.engine
        db.session.remove()
    # Outside the app context: each request pushes its own (flask-login keeps the user in it).
    if True:
        clients = {"caseworker": sign_in(app, caseworker.email, secret),
                   "chair": sign_in(app, "vz1@bench.example", secret),
                   "admin": sign_in(app, "admin@bench.example", secret)}
        print(f"{'who':<11} {'page':<36} {'time':>10} {'statements':>11}")
        for who, label, path in PAGES:
            status, seconds, statement_count = measure(engine, clients[who], path)
            print(f"{who:<11} {label:<36} {seconds * 1000:8.0f} ms {statement_count:11,}   {path}")
            if status != 200:
                failures.append(f"{who} {path} answered {status}")
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
