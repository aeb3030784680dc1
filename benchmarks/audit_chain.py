"""Benchmark: how long checking the audit trail's hash chain takes, from the start and from a checkpoint.

    make bench-audit                            # PostgreSQL (throwaway server), 2,000,000 events
    BENCH_AUDIT_EVENTS=200000 make bench-audit
    .venv/bin/python benchmarks/audit_chain.py  # SQLite in a temporary file (no TEST_DATABASE_URL)

Builds a chain of N fictional events (no personal data: generated role names and object ids) straight
into an empty database, then measures, each as `flask verify-audit` runs it:
- a full check from the first event (`verify-audit --full`), which stores a checkpoint;
- linking 10,000 newer events the way requests leave them (`seal_pending`);
- the daily check from that checkpoint (`verify-audit`), which only reads the newer events;
- that a changed event before the checkpoint is still found by the full check.
Prints the figures; exits 1 when a check gives the wrong answer. What to look for: the check from
the checkpoint costs the same whatever N is (it reads only the newer events); the full check grows
with N (figures in docs/production.md).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text, update  # noqa: E402

import config  # noqa: E402
from ret_app import audit, create_app  # noqa: E402
from ret_app.extensions import db  # noqa: E402
from ret_app.kernel.uow import unit_of_work  # noqa: E402
from benchmarks.national import Chain  # noqa: E402
from ret_app.models import AuditEvent  # noqa: E402

BATCH = 10_000
NEWER = 10_000


def _event(n: int, start: datetime) -> dict:
    return {"occurred_at": start + timedelta(seconds=n), "user_id": n % 500 + 1,
            "user_name": f"Gebruiker {n % 500 + 1}", "user_role": ("chair", "caseworker", "provider_member")[n % 3],
            "organisation_name": f"Organisatie {n % 40}", "on_behalf_of": None,
            "action": ("read", "update", "search")[n % 3], "object_type": "case", "object_id": str(n % 20_000),
            "case_id": n % 20_000, "outcome": "allowed", "ip_address": "127.0.0.1", "detail": "case_page"}


def build_chain(count: int) -> None:
    """Insert `count` linked events (linked as ret_app.audit links them: national.Chain) and the head."""
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    chain = Chain()
    for first in range(0, count, BATCH):
        db.session.execute(insert(AuditEvent), [chain.link(_event(n, start))
                                                for n in range(first, min(first + BATCH, count))])
        db.session.commit()
    chain.store_head()


def timed(label: str, function):
    began = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - began
    print(f"{label:<58} {seconds:8.2f} s")
    return result, seconds


def verify(full: bool):
    with unit_of_work():
        return audit.verify_chain(full=full, store_checkpoint=True)


def main() -> int:
    count = int(os.environ.get("BENCH_AUDIT_EVENTS", "2000000"))
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ret-bench-')}/audit.sqlite3"
    app = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    failures = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        print(f"Audit chain benchmark on {db.engine.dialect.name}, {count:,} events")
        timed(f"build {count:,} linked events", lambda: build_chain(count))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE audit_event"))
            db.session.commit()

        report, full_seconds = timed("verify-audit --full (from the first event)", lambda: verify(True))
        if not (report.ok and report.checked == count):
            failures.append(f"full check: {report}")

        start = datetime(2026, 1, 1, tzinfo=timezone.utc)
        def add_newer():
            db.session.execute(insert(AuditEvent), [_event(n, start) for n in range(NEWER)])
            db.session.commit()
            return audit.seal_pending()
        linked, _ = timed(f"seal_pending: link {NEWER:,} newer events", add_newer)
        if linked != NEWER:
            failures.append(f"seal linked {linked}, expected {NEWER}")

        report, _ = timed(f"verify-audit (from the checkpoint, {NEWER:,} newer)", lambda: verify(False))
        if not (report.ok and report.checked == NEWER):
            failures.append(f"checkpointed check: {report}")

        db.session.execute(update(AuditEvent).where(AuditEvent.seq == count // 2).values(detail="altered"))
        db.session.commit()
        report, _ = timed("verify-audit --full after altering one old event", lambda: verify(True))
        if report.ok or report.broken_seq != count // 2:
            failures.append(f"altered event not found: {report}")
        print(f"full check: {count / full_seconds:,.0f} events/s")
        db.drop_all()
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
