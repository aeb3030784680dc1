"""The aggregates page's hint to choose larger periods (ret_app/analyst/hints.py): in a small region the
month view hides most cells (rightly), and the page then suggests quarters or years with links that keep the
year, municipality and care type; a view that shows most of its cells, or years, gets no hint."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from ret_app.analyst import aggregates, hints
from ret_app.extensions import db
from ret_app.models import Case, CaseOutcome, GapCategory, OutcomeGap
from ret_app.stats.periods import PeriodKind
from ret_app.stats.suppression import Cell
from tests.conftest import login

YEAR = date.today().year - 1


@pytest.fixture
def world(make_world, factory):
    w = make_world()
    w.analyst = factory.user("analyst", factory.organisation("management", region_id=w.region.id).id)
    return w


def closed_cases(app, world, months: dict[int, int], *, care_type: str | None = None) -> None:
    """months: month -> how many closed cases with an outcome (realised, one gap) in that month of YEAR."""
    with app.app_context():
        category = db.session.scalar(select(GapCategory.id).where(GapCategory.region_id == world.region.id)
                                     .order_by(GapCategory.position).limit(1))
        number = db.session.scalar(select(db.func.count(Case.id)))
        for month, n in months.items():
            for i in range(n):
                number += 1
                recorded = datetime(YEAR, month, 1 + i % 27, 11, 0, tzinfo=timezone.utc)
                case = Case(reference=f"H-{number:05d}", region_id=world.region.id,
                            municipality_id=world.municipality.id, submitting_organisation_id=world.team.id,
                            caseworker_id=world.caseworker.id, status="closed", youth_first_name="Jeugdige",
                            youth_last_name=f"H{number}", youth_birth_date=date(2010, 1, 1),
                            submitted_at=recorded - timedelta(days=40), closed_at=recorded)
                db.session.add(case)
                db.session.flush()
                outcome = CaseOutcome(case_id=case.id, result="realised", recorded_by_id=world.chair.id,
                                      recorded_at=recorded, working_days_to_fitting_help=20)
                db.session.add(outcome)
                db.session.flush()
                db.session.add(OutcomeGap(outcome_id=outcome.id, case_id=case.id, position=0,
                                          gap_category_id=category, care_type=care_type, note=""))
        db.session.commit()


def hint_of(body: str) -> str:
    if 'id="aggregates-coarser"' not in body:
        return ""
    return body.split('id="aggregates-coarser"', 1)[1].split("</div></div>", 1)[0]


def links_of(hint: str) -> dict[str, dict]:
    found = {}
    for href in re.findall(r'href="([^"]+)"', hint):
        query = parse_qs(urlsplit(html.unescape(href)).query)
        found[query["kind"][0]] = {k: v[0] for k, v in query.items()}
    return found


def test_a_small_region_by_month_gets_the_hint_with_links_that_keep_the_filters(app, client, world):
    closed_cases(app, world, {1: 2, 3: 1, 4: 3, 7: 2, 10: 1, 11: 2}, care_type="ambulatory")
    login(client, app, world.analyst)
    query = f"kind=month&year={YEAR}&municipality={world.municipality.id}&care_type=ambulatory"
    body = client.get(f"/cijfers?{query}").get_data(as_text=True)
    shown = hint_of(body)
    assert "De meeste cijfers per maand zijn verborgen" in shown
    links = links_of(shown)
    assert set(links) == {"quarter", "year"}
    for kind, args in links.items():
        assert args == {"kind": kind, "year": str(YEAR), "municipality": str(world.municipality.id),
                        "care_type": "ambulatory"}
    # The quarter view of the same data: still mostly hidden in this tiny region, so years are suggested.
    quarter = client.get(f"/cijfers?kind=quarter&year={YEAR}").get_data(as_text=True)
    assert set(links_of(hint_of(quarter))) == {"year"}
    # Years are the largest period: never a hint.
    assert hint_of(client.get(f"/cijfers?kind=year&year={YEAR}").get_data(as_text=True)) == ""


def test_a_month_view_that_shows_most_cells_gets_no_hint(app, client, world):
    closed_cases(app, world, {month: 12 for month in range(1, 13)})
    login(client, app, world.analyst)
    body = client.get(f"/cijfers?kind=month&year={YEAR}").get_data(as_text=True)
    assert 'id="outcomes"' in body  # the figures are there
    assert hint_of(body) == ""


def test_no_data_no_hint(app, client, world):
    login(client, app, world.analyst)
    body = client.get("/cijfers?kind=month&year=2001").get_data(as_text=True)
    assert 'id="aggregates-empty"' in body and hint_of(body) == ""


def _view(kind: PeriodKind, cells: list[Cell]) -> aggregates.View:
    filters = aggregates.Filters(kind=kind, year=YEAR)
    return aggregates.View(filters=filters, periods=[], results=[("realised", cells)], placements=[], gaps=[],
                           rereferral_again=[], rereferral_youths=[], days=[])


def test_most_means_more_than_half_of_the_cells_that_hold_something():
    shown, small, hidden, zero = (Cell(12, "12", False, None), Cell(None, "<5", True, "small"),
                                  Cell(None, "x", True, "complementary"), Cell(0, "0", False, None))
    assert hints.coarser_periods(_view(PeriodKind.MONTH, [shown, small, zero, zero, zero])) is None  # 1 of 2
    hint = hints.coarser_periods(_view(PeriodKind.MONTH, [shown, small, hidden, zero, zero]))
    assert hint is not None and (hint.hidden, hint.holding) == (2, 3)
    assert [kind for kind, _args in hint.links] == [PeriodKind.QUARTER, PeriodKind.YEAR]
    assert [kind for kind, _args in hints.coarser_periods(_view(PeriodKind.QUARTER, [small, hidden])).links] \
        == [PeriodKind.YEAR]
    assert hints.coarser_periods(_view(PeriodKind.YEAR, [small, hidden])) is None
    assert hints.coarser_periods(_view(PeriodKind.MONTH, [zero, zero])) is None
    assert hints.coarser_periods(None) is None
