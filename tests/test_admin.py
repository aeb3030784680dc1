"""Functional management screens: reference data, users, mandates, audit search.

Assertions use status codes, redirects, database state and stable markup (the NL Design System
field wrapper `utrecht-form-field--invalid` and the `<id>-error` element), not translated text.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Optional
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from ret_app import audit
from ret_app.extensions import db
from ret_app.models import (
    ActivationToken,
    AuditEvent,
    Mandate,
    Municipality,
    Network,
    Organisation,
    Region,
    User,
    WebSession,
)
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.policy import ROLE_PERMISSIONS, Permission
from tests.conftest import TEST_PASSWORD, csrf_token, login, post_form


# --- helpers --------------------------------------------------------------------------------

class FormState(HTMLParser):
    """What a re-rendered form shows: input values, checked boxes, selected options, textareas."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.checked: set[str] = set()
        self.selected: dict[str, list[str]] = {}
        self._select: Optional[str] = None
        self._textarea: Optional[str] = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("id"):
            self.values[a["id"]] = a.get("value") or ""
            if a.get("type") in ("checkbox", "radio") and "checked" in a:
                self.checked.add(a["id"])
        elif tag == "select":
            self._select = a.get("id")
            self.selected[self._select] = []
        elif tag == "option" and self._select is not None and "selected" in a:
            self.selected[self._select].append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a.get("id")
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.values[self._textarea] += data


WRAPPER = re.compile(r'<div class="(utrecht-form-field(?:\s[^"]*)?)"')


def _field_blocks(body: str) -> list[tuple[list[str], str]]:
    starts = list(WRAPPER.finditer(body))
    return [(m.group(1).split(), body[m.start():starts[i + 1].start() if i + 1 < len(starts) else len(body)])
            for i, m in enumerate(starts)]


def assert_field_error(body: str, field_id: str, input_id: Optional[str] = None) -> None:
    """The error sits in the field's own wrapper, which is marked invalid, next to the input."""
    input_id = input_id or field_id
    for classes, block in _field_blocks(body):
        if f'id="{field_id}-error"' in block:
            assert "utrecht-form-field--invalid" in classes, classes
            assert f'id="{input_id}"' in block, f"the error for {field_id} is not next to its input"
            message = re.search(rf'id="{field_id}-error"[^>]*>([^<]+)<', block)
            assert message and message.group(1).strip(), "empty error message"
            return
    pytest.fail(f"no error shown next to {field_id}")


def assert_no_field_error(body: str, field_id: str) -> None:
    assert f'id="{field_id}-error"' not in body, f"unexpected error next to {field_id}"


def translated(app, msgid: str, locale: str = "nl") -> str:
    """The text the app shows for `msgid` (whatever the catalogue says today)."""
    with app.test_request_context(), force_locale(locale):
        return gettext(msgid)


def count(app, model, *where) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
        return n


def fetch(app, model, *where):
    with app.app_context():
        obj = db.session.scalars(select(model).where(*where)).one()
        db.session.expunge(obj)
        db.session.remove()
        return obj


def fetch_all(app, model, *where) -> list:
    with app.app_context():
        rows = list(db.session.scalars(select(model).where(*where)))
        for row in rows:
            db.session.expunge(row)
        db.session.remove()
        return rows


def audit_details(app, object_type: str, object_id) -> list[tuple[str, str]]:
    return [(e.action, e.detail or "") for e in fetch_all(
        app, AuditEvent, AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))]


def location(response) -> str:
    return urlsplit(response.headers["Location"]).path


@pytest.fixture
def admin(client, login_as):
    """A signed-in admin; returns (user, post) where post(path, data) sends the form with a token."""
    user = login_as("admin")
    token = csrf_token(client, "/start")

    def post(path: str, data: dict, **kwargs):
        return client.post(path, data={"csrf_token": token, **data}, **kwargs)

    return user, post


@pytest.fixture
def post(admin):
    return admin[1]


@pytest.fixture
def region(factory):
    network = factory.network()
    return factory.region(name="Regio IJsselland", network_id=network.id)


def other_client_signed_in(app, user) -> object:
    other = app.test_client()
    login(other, app, user)
    assert other.get("/start").status_code == 200
    return other


def can_sign_in(app, user) -> bool:
    probe = app.test_client()
    token = csrf_token(probe, "/inloggen")
    response = probe.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    return response.status_code == 302 and location(response) == "/inloggen/verificatie"


# --- regions --------------------------------------------------------------------------------

def test_create_region(app, client, post, factory):
    network = factory.network()
    response = post("/beheer/regios", {"name": "Regio Twente", "network_id": str(network.id)})
    assert response.status_code == 302 and location(response) == "/beheer/regios"
    region = fetch(app, Region, Region.name == "Regio Twente")
    assert region.network_id == network.id
    assert ("create", "fields=name,network_id") in audit_details(app, "region", region.id)
    assert "Regio Twente" in client.get("/beheer/regios").get_data(as_text=True)


def test_region_name_required(app, post, factory):
    network = factory.network()
    body = post("/beheer/regios", {"name": "", "network_id": str(network.id)}).get_data(as_text=True)
    assert_field_error(body, "name")
    assert FormState(body).selected["network_id"] == [str(network.id)]
    assert count(app, Region) == 0


def test_region_name_must_be_unique(app, post, region):
    response = post("/beheer/regios", {"name": "regio ijsselland", "network_id": ""})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "name")
    assert FormState(body).values["name"] == "regio ijsselland"
    assert count(app, Region) == 1


