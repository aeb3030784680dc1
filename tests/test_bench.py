"""`make bench` (benchmarks/): the floor page it measures every page against, and the whole harness at a
tiny scale so that it cannot rot between runs: the generator builds a country and grows it, the audit
chain it writes verifies, the due dates it stores are the clock module's, every measured page and export
answers 200 for the role that asks it (signed in through the real pages), the load and the report work.
Timings are never asserted."""

from __future__ import annotations

import re

import pytest

from benchmarks import measure, national, report
from ret_app import audit
from ret_app.kernel import dates
from ret_app.kernel.uow import unit_of_work


def test_floor_page_is_the_base_layout_with_one_query_of_its_own(client, login_as, count_queries):
    assert client.get("/ijkpunt").status_code == 302  # signed-in users only
    login_as("caseworker")
    client.get("/ijkpunt")
    client.get("/toegankelijkheid")  # warm-up of both
    with count_queries() as floor:
        response = client.get("/ijkpunt")
    with count_queries() as layout:
        client.get("/toegankelijkheid")  # the same base layout, no query of its own
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1 class=\"utrecht-heading-1\">Ijkpunt</h1>" in text and "De database antwoordde om" in text
    assert 'class="ret-nav' in text or "<nav" in text  # the signed-in user's base layout
    assert len(floor) == len(layout) + 1


# make bench runs on PostgreSQL only (benchmarks/run.py refuses anything else): the harness is tried where
# it runs, with COPY; on SQLite it would try a builder path no run of make bench takes, at 20-25 s a run.
@pytest.mark.postgres_only
@pytest.mark.committing
def test_harness_builds_grows_and_measures_a_tiny_country(app):
    lines: list[str] = []
    with app.app_context():
        nation = national.build_country(dates.today(), audit_per_case=3, regions_count=2, years=2)
        national.add_cases(nation, 30, lines.append)
        national.finish(nation, lines.append)
        national.add_cases(nation, 60, lines.append)  # grown, as the run grows 2,000 to 200,000
        national.finish(nation, lines.append)
        assert nation.cases == 60 and nation.counts["ret_case"] == 60
        assert nation.audit_events == 180 and nation.counts["audit_event"] == 180
        with unit_of_work():
            chain = audit.verify_chain(full=True)
        assert chain.ok and chain.checked >= 180, chain
        assert national.check_due_dates(nation) == []
        assert set(nation.accounts) == set(national.ROLES)
        sample = national.sample(nation)
        assert sample["case"] and sample["live_meeting"] and sample["meeting"]

        found = measure.targets(sample)
    assert {"floor", "page", "export"} == {target.kind for target in found}
    assert {target.role for target in found} == set(national.ROLES)
    clients = {role: measure.sign_in(measure.AppClient(app), email, national.PASSWORD, nation.secret)
               for role, email in nation.accounts.items()}
    # Once each, without warm-up; not the analyst's aggregates, which cost seconds whatever the data (the
    # same tables make the signal report: measure.signal_report is left to make bench; test_analyst.py and
    # test_signals.py test both).
    timings = measure.sequential(clients, [t for t in found if t.label != "analyst aggregates"], 1, 1,
                                 lines.append, warm_up=False)
    assert {label: t.status for label, t in timings.items() if t.status != 200} == {}
    assert timings["screening PDF"].size > 1000 and all(t.floor for t in timings.values() if t.kind != "floor")
    mix = [t for t in found if t.kind == "floor" or t.role == "chair"][:3]
    load = measure.load(clients, mix, 2, 0.2)
    paced = measure.load(clients, mix, 2, 0.3, pause=(0.05, 0.1))
    assert load.requests > 0 and load.errors == 0 and paced.requests > 0 and paced.errors == 0
    assert paced.paced and not load.paced
    phase = report.Phase(cases=60, timings=timings, load=paced, saturation=load,
                         worker_rss=[100 * report.MB])
    text = report.render(report.Run("make bench", [phase, phase], {"Data set": "tiny"}, commit="abc1234"))
    for label in timings:
        assert f"| {label} |" in text
    assert re.search(r"\*\*median ≤ 3 × floor\*\*: \d+ of \d+ PASS", text)
    assert "**worker memory ≤ 250 MB**: 1 of 1 PASS" in text
    assert "2 users, each pausing 0.05–0.1 s between pages" in text and "2 users without pause" in text
