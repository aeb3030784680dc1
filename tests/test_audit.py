"""Audit trail (NEN 7513): events for sign-in, sign-out, user and mandate management and denied
access; no secrets in events; the hash chain and `flask verify-audit`."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import func, insert, select, text

from ret_app import audit
from ret_app.extensions import db
from ret_app.models import AuditEvent, AuditHead, Mandate, User
from tests.conftest import TEST_PASSWORD, csrf_token, login, path_of, post_form

ADDRESS = "192.0.2.44"
COLUMNS = ("seq", "occurred_at", "user_id", "user_name", "user_role", "organisation_name", "on_behalf_of",
           "action", "object_type", "object_id", "case_id", "outcome", "ip_address", "detail",
           "prev_hash", "hash")


# --- helpers -------------------------------------------------------------------------


def events(app, **where) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).order_by(AuditEvent.seq)
        for name, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, name) == value)
        rows = list(db.session.scalars(stmt))
        for row in rows:
            db.session.expunge(row)
        return rows


def one(app, **where) -> AuditEvent:
    rows = events(app, **where)
    assert len(rows) == 1, [(e.action, e.outcome, e.detail) for e in rows]
    return rows[0]


def client_from(app, address: str = ADDRESS):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def password_step(client, email: str, password: str = TEST_PASSWORD):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen", data={"csrf_token": token, "email": email, "password": password})


def code_step(client, code: str):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen/verificatie", data={"csrf_token": token, "code": code})


def secret_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).totp_secret


def run_verify(app, *options: str):
    result = app.test_cli_runner().invoke(args=["verify-audit", *options])
    output = result.output + (getattr(result, "stderr", "") or "")
    return result.exit_code, output


def some_events(app, n: int = 6) -> None:
    with app.app_context():
        for i in range(n):
            audit.record(audit.Action.READ, object_type="test", object_id=i, detail=f"event={i}")
        db.session.commit()


# --- sign-in and sign-out ----------------------------------------------------------------

def test_login_success_is_audited_with_user_and_address(app, factory):
    user = factory.user("chair")
    c = client_from(app)
    password_step(c, user.email)
    r = code_step(c, pyotp.TOTP(secret_of(app, user.id)).now())
    assert r.status_code == 302
    logins = events(app, action="login", outcome="allowed")
    assert [e.detail for e in logins] == ["password_ok_awaiting_2fa", "signed_in_totp"]
    for e in logins:
        assert e.user_id == user.id and e.ip_address == ADDRESS
        assert e.object_type == "user" and e.object_id == str(user.id)
        assert e.user_name == user.name and e.user_role == "chair"
        assert e.organisation_name
        assert e.occurred_at.tzinfo is not None


def test_login_failures_are_audited(app, factory):
    user = factory.user("chair")
    c = client_from(app)
    password_step(c, "onbekend@test.example", "iets willekeurigs hier")
    password_step(c, user.email, "het verkeerde wachtwoord")
    failed = events(app, action="login", outcome="failed")
    assert [e.detail for e in failed] == ["unknown_account", "bad_password"]
    unknown, wrong = failed
    assert unknown.user_id is None and unknown.object_id is None and unknown.ip_address == ADDRESS
    assert unknown.object_type == "user"
    assert wrong.user_id == user.id and wrong.object_id == str(user.id) and wrong.ip_address == ADDRESS
    assert wrong.object_type == "user"
    # The attempted address is not recorded as free text either.
    assert all("onbekend@test.example" not in str(getattr(e, col)) for e in failed for col in COLUMNS)


def test_throttled_login_is_audited_as_denied(app, factory):
    user = factory.user("chair")
    c = client_from(app)
    with freeze_time(datetime.now(timezone.utc)):
        for _ in range(app.config["LOGIN_SLOWDOWN_AFTER"]):
            password_step(c, user.email, "het verkeerde wachtwoord")
        password_step(c, user.email)
    e = events(app, action="login")[-1]
    assert (e.outcome, e.detail, e.user_id, e.ip_address) == ("denied", "throttled", user.id, ADDRESS)


def test_second_factor_failure_is_audited(app, factory):
    user = factory.user("chair")
    c = client_from(app)
    with freeze_time(datetime.now(timezone.utc)):
        password_step(c, user.email)
        good = pyotp.TOTP(secret_of(app, user.id)).now()
        code_step(c, f"{(int(good) + 500_000) % 1_000_000:06d}")
    e = one(app, action="2fa", outcome="failed")
    assert (e.user_id, e.ip_address, e.object_type, e.object_id, e.detail) == (
        user.id, ADDRESS, "user", str(user.id), "totp")


def test_logout_is_audited(app, factory):
    user = factory.user("chair")
    c = client_from(app)
    login(c, app, user)
    r = post_form(c, "/uitloggen", {})
    assert r.status_code == 302
    e = one(app, action="logout")
    assert (e.user_id, e.outcome, e.ip_address, e.object_type, e.object_id) == (
        user.id, "allowed", ADDRESS, "user", str(user.id))


# --- user and mandate management ---------------------------------------------------------

def test_user_creation_role_change_and_deactivation_are_audited(app, factory):
    admin = factory.user("admin")
    c = client_from(app)
    login(c, app, admin)
    org = factory.organisation(kind="ret")
    r = post_form(c, "/beheer/gebruikers/nieuw",
                  {"name": "Nieuwe Voorzitter", "email": "nieuw.audit@test.example", "role": "chair",
                   "organisation_id": str(org.id)}, token_from="/beheer/gebruikers/nieuw")
    assert r.status_code == 200
    with app.app_context():
        new_id = db.session.scalar(select(User.id).where(User.email == "nieuw.audit@test.example"))
    created = one(app, action="create", object_type="user")
    assert (created.object_id, created.user_id, created.outcome, created.ip_address) == (
        str(new_id), admin.id, "allowed", ADDRESS)
    assert "role=chair" in created.detail
    # No personal data of the new user in the event.
    assert all("nieuw.audit@test.example" not in str(getattr(created, col)) for col in COLUMNS)
    assert all("Nieuwe Voorzitter" not in str(getattr(created, col)) for col in COLUMNS)

    r = post_form(c, f"/beheer/gebruikers/{new_id}",
                  {"name": "Nieuwe Voorzitter", "email": "nieuw.audit@test.example", "role": "analyst",
                   "organisation_id": str(org.id)}, token_from=f"/beheer/gebruikers/{new_id}")
    assert r.status_code == 302
    changed = one(app, action="update", object_type="user", object_id=str(new_id))
    assert changed.user_id == admin.id and changed.ip_address == ADDRESS
    assert "role=chair->analyst" in changed.detail

    r = post_form(c, f"/beheer/gebruikers/{new_id}/deactiveren", {}, token_from=f"/beheer/gebruikers/{new_id}")
    assert r.status_code == 302
    updates = events(app, action="update", object_type="user", object_id=str(new_id))
    assert [e.detail for e in updates][-1] == "deactivated"
    assert updates[-1].user_id == admin.id and updates[-1].outcome == "allowed"


def test_mandate_registration_and_revocation_are_audited(app, factory):
    admin = factory.user("admin")
    region = factory.region()
    municipality = factory.municipality(region.id)
    holder = factory.user("caseworker")
    c = client_from(app)
    login(c, app, admin)
    today = date.today()
    r = post_form(c, "/beheer/mandaten/nieuw", {
        "holder_id": str(holder.id), "municipality_id": str(municipality.id),
        "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=365)).isoformat(),
        "ceiling_eur": "25000", "care_types": ["ambulatory", "crisis"],
        "granted_by": "College van B&W", "document_reference": "MB-2024-17",
    }, token_from="/beheer/mandaten/nieuw")
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    mandate_id = int(path_of(r).rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.get(Mandate, mandate_id).holder_id == holder.id
    created = one(app, action="create", object_type="mandate")
    assert (created.object_id, created.user_id, created.outcome, created.ip_address) == (
        str(mandate_id), admin.id, "allowed", ADDRESS)

    reason = "Medewerker is per direct uit dienst getreden"
    r = post_form(c, f"/beheer/mandaten/{mandate_id}", {"reason": reason},
                  token_from=f"/beheer/mandaten/{mandate_id}")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Mandate, mandate_id).revoked_at is not None
    revoked = one(app, action="update", object_type="mandate")
    assert (revoked.object_id, revoked.user_id, revoked.detail, revoked.ip_address) == (
        str(mandate_id), admin.id, "revoked", ADDRESS)
    # Free text stays out of the audit trail.
    assert all(reason not in str(getattr(e, col)) for e in events(app) for col in COLUMNS)


# --- denied access -------------------------------------------------------------------------

def test_denied_route_access_is_audited_and_committed(app, factory):
    chair = factory.user("chair")
    c = client_from(app)
    login(c, app, chair)
    r = c.get("/beheer/gebruikers")
    assert r.status_code == 403
    denied = one(app, outcome="denied")
    assert (denied.action, denied.object_type, denied.object_id, denied.user_id, denied.ip_address) == (
        "read", "route", "admin.users", chair.id, ADDRESS)
    assert denied.user_role == "chair"

    # A state-changing request by the wrong role: denied, audited, and nothing changed.
    org = factory.organisation(kind="ret")
    token = csrf_token(c, "/start")
    r = c.post("/beheer/gebruikers/nieuw", data={"csrf_token": token, "name": "X", "email": "x@test.example",
                                                 "role": "admin", "organisation_id": str(org.id)})
    assert r.status_code == 403
    assert [e.object_id for e in events(app, outcome="denied")] == ["admin.users", "admin.user_new"]
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@test.example")) is None
    assert audit_chain_ok(app)


def test_anonymous_request_to_protected_route_is_not_a_denial_event(app, client):
    r = client.get("/beheer/gebruikers")
    assert r.status_code == 302 and path_of(r) == "/inloggen"
    assert events(app, outcome="denied") == []


# --- no secrets ----------------------------------------------------------------------------

def test_no_event_contains_passwords_or_codes(app, factory, caplog):
    user = factory.user("chair")
    wrong_password = "Verkeerd-Wachtwoord-123"
    new_password = "Nieuw-Geheim-Wachtwoord-456"
    codes_used: set[str] = set()
    caplog.set_level("DEBUG")
    with freeze_time(datetime.fromtimestamp((int(time.time()) // 30) * 30 + 5, tz=timezone.utc)) as frozen:
        c = client_from(app)
        password_step(c, user.email, wrong_password)
        password_step(c, user.email)
        secret = secret_of(app, user.id)
        good = pyotp.TOTP(secret).now()
        bad = f"{(int(good) + 500_000) % 1_000_000:06d}"
        code_step(c, bad)
        code_step(c, good)
        codes_used |= {good, bad}
        r = post_form(c, "/account/wachtwoord",
                      {"current_password": wrong_password, "new_password": new_password,
                       "confirm_password": new_password}, token_from="/account/wachtwoord")
        assert r.status_code == 200
        r = post_form(c, "/account/wachtwoord",
                      {"current_password": TEST_PASSWORD, "new_password": new_password,
                       "confirm_password": new_password}, token_from="/account/wachtwoord")
        assert r.status_code == 302
        r = post_form(c, "/herbevestigen", {"password": "nog-een-fout-wachtwoord"}, token_from="/herbevestigen")
        assert r.status_code == 200
        r = post_form(c, "/account/herstelcodes", {}, token_from="/account/")
        recovery = re.findall(r"<li>\s*([a-z0-9]{5}-[a-z0-9]{5})\s*</li>", r.get_data(as_text=True))
        assert recovery
        post_form(c, "/uitloggen", {})
        frozen.tick(timedelta(seconds=30))
        password_step(c, user.email, new_password)
        token = csrf_token(c, "/inloggen")
        c.post("/inloggen/herstelcode", data={"csrf_token": token, "code": recovery[0]})

    rows = events(app)
    details = {e.detail for e in rows}
    assert {"bad_password", "signed_in_totp", "totp", "signed_in_recovery_code",
            "reauthentication_failed", "current_password_wrong"} <= details
    secrets = {TEST_PASSWORD, wrong_password, new_password, "nog-een-fout-wachtwoord", secret,
               *recovery, *(code.replace("-", "") for code in recovery)}
    for e in rows:
        for col in COLUMNS:
            value = str(getattr(e, col) or "")
            for s in secrets:
                assert s.lower() not in value.lower(), (e.seq, col)
            if col not in ("hash", "prev_hash", "occurred_at"):
                for code in codes_used:
                    assert code not in value, (e.seq, col)
    for s in secrets | codes_used:
        assert s not in caplog.text


# --- the hash chain ---------------------------------------------------------------------------

def audit_chain_ok(app) -> bool:
    """Independent check: seq gapless from 1, each prev_hash the previous hash, hashes recomputed,
    the head at the newest event."""
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        head = db.session.get(AuditHead, 1)
        assert [e.seq for e in rows] == list(range(1, len(rows) + 1))
        previous = audit.GENESIS_HASH
        for e in rows:
            assert e.prev_hash == previous, e.seq
            assert audit.compute_hash(e) == e.hash, e.seq
            assert re.fullmatch(r"[0-9a-f]{64}", e.hash)
            previous = e.hash
        assert (head.seq, head.hash) == (len(rows), previous)
        return True


def test_chain_is_gapless_and_linked_after_real_traffic(app, factory):
    admin = factory.user("admin")
    user = factory.user("chair")
    c = client_from(app)
    login(c, app, admin)
    other = client_from(app, "192.0.2.45")
    password_step(other, user.email, "het verkeerde wachtwoord")
    login(other, app, user)
    other.get("/beheer/gebruikers")
    post_form(c, f"/beheer/gebruikers/{user.id}/deactiveren", {}, token_from=f"/beheer/gebruikers/{user.id}")
    post_form(c, "/uitloggen", {})
    rows = events(app)
    assert len(rows) >= 8
    assert audit_chain_ok(app)
    code, output = run_verify(app)
    assert code == 0, output
    assert str(len(rows)) in output


def test_verify_audit_on_empty_and_intact_chain(app):
    code, output = run_verify(app)
    assert code == 0, output
    some_events(app, 5)
    code, output = run_verify(app)
    assert code == 0, output
    assert "5" in output


@pytest.mark.parametrize("column, value", [
    ("detail", "'event=99'"),
    ("outcome", "'denied'"),
    ("user_id", "424242"),
    ("ip_address", "'203.0.113.1'"),
])
def test_verify_audit_detects_altered_content(app, column, value):
    some_events(app, 6)
    with app.app_context():
        db.session.execute(text(f"UPDATE audit_event SET {column} = {value} WHERE seq = 3"))
        db.session.commit()
    code, output = run_verify(app)
    assert code != 0
    assert re.search(r"\bseq 3\b", output), output
    assert not re.search(r"\bseq [124]\b", output)


def test_verify_audit_detects_a_deleted_middle_event(app):
    some_events(app, 6)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
        db.session.commit()
    code, output = run_verify(app)
    assert code != 0
    # The first event that no longer links up is seq 4.
    assert re.search(r"\bseq 4\b", output), output


def test_verify_audit_detects_deleted_newest_events(app):
    some_events(app, 6)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event WHERE seq = 6"))
        db.session.commit()
    code, output = run_verify(app)
    assert code != 0
    assert re.search(r"\bseq 6\b", output), output
    assert "head" in output.lower()


def test_verify_audit_detects_a_relinked_forgery(app):
    """Rewriting one event and recomputing its own hash still breaks the next event's link."""
    some_events(app, 6)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == 2))
        event.detail = "forged"
        event.hash = audit.compute_hash(event)
        db.session.commit()
    code, output = run_verify(app)
    assert code != 0
    assert re.search(r"\bseq 3\b", output), output


