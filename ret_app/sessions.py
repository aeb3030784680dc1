"""Server-side sessions: the cookie holds a random id, the data lives in `web_session`.

Logout, idle timeout (30 min), absolute timeout (12 h) and revocation end the row, so a copied
cookie stops working everywhere at once. Any worker on any machine reads the same row: no
session state lives in a process.

A row is written only when there is something to keep on the server: a signed-in user, a sign-in
halfway (the password passed, the second factor not yet), an activation being completed. Until
then — an anonymous visitor on the sign-in page — the session holds at most the CSRF token, the
chosen language, the page asked for before signing in and flash messages (`ANONYMOUS_KEYS`), and
those travel in the same cookie, signed with SECRET_KEY and expiring after the idle timeout: any
number of anonymous visits writes no rows. The two kinds of cookie value cannot be confused: a row's
id is URL-safe base64 without dots, a signed value always has them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, Optional

from flask import Flask, Request, Response
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from werkzeug.datastructures import CallbackDict

from ret_app.extensions import db
from ret_app.models import WebSession
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import database_unavailable

_serializer = TaggedJSONSerializer()

# What an anonymous session may hold in its signed cookie: never a user id, never a secret.
ANONYMOUS_KEYS = frozenset({"csrf_token", "lang", "login_next", "_flashes"})
# Browsers keep cookies up to 4096 bytes; anything larger is kept in a row instead.
ANONYMOUS_COOKIE_MAX = 3800
_ANONYMOUS_SALT = "ret-anonymous-session"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def background_poll(view):
    """Mark a view that a page calls on a timer (live updates): it does not count as activity, so
    a page left open still reaches the idle timeout — unless the page reports that its user typed
    or clicked since the last poll (header X-RET-User-Active, set by static/js/app.js)."""
    view._background_poll = True  # type: ignore[attr-defined]
    return view


def _is_background_poll() -> bool:
    from flask import current_app, request

    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "_background_poll", False)) and request.headers.get("X-RET-User-Active") != "1"


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial: Optional[dict] = None, token: Optional[str] = None,
                 row_id: Optional[int] = None, expired: bool = False, signed_at: Optional[datetime] = None,
                 stale_cookie: bool = False):
        def on_update(_self: "ServerSession") -> None:
            _self.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.row_id = row_id
        self.new = row_id is None
        self.modified = False
        # The browser sent a cookie for a session that has ended (timeout, logout, revoked).
        self.expired = expired
        # An anonymous session from a signed cookie: when it was signed (None: no such cookie).
        self.signed_at = signed_at
        # The browser sent a cookie that is no use (a signed one that expired or was tampered with).
        self.stale_cookie = stale_cookie or expired
        self.rotate_requested = False
        self.end_requested: Optional[str] = None
        # A path that never carries a session (the monitor API): no cookie is read or set.
        self.sessionless = False
        # The database could not be used to read or write this session: the request answers 503
        # (errors.py) and the browser's cookie is left as it is, to be used again once it is back.
        self.database_error: Optional[BaseException] = None

    def rotate(self) -> None:
        """Give this session a new id (on login), keeping its data."""
        self.rotate_requested = True
        self.modified = True

    def end(self, reason: str) -> None:
        """End this session for good (logout)."""
        self.end_requested = reason
        self.clear()


def session_expiry_reason(row: WebSession, now: datetime, app: Flask) -> Optional[str]:
    if row.ended_at is not None:
        return row.ended_reason or "ended"
    idle = timedelta(minutes=app.config["SESSION_IDLE_TIMEOUT_MINUTES"])
    absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_TIMEOUT_HOURS"])
    if now - row.last_seen_at > idle:
        return "idle_timeout"
    if now - row.created_at > absolute:
        return "absolute_timeout"
    return None


TIMEOUTS = ("idle_timeout", "absolute_timeout")


def record_timeout(row: WebSession, reason: str, detail_suffix: str = "") -> None:
    """A signed-in session that timed out is audited (for the user it belonged to)."""
    from ret_app import audit
    from ret_app.models import User

    if row.user_id is None or reason not in TIMEOUTS:
        return
    audit.record(audit.Action.SESSION, user=db.session.get(User, row.user_id), object_type="web_session",
                 object_id=row.id, detail=reason + detail_suffix)


def _end_timed_out(row: WebSession, reason: str, now: datetime) -> None:
    """The browser came back after the timeout: end the row (and audit it) in a unit of its own,
    before the request's unit begins."""
    from ret_app.kernel import uow

    with uow.unit_of_work():
        row.ended_at = now
        row.ended_reason = reason
        record_timeout(row, reason)


