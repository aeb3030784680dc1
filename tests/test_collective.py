"""The collective's provider profiles and capacity register, as the users meet them:

* profiles: a provider member keeps their own organisation's profile and contact persons, nobody
  else's (404); everyone who works on cases reads the profiles of their own region (another region,
  a provider outside the collective: 404; the other roles: 403); bad input is refused next to its
  field with everything typed kept; two members saving at once get the conflict with both inputs;
* capacity: the freshness boundary (13 days fresh, 14 and 15 stale, the day boundary in Dutch time,
  the region's own number of days), every update kept as history (a confirmation too), only one's
  own organisation, bad input, the conflict between two members;
* the region-wide overview: filters, region isolation, who may see it; the start-page card.
(The query counts of these pages: tests/test_query_counts_collective.py; the policy's SQL twins:
tests/test_collective_policy.py.)
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from ret_app.collective import capacity, freshness, profiles
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import AMSTERDAM, utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.labels import EXPERTISE_LABELS
from ret_app.models import (
    AuditEvent,
    CapacityEntry,
    CapacityUpdate,
    ExpertiseArea,
    Organisation,
    ProviderCareType,
    ProviderContact,
    ProviderProfile,
    RegionNorms,
    User,
)
from tests.conftest import CSRF_RE, Factory, login
from tests.worlds import World

TODAY = dates.today()


def local_moment(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A moment on `day` in the Netherlands, as aware UTC."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=AMSTERDAM).astimezone(timezone.utc)


# --- the region, built once for the module ---------------------------------------------------------

@pytest.fixture(scope="module")
def w(app):
    factory = Factory(app)
    w = World(factory, names={"provider": "Jeugdzorg Eigen", "other_provider": "GGZ Ander",
                              "outsider": "Buiten Collectief", "elsewhere_provider": "Elders Zorg"})
    w.colleague_member = factory.user("provider_member", w.provider.id)  # the same provider
    with app.app_context():
        for org in (w.provider, w.other_provider, w.elsewhere.provider, w.outsider):
            db.session.add(ProviderProfile(organisation_id=org.id, summary=f"Over {org.name}",
                                           care_types=[ProviderCareType(care_type="ambulatory"),
                                                       ProviderCareType(care_type="residential")]))
        db.session.commit()
    return w


@pytest.fixture(scope="module")
def sessions(app, w) -> dict:
    cookies = {}
    for who in ("chair", "member", "caseworker", "provider_member", "colleague_member", "other_provider_member",
                "outsider_member", "network_liaison", "analyst", "admin"):
        client = app.test_client()
        login(client, app, getattr(w, who))
        cookies[who] = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client = app.test_client()
    login(client, app, w.elsewhere.chair)
    cookies["elsewhere_chair"] = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    return cookies


@pytest.fixture
def as_(app, sessions):
    def client_of(who: str):
        client = app.test_client()
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], sessions[who])
        return client

    return client_of


def token(client, path: str = "/start") -> str:
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def post(client, path: str, data: dict, token_from: str = "/start"):
    return client.post(path, data={"csrf_token": token(client, token_from), **data})


def put_entry(app, org_id: int, care_type: str = "ambulatory", *, updated_at=None, places: int = 2,
              weeks: int = 4, by=None) -> int:
    with app.app_context():
        entry = db.session.scalar(select(CapacityEntry).where(CapacityEntry.organisation_id == org_id,
                                                              CapacityEntry.care_type == care_type))
        if entry is None:
            entry = CapacityEntry(organisation_id=org_id, care_type=care_type)
            db.session.add(entry)
        entry.places_available, entry.waiting_weeks = places, weeks
        entry.updated_at = updated_at or utcnow()
        entry.updated_by_id = by.id if by else None
        db.session.commit()
        return entry.id


def snapshot(app, model) -> list:
    with app.app_context():
        return [tuple(str(v) for v in row) for row in db.session.execute(select(model.__table__)).all()]


def table_of(body: str) -> str:
    """The rows of the page's table (not its filters, which name every provider)."""
    return body[body.index("<tbody"):body.index("</tbody>")]


def errors_of(body: str) -> dict[str, str]:
    return {name: re.sub(r"\s+", " ", text).strip()
            for name, text in re.findall(r'id="([^"]+)-error">(.*?)</div>', body, re.S)}


PROFILE = "/collectief/aanbieders/{}/profiel"
CAPACITY = "/collectief/aanbieders/{}/capaciteit/{}"


# --- profiles: who reads, who keeps -------------------------------------------------------------------

