"""The health check a load balancer polls: is the database reachable, and is its schema the code's? No data,
no session, no audit event (it is asked every few seconds by a machine)."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from flask import current_app
from sqlalchemy import text

from ret_app.extensions import db


@lru_cache(maxsize=4)
def code_heads(migrations_dir: str) -> frozenset[str]:
    """The migration heads the code carries (read once per process)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory(migrations_dir).get_heads())


def migrations_dir() -> str:
    """The folder Flask-Migrate was given (create_app): one place knows where the migrations are."""
    return str(current_app.extensions["migrate"].directory)


def applied_revisions(connection) -> Optional[frozenset[str]]:
    """The migrations the database says it has (alembic_version), or None when it was never migrated."""
    try:
        return frozenset(row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version")))
    except Exception:  # noqa: BLE001  (no table: a database never migrated)
        connection.rollback()
        return None


def check() -> tuple[bool, dict[str, str]]:
    """(healthy, {"database": "ok" | "unreachable", "migrations": "current" | "behind" | "unknown"})."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            applied = applied_revisions(connection)
    except Exception:  # noqa: BLE001  (any failure to reach the database is "unreachable", never a traceback)
        current_app.logger.warning("health check: the database is unreachable")
        return False, {"database": "unreachable", "migrations": "unknown"}
    if applied is None:
        return False, {"database": "ok", "migrations": "unknown"}
    current = applied == set(code_heads(migrations_dir()))
    return current, {"database": "ok", "migrations": "current" if current else "behind"}
