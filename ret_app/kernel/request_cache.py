"""Settings that several parts of one page read, looked up once per request (kept in `flask.g`): a
region's care-type names are asked by the case page's sessions, requests and outcome panels, each of
which would otherwise send the same statement.

A remembered value is only as fresh as the database it was read from: every flush that writes
anything, every INSERT, UPDATE or DELETE statement sent through the session and every rollback forget
everything remembered, and while the session holds unflushed changes of a watched model the value is
read again (as the query's autoflush would have). Outside a request nothing is remembered.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable

from flask import g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ret_app.extensions import db

_KEY = "_ret_request_cache"


def remembered(key: Hashable, compute: Callable[[], Any], *, watch: type) -> Any:
    """compute(), or what it returned earlier in this request; `watch`: the model whose rows it reads."""
    if not has_request_context() or any(isinstance(obj, watch) for obj in _unflushed()):
        return compute()
    store = g.setdefault(_KEY, {})
    if key not in store:
        store[key] = compute()
    return store[key]


def forget() -> None:
    if has_app_context():
        g.pop(_KEY, None)


def _unflushed():
    session = db.session()
    return [*session.new, *session.dirty, *session.deleted]


@event.listens_for(Session, "after_flush")
def _forget_after_flush(session, flush_context) -> None:
    if session.new or session.dirty or session.deleted:
        forget()


@event.listens_for(Session, "do_orm_execute")
def _forget_after_a_write(orm_execute_state) -> None:
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        forget()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    forget()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_soft_rollback(session, previous_transaction) -> None:
    forget()