@pytest.mark.parametrize("who", ["chair", "member", "caseworker", "provider_member", "other_provider_member"])
def test_everyone_who_works_on_cases_reads_the_profiles_of_their_region(as_, w, who):
    client = as_(who)
    listing = table_of(client.get("/collectief/").get_data(as_text=True))
    assert "Jeugdzorg Eigen" in listing and "GGZ Ander" in listing
    assert "Elders Zorg" not in listing and "Buiten Collectief" not in listing
    page = client.get(f"/collectief/aanbieders/{w.provider.id}")
    assert page.status_code == 200 and "Over Jeugdzorg Eigen" in page.get_data(as_text=True)


@pytest.mark.parametrize("who", ["chair", "caseworker", "provider_member"])
def test_a_provider_of_another_region_or_outside_the_collective_is_404(as_, w, who):
    client = as_(who)
    assert client.get(f"/collectief/aanbieders/{w.elsewhere.provider.id}").status_code == 404
    assert client.get(f"/collectief/aanbieders/{w.outsider.id}").status_code == 404
    assert client.get(f"/collectief/aanbieders/{w.team.id}").status_code == 404  # not a provider at all
    assert client.get(f"/collectief/aanbieders/{w.elsewhere.provider.id}/capaciteit/ambulatory/historie"
                      ).status_code == 404


def test_the_other_region_sees_its_own_collective_only(as_, w):
    client = as_("elsewhere_chair")
    assert "Elders Zorg" in client.get("/collectief/").get_data(as_text=True)
    assert client.get(f"/collectief/aanbieders/{w.provider.id}").status_code == 404


@pytest.mark.parametrize("who", ["network_liaison", "analyst", "admin"])
def test_roles_without_cases_do_not_read_profiles(as_, w, who):
    client = as_(who)
    assert client.get("/collectief/").status_code == 403
    assert client.get(f"/collectief/aanbieders/{w.provider.id}").status_code == 403


def test_a_provider_member_keeps_their_own_profile(app, as_, w):
    client = as_("provider_member")
    page = client.get(PROFILE.format(w.provider.id)).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    response = post(client, PROFILE.format(w.provider.id), {
        "summary": "Intensieve ambulante gezinsbehandeling in de regio.", "expertise": ["trauma", "autism"],
        "care_types": ["ambulatory", "crisis"], "min_age": "4", "max_age": "18", "crisis_available": "y",
        "crisis_hours": "24 uur per dag, 7 dagen per week", "crisis_phone": "088 123 45 67", "version": version})
    assert response.status_code == 302
    with app.app_context():
        profile = profiles.profile_of(w.provider.id)
        assert profile.expertise_codes == ["trauma", "autism"]  # in the fixed list's order
        assert profile.care_type_codes == ["ambulatory", "crisis"]
        assert (profile.min_age, profile.max_age, profile.crisis_available, profile.crisis_phone) == (
            4, 18, True, "088 123 45 67")
        assert profile.updated_by_id == w.provider_member.id
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "provider_profile")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.detail.startswith("fields=summary,expertise,care_types,min_age,max_age,crisis_available")
    shown = as_("caseworker").get(f"/collectief/aanbieders/{w.provider.id}").get_data(as_text=True)
    assert "Trauma" in shown and "Autisme" in shown and "4 tot en met 18 jaar" in shown
    assert 'href="tel:0881234567"' in shown


@pytest.mark.parametrize("who", ["other_provider_member", "outsider_member"])
def test_another_providers_member_cannot_reach_the_profile_form(app, as_, w, who):
    client = as_(who)
    before = snapshot(app, ProviderProfile), snapshot(app, ProviderContact)
    assert client.get(PROFILE.format(w.provider.id)).status_code == 404
    assert post(client, PROFILE.format(w.provider.id), {"summary": "Overgenomen", "version": "1"}).status_code == 404
    assert post(client, f"/collectief/aanbieders/{w.provider.id}/contactpersonen", {
        "contact-name": "Indringer", "contact-role": "x", "contact-phone": "0612345678"}).status_code == 404
    assert (snapshot(app, ProviderProfile), snapshot(app, ProviderContact)) == before


@pytest.mark.parametrize("who", ["chair", "member", "caseworker"])
def test_the_ret_and_caseworkers_read_but_do_not_edit_profiles(as_, w, who):
    client = as_(who)
    assert client.get(PROFILE.format(w.provider.id)).status_code == 403
    page = client.get(f"/collectief/aanbieders/{w.provider.id}").get_data(as_text=True)
    assert PROFILE.format(w.provider.id) not in page


