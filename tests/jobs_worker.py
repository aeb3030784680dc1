"""A job worker process for tests/test_jobs_queue.py (not a test module): the app on the test
database (TEST_DATABASE_URL, PostgreSQL) with only the test jobs named on the command line, and
short heartbeat and stall times, run as `flask jobs-worker` runs it (ret_app.jobs.queue.run_worker).

    python -m tests.jobs_worker tick slow
    python -m tests.jobs_worker exports      (the tests' kinds of export: tests/test_exports_queue.py)

The jobs write one line per call to $RET_TEST_JOBS_LOG (O_APPEND: lines from several processes do
not mix):
  tick  every second; "tick <pid>"; changes one thing.
  slow  by hand (queue.defer); inserts a row into jobs_test_effect, then "started <pid>"; the
        first call ever then hangs (the test kills its worker), a later one writes "done <pid>".
"""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

import config
from ret_app import create_app
from ret_app.extensions import db
from ret_app.jobs import queue, registry

LOG = Path(os.environ["RET_TEST_JOBS_LOG"])
TICK_SCHEDULE = "* * * * * *"  # every second (croniter's sixth field)
NEVER_BY_SCHEDULE = "0 0 1 1 *"


def write(line: str) -> None:
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def tick(today: date) -> int:
    write(f"tick {os.getpid()}")
    return 1


def slow(today: date) -> int:
    db.session.execute(text("INSERT INTO jobs_test_effect (note) VALUES ('slow')"))
    db.session.flush()
    write(f"started {os.getpid()}")
    if LOG.read_text().count("started ") == 1:
        for _ in range(1200):  # hang (at most 2 minutes) until the test kills this worker
            time.sleep(0.1)
    write(f"done {os.getpid()}")
    return 1


TEST_JOBS = {"tick": (tick, TICK_SCHEDULE), "slow": (slow, NEVER_BY_SCHEDULE)}


def export_step(job, step: int, steps: int) -> None:
    """The tests' export kind (tests/export_kinds.py) at each step: "export-step <pid> <step>"; at
    step 2 it waits (at most 2 minutes) for the file $RET_TEST_EXPORT_GATE, so the test can look at
    the job's page while it is being made."""
    write(f"export-step {os.getpid()} {step}")
    gate = os.environ.get("RET_TEST_EXPORT_GATE")
    if step == 2 and gate:
        for _ in range(1200):
            if Path(gate).exists():
                return
            time.sleep(0.1)


def use_exports() -> None:
    """`exports` on the command line: the tests' kinds of export (made by the task `export`)."""
    from tests import export_kinds

    export_kinds.register()
    export_kinds.DURING.append(export_step)


def main(names: list[str]) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(process)d %(levelname)s %(name)s %(message)s")
    logging.getLogger("procrastinate.periodic").setLevel(logging.DEBUG)
    app = create_app(config.TestConfig, {
        "JOBS_HEARTBEAT_SECONDS": 0.5,
        "JOBS_STALLED_AFTER_SECONDS": 2,
        "JOBS_STALLED_CHECK_CRON": "* * * * * *",
    })
    for job in registry.jobs():  # the application's own jobs stay out of this test
        registry.unregister(job.name)
    for name in names:
        if name == "exports":
            use_exports()
            continue
        fn, schedule = TEST_JOBS[name]
        registry.register(name, fn, schedule)
    with app.app_context():
        queue.run_worker(app)


if __name__ == "__main__":
    main(sys.argv[1:])
