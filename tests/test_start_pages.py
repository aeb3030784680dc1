"""What waits on whom: every case page shows its next due item (the stored `Case.next_deadline` and
`next_due_kind`, in words), "over tijd" when it has passed, and who holds it (cases/waiting.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import Case
from tests.conftest import login

LONG_AGO = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)  # a Monday


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")


def _dutch(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days)


@pytest.fixture
def world(make_world):
    return make_world(names={"director": "Procesregisseur Peters"})


def _next_due(client, case_id: int) -> str:
    body = client.get(f"/casussen/{case_id}").get_data(as_text=True)
    found = re.search(r'id="case-next-due">(.*?)</dd>', body, re.S)
    assert found, "the case page shows no next due item"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def _stored(app, case_id: int) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.expunge(case)
        return case


def test_the_case_page_says_what_is_due_when_and_on_whom(app, client, factory, world):
    case = lambda **fields: factory.case(world.caseworker, world.municipality, **fields)  # noqa: E731
    late_intake = case(status="submitted", submitted_at=LONG_AGO)
    fresh_intake = case(status="submitted", submitted_at=utcnow())
    directed = case(status="screening", submitted_at=_ago(70), intake_at=_ago(60), track="process_direction",
                    process_director_id=world.director.id)
    undirected = case(status="screening", submitted_at=_ago(3), intake_at=_ago(1), track="process_direction")
    closed = case(status="closed", submitted_at=_ago(300), intake_at=_ago(290), closed_at=_ago(10))
    login(client, app, world.chair)

    stored = _stored(app, late_intake)
    assert stored.next_due_kind == "intake_decision"
    assert _next_due(client, late_intake) == (
        f"Intakebesluit: uiterlijk {_dutch(stored.next_deadline)} over tijd — wacht op de voorzitter van het RET")

    text = _next_due(client, fresh_intake)
    assert text.startswith("Intakebesluit: uiterlijk ") and "over tijd" not in text
    assert text.endswith("wacht op de voorzitter van het RET")

    text = _next_due(client, directed)
    word = {"screening": "Screening vastgesteld", "first_session": "Eerste RET-overleg"}[
        _stored(app, directed).next_due_kind]
    assert text.startswith(f"{word}: uiterlijk ") and "over tijd" in text
    assert text.endswith("wacht op Procesregisseur Peters")

    # No process director yet: the chair holds it.
    text = _next_due(client, undirected)
    assert "over tijd" not in text and text.endswith("wacht op de voorzitter van het RET")

    assert _next_due(client, closed) == "Geen termijn"
