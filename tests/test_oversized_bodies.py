"""A request larger than RET takes is refused with 413 and the Dutch error page (a fragment for htmx),
never a traceback, and nothing of it is saved.

Three limits apply before any form is read (werkzeug, set by Flask from the configuration):
MAX_CONTENT_LENGTH (config.py, 20 MB: the whole body), MAX_FORM_MEMORY_SIZE (Flask's default, 500 kB:
one text field of a multipart form, and a whole URL-encoded form: ret_app/inputs.py, werkzeug does not
apply it there) and MAX_FORM_PARTS (Flask's default, 1,000 fields of a multipart form). An attachment over ATTACHMENT_MAX_BYTES but within the body's limit is refused next to
the field instead (tests/test_attachments.py)."""

from __future__ import annotations

from io import BytesIO

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import Case
from tests.conftest import csrf_token


def dutch(app, msgid: str) -> str:
    with app.test_request_context(), force_locale("nl"):
        text = str(escape(gettext(msgid)))
    with app.test_request_context(), force_locale("en"):
        assert text != str(escape(gettext(msgid))), "translated"
    return text


@pytest.fixture
def concept(app, factory, client, make_world):
    """A caseworker signed in, on a concept referral of theirs: (case id, csrf token)."""
    from tests.conftest import login

    world = make_world()
    case_id = factory.case(world.caseworker, world.municipality)
    with app.app_context():
        db.session.get(Case, case_id).youth_first_name = "Noor"
        db.session.commit()
    login(client, app, world.caseworker)
    return case_id, csrf_token(client, f"/casussen/{case_id}/aanmelding")


def first_name(app, case_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Case.youth_first_name).where(Case.id == case_id))


def assert_413(app, response, htmx: bool) -> None:
    assert response.status_code == 413, response.status_code
    body = response.get_data(as_text=True)
    assert dutch(app, "File or form too large") in body
    assert "Traceback" not in body and 'File "' not in body and "werkzeug" not in body.lower()
    if htmx:
        assert "<html" not in body and 'class="ret-error"' in body  # the fragment the page swaps in
    else:
        assert '<main id="main"' in body and 'href="#main"' in body  # the page, in the layout


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
def test_a_body_over_max_content_length_is_413_in_dutch(app, client, concept, monkeypatch, kind, htmx):
    case_id, token = concept
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    data = {"csrf_token": token, "youth_first_name": "Anders", "urgency": "regular", "question": "x" * 8000}
    kwargs = {"content_type": "multipart/form-data"} if kind == "multipart" else {}
    response = client.post(f"/casussen/{case_id}/aanmelding", data=data,
                           headers={"HX-Request": "true"} if htmx else {}, **kwargs)
    assert_413(app, response, htmx)
    assert first_name(app, case_id) == "Noor"
    # The control: the same form within the limit is read (and refused or saved, but not 413).
    data["question"] = "x" * 100
    assert client.post(f"/casussen/{case_id}/aanmelding", data=data, **kwargs).status_code != 413


def test_the_configured_limit_holds_without_changing_it(app, client, concept):
    """config.py's own MAX_CONTENT_LENGTH (20 MB): one byte over it is refused before it is read."""
    case_id, token = concept
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 20 * 1024 * 1024
    payload = b"%PDF-1.4\n" + b"%" * limit
    response = client.post(f"/casussen/{case_id}/bijlagen",
                           data={"csrf_token": token, "attachment-file": (BytesIO(payload), "enorm.pdf")},
                           content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert_413(app, response, htmx=True)


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
def test_a_text_over_the_form_memory_limit_is_413(app, client, concept, kind):
    """A text field of 600 kB (far more than any text RET keeps; under the body's limit)."""
    case_id, token = concept
    data = {"csrf_token": token, "youth_first_name": "Anders", "urgency": "regular", "question": "é" * 300_000}
    kwargs = {"content_type": "multipart/form-data"} if kind == "multipart" else {}
    response = client.post(f"/casussen/{case_id}/aanmelding", data=data, **kwargs)
    assert_413(app, response, htmx=False)
    assert first_name(app, case_id) == "Noor"
    # The control: a form of 360 kB (a long text, URL-encoded as 6 bytes a letter) is read.
    data["question"] = "é" * 60_000
    assert client.post(f"/casussen/{case_id}/aanmelding", data=data, **kwargs).status_code != 413


def test_too_many_fields_is_413(app, client, concept):
    case_id, token = concept
    data = {"csrf_token": token, "youth_first_name": "Anders", **{f"veld{i}": "x" for i in range(1_100)}}
    response = client.post(f"/casussen/{case_id}/aanmelding", data=data, content_type="multipart/form-data")
    assert_413(app, response, htmx=False)
    assert first_name(app, case_id) == "Noor"


MALFORMED = {
    "multipart without a boundary": ("multipart/form-data", b"youth_first_name=Anders"),
    "multipart cut off": ("multipart/form-data; boundary=XX",
                          b'--XX\r\nContent-Disposition: form-data; name="youth_first_name"\r\n\r\nAnders\r\n--X'),
    "bytes that are not UTF-8": ("application/x-www-form-urlencoded", b"youth_first_name=%FF%FE&question=\xff\xfe"),
    "an unknown charset": ("application/x-www-form-urlencoded; charset=nonsense", b"youth_first_name=Anders"),
    "UTF-16": ("application/x-www-form-urlencoded; charset=utf-16", "youth_first_name=Anders".encode("utf-16")),
    "plain text": ("text/plain", b"youth_first_name=Anders"),
    "broken JSON": ("application/json", b'{"youth_first_name": "Anders"'),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_body_never_gives_500(app, client, concept, name):
    """A body the form cannot read (the CSRF token in its header, as htmx sends it) is read as a form sent
    empty, as test_hostile_input.test_a_json_body_is_not_form_input has it for JSON: never a 500, no
    traceback. (A concept referral may be saved empty: its fields are then cleared, as when every field
    of the form is emptied in the browser.)"""
    case_id, token = concept
    content_type, body = MALFORMED[name]
    response = client.post(f"/casussen/{case_id}/aanmelding", data=body, content_type=content_type,
                           headers={"X-CSRFToken": token})
    assert response.status_code in (200, 302, 400), response.status_code
    assert "Traceback" not in response.get_data(as_text=True)
    if name != "an unknown charset":  # read as UTF-8, as every form RET sends is
        assert first_name(app, case_id) in ("Noor", None, "")  # the unreadable "Anders" never arrives
