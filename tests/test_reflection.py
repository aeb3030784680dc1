"""The reflection report per access team or municipality (ret_app/reflection): its numbers against an
independent count on a generated region with two access teams in one municipality and cases referred by
others, small counts hidden, a municipality's numbers the sum of its access teams' published ones, the
PDF as an export job end to end (request -> run -> download by the requester only), access (the chair,
RET members and the analyst of the region; an access team or municipality of another region: 404),
bad input (Dutch messages next to the fields, the input kept) and a period without data."""

from __future__ import annotations

import random
import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ret_app.analyst import aggregates
from ret_app.caretypes import services as caretypes
from ret_app.extensions import db
from ret_app.models import AuditEvent, Case, CaseOutcome, ExportJob, GapCategory, OutcomeGap
from ret_app.reflection import report, services
from ret_app.stats.periods import Period, PeriodKind
from tests.conftest import csrf_token, login
from tests.test_analyst import check_cells

YEAR = date.today().year - 1
RESULTS = aggregates.RESULTS


@pytest.fixture
def world(make_world, factory):
    w = make_world()
    w.analyst = factory.user("analyst", factory.organisation("management", region_id=w.region.id).id)
    # a second access team of the world's municipality, and a referrer that is no access team
    w.team2 = factory.organisation("access_team", region_id=w.region.id, municipality_id=w.municipality.id,
                                   name="Toegangsteam Noord")
    w.institution = factory.organisation("certified_institution", region_id=w.region.id, name="GI Regio")
    return w


def generate(app, world, *, n: int, seed: int, year: int = YEAR):
    """`n` closed cases of `year` with flow dates, outcomes and gaps, referred by the world's teams (two in
    the world's municipality), the other municipality's team or the certified institution. Returns the
    records as the test knows them."""
    rng = random.Random(seed)
    referrers = [(world.municipality.id, world.team.id), (world.municipality.id, world.team2.id),
                 (world.municipality.id, world.institution.id), (world.other_municipality.id, world.other_team.id),
                 (world.other_municipality.id, world.team.id)]  # a team referring for another municipality
    records = []
    with app.app_context():
        cats = db.session.scalars(select(GapCategory.id).where(GapCategory.region_id == world.region.id)
                                  .order_by(GapCategory.position, GapCategory.id)).all()[:3]
        codes = list(caretypes.names(world.region.id))[:2]
        for i in range(n):
            municipality_id, referrer = rng.choice(referrers)
            submitted = date(year, rng.randint(1, 9), rng.randint(1, 28))
            intake = submitted + timedelta(days=rng.randint(3, 20))
            fitting = intake + timedelta(days=rng.randint(5, 40)) if rng.random() < 0.7 else None
            closed = (fitting or intake) + timedelta(days=rng.randint(5, 30))
            case = Case(reference=f"R-{seed}-{i:05d}", region_id=world.region.id, municipality_id=municipality_id,
                        submitting_organisation_id=referrer, caseworker_id=world.caseworker.id, status="closed",
                        youth_first_name="Jeugdige", youth_last_name=f"Pietersma{i}", youth_birth_date=date(2010, 1, 1),
                        question="Geheime vraag", why_stuck="Geheim",
                        submitted_at=datetime(submitted.year, submitted.month, submitted.day, 10, tzinfo=timezone.utc),
                        intake_at=datetime(intake.year, intake.month, intake.day, 10, tzinfo=timezone.utc),
                        fitting_help_started_on=fitting,
                        closed_at=datetime(closed.year, closed.month, closed.day, 10, tzinfo=timezone.utc),
                        placement_intended=rng.random() < 0.4)
            db.session.add(case)
            db.session.flush()
            result = rng.choice(RESULTS)
            placement = rng.choice(("prevented", "carried_out", "other")) if case.placement_intended else None
            days = rng.randint(3, 90) if fitting else None
            outcome = CaseOutcome(case_id=case.id, result=result, placement_result=placement,
                                  recorded_by_id=world.chair.id, recorded_at=case.closed_at,
                                  working_days_to_fitting_help=days)
            db.session.add(outcome)
            db.session.flush()
            gaps = []
            for position in range(rng.choice((0, 1, 1, 2))):
                category, care_type = rng.choice(cats), rng.choice(codes + [None])
                db.session.add(OutcomeGap(outcome_id=outcome.id, case_id=case.id, position=position,
                                          gap_category_id=category, care_type=care_type, note="geheime notitie"))
                gaps.append((category, care_type))
            records.append({"municipality": municipality_id, "referrer": referrer, "submitted": submitted,
                            "intake": intake, "fitting": fitting, "closed": closed, "result": result,
                            "placement": placement, "days": days, "gaps": gaps})
        db.session.commit()
    return records, cats, codes


