"""Password rules (ASVS V2.1), Argon2id hashing and the dummy verification for unknown accounts."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

import config
from ret_app.auth import passwords
from ret_app.auth.passwords import hash_password, password_problem, verify_password
from ret_app.extensions import db
from ret_app.models import AuditEvent, User
from tests.conftest import TEST_PASSWORD, csrf_token, login, post_form

DATA = Path(passwords.__file__).resolve().parent.parent / "data"
STRONG_12 = "kwpd-rtzx-hb"  # exactly 12 characters, not on any list
assert len(STRONG_12) == 12


def _common_from_bundled_list(min_length: int = 12) -> str:
    with gzip.open(DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            word = line.strip()
            if len(word) >= min_length and len(set(word.lower())) >= 4:
                return word
    raise AssertionError("the bundled list has no long entry")


def _dutch_common(min_length: int = 12) -> str:
    for line in (DATA / "common-passwords-nl.txt").read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word and not word.startswith("#") and len(word) >= min_length and len(set(word.lower())) >= 4:
            return word
    raise AssertionError("the Dutch list has no long entry")


# --- the rules themselves -----------------------------------------------------------

def test_length_limits(ctx):
    assert password_problem("kwpd-rtzx-h") is not None  # 11
    assert password_problem(STRONG_12) is None  # 12
    long_ok = ("abcdefghij" * 13)[:128]
    assert password_problem(long_ok) is None  # 128
    assert password_problem(long_ok + "x") is not None  # 129


def test_common_passwords_from_bundled_lists_are_refused(ctx):
    common = _common_from_bundled_list()
    assert password_problem(common) is not None
    # Case and surrounding spaces do not help.
    assert password_problem(common.upper()) is not None
    assert password_problem(f" {common} ") is not None
    assert password_problem(_dutch_common()) is not None
    # Sanity: a similar password that is not on the list passes, so the refusal is the list.
    assert password_problem(common + "-zq7") is None


def test_email_local_part_is_refused(ctx):
    email = "pietje.jansen@gemeente.example"
    assert password_problem("pietje.jansen-zomer", email=email) is not None
    assert password_problem("XXpietje.JANSENyy", email=email) is not None
    assert password_problem("pietje.jansen-zomer", email="iemand.anders@gemeente.example") is None


def test_no_composition_rules(ctx):
    # Only lowercase letters and spaces: fine (no "one digit, one capital" rules).
    assert password_problem("paarse olifant danst traag") is None


def test_hashes_are_argon2id_and_verify(ctx):
    h = hash_password("paarse olifant danst traag")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "paarse olifant danst traag")
    assert not verify_password(h, "paarse olifant danst traaG")
    assert not verify_password("not-a-hash", "whatever")


def test_production_argon2_parameters_meet_owasp_minimum():
    # OWASP: Argon2id with at least 19 MiB memory and 2 iterations.
    assert config.ProductionConfig.ARGON2_MEMORY_COST >= 19456
    assert config.ProductionConfig.ARGON2_TIME_COST >= 2


def test_stored_hash_after_activation_and_change_is_argon2id(app, client, factory, login_as):
    user = login_as("chair")
    r = post_form(client, "/account/wachtwoord",
                  {"current_password": TEST_PASSWORD, "new_password": "een nieuw lang wachtwoord",
                   "confirm_password": "een nieuw lang wachtwoord"}, token_from="/account/wachtwoord")
    assert r.status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
        assert stored.startswith("$argon2id$")
        assert "een nieuw lang wachtwoord" not in stored
        assert verify_password(stored, "een nieuw lang wachtwoord")


# --- rules applied by the forms ------------------------------------------------------

@pytest.mark.parametrize("new_password, accepted", [
    ("kwpd-rtzx-h", False),            # 11 characters
    (STRONG_12, True),                 # 12 characters
    ("a1b2c3d4e5" * 12 + "f6g7h8i9", True),   # 128 characters
    ("a1b2c3d4e5" * 12 + "f6g7h8i9j", False),  # 129 characters
    ("__COMMON__", False),
    ("__LOCALPART__", False),
])
def test_change_password_form_applies_the_rules(app, client, factory, new_password, accepted):
    user = factory.user("chair", email="marieke.bosman@test.example")
    login(client, app, user)
    if new_password == "__COMMON__":
        new_password = _common_from_bundled_list()
    elif new_password == "__LOCALPART__":
        new_password = "marieke.bosman-2024"
    r = post_form(client, "/account/wachtwoord",
                  {"current_password": TEST_PASSWORD, "new_password": new_password,
                   "confirm_password": new_password}, token_from="/account/wachtwoord")
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
        changed = verify_password(stored, new_password)
    if accepted:
        assert r.status_code == 302 and r.headers["Location"].endswith("/account/")
        assert changed
    else:
        assert r.status_code == 200
        assert 'id="new_password-error"' in r.get_data(as_text=True)
        assert not changed
        with app.app_context():
            assert verify_password(db.session.get(User, user.id).password_hash, TEST_PASSWORD)


def test_paste_is_not_blocked_in_password_forms(app, client, factory):
    pages = ["/inloggen"]
    user = factory.user("chair")
    login(client, app, user)
    pages_signed_in = ["/account/wachtwoord", "/herbevestigen"]
    for path in pages_signed_in:
        body = client.get(path).get_data(as_text=True)
        assert 'type="password"' in body, path
        assert "onpaste" not in body.lower(), path
        assert "oncopy" not in body.lower() and "oncut" not in body.lower(), path
    anonymous = app.test_client()
    for path in pages:
        body = anonymous.get(path).get_data(as_text=True)
        assert 'type="password"' in body
        assert "onpaste" not in body.lower()
    # Nor does any script cancel paste events.
    for js in (Path(app.static_folder) / "js").glob("*.js"):
        assert "paste" not in js.read_text(encoding="utf-8").lower(), js
    # The templates (all forms) carry no paste-blocking attribute.
    for template in Path(app.template_folder).rglob("*.html"):
        assert "onpaste" not in template.read_text(encoding="utf-8").lower(), template


# --- unknown account: the dummy verification path --------------------------------------

def test_unknown_email_login_runs_a_dummy_argon2_verification(app, client, monkeypatch):
    calls: list[tuple[str, str]] = []
    real_verify = PasswordHasher.verify

    def spy(self, hash_, password):
        calls.append((hash_ if isinstance(hash_, str) else hash_.decode(), password))
        return real_verify(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    token = csrf_token(client, "/inloggen")
    r = client.post("/inloggen", data={"csrf_token": token, "email": "niemand@test.example",
                                       "password": "een willekeurige poging"})
    assert r.status_code == 200
    assert len(calls) == 1, "an unknown address must cost one Argon2 verification, like a real one"
    dummy_hash, tried = calls[0]
    assert dummy_hash.startswith("$argon2id$")
    assert tried == "een willekeurige poging"
    assert app.extensions["ret_dummy_hash"] == dummy_hash
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.action, event.outcome, event.detail) == ("login", "failed", "unknown_account")


def test_not_yet_activated_account_also_takes_the_dummy_path(app, client, factory, monkeypatch):
    user = factory.user("chair", activated=False)
    calls = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify",
                        lambda self, h, p: calls.append(h) or real_verify(self, h, p))
    token = csrf_token(client, "/inloggen")
    r = client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    assert r.status_code == 200
    assert len(calls) == 1 and str(calls[0]).startswith("$argon2id$")


def test_login_password_longer_than_max_is_refused_without_hashing(app, client, factory, monkeypatch):
    user = factory.user("chair")
    calls = []
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: calls.append(h) or True)
    token = csrf_token(client, "/inloggen")
    r = client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": "x" * 10_000})
    assert r.status_code == 200
    assert calls == []
    assert re.search(r'id="password-error"', r.get_data(as_text=True))
