"""Notifications ("Meldingen"): each kind raised where its fact happens (a session invitation, a request
to my organisation, an action assigned, a request past its reply-by date, a mandate about to expire,
credential changes), once per fact and user; read / unread / all read over HTTP with the list's
filters; each user's choice per kind (in the app only, by e-mail at once, in the daily digest); the
digest idempotent; every mail without a name, BSN or case reference; a failing mail server that
fails nothing; the `flask` commands; the list's and the header's query counts (5 vs 100)."""

from __future__ import annotations

import re
import socket
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.kernel import uow
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    Case, CaseParticipant, Mandate, Notification, NotificationPreference, ProviderRequest, User,
)
from ret_app.notifications import notify, reactions, services, watch
from tests.conftest import TEST_PASSWORD, csrf_token, login

TODAY = date.today()


# --- helpers ---------------------------------------------------------------------------------------

@pytest.fixture
def outbox(app):
    """The mails sent during the test (Flask-Mailman's locmem backend in TestConfig)."""
    mailman = app.extensions["mailman"]
    mailman.outbox = []
    yield mailman.outbox
    mailman.outbox = []


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def post(client, path, data=None, token_from="/start"):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **(data or {})})


def rows_of(app, user_id, kind=None) -> list[Notification]:
    with app.app_context():
        stmt = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        rows = list(db.session.scalars(stmt))
        for row in rows:
            db.session.expunge(row)
        return rows


def mails_to(outbox, user) -> list:
    return [m for m in outbox if m.to == [user.email]]


def choose(app, user, kind, delivery):
    with app.app_context():
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))
        db.session.commit()


@pytest.fixture
def w(make_world, factory, app):
    """A case in process direction (director, collective consent) with a BSN, and what identifies it."""
    w = make_world()
    w.case_id = factory.case(w.caseworker, w.municipality, status="process_direction", consent_ret=True,
                             consent_collective=True, track="process_direction", process_director_id=w.director.id,
                             submitted_at=utcnow(), intake_at=utcnow(), youth_bsn="111222333")
    with app.app_context():
        db.session.add(CaseParticipant(case_id=w.case_id, role="ret_member", user_id=w.director.id,
                                       invited_by_id=w.chair.id))
        case = db.session.get(Case, w.case_id)
        w.secrets = [case.reference, case.youth_first_name, case.youth_last_name, "111222333",
                     w.caseworker.name, w.director.name, w.chair.name, w.provider_member.name, w.provider.name,
                     w.municipality.name]
        db.session.commit()
    return w


def ask(app, w, reply_by=None, role="lead_provider"):
    """The process director asks the world's provider (over HTTP); returns the request's id."""
    from ret_app.commitments.services import new_submission_key

    client = client_for(app, w.director)
    response = post(client, f"/casussen/{w.case_id}/verzoeken", {
        "providers": [str(w.provider.id)], "role": role, "care_type": "ambulatory",
        "question": "Kunt u de behandeling oppakken?",
        "reply_by": (reply_by or TODAY + timedelta(days=3)).isoformat(), "submission_key": new_submission_key()})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        return db.session.scalar(select(ProviderRequest.id).where(ProviderRequest.case_id == w.case_id)
                                 .order_by(ProviderRequest.id.desc()).limit(1))


def assert_no_personal_data(messages, secrets):
    assert messages, "no mail to check: the assertion would measure nothing"
    for message in messages:
        text = f"{message.subject}\n{message.body}"
        for secret in secrets:
            assert secret not in text, f"{secret!r} in a mail: {text}"
        assert not re.search(r"RET-\d{4}-\d+", text), text  # no case reference of any form
        assert "/casussen/" not in text and "/verzoeken/" not in text  # no ids of cases or requests


# --- notify: once per fact and user ----------------------------------------------------------------