def subject_of(app, kind, subject_id):
    with app.app_context():
        return report.find_subject(kind, subject_id)


def in_subject(subject, record) -> bool:
    if record["municipality"] != subject.municipality_id:
        return False
    return subject.kind == report.MUNICIPALITY or record["referrer"] == subject.id


# --- the numbers --------------------------------------------------------------------------------------

def test_the_report_equals_an_independent_count_and_hides_every_small_one(app, world):
    records, cats, codes = generate(app, world, n=260, seed=3)
    subjects = [subject_of(app, report.TEAM, world.team.id), subject_of(app, report.TEAM, world.team2.id),
                subject_of(app, report.MUNICIPALITY, world.municipality.id),
                subject_of(app, report.TEAM, world.other_team.id),
                subject_of(app, report.MUNICIPALITY, world.other_municipality.id)]
    chosen = [Period(date(YEAR, 4, 1), PeriodKind.QUARTER), Period(date(YEAR, 10, 1), PeriodKind.QUARTER),
              Period(date(YEAR, 6, 1), PeriodKind.MONTH), Period(date(YEAR, 1, 1), PeriodKind.YEAR)]
    shown = hidden = 0
    with app.test_request_context():
        for subject in subjects:
            for period in chosen:
                r = report.build(subject, period)
                assert r.periods[-1] == period and len(r.periods) == report.SIDE_BY_SIDE[period.kind]
                for index, p in enumerate(r.periods):
                    mine = [x for x in records if in_subject(subject, x)]

                    def count(day_key, rows=mine, period=p):
                        return sum(1 for x in rows if x[day_key] is not None and period.contains(x[day_key]))

                    expected = {("flow", "referred"): count("submitted"), ("flow", "taken_in"): count("intake"),
                                ("flow", "fitting_help_started"): count("fitting"), ("flow", "closed"): count("closed")}
                    recorded = [x for x in mine if p.contains(x["closed"])]
                    expected.update({("result", k): sum(1 for x in recorded if x["result"] == k) for k in RESULTS})
                    expected.update({("placement", k): sum(1 for x in recorded if x["placement"] == k)
                                     for k in aggregates.PLACEMENTS})
                    got = dict(zip([("flow", k) for k in aggregates.FLOW], [c[index] for _l, c in r.flow]))
                    got.update(zip([("result", k) for k in RESULTS], [c[index] for _l, c in r.results]))
                    got.update(zip([("placement", k) for k in aggregates.PLACEMENTS],
                                   [c[index] for _l, c in r.placements]))
                    with app.app_context():
                        names = dict(aggregates.gap_categories(world.region.id))
                    gap_rows = dict(r.gaps)
                    for cid in cats:
                        want = sum(1 for x in recorded for c, _ct in x["gaps"] if c == cid)
                        if names[cid] in gap_rows:
                            got[("gap", cid)] = gap_rows[names[cid]][index]
                            expected[("gap", cid)] = want
                        else:  # a category left out has nothing in any period shown
                            assert want == 0
                    seen, hid = check_cells(got, expected, (subject.code, p))
                    shown, hidden = shown + seen, hidden + hid
                    values = sorted(x["days"] for x in recorded if x["days"] is not None)
                    days = r.days[index]
                    assert days.enough == (len(values) >= 5)
                    if days.enough:
                        import statistics
                        assert days.median == statistics.median(values)
    assert shown > 100 and hidden > 20, (shown, hidden)


