"""The RET's escalation pages over HTTP: the chair escalates from the case page (the form with what was
tried chosen from the case), the case panel shows the escalation with its expected date and the whole
exchange; a process director only saves a draft; what is missing (consent, the age) is said on the
screen; bad input next to its field with everything typed kept; a reminder, a new date with its reason,
withdrawing and the RET's answer to a question; the 404 matrix (another region's chair, a caseworker, a
provider member); the case list's "overdue escalation" filter and the start-page card; and constant query
counts for the pages with lists (5 vs 100 rows)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ret_app.escalations import services
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Case, Escalation, EscalationMessage, User
from tests.conftest import csrf_token, login
from tests.test_escalations import form_data, network_case, years_ago

TODAY = dates.today()


@pytest.fixture
def w(make_world, factory, app):
    w = make_world(network=True, names={"network_liaison": "Liaison Lotte"})
    w.case_id = network_case(factory, w)
    return w


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def post(client, path, data, page=None):
    token = csrf_token(client, page or "/start")
    return client.post(path, data={"csrf_token": token, **data})


def escalate(app, w, case_id=None, *, send=True) -> int:
    with app.app_context():
        case = db.session.get(Case, case_id or w.case_id)
        e, _ = services.save(case, db.session.get(User, w.chair.id), form_data(case), send=send)
        db.session.commit()
        return e.id


def accept_and_ask(app, w, escalation_id) -> int:
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        liaison = db.session.get(User, w.network_liaison.id)
        services.accept(e, liaison)
        question, _ = services.add_message(e, liaison, "question", "Is school een optie?", services.new_submission_key())
        db.session.commit()
        return question.id


def test_the_chair_escalates_from_the_case_page_and_sees_it_there_with_its_expected_date(app, w):
    chair = client_for(app, w.chair)
    page = chair.get(f"/casussen/{w.case_id}").get_data(as_text=True)
    assert 'id="escalate-link"' in page
    form = chair.get(f"/casussen/{w.case_id}/escalatie").get_data(as_text=True)
    assert "Jeugdhulp Oost: Ambulante hulp" in form  # help tried before, offered from the case itself
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', form).group(1)
    with app.app_context():
        case = db.session.get(Case, w.case_id)
        data = {**form_data(case), "submission_key": key, "action": "send"}
        data["expected_answer_date"] = data["expected_answer_date"].isoformat()
        expected = form_data(case)["expected_answer_date"]
    response = post(chair, f"/casussen/{w.case_id}/escalatie", data)
    assert response.status_code == 302
    again = post(chair, f"/casussen/{w.case_id}/escalatie", data)  # the same form sent twice
    assert again.status_code == 302
    with app.app_context():
        rows = list(db.session.scalars(select(Escalation).where(Escalation.case_id == w.case_id)))
        assert len(rows) == 1 and rows[0].status == "sent" and rows[0].expected_answer_date == expected
    body = chair.get(f"/casussen/{w.case_id}").get_data(as_text=True)
    panel = body.split('id="escalation-panel"', 1)[1].split("</section>", 1)[0]
    assert expected.strftime("%-d") in panel and "Verstuurd naar het netwerk" in panel
    assert "Geen passende plek in de regio." in panel and "Jeugdhulp Oost" in panel
    assert "Antwoord van het bovenregionale netwerk" in body or "Netwerk BOEG" in body  # due: held by the network


def test_a_process_director_saves_a_draft_only(app, w):
    director = client_for(app, w.director)
    form = director.get(f"/casussen/{w.case_id}/escalatie").get_data(as_text=True)
    assert 'value="send"' not in form and 'value="draft"' in form
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', form).group(1)
    response = post(director, f"/casussen/{w.case_id}/escalatie",
                    {"submission_key": key, "action": "send", "urgency": "regular", "question": "Vraag"})
    assert response.status_code == 200  # a forged "send" is refused on the form
    response = post(director, f"/casussen/{w.case_id}/escalatie",
                    {"submission_key": key, "action": "draft", "urgency": "regular", "question": "Vraag"})
    assert response.status_code == 302
    with app.app_context():
        e = db.session.scalar(select(Escalation).where(Escalation.case_id == w.case_id))
        assert e.status == "draft" and e.question == "Vraag"


def test_what_is_missing_is_said_and_bad_input_is_kept(app, w, factory):
    case_id = network_case(factory, w, age=21, consent_for=("youth",))
    chair = client_for(app, w.chair)
    form = chair.get(f"/casussen/{case_id}/escalatie").get_data(as_text=True)
    assert 'id="escalation-blockers"' in form and "21" in form
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', form).group(1)
    response = post(chair, f"/casussen/{case_id}/escalatie",
                    {"submission_key": key, "action": "send", "urgency": "regular", "why_exhausted": "Alles geprobeerd",
                     "expected_answer_date": (TODAY - timedelta(days=2)).isoformat()})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in ("question_kind", "question", "tried", "expected_answer_date"):
        assert f'id="{field}-error"' in body, field
    assert "Alles geprobeerd" in body  # nothing typed lost
    assert "tot 21 jaar" in body  # the age limit, in Dutch
    with app.app_context():
        assert db.session.scalar(select(Escalation).where(Escalation.case_id == case_id)) is None


def test_reminder_new_date_reply_and_withdraw_on_the_escalation_page(app, w):
    escalation_id = escalate(app, w)
    question_id = accept_and_ask(app, w, escalation_id)
    chair = client_for(app, w.chair)
    page = chair.get(f"/escalaties/{escalation_id}").get_data(as_text=True)
    assert "Is school een optie?" in page and "Liaison Lotte" in page
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', page.split('id="reminder-title"')[1]).group(1)
    assert post(chair, f"/escalaties/{escalation_id}/herinnering", {"submission_key": key, "note": "Graag snel"}
                ).status_code == 302
    refused = post(chair, f"/escalaties/{escalation_id}/nieuwe-datum", {"new_date": "", "date_reason": ""})
    assert refused.status_code == 200 and 'id="new_date-error"' in refused.get_data(as_text=True)
    new = (TODAY + timedelta(days=30)).isoformat()
    with app.app_context():
        version = db.session.get(Escalation, escalation_id).version
    assert post(chair, f"/escalaties/{escalation_id}/nieuwe-datum",
                {"new_date": new, "date_reason": "Uitstel gevraagd", "version": str(version)}).status_code == 302
    reply_key = re.search(rf'name="q{question_id}-submission_key"[^>]*value="([^"]+)"', page).group(1)
    assert post(chair, f"/escalaties/{escalation_id}/vragen/{question_id}/antwoord",
                {f"q{question_id}-text": "Ja, vanaf maandag.", f"q{question_id}-submission_key": reply_key}
                ).status_code == 302
    page = chair.get(f"/escalaties/{escalation_id}").get_data(as_text=True)
    for text in ("Graag snel", "Uitstel gevraagd", "Ja, vanaf maandag."):
        assert text in page
    with app.app_context():
        e = db.session.get(Escalation, escalation_id)
        assert e.expected_answer_date.isoformat() == new and len(e.reminders) == 1
        assert db.session.scalar(select(EscalationMessage).where(EscalationMessage.kind == "reply")).text == \
            "Ja, vanaf maandag."
        version = e.version
    assert post(chair, f"/escalaties/{escalation_id}/intrekken", {"reason": "", "version": str(version)}
                ).status_code == 200
    assert post(chair, f"/escalaties/{escalation_id}/intrekken", {"reason": "Opgelost", "version": str(version)}
                ).status_code == 302
    with app.app_context():
        assert db.session.get(Escalation, escalation_id).status == "withdrawn"


ROUTES = ("/casussen/{case}/escalatie", "/escalaties/{e}", "/escalaties/{e}/herinnering",
          "/escalaties/{e}/nieuwe-datum", "/escalaties/{e}/intrekken", "/escalaties/{e}/vragen/{q}/antwoord")


@pytest.mark.parametrize("who", ["elsewhere_chair", "caseworker", "provider_member", "member"])
def test_the_404_matrix(app, w, who):
    escalation_id = escalate(app, w)
    question_id = accept_and_ask(app, w, escalation_id)
    user = w.elsewhere.chair if who == "elsewhere_chair" else getattr(w, who)
    client = client_for(app, user)
    for route in ROUTES:
        path = route.format(case=w.case_id, e=escalation_id, q=question_id)
        if who == "member" and route in ("/escalaties/{e}",):
            assert client.get(path).status_code == 200  # a RET member of the region reads it
            continue
        get = client.get(path).status_code if "herinnering" not in path and "datum" not in path \
            and "intrekken" not in path and "antwoord" not in path else None
        assert get in (None, 404), (path, get)
        if route != "/escalaties/{e}":
            token = csrf_token(client, "/start")
            assert client.post(path, data={"csrf_token": token}).status_code == 404, path


def test_the_case_list_filters_overdue_escalations_and_the_start_card_lists_them(app, w, factory):
    late_id = escalate(app, w)
    on_time_case = network_case(factory, w)
    escalate(app, w, on_time_case)
    with app.app_context():
        late = db.session.get(Escalation, late_id)
        late.expected_answer_date = TODAY - timedelta(days=1)
        db.session.commit()
        late_ref = late.case.reference
        on_time_ref = db.session.get(Case, on_time_case).reference
    chair = client_for(app, w.chair)
    body = chair.get("/casussen?flag=escalation_overdue").get_data(as_text=True)
    assert late_ref in body and on_time_ref not in body
    start = chair.get("/start").get_data(as_text=True)
    card = start.split('id="start-late-escalations"', 1)[1].split("</section>", 1)[0]
    assert late_ref in card and on_time_ref not in card
    director = client_for(app, w.director).get("/start").get_data(as_text=True)
    assert 'id="start-late-escalations"' in director and late_ref in director
    member = client_for(app, w.member).get("/start").get_data(as_text=True)
    assert 'id="start-late-escalations"' not in member  # not their case


def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """The URL and valid form data of a request that changes something, its user signed in (a chair
    of the objects' region): the objects' case with network consent in its network's region; for the
    form, its accepted escalation withdrawn first (a new draft is made); for the other routes, that
    escalation with the network's question."""
    from tests.test_access_policy import POST_DATA

    app, objects = env.app, env.objects
    env.login_as("chair", organisation_id=objects.ret_org.id)
    with app.app_context():
        case = db.session.get(Case, objects.case_id)
        case.status, case.consent_network, case.youth_birth_date = "process_direction", True, years_ago(15)
        if endpoint == "escalations.escalation_form":
            db.session.get(Escalation, objects.escalation_id).status = "withdrawn"
        db.session.commit()
    paths = {"escalations.escalation_form": f"/casussen/{objects.case_id}/escalatie",
             "escalations.escalation_remind": f"/escalaties/{objects.escalation_id}/herinnering",
             "escalations.escalation_new_date": f"/escalaties/{objects.escalation_id}/nieuwe-datum",
             "escalations.escalation_withdraw": f"/escalaties/{objects.escalation_id}/intrekken",
             "escalations.escalation_reply": f"/escalaties/{objects.escalation_id}/vragen/{objects.question_id}/antwoord"}
    return paths[endpoint], POST_DATA[endpoint](objects)


# --- query counts -----------------------------------------------------------------------------

SIZES = (5, 100)


@pytest.mark.counts_queries("escalations.escalation_page", "escalations.escalation_form", "cases.case_list",
                            "main.start")
def test_the_escalation_pages_the_list_filter_and_the_start_card_do_not_grow(app, factory, make_world, count_queries):
    """The escalation page and the case panel with 5 or 100 messages, reminders, new dates and items
    tried (each by its own author); the form with 5 or 100 items to choose from; the case list filtered
    on overdue escalations and the chair's and the director's start pages with 5 or 100 of them."""
    from ret_app.models import EscalationDateChange, EscalationReminder, PriorHelp

    w = make_world(network=True)
    case_id = network_case(factory, w)
    escalation_id = escalate(app, w, case_id)
    form_case = network_case(factory, w)
    numbers = iter(range(10000))

    def add(n: int) -> list[str]:
        shown = []
        authors = [factory.user("ret_member", w.ret.id, activated=False) for _ in range(n)]
        with app.app_context():
            e = db.session.get(Escalation, escalation_id)
            for author in authors:
                k = next(numbers)
                e.messages.append(EscalationMessage(side="network", kind="advice", text=f"Advies {k:04d}",
                                                    author_id=author.id, submission_key=services.new_submission_key()))
                e.reminders.append(EscalationReminder(sent_by_id=author.id, note=f"Herinnering {k:04d}",
                                                      submission_key=services.new_submission_key()))
                e.date_changes.append(EscalationDateChange(new_date=TODAY, reason=f"Reden {k:04d}",
                                                           changed_by_id=author.id))
                db.session.add(PriorHelp(case_id=form_case, provider=f"Aanbieder {k:04d}", help_type="Ambulant"))
                shown += [f"Advies {k:04d}", f"Aanbieder {k:04d}"]
            db.session.commit()
        for _ in range(n):  # overdue escalations of the director's cases
            late_case = network_case(factory, w)
            late_id = escalate(app, w, late_case)
            with app.app_context():
                db.session.get(Escalation, late_id).expected_answer_date = TODAY - timedelta(days=1)
                db.session.commit()
        return shown

    chair, director = client_for(app, w.chair), client_for(app, w.director)
    urls = [(chair, f"/escalaties/{escalation_id}"), (chair, f"/casussen/{case_id}"),
            (director, f"/casussen/{form_case}/escalatie"), (chair, "/casussen?flag=escalation_overdue"),
            (chair, "/start"), (director, "/start")]
    counts = {}
    have = 0
    for size in SIZES:
        shown = add(size - have)
        have = size
        counts[size] = []
        for client, url in urls:
            assert client.get(url).status_code == 200, url
            with count_queries() as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            body = response.get_data(as_text=True)
            if url.startswith("/escalaties/"):
                assert shown[-2] in body
            if url.endswith("/escalatie"):
                assert shown[-1] in body
            if url == "/start":
                assert 'id="start-late-escalations"' in body
            counts[size].append(len(statements))
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts
