"""Referral attachments: the type decided by content, the size limits, storage outside static/
under a random key, download only through the case policy, and the audit trail."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import select

from ret_app.referrals import attachments
from ret_app.extensions import db
from ret_app.models import Attachment, AuditEvent, CaseEvent, CaseParticipant
from tests.conftest import csrf_token, login

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def office_zip(main_type: str = WORD_MAIN, folder: str = "word", extra: tuple = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         f'content-types"><Override PartName="/{folder}/document.xml" ContentType="{main_type}"/>'
                         f'</Types>')
        archive.writestr(f"{folder}/document.xml", "<w:document/>")
        for name in extra:
            archive.writestr(name, b"\x00")
    return buffer.getvalue()


DOCX = office_zip()


def t(app, msgid: str, **kwargs) -> str:
    with app.test_request_context():
        return str(escape(gettext(msgid, **kwargs)))


@pytest.fixture(autouse=True)
def attachment_dir(app, tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "bijlagen"
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(directory))
    return directory


@pytest.fixture
def world(make_world, factory):
    w = make_world(aliases={"mun": "municipality", "stranger": "other_caseworker", "invited": "provider_member",
                            "invited_org": "provider", "not_invited": "other_provider_member"})
    w.case = factory.case(w.caseworker, w.municipality, status="concept")
    return w


@pytest.fixture
def signed_in(app, client, world):
    login(client, app, world["caseworker"])
    return client


def upload(client, case_id: int, content: bytes, filename: str):
    token = csrf_token(client, "/start")
    return client.post(f"/casussen/{case_id}/bijlagen", content_type="multipart/form-data",
                       data={"csrf_token": token, "attachment-file": (io.BytesIO(content), filename)})


def stored(app, case_id: int) -> list[Attachment]:
    with app.app_context():
        rows = list(db.session.scalars(select(Attachment).where(Attachment.case_id == case_id)))
        db.session.expunge_all()
        db.session.remove()
        return rows


def files_in(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def field_error(body: str) -> str:
    match = re.search(r'id="attachment-file-error">(.*?)</div>', body, re.S)
    return match.group(1).strip() if match else ""


# --- the type by content -----------------------------------------------------------------------

@pytest.mark.parametrize("content,expected", [
    (MINIMAL_PDF, attachments.PDF),
    (PNG, attachments.PNG),
    (JPEG, attachments.JPEG),
    (DOCX, attachments.DOCX),
    (EXE, None),
    (b"<html><script>alert(1)</script></html>", None),
    (b"", None),
    (office_zip(folder="xl", main_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
     None),  # a spreadsheet is a ZIP too
    (office_zip(extra=("word/vbaProject.bin",)), None),  # macros
    (office_zip(main_type="application/vnd.ms-word.document.macroEnabled.main+xml"), None),
    (b"PK\x03\x04 broken zip", None),
    (b" %PDF-1.4 not at the start", None),
])
def test_type_is_decided_by_content(content, expected):
    assert attachments.detect_type(content) == expected


@pytest.mark.parametrize("name,content_type,expected", [
    ("verslag.pdf", attachments.PDF, "verslag.pdf"),
    ("scan.pdf", attachments.PNG, "scan.png"),
    ("foto.JPEG", attachments.JPEG, "foto.jpeg"),
    ("../../etc/passwd", attachments.PDF, "passwd.pdf"),
    ("C:\\Users\\x\\brief.docx", attachments.DOCX, "brief.docx"),
    ('"><script>.pdf', attachments.PDF, "script.pdf"),
    ("", attachments.PDF, None),
])
def test_display_name(app, name, content_type, expected):
    with app.test_request_context():
        result = attachments.display_name(name, content_type)
        assert result == (expected or f"{gettext('attachment')}.pdf")


def test_a_real_pdf_is_stored_outside_static_under_a_random_key(app, signed_in, world, attachment_dir):
    response = upload(signed_in, world["case"], MINIMAL_PDF, "Verslag school.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith("/aanmelding#bijlagen")
    [row] = stored(app, world["case"])
    assert (row.filename, row.content_type, row.size) == ("Verslag school.pdf", "application/pdf", len(MINIMAL_PDF))
    assert row.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{40}", row.storage_key)
    [path] = files_in(attachment_dir)
    assert path.name == row.storage_key and path.read_bytes() == MINIMAL_PDF
    assert "static" not in path.parts
    assert row.uploaded_by_id == world["caseworker"].id
    with app.app_context():
        [event] = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "attachment_added")).all()
        assert event.case_id == world["case"]
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "attachment")).all()
        assert [(a.action, a.case_id) for a in audit] == [("create", world["case"])]
    page = signed_in.get(f"/casussen/{world['case']}/aanmelding").get_data(as_text=True)
    assert "Verslag school.pdf" in page


def test_png_named_pdf_is_stored_as_png(app, signed_in, world):
    assert upload(signed_in, world["case"], PNG, "scan.pdf").status_code == 302
    [row] = stored(app, world["case"])
    assert (row.content_type, row.filename) == ("image/png", "scan.png")


def test_docx_and_jpeg_are_accepted(app, signed_in, world):
    assert upload(signed_in, world["case"], DOCX, "plan.docx").status_code == 302
    assert upload(signed_in, world["case"], JPEG, "foto.jpg").status_code == 302
    assert sorted(r.content_type for r in stored(app, world["case"])) == sorted([attachments.JPEG, attachments.DOCX])


@pytest.mark.parametrize("content,name", [
    (EXE, "rapport.pdf"),
    (b"<html><script>alert(1)</script></html>", "brief.pdf"),
    (office_zip(extra=("word/vbaProject.bin",)), "macro.docx"),
    (b"plain text", "notities.txt"),
])
def test_other_content_is_refused_whatever_its_name(app, signed_in, world, attachment_dir, content, name):
    response = upload(signed_in, world["case"], content, name)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True)) == t(
        app, "Only PDF, Word (.docx), PNG and JPEG files can be attached. This file is none of these, "
             "whatever its name says.")
    assert stored(app, world["case"]) == [] and files_in(attachment_dir) == []


def test_missing_file_is_asked_for(app, signed_in, world):
    token = csrf_token(signed_in, "/start")
    response = signed_in.post(f"/casussen/{world['case']}/bijlagen", data={"csrf_token": token},
                              content_type="multipart/form-data")
    assert field_error(response.get_data(as_text=True)) == t(app, "Choose a file.")


def test_file_over_the_attachment_limit_is_refused_next_to_the_field(app, signed_in, world, monkeypatch,
                                                                     attachment_dir):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    response = upload(signed_in, world["case"], MINIMAL_PDF + b"%" * 2000, "groot.pdf")
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True)) == t(
        app, "The file is larger than %(size)s. Make it smaller or split it.", size="1 kB")
    assert stored(app, world["case"]) == [] and files_in(attachment_dir) == []
    assert upload(signed_in, world["case"], MINIMAL_PDF, "klein.pdf").status_code == 302


def test_request_over_max_content_length_answers_413_in_dutch(app, signed_in, world, monkeypatch, attachment_dir):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = upload(signed_in, world["case"], MINIMAL_PDF + b"%" * 8000, "enorm.pdf")
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert t(app, "File or form too large") in body and '<main id="main"' in body
    assert stored(app, world["case"]) == [] and files_in(attachment_dir) == []


# --- download and the policy -----------------------------------------------------------------

@pytest.fixture
def uploaded(app, signed_in, world):
    assert upload(signed_in, world["case"], MINIMAL_PDF, "Verslag école.pdf").status_code == 302
    return stored(app, world["case"])[0]


def test_download_headers_and_audit(app, signed_in, world, uploaded):
    response = signed_in.get(f"/casussen/{world['case']}/bijlagen/{uploaded.id}")
    assert response.status_code == 200
    assert response.data == MINIMAL_PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Verslag%20%C3%A9cole.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    with app.app_context():
        exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert [(e.object_type, e.object_id, e.case_id, e.outcome) for e in exports] == [
            ("attachment", str(uploaded.id), world["case"], "allowed")]


def test_download_policy(app, client, world, factory, uploaded):
    case_id = world["case"]
    url = f"/casussen/{case_id}/bijlagen/{uploaded.id}"
    for who in ("stranger", "not_invited", "invited", "chair"):
        other = app.test_client()
        login(other, app, world[who])
        # A concept: only the access team sees it, providers and the chair not yet.
        assert other.get(url).status_code == 404, who

    with app.app_context():
        from ret_app.models import Case

        case = db.session.get(Case, case_id)
        case.status = "screening"
        case.consent_collective = True
        db.session.add(CaseParticipant(case_id=case_id, role="provider", organisation_id=world["invited_org"].id,
                                       invited_by_id=world["chair"].id))
        db.session.commit()
        db.session.remove()
    expected = {"stranger": 404, "not_invited": 404, "invited": 200, "chair": 200}
    for who, status in expected.items():
        other = app.test_client()
        login(other, app, world[who])
        assert other.get(url).status_code == status, who
    with app.app_context():
        denied = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "export", AuditEvent.outcome == "denied", AuditEvent.case_id == case_id)).all()
        assert {e.user_id for e in denied} >= {world["stranger"].id, world["not_invited"].id}


def test_attachment_must_belong_to_the_case_in_the_url(app, signed_in, world, factory, uploaded):
    own_other_case = factory.case(world["caseworker"], world["mun"], status="concept")
    assert signed_in.get(f"/casussen/{own_other_case}/bijlagen/{uploaded.id}").status_code == 404
    assert signed_in.get(f"/casussen/{world['case']}/bijlagen/999999").status_code == 404


def test_tampered_file_is_not_served(app, signed_in, world, uploaded, attachment_dir):
    [path] = files_in(attachment_dir)
    path.write_bytes(b"%PDF-1.4 something else")
    response = signed_in.get(f"/casussen/{world['case']}/bijlagen/{uploaded.id}")
    assert response.status_code == 500
    assert b"something else" not in response.data


# --- delete ------------------------------------------------------------------------------------

def test_delete_while_editable(app, signed_in, world, uploaded, attachment_dir):
    token = csrf_token(signed_in, "/start")
    response = signed_in.post(f"/casussen/{world['case']}/bijlagen/{uploaded.id}/verwijderen",
                              data={"csrf_token": token})
    assert response.status_code == 302
    assert stored(app, world["case"]) == [] and files_in(attachment_dir) == []
    with app.app_context():
        deleted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).all()
        assert [(e.object_type, e.case_id) for e in deleted] == [("attachment", world["case"])]


def test_no_upload_or_delete_after_submission(app, signed_in, world, uploaded, attachment_dir):
    with app.app_context():
        from ret_app.models import Case

        db.session.get(Case, world["case"]).status = "submitted"
        db.session.commit()
        db.session.remove()
    token = csrf_token(signed_in, "/start")
    response = signed_in.post(f"/casussen/{world['case']}/bijlagen/{uploaded.id}/verwijderen",
                              data={"csrf_token": token})
    assert response.status_code == 404
    assert upload(signed_in, world["case"], PNG, "later.png").status_code == 404
    assert len(stored(app, world["case"])) == 1 and len(files_in(attachment_dir)) == 1
    # Still downloadable by the team that referred it.
    assert signed_in.get(f"/casussen/{world['case']}/bijlagen/{uploaded.id}").status_code == 200


def test_attachment_dir_inside_static_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(Path(app.static_folder) / "uploads"))
    with app.test_request_context(), pytest.raises(RuntimeError):
        attachments.storage_root()


def test_case_page_panel_lists_attachments_and_links_consent(app, world, signed_in, uploaded):
    """The panel the referrals capability adds to the case page: download links for those who see
    the case, the way to the consent screen for those who record consent, removal only while the
    referral is editable."""
    from flask import render_template_string
    from flask_login import current_user, login_user

    from ret_app.kernel.registry import build_panels
    from ret_app.models import Case, User

    template = ('{% with p = panel.context %}{% include panel.template %}{% endwith %} '
                '{{ "mother"|relation_label }}')

    def render(case):
        [panel] = [p for p in build_panels("details", case, current_user) if p.name == "attachments"]
        return render_template_string(template, case=case, panel=panel)

    with app.test_request_context():
        login_user(db.session.get(User, world["caseworker"].id))
        body = render(db.session.get(Case, world["case"]))
    assert f'/casussen/{world["case"]}/bijlagen/{uploaded.id}"' in body
    assert f'/casussen/{world["case"]}/toestemming"' in body
    assert f'/bijlagen/{uploaded.id}/verwijderen' in body
    with app.test_request_context():
        db.session.get(Case, world["case"]).status = "screening"
        login_user(db.session.get(User, world["chair"].id))
        body = render(db.session.get(Case, world["case"]))
        db.session.rollback()
    assert f'/bijlagen/{uploaded.id}"' in body and "/verwijderen" not in body
    assert "/toestemming" in body  # the chair records consent too
    with app.test_request_context():
        expected = str(escape(gettext("Mother")))
    assert expected in body