def test_the_profile_refuses_bad_input_next_to_each_field_and_keeps_it(app, as_, w):
    client = as_("provider_member")
    before = snapshot(app, ProviderProfile)
    response = post(client, PROFILE.format(w.provider.id), {
        "summary": "Nieuwe tekst", "min_age": "16", "max_age": "12", "crisis_available": "y", "crisis_hours": "",
        "crisis_phone": "bel ons", "care_types": ["ambulatory", "geen-zorgvorm"], "version": "1"})
    body = response.get_data(as_text=True)
    errors = errors_of(body)
    assert response.status_code == 200
    assert errors["max_age"] == "De oudste leeftijd kan niet lager zijn dan de jongste."
    assert errors["crisis_hours"] == "Geef aan wanneer de crisisdienst bereikbaar is."
    assert errors["crisis_phone"].startswith("Vul een telefoonnummer in")
    assert "care_types" in errors
    assert 'value="16"' in body and 'value="12"' in body and 'value="bel ons"' in body and "Nieuwe tekst" in body
    assert snapshot(app, ProviderProfile) == before


def test_an_age_outside_youth_care_is_refused(app, as_, w):
    client = as_("provider_member")
    response = post(client, PROFILE.format(w.provider.id), {"min_age": "-1", "max_age": "30", "version": "1"})
    errors = errors_of(response.get_data(as_text=True))
    assert errors["min_age"] == errors["max_age"] == "Vul een leeftijd in van 0 tot en met 23."


def test_two_members_saving_the_profile_get_the_conflict_with_both_inputs(app, as_, w):
    mine, theirs = as_("provider_member"), as_("colleague_member")
    path = PROFILE.format(w.provider.id)
    my_page = mine.get(path).get_data(as_text=True)
    loaded = re.search(r'name="version"[^>]*value="(\d+)"', my_page).group(1)
    their_page = theirs.get(path).get_data(as_text=True)
    assert post(theirs, path, {"summary": "Tekst van de collega", "care_types": ["ambulatory"],
                               "version": re.search(r'name="version"[^>]*value="(\d+)"', their_page).group(1)}
                ).status_code == 302
    response = post(mine, path, {"summary": "Mijn eigen tekst", "care_types": ["ambulatory"], "version": loaded})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "terwijl u het bewerkte" in body
    saved_now = body[body.index('id="saved-now"'):]
    assert "Tekst van de collega" in saved_now[:2000]  # what is saved now ...
    assert "Mijn eigen tekst" in body  # ... beside what I typed, still in the form
    with app.app_context():
        assert profiles.profile_of(w.provider.id).summary == "Tekst van de collega"
    # Saving again is a deliberate choice: now it goes through.
    again = re.search(r'name="version"[^>]*value="(\d+)"', body).group(1)
    assert again != loaded
    assert post(mine, path, {"summary": "Mijn eigen tekst", "care_types": ["ambulatory"], "version": again}
                ).status_code == 302
    with app.app_context():
        assert profiles.profile_of(w.provider.id).summary == "Mijn eigen tekst"


def test_the_conflict_is_found_when_both_had_no_profile_yet(app, ctx, w):
    """Two members filling in the first profile at once: the second is told, not overwritten."""
    with app.app_context():
        org = db.session.get(Organisation, w.other_provider.id)
        db.session.delete(db.session.get(ProviderProfile, org.id))
        db.session.flush()
        me, colleague = db.session.get(User, w.other_provider_member.id), db.session.get(User, w.other_provider_member.id)
        profiles.save_profile(org, {"summary": "Eerste"}, colleague, None)
        with pytest.raises(Conflict) as caught:
            profiles.save_profile(org, {"summary": "Tweede"}, me, None)
        assert caught.value.detail["summary"] == "Eerste"
        db.session.rollback()


