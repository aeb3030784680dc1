"""The unit of work: one commit at the end of a successful request (and of each CLI command or
job), a rollback on error.

Routes and services never commit. A request begins a unit before anything else runs; when the
response is ready the unit commits if the status is below 400, and rolls back otherwise (or when
the view raised). Helpers attach work to the unit instead of committing themselves:

* `before_commit`: last writes inside the transaction (the audit trail's buffered events);
* `after_commit`: reactions that must only happen once the change is saved (other domains'
  subscribers); each runs in a unit of its own, so one failing reaction never undoes the change;
* `after_rollback`: writes that must survive the rollback (denials and failures in the audit
  trail); they are committed in a fresh transaction;
* `at_end`: after either outcome (the audit trail links new events into its hash chain).

A stale version (SQLAlchemy's StaleDataError, raised when an optimistic-locking version no longer
matches) becomes the one `Conflict`. `attempt()` runs one service call in a savepoint, so that a
refusal leaves nothing of that call behind while the rest of the request stays.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any, Callable, Iterator, Optional, TypeVar

from flask import Flask, Response, g
from sqlalchemy import event
from sqlalchemy.orm.exc import StaleDataError

from ret_app.extensions import db
from ret_app.kernel.errors import Conflict

log = logging.getLogger(__name__)
T = TypeVar("T")

_units: ContextVar[tuple["UnitOfWork", ...]] = ContextVar("ret_units_of_work", default=())


class UnitOfWork:
    def __init__(self) -> None:
        self.state: dict = {}  # per unit: helpers keep their buffers here
        self.rollback_only = False  # set to end the unit with a rollback whatever the outcome
        self.finished = False
        self.committed = False
        self._before_commit: list[Callable[[], None]] = []
        self._after_commit: list[Callable[[], None]] = []
        self._after_rollback: list[Callable[[], None]] = []
        self._at_end: list[Callable[[], None]] = []
        # Buffers outside the database that must follow a savepoint's rollback: (mark, restore).
        self._aware: list[tuple[Callable[[], Any], Callable[[Any], None]]] = []
        self._frames: list[dict] = []  # the open savepoints (attempt), innermost last

    # --- hooks -------------------------------------------------------------------------------

    def before_commit(self, fn: Callable[[], None]) -> None:
        self._before_commit.append(fn)

    def after_commit(self, fn: Callable[[], None]) -> None:
        self._after_commit.append(fn)

    def after_rollback(self, fn: Callable[[], None]) -> None:
        self._after_rollback.append(fn)

    def at_end(self, fn: Callable[[], None]) -> None:
        if fn not in self._at_end:
            self._at_end.append(fn)

    def savepoint_aware(self, mark: Callable[[], Any], restore: Callable[[Any], None]) -> None:
        """A buffer kept outside the database (the audit trail's events): when a savepoint rolls back,
        `restore(state)` gets what `mark()` returned when the savepoint began (None: the buffer did not
        exist yet), so that nothing recorded inside the failed call is written as if it happened."""
        self._aware.append((mark, restore))

    def compensate(self, fn: Callable[[], None]) -> None:
        """Undo something outside the database (a file written) if what it belongs to is not kept:
        run when the innermost open savepoint rolls back, or else when the unit rolls back."""
        if self._frames:
            self._frames[-1]["compensations"].append(fn)
        else:
            self._after_rollback.append(fn)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Bracket a savepoint: on failure, drop the reactions scheduled inside it, restore the
        savepoint-aware buffers and run its compensations."""
        frame = {"after_commit": len(self._after_commit), "compensations": [],
                 "marks": [(restore, mark()) for mark, restore in self._aware], "aware": len(self._aware)}
        self._frames.append(frame)
        try:
            yield
        except BaseException:
            self._frames.pop()
            del self._after_commit[frame["after_commit"]:]
            for restore, state in frame["marks"]:
                restore(state)
            for _mark, restore in self._aware[frame["aware"]:]:
                restore(None)
            for fn in reversed(frame["compensations"]):
                _isolated(fn, "compensation")
            raise
        self._frames.pop()
        for fn in frame["compensations"]:
            self.compensate(fn)  # kept: now the enclosing savepoint's (or the unit's) to undo

    # --- ending ------------------------------------------------------------------------------

    def commit(self) -> None:
        """Commit the transaction; then the reactions, then the end hooks. A stale version
        rolls everything back and raises Conflict; any other error rolls back and re-raises."""
        try:
            index = 0
            while index < len(self._before_commit):  # a hook may add another
                self._before_commit[index]()
                index += 1
            db.session.commit()
        except StaleDataError as error:
            self.rollback()
            raise Conflict() from error
        except BaseException:
            self.rollback()
            raise
        self.finished = self.committed = True
        for reaction in self._after_commit:
            _isolated(reaction, "after-commit reaction")
        self._end()

    def rollback(self) -> None:
        db.session.rollback()
        self.finished = True
        if self._after_rollback:
            def durable() -> None:
                for fn in self._after_rollback:
                    fn()
                db.session.commit()

            _isolated(durable, "after-rollback write")
        self._end()

    def _end(self) -> None:
        for fn in self._at_end:
            _isolated(fn, "end-of-unit hook")


def _isolated(fn: Callable[[], None], what: str) -> None:
    try:
        fn()
    except Exception as error:  # never personal data in the log: the type only
        db.session.rollback()
        log.error("%s failed: %s", what, type(error).__name__)


def current() -> Optional[UnitOfWork]:
    """The innermost open unit of work, or None (a test calling a service directly)."""
    units = _units.get()
    return units[-1] if units else None


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """A unit for a CLI command, a job, a reaction or a test: commit at the end, rollback when the
    block raises. Not inside another unit that still has its transaction open (that transaction
    would be committed with it)."""
    parent = current()
    if parent is not None and not parent.finished:
        raise RuntimeError("a unit of work is already open in this context")
    unit = UnitOfWork()
    token = _units.set(_units.get() + (unit,))
    try:
        try:
            yield unit
        except BaseException:
            unit.rollback()
            raise
        if unit.rollback_only:
            unit.rollback()
        else:
            unit.commit()
    finally:
        _units.reset(token)


def in_unit_of_work(fn: Callable[..., T]) -> Callable[..., T]:
    """Decorator for CLI commands and jobs: the whole command is one unit of work."""
    from functools import wraps

    @wraps(fn)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return fn(*args, **kwargs)

    return wrapper


def attempt(work: Callable[[], T]) -> T:
    """Run one service call in a savepoint: a RuleError or Conflict it raises rolls back what it
    did (in the database, and the audit events and reactions it recorded; and it runs the call's
    compensations), while the rest of the request stays. A stale version becomes Conflict."""
    unit = current()
    frame = unit.savepoint() if unit is not None and not unit.finished else nullcontext()
    try:
        with frame, db.session.begin_nested():
            return work()
    except StaleDataError as error:
        raise Conflict() from error


# --- the request -------------------------------------------------------------------------------

_G_KEY = "_ret_unit_of_work"


def _begin_request() -> None:
    unit = UnitOfWork()
    setattr(g, _G_KEY, (unit, _units.set(_units.get() + (unit,))))


def _finish(response: Response, conflict_response: Callable[[Conflict], Response]) -> Response:
    entry = g.pop(_G_KEY, None)
    if entry is None:
        return response
    unit, token = entry
    try:
        if response.status_code < 400 and not unit.rollback_only:
            try:
                unit.commit()
            except Conflict as conflict:
                response = conflict_response(conflict)
        else:
            unit.rollback()
    finally:
        _units.reset(token)
    return response


def _teardown_request(error: Optional[BaseException]) -> None:
    entry = g.pop(_G_KEY, None)
    if entry is not None:  # the response never reached the unit (an error after the view)
        unit, token = entry
        try:
            unit.rollback()
        finally:
            _units.reset(token)


def register(app: Flask) -> None:
    """Begin a unit before every other request hook (CSRF and the access guard included), so that
    their audit events belong to it."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin_request)
    app.teardown_request(_teardown_request)
    with app.app_context():
        _prepare_engine(db.engine)


def register_finish(app: Flask, conflict_response: Callable[[Conflict], Response]) -> None:
    """End the unit when the response is ready. Registered last, so it runs first among the
    after-request hooks and a conflict page still gets the security headers."""
    app.after_request(lambda response: _finish(response, conflict_response))


def _prepare_engine(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "savepoint")
    def _begin_before_savepoint(conn, name) -> None:
        # pysqlite starts a transaction only before the first INSERT/UPDATE/DELETE. A SAVEPOINT
        # issued before that would itself start one, and releasing it would commit at once: the
        # savepoint would no longer be inside the unit of work. Begin the real transaction first.
        dbapi_connection = conn.connection.dbapi_connection
        if not dbapi_connection.in_transaction:
            dbapi_connection.execute("BEGIN")


def when_committed(fn: Callable[[], None]) -> None:
    """Run `fn` once the current unit has committed (at once when no unit is open): for what must
    only happen when the change is saved, e.g. deleting a file whose row was deleted."""
    unit = current()
    if unit is None or unit.finished:
        fn()
    else:
        unit.after_commit(fn)


def when_rolled_back(fn: Callable[[], None]) -> None:
    """Run `fn` if what is being done now is not kept (the savepoint of the current service call, or
    the unit, rolls back), e.g. to delete a file written for a row. Nothing happens without an open
    unit."""
    unit = current()
    if unit is not None and not unit.finished:
        unit.compensate(fn)