def test_the_same_fact_notifies_each_user_once(app, ctx, make_world):
    w = make_world()
    first = notify([w.chair, w.director.id, w.chair], reactions.REQUEST_OVERDUE, "/verzoeken/1", "test:fact-1")
    again = notify([w.chair, w.director], reactions.REQUEST_OVERDUE, "/verzoeken/1", "test:fact-1")
    later = notify([w.chair, w.member], reactions.REQUEST_OVERDUE, "/verzoeken/1", "test:fact-1")
    assert len(first) == 2 and again == [] and len(later) == 1
    rows = db.session.scalars(select(Notification).where(Notification.key == "test:fact-1")).all()
    assert sorted(r.user_id for r in rows) == sorted([w.chair.id, w.director.id, w.member.id])


@pytest.mark.parametrize("link", ["https://elders.example/x", "//elders.example/x", "verzoeken/1", "/a b", "/\\x"])
def test_a_notification_links_only_to_a_path_in_ret(app, ctx, make_world, link):
    w = make_world()
    with pytest.raises(ValueError):
        notify([w.chair], reactions.REQUEST_OVERDUE, link, "test:link")


def test_an_unregistered_kind_is_refused(app, ctx, make_world):
    w = make_world()
    with pytest.raises(ValueError):
        notify([w.chair], "no_such_kind", "/start", "test:kind")


# --- each kind, raised where its fact happens ---------------------------------------------------------

def test_planning_a_session_invites_and_notifies_the_region_s_ret_but_not_the_chair_who_planned(app, w):
    chair = client_for(app, w.chair)
    day = TODAY + timedelta(days=7)
    response = post(chair, "/overleggen/nieuw", {"date": day.isoformat(), "start_time": "14:00",
                                                 "duration_minutes": "90", "location": "Zaal", "online_url": "",
                                                 "chair_id": str(w.chair.id)})
    assert response.status_code == 302
    meeting_path = response.headers["Location"]
    for user in (w.director, w.member):
        rows = rows_of(app, user.id, reactions.SESSION_INVITATION)
        assert len(rows) == 1 and rows[0].link == meeting_path and rows[0].read_at is None
        assert rows[0].words == f"{day:%d-%m-%Y} 14:00"
    assert rows_of(app, w.chair.id, reactions.SESSION_INVITATION) == []
    # The caseworker is invited once the case is on the agenda.
    assert post(chair, f"{meeting_path}/agenda", {"case_id": str(w.case_id), "purpose": "progress"}).status_code == 302
    assert len(rows_of(app, w.caseworker.id, reactions.SESSION_INVITATION)) == 1
    assert rows_of(app, w.other_caseworker.id) == []


def test_a_request_notifies_the_provider_members_of_the_organisation_asked(app, w, outbox):
    request_id = ask(app, w)
    rows = rows_of(app, w.provider_member.id, reactions.REQUEST_TO_ORGANISATION)
    assert len(rows) == 1 and rows[0].link == f"/verzoeken/{request_id}"
    assert rows_of(app, w.other_provider_member.id) == [] and rows_of(app, w.director.id) == []
    # The kind's default is "at once": one mail, to the provider member only.
    assert len(mails_to(outbox, w.provider_member)) == 1 and len(outbox) == 1
    assert_no_personal_data(outbox, w.secrets)
    assert "http://localhost/meldingen" in outbox[0].body
    assert rows_of(app, w.provider_member.id)[0].mailed_at is not None


def test_an_action_notifies_its_owner_not_whoever_agreed_it(app, w):
    from ret_app.meetings import actions

    with app.app_context():
        with uow.unit_of_work():
            case = db.session.get(Case, w.case_id)
            chair = db.session.get(User, w.chair.id)
            action, created = actions.create(case, {"description": "Gesprek plannen", "owner": f"u{w.caseworker.id}",
                                                    "due_date": TODAY + timedelta(days=5),
                                                    "submission_key": "notify-action-key-1234"}, chair)
            assert created
    rows = rows_of(app, w.caseworker.id, reactions.ACTION_ASSIGNED)
    assert len(rows) == 1 and rows[0].link == "/acties/" and rows[0].words == f"{TODAY + timedelta(days=5):%d-%m-%Y}"
    assert rows_of(app, w.chair.id) == []