def test_contact_persons_are_added_and_removed_by_the_provider_only(app, as_, w):
    client = as_("provider_member")
    path = f"/collectief/aanbieders/{w.provider.id}/contactpersonen"
    refused = post(client, path, {"contact-name": "Anna Zorg", "contact-role": "", "contact-phone": "nee"},
                   token_from=PROFILE.format(w.provider.id))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and set(errors_of(body)) >= {"contact-role", "contact-phone"}
    assert 'value="Anna Zorg"' in body
    added = post(client, path, {"contact-name": "Anna Zorg", "contact-role": "Aanmeldcoördinator",
                                "contact-phone": "+31 88 555 12 34", "contact-email": "anna@zorg.example"},
                 token_from=PROFILE.format(w.provider.id))
    assert added.status_code == 302
    with app.app_context():
        contact = db.session.scalar(select(ProviderContact).where(ProviderContact.name == "Anna Zorg"))
        assert (contact.organisation_id, contact.role, contact.email) == (w.provider.id, "Aanmeldcoördinator",
                                                                          "anna@zorg.example")
        contact_id = contact.id
    shown = as_("chair").get(f"/collectief/aanbieders/{w.provider.id}").get_data(as_text=True)
    assert "Anna Zorg" in shown and "mailto:anna@zorg.example" in shown
    remove = f"/collectief/aanbieders/{w.provider.id}/contactpersonen/{contact_id}/verwijderen"
    # Another provider's member: through its own organisation or through ours, 404.
    other = as_("other_provider_member")
    assert post(other, remove, {}).status_code == 404
    assert post(other, f"/collectief/aanbieders/{w.other_provider.id}/contactpersonen/{contact_id}/verwijderen",
                {}).status_code == 404
    assert post(client, remove, {}).status_code == 302
    with app.app_context():
        assert db.session.get(ProviderContact, contact_id) is None


def test_every_expertise_area_has_its_dutch_label():
    assert list(EXPERTISE_LABELS) == [area.value for area in ExpertiseArea]


# --- capacity: freshness ------------------------------------------------------------------------------

@pytest.mark.parametrize("age,stale", [(0, False), (1, False), (13, False), (14, True), (15, True)])
def test_not_updated_for_14_days_is_stale_from_day_14(age, stale):
    rule = freshness.Rule(14, TODAY)
    updated = local_moment(TODAY - timedelta(days=age))
    assert rule.age(updated) == age
    assert rule.is_stale(updated) is stale
    assert (updated < rule.boundary) is stale  # the SQL twin compares with the boundary


def test_the_boundary_is_the_start_of_a_dutch_day():
    """Day 13 starts at 00:00 in the Netherlands (22:00 or 23:00 UTC the evening before)."""
    rule = freshness.Rule(14, TODAY)
    day_13 = TODAY - timedelta(days=13)
    assert rule.boundary == local_moment(day_13, 0, 0, 0)
    assert not rule.is_stale(local_moment(day_13, 0, 0, 1))
    assert rule.is_stale(local_moment(day_13 - timedelta(days=1), 23, 59, 59))
    assert rule.is_stale(None) and rule.state(None) == freshness.NEVER


@pytest.mark.parametrize("offset,stale", [(timedelta(seconds=1), False), (timedelta(0), False),
                                          (timedelta(seconds=-1), True)])
def test_sql_finds_the_boundary_to_the_second(app, ctx, w, offset, stale):
    """Updated one second after the start of day 13 (Dutch time): fresh; one second before: stale."""
    boundary = freshness.rule_for(w.region.id).boundary
    put_entry(app, w.provider.id, "ambulatory", updated_at=boundary + offset)
    with app.app_context():
        fresh = {entry.organisation_id for entry in capacity.fresh_for(w.region.id, "ambulatory")}
        assert (w.provider.id in fresh) is not stale
        assert freshness.rule_for(w.region.id).is_stale(boundary + offset) is stale


@pytest.mark.parametrize("age,stale", [(13, False), (14, True), (15, True)])
def test_sql_and_pages_agree_on_the_boundary(app, as_, w, age, stale):
    put_entry(app, w.provider.id, "ambulatory", updated_at=local_moment(TODAY - timedelta(days=age)), places=3)
    put_entry(app, w.other_provider.id, "ambulatory", updated_at=utcnow(), places=1)
    with app.app_context():
        fresh = {entry.organisation_id for entry in capacity.fresh_for(w.region.id, "ambulatory")}
        assert (w.provider.id in fresh) is not stale and w.other_provider.id in fresh
    only_stale = table_of(as_("chair").get("/collectief/capaciteit?care_type=ambulatory&stale=1").get_data(as_text=True))
    assert ("Jeugdzorg Eigen" in only_stale) is stale and "GGZ Ander" not in only_stale
    page = as_("member").get(f"/collectief/aanbieders/{w.provider.id}").get_data(as_text=True)
    row = page[page.index('id="capacity-ambulatory"'):][:2500]
    assert ("verouderd" in row) is stale and ("actueel" in row) is not stale
    assert f"{age} dagen geleden bijgewerkt" in row