def test_a_municipality_is_the_sum_of_its_access_teams_published_numbers(app, world):
    """An access team is one row of the protected table; its municipality the sum of its rows (the two
    teams and every other referrer), published only when each part is (or the others are zeros)."""
    records, _cats, _codes = generate(app, world, n=200, seed=8)
    period = Period(date(YEAR, 1, 1), PeriodKind.YEAR)
    with app.test_request_context():
        team = report.build(subject_of(app, report.TEAM, world.team.id), period)
        team2 = report.build(subject_of(app, report.TEAM, world.team2.id), period)
        whole = report.build(subject_of(app, report.MUNICIPALITY, world.municipality.id), period)
        tables = aggregates.year_tables(world.region.id, YEAR, list(caretypes.names(world.region.id)))
    rows = tables.row_indexes(municipality_id=world.municipality.id)
    assert [tables.rows[r].team_id for r in rows] == sorted([world.team.id, world.team2.id]) + [None]
    [team_row] = tables.row_indexes(team_id=world.team.id)
    sums = mixed = 0
    for family, key_list, tables_of in (("flow", aggregates.FLOW, tables.flow),
                                        ("results", RESULTS, tables.results),
                                        ("placements", aggregates.PLACEMENTS, tables.placements)):
        for index, key in enumerate(key_list):
            parts = [tables_of[key].row_totals[r] for r in rows]
            assert getattr(whole, family)[index][1][-1] == aggregates.add_up(parts), (family, key)
            assert getattr(team, family)[index][1][-1] == tables_of[key].row_totals[team_row], (family, key)
            shown_parts = [getattr(t, family)[index][1][-1] for t in (team, team2)]
            if not any(p.suppressed for p in parts):
                sums += 1
                other = parts[-1].value
                assert getattr(whole, family)[index][1][-1].value == sum(p.value for p in shown_parts) + other
            else:
                mixed += 1
    assert sums and mixed, (sums, mixed)  # both kinds occur
    # the independent count agrees for the municipality as a whole
    referred = sum(1 for r in records if r["municipality"] == world.municipality.id)
    cell = whole.flow[0][1][-1]
    assert cell.suppressed or cell.value == referred


# --- the page -----------------------------------------------------------------------------------------

def test_the_chair_sees_the_report_of_an_access_team_with_its_chart_and_no_personal_data(app, client, world):
    generate(app, world, n=150, seed=5)
    login(client, app, world.chair)
    response = client.get(f"/reflectie?subject=team-{world.team.id}&kind=year&year={YEAR}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="reflection-title"' in body and "<svg" in body and "Uitkomsten naar resultaat" in body
    assert "&lt;5" in body or "<5" in body
    assert "Pietersma" not in body and "R-5-" not in body and "geheim" not in body.lower()
    assert 'action="/exports/reflection-report/aanvragen"' in body
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "reflection_report")
                                   .order_by(AuditEvent.id.desc())).first()
    assert event.object_id == f"team-{world.team.id}" and event.detail == f"region={world.region.id};period={YEAR}"


@pytest.mark.parametrize("role", ["chair", "member", "analyst"])
def test_the_ret_and_the_analyst_open_it(app, client, world, role):
    login(client, app, world[role] if role != "analyst" else world.analyst)
    assert client.get("/reflectie").status_code == 200


@pytest.mark.parametrize("role", ["caseworker", "provider_member", "network_liaison", "admin"])
def test_others_do_not(app, client, world, role):
    login(client, app, world[role])
    assert client.get("/reflectie").status_code == 403


def test_an_access_team_or_municipality_of_another_region_is_404(app, client, world):
    login(client, app, world.analyst)
    there = world.elsewhere
    assert client.get(f"/reflectie?subject=team-{there.team.id}&kind=year&year={YEAR}").status_code == 404
    assert client.get(f"/reflectie?subject=municipality-{there.municipality.id}&kind=year&year={YEAR}").status_code == 404
    # and its export is not offered either
    with app.app_context():
        from ret_app.models import User
        analyst = db.session.get(User, world.analyst.id)
        assert not services.may_request(analyst, {"team": there.team.id, "kind": "year", "start": f"{YEAR}-01-01"})
        assert services.may_request(analyst, {"team": world.team.id, "kind": "year", "start": f"{YEAR}-01-01"})
    response = client.post("/exports/reflection-report/aanvragen",
                           data={"csrf_token": csrf(client), "team": there.team.id, "kind": "year",
                                 "start": f"{YEAR}-01-01"})
    assert response.status_code == 404


@pytest.mark.parametrize("query,field,message", [
    ("subject=&kind=quarter&year=2025&number=1", "subject", "Kies een toegangsteam of een gemeente"),
    ("subject=team-{team}&kind=quarter&year=2025&number=7", "number", "Vul het kwartaal in als getal van 1 tot en met 4"),
    ("subject=team-{team}&kind=month&year=2025&number=", "number", "Vul de maand in als getal van 1 tot en met 12"),
    ("subject=team-{team}&kind=quarter&year=abc&number=1", "year", "Vul een jaar in"),
    ("subject=team-{team}&kind=year&year=2099", "year", "Deze periode is nog niet begonnen"),
    ("subject=team-{team}&kind=week&year=2025", "kind", "Ongeldige keuze"),
    ("subject=bogus&kind=year&year=2025", "subject", "Ongeldige keuze"),
])
def test_bad_input_gets_a_dutch_message_next_to_the_field_and_is_kept(app, client, world, query, field, message):
    login(client, app, world.chair)
    response = client.get("/reflectie?" + query.format(team=world.team.id))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in body, body[:3000]
    assert f'id="{field}-error"' in body
    if "year=abc" in query:
        assert 'value="abc"' in body  # what was typed stays