def test_an_open_action_due_notifies_its_owner_once_per_due_date(app, w):
    from ret_app.meetings import actions
    from ret_app.models import CaseAction

    def run(day):
        with app.app_context():
            with uow.unit_of_work():
                return watch.notify_actions_due(day)

    with app.app_context():
        with uow.unit_of_work():
            case = db.session.get(Case, w.case_id)
            chair = db.session.get(User, w.chair.id)
            mine, _ = actions.create(case, {"description": "Gesprek plannen", "owner": f"u{w.caseworker.id}",
                                            "due_date": TODAY + timedelta(days=2),
                                            "submission_key": "notify-action-due-1234"}, chair)
            theirs, _ = actions.create(case, {"description": "Plek zoeken", "owner": f"u{w.director.id}",
                                              "due_date": TODAY + timedelta(days=4),
                                              "submission_key": "notify-action-due-5678"}, chair)
            mine_id, theirs_id = mine.id, theirs.id
    assert run(TODAY) == 0  # nothing due yet
    assert run(TODAY + timedelta(days=2)) == 1 and run(TODAY + timedelta(days=3)) == 0  # once, also when late
    rows = rows_of(app, w.caseworker.id, reactions.ACTION_DUE)
    assert [(r.link, r.words) for r in rows] == [("/acties/", f"{TODAY + timedelta(days=2):%d-%m-%Y}")]
    # Done before its date: nobody hears of it; a later date notifies again when it comes.
    with app.app_context():
        db.session.get(CaseAction, theirs_id).status = "done"
        db.session.get(CaseAction, mine_id).due_date = TODAY + timedelta(days=9)
        db.session.commit()
    assert run(TODAY + timedelta(days=5)) == 0
    assert run(TODAY + timedelta(days=9)) == 1
    assert len(rows_of(app, w.caseworker.id, reactions.ACTION_DUE)) == 2
    assert rows_of(app, w.chair.id, reactions.ACTION_DUE) == rows_of(app, w.director.id, reactions.ACTION_DUE) == []


def _late_request(app, w, days_late=2) -> int:
    with app.app_context():
        row = ProviderRequest(case_id=w.case_id, organisation_id=w.provider.id, role="lead_provider",
                              care_type="ambulatory", question="Vraag", reply_by=TODAY - timedelta(days=days_late),
                              requested_by_id=w.director.id, submission_key=f"late-{w.case_id}-{days_late}")
        db.session.add(row)
        db.session.commit()
        return row.id


def flag(app, day):
    with app.app_context():
        with uow.unit_of_work():
            return watch.flag_overdue_requests(day)


def test_a_request_past_its_reply_by_date_notifies_the_director_and_the_chair_once(app, w):
    request_id = _late_request(app, w)
    on_time = ask(app, w, reply_by=TODAY + timedelta(days=2), role="co_provider")
    assert flag(app, TODAY) == 2
    for user in (w.director, w.chair):
        rows = rows_of(app, user.id, reactions.REQUEST_OVERDUE)
        assert [r.link for r in rows] == [f"/verzoeken/{request_id}"]
    assert rows_of(app, w.member.id) == [] and rows_of(app, w.elsewhere.chair.id) == []
    assert flag(app, TODAY) == 0  # the job again: nobody twice
    # Two days later the other request is late too: only that one is new.
    assert flag(app, TODAY + timedelta(days=3)) == 2
    assert {r.link for r in rows_of(app, w.chair.id, reactions.REQUEST_OVERDUE)} == {
        f"/verzoeken/{request_id}", f"/verzoeken/{on_time}"}