def test_the_region_sets_its_own_number_of_days(app, as_, w):
    put_entry(app, w.provider.id, "ambulatory", updated_at=local_moment(TODAY - timedelta(days=8)))
    with app.app_context():
        assert freshness.rule_for(w.region.id).days == 14
        assert w.provider.id in {e.organisation_id for e in capacity.fresh_for(w.region.id, "ambulatory")}
        db.session.add(RegionNorms(region_id=w.region.id, capacity_stale_days=7))
        db.session.commit()
        assert freshness.rule_for(w.region.id).days == 7
        assert w.provider.id not in {e.organisation_id for e in capacity.fresh_for(w.region.id, "ambulatory")}
        assert freshness.rule_for(w.elsewhere.region.id).days == 14  # the other region keeps the default
    body = as_("chair").get("/collectief/capaciteit?stale=1").get_data(as_text=True)
    assert "Jeugdzorg Eigen" in table_of(body) and "7 dagen" in body


def test_the_admin_sets_the_number_of_days_where_the_norms_are_edited(app, as_, w):
    client = as_("admin")
    path = f"/beheer/regios/{w.region.id}/normtijden"
    page = client.get(path).get_data(as_text=True)
    assert 'name="capacity_stale_days"' in page and 'value="14"' in page
    base = {"intake_decision": "5", "first_session": "10", "first_session_crisis": "2", "screening": "20",
            "request_reply_days": "3", "request_reply_days_crisis": "1", "signal_threshold": "3",
            "signal_window_months": "6", "retention_years": "20"}
    refused = post(client, path, {**base, "capacity_stale_days": "0"}, token_from=path)
    assert "capacity_stale_days" in errors_of(refused.get_data(as_text=True))
    assert post(client, path, {**base, "capacity_stale_days": "12"}, token_from=path).status_code == 302
    assert post(client, path, {**base, "capacity_stale_days": "10"}, token_from=path).status_code == 302
    with app.app_context():
        assert freshness.stale_days(w.region.id) == 10
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "region_norms")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.detail == "fields=capacity_stale_days"


# --- capacity: updating, history, own organisation only ----------------------------------------------

def _version(body: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d*)"', body).group(1)


def test_every_update_is_kept_as_history_and_a_confirmation_makes_the_entry_fresh(app, as_, w):
    client = as_("provider_member")
    path = CAPACITY.format(w.provider.id, "residential")
    first = post(client, path, {"places_available": "2", "waiting_weeks": "6", "expected_places": "1",
                                "expected_on": (TODAY + timedelta(days=30)).isoformat(), "note": "Alleen meisjes",
                                "version": _version(client.get(path).get_data(as_text=True))})
    assert first.status_code == 302
    with app.app_context():  # make the first update three weeks old: stale
        entry = capacity.entry_for(w.provider.id, "residential")
        entry.updated_at = entry.history[0].recorded_at = local_moment(TODAY - timedelta(days=21))
        db.session.commit()
        assert freshness.rule_for(w.region.id).is_stale(entry.updated_at)
    page = client.get(path).get_data(as_text=True)
    assert "verouderd" in page and 'value="Alleen meisjes"' not in page  # the note is a text area
    confirmed = post(client, path, {"places_available": "2", "waiting_weeks": "6", "expected_places": "1",
                                    "expected_on": (TODAY + timedelta(days=30)).isoformat(),
                                    "note": "Alleen meisjes", "version": _version(page)})
    assert confirmed.status_code == 302
    changed = post(as_("colleague_member"), path, {"places_available": "0", "waiting_weeks": "10",
                                                   "version": _version(client.get(path).get_data(as_text=True))})
    assert changed.status_code == 302
    with app.app_context():
        entry = capacity.entry_for(w.provider.id, "residential")
        assert not freshness.rule_for(w.region.id).is_stale(entry.updated_at)
        rows = capacity.history(entry)
        assert [(h.places_available, h.waiting_weeks, h.expected_places, h.recorded_by_id) for h in rows] == [
            (0, 10, None, w.colleague_member.id), (2, 6, 1, w.provider_member.id), (2, 6, 1, w.provider_member.id)]
        assert rows[0].recorded_at >= rows[1].recorded_at > rows[2].recorded_at
        details = [e.detail for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "capacity_entry", AuditEvent.object_id == str(entry.id))
            .order_by(AuditEvent.id))]
        assert details[-2:] == [f"provider={w.provider.id};care_type=residential;confirmed",
                                f"provider={w.provider.id};care_type=residential;"
                                "fields=places_available,expected_places,expected_on,waiting_weeks,note"]
    history = as_("chair").get(path + "/historie").get_data(as_text=True)
    assert history.count("Alleen meisjes") == 2 and w.colleague_member.name in history