def test_every_error_of_the_form_shows_at_once(app, client, world):
    login(client, app, world.chair)
    body = client.get("/reflectie?subject=&kind=quarter&year=2025&number=9").get_data(as_text=True)
    assert "Kies een toegangsteam of een gemeente" in body
    assert "Vul het kwartaal in als getal van 1 tot en met 4" in body and 'value="9"' in body


def test_a_period_without_data_says_so_and_makes_no_pdf(app, client, world):
    login(client, app, world.chair)
    body = client.get(f"/reflectie?subject=team-{world.team.id}&kind=year&year=2001").get_data(as_text=True)
    assert 'id="reflection-empty"' in body and "niets" in body and "Make the PDF" not in body
    response = client.post("/exports/reflection-report/aanvragen",
                           data={"csrf_token": csrf(client), "team": world.team.id, "kind": "year",
                                 "start": "2001-01-01"})
    assert response.status_code == 302
    with app.app_context():
        job = db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc())).first()
        assert job.status == "failed" and job.content is None
        assert "zag niets" in job.message


# --- the PDF as an export job ---------------------------------------------------------------------------

def csrf(client) -> str:
    return csrf_token(client, "/start")


def test_the_pdf_is_made_as_a_job_and_downloaded_by_the_requester_only(app, client, world, tmp_path):
    generate(app, world, n=150, seed=9)
    login(client, app, world.member)
    token = csrf(client)
    response = client.post("/exports/reflection-report/aanvragen",
                           data={"csrf_token": token, "team": world.team.id, "kind": "quarter",
                                 "start": f"{YEAR}-04-01"})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    with app.app_context():
        job = db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc())).first()
        assert job.kind == "reflection-report" and job.status == "done", job.message
        assert job.params == {"team": world.team.id, "kind": "quarter", "start": f"{YEAR}-04-01"}
        assert job.filename == f"reflectieverslag-toegangsteam-{world.team.id}-{YEAR}-Q2.pdf"
        job_id = job.id
    page = client.get(job_url).get_data(as_text=True)
    assert f"/exports/{job_id}/bestand" in page
    download = client.get(f"/exports/{job_id}/bestand")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(download.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Reflectieverslag" in text and "2e kwartaal" in text
    assert "Pietersma" not in text and "R-9-" not in text and "eheim" not in text
    # someone else, even the chair of the same region, gets 404 for the job and its file
    other = app.test_client()
    login(other, app, world.chair)
    assert other.get(f"/exports/{job_id}/bestand").status_code == 404
    assert other.get(job_url).status_code == 404


def test_the_analyst_may_ask_for_it_a_caseworker_or_provider_may_not(app, world):
    with app.app_context():
        from ret_app.models import User
        params = {"municipality": world.municipality.id, "kind": "year", "start": f"{YEAR}-01-01"}
        assert services.may_request(db.session.get(User, world.analyst.id), params)
        assert services.may_request(db.session.get(User, world.chair.id), params)
        for role in ("caseworker", "provider_member", "network_liaison", "admin"):
            assert not services.may_request(db.session.get(User, world[role].id), params), role
        assert not services.may_request(db.session.get(User, world.chair.id), {**params, "start": "2999-01-01"})
        assert not services.may_request(db.session.get(User, world.chair.id), {"kind": "year", "start": "2025-01-01"})


@pytest.mark.counts_queries("reflection.page")
def test_the_page_does_not_grow_with_the_data(app, client, world, count_queries):
    login(client, app, world.chair)
    counts = {}
    for n, seed in ((5, 1), (50, 2)):
        generate(app, world, n=n if n == 5 else 45, seed=seed)
        with count_queries() as statements:
            response = client.get(f"/reflectie?subject=municipality-{world.municipality.id}&kind=quarter"
                                  f"&year={YEAR}&number=3")
            assert response.status_code == 200 and 'id="reflection-title"' in response.get_data(as_text=True)
        counts[n] = len(statements)
    assert counts[5] == counts[50], counts