def test_a_mandate_expiring_within_30_days_notifies_its_holder_and_the_administrators_once(app, w, factory, ctx):
    soon = factory.mandate(w.caseworker.id, w.municipality.id, valid_until=TODAY + timedelta(days=20))
    factory.mandate(w.colleague.id, w.municipality.id, valid_until=TODAY + timedelta(days=40))  # not yet
    factory.mandate(w.other_caseworker.id, w.municipality.id, valid_until=TODAY + timedelta(days=5), revoked=True)
    made = watch.notify_expiring_mandates(TODAY)
    holder = rows_of(app, w.caseworker.id, reactions.MANDATE_EXPIRING)
    assert [r.link for r in holder] == ["/mandaten/"]
    assert [r.link for r in rows_of(app, w.admin.id, reactions.MANDATE_EXPIRING)] == [f"/beheer/mandaten/{soon.id}"]
    assert rows_of(app, w.colleague.id) == [] and rows_of(app, w.other_caseworker.id) == []
    assert made >= 2
    assert watch.notify_expiring_mandates(TODAY) == 0
    # Extended, and again near its new end: a new notice.
    db.session.get(Mandate, soon.id).valid_until = TODAY + timedelta(days=25)
    db.session.flush()
    assert watch.notify_expiring_mandates(TODAY) >= 1
    assert len(rows_of(app, w.caseworker.id, reactions.MANDATE_EXPIRING)) == 2


# --- reading: the list, read / unread, all read -------------------------------------------------------

def _some(app, user, n, kind=reactions.SESSION_INVITATION, prefix="test"):
    with app.app_context():
        for i in range(n):
            notify([user.id], kind, f"/overleggen/{i + 1}", f"{prefix}:{i}", subject_words=f"{i:02d}-01-2027")
        db.session.commit()


def test_the_list_shows_unread_first_and_marks_read_and_unread(app, w):
    _some(app, w.chair, 3)
    chair = client_for(app, w.chair)
    body = chair.get("/meldingen").get_data(as_text=True)
    assert 'id="notifications-count">3<' in body and "3 ongelezen meldingen" in body
    assert body.count('class="ret-notification ret-notification--unread"') == 3
    first = rows_of(app, w.chair.id)[0]
    response = post(chair, f"/meldingen/{first.id}/gelezen", {"read": "1", "next": "/meldingen?toon=alle"})
    assert response.status_code == 302 and response.headers["Location"] == "/meldingen?toon=alle"
    assert rows_of(app, w.chair.id)[0].read_at is not None
    body = chair.get("/meldingen").get_data(as_text=True)
    assert 'id="notifications-count">2<' in body and f'id="notification-{first.id}"' not in body
    read = chair.get("/meldingen?toon=gelezen").get_data(as_text=True)
    assert f'id="notification-{first.id}"' in read and "Markeer als ongelezen" in read
    post(chair, f"/meldingen/{first.id}/gelezen", {"read": "0"})
    assert rows_of(app, w.chair.id)[0].read_at is None
    response = post(chair, "/meldingen/alles-gelezen", {"next": "/meldingen"})
    assert response.status_code == 302
    assert all(r.read_at is not None for r in rows_of(app, w.chair.id))
    body = chair.get("/start").get_data(as_text=True)
    assert 'id="notifications-count"' not in body and 'id="notifications-link"' in body


def test_opening_a_notification_marks_it_read_and_goes_where_the_user_acts(app, w):
    request_id = ask(app, w)
    member = client_for(app, w.provider_member)
    row = rows_of(app, w.provider_member.id)[0]
    response = post(member, f"/meldingen/{row.id}/openen")
    assert response.status_code == 302 and response.headers["Location"] == f"/verzoeken/{request_id}"
    assert rows_of(app, w.provider_member.id)[0].read_at is not None
    assert member.get(response.headers["Location"]).status_code == 200


def test_the_list_filters_by_kind_and_pages_in_sql(app, w):
    _some(app, w.chair, 30)
    _some(app, w.chair, 2, kind=reactions.REQUEST_OVERDUE, prefix="late")
    chair = client_for(app, w.chair)
    body = chair.get("/meldingen?toon=alle&soort=request_overdue").get_data(as_text=True)
    assert body.count('class="ret-notification ') == 2
    first = chair.get("/meldingen?toon=alle").get_data(as_text=True)
    assert first.count('class="ret-notification ') == 25 and "Volgende pagina" in first
    second = chair.get("/meldingen?toon=alle&page=2").get_data(as_text=True)
    assert second.count('class="ret-notification ') == 7
    # Unknown filter values are the defaults, never an error.
    assert chair.get("/meldingen?toon=x&soort=%00&page=-3").status_code == 200


