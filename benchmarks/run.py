"""`make bench`: RET at national scale on PostgreSQL, measured, written to docs/performance.md.

    make bench                                         # 2,000 then 200,000 cases, ~2,000,000 audit events
    BENCH_CASES=20000 BENCH_AUDIT_EVENTS=200000 make bench   # smaller
    scripts/with-postgres.sh .venv/bin/python benchmarks/run.py

On the throwaway PostgreSQL of scripts/with-postgres.sh (TEST_DATABASE_URL): the schema by the migrations,
then the country (benchmarks/national.py) with BENCH_SMALL_CASES cases (default 2,000); the app served by
gunicorn (BENCH_WORKERS workers, default 4) and measured (benchmarks/measure.py); then the same country
grown to BENCH_CASES (default 200,000) and measured again, this time also under load (BENCH_USERS users,
default 32, for BENCH_SECONDS, default 60: first each pausing BENCH_PAUSE seconds between pages, default
"1-3" as locust's `between(1, 3)`, then the same users without pause, the most the app serves) and with
the workers' memory afterwards; last the whole audit
chain is checked (`verify-audit --full`). The report (benchmarks/report.py) goes to BENCH_OUTPUT (default
docs/performance.md) and is printed. Other settings: BENCH_REPEAT (requests per page, default 20),
BENCH_EXPORT_REPEAT (per export, default 5), BENCH_AUDIT_EVENTS (default 10 per case), BENCH_REGIONS
(default 42). Timings are reported, never asserted; the run fails (exit 1) when a page does not answer 200,
a stored due date is not what the application computes for the case (a sample), or the chain does not
verify.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
from benchmarks import measure, national, report  # noqa: E402
from ret_app import audit, create_app  # noqa: E402
from ret_app.extensions import db  # noqa: E402
from ret_app.kernel import dates  # noqa: E402
from ret_app.kernel.uow import unit_of_work  # noqa: E402


def _setting(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def log(message: str) -> None:
    print(message, flush=True)


def measure_phase(app, nation, url: str, settings: dict) -> report.Phase:
    """The pages over HTTP to gunicorn (one client; with `load`, also the concurrent load and the workers'
    memory), and the export that is a job, in-process."""

    with app.app_context():
        found = measure.targets(national.sample(nation))
    phase = report.Phase(cases=nation.cases, timings={})
    log(f"gunicorn, {settings['workers']} workers; {len(found)} pages and exports, {settings['repeat']} requests each")
    with measure.Gunicorn(url, settings["workers"], measure.free_port()) as server:
        clients = {role: measure.sign_in(measure.HttpClient(server.base_url), email, national.PASSWORD, nation.secret)
                   for role, email in nation.accounts.items()}
        phase.timings = measure.sequential(clients, found, settings["repeat"], settings["export_repeat"], log)
        if settings["load"]:
            for name, pause in (("load", settings["pause"]), ("saturation", (0.0, 0.0))):
                load = measure.load(clients, found, settings["users"], settings["seconds"], pause)
                log(f"load: {load.describe()}, {settings['seconds']} s: {load.requests:,} requests, "
                    f"{load.throughput:.1f}/s, p95 {load.p95 * 1000:.0f} ms")
                setattr(phase, name, load)
            phase.worker_rss = server.worker_rss()
    with app.app_context():
        timing = measure.signal_report(app, nation, settings["export_repeat"])
    phase.timings[timing.label] = timing
    log(f"  {timing.label:<44} median {timing.median * 1000:7.1f} ms")
    return phase


def _pause(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def main() -> int:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("benchmarks/run.py measures PostgreSQL: run it as scripts/with-postgres.sh .venv/bin/python "
              "benchmarks/run.py (make bench)", file=sys.stderr)
        return 2
    cases = _setting("BENCH_CASES", 200_000)
    small = min(cases, _setting("BENCH_SMALL_CASES", 2_000))
    audit_events = _setting("BENCH_AUDIT_EVENTS", cases * national.AUDIT_PER_CASE)
    settings = {"workers": _setting("BENCH_WORKERS", 4), "repeat": _setting("BENCH_REPEAT", 20),
                "export_repeat": _setting("BENCH_EXPORT_REPEAT", 5), "users": _setting("BENCH_USERS", 32),
                "seconds": _setting("BENCH_SECONDS", 60),
                # Each user's pause between pages, from-to seconds (locust's `between`); "0-0" for none.
                "pause": _pause(os.environ.get("BENCH_PAUSE", "1-3"))}
    output = ROOT / os.environ.get("BENCH_OUTPUT", "docs/performance.md")
    command = " ".join(f"{name}={shlex.quote(os.environ[name])}" for name in sorted(os.environ)
                       if name.startswith("BENCH_")) + " make bench"
    app = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    commit = report.commit()
    facts: dict[str, str] = {}
    phases = []
    began = time.perf_counter()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        facts["PostgreSQL"] = db.session.execute(db.text("SHOW server_version")).scalar()
        nation = national.build_country(dates.today(), audit_events / cases, _setting("BENCH_REGIONS", national.REGIONS))
    log(f"country: {len(nation.regions)} regions ({time.perf_counter() - began:.0f} s)")
    failures: list[str] = []
    for size in dict.fromkeys([small, cases]):
        step = time.perf_counter()
        with app.app_context():
            log(f"cases up to {size:,}")
            national.add_cases(nation, size, log)
            national.finish(nation, log)
            failures += [f"due date at {size:,} cases: {problem}" for problem in national.check_due_dates(nation)]
        facts[f"Data set built to {size:,} cases in"] = f"{time.perf_counter() - step:.0f} s"
        phase = measure_phase(app, nation, url, settings | {"load": size == cases})
        failures += [f"{t.label} at {size:,} cases answered {t.status}" for t in phase.timings.values() if t.status != 200]
        phases.append(phase)
    with app.app_context():
        rows = {table: count for table, count in sorted(nation.counts.items(), key=lambda item: -item[1])}
        facts["Data set"] = (f"{len(nation.regions)} regions, {nation.cases:,} cases over {nation.years} years, "
                             f"{sum(rows.values()):,} rows written by the generator (largest: "
                             + ", ".join(f"{table} {count:,}" for table, count in list(rows.items())[:8]) + ")")
        step = time.perf_counter()
        with unit_of_work():
            chain = audit.verify_chain(full=True)
        facts["Audit chain"] = (f"{chain.checked:,} events, `verify-audit --full` "
                                f"{'intact' if chain.ok else 'BROKEN'} in {time.perf_counter() - step:.0f} s")
        if not chain.ok:
            failures.append(f"audit chain: {chain}")
    facts["Whole run"] = f"{(time.perf_counter() - began) / 60:.0f} minutes"
    run = report.Run(command=command.strip(), phases=phases, facts=facts, commit=commit)
    log("")
    log(report.write(run, output))
    log(f"written to {output}")
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
