"""The app that tests/test_multi_process.py serves with gunicorn (not a test module):

    gunicorn 'tests.gunicorn_app:create()'

`create_app()` (the configuration RET_ENV names; the test's servers use the production one on the test
database), plus one hook for
killing a worker in the middle of a request: a request with the header `X-RET-Test-Hang` writes its
worker's pid to $RET_TEST_HANG_FILE and then waits (at most two minutes) for the test to SIGKILL the
worker, right before the COMMIT of
  `unit`  its unit of work (everything the request changed, with its audit events), or
  `seal`  the step after it that links the request's audit events into the hash chain (audit.py): the
          change and its events are committed by then, their place in the chain is not.
Without RET_TEST_HANG_FILE the hook is not installed.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from flask import Flask, g, has_request_context, request
from sqlalchemy import event

from ret_app import create_app
from ret_app.extensions import db
from ret_app.kernel import uow

HEADER = "X-RET-Test-Hang"
_LINKING = re.compile(r"\s*UPDATE audit_head\b")


def create() -> Flask:
    app = create_app()
    hang_file = os.environ.get("RET_TEST_HANG_FILE")
    if hang_file:
        _install(app, Path(hang_file))
    return app


def _install(app: Flask, hang_file: Path) -> None:
    def hang() -> None:
        hang_file.write_text(str(os.getpid()))
        for _ in range(1200):
            time.sleep(0.1)

    @app.before_request
    def watch():
        point = request.headers.get(HEADER)
        if point == "unit":
            uow.current().before_commit(hang)
        elif point == "seal":
            g.ret_test_hang_seal = True

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def linking(conn, cursor, statement, *args):
        if has_request_context() and g.get("ret_test_hang_seal") and _LINKING.match(statement):
            conn.info["ret_test_hang"] = True

    @event.listens_for(engine, "commit")
    def commit(conn):
        if conn.info.pop("ret_test_hang", False):
            hang()

    @event.listens_for(engine, "rollback")
    def rollback(conn):
        conn.info.pop("ret_test_hang", None)