@pytest.mark.parametrize("who", ["other_provider_member", "outsider_member"])
def test_a_capacity_update_for_another_organisation_is_404(app, as_, w, who):
    client = as_(who)
    put_entry(app, w.provider.id, "ambulatory", places=3)
    before = snapshot(app, CapacityEntry), snapshot(app, CapacityUpdate)
    path = CAPACITY.format(w.provider.id, "ambulatory")
    assert client.get(path).status_code == 404
    assert post(client, path, {"places_available": "0", "waiting_weeks": "52", "version": "1"}).status_code == 404
    assert (snapshot(app, CapacityEntry), snapshot(app, CapacityUpdate)) == before


def test_the_service_refuses_another_organisations_capacity(app, ctx, w):
    with app.app_context():
        org = db.session.get(Organisation, w.provider.id)
        for who in (w.other_provider_member, w.chair, w.caseworker):
            with pytest.raises(RuleError):
                capacity.update(org, "ambulatory", {"places_available": 1, "waiting_weeks": 1},
                                db.session.get(User, who.id), None)


@pytest.mark.parametrize("who", ["chair", "member", "caseworker"])
def test_only_provider_members_update_capacity(as_, w, who):
    assert as_(who).get(CAPACITY.format(w.provider.id, "ambulatory")).status_code == 403


def test_a_care_type_the_provider_does_not_offer_has_no_capacity_page(as_, w):
    client = as_("provider_member")
    assert client.get(CAPACITY.format(w.provider.id, "foster_care")).status_code == 404  # not offered
    assert client.get(CAPACITY.format(w.provider.id, "geen-zorgvorm")).status_code == 404  # no such code
    assert client.get(CAPACITY.format(w.provider.id, "ambulatory")).status_code == 200


@pytest.mark.parametrize("values,expected", [
    ({"places_available": "-3", "waiting_weeks": "4"}, {"places_available": "Vul een aantal plaatsen in van 0 tot en met 999."}),
    ({"places_available": "5000", "waiting_weeks": "400"}, {"places_available": "Vul een aantal plaatsen in van 0 tot en met 999.",
                                                            "waiting_weeks": "Vul een wachttijd in van 0 tot en met 260 weken."}),
    ({"places_available": "twee", "waiting_weeks": ""}, {"places_available": "Vul een heel getal in, bijvoorbeeld 42.",
                                                         "waiting_weeks": "Dit veld is verplicht."}),
    ({"places_available": "1", "waiting_weeks": "2", "expected_places": "2", "expected_on": "PAST"},
     {"expected_on": "Deze datum ligt in het verleden. Vul vandaag of een latere datum in."}),
    ({"places_available": "1", "waiting_weeks": "2", "expected_places": "2"},
     {"expected_on": "Vul de datum in vanaf wanneer deze plaatsen verwacht worden."}),
    ({"places_available": "1", "waiting_weeks": "2", "expected_on": "FUTURE"},
     {"expected_places": "Vul in hoeveel plaatsen er op deze datum vrijkomen."}),
])
def test_bad_capacity_input_is_refused_next_to_the_field_and_kept(app, as_, w, values, expected):
    client = as_("provider_member")
    put_entry(app, w.provider.id, "ambulatory", places=3)
    path = CAPACITY.format(w.provider.id, "ambulatory")
    sent = {k: {"PAST": (TODAY - timedelta(days=1)).isoformat(),
                "FUTURE": (TODAY + timedelta(days=9)).isoformat()}.get(v, v) for k, v in values.items()}
    before = snapshot(app, CapacityEntry), snapshot(app, CapacityUpdate)
    response = post(client, path, {**sent, "version": _version(client.get(path).get_data(as_text=True))})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert errors_of(body) == expected
    for name, value in sent.items():
        assert f'value="{value}"' in body, name  # nothing typed is lost
    assert (snapshot(app, CapacityEntry), snapshot(app, CapacityUpdate)) == before


def test_a_past_expected_date_is_not_offered_again(app, as_, w):
    entry_id = put_entry(app, w.provider.id, "ambulatory", places=0)
    with app.app_context():
        entry = db.session.get(CapacityEntry, entry_id)
        entry.expected_places, entry.expected_on = 2, TODAY - timedelta(days=3)
        db.session.commit()
    body = as_("provider_member").get(CAPACITY.format(w.provider.id, "ambulatory")).get_data(as_text=True)
    assert "is verstreken" in body
    assert f'value="{(TODAY - timedelta(days=3)).isoformat()}"' not in body


