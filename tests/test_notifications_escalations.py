"""Escalations to the network never sit silently: the network's side acting on an escalation notifies
those who watch it (the chair of the case's region and its process director), not the liaison who
acted nor anyone else; the network's liaison hears of an escalation sent to it and of the RET's reply
or new date (another network's liaison of nothing); the watchdog job notifies them of an escalation unanswered past its expected
date once per expected date, however often it runs, and again when a new date passes too. The mails
hold no name or case reference."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ret_app.escalations import services
from ret_app.extensions import db
from ret_app.jobs import registry as jobs
from ret_app.kernel import uow
from ret_app.models import Case, Escalation, Notification, User
from ret_app.notifications import escalations as watchdog
from tests.conftest import login
from tests.test_escalations import form_data, w  # noqa: F401  (fixture)
from tests.test_notifications import assert_no_personal_data, outbox  # noqa: F401  (fixture)


def in_unit(app, fn):
    """Run `fn` as a request would: one unit of work, its reactions after the commit."""
    with app.app_context():
        with uow.unit_of_work():
            return fn()


def kinds_of(app, user) -> list[tuple[str, str]]:
    with app.app_context():
        return [(n.kind, n.link) for n in db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


def sent(app, w) -> int:  # noqa: F811
    def escalate():
        case = db.session.get(Case, w.case_id)
        escalation, _ = services.save(case, db.session.get(User, w.chair.id), form_data(case), send=True)
        return escalation.id
    return in_unit(app, escalate)


def as_liaison(app, w, escalation_id, fn):  # noqa: F811
    return in_unit(app, lambda: fn(db.session.get(Escalation, escalation_id), db.session.get(User, w.network_liaison.id)))


def test_the_networks_steps_and_messages_notify_the_chair_and_the_director(app, w, outbox):  # noqa: F811
    escalation_id = sent(app, w)
    assert kinds_of(app, w.chair) == [] and kinds_of(app, w.director) == []  # the RET's own step: nobody
    # The network's liaison hears of it, linked to its own page; another network's liaison does not.
    assert kinds_of(app, w.network_liaison) == [(watchdog.ESCALATION_TO_NETWORK,
                                                 f"/netwerk/opschalingen/{escalation_id}")]
    assert kinds_of(app, w.other_liaison) == []
    as_liaison(app, w, escalation_id, lambda e, liaison: services.accept(e, liaison))
    as_liaison(app, w, escalation_id, lambda e, liaison: services.assign_director(e, liaison, "Petra Netwerk",
                                                                                  "BOEG procesregie"))
    as_liaison(app, w, escalation_id, lambda e, liaison: services.add_message(
        e, liaison, "question", "Is de moeder bereikbaar?", services.new_submission_key()))
    for user in (w.chair, w.director):
        rows = kinds_of(app, user)
        assert [kind for kind, _ in rows] == [watchdog.ESCALATION_NETWORK_ACTED] * 3, rows
        page = rows[0][1]
        assert all(link == page for _, link in rows) and str(escalation_id) in page
    for user in (w.member, w.caseworker, w.elsewhere.chair, w.other_liaison):
        assert kinds_of(app, user) == []
    assert len(kinds_of(app, w.network_liaison)) == 1  # its own steps notify it of nothing
    # The RET's reply notifies nobody on the RET side, and the liaison.
    with app.app_context():
        question_id = services.open_questions(db.session.get(Escalation, escalation_id))[0].id
    in_unit(app, lambda: services.reply(db.session.get(Escalation, escalation_id), db.session.get(User, w.director.id),
                                        question_id, "Ja.", services.new_submission_key()))
    assert len(kinds_of(app, w.chair)) == 3
    assert [kind for kind, _ in kinds_of(app, w.network_liaison)] == [watchdog.ESCALATION_TO_NETWORK,
                                                                      watchdog.ESCALATION_RET_ACTED]
    # Starting and answering are facts of their own: one notice each (the answer's text comes with it).
    as_liaison(app, w, escalation_id, lambda e, liaison: services.start(e, liaison))
    as_liaison(app, w, escalation_id, lambda e, liaison: services.answer(e, liaison, "Ons advies.",
                                                                         services.new_submission_key()))
    assert len(kinds_of(app, w.director)) == 5
    assert_no_personal_data([m for m in outbox if m.to == [w.chair.email]],
                            [w.director.name, w.chair.name, "Moeder Test", "Petra Netwerk"])


def test_the_watchdog_notifies_once_per_expected_date_and_again_when_a_new_date_passes(app, w):  # noqa: F811
    escalation_id = sent(app, w)
    with app.app_context():
        expected = db.session.get(Escalation, escalation_id).expected_answer_date
    flag = lambda day: in_unit(app, lambda: watchdog.flag_overdue_escalations(day))  # noqa: E731
    assert flag(expected) == 0  # due today: not late yet
    assert flag(expected + timedelta(days=1)) == 2  # the chair and the process director
    assert flag(expected + timedelta(days=1)) == 0 and flag(expected + timedelta(days=2)) == 0  # once
    for user in (w.chair, w.director):
        assert [kind for kind, _ in kinds_of(app, user)] == [watchdog.ESCALATION_OVERDUE]
    assert kinds_of(app, w.member) == [] and kinds_of(app, w.elsewhere.chair) == []
    new = expected + timedelta(days=10)
    in_unit(app, lambda: services.move_date(db.session.get(Escalation, escalation_id),
                                            db.session.get(User, w.chair.id), new, "Uitstel gevraagd.", None))
    assert [kind for kind, _ in kinds_of(app, w.network_liaison)] == [watchdog.ESCALATION_TO_NETWORK,
                                                                      watchdog.ESCALATION_RET_ACTED]  # new date
    assert flag(expected + timedelta(days=3)) == 0  # the new date has not passed
    assert flag(new + timedelta(days=1)) == 2
    # Answered: nothing waits any more, so nothing is late.
    as_liaison(app, w, escalation_id, lambda e, liaison: services.accept(e, liaison))
    as_liaison(app, w, escalation_id, lambda e, liaison: services.start(e, liaison))
    as_liaison(app, w, escalation_id, lambda e, liaison: services.answer(e, liaison, "Advies.",
                                                                         services.new_submission_key()))
    assert flag(new + timedelta(days=30)) == 0


def test_the_watchdog_is_a_periodic_job(app, w):  # noqa: F811
    job = jobs.get("overdue-escalations")
    assert job.fn is watchdog.flag_overdue_escalations


def test_the_list_tells_which_escalation_a_notice_is_about_to_who_may_see_it_in_one_query(app, w, count_queries):  # noqa: F811
    """The row stores only its link; the list says the case's reference, the network and the state
    now, asked in one query whatever the number of notices, and nothing to whom may not see it."""
    from ret_app.notifications import queries
    from ret_app.notifications.services import notify

    escalation_id = sent(app, w)
    as_liaison(app, w, escalation_id, lambda e, liaison: services.accept(e, liaison))
    with app.app_context():
        escalation = db.session.get(Escalation, escalation_id)
        expected = f"{escalation.case.reference} · {escalation.network.short_name} · "
        told = {}
        for size in (1, 20):
            for i in range(size):
                notify([w.chair.id, w.elsewhere.chair.id], watchdog.ESCALATION_NETWORK_ACTED,
                       f"/escalaties/{escalation_id}", f"test:{size}:{i}")
            for user in (w.chair, w.elsewhere.chair):
                rows = list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))
                reader = db.session.get(User, user.id)
                reader.organisation  # noqa: B018  (loaded, as a signed-in user's is)
                with count_queries() as statements:
                    told[(size, user.id)] = queries.about(reader, rows)
                assert len(statements) == 1, statements
        assert set(told[(20, w.chair.id)].values()) == {expected + "Aangenomen door het netwerk"}
        assert told[(20, w.elsewhere.chair.id)] == {}
    client = app.test_client()
    login(client, app, w.chair)
    assert expected + "Aangenomen door het netwerk" in client.get("/meldingen").get_data(as_text=True)
