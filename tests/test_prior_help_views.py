"""The help tried before (eerder ingezette hulp) stays visible after the referral is submitted:
on the case page in every status (read-only; the access team changes it on the referral form), on
the chair's intake page, loaded with the case (the query count does not grow with its rows), and
the reads are audited as before: one read of the case per page. (The screening report's text is
checked in test_screening_pdf.py.)"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import AuditEvent, PriorHelp
from tests.conftest import login
from tests.test_referrals import give_consent, post, referral_form, submit, t, years_ago

STATUSES = ("concept", "submitted", "intake", "screening", "process_direction", "monitoring", "paused",
            "returned_with_advice", "closed")
HELP = [
    ("Jeugdhulp Rivierduin", "Ambulante gezinsbehandeling", date(2023, 9, 1), date(2024, 3, 15),
     "Gestopt: moeder haakte af na wisseling van behandelaar."),
    ("Praktijk De Linde", "Jeugd-GGZ, cognitieve gedragstherapie", date(2024, 4, 1), None, None),
]


@pytest.fixture
def world(make_world):
    return make_world()


def add_help(app, case_id: int, rows=HELP) -> None:
    with app.app_context():
        for provider, kind, start, end, reason in rows:
            db.session.add(PriorHelp(case_id=case_id, provider=provider, help_type=kind, from_date=start,
                                     to_date=end, end_reason=reason))
        db.session.commit()


def help_section(body: str) -> str:
    match = re.search(r'<section class="ret-section ret-prior-help".*?</section>', body, re.S)
    assert match, "no help-tried-before section on the page"
    return match.group(0)


def assert_shows_the_help(app, body: str) -> None:
    section = help_section(body)
    for provider, kind, _start, _end, reason in HELP:
        assert provider in section and kind in section
    assert "Gestopt: moeder haakte af na wisseling van behandelaar." in section
    assert "15-3-2024" in section and t(app, "ongoing") in section  # the period, and help that still runs
    assert "<form" not in section and "<button" not in section  # read-only


def test_help_entered_on_the_referral_is_shown_after_submitting(app, client, world, factory):
    """The caseworker's flow: enter two earlier providers, submit; the case page and the chair's
    intake page show them."""
    case_id = factory.case(world.caseworker, world.municipality, birth_date=years_ago(17))
    login(client, app, world.caseworker)
    for provider, kind, start, end, reason in HELP:
        response = post(client, f"/casussen/{case_id}/aanmelding/eerdere-hulp", {
            "help-provider": provider, "help-help_type": kind, "help-from_date": start.isoformat(),
            "help-to_date": end.isoformat() if end else "", "help-end_reason": reason or ""})
        assert response.status_code == 302
    assert give_consent(client, case_id, "youth").status_code == 302
    assert submit(client, case_id, referral_form(client, case_id)).status_code == 302

    page = client.get(f"/casussen/{case_id}").get_data(as_text=True)
    assert_shows_the_help(app, page)
    assert 'action="/casussen/%d/aanmelding/eerdere-hulp' % case_id not in page  # read-only

    chair = app.test_client()
    login(chair, app, world.chair)
    intake = chair.get(f"/casussen/{case_id}/intake")
    assert intake.status_code == 200
    assert_shows_the_help(app, intake.get_data(as_text=True))
    assert_shows_the_help(app, chair.get(f"/casussen/{case_id}").get_data(as_text=True))


@pytest.mark.parametrize("status", STATUSES)
def test_the_case_page_shows_the_help_read_only_in_every_status(app, client, world, factory, status):
    case_id = factory.case(world.caseworker, world.municipality, status=status)
    add_help(app, case_id)
    login(client, app, world.caseworker)
    body = client.get(f"/casussen/{case_id}").get_data(as_text=True)
    assert_shows_the_help(app, body)
    assert "/eerdere-hulp" not in body  # no add or remove form on the case page


def test_without_help_the_pages_say_so(app, client, world, factory):
    case_id = factory.case(world.caseworker, world.municipality, status="submitted")
    login(client, app, world.chair)
    for path in (f"/casussen/{case_id}", f"/casussen/{case_id}/intake"):
        section = help_section(client.get(path).get_data(as_text=True))
        assert t(app, "No help tried before was given in the referral.") in section, path


def test_another_case_help_is_not_shown(app, client, world, factory):
    mine = factory.case(world.caseworker, world.municipality, status="submitted")
    other = factory.case(world.caseworker, world.municipality, status="submitted")
    add_help(app, other)
    login(client, app, world.chair)
    body = client.get(f"/casussen/{mine}").get_data(as_text=True)
    assert HELP[0][0] not in body and HELP[1][0] not in body


@pytest.mark.parametrize("path", ["/casussen/{id}", "/casussen/{id}/intake"])
def test_the_help_is_loaded_with_the_case_and_the_read_audited_once(app, client, world, factory, count_queries,
                                                                    path):
    counts = {}
    login(client, app, world.chair)
    for rows in (1, 8):
        case_id = factory.case(world.caseworker, world.municipality, status="submitted")
        add_help(app, case_id, [(f"Aanbieder {n}", "Ambulant", date(2024, 1, 1) + timedelta(days=n), None,
                                 f"Reden {n}") for n in range(rows)])
        url = path.format(id=case_id)
        assert client.get(url).status_code == 200  # warm up: the session touch
        with count_queries() as statements:
            body = client.get(url).get_data(as_text=True)
        assert f"Aanbieder {rows - 1}" in body
        counts[rows] = len(statements)
        with app.app_context():
            reads = db.session.scalars(select(AuditEvent).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "read", AuditEvent.user_id == world.chair.id)
            ).all()
        assert len(reads) == 2 and {r.object_type for r in reads} == {"case"}  # one per request, as before
    assert counts[1] == counts[8], counts