def test_someone_else_s_notification_answers_404_and_stays_unread(app, w):
    _some(app, w.chair, 1)
    row = rows_of(app, w.chair.id)[0]
    other = client_for(app, w.member)
    assert post(other, f"/meldingen/{row.id}/openen").status_code == 404
    assert post(other, f"/meldingen/{row.id}/gelezen", {"read": "1"}).status_code == 404
    post(other, "/meldingen/alles-gelezen")
    assert rows_of(app, w.chair.id)[0].read_at is None


# --- preferences: app only, at once, digest -------------------------------------------------------------

def test_the_preferences_page_saves_a_choice_per_kind_and_refuses_nonsense(app, w):
    chair = client_for(app, w.chair)
    page = chair.get("/account/meldingen").get_data(as_text=True)
    assert "Uitnodiging voor een RET-overleg" in page and "Uw wachtwoord is gewijzigd" in page
    with app.app_context():
        current = services.preferences(db.session.get(User, w.chair.id))
    wanted = dict(current, session_invitation="mail_now", request_overdue="digest")
    assert post(chair, "/account/meldingen", wanted).status_code == 302
    with app.app_context():
        assert services.preferences(db.session.get(User, w.chair.id)) == wanted
    bad = post(chair, "/account/meldingen", dict(wanted, action_assigned="fax", session_invitation="app"))
    body = bad.get_data(as_text=True)
    assert bad.status_code == 200 and body.count("utrecht-form-field--invalid") == 1
    assert "Kies hoe u deze soort melding krijgt." in body
    # What was chosen is kept: the refused form shows "app" for the session invitations, not the saved choice.
    assert re.search(r'<input checked [^>]*name="session_invitation"[^>]*value="app"', body)
    assert not re.search(r'<input checked [^>]*name="session_invitation"[^>]*value="mail_now"', body)
    missing = post(chair, "/account/meldingen", {k: v for k, v in wanted.items() if k != "mandate_expiring"})
    assert "Kies hoe u deze soort melding krijgt." in missing.get_data(as_text=True)
    with app.app_context():
        assert services.preferences(db.session.get(User, w.chair.id)) == wanted
    assert 'href="/account/meldingen"' in chair.get("/account/").get_data(as_text=True)


@pytest.mark.parametrize("delivery", ["app", "mail_now", "digest"])
def test_each_choice_is_honoured(app, w, outbox, delivery):
    choose(app, w.provider_member, reactions.REQUEST_TO_ORGANISATION, delivery)
    ask(app, w)
    assert len(rows_of(app, w.provider_member.id)) == 1  # always in the app
    assert len(mails_to(outbox, w.provider_member)) == (1 if delivery == "mail_now" else 0)
    with app.app_context():
        with uow.unit_of_work():
            planned = services.send_digest(TODAY)
    assert planned == (1 if delivery == "digest" else 0)
    assert len(mails_to(outbox, w.provider_member)) == (0 if delivery == "app" else 1)
    if delivery == "digest":
        digest = mails_to(outbox, w.provider_member)[0]
        assert "1 × Verzoek aan uw organisatie" in digest.body
        assert_no_personal_data([digest], w.secrets)