def test_two_members_updating_the_same_entry_get_the_conflict_with_both_inputs(app, as_, w):
    put_entry(app, w.provider.id, "ambulatory", places=3, weeks=5)
    mine, theirs = as_("provider_member"), as_("colleague_member")
    path = CAPACITY.format(w.provider.id, "ambulatory")
    loaded = _version(mine.get(path).get_data(as_text=True))
    assert post(theirs, path, {"places_available": "0", "waiting_weeks": "12", "note": "Vol tot de zomer",
                               "version": _version(theirs.get(path).get_data(as_text=True))}).status_code == 302
    response = post(mine, path, {"places_available": "4", "waiting_weeks": "2", "note": "Er komt ruimte",
                                 "version": loaded})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "terwijl u die bewerkte" in body
    saved_now = body[body.index('id="saved-now"'):][:1500]
    assert "Vol tot de zomer" in saved_now and "12 weken" in saved_now  # theirs, as saved
    assert 'value="4"' in body and 'value="2"' in body and "Er komt ruimte" in body  # mine, as typed
    with app.app_context():
        entry = capacity.entry_for(w.provider.id, "ambulatory")
        assert (entry.places_available, entry.waiting_weeks) == (0, 12)
        assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.object_type == "capacity_entry")
                                 .order_by(AuditEvent.id.desc()).limit(1)).endswith("conflict")
    assert post(mine, path, {"places_available": "4", "waiting_weeks": "2", "note": "Er komt ruimte",
                             "version": _version(body)}).status_code == 302
    with app.app_context():
        assert capacity.entry_for(w.provider.id, "ambulatory").places_available == 4


def test_two_members_registering_the_first_entry_at_once(app, as_, w):
    mine, theirs = as_("provider_member"), as_("colleague_member")
    path = CAPACITY.format(w.provider.id, "residential")
    loaded = _version(mine.get(path).get_data(as_text=True))
    assert loaded == ""  # nothing registered yet
    assert post(theirs, path, {"places_available": "1", "waiting_weeks": "8", "version": ""}).status_code == 302
    response = post(mine, path, {"places_available": "3", "waiting_weeks": "1", "version": loaded})
    assert response.status_code == 200 and 'id="saved-now"' in response.get_data(as_text=True)
    with app.app_context():
        assert capacity.entry_for(w.provider.id, "residential").places_available == 1


def test_a_database_race_is_a_conflict_too(app, ctx, w):
    """Someone saved between the version check and the write: the stale version is refused."""
    from ret_app.kernel.uow import attempt

    entry_id = put_entry(app, w.provider.id, "ambulatory", places=3)
    with app.app_context():
        org = db.session.get(Organisation, w.provider.id)
        actor = db.session.get(User, w.provider_member.id)
        entry = db.session.get(CapacityEntry, entry_id)
        loaded = entry.version
        db.session.execute(CapacityEntry.__table__.update().where(CapacityEntry.id == entry_id)
                           .values(version=loaded + 1))
        with pytest.raises(Conflict):
            attempt(lambda: capacity.update(org, "ambulatory", {"places_available": 1, "waiting_weeks": 1}, actor,
                                            loaded))
        db.session.rollback()


# --- the overview -------------------------------------------------------------------------------------

