"""The care-type catalogue per region: the service every capability asks (choices with `keep`, names
that include retired types, validate's refusals), the administrator's pages (list, add, edit with
optimistic locking, retire, reactivate, remove an unused type; every refusal next to its field, in
Dutch), the default catalogue of a new region, and the users of care types that now read the region's
catalogue (the mandate form and register, the live decision form, the minutes PDF, the case page).

The migration that brought the catalogue is tested on demo data in test_migrations.py."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from ret_app.caretypes import services
from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES, LEGACY_CODES
from ret_app.extensions import db
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.meetings import decisions
from ret_app.models import AuditEvent, CareType, Decision, Mandate, MeetingItem, Region, User
from tests.conftest import csrf_token, login


def nl(app, message: str, **variables) -> str:
    with app.test_request_context(), force_locale("nl"):
        return gettext(message, **variables)


@pytest.fixture
def world(make_world):
    return make_world()


def _care_type(region_id: int, code: str) -> CareType:
    return db.session.scalar(select(CareType).where(CareType.region_id == region_id, CareType.code == code))


def _retire_directly(app, region_id: int, code: str) -> None:
    """Retired by someone earlier (no service, no audit: the state a test starts from)."""
    with app.app_context():
        db.session.execute(update(CareType).where(CareType.region_id == region_id, CareType.code == code)
                           .values(active=False))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def admin(app, client, world):
    login(client, app, world.admin)
    token = csrf_token(client, "/start")

    def post(path: str, data: dict, **kwargs):
        return client.post(path, data={"csrf_token": token, **data}, **kwargs)

    return post


def _error_next_to(body: str, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>\s*([^<]+)<', body)
    assert found, f"no error next to {field}"
    return found.group(1).strip()


# --- the defaults ---------------------------------------------------------------------------------

def test_the_defaults_keep_every_former_code_and_add_the_regions_products():
    codes = [default.code for default in DEFAULT_CARE_TYPES]
    assert len(codes) == len(set(codes))
    assert LEGACY_CODES <= set(codes)
    names = {default.name for default in DEFAULT_CARE_TYPES}
    # Seed 001's products: jeugd-ggz and pleegzorg were among the eleven already.
    assert {"Jeugd-ggz", "Pleegzorg", "Verblijf behandelgroep", "Verblijf 3-milieu", "JeugdzorgPlus",
            "Respijtopvang jeugd", "Intensieve ambulante gezinsbehandeling"} <= names
    assert all(services.CODE_PATTERN.match(code) for code in codes)


# --- the service ------------------------------------------------------------------------------------

def test_choices_are_the_active_types_in_order_and_keep_a_records_retired_value(app, ctx, world):
    region_id = world.region.id
    offered = services.choices(region_id)
    assert [code for code, _name in offered] == [default.code for default in DEFAULT_CARE_TYPES]
    assert offered[0] == ("ambulatory", "Ambulante jeugdhulp")

    _retire_directly(app, region_id, "residential")
    offered = services.choices(region_id)
    assert "residential" not in dict(offered)
    # Editing a record that holds it: it stays a choice, saying it is no longer offered.
    kept = dict(services.choices(region_id, keep=("residential",)))
    with app.test_request_context(), force_locale("nl"):
        kept = dict(services.choices(region_id, keep=("residential",)))
        assert kept["residential"] == "Residentiële jeugdhulp (niet meer aangeboden)"
    # A kept code on offer appears once; an unknown kept code is shown as stored, never dropped.
    assert [code for code, _ in services.choices(region_id, keep=("ambulatory",))].count("ambulatory") == 1
    assert ("gone_code", "gone_code") in services.choices(region_id, keep=("gone_code",))


def test_names_include_retired_types_and_belong_to_the_region(app, ctx, world):
    _retire_directly(app, world.region.id, "residential")
    with app.app_context():
        db.session.execute(update(CareType).where(CareType.region_id == world.elsewhere.region.id,
                                                  CareType.code == "ambulatory").values(name="Ambulant (elders)"))
        db.session.commit()
    names = services.names(world.region.id)
    assert names["residential"] == "Residentiële jeugdhulp"  # retired, still readable
    assert names["ambulatory"] == "Ambulante jeugdhulp"
    both = services.names_for([world.region.id, world.elsewhere.region.id, None])
    assert both[world.elsewhere.region.id]["ambulatory"] == "Ambulant (elders)"
    assert both[world.region.id] == names
    # A code no catalogue knows reads as itself: nothing a record holds is hidden.
    assert services.label("mystery_code", names) == "mystery_code"
    assert services.label("residential", names) == "Residentiële jeugdhulp"


@pytest.mark.parametrize("code,message", [
    ("", "Choose a care type."),
    (None, "Choose a care type."),
    ("no_such_type", "This care type is not in the catalogue of this region. Choose one from the list."),
    ("residential", "%(name)s is no longer offered in this region. Choose another care type."),
])
def test_validate_refuses_what_is_not_on_offer_next_to_the_field(app, world, code, message):
    _retire_directly(app, world.region.id, "residential")
    with app.test_request_context(), force_locale("nl"):
        with pytest.raises(RuleError) as refused:
            services.validate(world.region.id, code, field="care_type")
        assert refused.value.field == "care_type"
        assert str(refused.value.message) == gettext(message, name="Residentiële jeugdhulp")
        services.validate(world.region.id, "ambulatory")  # on offer: no objection


def test_validate_judges_by_the_regions_own_catalogue_and_keeps_a_records_value(app, ctx, world):
    with app.app_context():
        other = world.elsewhere.region.id
        db.session.add(CareType(region_id=other, code="only_there", name="Alleen daar", position=999))
        db.session.commit()
    services.validate(world.elsewhere.region.id, "only_there")
    with pytest.raises(RuleError):
        services.validate(world.region.id, "only_there")
    _retire_directly(app, world.region.id, "crisis")
    with pytest.raises(RuleError):
        services.validate(world.region.id, "crisis")
    services.validate(world.region.id, "crisis", keep=("crisis",))  # the record has it already
    with pytest.raises(RuleError) as refused:
        services.validate_many(world.region.id, [], "care_types")
    assert refused.value.field == "care_types"


def test_seed_defaults_adds_only_what_the_region_lacks(app, ctx, world):
    with app.app_context():
        region = Region(name=f"Regio {secrets.token_hex(3)}")
        db.session.add(region)
        db.session.flush()
        assert services.seed_defaults(region.id) == len(DEFAULT_CARE_TYPES)
        assert services.seed_defaults(region.id) == 0
        assert db.session.scalar(select(func.count(CareType.id)).where(CareType.region_id == region.id)) == \
            len(DEFAULT_CARE_TYPES)
        seeded = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "care_type_catalogue",
                                                              AuditEvent.object_id == str(region.id))).all()
        assert [e.detail for e in seeded] == [f"region={region.id};count={len(DEFAULT_CARE_TYPES)}"]
        db.session.rollback()


def test_codes_in_use_are_read_from_every_column_that_holds_codes(app, ctx, world, factory):
    columns = {f"{c.table.name}.{c.name}" for c in services.usage_columns()}
    assert {"mandate.care_types", "decision.care_type"} <= columns
    factory.mandate(world.caseworker.id, world.municipality.id, care_types=("foster_care", "crisis"))
    used = services.codes_in_use()
    assert {"foster_care", "crisis"} <= used and "jeugdzorgplus" not in used
    # Per region: a mandate is of its municipality's region, a decision of its case's.
    assert {"foster_care", "crisis"} <= services.codes_in_use(world.region.id)
    assert not {"foster_care", "crisis"} & services.codes_in_use(world.elsewhere.region.id)
    case_id = factory.case(world.elsewhere.caseworker, world.elsewhere.municipality, status="process_direction")
    meeting_id = factory.meeting(world.elsewhere.chair, status="in_progress", cases=(case_id,))
    item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
    db.session.add(Decision(item_id=item.id, case_id=case_id, municipality_id=world.elsewhere.municipality.id,
                            kind="commits_help", text="Hulp", care_type="day_treatment", amount_eur=Decimal("100"),
                            status="provisional", submission_key=secrets.token_hex(8),
                            recorded_by_id=world.elsewhere.chair.id))
    db.session.flush()
    assert "day_treatment" in services.codes_in_use(world.elsewhere.region.id)
    assert "day_treatment" not in services.codes_in_use(world.region.id)


def test_a_table_that_reaches_no_region_counts_for_every_region():
    import sqlalchemy as sa

    loose = sa.Table("loose", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("care_type", sa.String(32)))
    assert services._region_of(loose) is None
    assert services._region_of(Decision.__table__)[0] is not None


# --- the administrator's pages ---------------------------------------------------------------------

def test_the_region_list_links_to_its_care_types(app, client, admin, world):
    body = client.get("/beheer/regios").get_data(as_text=True)
    assert f'href="/beheer/regios/{world.region.id}/zorgsoorten"' in body


def test_the_catalogue_page_shows_every_type_with_its_state(app, client, admin, world, factory):
    _retire_directly(app, world.region.id, "residential")
    factory.mandate(world.caseworker.id, world.municipality.id, care_types=("ambulatory",))
    body = client.get(f"/beheer/regios/{world.region.id}/zorgsoorten").get_data(as_text=True)
    rows = dict(re.findall(r'data-care-type="([a-z_0-9]+)">(.*?)</tr>', body, re.S))
    assert list(rows) == [default.code for default in DEFAULT_CARE_TYPES]
    assert "Niet meer aangeboden" in rows["residential"] and "Weer aanbieden" in rows["residential"]
    assert "Aangeboden" in rows["ambulatory"] and "Buiten gebruik zetten" in rows["ambulatory"]
    # In use: no removing it (only retiring); unused: it can be removed.
    assert "in gebruik in gegevens" in rows["ambulatory"] and "/verwijderen" not in rows["ambulatory"]
    assert "/verwijderen" in rows["jeugdzorgplus"]
    assert "Verblijf 3-milieu" in rows["residential_three_milieu"]


def test_another_regions_care_type_is_404(app, client, admin, world):
    with app.app_context():
        theirs = _care_type(world.elsewhere.region.id, "ambulatory").id
    assert client.get(f"/beheer/regios/{world.region.id}/zorgsoorten/{theirs}").status_code == 404
    assert admin(f"/beheer/regios/{world.region.id}/zorgsoorten/{theirs}/buiten-gebruik",
                 {"version": "1"}).status_code == 404
    with app.app_context():
        assert _care_type(world.elsewhere.region.id, "ambulatory").active
    assert client.get("/beheer/regios/987654/zorgsoorten").status_code == 404


def test_adding_a_care_type(app, client, admin, world):
    response = admin(f"/beheer/regios/{world.region.id}/zorgsoorten",
                     {"code": " Logeeropvang_Weekend ", "name": "Logeeropvang in het weekend",
                      "description": "Een weekend per maand", "position": ""})
    assert response.status_code == 302
    with app.app_context():
        added = _care_type(world.region.id, "logeeropvang_weekend")
        assert (added.name, added.description, added.active) == ("Logeeropvang in het weekend",
                                                                  "Een weekend per maand", True)
        highest = db.session.scalar(select(func.max(CareType.position)).where(CareType.region_id == world.region.id,
                                                                              CareType.id != added.id))
        assert added.position == highest + 10  # at the end of the list
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "care_type",
                                                              AuditEvent.object_id == str(added.id))).all()
        assert [(e.action, e.detail) for e in events] == [
            ("create", f"region={world.region.id};code=logeeropvang_weekend")]
        # The new type is offered in this region only.
        assert "logeeropvang_weekend" in dict(services.choices(world.region.id))
        assert "logeeropvang_weekend" not in dict(services.choices(world.elsewhere.region.id))


def test_adding_refuses_every_problem_at_once_and_keeps_what_was_typed(app, client, admin, world):
    before = _count(app)
    response = admin(f"/beheer/regios/{world.region.id}/zorgsoorten",
                     {"code": "9-fout!", "name": "ambulante JEUGDHULP", "description": "Mijn tekst", "position": "-3"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _error_next_to(body, "code") == nl(app, "A code is 2 to %(max)d characters: lowercase letters, digits "
                                                   "and _, starting with a letter (for example respite_care).",
                                              max=32)
    assert _error_next_to(body, "name") == nl(app, "This region has a care type with this name already.")
    assert _error_next_to(body, "position") == nl(app, "Enter a whole number from 0 to 9999.")
    assert 'value="9-fout!"' in body and 'value="ambulante JEUGDHULP"' in body and "Mijn tekst</textarea>" in body
    assert _count(app) == before

    body = admin(f"/beheer/regios/{world.region.id}/zorgsoorten",
                 {"code": "crisis", "name": "Nog een crisis"}).get_data(as_text=True)
    assert _error_next_to(body, "code") == nl(app, "This region has a care type with this code already.")
    body = admin(f"/beheer/regios/{world.region.id}/zorgsoorten", {"code": "", "name": ""}).get_data(as_text=True)
    assert _error_next_to(body, "code") and _error_next_to(body, "name")
    assert _count(app) == before


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CareType.id)))


def test_editing_name_description_and_position(app, client, admin, world):
    with app.app_context():
        care_type = _care_type(world.region.id, "respite_care")
        url = f"/beheer/regios/{world.region.id}/zorgsoorten/{care_type.id}"
    page = client.get(url).get_data(as_text=True)
    assert "<code>respite_care</code>" in page and 'name="code"' not in page  # the code cannot change
    response = admin(url, {"name": "Respijtzorg", "description": "", "position": "5", "version": "1"})
    assert response.status_code == 302
    with app.app_context():
        care_type = _care_type(world.region.id, "respite_care")
        assert (care_type.name, care_type.description, care_type.position, care_type.version) == \
            ("Respijtzorg", None, 5, 2)
        assert services.choices(world.region.id)[0] == ("respite_care", "Respijtzorg")  # first now
        detail = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "care_type",
                                                                    AuditEvent.object_id == str(care_type.id))).all()
        assert detail == [f"region={world.region.id};code=respite_care;fields=name,description,position"]
    # Position left empty: it stays where it is.
    assert admin(url, {"name": "Respijtzorg", "position": "", "version": "2"}).status_code == 302
    with app.app_context():
        assert _care_type(world.region.id, "respite_care").position == 5


def test_two_administrators_editing_the_same_type_keep_both_inputs(app, client, admin, world):
    with app.app_context():
        care_type = _care_type(world.region.id, "crisis")
        url = f"/beheer/regios/{world.region.id}/zorgsoorten/{care_type.id}"
    # The other administrator saved first (from the version both loaded).
    assert admin(url, {"name": "Crisishulp", "description": "Van de ander", "position": "130",
                       "version": "1"}).status_code == 302
    response = admin(url, {"name": "Crisisopvang jeugd", "description": "Van mij", "position": "130", "version": "1"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert str(nl(app, "Someone else changed this at the same moment. Nothing of your last action was saved; "
                       "check the page and try again.")) in body
    assert 'value="Crisisopvang jeugd"' in body and "Van mij</textarea>" in body  # mine, in the form
    saved_now = body.split('id="saved-now"', 1)[1].split("</dl>", 1)[0]
    assert "Crisishulp" in saved_now and "Van de ander" in saved_now  # theirs, beside it
    # The form now carries the version saved by the other: sending it again overwrites knowingly.
    assert re.search(r'<input id="version" name="version" type="hidden" value="2">', body)
    with app.app_context():
        assert _care_type(world.region.id, "crisis").name == "Crisishulp"
    # Saving again (against the version now shown) replaces it knowingly.
    assert admin(url, {"name": "Crisisopvang jeugd", "description": "Van mij", "position": "130",
                       "version": "2"}).status_code == 302
    with app.app_context():
        assert _care_type(world.region.id, "crisis").name == "Crisisopvang jeugd"


def test_the_service_refuses_a_stale_version(app, ctx, world):
    care_type = _care_type(world.region.id, "crisis")
    admin_user = db.session.get(User, world.admin.id)
    with pytest.raises(Conflict) as conflict:
        services.update(care_type, {"name": "X"}, admin_user, loaded_version="7")
    assert conflict.value.detail["name"] == "Crisisopvang"
    with pytest.raises(Conflict):
        services.retire(care_type, admin_user, loaded_version="7")
    assert care_type.name == "Crisisopvang" and care_type.active


def test_retire_and_offer_again(app, client, admin, world):
    with app.app_context():
        care_type = _care_type(world.region.id, "day_treatment")
    base = f"/beheer/regios/{world.region.id}/zorgsoorten/{care_type.id}"
    response = admin(f"{base}/buiten-gebruik", {"version": "1"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert nl(app, "The care type is no longer offered. Records that have it keep it.") in page
    with app.app_context():
        assert not _care_type(world.region.id, "day_treatment").active
        assert "day_treatment" not in dict(services.choices(world.region.id))
    # Sent again from the page as it is now: nothing changes, and the page says so.
    again = admin(f"{base}/buiten-gebruik", {"version": "2"})
    assert nl(app, "This care type was retired already.") in client.get(again.headers["Location"]).get_data(
        as_text=True)
    assert admin(f"{base}/weer-in-gebruik", {"version": "2"}).status_code == 302
    with app.app_context():
        assert _care_type(world.region.id, "day_treatment").active
        details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.object_type == "care_type",
                                                                     AuditEvent.object_id == str(care_type.id))
                                     .order_by(AuditEvent.id)).all()
    assert details == [f"region={world.region.id};code=day_treatment;retired",
                       f"region={world.region.id};code=day_treatment;reactivated"]


def test_a_stale_retire_changes_nothing_and_says_why(app, client, admin, world):
    with app.app_context():
        care_type = _care_type(world.region.id, "foster_care")
    base = f"/beheer/regios/{world.region.id}/zorgsoorten/{care_type.id}"
    assert admin(base, {"name": "Pleegzorg (deeltijd en voltijd)", "version": "1"}).status_code == 302
    response = admin(f"{base}/buiten-gebruik", {"version": "1"})  # from the page before that edit
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert nl(app, "Someone else changed this at the same moment. Nothing of your last action was saved; "
                   "check the page and try again.") in page
    with app.app_context():
        assert _care_type(world.region.id, "foster_care").active


def test_the_last_type_on_offer_cannot_be_retired(app, client, admin, world):
    with app.app_context():
        db.session.execute(update(CareType).where(CareType.region_id == world.region.id, CareType.code != "crisis")
                           .values(active=False))
        db.session.commit()
        last = _care_type(world.region.id, "crisis")
    response = admin(f"/beheer/regios/{world.region.id}/zorgsoorten/{last.id}/buiten-gebruik", {"version": "1"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert nl(app, "This is the region's last care type on offer: add or reactivate another first.") in page
    with app.app_context():
        assert _care_type(world.region.id, "crisis").active


def test_a_used_type_cannot_be_removed_an_unused_one_can(app, client, admin, world, factory):
    factory.mandate(world.caseworker.id, world.municipality.id, care_types=("youth_mental_health",))
    with app.app_context():
        used = _care_type(world.region.id, "youth_mental_health")
        unused = _care_type(world.region.id, "jeugdzorgplus")
    response = admin(f"/beheer/regios/{world.region.id}/zorgsoorten/{used.id}/verwijderen", {"version": "1"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert nl(app, "Records use this care type, so it cannot be removed. Retire it instead: the records keep it "
                   "and it is no longer offered.") in page
    assert admin(f"/beheer/regios/{world.region.id}/zorgsoorten/{unused.id}/verwijderen",
                 {"version": "1"}).status_code == 302
    with app.app_context():
        assert _care_type(world.region.id, "youth_mental_health") is not None
        assert _care_type(world.region.id, "jeugdzorgplus") is None
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "care_type",
                                                                 AuditEvent.object_id == str(unused.id))) == "delete"


def test_a_decision_using_a_type_blocks_its_removal(app, ctx, world, factory):
    case_id = factory.case(world.caseworker, world.municipality, status="process_direction")
    meeting_id = factory.meeting(world.chair, status="in_progress", cases=(case_id,))
    item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
    db.session.add(Decision(item_id=item.id, case_id=case_id, municipality_id=world.municipality.id,
                            kind="commits_help", text="Hulp", care_type="respite_care", amount_eur=Decimal("100"),
                            status="provisional", submission_key=secrets.token_hex(8), recorded_by_id=world.chair.id))
    db.session.flush()
    with pytest.raises(RuleError):
        services.remove(_care_type(world.region.id, "respite_care"), db.session.get(User, world.admin.id))


@pytest.mark.parametrize("role", ["chair", "member", "caseworker", "provider_member", "analyst"])
def test_only_the_administrator_maintains_the_catalogue(app, client, world, role):
    login(client, app, getattr(world, role))
    assert client.get(f"/beheer/regios/{world.region.id}/zorgsoorten").status_code == 403


def test_a_region_the_administrator_creates_gets_the_default_catalogue(app, admin, world):
    assert admin("/beheer/regios", {"name": "Regio Twente (test)", "network_id": ""}).status_code == 302
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.name == "Regio Twente (test)"))
        assert [code for code, _ in services.choices(region.id)] == [d.code for d in DEFAULT_CARE_TYPES]


# --- the users of care types -------------------------------------------------------------------------

def _mandate_data(world, municipality, **changes) -> dict:
    data = {"holder_id": str(world.caseworker.id), "municipality_id": str(municipality.id),
            "valid_from": date.today().isoformat(), "valid_until": (date.today() + timedelta(days=200)).isoformat(),
            "ceiling_eur": "25000", "care_types": ["ambulatory", "respite_care"], "granted_by": "College",
            "document_reference": "MB-1"}
    data.update(changes)
    return data


def test_the_mandate_form_offers_the_municipalitys_regional_catalogue(app, client, admin, world):
    with app.app_context():
        db.session.add(CareType(region_id=world.elsewhere.region.id, code="only_there", name="Alleen daar",
                                position=5))
        db.session.commit()
    _retire_directly(app, world.region.id, "residential")
    empty = client.get("/beheer/mandaten/nieuw").get_data(as_text=True)
    assert 'name="care_types"' not in empty and nl(
        app, "Choose the municipality first: its region's care types are shown here.") in empty
    # Choosing the municipality (htmx, or the button without JavaScript) shows its region's types.
    refreshed = admin("/beheer/mandaten/nieuw", {"municipality_id": str(world.municipality.id), "refresh": "1"})
    body = refreshed.get_data(as_text=True)
    assert refreshed.status_code == 200 and 'value="respite_care"' in body and 'value="residential"' not in body
    assert 'value="only_there"' not in body and "utrecht-form-field--invalid" not in body
    with app.app_context():
        assert db.session.scalar(select(func.count(Mandate.id))) == 0
    there = admin("/beheer/mandaten/nieuw",
                  {"municipality_id": str(world.elsewhere.municipality.id), "refresh": "1"}).get_data(as_text=True)
    assert 'value="only_there"' in there


def test_a_mandate_with_a_retired_or_foreign_type_is_refused_next_to_the_field(app, client, admin, world):
    _retire_directly(app, world.region.id, "residential")
    body = admin("/beheer/mandaten/nieuw", _mandate_data(world, world.municipality,
                                                          care_types=["ambulatory", "residential"])).get_data(as_text=True)
    assert _error_next_to(body, "care_types") == nl(
        app, "%(name)s is no longer offered in this region. Choose another care type.", name="Residentiële jeugdhulp")
    assert 'value="MB-1"' in body  # the rest kept
    with app.app_context():
        assert db.session.scalar(select(func.count(Mandate.id))) == 0
    response = admin("/beheer/mandaten/nieuw", _mandate_data(world, world.municipality))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Mandate.care_types)) == ["ambulatory", "respite_care"]


def test_the_register_and_the_mandate_show_names_also_of_retired_types(app, client, admin, world, factory):
    mandate = factory.mandate(world.caseworker.id, world.municipality.id, care_types=("residential", "respite_care"))
    _retire_directly(app, world.region.id, "residential")
    register = client.get("/beheer/mandaten").get_data(as_text=True)
    assert "Residentiële jeugdhulp, Respijtopvang jeugd" in register
    detail = client.get(f"/beheer/mandaten/{mandate.id}").get_data(as_text=True)
    assert "Residentiële jeugdhulp, Respijtopvang jeugd" in detail
    # The holder's own page too.
    holder = app.test_client()
    login(holder, app, world.caseworker)
    assert "Residentiële jeugdhulp, Respijtopvang jeugd" in holder.get("/mandaten/").get_data(as_text=True)


def test_a_mandate_of_a_retired_type_still_covers_a_decision_but_a_new_decision_cannot_pick_it(app, ctx, world,
                                                                                            factory):
    """Mandate.covers works on codes; the decision form offers what is on offer now."""
    factory.mandate(world.caseworker.id, world.municipality.id, care_types=("residential", "ambulatory"))
    case_id = factory.case(world.caseworker, world.municipality, status="process_direction")
    meeting_id = factory.meeting(world.chair, status="in_progress", cases=(case_id,), present=(world.caseworker,))
    _retire_directly(app, world.region.id, "residential")
    item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
    chair = db.session.get(User, world.chair.id)
    data = {"submission_key": secrets.token_hex(8), "kind": "commits_help", "text": "Verblijf",
            "care_type": "residential", "amount_eur": Decimal("1000")}
    with app.test_request_context(), force_locale("nl"):
        with pytest.raises(RuleError) as refused:
            decisions.record(item, data, chair)
        assert refused.value.errors["care_type"] == gettext(
            "%(name)s is no longer offered in this region. Choose another care type.", name="Residentiële jeugdhulp")
    decision, created = decisions.record(item, dict(data, care_type="ambulatory"), chair)
    assert created and decision.status == "binding"
    db.session.rollback()


def test_the_live_decision_form_offers_the_regions_types_and_shows_names(app, world, factory):
    factory.mandate(world.caseworker.id, world.municipality.id, care_types=("respite_care",))
    case_id = factory.case(world.caseworker, world.municipality, status="process_direction")
    meeting_id = factory.meeting(world.chair, status="in_progress", cases=(case_id,), present=(world.caseworker,))
    _retire_directly(app, world.region.id, "residential")
    client = app.test_client()
    login(client, app, world.chair)
    with app.app_context():
        item_id = db.session.scalar(select(MeetingItem.id).where(MeetingItem.meeting_id == meeting_id))
    page = client.get(f"/overleggen/{meeting_id}/live?item={item_id}").get_data(as_text=True)
    select_html = page.split(f'id="d{item_id}-care_type"', 1)[1].split("</select>", 1)[0]
    assert 'value="respite_care"' in select_html and "Respijtopvang jeugd" in select_html
    assert 'value="residential"' not in select_html
    assert "Respijtopvang jeugd" in page.split(f'data-mandate-holder="{world.caseworker.id}"', 1)[1]
    token = csrf_token(client, "/start")
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten", data={
        "csrf_token": token, f"d{item_id}-submission_key": secrets.token_hex(8), f"d{item_id}-text": "Respijt",
        f"d{item_id}-kind": "commits_help", f"d{item_id}-care_type": "residential", f"d{item_id}-amount_eur": "500"})
    body = response.get_data(as_text=True)
    assert _error_next_to(body, f"d{item_id}-care_type") == nl(
        app, "%(name)s is no longer offered in this region. Choose another care type.", name="Residentiële jeugdhulp")
    response = client.post(f"/overleggen/{meeting_id}/agenda/{item_id}/besluiten", data={
        "csrf_token": token, f"d{item_id}-submission_key": secrets.token_hex(8), f"d{item_id}-text": "Respijt",
        f"d{item_id}-kind": "commits_help", f"d{item_id}-care_type": "respite_care", f"d{item_id}-amount_eur": "500"})
    assert response.status_code == 302
    page = client.get(f"/overleggen/{meeting_id}/live?item={item_id}").get_data(as_text=True)
    decisions_html = page.split(f'id="live-decisions-{item_id}"', 1)[1]
    assert "Respijtopvang jeugd" in decisions_html.split("</ul>", 1)[0]


# --- lists stay fast ----------------------------------------------------------------------------------

@pytest.mark.counts_queries("caretypes.catalogue")
def test_the_catalogue_page_issues_the_same_queries_for_5_and_100_types(app, world, count_queries):
    with app.app_context():
        region = Region(name=f"Regio {secrets.token_hex(4)}")
        db.session.add(region)
        db.session.commit()
        region_id = region.id
    client = app.test_client()
    login(client, app, world.admin)
    url = f"/beheer/regios/{region_id}/zorgsoorten"
    counts = {}
    have = 0
    for size in (5, 100):
        with app.app_context():
            db.session.add_all([CareType(region_id=region_id, code=f"type_{n:03d}", name=f"Zorgsoort {n:03d}",
                                         description=f"Omschrijving {n}", position=n, active=n % 3 != 0)
                                for n in range(have, size)])
            db.session.commit()
        have = size
        assert client.get(url).status_code == 200  # warm up
        with count_queries() as statements:
            body = client.get(url).get_data(as_text=True)
        counts[size] = len(statements)
        assert body.count('data-care-type="') == size and f"Zorgsoort {size - 1:03d}" in body
    assert counts[5] == counts[100], counts


def test_minutes_and_the_case_page_name_the_care_type_by_the_regions_catalogue_also_once_retired(app, world,
                                                                                                 factory):
    from ret_app.meetings import lifecycle
    from ret_app.models import Meeting
    from tests.test_screening_pdf import pdf_text

    case_id = factory.case(world.caseworker, world.municipality, status="process_direction")
    meeting_id = factory.meeting(world.chair, status="in_progress", cases=(case_id,), invite=(world.member,))
    with app.test_request_context():
        chair = db.session.get(User, world.chair.id)
        item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
        decisions.record(item, {"submission_key": secrets.token_hex(8), "kind": "commits_help",
                                "text": "Logeren in het weekend", "care_type": "respite_care",
                                "amount_eur": Decimal("6500")}, chair)
        lifecycle.apply(db.session.get(Meeting, meeting_id), "close", chair)
        db.session.commit()
    _retire_directly(app, world.region.id, "respite_care")
    client = app.test_client()
    login(client, app, world.member)
    _, text = pdf_text(client.get(f"/overleggen/{meeting_id}/notulen.pdf").data)
    assert "Respijtopvang jeugd" in text and "respite_care" not in text
    page = client.get(f"/casussen/{case_id}").get_data(as_text=True)
    assert "Respijtopvang jeugd" in page.split('id="case-decisions"', 1)[1].split("</ul>", 1)[0]