def test_edit_region(app, post, region, factory):
    other_network = factory.network("JENN")
    response = post(f"/beheer/regios/{region.id}", {"name": "Regio IJsselland-Noord", "network_id": str(other_network.id)})
    assert response.status_code == 302 and location(response) == "/beheer/regios"
    changed = fetch(app, Region, Region.id == region.id)
    assert (changed.name, changed.network_id) == ("Regio IJsselland-Noord", other_network.id)
    assert ("update", "fields=name,network_id") in audit_details(app, "region", region.id)


def test_edit_region_to_existing_name_is_refused(app, post, region, factory):
    other = factory.region(name="Regio Twente")
    body = post(f"/beheer/regios/{other.id}", {"name": "Regio IJsselland", "network_id": ""}).get_data(as_text=True)
    assert_field_error(body, "name")
    assert FormState(body).values["name"] == "Regio IJsselland"
    assert fetch(app, Region, Region.id == other.id).name == "Regio Twente"


# --- municipalities -------------------------------------------------------------------------

def test_create_municipality(app, post, region):
    response = post("/beheer/gemeenten", {"name": "Zwolle", "cbs_code": "GM0193", "region_id": str(region.id)})
    assert response.status_code == 302 and location(response) == "/beheer/gemeenten"
    municipality = fetch(app, Municipality, Municipality.cbs_code == "GM0193")
    assert (municipality.name, municipality.region_id) == ("Zwolle", region.id)


@pytest.mark.parametrize("typed", ["gm0193", " GM0193 ", "Gm0193"])
def test_cbs_code_is_normalised(app, post, region, typed):
    response = post("/beheer/gemeenten", {"name": "Zwolle", "cbs_code": typed, "region_id": str(region.id)})
    assert response.status_code == 302, FormState(response.get_data(as_text=True)).values
    assert fetch(app, Municipality, Municipality.name == "Zwolle").cbs_code == "GM0193"


@pytest.mark.parametrize("bad_code", ["GM193", "GM01934", "XX0193", "0193", "GMabcd", "G M0193", ""])
def test_cbs_code_must_be_gm_and_four_digits(app, post, region, bad_code):
    response = post("/beheer/gemeenten", {"name": "Zwolle", "cbs_code": bad_code, "region_id": str(region.id)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "cbs_code")
    assert_no_field_error(body, "name")
    state = FormState(body)
    assert state.values["name"] == "Zwolle"
    assert state.selected["region_id"] == [str(region.id)]
    assert count(app, Municipality) == 0


def test_duplicate_cbs_code_is_refused_next_to_the_field(app, post, region, factory):
    factory_municipality = factory.municipality(region.id, name="Zwolle")
    other_region = factory.region(name="Regio Twente")
    response = post("/beheer/gemeenten", {"name": "Enschede", "cbs_code": factory_municipality.cbs_code,
                                          "region_id": str(other_region.id)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "cbs_code")
    state = FormState(body)
    assert state.values["name"] == "Enschede"
    assert state.values["cbs_code"] == factory_municipality.cbs_code
    assert state.selected["region_id"] == [str(other_region.id)]
    assert count(app, Municipality) == 1


def test_municipality_name_unique_within_region_only(app, post, region, factory):
    factory.municipality(region.id, name="Hof van Twente")
    body = post("/beheer/gemeenten", {"name": "hof van twente", "cbs_code": "GM1735",
                                      "region_id": str(region.id)}).get_data(as_text=True)
    assert_field_error(body, "name")
    other_region = factory.region(name="Regio Twente")
    response = post("/beheer/gemeenten", {"name": "Hof van Twente", "cbs_code": "GM1735",
                                          "region_id": str(other_region.id)})
    assert response.status_code == 302
    assert count(app, Municipality) == 2


def test_edit_municipality(app, post, region, factory):
    municipality = factory.municipality(region.id, name="Zwole")
    other = factory.municipality(region.id, name="Kampen")
    # Keeping its own code is fine.
    response = post(f"/beheer/gemeenten/{municipality.id}", {"name": "Zwolle", "cbs_code": municipality.cbs_code,
                                                             "region_id": str(region.id)})
    assert response.status_code == 302
    assert fetch(app, Municipality, Municipality.id == municipality.id).name == "Zwolle"
    # Taking another municipality's code is not.
    body = post(f"/beheer/gemeenten/{municipality.id}", {"name": "Zwolle", "cbs_code": other.cbs_code,
                                                         "region_id": str(region.id)}).get_data(as_text=True)
    assert_field_error(body, "cbs_code")
    assert fetch(app, Municipality, Municipality.id == municipality.id).cbs_code == municipality.cbs_code


# --- networks -------------------------------------------------------------------------------

def test_create_and_edit_network(app, post):
    response = post("/beheer/netwerken", {"name": "Bovenregionaal Expertisenetwerk Gelderland", "short_name": "BOEG",
                                          "answer_days": "10"})
    assert response.status_code == 302 and location(response) == "/beheer/netwerken"
    network = fetch(app, Network, Network.short_name == "BOEG")
    assert network.answer_days == 10
    response = post(f"/beheer/netwerken/{network.id}", {"name": "BOEG Gelderland", "short_name": "BOEG",
                                                        "answer_days": "15"})
    assert response.status_code == 302
    assert fetch(app, Network, Network.id == network.id).name == "BOEG Gelderland"
    assert fetch(app, Network, Network.id == network.id).answer_days == 15


def test_a_networks_answer_time_is_a_number_of_working_days_and_its_change_is_audited(app, post, factory):
    network = factory.network("BEN")
    body = post(f"/beheer/netwerken/{network.id}", {"name": network.name, "short_name": network.short_name,
                                                    "answer_days": "0"}).get_data(as_text=True)
    assert_field_error(body, "answer_days")
    assert FormState(body).values["answer_days"] == "0"  # what was typed stays
    assert fetch(app, Network, Network.id == network.id).answer_days == 10  # the default, unchanged
    post(f"/beheer/netwerken/{network.id}", {"name": network.name, "short_name": network.short_name,
                                             "answer_days": "7"})
    assert fetch(app, Network, Network.id == network.id).answer_days == 7
    with app.app_context():
        from ret_app.models import AuditEvent

        details = list(db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.object_type == "network", AuditEvent.object_id == str(network.id))))
    assert "fields=answer_days" in details