def test_the_overview_filters_care_type_provider_places_and_freshness(app, as_, w):
    put_entry(app, w.provider.id, "ambulatory", places=3, updated_at=utcnow())
    put_entry(app, w.provider.id, "residential", places=0, updated_at=local_moment(TODAY - timedelta(days=20)))
    put_entry(app, w.other_provider.id, "ambulatory", places=0, updated_at=utcnow())
    # The other provider's residential care was never filled in; the other region's is fresh.
    put_entry(app, w.elsewhere.provider.id, "ambulatory", places=9, updated_at=utcnow())
    client = as_("member")

    def rows(query: str = "") -> set:
        body = client.get(f"/collectief/capaciteit{query}").get_data(as_text=True)
        assert "Elders Zorg" not in body
        tbody = table_of(body)
        out = set()
        for row in re.findall(r"<tr .*?</tr>", tbody, re.S):
            cells = re.findall(r'<td class="utrecht-table__cell">(.*?)</td>', row, re.S)
            if len(cells) > 1:
                name = re.sub(r"<[^>]+>", "", cells[1]).strip()
                out.add((re.sub(r"<[^>]+>", "", cells[0]).strip(), name))
        return out

    amb, res = "Ambulante jeugdhulp", "Residentiële jeugdhulp"
    everything = {(amb, "Jeugdzorg Eigen"), (res, "Jeugdzorg Eigen"), (amb, "GGZ Ander"), (res, "GGZ Ander")}
    assert rows() == everything
    assert rows("?care_type=ambulatory") == {(amb, "Jeugdzorg Eigen"), (amb, "GGZ Ander")}
    assert rows(f"?provider={w.other_provider.id}") == {(amb, "GGZ Ander"), (res, "GGZ Ander")}
    assert rows("?with_places=1") == {(amb, "Jeugdzorg Eigen")}
    assert rows("?stale=1") == {(res, "Jeugdzorg Eigen"), (res, "GGZ Ander")}
    assert rows("?stale=1&care_type=residential&provider=%d" % w.provider.id) == {(res, "Jeugdzorg Eigen")}
    assert rows(f"?provider={w.elsewhere.provider.id}") == set()  # another region's provider: nothing
    body = client.get("/collectief/capaciteit?stale=1").get_data(as_text=True)
    assert "nooit ingevuld" in body and "verouderd" in body


@pytest.mark.parametrize("who,status", [("chair", 200), ("member", 200), ("caseworker", 403),
                                        ("provider_member", 403), ("analyst", 403), ("admin", 403)])
def test_who_sees_the_overview(as_, w, who, status):
    assert as_(who).get("/collectief/capaciteit").status_code == status


def test_the_providers_list_filters_on_expertise_care_type_and_crisis(app, as_, w):
    with app.app_context():
        profile = db.session.get(ProviderProfile, w.other_provider.id)
        profile.crisis_available, profile.crisis_hours, profile.crisis_phone = True, "24/7", "0800 1234"
        profile.expertise = [profiles.ProviderExpertise(area="eating_disorders")]
        profile.care_types.append(ProviderCareType(care_type="youth_mental_health"))
        db.session.commit()
    client = as_("caseworker")

    def names(query: str) -> set:
        body = table_of(client.get(f"/collectief/{query}").get_data(as_text=True))
        return {n for n in ("Jeugdzorg Eigen", "GGZ Ander") if n in body}

    assert names("") == {"Jeugdzorg Eigen", "GGZ Ander"}
    assert names("?expertise=eating_disorders") == {"GGZ Ander"}
    assert names("?care_type=youth_mental_health") == {"GGZ Ander"}
    assert names("?crisis=1") == {"GGZ Ander"}
    assert names("?expertise=trauma") == set()
    assert names("?expertise=onzin&care_type=onzin") == {"Jeugdzorg Eigen", "GGZ Ander"}  # ignored


# --- the start page -----------------------------------------------------------------------------------

def test_a_provider_member_sees_their_capacity_and_its_freshness_on_the_start_page(app, as_, w):
    put_entry(app, w.provider.id, "ambulatory", places=3, updated_at=utcnow())
    put_entry(app, w.provider.id, "residential", places=1, updated_at=local_moment(TODAY - timedelta(days=15)))
    body = as_("provider_member").get("/start").get_data(as_text=True)
    card = body[body.index('id="start-capacity"'):][:4000]
    assert "1 zorgsoort bij te werken" in card
    assert card.index("Residentiële jeugdhulp") < card.index("Ambulante jeugdhulp")  # the stale first
    assert "verouderd" in card and "actueel" in card
    assert card.count("Nu bijwerken") == 2
    assert CAPACITY.format(w.provider.id, "residential") in card and CAPACITY.format(w.provider.id, "ambulatory") in card
    for who in ("chair", "caseworker", "outsider_member"):  # the outsider's provider is not in the collective
        assert 'id="start-capacity"' not in as_(who).get("/start").get_data(as_text=True), who


def test_the_stale_count_for_the_chairs_start_page(app, ctx, w):
    put_entry(app, w.provider.id, "ambulatory", updated_at=utcnow())
    put_entry(app, w.provider.id, "residential", updated_at=local_moment(TODAY - timedelta(days=14)))
    with app.app_context():
        # Stale: our residential; never filled in: the other provider's two. Elsewhere does not count.
        assert capacity.stale_count(w.region.id) == 3
        assert capacity.stale_count(w.region.id, today=TODAY - timedelta(days=1)) == 2
