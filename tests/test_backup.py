"""Backup and restore, and the health check (ret_app/operations). The restore drill: a backup of cases, an
attachment and the audit chain; after it a case is added, an attachment file lost and a case erased; the
restore gives back every table's rows, the chain's head and every file, and erases the case again from the
erasure ledger. Runs on SQLite (the backup API) and on PostgreSQL (pg_dump and pg_restore)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select, text
from werkzeug.datastructures import FileStorage

import config
from ret_app import audit, create_app
from ret_app.erasure import services as erasure
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import AuditEvent, Case, User
from ret_app.operations import backup
from ret_app.referrals import attachments

# Real commits: pg_dump and the health check read through other connections than the test's.
pytestmark = pytest.mark.committing

PDF = b"%PDF-1.4\n% a report of the drill\n%%EOF\n"


@pytest.fixture
def world(make_world):
    return make_world()


@pytest.fixture
def stores(app, tmp_path, monkeypatch):
    """The attachment store and the erasure ledger of this test only."""
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "store"))
    monkeypatch.setitem(app.config, "ERASURE_LEDGER", str(tmp_path / "ledger.jsonl"))
    return tmp_path


def _closed(factory, world) -> int:
    return factory.case(world.caseworker, world.municipality, status="closed", closed_at=dates.utcnow()
                        - timedelta(days=30))


def test_the_restore_drill_loses_nothing_and_erases_again(app, factory, world, stores):
    kept, erased, with_file = (_closed(factory, world) for _ in range(3))
    with app.test_request_context():
        stored = attachments.add_attachment(db.session.get(Case, with_file), db.session.get(User, world.chair.id),
                                            FileStorage(BytesIO(PDF), "verslag.pdf"))
        db.session.commit()
        file_path = attachments._path(stored.storage_key)
        manifest = backup.make_backup(stores / "backup")
        dialect = db.engine.dialect.name
    assert manifest["tables"]["ret_case"] >= 3 and manifest["audit_head"] is not None
    assert list(manifest["attachments"].values()) == [hashlib.sha256(PDF).hexdigest()]
    assert sorted(p.name for p in (stores / "backup").iterdir()) == [
        "attachments.tar", "database.dump" if dialect == "postgresql" else "database.sqlite3",
        "manifest.json"]

    # After the backup: a new case, a file lost from the store, and a case erased on request.
    added = _closed(factory, world)
    file_path.unlink()
    with app.app_context():
        chair = db.session.get(User, world.chair.id)
        request = erasure.record_request(db.session.get(Case, erased), chair, requester_kind="youth",
                                         requester_name="De jeugdige", received_on=dates.today())
        erasure.grant_request(request, chair)
        db.session.commit()
        assert db.session.get(Case, erased).status == "erased"
    ledger = [json.loads(line) for line in (stores / "ledger.jsonl").read_text().splitlines()]
    assert [(entry["case_id"], entry["why"]) for entry in ledger] == [(erased, "request")]

    with app.app_context():
        check, erased_again = backup.restore_backup(stores / "backup")
        assert check.ok, backup.describe(check)
        assert erased_again == 1
        assert db.session.get(Case, added) is None  # made after the backup: not in it
        assert db.session.get(Case, kept).status == "closed"
        assert db.session.get(Case, erased).status == "erased"  # the backup's copy, erased again
        assert file_path.read_bytes() == PDF
        assert audit.verify_chain(full=True).ok
        # The erasure is recorded again: a record and an audit event by the system (no user).
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == erased,
                                                            AuditEvent.action == "delete")).one()
        assert event.user_id is None and "why=request" in event.detail
    # The ledger is not written twice for the same erasure.
    assert len((stores / "ledger.jsonl").read_text().splitlines()) == 1


def test_a_damaged_backup_is_refused_before_anything_changes(app, factory, world, stores):
    _closed(factory, world)
    with app.app_context():
        backup.make_backup(stores / "backup")
    later = _closed(factory, world)
    database_file = next(p for p in (stores / "backup").iterdir() if p.name.startswith("database."))
    data = bytearray(database_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database_file.write_bytes(bytes(data))
    with app.app_context():
        with pytest.raises(backup.BackupError, match="damaged"):
            backup.restore_backup(stores / "backup")
        assert db.session.get(Case, later) is not None  # nothing was restored
    with app.app_context():
        with pytest.raises(backup.BackupError, match="not empty"):
            backup.make_backup(stores / "backup")


def test_the_commands(app, factory, world, stores):
    _closed(factory, world)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", str(stores / "cli")])
    assert made.exit_code == 0 and "Backup written" in made.output, made.output
    refused = runner.invoke(args=["restore", str(stores / "cli")])
    assert refused.exit_code == 2 and "--yes" in refused.output
    restored = runner.invoke(args=["restore", str(stores / "cli"), "--yes"])
    assert restored.exit_code == 0 and "as in the backup" in restored.output, restored.output
    again = runner.invoke(args=["reapply-erasures"])
    assert again.exit_code == 0 and "0 case(s) erased again" in again.output


# --- the health check ----------------------------------------------------------------------------------

def test_health_is_ok_without_data_session_or_audit(app, client):
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEvent.id)))
    response = client.get("/health")
    assert response.status_code == 200 and response.get_json() == {
        "status": "ok", "database": "ok", "migrations": "current"}
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def test_health_says_503_when_the_schema_is_behind(app, client):
    with app.app_context():
        current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = '0001_foundation'"))
        db.session.commit()
        try:
            response = client.get("/health")
        finally:
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
            db.session.commit()
    assert response.status_code == 503 and response.get_json() == {
        "status": "unavailable", "database": "ok", "migrations": "behind"}


def test_health_says_503_when_the_database_is_unreachable():
    # A PostgreSQL server that is not there (nothing listens on the discard port of this machine).
    unreachable = create_app(config.TestConfig, {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/ret?connect_timeout=2"})
    response = unreachable.test_client().get("/health")
    assert response.status_code == 503 and response.get_json() == {
        "status": "unavailable", "database": "unreachable", "migrations": "unknown"}
    assert b"Traceback" not in response.data
