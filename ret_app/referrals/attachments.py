"""Referral attachments (bijlagen): files stored outside static/ under a random key, their type
decided by their content (never by their name), served only through the access policy.

The database row and the file are written in the same unit of work: the file first, so that a row
never points at nothing; a rollback removes the file again (`discard_file`). Deleting works the
other way round: the row goes in the transaction, the file once that is committed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import zipfile
from pathlib import Path
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from ret_app import audit
from ret_app.extensions import db
from ret_app.kernel import events, submissions, uow
from ret_app.kernel.errors import RuleError
from ret_app.labels import ATTACHMENT_TYPE_LABELS as TYPE_LABELS
from ret_app.models import Attachment, Case, User
from ret_app.referrals.events import AttachmentAdded, AttachmentRemoved

log = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"

EXTENSIONS = {PDF: (".pdf",), DOCX: (".docx",), PNG: (".png",), JPEG: (".jpg", ".jpeg")}
assert set(TYPE_LABELS) == set(EXTENSIONS)
ACCEPT = ",".join(ext for exts in EXTENSIONS.values() for ext in exts)

_KEY_RE = re.compile(r"^[0-9a-f]{40}$")
# A DOCX's [Content_Types].xml is a few kB; anything much larger is not a document we want to inspect.
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024


class AttachmentMissing(Exception):
    """The stored file is gone or no longer matches its checksum."""


def _is_docx(data: bytes) -> bool:
    """A Word document: a ZIP with [Content_Types].xml declaring a (macro-free) main document in word/."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
                return False
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return False  # macro-enabled (.docm) under a .docx name
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _MAX_CONTENT_TYPES_BYTES:
                return False
            content_types = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, NotImplementedError):
        return False
    return b"wordprocessingml.document.main+xml" in content_types


def detect_type(data: bytes) -> Optional[str]:
    """The content type by the file's own bytes, or None when it is not an accepted kind."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    return None


def display_name(filename: Optional[str], content_type: str) -> str:
    """The name shown and offered on download: no path, no control characters, and an extension
    that says what the content really is (scan.pdf holding a PNG becomes scan.png)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip().strip(".")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem.strip() or str(_("attachment"))
    extension = "." + ext.lower() if ext else ""
    if extension not in EXTENSIONS[content_type]:
        extension = EXTENSIONS[content_type][0]
    return stem[: 255 - len(extension)] + extension


def mask_numbers(text: str) -> str:
    """Hide long digit runs (a BSN, a phone number) in a text meant for the timeline."""
    return re.sub(r"\d[\d .\-_]{6,}\d", lambda m: "…" if sum(ch.isdigit() for ch in m.group()) >= 8 else m.group(),
                  text)


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} kB"


# --- storage -----------------------------------------------------------------------------------

def storage_root() -> Path:
    root = Path(current_app.config["ATTACHMENT_DIR"])
    if not root.is_absolute():
        root = Path(current_app.root_path).parent / root
    root = root.resolve()
    static = Path(current_app.static_folder or "static").resolve()
    if root == static or static in root.parents:
        raise RuntimeError("ATTACHMENT_DIR must lie outside static/: attachments are served through the policy")
    return root


def _path(storage_key: str) -> Path:
    if not _KEY_RE.match(storage_key):
        raise AttachmentMissing("malformed storage key")
    return storage_root() / storage_key[:2] / storage_key


def _write(storage_key: str, data: bytes) -> None:
    path = _path(storage_key)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def discard_file(storage_key: str) -> None:
    try:
        _path(storage_key).unlink(missing_ok=True)
    except (OSError, AttachmentMissing):
        log.warning("could not remove attachment file %s", storage_key[:8])


def read(attachment: Attachment) -> bytes:
    """The stored bytes, checked against the checksum taken at upload."""
    try:
        data = _path(attachment.storage_key).read_bytes()
    except OSError as error:
        raise AttachmentMissing("file not found") from error
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise AttachmentMissing("checksum mismatch")
    return data


# --- services ----------------------------------------------------------------------------------

def add_attachment(case: Case, actor: User, upload: FileStorage, submission_key: Optional[str] = None) -> Attachment:
    """The file stored and its row added; the same form sent twice (its `submission_key`) adds it once
    (the second time nothing is written)."""
    key = submissions.clean(submission_key)
    done = submissions.find(Attachment, key, Attachment.case_id == case.id)
    if done is not None:
        return done
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise RuleError(_l("The file is larger than %(size)s. Make it smaller or split it.", size=human_size(limit)),
                        "file")
    if not data:
        raise RuleError(_l("The file is empty."), "file")
    content_type = detect_type(data)
    if content_type is None:
        raise RuleError(_l("Only PDF, Word (.docx), PNG and JPEG files can be attached. "
                           "This file is none of these, whatever its name says."), "file")
    storage_key = secrets.token_hex(20)
    attachment = Attachment(filename=display_name(upload.filename, content_type), content_type=content_type,
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(), storage_key=storage_key,
                            uploaded_by_id=actor.id, submission_key=key)
    _write(storage_key, data)
    # The file exists before its row is committed: it goes again when the row is not kept.
    uow.when_rolled_back(lambda: discard_file(storage_key))
    def create() -> Attachment:
        case.attachments.append(attachment)
        db.session.flush()
        return attachment

    try:
        attachment, created = submissions.create_once(Attachment, key, create, Attachment.case_id == case.id)
        if not created:  # the same form, sent at the same moment, stored it first
            discard_file(storage_key)
            return attachment
        events.emit(AttachmentAdded(actor=actor, case=case, object_id=attachment.id, content_type=content_type,
                                    size=len(data), summary=mask_numbers(attachment.filename)))
    except Exception:
        discard_file(storage_key)
        raise
    return attachment


def remove_attachment(case: Case, actor: User, attachment: Attachment) -> str:
    """Delete the row; its file is removed once that is committed. Returns the storage key."""
    storage_key = attachment.storage_key
    attachment_id = attachment.id
    name = attachment.filename
    case.attachments.remove(attachment)
    db.session.flush()
    events.emit(AttachmentRemoved(actor=actor, case=case, object_id=attachment_id, summary=mask_numbers(name)))
    uow.when_committed(lambda: discard_file(storage_key))
    return storage_key


def download(case: Case, attachment: Attachment) -> bytes:
    """The file's bytes for a download (audited as an export); AttachmentMissing when the stored
    file is gone or altered (audited as a failed export)."""
    try:
        data = read(attachment)
    except AttachmentMissing as error:
        log.error("attachment %s of case %s cannot be served: %s", attachment.id, case.id, error)
        audit.record(audit.Action.EXPORT, outcome=audit.Outcome.FAILED, object_type="attachment",
                     object_id=attachment.id, case_id=case.id, detail=str(error))
        raise
    audit.record(audit.Action.EXPORT, object_type="attachment", object_id=attachment.id, case_id=case.id,
                 detail="download")
    return data