def test_the_digest_is_idempotent_and_leaves_out_what_was_read(app, w, outbox):
    for user in (w.chair, w.member):
        choose(app, user, reactions.SESSION_INVITATION, "digest")
    _some(app, w.chair, 3)
    _some(app, w.member, 2)
    with app.app_context():
        first = db.session.scalar(select(Notification).where(Notification.user_id == w.member.id))
        first.read_at = utcnow()
        db.session.commit()
    with app.app_context():
        with uow.unit_of_work():
            assert services.send_digest(TODAY) == 2
    assert "3 nieuwe meldingen" in mails_to(outbox, w.chair)[0].body
    assert "1 nieuwe melding " in mails_to(outbox, w.member)[0].body
    with app.app_context():
        with uow.unit_of_work():
            assert services.send_digest(TODAY) == 0
    assert len(outbox) == 2
    _some(app, w.chair, 1, prefix="later")
    with app.app_context():
        with uow.unit_of_work():
            assert services.send_digest(TODAY) == 1
    assert "1 nieuwe melding " in mails_to(outbox, w.chair)[-1].body


# --- mail that cannot be sent ------------------------------------------------------------------------------

@pytest.fixture
def broken_mail_server(app):
    """SMTP to a port where nothing listens: every connection is refused."""
    mailman = app.extensions["mailman"]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    saved = (mailman.backend, mailman.server, mailman.port, mailman.use_tls, mailman.timeout)
    mailman.backend, mailman.server, mailman.port, mailman.use_tls, mailman.timeout = "smtp", "127.0.0.1", port, False, 2
    yield
    mailman.backend, mailman.server, mailman.port, mailman.use_tls, mailman.timeout = saved


def test_a_failing_mail_server_never_fails_the_request(app, w, outbox, broken_mail_server, caplog):
    request_id = ask(app, w)  # asserts the 302 and that the request was stored
    assert request_id is not None
    rows = rows_of(app, w.provider_member.id)
    assert len(rows) == 1 and rows[0].mailed_at is None  # in the app; the mail did not go
    assert outbox == []
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "ConnectionRefusedError" in logged and w.provider_member.email not in logged


def test_a_digest_that_could_not_be_sent_is_tried_again_next_time(app, w, outbox, broken_mail_server):
    choose(app, w.chair, reactions.SESSION_INVITATION, "digest")
    _some(app, w.chair, 2)
    with app.app_context():
        with uow.unit_of_work():
            assert services.send_digest(TODAY) == 1
    assert all(r.mailed_at is None for r in rows_of(app, w.chair.id))
    with app.app_context():
        with uow.unit_of_work():
            assert services.send_digest(TODAY) == 1  # claimed again: nothing lost


def test_a_failing_mail_server_never_fails_a_credential_change(app, w, broken_mail_server):
    client = client_for(app, w.caseworker)
    new = "een heel ander wachtwoord 42"
    response = post(client, "/account/wachtwoord", {"current_password": TEST_PASSWORD, "new_password": new,
                                                    "confirm_password": new}, token_from="/account/wachtwoord")
    assert response.status_code == 302
    assert [r.kind for r in rows_of(app, w.caseworker.id)] == [reactions.PASSWORD_CHANGED]


# --- credential changes by e-mail ------------------------------------------------------------------------

def test_a_password_change_is_mailed_with_what_and_when(app, w, outbox):
    client = client_for(app, w.caseworker)
    new = "een heel ander wachtwoord 42"
    post(client, "/account/wachtwoord", {"current_password": TEST_PASSWORD, "new_password": new,
                                         "confirm_password": new}, token_from="/account/wachtwoord")
    [message] = mails_to(outbox, w.caseworker)
    assert message.subject == "RET: Uw wachtwoord is gewijzigd"
    assert re.search(r"op \d{2}-\d{2}-\d{4} \d{2}:\d{2}", message.body)
    assert "beheerder" in message.body
    assert_no_personal_data([message], w.secrets)
    assert rows_of(app, w.caseworker.id)[0].mailed_at is not None


def test_new_recovery_codes_are_mailed(app, w, outbox):
    client = client_for(app, w.caseworker)
    assert post(client, "/account/herstelcodes", token_from="/account/").status_code == 200
    [message] = mails_to(outbox, w.caseworker)
    assert message.subject == "RET: Er zijn nieuwe herstelcodes gemaakt"


