"""The referral (aanmelding) over HTTP: the youth and the question saved as a concept with every
input kept on errors, the 11-check and the age limit, optimistic locking, the family system and help
tried before (htmx and without JavaScript), consent by the Jeugdwet age rules, submitting, provider
access ending with collective consent, and the audit trail."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Optional

import pytest
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import select

from ret_app.referrals.services import bsn_is_valid
from ret_app.extensions import db
from ret_app.models import AuditEvent, Case, CaseParticipant, FamilyMember
from tests.conftest import csrf_token, login

TODAY = date.today()


# --- helpers ---------------------------------------------------------------------------------

def years_ago(years: int, days: int = 0) -> date:
    try:
        day = TODAY.replace(year=TODAY.year - years)
    except ValueError:  # 29 February
        day = TODAY.replace(year=TODAY.year - years, day=28)
    return day + timedelta(days=days)


def t(app, msgid: str, **kwargs) -> str:
    """A message as the (Dutch) interface shows it, HTML-escaped as in the page."""
    with app.test_request_context():
        return str(escape(gettext(msgid, **kwargs)))


class Fields(HTMLParser):
    """Values of the form controls on a page, by id: what the user would see in them."""

    def __init__(self, body: str):
        super().__init__()
        self.values: dict[str, object] = {}
        self._textarea: Optional[str] = None
        self._select: Optional[str] = None
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("id"):
            if a.get("type") == "checkbox":
                self.values[a["id"]] = "checked" in a
            else:
                self.values[a["id"]] = a.get("value", "")
        elif tag == "textarea" and a.get("id"):
            self._textarea = a["id"]
            self.values[a["id"]] = ""
        elif tag == "select" and a.get("id"):
            self._select = a["id"]
            self.values[a["id"]] = None
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def field_error(body: str, field_id: str) -> Optional[str]:
    match = re.search(rf'id="{re.escape(field_id)}-error">(.*?)</div>', body, re.S)
    return match.group(1).strip() if match else None


def post(client, path: str, data: dict, *, htmx: bool = False, **kwargs):
    token = csrf_token(client, "/start")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(path, data={"csrf_token": token, **data}, headers=headers, **kwargs)


def referral_form(client, case_id: int) -> dict:
    """The referral form as loaded now: its values plus the hidden version and fingerprint."""
    response = client.get(f"/casussen/{case_id}/aanmelding")
    assert response.status_code == 200
    values = Fields(response.get_data(as_text=True)).values
    data = {name: values.get(name) or "" for name in (
        "youth_first_name", "youth_last_name", "youth_birth_date", "youth_bsn", "youth_gender",
        "youth_daytime_activity", "question", "why_stuck", "urgency", "version", "loaded_state")}
    if values.get("placement_intended"):
        data["placement_intended"] = "y"
    return data


def save(client, case_id: int, form: dict, **changes):
    return post(client, f"/casussen/{case_id}/aanmelding", {**form, **changes})


def load(app, case_id: int) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        for rel in ("family_members", "prior_help", "consents", "legal_grounds", "events", "participants"):
            getattr(case, rel)
        db.session.expunge_all()
        db.session.remove()
        return case


def audit_events(app, case_id: int, action: Optional[str] = None) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        events = list(db.session.scalars(stmt))
        db.session.expunge_all()
        db.session.remove()
        return events


def add_member(app, case_id: int, relation: str, authority: bool, name: str = "") -> int:
    with app.app_context():
        member = FamilyMember(case_id=case_id, relation=relation, parental_authority=authority, name=name)
        db.session.add(member)
        db.session.commit()
        member_id = member.id
        db.session.remove()
        return member_id


def give_consent(client, case_id: int, person: str, scope: str = "ret", *, given_on: Optional[date] = None,
                 kind: str = "written", htmx: bool = False, back: str = "referral"):
    """One ticked cell of the consent grid (person x scope)."""
    return give_consents(client, case_id, [f"{person}:{scope}"], given_on=given_on, kind=kind, htmx=htmx,
                         back=back)


def give_consents(client, case_id: int, cells: list[str], *, given_on: Optional[date] = None,
                  kind: str = "written", htmx: bool = False, back: str = "referral"):
    """The consent grid with these cells ('<person>:<scope>') ticked, saved in one go."""
    return post(client, f"/casussen/{case_id}/toestemming", {
        "consent-cells": cells, "consent-given_on": (given_on or TODAY).isoformat() if given_on != "" else "",
        "consent-kind": kind, "back": back}, htmx=htmx)


@pytest.fixture
def world(make_world):
    return make_world(aliases={"mun": "municipality", "other_mun": "other_municipality",
                               "stranger": "other_caseworker"})


@pytest.fixture
def concept(world, factory):
    """A concept of the signed-in caseworker's team for a youth of 14 (both parents' consent needed)."""
    return factory.case(world["caseworker"], world["mun"], status="concept")


@pytest.fixture
def signed_in(app, client, world):
    login(client, app, world["caseworker"])
    return client


# --- the 11-check and the age limit ------------------------------------------------------------

@pytest.mark.parametrize("bsn,valid", [
    ("111222333", True), ("123456782", True),
    ("123456789", False), ("12345678", False), ("1234567890", False), ("12345678a", False), ("abcdefghi", False),
    ("000000000", False),
])
def test_bsn_eleven_check(bsn, valid):
    assert bsn_is_valid(bsn) is valid


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "1234.56.782", " 123 456 782 "])
def test_valid_bsn_is_saved(app, signed_in, concept, bsn):
    response = save(signed_in, concept, referral_form(signed_in, concept), youth_bsn=bsn)
    assert response.status_code == 302
    assert load(app, concept).youth_bsn == re.sub(r"\D", "", bsn)


@pytest.mark.parametrize("bsn,message", [
    ("123456789", "This is not a valid BSN (it fails the 11-check). Check the number."),
    ("12345678", "A BSN consists of 9 digits."),
    ("12345678a", "A BSN consists of 9 digits."),
])
def test_invalid_bsn_is_refused_next_to_the_field(app, signed_in, concept, bsn, message):
    before = load(app, concept)
    response = save(signed_in, concept, referral_form(signed_in, concept), youth_bsn=bsn,
                    youth_first_name="Sanne", question="Een nieuwe vraag")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert field_error(body, "youth_bsn") == t(app, message)
    values = Fields(body).values
    assert values["youth_bsn"] == bsn and values["youth_first_name"] == "Sanne"
    assert values["question"].strip() == "Een nieuwe vraag"
    after = load(app, concept)
    assert (after.youth_first_name, after.question, after.youth_bsn, after.version) == (
        before.youth_first_name, before.question, before.youth_bsn, before.version), "nothing is saved"


@pytest.mark.parametrize("birth,ok", [
    (years_ago(23), True),  # 23 today
    (years_ago(24, days=1), True),  # 24 tomorrow: still 23
    (years_ago(24), False),  # 24 today
    (years_ago(0), True),  # born today
    (TODAY + timedelta(days=1), False),  # in the future
])
def test_age_limit_at_referral(app, signed_in, concept, birth, ok):
    response = save(signed_in, concept, referral_form(signed_in, concept), youth_birth_date=birth.isoformat(),
                    why_stuck="Geen plek")
    if ok:
        assert response.status_code == 302
        assert load(app, concept).youth_birth_date == birth
        return
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    expected = ("The date of birth lies in the future." if birth > TODAY
                else "The RET handles youths up to and including 23 years old.")
    assert field_error(body, "youth_birth_date") == t(app, expected)
    values = Fields(body).values
    assert values["youth_birth_date"] == birth.isoformat()
    assert values["why_stuck"].strip() == "Geen plek"
    assert load(app, concept).youth_birth_date != birth


def test_unreadable_date_and_every_other_value_are_kept(app, signed_in, concept):
    form = referral_form(signed_in, concept)
    response = save(signed_in, concept, form, youth_birth_date="31-13-2010", youth_first_name="Noor",
                    youth_last_name="de Vries", youth_daytime_activity="VSO De Brug", youth_gender="other_unknown",
                    question="Vraag", why_stuck="Vast", urgency="crisis", placement_intended="y")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert field_error(body, "youth_birth_date") == t(app, "Enter a valid date, for example 31-12-2010.")
    values = Fields(body).values
    assert values["youth_birth_date"] == "31-13-2010"
    assert (values["youth_first_name"], values["youth_last_name"], values["youth_daytime_activity"]) == (
        "Noor", "de Vries", "VSO De Brug")
    assert values["youth_gender"] == "other_unknown" and values["urgency"] == "crisis"
    assert values["placement_intended"] is True
    # The error summary links to the field.
    assert 'href="#youth_birth_date"' in body


def test_incomplete_concept_is_saved_and_typed_dutch_date_accepted(app, signed_in, concept):
    response = save(signed_in, concept, referral_form(signed_in, concept), youth_first_name="", youth_last_name="",
                    question="", why_stuck="", youth_birth_date="05-03-2012", urgency="urgent",
                    placement_intended="y", youth_gender="female")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casussen/{concept}/aanmelding")
    case = load(app, concept)
    assert case.youth_first_name == "" and case.question == ""
    assert case.youth_birth_date == date(2012, 3, 5)
    assert case.urgency == "urgent" and case.placement_intended and case.youth_gender == "female"
    assert case.status == "concept"


# --- who may edit --------------------------------------------------------------------------

def test_only_the_referring_team_edits_while_concept(app, client, world, factory, login_as):
    case_id = factory.case(world["caseworker"], world["mun"], status="concept")
    submitted = factory.case(world["caseworker"], world["mun"], status="submitted")
    login(client, app, world["colleague"])  # same access team
    assert client.get(f"/casussen/{case_id}/aanmelding").status_code == 200
    assert client.get(f"/casussen/{submitted}/aanmelding").status_code == 404  # no longer editable
    assert client.get(f"/casussen/{submitted}").status_code == 200  # but visible

    other = app.test_client()
    login(other, app, world["stranger"])
    assert other.get(f"/casussen/{case_id}/aanmelding").status_code == 404
    before = load(app, case_id)
    response = post(other, f"/casussen/{case_id}/aanmelding", {"youth_first_name": "X", "urgency": "regular",
                                                              "version": str(before.version)})
    assert response.status_code == 404
    assert load(app, case_id).youth_first_name == before.youth_first_name
    denied = [e for e in audit_events(app, case_id) if e.outcome == "denied"]
    assert {e.user_id for e in denied} == {world["stranger"].id}

    chair = app.test_client()
    login(chair, app, world["chair"])
    assert chair.get(f"/casussen/{case_id}/aanmelding").status_code == 403  # not a caseworker


def test_new_referral_leads_to_the_referral_page(app, signed_in, world):
    response = post(signed_in, "/casussen/nieuw", {"municipality_id": str(world["mun"].id)})
    assert response.status_code == 302
    assert re.search(r"/casussen/\d+/aanmelding$", response.headers["Location"])
    assert signed_in.get(response.headers["Location"]).status_code == 200


# --- optimistic locking --------------------------------------------------------------------

def test_second_save_on_an_old_version_gets_a_conflict_and_keeps_its_input(app, signed_in, world, concept):
    second = app.test_client()
    login(second, app, world["colleague"])
    form_a = referral_form(signed_in, concept)
    form_b = referral_form(second, concept)

    assert save(signed_in, concept, form_a, question="Vraag van A").status_code == 302
    response = save(second, concept, form_b, question="Vraag van B", youth_daytime_activity="Praktijkschool")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="conflict"' in body
    conflict = body[body.index('id="conflict"'):body.index("</div>", body.index('id="conflict"'))]
    assert t(app, "Question (hulpvraag)") in conflict and "Vraag van A" in conflict
    assert t(app, "School or daytime activity") not in conflict  # A did not change that
    values = Fields(body).values
    assert values["question"].strip() == "Vraag van B"
    assert values["youth_daytime_activity"] == "Praktijkschool"
    assert load(app, concept).question == "Vraag van A", "the first save is not overwritten"
    assert audit_events(app, concept, "update")[-1].outcome == "failed"

    # Saving the re-rendered form (now on the current version) is a deliberate overwrite.
    again = {k: v for k, v in values.items() if k in form_b}
    again.update(question=values["question"].strip(), youth_gender=values.get("youth_gender") or "",
                 urgency=values.get("urgency") or "regular")
    assert save(second, concept, again).status_code == 302
    case = load(app, concept)
    assert case.question == "Vraag van B" and case.youth_daytime_activity == "Praktijkschool"


def test_newer_version_without_changes_to_these_fields_is_no_conflict(app, signed_in, world, concept):
    add_member(app, concept, "mother", True)
    form = referral_form(signed_in, concept)
    version = load(app, concept).version
    # Consent changes the case's flags (a new version) but none of the fields on the form.
    give_consent(signed_in, concept, "youth")
    assert load(app, concept).version == version  # flags unchanged: 14, mother still missing
    mother = load(app, concept).family_members[0].id
    give_consent(signed_in, concept, str(mother))
    assert load(app, concept).version > version and load(app, concept).consent_ret
    response = save(signed_in, concept, form, question="Mijn vraag")
    assert response.status_code == 302
    assert load(app, concept).question == "Mijn vraag"


def test_database_refuses_a_stale_write_even_past_the_check(app, signed_in, world, concept, monkeypatch):
    """If another save lands between the version check and the write, the version column stops it."""
    from ret_app.referrals import services as referral_services

    form = referral_form(signed_in, concept)
    other = app.test_client()
    login(other, app, world["colleague"])
    assert save(other, concept, referral_form(other, concept), why_stuck="Door B").status_code == 302
    monkeypatch.setattr(referral_services, "changed_by_others", lambda *a, **k: [])
    # The request loads the case as it was before B saved (as if it had read it just before).
    stale_version = int(form["version"])
    original_get = db.session.get

    def get_old_version(model, ident, *args, **kwargs):
        obj = original_get(model, ident, *args, **kwargs)
        if model is Case and obj is not None and obj.version != stale_version:
            from sqlalchemy.orm.attributes import set_committed_value
            set_committed_value(obj, "version", stale_version)
        return obj

    monkeypatch.setattr(db.session, "get", get_old_version)
    response = save(signed_in, concept, form, why_stuck="Door A")
    monkeypatch.undo()
    assert response.status_code == 200
    assert 'id="conflict"' in response.get_data(as_text=True)
    assert Fields(response.get_data(as_text=True)).values["why_stuck"].strip() == "Door A"
    assert load(app, concept).why_stuck == "Door B"


# --- family system and help tried before --------------------------------------------------------

def test_family_member_added_inline_with_htmx(app, signed_in, concept):
    response = post(signed_in, f"/casussen/{concept}/aanmelding/gezin", {
        "member-relation": "mother", "member-name": "Fatima", "member-age": "41",
        "member-living_situation": "Woont bij de jeugdige", "member-parental_authority": "y"}, htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="gezinssysteem"' in body and "Fatima" in body
    # Who must consent changed: the consent section comes along out of band.
    assert re.search(r'id="toestemming"[^>]*hx-swap-oob="true"', body)
    case = load(app, concept)
    [member] = case.family_members
    assert (member.relation, member.name, member.age, member.parental_authority) == ("mother", "Fatima", 41, True)
    assert audit_events(app, concept, "create")[-1].object_type == "family_member"


def test_family_member_without_javascript(app, signed_in, concept):
    response = post(signed_in, f"/casussen/{concept}/aanmelding/gezin", {"member-relation": "sibling",
                                                                        "member-age": "9"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/aanmelding#gezinssysteem")
    assert [m.relation for m in load(app, concept).family_members] == ["sibling"]


def test_invalid_family_member_keeps_input(app, signed_in, concept):
    for htmx in (True, False):
        response = post(signed_in, f"/casussen/{concept}/aanmelding/gezin", {
            "member-relation": "", "member-name": "Kees", "member-age": "veertig",
            "member-living_situation": "Elders"}, htmx=htmx)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert ("<html" in body) is not htmx
        assert field_error(body, "member-relation") == t(app, "This field is required.")
        assert field_error(body, "member-age") == t(app, "Enter a whole number, for example 42.")
        values = Fields(body).values
        assert values["member-name"] == "Kees" and values["member-age"] == "veertig"
        assert values["member-living_situation"] == "Elders"
    response = post(signed_in, f"/casussen/{concept}/aanmelding/gezin", {
        "member-relation": "sibling", "member-age": "15", "member-parental_authority": "y"}, htmx=True)
    assert field_error(response.get_data(as_text=True), "member-parental_authority") == t(
        app, "Someone under 18 cannot hold parental authority.")
    assert load(app, concept).family_members == []


def test_family_member_edit_and_remove(app, signed_in, concept):
    member = add_member(app, concept, "father", False, "Jan")
    edit_url = f"/casussen/{concept}/aanmelding/gezin/{member}"
    fragment = signed_in.get(edit_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    page = signed_in.get(edit_url)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert Fields(page.get_data(as_text=True)).values[f"member-{member}-name"] == "Jan"

    response = post(signed_in, edit_url, {f"member-{member}-relation": "father", f"member-{member}-name": "Jan",
                                          f"member-{member}-parental_authority": "y"}, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#gezinssysteem"
    assert load(app, concept).family_members[0].parental_authority is True

    response = post(signed_in, f"{edit_url}/verwijderen", {})
    assert response.status_code == 302
    assert load(app, concept).family_members == []


def test_family_member_of_another_case_is_404(app, signed_in, world, factory, concept):
    other_case = factory.case(world["caseworker"], world["mun"], status="concept")
    member = add_member(app, other_case, "mother", True)
    assert signed_in.get(f"/casussen/{concept}/aanmelding/gezin/{member}").status_code == 404
    assert post(signed_in, f"/casussen/{concept}/aanmelding/gezin/{member}/verwijderen", {}).status_code == 404
    assert len(load(app, other_case).family_members) == 1


def test_a_member_whose_consent_is_on_record_cannot_be_removed(app, signed_in, concept):
    member = add_member(app, concept, "mother", True)
    assert give_consent(signed_in, concept, str(member)).status_code == 302
    response = post(signed_in, f"/casussen/{concept}/aanmelding/gezin/{member}/verwijderen", {}, htmx=True)
    assert response.status_code == 200
    assert len(load(app, concept).family_members) == 1
    assert len(load(app, concept).consents) == 1


def test_prior_help_add_validate_remove(app, signed_in, concept):
    response = post(signed_in, f"/casussen/{concept}/aanmelding/eerdere-hulp", {
        "help-provider": "Accare", "help-help_type": "Ambulante jeugd-ggz", "help-from_date": "2024-05-01",
        "help-to_date": "2024-01-01", "help-end_reason": "Wachtlijst"}, htmx=True)
    body = response.get_data(as_text=True)
    assert field_error(body, "help-to_date") == t(app, "The end date must be on or after the start date.")
    values = Fields(body).values
    assert values["help-provider"] == "Accare" and values["help-end_reason"].strip() == "Wachtlijst"
    assert load(app, concept).prior_help == []

    response = post(signed_in, f"/casussen/{concept}/aanmelding/eerdere-hulp", {
        "help-provider": "Accare", "help-help_type": "Ambulante jeugd-ggz", "help-from_date": "2024-01-01",
        "help-to_date": "2024-05-01", "help-end_reason": "Wachtlijst"})
    assert response.status_code == 302
    [item] = load(app, concept).prior_help
    assert (item.provider, item.from_date, item.to_date) == ("Accare", date(2024, 1, 1), date(2024, 5, 1))
    response = post(signed_in, f"/casussen/{concept}/aanmelding/eerdere-hulp/{item.id}/verwijderen", {}, htmx=True)
    assert response.status_code == 200 and "Accare" not in response.get_data(as_text=True)
    assert load(app, concept).prior_help == []


# --- consent through the UI -----------------------------------------------------------------

def consent_rows(body: str) -> dict[str, str]:
    """The 'still needed' cell per scope of the consent status table."""
    rows = {}
    for scope in ("ret", "collective", "network"):
        match = re.search(rf'id="consent-scope-{scope}">(.*?)</tr>', body, re.S)
        rows[scope] = match.group(1) if match else ""
    return rows


def grid_rows(body: str) -> list[str]:
    """The people (youth / member id) that are rows of the consent grid, in order."""
    return re.findall(r'id="consent-grid-row-([^"]+)"', body)


def grid_boxes(body: str) -> list[str]:
    """The cells ('<person>:<scope>') of the consent grid that can be ticked, in order."""
    return re.findall(r'name="consent-cells" value="([^"]+)"', body)


def test_twelve_to_fifteen_needs_youth_and_both_parents(app, signed_in, concept):
    mother = add_member(app, concept, "mother", True, "Fatima")
    father = add_member(app, concept, "father", True, "Jan")
    add_member(app, concept, "sibling", False, "Sem")
    body = signed_in.get(f"/casussen/{concept}/aanmelding").get_data(as_text=True)
    ret = consent_rows(body)["ret"]
    assert t(app, "the youth") in ret and "Fatima" in ret and "Jan" in ret and "Sem" not in ret
    # Only the youth and holders of authority are rows of the consent grid, with a box per scope.
    assert grid_rows(body) == ["youth", str(mother), str(father)]
    assert grid_boxes(body) == [f"{person}:{scope}" for person in ("youth", str(mother), str(father))
                                for scope in ("ret", "collective", "network")]

    give_consent(signed_in, concept, "youth")
    give_consent(signed_in, concept, str(mother))
    body = signed_in.get(f"/casussen/{concept}/aanmelding").get_data(as_text=True)
    ret = consent_rows(body)["ret"]
    assert "Jan" in ret and "Fatima" not in ret and t(app, "the youth") not in ret
    assert not load(app, concept).consent_ret

    response = give_consent(signed_in, concept, str(father), htmx=True)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert load(app, concept).consent_ret
    assert 'ret-badge--ok' in consent_rows(response.get_data(as_text=True))["ret"]
    case = load(app, concept)
    assert {c.given_by_role for c in case.consents} == {"youth", "parent"}
    assert {c.recorded_by_id for c in case.consents} == {case.caseworker_id}


def test_sixteen_decides_alone_and_under_twelve_the_parents(app, signed_in, world, factory):
    sixteen = factory.case(world["caseworker"], world["mun"], birth_date=years_ago(16))
    add_member(app, sixteen, "mother", True)
    give_consent(signed_in, sixteen, "youth")
    assert load(app, sixteen).consent_ret

    eleven = factory.case(world["caseworker"], world["mun"], birth_date=years_ago(12, days=1))
    guardian = add_member(app, eleven, "guardian", True, "Voogd Jeugdbescherming")
    give_consent(signed_in, eleven, "youth")
    assert not load(app, eleven).consent_ret, "a child under 12 does not consent alone"
    give_consent(signed_in, eleven, str(guardian))
    case = load(app, eleven)
    assert case.consent_ret
    assert [c.given_by_role for c in case.consents if c.family_member_id] == ["guardian"]


def test_authority_missing_is_explained(app, signed_in, world, factory):
    young = factory.case(world["caseworker"], world["mun"], birth_date=years_ago(9))
    body = signed_in.get(f"/casussen/{young}/aanmelding").get_data(as_text=True)
    assert t(app, "nobody holding parental authority is registered: add the parents with authority or the "
                  "guardian to the family system") in consent_rows(body)["ret"]
    assert t(app, "The youth is %(age)s: the parents holding parental authority (or the guardian) consent.",
             age=9) in body


def test_consent_input_errors(app, signed_in, concept):
    sibling = add_member(app, concept, "sibling", False)
    response = give_consent(signed_in, concept, "youth", given_on=TODAY + timedelta(days=1), htmx=True)
    body = response.get_data(as_text=True)
    assert field_error(body, "consent-given_on") == t(app, "This date lies in the future.")
    assert Fields(body).values["consent-given_on"] == (TODAY + timedelta(days=1)).isoformat()
    response = give_consent(signed_in, concept, str(sibling))
    assert response.status_code == 200  # the full referral page, without JavaScript
    assert field_error(response.get_data(as_text=True), "consent-cells") == t(
        app, "Only the people whose consent counts under the age rules can be ticked. Check the grid and tick again.")
    assert load(app, concept).consents == []
    give_consent(signed_in, concept, "youth")
    response = give_consent(signed_in, concept, "youth", htmx=True)
    with app.test_request_context():
        cell = gettext("%(who)s for %(scope)s", who=gettext("the youth"), scope=gettext("RET"))
    assert field_error(response.get_data(as_text=True), "consent-cells") == t(
        app, "Already on record: %(cells)s.", cells=cell)
    assert len(load(app, concept).consents) == 1


def test_legal_ground_needs_a_reason_and_stands_in_for_consent(app, signed_in, concept):
    response = post(signed_in, f"/casussen/{concept}/toestemming/grondslag",
                    {"ground-scope": "ret", "ground-reason": "  ", "back": "referral"}, htmx=True)
    assert field_error(response.get_data(as_text=True), "ground-reason") == t(app, "This field is required.")
    assert not load(app, concept).consent_ret
    response = post(signed_in, f"/casussen/{concept}/toestemming/grondslag",
                    {"ground-scope": "ret", "ground-reason": "Acute onveiligheid; Veilig Thuis betrokken",
                     "back": "referral"})
    assert response.status_code == 302
    case = load(app, concept)
    assert case.consent_ret and case.legal_grounds[0].reason.startswith("Acute")
    [event] = [e for e in case.events if e.kind == "legal_ground_recorded"]
    assert "Veilig Thuis" not in event.summary  # the free text stays off the timeline
    response = post(signed_in, f"/casussen/{concept}/toestemming/grondslag/{case.legal_grounds[0].id}/beeindigen",
                    {"back": "referral"})
    assert response.status_code == 302 and not load(app, concept).consent_ret


def test_withdrawal_date_rules(app, signed_in, world, factory):
    case_id = factory.case(world["caseworker"], world["mun"], birth_date=years_ago(17))
    give_consent(signed_in, case_id, "youth", given_on=TODAY - timedelta(days=5))
    [record] = load(app, case_id).consents
    url = f"/casussen/{case_id}/toestemming/{record.id}/intrekken"
    response = post(signed_in, url, {f"withdraw-{record.id}-withdrawn_on": (TODAY - timedelta(days=6)).isoformat()},
                    htmx=True)
    assert field_error(response.get_data(as_text=True), f"withdraw-{record.id}-withdrawn_on") == t(
        app, "Consent cannot be withdrawn before the date it was given.")
    assert load(app, case_id).consent_ret
    response = post(signed_in, url, {f"withdraw-{record.id}-withdrawn_on": TODAY.isoformat()})
    assert response.status_code == 302
    case = load(app, case_id)
    assert not case.consent_ret and case.consents[0].withdrawn_on == TODAY
    assert case.consents[0].withdrawn_recorded_by_id == world["caseworker"].id
    assert [e.kind for e in case.events][-2:] == ["consent_recorded", "consent_withdrawn"]


def test_withdrawing_collective_consent_ends_provider_access_at_once(app, client, world, factory):
    case_id = factory.case(world["caseworker"], world["mun"], status="screening", birth_date=years_ago(17))
    with app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="provider", organisation_id=world["provider"].id,
                                       invited_by_id=world["chair"].id))
        db.session.commit()
        db.session.remove()
    caseworker = app.test_client()
    login(caseworker, app, world["caseworker"])
    login(client, app, world["provider_member"])
    assert client.get(f"/casussen/{case_id}").status_code == 404  # no collective consent yet

    # The submitted case: consent is recorded on the consent screen, not the referral page.
    assert caseworker.get(f"/casussen/{case_id}/toestemming").status_code == 200
    assert give_consent(caseworker, case_id, "youth", "collective", back="consent").status_code == 302
    assert client.get(f"/casussen/{case_id}").status_code == 200

    [record] = load(app, case_id).consents
    response = post(caseworker, f"/casussen/{case_id}/toestemming/{record.id}/intrekken",
                    {f"withdraw-{record.id}-withdrawn_on": TODAY.isoformat(), "back": "consent"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casussen/{case_id}/toestemming")
    assert client.get(f"/casussen/{case_id}").status_code == 404


def test_consent_screen_is_for_the_access_team_and_the_chair(app, client, world, factory):
    case_id = factory.case(world["caseworker"], world["mun"], status="intake")
    login(client, app, world["chair"])
    assert client.get(f"/casussen/{case_id}/toestemming").status_code == 200
    assert give_consent(client, case_id, "youth", back="consent").status_code == 302
    assert load(app, case_id).consents[0].recorded_by_id == world["chair"].id
    stranger = app.test_client()
    login(stranger, app, world["stranger"])
    assert stranger.get(f"/casussen/{case_id}/toestemming").status_code == 404
    assert give_consent(stranger, case_id, "youth", "collective").status_code == 404
    provider = app.test_client()
    login(provider, app, world["provider_member"])
    assert provider.get(f"/casussen/{case_id}/toestemming").status_code == 404
    assert len(load(app, case_id).consents) == 1


# --- submitting ------------------------------------------------------------------------------

def submit(client, case_id: int, form: Optional[dict] = None, **changes):
    return post(client, f"/casussen/{case_id}/aanmelding/indienen", {**(form or {}), **changes})


def test_submit_is_blocked_without_ret_consent_and_keeps_the_input(app, signed_in, world, concept):
    form = referral_form(signed_in, concept)
    response = submit(signed_in, concept, form, question="Ingevulde vraag")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="submit-problems"' in body
    assert t(app, "Consent for the RET (or a recorded legal ground) is missing.") in body
    assert Fields(body).values["question"].strip() == "Ingevulde vraag"
    case = load(app, concept)
    assert case.status == "concept"
    assert case.question == "Ingevulde vraag", "what was typed is saved as a concept"

    chair = app.test_client()
    login(chair, app, world["chair"])
    assert case.reference not in chair.get("/intake").get_data(as_text=True)


def test_submit_lists_missing_fields(app, signed_in, world, factory):
    case_id = factory.case(world["caseworker"], world["mun"], complete=False)
    body = submit(signed_in, case_id).get_data(as_text=True)
    assert t(app, "the question") in body and t(app, "why the help is stuck") in body
    assert load(app, case_id).status == "concept"


def test_submit_with_invalid_input_saves_and_submits_nothing(app, signed_in, world, factory):
    case_id = factory.case(world["caseworker"], world["mun"], birth_date=years_ago(17))
    give_consent(signed_in, case_id, "youth")
    response = submit(signed_in, case_id, referral_form(signed_in, case_id), youth_bsn="123456789",
                      question="Nieuw")
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "youth_bsn")
    case = load(app, case_id)
    assert case.status == "concept" and case.question != "Nieuw"


def test_submit_with_consent_reaches_the_intake_queue(app, signed_in, world, concept):
    mother = add_member(app, concept, "mother", True)
    for person in ("youth", str(mother)):
        give_consent(signed_in, concept, person)
    response = submit(signed_in, concept, referral_form(signed_in, concept), urgency="urgent")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casussen/{concept}")
    case = load(app, concept)
    assert case.status == "submitted" and case.submitted_at is not None and case.urgency == "urgent"
    assert any(e.kind == "transition:submit" for e in case.events)
    assert signed_in.get(f"/casussen/{concept}/aanmelding").status_code == 404  # no longer a concept

    chair = app.test_client()
    login(chair, app, world["chair"])
    queue = chair.get("/intake").get_data(as_text=True)
    assert case.reference in queue


def test_resubmitting_after_advice_needs_a_reason(app, signed_in, world, factory):
    case_id = factory.case(world["caseworker"], world["mun"], status="returned_with_advice",
                           birth_date=years_ago(18), advice="Probeer eerst ambulante hulp")
    give_consent(signed_in, case_id, "youth")
    page = signed_in.get(f"/casussen/{case_id}/aanmelding").get_data(as_text=True)
    assert "Probeer eerst ambulante hulp" in page and 'form="referral-form"' in page
    response = submit(signed_in, case_id, referral_form(signed_in, case_id))
    assert response.status_code == 200 and t(app, "Give a reason.") in response.get_data(as_text=True)
    assert load(app, case_id).status == "returned_with_advice"
    response = submit(signed_in, case_id, referral_form(signed_in, case_id),
                      resubmit_reason="Ambulante hulp geprobeerd, werkte niet")
    assert response.status_code == 302
    assert load(app, case_id).status == "submitted"


# --- audit and timeline ---------------------------------------------------------------------

def test_reads_and_writes_are_audited_with_the_case(app, signed_in, concept):
    signed_in.get(f"/casussen/{concept}/aanmelding")
    reads = audit_events(app, concept, "read")
    assert reads and reads[-1].detail == "referral" and reads[-1].outcome == "allowed"

    save(signed_in, concept, referral_form(signed_in, concept), youth_bsn="123456782", youth_first_name="Noor")
    update = audit_events(app, concept, "update")[-1]
    assert update.object_type == "case" and update.case_id == concept
    assert set(update.detail.split("=", 1)[1].split(",")) == {"youth_bsn", "youth_first_name"}
    assert "123456782" not in update.detail and "Noor" not in update.detail

    give_consent(signed_in, concept, "youth")
    created = audit_events(app, concept, "create")[-1]
    assert created.object_type == "consent" and created.case_id == concept

    signed_in.get(f"/casussen/{concept}/toestemming")
    assert audit_events(app, concept, "read")[-1].detail == "consent"


def test_timeline_never_holds_the_bsn(app, signed_in, world, factory):
    case_id = factory.case(world["caseworker"], world["mun"], birth_date=years_ago(17), youth_bsn="123456782")
    mother = add_member(app, case_id, "mother", True, "123456782")  # a careless name
    give_consent(signed_in, case_id, "youth")
    post(signed_in, f"/casussen/{case_id}/toestemming/grondslag",
         {"ground-scope": "network", "ground-reason": "BSN 123456782 in gevaar"})
    [record] = load(app, case_id).consents
    post(signed_in, f"/casussen/{case_id}/toestemming/{record.id}/intrekken",
         {f"withdraw-{record.id}-withdrawn_on": TODAY.isoformat()})
    submit(signed_in, case_id)
    case = load(app, case_id)
    assert {e.kind for e in case.events} >= {"consent_recorded", "consent_withdrawn", "legal_ground_recorded"}
    for event in case.events:
        assert "123456782" not in event.summary
    assert mother  # the member exists; its consent was not given, so its name is not in a summary


def test_loaded_state_does_not_repeat_the_values(app, signed_in, world, factory):
    case_id = factory.case(world["caseworker"], world["mun"], youth_bsn="123456782")
    body = signed_in.get(f"/casussen/{case_id}/aanmelding").get_data(as_text=True)
    state = json.loads(html.unescape(Fields(body).values["loaded_state"]))
    assert set(state) >= {"youth_bsn", "question"}
    assert "123456782" not in json.dumps(state)