def test_verify_audit_detects_a_swapped_order(app):
    some_events(app, 4)
    with app.app_context():
        db.session.execute(text("UPDATE audit_event SET seq = 100 WHERE seq = 2"))
        db.session.execute(text("UPDATE audit_event SET seq = 2 WHERE seq = 3"))
        db.session.execute(text("UPDATE audit_event SET seq = 3 WHERE seq = 100"))
        db.session.commit()
    code, output = run_verify(app)
    assert code != 0
    assert re.search(r"\bseq 2\b", output), output


# --- linking after the commit, durable events, checkpoints ------------------------------------

def test_events_of_a_unit_are_written_with_its_commit_and_then_linked(app):
    from ret_app.kernel.uow import unit_of_work

    with app.app_context():
        with unit_of_work():
            audit.record(audit.Action.UPDATE, object_type="test", object_id=1, detail="in the unit")
            assert db.session.scalar(select(AuditEvent).where(AuditEvent.detail == "in the unit")) is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.detail == "in the unit"))
        assert event is not None and event.seq is not None and event.hash
    assert audit_chain_ok(app)


def test_a_rolled_back_unit_keeps_reads_denials_and_failures_only(app):
    from ret_app.kernel.uow import unit_of_work

    with app.app_context():
        with pytest.raises(RuntimeError), unit_of_work():
            audit.record(audit.Action.READ, object_type="test", detail="shown")
            audit.record(audit.Action.UPDATE, object_type="test", detail="changed")
            audit.record(audit.Action.UPDATE, outcome=audit.Outcome.DENIED, object_type="test", detail="denied")
            audit.record(audit.Action.EXPORT, outcome=audit.Outcome.FAILED, object_type="test", detail="failed")
            raise RuntimeError("the request failed after these events")
    assert [e.detail for e in events(app, object_type="test")] == ["shown", "denied", "failed"]
    assert audit_chain_ok(app)