def test_network_short_name_unique_and_required(app, post, factory):
    existing = factory.network("JENN")
    body = post("/beheer/netwerken", {"name": "Een ander netwerk", "short_name": existing.short_name.lower(),
                                      "answer_days": "10"}).get_data(as_text=True)
    assert_field_error(body, "short_name")
    assert_no_field_error(body, "name")
    assert FormState(body).values["name"] == "Een ander netwerk"
    body = post("/beheer/netwerken", {"name": "", "short_name": "NIEUW", "answer_days": "10"}).get_data(as_text=True)
    assert_field_error(body, "name")
    assert FormState(body).values["short_name"] == "NIEUW"
    assert count(app, Network) == 1


# --- organisations --------------------------------------------------------------------------

def test_access_team_needs_a_municipality(app, post, region):
    response = post("/beheer/organisaties", {"name": "CJG Zwolle", "kind": "access_team", "region_id": str(region.id),
                                             "municipality_id": "", "active": "y"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "municipality_id")
    state = FormState(body)
    assert state.values["name"] == "CJG Zwolle"
    assert state.selected["kind"] == ["access_team"]
    assert state.selected["region_id"] == [str(region.id)]
    assert count(app, Organisation, Organisation.name == "CJG Zwolle") == 0


def test_access_team_takes_region_of_its_municipality(app, post, region, factory):
    municipality = factory.municipality(region.id, name="Zwolle")
    other_region = factory.region(name="Regio Twente")
    response = post("/beheer/organisaties", {"name": "CJG Zwolle", "kind": "access_team",
                                             "region_id": str(other_region.id),
                                             "municipality_id": str(municipality.id), "active": "y"})
    assert response.status_code == 302 and location(response) == "/beheer/organisaties"
    org = fetch(app, Organisation, Organisation.name == "CJG Zwolle")
    assert (org.municipality_id, org.region_id, org.network_id) == (municipality.id, region.id, None)


def test_network_organisation_needs_a_network(app, post, factory):
    network = factory.network()
    body = post("/beheer/organisaties", {"name": "BOEG bureau", "kind": "network", "network_id": "",
                                         "active": "y"}).get_data(as_text=True)
    assert_field_error(body, "network_id")
    assert FormState(body).values["name"] == "BOEG bureau"
    assert count(app, Organisation, Organisation.name == "BOEG bureau") == 0
    response = post("/beheer/organisaties", {"name": "BOEG bureau", "kind": "network", "network_id": str(network.id),
                                             "active": "y"})
    assert response.status_code == 302
    assert fetch(app, Organisation, Organisation.name == "BOEG bureau").network_id == network.id


def test_regional_organisation_needs_a_region(app, post):
    body = post("/beheer/organisaties", {"name": "RET IJsselland", "kind": "ret", "region_id": "",
                                         "active": "y"}).get_data(as_text=True)
    assert_field_error(body, "region_id")
    assert FormState(body).values["name"] == "RET IJsselland"
    assert count(app, Organisation, Organisation.name == "RET IJsselland") == 0


@pytest.mark.parametrize("kind,kept", [("provider", True), ("ret", False), ("certified_institution", False),
                                       ("access_team", False), ("network", False), ("management", False)])
def test_collective_flag_only_kept_for_providers(app, post, region, factory, kind, kept):
    municipality = factory.municipality(region.id)
    network = factory.network()
    response = post("/beheer/organisaties", {
        "name": "Org met vlag", "kind": kind, "region_id": str(region.id), "municipality_id": str(municipality.id),
        "network_id": str(network.id), "collective_member": "y", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    org = fetch(app, Organisation, Organisation.name == "Org met vlag")
    assert org.collective_member is kept
    # Only access teams keep a municipality, only network organisations a network.
    assert (org.municipality_id is not None) == (kind == "access_team")
    assert (org.network_id is not None) == (kind == "network")


def test_editing_provider_into_ret_drops_collective_flag(app, post, region, factory):
    org = factory.organisation("provider", region_id=region.id, collective_member=True, name="Zorgaanbieder A")
    response = post(f"/beheer/organisaties/{org.id}", {"name": "Zorgaanbieder A", "kind": "ret",
                                                       "region_id": str(region.id), "collective_member": "y",
                                                       "active": "y"})
    assert response.status_code == 302
    changed = fetch(app, Organisation, Organisation.id == org.id)
    assert (changed.kind, changed.collective_member) == ("ret", False)


def test_organisation_name_unique(app, post, region, factory):
    factory.organisation("ret", region_id=region.id, name="RET IJsselland")
    body = post("/beheer/organisaties", {"name": "ret ijsselland", "kind": "provider", "region_id": str(region.id),
                                         "active": "y"}).get_data(as_text=True)
    assert_field_error(body, "name")
    assert FormState(body).selected["kind"] == ["provider"]
    assert count(app, Organisation, func.lower(Organisation.name) == "ret ijsselland") == 1


# --- users ----------------------------------------------------------------------------------

@pytest.fixture
def orgs(factory, region):
    municipality = factory.municipality(region.id, name="Zwolle")
    return {
        "ret": factory.organisation("ret", region_id=region.id, name="RET IJsselland"),
        "access_team": factory.organisation("access_team", region_id=region.id, municipality_id=municipality.id,
                                            name="CJG Zwolle"),
        "provider": factory.organisation("provider", region_id=region.id, name="Zorgaanbieder A"),
        "management": factory.organisation("management", name="Functioneel beheer"),
        "network": factory.organisation("network", network_id=factory.network().id, name="BOEG bureau"),
        "municipality": municipality,
    }


def test_create_user_gives_a_working_activation_link(app, client, post, orgs):
    response = post("/beheer/gebruikers/nieuw", {"name": "Nieuwe Voorzitter", "email": "Nieuw@Test.Example",
                                                 "role": "chair", "organisation_id": str(orgs["ret"].id)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    link = re.search(r'id="activation-link">([^<]+)<', body).group(1).strip()
    assert "/activeren/" in link
    user = fetch(app, User, User.email == "nieuw@test.example")  # stored lower-case
    assert (user.role, user.organisation_id, user.password_hash, user.activated_at) == \
        ("chair", orgs["ret"].id, None, None)
    assert count(app, ActivationToken, ActivationToken.user_id == user.id) == 1
    assert ("create", "role=chair;activation_link_issued") in audit_details(app, "user", user.id)
    assert app.test_client().get(urlsplit(link).path).status_code == 200


def test_duplicate_email_is_refused(app, post, orgs, factory):
    factory.user("chair", orgs["ret"].id, email="bestaand@test.example")
    response = post("/beheer/gebruikers/nieuw", {"name": "Dubbel", "email": "BESTAAND@test.example", "role": "ret_member",
                                                 "organisation_id": str(orgs["ret"].id)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "email")
    state = FormState(body)
    assert state.values["name"] == "Dubbel"
    assert state.selected["role"] == ["ret_member"]
    assert state.selected["organisation_id"] == [str(orgs["ret"].id)]
    assert count(app, User, User.name == "Dubbel") == 0


@pytest.mark.parametrize("role,kind", [("caseworker", "ret"), ("chair", "access_team"), ("admin", "provider"),
                                       ("provider_member", "ret"), ("network_liaison", "management"),
                                       ("analyst", "network")])
def test_role_must_fit_organisation_kind(app, post, orgs, role, kind):
    response = post("/beheer/gebruikers/nieuw", {"name": "Past niet", "email": "pastniet@test.example", "role": role,
                                                 "organisation_id": str(orgs[kind].id)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "organisation_id")
    state = FormState(body)
    assert (state.values["name"], state.values["email"]) == ("Past niet", "pastniet@test.example")
    assert state.selected["role"] == [role]
    assert count(app, User, User.email == "pastniet@test.example") == 0


@pytest.mark.parametrize("role,kind", [("caseworker", "access_team"), ("chair", "ret"), ("admin", "management"),
                                       ("provider_member", "provider"), ("network_liaison", "network"),
                                       ("analyst", "management"), ("ret_member", "provider")])
def test_role_in_fitting_organisation_is_created(app, post, orgs, role, kind):
    response = post("/beheer/gebruikers/nieuw", {"name": "Past wel", "email": "pastwel@test.example", "role": role,
                                                 "organisation_id": str(orgs[kind].id)})
    assert response.status_code == 200 and 'id="activation-link"' in response.get_data(as_text=True)
    assert fetch(app, User, User.email == "pastwel@test.example").role == role


def test_changing_role_ends_sessions_and_is_audited(app, post, orgs, factory):
    target = factory.user("chair", orgs["ret"].id)
    other = other_client_signed_in(app, target)
    # A change of name only keeps the user signed in.
    response = post(f"/beheer/gebruikers/{target.id}", {"name": "Nieuwe Naam", "email": target.email, "role": "chair",
                                                        "organisation_id": str(orgs["ret"].id)})
    assert response.status_code == 302
    assert other.get("/start").status_code == 200
    # A change of role ends their sessions: what they may see changes.
    response = post(f"/beheer/gebruikers/{target.id}", {"name": "Nieuwe Naam", "email": target.email,
                                                        "role": "ret_member", "organisation_id": str(orgs["ret"].id)})
    assert response.status_code == 302 and location(response) == f"/beheer/gebruikers/{target.id}"
    assert fetch(app, User, User.id == target.id).role == "ret_member"
    assert location(other.get("/start")) == "/inloggen"
    assert count(app, WebSession, WebSession.user_id == target.id, WebSession.ended_at.is_(None)) == 0
    details = [d for action, d in audit_details(app, "user", target.id) if action == "update"]
    assert any("role=chair->ret_member" in d for d in details), details


def test_changing_organisation_ends_sessions(app, post, orgs, factory):
    target = factory.user("ret_member", orgs["ret"].id)
    other = other_client_signed_in(app, target)
    response = post(f"/beheer/gebruikers/{target.id}", {"name": target.name, "email": target.email,
                                                        "role": "ret_member", "organisation_id": str(orgs["provider"].id)})
    assert response.status_code == 302
    assert location(other.get("/start")) == "/inloggen"


def test_admin_cannot_change_own_role(app, admin, orgs):
    me, post = admin
    response = post(f"/beheer/gebruikers/{me.id}", {"name": me.name, "email": me.email, "role": "analyst",
                                                    "organisation_id": str(me.organisation_id)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "role")
    assert FormState(body).selected["role"] == ["analyst"]  # what was chosen stays visible
    assert fetch(app, User, User.id == me.id).role == "admin"
    # The own name can be changed.
    response = post(f"/beheer/gebruikers/{me.id}", {"name": "Beheerder Hernoemd", "email": me.email, "role": "admin",
                                                    "organisation_id": str(me.organisation_id)})
    assert response.status_code == 302
    assert fetch(app, User, User.id == me.id).name == "Beheerder Hernoemd"


def test_deactivate_and_reactivate(app, post, orgs, factory):
    target = factory.user("caseworker", orgs["access_team"].id)
    other = other_client_signed_in(app, target)
    response = post(f"/beheer/gebruikers/{target.id}/deactiveren", {})
    assert response.status_code == 302 and location(response) == f"/beheer/gebruikers/{target.id}"
    assert fetch(app, User, User.id == target.id).deactivated_at is not None
    assert location(other.get("/start")) == "/inloggen"
    assert not can_sign_in(app, target)
    assert ("update", "deactivated") in audit_details(app, "user", target.id)

    response = post(f"/beheer/gebruikers/{target.id}/heractiveren", {})
    assert response.status_code == 302
    assert fetch(app, User, User.id == target.id).deactivated_at is None
    assert can_sign_in(app, target)
    login(app.test_client(), app, target)  # both factors


def test_admin_cannot_deactivate_self(app, admin):
    me, post = admin
    response = post(f"/beheer/gebruikers/{me.id}/deactiveren", {})
    assert response.status_code == 302
    assert fetch(app, User, User.id == me.id).deactivated_at is None


def test_new_activation_link_replaces_the_old_one(app, post, orgs):
    first = post("/beheer/gebruikers/nieuw", {"name": "Nog niet actief", "email": "wacht@test.example",
                                              "role": "caseworker", "organisation_id": str(orgs["access_team"].id)})
    old_link = urlsplit(re.search(r'id="activation-link">([^<]+)<', first.get_data(as_text=True)).group(1).strip()).path
    user = fetch(app, User, User.email == "wacht@test.example")
    response = post(f"/beheer/gebruikers/{user.id}/activatielink", {})
    assert response.status_code == 200
    new_link = urlsplit(re.search(r'id="activation-link">([^<]+)<', response.get_data(as_text=True)).group(1).strip()).path
    assert new_link != old_link
    anonymous = app.test_client()
    assert anonymous.get(old_link).status_code == 404
    assert anonymous.get(new_link).status_code == 200
    assert ("update", "activation_link_issued") in audit_details(app, "user", user.id)


def test_no_activation_link_for_active_account(app, post, orgs, factory):
    target = factory.user("caseworker", orgs["access_team"].id)
    response = post(f"/beheer/gebruikers/{target.id}/activatielink", {})
    assert response.status_code == 302 and location(response) == f"/beheer/gebruikers/{target.id}"
    assert count(app, ActivationToken, ActivationToken.user_id == target.id) == 0


def test_reset_second_factor(app, post, orgs, factory):
    target = factory.user("chair", orgs["ret"].id)
    other = other_client_signed_in(app, target)
    response = post(f"/beheer/gebruikers/{target.id}/tweede-factor-resetten", {})
    assert response.status_code == 200 and 'id="activation-link"' in response.get_data(as_text=True)
    assert fetch(app, User, User.id == target.id).totp_secret is None
    assert location(other.get("/start")) == "/inloggen"


# --- users list -----------------------------------------------------------------------------

@pytest.fixture
def people(app, factory, orgs):
    anna = factory.user("chair", orgs["ret"].id, name="Anna Jansen", email="anna@ijsselland.example")
    bert = factory.user("caseworker", orgs["access_team"].id, name="Bert de Vries", email="bert@zwolle.example",
                        activated=False)
    carla = factory.user("analyst", orgs["management"].id, name="Carla Smit", email="carla@beleid.example")
    with app.app_context():
        db.session.get(User, carla.id).deactivated_at = utcnow()
        db.session.commit()
        db.session.remove()
    return {"anna": anna, "bert": bert, "carla": carla}


def _listed(body: str, people: dict) -> set[str]:
    return {key for key, user in people.items() if f"/beheer/gebruikers/{user.id}\"" in body}


@pytest.mark.parametrize("query,expected", [
    ("", {"anna", "bert", "carla"}),
    ("q=jansen", {"anna"}),
    ("q=ZWOLLE.example", {"bert"}),
    ("q=de+vries", {"bert"}),
    ("role=caseworker", {"bert"}),
    ("role=analyst", {"carla"}),
    ("status=active", {"anna"}),
    ("status=pending", {"bert"}),
    ("status=deactivated", {"carla"}),
    ("role=chair&status=deactivated", set()),
    ("q=nobody-by-this-name", set()),
])
def test_users_list_filters(client, admin, people, query, expected):
    response = client.get(f"/beheer/gebruikers?{query}")
    assert response.status_code == 200
    assert _listed(response.get_data(as_text=True), people) == expected


def test_users_list_htmx_returns_fragment(client, admin, people):
    response = client.get("/beheer/gebruikers?role=chair", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<body" not in body and "<nav" not in body.split("ret-pager")[0]
    assert "<table" in body
    assert _listed(body, people) == {"anna"}
    assert "HX-Request" in response.headers.get("Vary", "")
    # A boosted navigation gets the whole page.
    boosted = client.get("/beheer/gebruikers?role=chair", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_users_list_pages(app, client, admin, orgs, factory):
    for n in range(52):
        factory.user("ret_member", orgs["ret"].id, name=f"Lid {n:02d}", email=f"lid{n:02d}@test.example")
    first = client.get("/beheer/gebruikers?role=ret_member").get_data(as_text=True)
    second = client.get("/beheer/gebruikers?role=ret_member&page=2").get_data(as_text=True)
    first_ids = set(re.findall(r'/beheer/gebruikers/(\d+)"', first))
    second_ids = set(re.findall(r'/beheer/gebruikers/(\d+)"', second))
    assert len(first_ids) == 50 and len(second_ids) == 2 and not first_ids & second_ids
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', first)
    assert next_link and "role=ret_member" in next_link.group(1)  # the filter survives paging


# --- mandates -------------------------------------------------------------------------------

@pytest.fixture
def holder(factory, orgs):
    return factory.user("caseworker", orgs["access_team"].id, name="Hanna Houder")


def mandate_form(holder, municipality, **changes) -> dict:
    data = {
        "holder_id": str(holder.id),
        "municipality_id": str(municipality.id),
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "ceiling_eur": "25000",
        "care_types": ["ambulatory", "residential"],
        "granted_by": "College van B&W Zwolle",
        "document_reference": "MB-2026-007",
    }
    data.update(changes)
    return data


def test_register_mandate(app, admin, orgs, holder):
    me, post = admin
    response = post("/beheer/mandaten/nieuw", mandate_form(holder, orgs["municipality"]))
    assert response.status_code == 302
    mandate = fetch(app, Mandate, Mandate.holder_id == holder.id)
    assert location(response) == f"/beheer/mandaten/{mandate.id}"
    assert (mandate.municipality_id, mandate.valid_from, mandate.valid_until) == \
        (orgs["municipality"].id, date(2026, 1, 1), date(2026, 12, 31))
    assert mandate.ceiling_eur == Decimal("25000")
    assert sorted(mandate.care_types) == ["ambulatory", "residential"]
    assert (mandate.granted_by, mandate.document_reference, mandate.created_by_id) == \
        ("College van B&W Zwolle", "MB-2026-007", me.id)
    assert any(action == "create" for action, _ in audit_details(app, "mandate", mandate.id))


@pytest.mark.parametrize("typed,amount", [("25000", "25000"), ("25.000", "25000"), ("25000,50", "25000.50"),
                                          ("€ 25.000,50", "25000.50"), ("€25.000", "25000"),
                                          ("1.250.000", "1250000")])
def test_mandate_ceiling_accepts_how_people_type_amounts(app, post, orgs, holder, typed, amount):
    response = post("/beheer/mandaten/nieuw", mandate_form(holder, orgs["municipality"], ceiling_eur=typed))
    assert response.status_code == 302, FormState(response.get_data(as_text=True)).values
    assert fetch(app, Mandate, Mandate.holder_id == holder.id).ceiling_eur == Decimal(amount)


@pytest.mark.parametrize("typed", ["abc", "25 duizend", "0", "-5", "€", "1e400"])
def test_mandate_ceiling_refuses_non_amounts_and_keeps_the_form(app, post, orgs, holder, typed):
    response = post("/beheer/mandaten/nieuw", mandate_form(holder, orgs["municipality"], ceiling_eur=typed))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "ceiling_eur")
    for other in ("holder_id", "municipality_id", "valid_from", "valid_until", "care_types", "granted_by",
                  "document_reference"):
        assert_no_field_error(body, other)
    state = FormState(body)
    assert state.values["ceiling_eur"] == typed
    assert state.selected["holder_id"] == [str(holder.id)]
    assert state.selected["municipality_id"] == [str(orgs["municipality"].id)]
    assert (state.values["valid_from"], state.values["valid_until"]) == ("2026-01-01", "2026-12-31")
    assert state.values["granted_by"] == "College van B&W Zwolle"
    assert state.values["document_reference"] == "MB-2026-007"
    checked = {state.values[i] for i in state.checked if i.startswith("care_types")}
    assert checked == {"ambulatory", "residential"}
    assert count(app, Mandate) == 0


def test_mandate_end_before_start_is_refused(app, post, orgs, holder):
    body = post("/beheer/mandaten/nieuw", mandate_form(holder, orgs["municipality"], valid_from="2026-06-01",
                                                       valid_until="2026-05-31")).get_data(as_text=True)
    assert_field_error(body, "valid_until")
    assert FormState(body).values["ceiling_eur"] == "25000"
    assert count(app, Mandate) == 0
    # One day is fine.
    response = post("/beheer/mandaten/nieuw", mandate_form(holder, orgs["municipality"], valid_from="2026-06-01",
                                                           valid_until="2026-06-01"))
    assert response.status_code == 302


def test_mandate_needs_a_care_type(app, post, orgs, holder):
    data = mandate_form(holder, orgs["municipality"])
    del data["care_types"]
    body = post("/beheer/mandaten/nieuw", data).get_data(as_text=True)
    assert_field_error(body, "care_types", input_id="care_types-0")
    assert count(app, Mandate) == 0


def test_mandate_holder_must_be_an_active_caseworker(app, post, orgs, factory):
    chair = factory.user("chair", orgs["ret"].id)
    gone = factory.user("caseworker", orgs["access_team"].id)
    with app.app_context():
        db.session.get(User, gone.id).deactivated_at = utcnow()
        db.session.commit()
        db.session.remove()
    for holder in (chair, gone):
        body = post("/beheer/mandaten/nieuw", mandate_form(holder, orgs["municipality"])).get_data(as_text=True)
        assert_field_error(body, "holder_id")
        assert FormState(body).values["granted_by"] == "College van B&W Zwolle"
    assert count(app, Mandate) == 0
    # Only caseworkers are offered.
    page = FormState(post("/beheer/mandaten/nieuw", {}).get_data(as_text=True))
    assert page.values  # the form came back
    body = post("/beheer/mandaten/nieuw", {}).get_data(as_text=True)
    assert f'value="{chair.id}"' not in body.split('id="holder_id"')[1].split("</select>")[0]


@pytest.fixture
def register(factory, orgs, region):
    """Mandates in every status, in two municipalities."""
    today = dates.today()  # the one "today" of the application (the Netherlands)
    other_municipality = factory.municipality(region.id, name="Kampen")
    team = factory.organisation("access_team", region_id=region.id, municipality_id=other_municipality.id)
    a = factory.user("caseworker", orgs["access_team"].id, name="Houder Zwolle")
    b = factory.user("caseworker", team.id, name="Houder Kampen")
    zwolle = orgs["municipality"]
    return {
        "valid": factory.mandate(a.id, zwolle.id),
        "expired": factory.mandate(a.id, zwolle.id, valid_from=today - timedelta(days=400),
                                   valid_until=today - timedelta(days=1)),
        "not_yet_valid": factory.mandate(a.id, zwolle.id, valid_from=today + timedelta(days=1),
                                         valid_until=today + timedelta(days=365)),
        "revoked": factory.mandate(a.id, zwolle.id, revoked=True),
        "kampen_valid": factory.mandate(b.id, other_municipality.id),
        "zwolle": zwolle, "kampen": other_municipality,
    }


def _mandates_listed(body: str, register: dict) -> set[str]:
    return {key for key, m in register.items() if isinstance(m, Mandate) and f"/beheer/mandaten/{m.id}\"" in body}


@pytest.mark.parametrize("status,expected", [
    ("", {"valid", "expired", "not_yet_valid", "revoked", "kampen_valid"}),
    ("valid", {"valid", "kampen_valid"}),
    ("expired", {"expired"}),
    ("not_yet_valid", {"not_yet_valid"}),
    ("revoked", {"revoked"}),
    ("nonsense", {"valid", "expired", "not_yet_valid", "revoked", "kampen_valid"}),
])
def test_mandate_list_filters_by_status(client, admin, register, status, expected):
    body = client.get(f"/beheer/mandaten?status={status}").get_data(as_text=True)
    assert _mandates_listed(body, register) == expected


def test_mandate_list_filters_by_municipality(client, admin, register):
    body = client.get(f"/beheer/mandaten?municipality={register['kampen'].id}").get_data(as_text=True)
    assert _mandates_listed(body, register) == {"kampen_valid"}
    body = client.get(f"/beheer/mandaten?municipality={register['zwolle'].id}&status=valid").get_data(as_text=True)
    assert _mandates_listed(body, register) == {"valid"}
    fragment = client.get(f"/beheer/mandaten?municipality={register['zwolle'].id}&status=expired",
                          headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert _mandates_listed(fragment.get_data(as_text=True), register) == {"expired"}


def test_revoke_mandate(app, client, admin, orgs, holder, factory):
    me, post = admin
    mandate = factory.mandate(holder.id, orgs["municipality"].id)
    url = f"/beheer/mandaten/{mandate.id}"
    # A reason is required.
    response = post(url, {"reason": "   "})
    assert response.status_code == 200
    assert_field_error(response.get_data(as_text=True), "reason")
    assert fetch(app, Mandate, Mandate.id == mandate.id).revoked_at is None

    response = post(url, {"reason": "Medewerker werkt niet meer bij de gemeente"})
    assert response.status_code == 302 and location(response) == url
    revoked = fetch(app, Mandate, Mandate.id == mandate.id)
    assert revoked.revoked_at is not None and revoked.revoked_by_id == me.id
    assert revoked.revoke_reason == "Medewerker werkt niet meer bij de gemeente"
    assert ("update", "revoked") in audit_details(app, "mandate", mandate.id)

    badge_revoked = f'ret-badge--bad">{translated(app, "revoked")}</span>'
    detail = client.get(url).get_data(as_text=True)
    assert badge_revoked in detail
    assert 'name="reason"' not in detail  # no second revocation offered
    assert "Medewerker werkt niet meer bij de gemeente" in detail

    # Revoking again changes nothing.
    post(url, {"reason": "Nog een keer"})
    again = fetch(app, Mandate, Mandate.id == mandate.id)
    assert (again.revoked_at, again.revoke_reason) == (revoked.revoked_at, revoked.revoke_reason)

    # The holder sees it as revoked.
    caseworker = app.test_client()
    login(caseworker, app, holder)
    mine = caseworker.get("/mandaten/").get_data(as_text=True)
    assert badge_revoked in mine
    valid_badge = f'ret-badge--ok">{translated(app, "valid")}</span>'
    assert valid_badge not in mine


# --- audit search ---------------------------------------------------------------------------

@pytest.fixture
def events(app, factory):
    """60 events of a probe object type: 30 exports by Eva, 30 denied reads by Frits."""
    eva = factory.user("analyst", name="Eva Exporteur")
    frits = factory.user("chair", name="Frits Fout")
    with app.app_context():
        eva_row, frits_row = db.session.get(User, eva.id), db.session.get(User, frits.id)
        for n in range(1, 61):
            if n % 2:
                audit.record(audit.Action.EXPORT, object_type="probe", object_id=f"probe-{n:03d}", user=eva_row)
            else:
                audit.record(audit.Action.READ, outcome=audit.Outcome.DENIED, object_type="probe",
                             object_id=f"probe-{n:03d}", user=frits_row)
        db.session.commit()
        db.session.remove()


def _probes(body: str) -> set[int]:
    return {int(n) for n in re.findall(r"probe-(\d{3})", body)}


def test_audit_search_pages(client, admin, events):
    first = client.get("/beheer/audit?object_type=probe")
    assert first.status_code == 200
    first_body = first.get_data(as_text=True)
    assert _probes(first_body) == set(range(11, 61))  # newest first, 50 a page
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', first_body)
    assert next_link and "object_type=probe" in next_link.group(1)
    second = client.get(next_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert _probes(second) == set(range(1, 11))
    assert not re.search(r'href="[^"]*page=3', second)


@pytest.mark.parametrize("query,expected", [
    ("action=export", set(range(1, 61, 2))),
    ("outcome=denied", set(range(2, 61, 2))),
    ("who=frits", set(range(2, 61, 2))),
    ("who=eva&action=read", set()),
])
def test_audit_search_filters(client, admin, events, query, expected):
    body = client.get(f"/beheer/audit?object_type=probe&{query}").get_data(as_text=True)
    # Up to the first page of 50.
    assert _probes(body) == set(sorted(expected, reverse=True)[:50])


def test_audit_search_by_date(client, admin, events):
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()  # the search works in local dates
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    assert _probes(client.get(f"/beheer/audit?object_type=probe&date_to={yesterday}").get_data(as_text=True)) == set()
    assert _probes(client.get(f"/beheer/audit?object_type=probe&date_from={tomorrow}").get_data(as_text=True)) == set()
    assert len(_probes(client.get(
        f"/beheer/audit?object_type=probe&date_from={yesterday}&date_to={tomorrow}").get_data(as_text=True))) == 50


def test_audit_search_bad_date_is_shown_next_to_the_field(client, admin, events):
    response = client.get("/beheer/audit?object_type=probe&date_from=gisteren")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_field_error(body, "date_from")
    assert FormState(body).values["object_type"] == "probe"
    assert _probes(body) == set()


def test_audit_search_htmx_fragment_and_is_itself_recorded(app, client, admin, events):
    me, _ = admin
    response = client.get("/beheer/audit?object_type=probe&action=export", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    assert _probes(body) == set(range(1, 61, 2))
    searches = fetch_all(app, AuditEvent, AuditEvent.action == "search", AuditEvent.user_id == me.id)
    assert searches and searches[-1].object_type == "audit_event"
    assert "object_type" in searches[-1].detail and "action" in searches[-1].detail


# --- the admin sees no case content ---------------------------------------------------------

# ANSWER_PROVISIONAL: the admin records a municipality's answer to an "onder voorbehoud" decision
# (issue 4); that page shows reference, municipality, care type and amount, never case content.
ADMIN_PERMISSIONS = {Permission.USE_APP, Permission.MANAGE_REFERENCE_DATA, Permission.MANAGE_USERS,
                     Permission.MANAGE_MANDATES, Permission.VIEW_AUDIT, Permission.ANSWER_PROVISIONAL,
                     # the register of processing (GDPR art. 30): categories, purposes, retention; no case content
                     Permission.VIEW_PROCESSING_REGISTER}
ADMIN_FOLLOW_UP = "/overleggen/voorbehoud"


def test_admin_role_has_only_management_permissions():
    granted = {permission for permission, roles in ROLE_PERMISSIONS.items() if "admin" in roles}
    assert granted <= ADMIN_PERMISSIONS, (
        f"admin was given {sorted(granted - ADMIN_PERMISSIONS)}: the admin must not see case content")
    assert Permission.VIEW_OWN_MANDATES not in granted


def test_admin_navigation_has_no_case_links(client, admin):
    body = client.get("/start").get_data(as_text=True)
    nav = re.search(r'<nav class="utrecht-nav-bar[^"]*"[^>]*>(.*?)</nav>', body, re.S)
    assert nav, "no main navigation"
    links = re.findall(r'href="([^"]+)"', nav.group(1))
    assert links
    for href in links:
        if href == ADMIN_FOLLOW_UP:
            continue
        assert re.match(r"^/(start|account/|beheer/)", href), f"unexpected navigation link for admin: {href}"
        assert not re.search(r"cas(e|us)|dossier|aanmeld|screening|overleg|escalat", href, re.I), href
    everything = re.findall(r'href="(/[^"]*)"', body)
    assert not [h for h in everything if re.search(r"cas(e|us)|dossier|aanmeld", h, re.I)]


def test_user_in_an_inactive_organisation_can_still_be_edited(client, login_as, factory, app):
    from ret_app.extensions import db
    from ret_app.models import Organisation, User

    login_as("admin")
    org = factory.organisation(kind="ret")
    user = factory.user("chair", organisation_id=org.id)
    with app.app_context():
        db.session.get(Organisation, org.id).active = False
        db.session.commit()
    path = f"/beheer/gebruikers/{user.id}"
    r = post_form(client, path, {"name": "Nieuwe Naam", "email": user.email, "role": "chair",
                                 "organisation_id": str(org.id)}, token_from=path)
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).name == "Nieuwe Naam"
    # Nobody new is moved into the inactive organisation.
    other = factory.user("chair")
    r = post_form(client, f"/beheer/gebruikers/{other.id}", {"name": other.name, "email": other.email, "role": "chair",
                                                             "organisation_id": str(org.id)}, token_from=path)
    assert r.status_code == 200
    with app.app_context():
        assert db.session.get(User, other.id).organisation_id != org.id


def test_access_team_follows_its_municipality_to_another_region(client, login_as, factory, app):
    from ret_app.extensions import db
    from ret_app.models import Organisation

    login_as("admin")
    region_a, region_b = factory.region(), factory.region()
    municipality = factory.municipality(region_a.id)
    team = factory.organisation(kind="access_team", region_id=region_a.id, municipality_id=municipality.id)
    path = f"/beheer/gemeenten/{municipality.id}"
    r = post_form(client, path, {"name": municipality.name, "cbs_code": municipality.cbs_code,
                                 "region_id": str(region_b.id)}, token_from=path)
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, team.id).region_id == region_b.id
