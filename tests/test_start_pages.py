"""What waits on whom: every case page shows its next due item (the stored `Case.next_deadline` and
`next_due_kind`, in words), "over tijd" when it has passed, and who holds it (cases/waiting.py); the
start pages show it per role:
- the chair: the cases past a norm per stage (counted from the stored items, each count linking to
  the case list filtered on that kind, which shows exactly those cases), and the care types of the
  collective with stale capacity (linking to the overview filtered on stale);
- a process director: their own cases by next due date, the kind in words, "over tijd";
- a caseworker: their own cases with the next step and who it waits on.
(Their query counts: tests/test_query_counts_admin.py, per role.)"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import Case, CapacityEntry, ProviderCareType, ProviderProfile
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
        f"Intakebesluit: uiterlijk {_dutch(stored.next_deadline)} over tijd — wacht op u")  # the chair's own turn

    text = _next_due(client, fresh_intake)
    assert text.startswith("Intakebesluit: uiterlijk ") and "over tijd" not in text
    assert text.endswith("wacht op u")

    text = _next_due(client, directed)
    word = {"screening": "Screening vastgesteld", "first_session": "Eerste RET-overleg"}[
        _stored(app, directed).next_due_kind]
    assert text.startswith(f"{word}: uiterlijk ") and "over tijd" in text
    assert text.endswith("wacht op Procesregisseur Peters")

    # No process director yet: the chair holds it.
    text = _next_due(client, undirected)
    assert "over tijd" not in text and text.endswith("wacht op u")

    # Others see who: the caseworker the chair and the director; the director their own turn.
    caseworker, director = app.test_client(), app.test_client()
    login(caseworker, app, world.caseworker)
    assert _next_due(caseworker, late_intake).endswith("wacht op de voorzitter van het RET")
    assert _next_due(caseworker, undirected).endswith("wacht op de voorzitter van het RET")
    assert _next_due(caseworker, directed).endswith("wacht op Procesregisseur Peters")
    login(director, app, world.director)
    assert _next_due(director, directed).endswith("wacht op u")

    assert _next_due(client, closed) == "Geen termijn"


def _hrefs(body: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', body)]


def _case_ids(body: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/casussen/(\d+)"', body)}


@pytest.fixture
def cases(factory, world):
    """The region's cases in several stages: overdue intakes (2), an overdue screening of the director,
    a fresh intake, a fresh screening of the director, an undirected screening, a closed case; and one
    of the other region (never counted here)."""
    case = lambda **fields: factory.case(world.caseworker, world.municipality, **fields)  # noqa: E731
    directed = dict(track="process_direction", process_director_id=world.director.id)
    return {
        "late_intake_1": case(status="submitted", submitted_at=LONG_AGO),
        "late_intake_2": case(status="submitted", submitted_at=LONG_AGO + timedelta(days=1)),
        "fresh_intake": case(status="submitted", submitted_at=utcnow()),
        "late_screening": case(status="screening", submitted_at=_ago(70), intake_at=_ago(60), **directed),
        "fresh_screening": case(status="screening", submitted_at=_ago(3), intake_at=_ago(1), **directed),
        "undirected": case(status="screening", submitted_at=_ago(3), intake_at=_ago(1), track="process_direction"),
        "closed": case(status="closed", submitted_at=_ago(300), intake_at=_ago(290), closed_at=_ago(10),
                       **directed),
        "elsewhere": factory.case(world.elsewhere.caseworker, world.elsewhere.municipality, status="submitted",
                                  submitted_at=LONG_AGO - timedelta(days=30)),
    }


def test_the_chairs_cases_past_a_norm_per_stage_link_to_exactly_those_cases(app, client, world, cases):
    with app.app_context():
        stored = {name: db.session.get(Case, case_id) for name, case_id in cases.items()}
        expected: dict[str, set[int]] = {}
        for name, case in stored.items():
            if name != "elsewhere" and case.next_deadline and case.next_deadline < utcnow().date():
                expected.setdefault(case.next_due_kind, set()).add(case.id)
    assert expected["intake_decision"] == {cases["late_intake_1"], cases["late_intake_2"]}
    assert len(expected) == 2  # the late screening's kind (screening or first session) besides
    login(client, app, world.chair)
    body = client.get("/start").get_data(as_text=True)
    card = body[body.index('id="start-overdue"'):]
    card = card[:card.index("</section>")]
    for kind, ids in expected.items():
        assert f'id="start-overdue-{kind}">{len(ids)} over tijd<' in card
        link = next(h for h in _hrefs(card) if f"due_kind={kind}" in h)
        assert "overdue=1" in link
        assert _case_ids(client.get(link).get_data(as_text=True)) == ids
    assert "Intakebesluit" in card
    # The intake queue's card says since when the oldest referral waits (of this region only).
    assert f'id="start-intake-oldest">De oudste wacht sinds {_dutch(LONG_AGO.date())}.<' in body


def test_the_chair_sees_no_overdue_cases_when_there_are_none(app, client, world):
    login(client, app, world.chair)
    body = client.get("/start").get_data(as_text=True)
    assert "Geen casus is over de norm." in body


def test_the_chairs_stale_capacity_links_to_the_overview_filtered_on_stale(app, client, world):
    with app.app_context():
        for org in (world.provider, world.other_provider):
            db.session.add(ProviderProfile(organisation_id=org.id, summary="Over ons",
                                           care_types=[ProviderCareType(care_type="ambulatory"),
                                                       ProviderCareType(care_type="residential")]))
        # fresh: one; stale: one (20 days); never filled: two.
        db.session.add(CapacityEntry(organisation_id=world.provider.id, care_type="ambulatory", places_available=2,
                                     waiting_weeks=2,
                                     updated_at=utcnow()))
        db.session.add(CapacityEntry(organisation_id=world.provider.id, care_type="residential",
                                     places_available=1, waiting_weeks=2, updated_at=_ago(20)))
        db.session.commit()
    login(client, app, world.chair)
    body = client.get("/start").get_data(as_text=True)
    assert 'id="start-stale-count">3 zorgsoorten met verouderde capaciteit<' in body
    assert "/collectief/capaciteit?stale=1" in _hrefs(body)
    # A RET member is no chair: the card is the chair's.
    other = app.test_client()
    login(other, app, world.member)
    assert 'id="start-stale"' not in other.get("/start").get_data(as_text=True)


def _card(body: str, card_id: str) -> str:
    card = body[body.index(f'id="{card_id}"'):]
    return card[:card.index("</section>")]


def test_the_process_director_sees_their_cases_by_next_due_date(app, client, world, cases):
    login(client, app, world.director)
    card = _card(client.get("/start").get_data(as_text=True), "start-my-cases")
    assert "Mijn casussen op volgende termijn" in card
    ids = [int(n) for n in re.findall(r'href="/casussen/(\d+)"', card)]
    # Only their own cases with something due, the earliest first (the closed one has nothing due).
    assert ids == [cases["late_screening"], cases["fresh_screening"]]
    items = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li>(.*?)</li>", card, re.S)]
    assert "over tijd" in items[0] and "over tijd" not in items[1]
    assert all(item.endswith("wacht op u") for item in items)  # their own turn
    mine = next(h for h in _hrefs(card) if "mine=1" in h)
    assert _case_ids(client.get(mine).get_data(as_text=True)) == {
        cases["late_screening"], cases["fresh_screening"], cases["closed"]}


def test_a_ret_member_without_cases_is_told_so(app, client, world, cases):
    login(client, app, world.member)
    card = _card(client.get("/start").get_data(as_text=True), "start-my-cases")
    assert "Geen van uw casussen heeft een termijn lopen." in card and "/casussen/" not in card.replace(
        "/casussen?", "")


def test_the_caseworker_sees_their_cases_with_the_next_step_and_on_whom_it_waits(app, client, world, cases):
    login(client, app, world.caseworker)
    card = _card(client.get("/start").get_data(as_text=True), "start-my-cases")
    assert "Mijn casussen: de volgende stap en op wie die wacht" in card
    ids = [int(n) for n in re.findall(r'href="/casussen/(\d+)"', card)]
    with app.app_context():
        due = sorted((db.session.get(Case, cases[name]) for name in cases if name not in ("elsewhere", "closed")),
                     key=lambda c: (c.next_deadline, c.id))
    assert set(ids) == {c.id for c in due}
    assert [c.next_deadline for c in sorted(due, key=lambda c: ids.index(c.id))] == sorted(
        c.next_deadline for c in due)
    items = {int(re.search(r'/casussen/(\d+)"', li).group(1)): " ".join(re.sub(r"<[^>]+>", " ", li).split())
             for li in re.findall(r"<li>(.*?)</li>", card, re.S)}
    assert items[cases["late_intake_1"]].endswith("wacht op de voorzitter van het RET")
    assert "over tijd" in items[cases["late_intake_1"]]
    assert items[cases["late_screening"]].endswith("wacht op Procesregisseur Peters")
    assert items[cases["undirected"]].endswith("wacht op de voorzitter van het RET")
    # Another caseworker of the region sees none of them.
    other = app.test_client()
    login(other, app, world.other_caseworker)
    assert "/casussen/" not in _card(other.get("/start").get_data(as_text=True), "start-my-cases").replace(
        "/casussen?", "")


def test_the_first_ten_are_shown_with_how_many_there_are(app, client, factory, world):
    for n in range(12):
        factory.case(world.caseworker, world.municipality, status="submitted",
                     submitted_at=LONG_AGO + timedelta(days=n))
    login(client, app, world.caseworker)
    card = _card(client.get("/start").get_data(as_text=True), "start-my-cases")
    assert len(re.findall(r'href="/casussen/\d+"', card)) == 10
    assert "10 van 12 getoond." in card


def test_the_due_kind_and_mine_filters_of_the_case_list(app, client, world, cases):
    login(client, app, world.chair)
    assert _case_ids(client.get("/casussen?due_kind=intake_decision").get_data(as_text=True)) == {
        cases["late_intake_1"], cases["late_intake_2"], cases["fresh_intake"]}
    # An unknown kind is no filter.
    assert cases["undirected"] in _case_ids(client.get("/casussen?due_kind=nonsense").get_data(as_text=True))
    # The chair directs none of these.
    assert _case_ids(client.get("/casussen?mine=1").get_data(as_text=True)) == set()