def end_sessions(user_id: int, reason: str, *, except_row_id: Optional[int] = None) -> int:
    """End all live sessions of a user (within the caller's transaction)."""
    stmt = (
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    if except_row_id is not None:
        stmt = stmt.where(WebSession.id != except_row_id)
    return db.session.execute(stmt).rowcount or 0


def needs_row(session: ServerSession) -> bool:
    """Whether the session holds something that must be kept on the server."""
    return any(key not in ANONYMOUS_KEYS for key in session)


class DatabaseSessionInterface(SessionInterface):
    serializer = _serializer

    def _signer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(app.secret_key, salt=_ANONYMOUS_SALT, serializer=self.serializer)

    def _open_anonymous(self, app: Flask, value: str) -> ServerSession:
        max_age = app.config["SESSION_IDLE_TIMEOUT_MINUTES"] * 60
        try:
            data, signed_at = self._signer(app).loads(value, max_age=max_age, return_timestamp=True)
        except (BadSignature, ValueError, TypeError):
            return ServerSession(stale_cookie=True)
        if not isinstance(data, dict) or needs_row(data):  # type: ignore[arg-type]
            return ServerSession(stale_cookie=True)
        return ServerSession(data, signed_at=signed_at)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if request.path.startswith(tuple(app.config.get("SESSIONLESS_PATH_PREFIXES", ()))):
            # Bearer-token paths (the monitor API): a browser's session cookie is neither read nor
            # touched nor answered, so signing in gives no access there and the API keeps no session alive.
            session = ServerSession()
            session.sessionless = True
            return session
        token = request.cookies.get(self.get_cookie_name(app))
        if token and "." in token and len(token) <= 4096:
            return self._open_anonymous(app, token)
        if not token or len(token) > 128:
            return ServerSession(stale_cookie=bool(token))
        try:
            return self._open_stored(app, token)
        except Exception as error:
            if not database_unavailable(error):
                raise
            try:
                db.session.rollback()
            except Exception:  # the connection is gone
                pass
            session = ServerSession()
            session.database_error = error
            return session

    def _open_stored(self, app: Flask, token: str) -> ServerSession:
        row = db.session.scalar(select(WebSession).where(WebSession.token_hash == hash_token(token)))
        if row is None:
            return ServerSession(expired=True)
        now = utcnow()
        reason = session_expiry_reason(row, now, app)
        if reason is not None:
            if row.ended_at is None:
                _end_timed_out(row, reason, now)
            if reason == "rotated":
                # A request that left the browser before its session was rotated (at sign-in, say: a
                # late favicon or poll) and arrives after: the browser holds the new cookie by now,
                # so this answer must not clear it. The request itself is simply not signed in.
                return ServerSession()
            return ServerSession(expired=True)
        try:
            data = self.serializer.loads(row.data or "{}")
        except ValueError:
            data = {}
        session = ServerSession(data, token=token, row_id=row.id)
        touch = timedelta(seconds=app.config["SESSION_TOUCH_INTERVAL_SECONDS"])
        session.needs_touch = now - row.last_seen_at >= touch  # type: ignore[attr-defined]
        return session

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:  # type: ignore[override]
        cookie_name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        # Whatever the view left uncommitted is not meant to be kept.
        db.session.rollback()
        if session.sessionless or session.database_error is not None:
            return
        now = utcnow()

        if session.end_requested:
            if session.row_id is not None:
                db.session.execute(
                    update(WebSession)
                    .where(WebSession.id == session.row_id, WebSession.ended_at.is_(None))
                    .values(ended_at=now, ended_reason=session.end_requested, data="{}")
                )
                db.session.commit()
            response.delete_cookie(cookie_name, domain=domain, path=path,
                                   secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))
            return

        if session.row_id is None and not session:
            if session.stale_cookie or session.signed_at is not None:
                response.delete_cookie(cookie_name, domain=domain, path=path,
                                       secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))
            return

        if session.row_id is None and not needs_row(session):
            # Nothing to keep on the server: the anonymous session travels signed in the cookie.
            value = self._signer(app).dumps(dict(session))
            if len(value) <= ANONYMOUS_COOKIE_MAX:
                touch = timedelta(seconds=app.config["SESSION_TOUCH_INTERVAL_SECONDS"])
                if session.modified or session.signed_at is None or now - session.signed_at >= touch:
                    self._set_cookie(app, response, value)
                response.vary.add("Cookie")
                return

        from flask import request

        user_id = _user_id_of(session)
        data = self.serializer.dumps(dict(session))
        set_cookie = False
        if session.row_id is None or session.rotate_requested:
            if session.row_id is not None:
                db.session.execute(
                    update(WebSession).where(WebSession.id == session.row_id)
                    .values(ended_at=now, ended_reason="rotated", data="{}")
                )
            token = secrets.token_urlsafe(32)
            row = WebSession(
                token_hash=hash_token(token),
                user_id=user_id,
                data=data,
                created_at=now,
                last_seen_at=now,
                authenticated_at=now if user_id else None,
                ip_address=(request.remote_addr or "")[:45] or None,
                user_agent=(request.user_agent.string or "")[:255] or None,
            )
            db.session.add(row)
            db.session.commit()
            session.token, session.row_id = token, row.id
            set_cookie = True
        elif session.modified or (getattr(session, "needs_touch", False) and not _is_background_poll()):
            values: dict[str, Any] = {"last_seen_at": now}
            if session.modified:
                values.update(data=data, user_id=user_id)
            db.session.execute(
                update(WebSession)
                .where(WebSession.id == session.row_id, WebSession.ended_at.is_(None))
                .values(**values)
            )
            db.session.commit()

        if set_cookie:
            self._set_cookie(app, response, session.token or "")
        response.vary.add("Cookie")

    def _set_cookie(self, app: Flask, response: Response, value: str) -> None:
        response.set_cookie(
            self.get_cookie_name(app),
            value,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
        )


def _user_id_of(session: ServerSession) -> Optional[int]:
    value = session.get("_user_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
