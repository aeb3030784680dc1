"""Backup and restore of the whole of RET's data: the database and the attachment store, together.

A backup is a folder:
- `database.sqlite3` (SQLite's online backup API: a consistent copy while the app runs) or `database.dump`
  (`pg_dump --format=custom`);
- `attachments.tar` (the attachment store, RET_ATTACHMENT_DIR);
- `manifest.json`: when, the schema's migration, the number of rows of every table, the audit chain's
  head, every attachment file with its SHA-256, and the SHA-256 of the two files above. No personal data.

`restore` checks the files against the manifest before it touches anything, puts the database and the
store back, and then checks the result against the manifest again: every table's rows, the audit chain's
head and every attachment's checksum. Erasures done after the backup was made come back with it, so the
restore then applies the erasure ledger (ret_app/erasure/ledger.py, kept outside the database) again.

`flask --app ret_app backup DIR` and `flask --app ret_app restore DIR --yes` (docs/production.md)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from flask import current_app
from sqlalchemy import func, select

from ret_app.extensions import db
from ret_app.operations import health

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
ATTACHMENTS_FILE = "attachments.tar"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup that cannot be made or restored, with what is wrong (never personal data)."""


@dataclass
class Check:
    """What a restore found against the manifest: empty lists mean nothing is lost."""

    tables: list[str] = field(default_factory=list)  # "name: expected N, found M"
    files: list[str] = field(default_factory=list)  # storage paths missing or changed
    audit: Optional[str] = None  # the chain's head differs

    @property
    def ok(self) -> bool:
        return not self.tables and not self.files and self.audit is None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _attachment_root() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def _libpq_url() -> str:
    """The database's address for pg_dump and pg_restore (libpq's form, the password included)."""
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3])
                        if p.parts[-3].isdigit() else 0)
    if not candidates:
        raise BackupError(f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)")
    return str(candidates[-1])


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        # pg_dump's messages name tables and options, never rows.
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[:500]}")


def state() -> dict:
    """The rows of every table, the audit chain's head and the migration: what a restore must give back."""
    from ret_app.models import AuditHead

    tables = {}
    for table in db.metadata.sorted_tables:
        tables[table.name] = db.session.scalar(select(func.count()).select_from(table))
    head = db.session.get(AuditHead, 1)  # the chain's newest link, as verify_chain reads it
    with db.engine.connect() as connection:
        applied = health.applied_revisions(connection)
    revision = ",".join(sorted(applied)) if applied else None
    return {"tables": tables, "audit_head": [head.seq, head.hash] if head else None, "revision": revision}


def attachment_files() -> dict[str, str]:
    """Every file of the attachment store (its path below the root) with its SHA-256."""
    root = _attachment_root()
    if not root.exists():
        return {}
    return {str(path.relative_to(root)): _sha256(path) for path in sorted(root.rglob("*")) if path.is_file()}


def make_backup(target: Path) -> dict:
    """Write a backup folder (it must not exist or be empty) and return its manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new folder")
    target.mkdir(parents=True, exist_ok=True)
    db.session.commit()  # nothing of this session's own is half done
    database_file = target / (SQLITE_FILE if _is_sqlite() else PG_FILE)
    if _is_sqlite():
        live = db.engine.raw_connection()
        try:
            copy = sqlite3.connect(database_file)
            with copy:
                live.driver_connection.backup(copy)
            copy.close()
        finally:
            live.close()
    else:
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={database_file}", _libpq_url()])
    files = attachment_files()
    with tarfile.open(target / ATTACHMENTS_FILE, "w") as archive:
        root = _attachment_root()
        for name in files:
            archive.add(root / name, arcname=name)
    manifest = {"format": FORMAT, "made_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": db.engine.dialect.name, **state(), "attachments": files,
                "files": {database_file.name: _sha256(database_file),
                          ATTACHMENTS_FILE: _sha256(target / ATTACHMENTS_FILE)}}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def read_manifest(source: Path) -> dict:
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"no readable {MANIFEST} in {source}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if manifest.get("database") != db.engine.dialect.name:
        raise BackupError(f"a {manifest.get('database')} backup cannot be restored into {db.engine.dialect.name}")
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{name} is missing or damaged (its checksum differs from the manifest)")
    return manifest


def compare(manifest: dict) -> Check:
    """The database and the store now against the manifest."""
    now = state()
    check = Check()
    for name, expected in manifest["tables"].items():
        found = now["tables"].get(name)
        if found != expected:
            check.tables.append(f"{name}: expected {expected}, found {found}")
    files = attachment_files()
    check.files = sorted(name for name, digest in manifest["attachments"].items() if files.get(name) != digest)
    if now["audit_head"] != manifest["audit_head"]:
        check.audit = f"expected {manifest['audit_head']}, found {now['audit_head']}"
    return check


def restore_backup(source: Path) -> tuple[Check, int]:
    """Put the backup back (the database and the attachment store), check it against its manifest, then
    re-apply the erasures done since. Returns the check (made before the erasures) and how many cases were
    erased again. The database must not be in use by anything else (stop gunicorn and the job workers)."""
    from ret_app.erasure import services as erasure

    source = Path(source)
    manifest = read_manifest(source)
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps a read transaction open on the database being replaced
    if _is_sqlite():
        backup = sqlite3.connect(source / SQLITE_FILE)
        live = db.engine.raw_connection()
        try:
            backup.backup(live.driver_connection)
        finally:
            live.close()
            backup.close()
    else:
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url()}", str(source / PG_FILE)])
    _restore_attachments(source / ATTACHMENTS_FILE, manifest["attachments"])
    check = compare(manifest)
    db.session.remove()
    erased = erasure.reapply_ledger()
    return check, erased


def _restore_attachments(archive_path: Path, expected: dict[str, str]) -> None:
    """The store becomes exactly the backup's: its files back, files added since removed."""
    root = _attachment_root()
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r") as archive:
        members = archive.getmembers()
        names = {member.name for member in members}
        if names != set(expected):
            raise BackupError("the attachment archive does not hold the files its manifest lists")
        for member in members:
            if not member.isfile():
                raise BackupError("the attachment archive holds something else than files")
            target = (root / member.name).resolve()
            if root.resolve() not in target.parents:
                raise BackupError("the attachment archive names a path outside the store")
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as data, open(target, "wb") as out:  # type: ignore[union-attr]
                shutil.copyfileobj(data, out)
    for path in sorted(root.rglob("*")):
        if path.is_file() and str(path.relative_to(root)) not in expected:
            path.unlink()


def describe(check: Check) -> str:
    if check.ok:
        return "every table's rows, the audit chain's head and every attachment are as in the backup"
    parts = check.tables + [f"attachment {name}" for name in check.files]
    if check.audit:
        parts.append(f"audit head {check.audit}")
    return "differs from the backup: " + "; ".join(parts)