def test_a_failing_page_still_records_the_read(app, factory):
    """A case page that fails after loading the case: the read happened and stays in the trail."""
    region = factory.region()
    municipality = factory.municipality(region.id)
    team = factory.organisation("access_team", region_id=region.id, municipality_id=municipality.id)
    caseworker = factory.user("caseworker", team.id)
    case_id = factory.case(caseworker, municipality, status="concept")
    client = client_from(app)
    login(client, app, caseworker)
    # The family member does not exist: 404 after the case was read (and the request rolled back).
    assert client.get(f"/casussen/{case_id}/aanmelding/gezin/987654").status_code == 404
    reads = events(app, action="read", case_id=case_id)
    assert [(e.object_type, e.outcome) for e in reads][-1] == ("case", "allowed")


def test_verify_audit_continues_from_its_checkpoint(app):
    some_events(app, 5)
    code, output = run_verify(app)
    assert code == 0 and "5 events verified from the first event" in output, output
    some_events(app, 3)
    code, output = run_verify(app)
    assert code == 0 and "3 events verified from checkpoint seq 5" in output, output
    code, output = run_verify(app, "--full")
    assert code == 0 and "8 events verified from the first event" in output, output


def test_an_incremental_check_still_catches_a_relinked_history(app):
    """Rewriting an event before the checkpoint and re-linking every later event (and the head)
    changes the checkpointed event's hash: the incremental check refuses. A check from the first
    event cannot tell such a complete rewrite from the real thing — that is what the checkpoint (and
    a copy of it kept elsewhere, docs/production.md) is for."""
    some_events(app, 6)
    assert run_verify(app)[0] == 0  # checkpoint at seq 6
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        rows[1].detail = "forged"
        previous = rows[0].hash
        for event in rows[1:]:
            event.prev_hash = previous
            event.hash = audit.compute_hash(event)
            previous = event.hash
        head = db.session.get(AuditHead, 1)
        head.hash = previous
        db.session.commit()
    code, output = run_verify(app)
    assert code != 0 and "checkpoint" in output.lower() and re.search(r"\bseq 6\b", output), output
    assert run_verify(app, "--full")[0] == 0  # the limit described above


