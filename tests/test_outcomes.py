"""Outcomes at closing and the gap taxonomy.

Services: the working days from referral to fitting help and to closing (weekends, Dutch public holidays
and pauses left out, stored when they change: on recording, when fitting help starts, when the case
closes), the closing guard (no closing without an outcome; once closed, the outcome stands), every
refusal at once (a gap without a category, a retired category or care type, a placement result that is
missing), retired categories staying valid on the outcomes that have them, the help prefilled from the
case's commitments and a closed escalation, audit and timeline.

Pages: the outcome page (bad input keeps everything typed, each message next to its field), who may
read and record it (the chair and the process director record; RET members read; caseworkers, providers
and analysts are refused), the case panel (RET side only), the administrator's taxonomy (add, rename,
order, retire, reactivate), the default taxonomy of a new region, query counts that do not grow with the
rows, and migration 0015 on a database with a region."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from ret_app.cases import norms, lifecycle
from ret_app.extensions import db
from ret_app.kernel.errors import RuleError
from ret_app.models import (
    AuditEvent,
    Case,
    CaseEvent,
    CaseOutcome,
    CasePause,
    CareType,
    Escalation,
    GapCategory,
    OutcomeGap,
    ProviderRequest,
    Region,
    User,
)
from ret_app.outcomes import services, taxonomy
from ret_app.outcomes.defaults import DEFAULT_GAP_CATEGORIES
from tests.conftest import csrf_token, login


def nl(app, message: str, **variables) -> str:
    with app.test_request_context(), force_locale("nl"):
        return gettext(message, **variables)


@pytest.fixture
def world(make_world):
    return make_world(network=True)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def new_case(factory, world, *, status="process_direction", placement=False, submitted=date(2026, 12, 18)) -> int:
    return factory.case(world.caseworker, world.municipality, status=status, track="process_direction",
                        process_director_id=world.director.id, consent_ret=True, placement_intended=placement,
                        submitted_at=at(submitted), intake_at=at(submitted))


def category_id(region_id: int, code: str) -> int:
    return db.session.scalar(select(GapCategory.id).where(GapCategory.region_id == region_id,
                                                          GapCategory.code == code))


def user(u) -> User:
    return db.session.get(User, u.id)


def plain(region_id: int, **extra) -> dict:
    """A valid outcome: realised, one help arranged, one gap."""
    return {"result": "realised",
            "help": [{"row": "help-0", "care_type": "ambulatory", "provider_name": "Jeugdhulp Elders",
                      "inside_region": False}],
            "gaps": [{"row": "gap-0", "category": str(category_id(region_id, "no_place_best_fit")),
                      "care_type": "youth_mental_health", "note": "Wachtlijst van zes maanden"}],
            **extra}


def error_next_to(body: str, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>\s*([^<]+)<', body)
    assert found, f"no error next to {field}"
    return found.group(1).strip()


def client_for(app, u):
    client = app.test_client()
    login(client, app, u)
    return client


def post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/start"), **data})


# --- working days ---------------------------------------------------------------------------------------

def test_working_days_leave_out_weekends_holidays_and_pauses(app, ctx, factory, world):
    """Referred Friday 18 December 2026; fitting help on Monday 4 January 2027: 21-24 December (4), not
    Christmas (Friday 25th), 28-31 December (4), not New Year's Day, Monday 4 January (1) = 9 working days.
    Closed on Friday 15 January: 5 + 4 more = 14. A pause from Monday 28 December, resumed on 4 January,
    takes the 4 working days of that week off both."""
    case = db.session.get(Case, new_case(factory, world))
    case.fitting_help_started_on = date(2027, 1, 4)
    case.closed_at = at(date(2027, 1, 15))
    assert services.working_days(case) == (9, 18)

    case.pauses.append(CasePause(start=date(2026, 12, 28), end=date(2027, 1, 4), reason="Gezin op vakantie",
                                 started_by_id=world.chair.id))
    assert services.working_days(case) == (5, 14)

    not_yet = db.session.get(Case, new_case(factory, world))
    assert services.working_days(not_yet) == (None, None)


def test_the_days_are_stored_when_fitting_help_starts_and_when_the_case_closes(app, ctx, factory, world):
    case = db.session.get(Case, new_case(factory, world))
    outcome, changed = services.record(case, user(world.director), plain(case.region_id))
    assert changed and outcome.working_days_to_fitting_help is None and outcome.working_days_to_close is None

    case.fitting_help_started_on = date(2027, 1, 4)
    lifecycle.apply(case, user(world.director), "start_monitoring")
    assert outcome.working_days_to_fitting_help == 9  # stored by the lifecycle step

    lifecycle.apply(case, user(world.chair), "close", reason="Passende hulp loopt")
    stored = db.session.get(CaseOutcome, outcome.id)
    assert stored.working_days_to_close is not None
    assert stored.working_days_to_close == services.working_days(case)[1]  # from the recorded closing day


# --- the closing guard ----------------------------------------------------------------------------------

def test_closing_needs_the_outcome_and_a_closed_case_keeps_it(app, ctx, factory, world):
    case = db.session.get(Case, new_case(factory, world))
    chair = user(world.chair)
    with pytest.raises(RuleError) as refused:
        lifecycle.apply(case, chair, "close", reason="Klaar")
    assert nl(app, "Record the outcome of the case before closing it.") in [str(r) for r in refused.value.reasons]
    assert case.status == "process_direction"

    services.record(case, user(world.director), plain(case.region_id))
    assert case.outcome_recorded_at is not None
    lifecycle.apply(case, chair, "close", reason="Klaar")
    assert case.status == "closed"

    with pytest.raises(RuleError) as refused:
        services.record(case, chair, plain(case.region_id, result="not_realised"))
    assert refused.value.message == services.CLOSED
    assert db.session.scalar(select(CaseOutcome.result).where(CaseOutcome.case_id == case.id)) == "realised"


def test_a_closed_case_says_after_how_many_working_days_it_closed_not_that_it_is_open(app, ctx, factory, world):
    case = db.session.get(Case, new_case(factory, world))
    services.record(case, user(world.director), plain(case.region_id))
    lifecycle.apply(case, user(world.chair), "close", reason="Klaar")
    case_id, days = case.id, norms.working_days_open(case)
    db.session.commit()
    body = client_for(app, world.chair).get(f"/casussen/{case_id}").get_data(as_text=True)
    assert f"Afgesloten {days} werkdag" in body and "open sinds indienen" not in body


def test_only_the_director_or_the_chair_records_and_only_once_the_case_is_in_a_track(app, ctx, factory, world):
    case = db.session.get(Case, new_case(factory, world))
    for someone in (world.member, world.caseworker, world.provider_member, world.analyst, world.elsewhere.chair):
        with pytest.raises(RuleError) as refused:
            services.record(case, user(someone), plain(case.region_id))
        assert refused.value.message == services.NOT_YOURS
    submitted = db.session.get(Case, new_case(factory, world, status="submitted"))
    with pytest.raises(RuleError) as refused:
        services.record(submitted, user(world.chair), plain(case.region_id))
    assert refused.value.message == services.NOT_YET
    outcome, _changed = services.record(case, user(world.chair), plain(case.region_id))  # the chair may
    assert outcome.recorded_by_id == world.chair.id


# --- every refusal at once ------------------------------------------------------------------------------

def test_every_refusal_at_once_each_next_to_its_row(app, ctx, factory, world):
    case = db.session.get(Case, new_case(factory, world, placement=True))
    db.session.execute(update(CareType).where(CareType.region_id == case.region_id, CareType.code == "crisis")
                       .values(active=False))
    elsewhere_category = category_id(world.elsewhere.region.id, "education")
    with pytest.raises(RuleError) as refused:
        services.record(case, user(world.director), {
            "result": "", "placement_result": "",
            "help": [{"row": "help-0", "care_type": "", "provider_name": "Ergens"},
                     {"row": "help-1", "care_type": "crisis"},
                     {"row": "help-2", "care_type": "", "provider_name": ""}],  # blank: left out
            "gaps": [{"row": "gap-0", "category": "", "note": "Geen plek"},
                     {"row": "gap-1", "category": str(elsewhere_category)},
                     {"row": "gap-3", "category": "", "care_type": "", "note": ""}]})  # blank: left out
    assert set(refused.value.errors) == {"result", "placement_result", "help-0-care_type", "help-1-care_type",
                                         "gap-0-category", "gap-1-category"}
    assert refused.value.errors["gap-0-category"] == taxonomy.CHOOSE
    assert db.session.scalar(select(func.count(CaseOutcome.id)).where(CaseOutcome.case_id == case.id)) == 0
    assert case.outcome_recorded_at is None


def test_a_retired_category_is_refused_for_new_gaps_and_kept_on_the_outcomes_that_have_it(app, ctx, factory, world):
    region_id = world.region.id
    case = db.session.get(Case, new_case(factory, world))
    director = user(world.director)
    outcome, _ = services.record(case, director, plain(region_id))
    waiting = db.session.get(GapCategory, category_id(region_id, "no_place_best_fit"))
    taxonomy.retire(waiting, user(world.admin))

    # The outcome that names it is corrected without losing it.
    outcome, changed = services.record(case, director, plain(region_id, lessons="Eerder bellen"))
    assert changed and [g.gap_category_id for g in outcome.gaps] == [waiting.id]
    # A new outcome cannot choose it.
    other = db.session.get(Case, new_case(factory, world))
    with pytest.raises(RuleError) as refused:
        services.record(other, director, plain(region_id))
    assert set(refused.value.errors) == {"gap-0-category"}
    with app.test_request_context(), force_locale("nl"):
        assert str(refused.value.errors["gap-0-category"]) == gettext(
            "%(name)s is no longer in use. Choose another category.", name=waiting.name)
    # Still named by its name where the outcome is shown, and offered on that outcome's form only.
    assert [name for value, name in taxonomy.choices(taxonomy.catalogue(region_id), {waiting.id})
            if value == str(waiting.id)]
    assert str(waiting.id) not in dict(taxonomy.choices(taxonomy.catalogue(region_id)))


def test_correcting_with_the_same_input_changes_nothing(app, ctx, factory, world):
    case = db.session.get(Case, new_case(factory, world))
    outcome, _ = services.record(case, user(world.director), plain(case.region_id))
    version = outcome.version
    outcome, changed = services.record(case, user(world.director), plain(case.region_id), loaded_version=version)
    assert not changed and outcome.version == version
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "case_outcome",
                                                                AuditEvent.case_id == case.id)).all()
    assert events == ["create"]


# --- prefilled help, audit, timeline ----------------------------------------------------------------------

def test_help_is_prefilled_from_commitments_and_a_closed_escalation(app, ctx, factory, world):
    case = db.session.get(Case, new_case(factory, world))
    base = dict(case_id=case.id, role="lead_provider", question="Kunt u helpen?", reply_by=date(2027, 1, 8),
                requested_by_id=world.director.id)
    db.session.add_all([
        ProviderRequest(organisation_id=world.provider.id, care_type="day_treatment", status="started",
                        submission_key=secrets.token_hex(8), **base),
        ProviderRequest(organisation_id=world.other_provider.id, care_type="ambulatory", status="accepted",
                        submission_key=secrets.token_hex(8), **base),
        ProviderRequest(organisation_id=world.other_provider.id, care_type="crisis", status="declined",
                        submission_key=secrets.token_hex(8), **base),
        Escalation(case_id=case.id, network_id=world.network.id, status="closed", result="placement_found",
                   network_director_organisation="Expertisecentrum Noord", created_by_id=world.chair.id,
                   submission_key=secrets.token_hex(8)),
    ])
    db.session.flush()
    rows = services.suggested_help(case)
    assert [(r["care_type"], r["organisation_id"], r["provider_name"], r["inside_region"], r["via_network"])
            for r in rows] == [("day_treatment", world.provider.id, "", True, False),
                               ("ambulatory", world.other_provider.id, "", True, False),
                               ("", None, "Expertisecentrum Noord", False, True)]


def test_recording_and_correcting_are_audited_and_on_the_timeline(app, ctx, factory, world):
    case = db.session.get(Case, new_case(factory, world))
    services.record(case, user(world.director), plain(case.region_id))
    services.record(case, user(world.director), plain(case.region_id, result="partly_realised"))
    details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "case_outcome",
                                                                 AuditEvent.case_id == case.id)
                                 .order_by(AuditEvent.id)).all()
    assert details == ["result=realised;help=1;gaps=1;categories=no_place_best_fit",
                       "result=partly_realised;help=1;gaps=1;categories=no_place_best_fit;fields=result"]
    assert not any("Wachtlijst" in d or "Elders" in d for d in details)  # never what was typed
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "outcome_recorded" in kinds and "outcome_changed" in kinds


# --- the outcome page ------------------------------------------------------------------------------------

def test_a_gap_without_a_category_is_refused_next_to_it_and_everything_typed_stays(app, factory, world):
    case_id = new_case(factory, world, placement=True)
    client = client_for(app, world.director)
    page = client.get(f"/casussen/{case_id}/uitkomst").get_data(as_text=True)
    assert 'name="gap-0-category"' in page and 'name="help-0-care_type"' in page
    # Enter in a text field submits with the form's first button: it saves, it does not add a row.
    form = page[page.index('id="outcome-form"'):]
    first = re.search(r'<button type="submit"[^>]*>', form).group(0)
    assert 'value="save"' in first, first
    response = post(client, f"/casussen/{case_id}/uitkomst", {
        "result": "partly_realised", "placement_result": "prevented", "placement_note": "Thuis gebleven",
        "lessons": "Eerder het netwerk vragen", "help-0-care_type": "ambulatory", "help-0-organisation_id": "",
        "help-0-provider_name": "Jeugdhulp Elders", "gap-0-category": "", "gap-0-care_type": "family_home",
        "gap-0-note": "Alle gezinshuizen vol", "version": ""})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert error_next_to(body, "gap-0-category") == nl(app, "Choose a category for this gap.")
    assert 'href="#gap-0-category"' in body  # listed in the summary
    for typed in ("Thuis gebleven", "Eerder het netwerk vragen", "Jeugdhulp Elders", "Alle gezinshuizen vol"):
        assert typed in body
    assert re.search(r'<option selected value="partly_realised">|<option value="partly_realised" selected', body)
    assert re.search(r'<option selected value="family_home">|<option value="family_home" selected', body)
    with app.app_context():
        assert db.session.scalar(select(func.count(CaseOutcome.id)).where(CaseOutcome.case_id == case_id)) == 0


def test_the_director_records_the_outcome_and_the_case_panel_shows_it(app, factory, world):
    case_id = new_case(factory, world)
    client = client_for(app, world.director)
    with app.app_context():
        gap = category_id(world.region.id, "education")
    response = post(client, f"/casussen/{case_id}/uitkomst", {
        "result": "realised", "help-0-care_type": "day_treatment", "help-0-organisation_id": str(world.provider.id),
        "help-0-provider_name": "", "gap-0-category": str(gap), "gap-0-care_type": "",
        "gap-0-note": "Geen schoolplek in de buurt", "help-1-care_type": "", "gap-1-category": "", "version": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casussen/{case_id}#outcome-panel")
    page = client.get(f"/casussen/{case_id}").get_data(as_text=True)
    panel = page.split('id="outcome-panel"', 1)[1].split("</section>", 1)[0]
    assert "Geen schoolplek in de buurt" in panel and "Onderwijs sluit niet aan" in panel
    assert "Dagbehandeling" in panel and world.provider.name in panel
    with app.app_context():
        outcome = db.session.scalar(select(CaseOutcome).where(CaseOutcome.case_id == case_id))
        assert [(h.care_type, h.organisation_id, h.inside_region) for h in outcome.helps] == [
            ("day_treatment", world.provider.id, True)]
        assert db.session.get(Case, case_id).outcome_recorded_at is not None


def test_who_reads_and_who_records_the_outcome(app, factory, world):
    case_id = new_case(factory, world)
    with app.app_context():
        services.record(db.session.get(Case, case_id), user(world.director), plain(world.region.id))
        db.session.commit()
    url = f"/casussen/{case_id}/uitkomst"
    # A RET member of the region reads it (no form) and may not change it.
    member = client_for(app, world.member)
    body = member.get(url).get_data(as_text=True)
    assert "Wachtlijst van zes maanden" in body and 'id="outcome-form"' not in body
    assert post(member, url, {"result": "not_realised"}).status_code == 403
    assert 'id="outcome-panel"' in member.get(f"/casussen/{case_id}").get_data(as_text=True)
    # The caseworker and the provider member see the case but not its outcome; the analyst no case at all.
    for someone, status in ((world.caseworker, 404), (world.analyst, 404), (world.elsewhere.chair, 404)):
        client = client_for(app, someone)
        assert client.get(url).status_code == status, someone.role
        assert post(client, url, {"result": "not_realised"}).status_code == status, someone.role
    caseworker = client_for(app, world.caseworker)
    case_page = caseworker.get(f"/casussen/{case_id}").get_data(as_text=True)
    assert 'id="outcome-panel"' not in case_page and "Wachtlijst van zes maanden" not in case_page
    with app.app_context():
        assert db.session.scalar(select(CaseOutcome.result).where(CaseOutcome.case_id == case_id)) == "realised"
        denied = db.session.scalars(select(AuditEvent.user_id).where(
            AuditEvent.case_id == case_id, AuditEvent.outcome == "denied")).all()
        assert world.caseworker.id in denied


def test_a_provider_member_of_the_case_is_refused_the_outcome(app, factory, world):
    from ret_app.models import CaseParticipant

    case_id = new_case(factory, world)
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.consent_collective = True
        db.session.add(CaseParticipant(case_id=case_id, role="provider", organisation_id=world.provider.id,
                                       invited_by_id=world.chair.id))
        db.session.commit()
    client = client_for(app, world.provider_member)
    assert client.get(f"/casussen/{case_id}").status_code == 200  # they see the case ...
    assert client.get(f"/casussen/{case_id}/uitkomst").status_code == 404  # ... not its outcome


# --- the gap taxonomy ------------------------------------------------------------------------------------

def test_the_defaults_are_the_products_list_and_a_new_region_gets_them(app, factory, world):
    codes = [d.code for d in DEFAULT_GAP_CATEGORIES]
    assert len(codes) == len(set(codes)) == 11 and all(taxonomy.CODE_PATTERN.match(c) for c in codes)
    client = client_for(app, world.admin)
    name = f"Regio Nieuw {secrets.token_hex(3)}"
    assert post(client, "/beheer/regios", {"name": name, "network_id": ""}).status_code == 302
    with app.app_context():
        region_id = db.session.scalar(select(Region.id).where(Region.name == name))
        assert [c.code for c in taxonomy.catalogue(region_id)] == codes


def test_the_administrator_adds_renames_orders_retires_and_reactivates(app, factory, world):
    client = client_for(app, world.admin)
    base = f"/beheer/regios/{world.region.id}/hiaten"
    page = client.get(base).get_data(as_text=True)
    assert page.count('data-gap-category="') == 11 and "Geen plek bij de best passende aanbieder" in page

    refused = post(client, base, {"code": "Fout Code", "name": "Onderwijs sluit niet aan", "position": ""})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert error_next_to(body, "name") == nl(app, "This region has a gap category with this name already.")
    assert "Fout Code" in body  # kept as typed
    assert post(client, base, {"code": "no_respite", "name": "Geen respijtzorg", "position": "5"}).status_code == 302

    with app.app_context():
        added = db.session.scalar(select(GapCategory).where(GapCategory.region_id == world.region.id,
                                                            GapCategory.code == "no_respite"))
    assert client.get(base).get_data(as_text=True).index("Geen respijtzorg") < \
        client.get(base).get_data(as_text=True).index("Geen plek bij de best passende aanbieder")  # position 5 first
    assert post(client, f"{base}/{added.id}", {"name": "Geen respijtopvang", "description": "Logeren",
                                               "position": "500", "version": str(added.version)}).status_code == 302
    assert post(client, f"{base}/{added.id}/buiten-gebruik", {"version": str(added.version + 1)}).status_code == 302
    with app.app_context():
        row = db.session.get(GapCategory, added.id)
        assert (row.name, row.position, row.active, row.code) == ("Geen respijtopvang", 500, False, "no_respite")
    assert post(client, f"{base}/{added.id}/weer-in-gebruik", {"version": str(row.version)}).status_code == 302
    with app.app_context():
        assert db.session.get(GapCategory, added.id).active
        details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "gap_category",
                                                                     AuditEvent.object_id == str(added.id))
                                     .order_by(AuditEvent.id)).all()
    assert details == [f"region={world.region.id};code=no_respite",
                       f"region={world.region.id};code=no_respite;fields=name,description,position",
                       f"region={world.region.id};code=no_respite;retired",
                       f"region={world.region.id};code=no_respite;reactivated"]
    # Another region's category is not found under this region.
    with app.app_context():
        theirs = category_id(world.elsewhere.region.id, "education")
    assert client.get(f"{base}/{theirs}").status_code == 404


def test_the_last_category_in_use_cannot_be_retired(app, ctx, world):
    categories = taxonomy.catalogue(world.region.id)
    admin = user(world.admin)
    for category in categories[:-1]:
        taxonomy.retire(category, admin)
    with pytest.raises(RuleError):
        taxonomy.retire(categories[-1], admin)


# --- lists stay fast ---------------------------------------------------------------------------------------

@pytest.mark.counts_queries("outcomes.taxonomy_page")
def test_the_taxonomy_page_issues_the_same_queries_for_5_and_50_categories(app, world, count_queries):
    with app.app_context():
        region = Region(name=f"Regio {secrets.token_hex(4)}")
        db.session.add(region)
        db.session.commit()
        region_id = region.id
    client = client_for(app, world.admin)
    url = f"/beheer/regios/{region_id}/hiaten"
    counts, have = {}, 0
    for size in (5, 50):
        with app.app_context():
            db.session.add_all([GapCategory(region_id=region_id, code=f"gap_{n:03d}", name=f"Hiaat {n:03d}",
                                            description=f"Omschrijving {n}", position=n, active=n % 3 != 0)
                                for n in range(have, size)])
            db.session.commit()
        have = size
        assert client.get(url).status_code == 200
        with count_queries() as statements:
            body = client.get(url).get_data(as_text=True)
        counts[size] = len(statements)
        assert body.count('data-gap-category="') == size and f"Hiaat {size - 1:03d}" in body
    assert counts[5] == counts[50], counts


@pytest.mark.counts_queries("outcomes.outcome_page", "cases.case_page")
def test_the_outcome_page_and_the_case_panel_do_not_grow_with_the_rows(app, factory, world, count_queries):
    """5 or 50 help rows (each with a provider of its own) and gaps (each of a category of its own)."""
    from ret_app.models import Organisation, OutcomeHelp

    case_id = new_case(factory, world)
    with app.app_context():
        outcome_id = services.record(db.session.get(Case, case_id), user(world.director),
                                     plain(world.region.id))[0].id
        db.session.commit()
    client = client_for(app, world.director)
    counts, have = {}, 1
    for size in (5, 50):
        with app.app_context():
            for n in range(have, size):
                org = Organisation(name=f"Aanbieder {secrets.token_hex(4)}", kind="provider",
                                   region_id=world.region.id)
                category = GapCategory(region_id=world.region.id, code=f"extra_{secrets.token_hex(3)}",
                                       name=f"Hiaat {secrets.token_hex(3)}", position=900 + n)
                db.session.add_all([org, category])
                db.session.flush()
                db.session.add(OutcomeHelp(outcome_id=outcome_id, case_id=case_id, position=n, care_type="ambulatory",
                                           organisation_id=org.id))
                db.session.add(OutcomeGap(outcome_id=outcome_id, case_id=case_id, position=n,
                                          gap_category_id=category.id, note=f"Notitie {n:03d}"))
            db.session.commit()
        have = size
        counts[size] = []
        for url in (f"/casussen/{case_id}/uitkomst", f"/casussen/{case_id}"):
            assert client.get(url).status_code == 200
            with count_queries() as statements:
                body = client.get(url).get_data(as_text=True)
            assert f"Notitie {size - 1:03d}" in body, url
            counts[size].append(len(statements))
    assert counts[5] == counts[50], counts


# --- migration 0015 -------------------------------------------------------------------------------------

def test_the_migration_gives_every_region_the_default_taxonomy_and_goes_back(app, tmp_path):
    """0015_outcomes on a database with a region: it gets the eleven categories in order; going down
    removes the tables. (SQLite: a fresh file; the PostgreSQL round trip is test_migrations.py's.)"""
    import config
    from flask_migrate import downgrade, upgrade

    from ret_app import create_app

    fresh = create_app(config.TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"})
    with fresh.app_context():
        upgrade(revision="0014_notifications")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO region (id, name, created_at, updated_at) "
                                 "VALUES (7, 'Regio Oud', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        upgrade(revision="0015_outcomes")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT code, name, active, position FROM gap_category WHERE region_id = 7 "
                                        "ORDER BY position")).all()
        assert [(r[0], r[1], bool(r[2]), r[3]) for r in rows] == [
            (d.code, d.name, True, 10 * n) for n, d in enumerate(DEFAULT_GAP_CATEGORIES, start=1)]
        downgrade(revision="0014_notifications")
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        assert not tables & {"gap_category", "case_outcome", "outcome_help", "outcome_gap"}
        db.session.remove()
        db.engine.dispose()