def test_the_credential_kinds_cannot_be_turned_off(app, w, outbox):
    choose(app, w.caseworker, reactions.RECOVERY_CODES_REPLACED, "app")  # not offered, and not honoured
    client = client_for(app, w.caseworker)
    post(client, "/account/herstelcodes", token_from="/account/")
    assert len(mails_to(outbox, w.caseworker)) == 1
    assert "name=\"recovery_codes_replaced\"" not in client.get("/account/meldingen").get_data(as_text=True)


def test_an_activation_link_is_shown_to_the_administrator_and_mailed_to_the_new_user(app, w, outbox):
    admin = client_for(app, w.admin)
    response = post(admin, "/beheer/gebruikers/nieuw", {"name": "Nieuwe Collega", "email": "nieuw.lid@test.example",
                                                       "role": "ret_member", "organisation_id": str(w.ret.id)},
                    token_from="/beheer/gebruikers/nieuw")
    assert response.status_code == 200
    shown = re.search(r'id="activation-link">([^<]+)<', response.get_data(as_text=True)).group(1)
    [message] = [m for m in outbox if m.to == ["nieuw.lid@test.example"]]
    assert shown in message.body and message.subject == "RET: activeer uw account"
    assert "Nieuwe Collega" not in message.body and "7 dagen" in message.body


def test_a_second_factor_reset_is_mailed_with_the_new_link_and_noted_in_the_list(app, w, outbox):
    admin = client_for(app, w.admin)
    response = post(admin, f"/beheer/gebruikers/{w.caseworker.id}/tweede-factor-resetten",
                    token_from=f"/beheer/gebruikers/{w.caseworker.id}")
    assert response.status_code == 200
    shown = re.search(r'id="activation-link">([^<]+)<', response.get_data(as_text=True)).group(1)
    [message] = mails_to(outbox, w.caseworker)
    assert shown in message.body and "gereset" in message.body
    assert_no_personal_data([message], w.secrets)
    [row] = rows_of(app, w.caseworker.id)
    assert row.kind == reactions.SECOND_FACTOR_RESET and row.mailed_at is not None  # one mail, not two


# --- the commands ---------------------------------------------------------------------------------------

def test_the_commands_run_the_periodic_work_and_are_idempotent(app, w, factory, outbox):
    _late_request(app, w)
    factory.mandate(w.caseworker.id, w.municipality.id, valid_until=TODAY + timedelta(days=10))
    choose(app, w.caseworker, reactions.MANDATE_EXPIRING, "digest")
    runner = app.test_cli_runner()
    assert "Notifications made: 2" in runner.invoke(args=["flag-overdue-requests"]).output
    assert "Notifications made: 0" in runner.invoke(args=["flag-overdue-requests"]).output
    out = runner.invoke(args=["notify-expiring-mandates", "--today", TODAY.isoformat()]).output
    assert "Notifications made: 0" not in out
    assert "Notifications made: 0" in runner.invoke(args=["notify-expiring-mandates"]).output
    first = runner.invoke(args=["send-digest"]).output
    assert "Daily summaries to send: 0" not in first and len(mails_to(outbox, w.caseworker)) == 1
    assert "Daily summaries to send: 0" in runner.invoke(args=["send-digest"]).output
    assert runner.invoke(args=["send-digest", "--today", "gisteren"]).exit_code != 0


# --- query counts ----------------------------------------------------------------------------------------

@pytest.mark.counts_queries("notifications.inbox", "main.start")
def test_the_list_and_the_header_count_do_not_grow_with_the_notifications(app, w, count_queries):
    client = client_for(app, w.chair)
    counts = {}
    have = 0
    for size in (5, 100):
        _some(app, w.chair, size - have, prefix=f"grow{size}")
        have = size
        counts[size] = {}
        for url in ("/meldingen?toon=alle", "/start"):
            client.get(url)
            with count_queries() as statements:
                body = client.get(url).get_data(as_text=True)
            assert f'id="notifications-count">{size}<' in body
            counts[size][url] = len(statements)
    assert counts[5] == counts[100], counts