def test_verify_audit_reports_events_waiting_to_be_linked(app):
    with app.app_context():
        db.session.execute(insert(AuditEvent).values(occurred_at=datetime.now(timezone.utc), action="read",
                                                     outcome="allowed", object_type="test"))
        db.session.commit()
    code, output = run_verify(app)
    assert code == 0 and "1 newer events wait to be linked" in output, output
    result = app.test_cli_runner().invoke(args=["seal-audit"])
    assert "Linked 1 audit events" in result.output
    code, output = run_verify(app)
    assert code == 0 and "wait" not in output
    assert audit_chain_ok(app)


# --- no global lock on reads (PostgreSQL) -----------------------------------------------------

# Seconds of database work a page does inside its transaction (pg_sleep): long enough that the
# threads' own Python work on a 2-core machine does not blur the ratios below.
PAGE_WORK = 0.08


def _units_per_second(app, writers: int, units: int, *, hold_head: bool = False) -> float:
    """`writers` threads, each running `units` units of work that record a read of their own case
    and do PAGE_WORK inside the same transaction. With `hold_head`, each unit first takes the chain
    head's row lock, as every audited read did before (the control: that must serialise)."""
    import threading

    from ret_app.kernel.uow import unit_of_work

    errors: list[BaseException] = []
    start = threading.Barrier(writers + 1)

    def work(case_id: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for _ in range(units):
                    with unit_of_work():
                        if hold_head:
                            db.session.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))
                        audit.record(audit.Action.READ, object_type="case", object_id=case_id, case_id=case_id,
                                     detail="concurrency")
                        db.session.execute(text("SELECT pg_sleep(:s)"), {"s": PAGE_WORK})
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=work, args=(1000 + n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - began
    assert not errors, errors
    return writers * units / elapsed


@pytest.mark.postgres_only
@pytest.mark.committing
def test_audited_reads_of_different_cases_are_not_serialised(app):
    """Every read is audited; the audit trail must not make readers wait for each other. Eight
    concurrent writers reach at least four times the events per second of one; the control run,
    which holds the chain head's lock as every read did before, is at least twice as slow as the
    eight without it (so the measurement does see a global lock); sixteen readers of sixteen cases
    do not wait for each other either; the chain verifies afterwards with nothing left unlinked."""
    one = _units_per_second(app, 1, 20)
    eight = _units_per_second(app, 8, 20)
    assert eight >= 4 * one, (one, eight)
    serialised = _units_per_second(app, 8, 10, hold_head=True)
    assert serialised * 2 < eight, (eight, serialised)
    sixteen = _units_per_second(app, 16, 10)
    assert sixteen >= 4 * one, (one, sixteen)
    print(f"audited units per second: 1 writer {one:.0f}, 8 writers {eight:.0f}, 16 readers {sixteen:.0f}, "
          f"8 writers holding the head lock {serialised:.0f}")
    with app.app_context():
        audit.seal_pending()
        assert audit.pending()[0] == 0
        total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.detail == "concurrency"))
        assert total == 20 + 160 + 80 + 160
    assert audit_chain_ok(app)
    assert run_verify(app, "--full")[0] == 0
