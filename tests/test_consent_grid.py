"""Consent for a family in one go: the grid of the people whose consent counts (by the age rules)
x the scopes records every ticked cell in one save, refuses bad input next to its field with every
tick kept, is audited per consent without personal data, stays accessible (a real table, each box
labelled with person and scope), and withdrawal per record still ends the access it gave. The page
issues the same number of queries however big the family and its record."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask_babel import gettext, ngettext

from ret_app.extensions import db
from ret_app.models import CaseParticipant, Consent, FamilyMember, LegalGround
from tests.conftest import login
from tests.test_referrals import (
    TODAY,
    Fields,
    add_member,
    audit_events,
    field_error,
    give_consents,
    grid_boxes,
    grid_rows,
    load,
    post,
    t,
    years_ago,
)

SCOPES = ("ret", "collective", "network")


@pytest.fixture
def world(make_world):
    return make_world(names={"caseworker": "Karin Toegang"})


@pytest.fixture
def caseworker(app, client, world):
    login(client, app, world["caseworker"])
    return client


@pytest.fixture
def family(app, world, factory):
    """A concept for a youth of 14 with a mother and a father holding authority and a sister without."""
    case_id = factory.case(world["caseworker"], world["municipality"], status="concept", birth_date=years_ago(14))
    mother = add_member(app, case_id, "mother", True, "Fatima Grid")
    father = add_member(app, case_id, "father", True, "Jan Grid")
    sister = add_member(app, case_id, "sibling", False, "Sem Grid")
    return {"case": case_id, "mother": str(mother), "father": str(father), "sister": str(sister)}


def consent_page(client, case_id: int) -> str:
    response = client.get(f"/casussen/{case_id}/toestemming")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def ticked(body: str) -> list[str]:
    return re.findall(r'name="consent-cells" value="([^"]+)" checked', body)


# --- one save records every cell ----------------------------------------------------------------

def test_one_save_records_every_ticked_cell(app, caseworker, world, family):
    case_id = family["case"]
    people = ("youth", family["mother"], family["father"])
    cells = [f"{person}:{scope}" for person in people for scope in ("ret", "collective")]
    given_on = TODAY - timedelta(days=2)
    response = give_consents(caseworker, case_id, cells, given_on=given_on, kind="verbal", htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    with app.test_request_context():
        notice = ngettext("%(num)d consent has been recorded.", "%(num)d consents have been recorded.", 6)
    assert notice in body

    case = load(app, case_id)
    recorded = sorted((c.family_member_id or 0, c.scope) for c in case.consents)
    expected = sorted((int(p) if p != "youth" else 0, s) for p in people for s in ("ret", "collective"))
    assert recorded == expected
    assert {(c.given_on, c.form, c.recorded_by_id, c.withdrawn_on) for c in case.consents} == {
        (given_on, "verbal", world["caseworker"].id, None)}
    assert {c.given_by_role for c in case.consents} == {"youth", "parent"}
    assert (case.consent_ret, case.consent_collective, case.consent_network) == (True, True, False)

    # The grid now shows those six as given; only the network column can still be ticked.
    assert grid_boxes(body) == [f"{person}:network" for person in people]
    assert body.count(t(app, "given on %(date)s", date=given_on.strftime("%-d-%-m-%Y"))) == 6

    # One timeline entry and one audit record per consent, the audit detail free of personal data.
    assert [e.kind for e in case.events].count("consent_recorded") == 6
    created = [e for e in audit_events(app, case_id, "create") if e.object_type == "consent"]
    assert len(created) == 6 and {e.object_id for e in created} == {str(c.id) for c in case.consents}
    for event in created:
        assert re.fullmatch(r"scope=(ret|collective);role=(youth|parent);form=verbal", event.detail), event.detail
        for name in ("Fatima", "Jan", "Grid", load(app, case_id).youth_last_name):
            assert name not in event.detail


def test_without_javascript_the_save_redirects_to_where_it_came_from(app, caseworker, family):
    case_id = family["case"]
    response = give_consents(caseworker, case_id, ["youth:ret", f"{family['mother']}:ret"])
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casussen/{case_id}/aanmelding#toestemming")
    response = give_consents(caseworker, case_id, [f"{family['father']}:ret"], back="consent")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casussen/{case_id}/toestemming")
    assert load(app, case_id).consent_ret


# --- the age rules decide which rows appear -----------------------------------------------------

@pytest.mark.parametrize("age,expected", [
    (17, ["youth"]),  # from 16 the youth decides alone
    (16, ["youth"]),
    (15, ["youth", "mother", "father"]),  # 12-15: the youth and every holder of authority
    (12, ["youth", "mother", "father"]),
    (11, ["mother", "father"]),  # under 12: the holders of authority
])
def test_the_age_rules_decide_which_rows_appear(app, caseworker, world, factory, age, expected):
    birth = years_ago(age) if age != 11 else years_ago(12, days=1)  # 11: twelve tomorrow
    case_id = factory.case(world["caseworker"], world["municipality"], status="intake", birth_date=birth)
    members = {"mother": str(add_member(app, case_id, "mother", True, "Moeder")),
               "father": str(add_member(app, case_id, "father", True, "Vader")),
               "sister": str(add_member(app, case_id, "sibling", False, "Zus"))}
    body = consent_page(caseworker, case_id)
    keys = [members.get(name, name) for name in expected]
    assert grid_rows(body) == keys
    assert grid_boxes(body) == [f"{key}:{scope}" for key in keys for scope in SCOPES]
    # Ticking someone whose consent does not count is refused, and nothing is recorded.
    outsider = members["mother"] if age >= 16 else ("youth" if age < 12 else members["sister"])
    response = give_consents(caseworker, case_id, [f"{keys[0]}:ret", f"{outsider}:ret"], htmx=True, back="consent")
    assert field_error(response.get_data(as_text=True), "consent-cells") == t(
        app, "Only the people whose consent counts under the age rules can be ticked. Check the grid and tick again.")
    assert load(app, case_id).consents == []


def test_without_a_holder_of_authority_the_grid_says_who_to_add(app, caseworker, world, factory):
    case_id = factory.case(world["caseworker"], world["municipality"], status="intake", birth_date=years_ago(9))
    body = consent_page(caseworker, case_id)
    assert grid_rows(body) == [] and 'id="consent-grid"' not in body
    assert t(app, "Nobody holding parental authority is registered: add the parents with authority or the guardian "
                  "to the family system first; they then appear here.") in body
    guardian = add_member(app, case_id, "guardian", True, "Voogd")
    assert grid_rows(consent_page(caseworker, case_id)) == [str(guardian)]


# --- bad input: a Dutch message next to the field, nothing ticked is lost --------------------------

def test_every_error_at_once_and_nothing_ticked_is_lost(app, caseworker, family):
    case_id = family["case"]
    future = TODAY + timedelta(days=1)
    # Nothing ticked and a date in the future: both reported together.
    response = give_consents(caseworker, case_id, [], given_on=future, kind="verbal", htmx=True)
    body = response.get_data(as_text=True)
    assert field_error(body, "consent-cells") == t(app, "Tick at least one box: whose consent for what.")
    assert field_error(body, "consent-given_on") == t(app, "This date lies in the future.")
    summary = re.search(r'<div class="utrecht-alert utrecht-alert--error" role="alert".*?</ul>', body, re.S).group(0)
    assert 'href="#consent-cells"' in summary and 'href="#consent-given_on"' in summary
    assert Fields(body).values["consent-given_on"] == future.isoformat()
    assert Fields(body).values["consent-kind"] == "verbal"

    # Ticks with a bad date: every tick comes back ticked, with the date and form as typed.
    cells = ["youth:ret", f"{family['mother']}:collective", f"{family['father']}:network"]
    response = give_consents(caseworker, case_id, cells, given_on=future, kind="verbal", htmx=True)
    body = response.get_data(as_text=True)
    assert field_error(body, "consent-given_on") == t(app, "This date lies in the future.")
    assert field_error(body, "consent-cells") is None
    assert ticked(body) == cells
    assert Fields(body).values["consent-given_on"] == future.isoformat()
    assert load(app, case_id).consents == []

    # Without JavaScript: the whole referral page, the same messages and ticks.
    response = give_consents(caseworker, case_id, cells, given_on="", kind="written")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in body
    assert field_error(body, "consent-given_on") == t(app, "This field is required.")
    assert ticked(body) == cells
    assert load(app, case_id).consents == []


def test_a_cell_already_on_record_refuses_the_whole_save(app, caseworker, family):
    case_id = family["case"]
    assert give_consents(caseworker, case_id, ["youth:ret"]).status_code == 302
    # Someone else recorded the mother's RET consent while this page was open.
    response = give_consents(caseworker, case_id, ["youth:ret", f"{family['mother']}:ret"], htmx=True)
    body = response.get_data(as_text=True)
    with app.test_request_context():
        cell = gettext("%(who)s for %(scope)s", who=gettext("the youth"), scope=gettext("RET"))
    assert field_error(body, "consent-cells") == t(app, "Already on record: %(cells)s.", cells=cell)
    assert ticked(body) == [f"{family['mother']}:ret"]  # the youth's cell shows as given, not as a box
    assert len(load(app, case_id).consents) == 1, "nothing of the refused save is recorded"


# --- accessible: a real table, every box labelled with person and scope ----------------------------

class Grid(HTMLParser):
    """The consent grid's headers and each checkbox's label text."""

    def __init__(self, body: str):
        super().__init__()
        self.col_headers: list[str] = []
        self.row_headers: list[str] = []
        self.labels: dict[str, str] = {}
        self.boxes: list[str] = []
        self._in_grid = False
        self._th = None
        self._label = None
        self._text: list[str] = []
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "consent-grid":
            self._in_grid = True
        if not self._in_grid:
            return
        if tag == "th":
            self._th, self._text = a.get("scope"), []
        elif tag == "label":
            self._label, self._text = a.get("for"), []
        elif tag == "input" and a.get("type") == "checkbox":
            self.boxes.append(a["id"])

    def handle_endtag(self, tag):
        if tag == "table" and self._in_grid:
            self._in_grid = False
        elif tag == "th" and self._th:
            text = " ".join("".join(self._text).split())
            (self.col_headers if self._th == "col" else self.row_headers).append(text)
            self._th = None
        elif tag == "label" and self._label:
            self.labels[self._label] = " ".join("".join(self._text).split())
            self._label = None

    def handle_data(self, data):
        if self._th or self._label:
            self._text.append(data)


def test_the_grid_is_a_table_with_headers_and_labelled_boxes(app, caseworker, family):
    grid = Grid(consent_page(caseworker, family["case"]))
    youth_name = load(app, family["case"]).youth_name
    with app.test_request_context():
        scopes = [gettext("RET"), gettext("Collective"), gettext("Supra-regional network")]
        youth = gettext("The youth") + f" ({youth_name})"
        mother, father = f"Fatima Grid ({gettext('Mother')})", f"Jan Grid ({gettext('Father')})"
        expected = {f"consent-cells-{key}-{scope}": gettext("%(who)s: consent for %(scope)s", who=who, scope=label)
                    for key, who in (("youth", youth), (family["mother"], mother), (family["father"], father))
                    for scope, label in zip(SCOPES, scopes)}
    assert grid.col_headers == [t(app, "Person"), *scopes]
    assert [h.split(")")[0] + ")" for h in grid.row_headers] == [youth, mother, father]
    assert len(grid.boxes) == 9 and grid.labels == expected


# --- withdrawal stays per row and still ends the access it gave --------------------------------------

def test_withdrawing_one_scope_of_a_grid_save_ends_only_that_access(app, client, world, factory):
    case_id = factory.case(world["caseworker"], world["municipality"], status="screening", birth_date=years_ago(17))
    with app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="provider", organisation_id=world["provider"].id,
                                       invited_by_id=world["chair"].id))
        db.session.commit()
        db.session.remove()
    caseworker = app.test_client()
    login(caseworker, app, world["caseworker"])
    login(client, app, world["provider_member"])
    assert client.get(f"/casussen/{case_id}").status_code == 404  # no collective consent yet

    response = give_consents(caseworker, case_id, ["youth:ret", "youth:collective"], back="consent")
    assert response.status_code == 302
    assert client.get(f"/casussen/{case_id}").status_code == 200, "collective consent lets the provider in"

    collective = next(c for c in load(app, case_id).consents if c.scope == "collective")
    response = post(caseworker, f"/casussen/{case_id}/toestemming/{collective.id}/intrekken",
                    {f"withdraw-{collective.id}-withdrawn_on": TODAY.isoformat(), "back": "consent"})
    assert response.status_code == 302
    assert client.get(f"/casussen/{case_id}").status_code == 404, "the provider loses access at once"
    case = load(app, case_id)
    assert case.consent_ret and not case.consent_collective, "the RET consent of the same save stands"
    assert [c.withdrawn_on for c in case.consents if c.scope == "ret"] == [None]
    # The withdrawn cell can be ticked again; the RET cell still shows as given.
    assert grid_boxes(consent_page(caseworker, case_id)) == ["youth:collective", "youth:network"]


# --- the page issues a constant number of queries ----------------------------------------------

def _big_family(app, factory, world, holders: int, status: str) -> int:
    """A case of a youth of 14 with `holders` holders of authority, each with consent per scope
    recorded by a user of their own (some withdrawn), and a legal ground per scope."""
    case_id = factory.case(world["caseworker"], world["municipality"], status=status, birth_date=years_ago(14))
    recorders = [factory.user("caseworker", world["team"].id) for _ in range(holders)]
    with app.app_context():
        for n in range(holders):
            member = FamilyMember(case_id=case_id, relation="guardian" if n % 2 else "mother",
                                  parental_authority=True, name=f"Gezag {n}")
            db.session.add(member)
            db.session.flush()
            for scope in SCOPES:
                db.session.add(Consent(case_id=case_id, scope=scope, family_member_id=member.id,
                                       given_by_role="parent", given_on=TODAY - timedelta(days=10), form="written",
                                       recorded_by_id=recorders[n].id,
                                       withdrawn_on=TODAY if scope == "network" else None))
        for n, scope in enumerate(SCOPES):
            db.session.add(LegalGround(case_id=case_id, scope=scope, reason="Veiligheid",
                                       recorded_by_id=recorders[n % holders].id))
        db.session.commit()
        db.session.remove()
    return case_id


@pytest.mark.parametrize("path,status,role", [
    ("/casussen/{id}/toestemming", "intake", "chair"),  # the consent screen
    ("/casussen/{id}/aanmelding", "concept", "caseworker"),  # the referral page's consent section
])
def test_the_consent_page_does_not_grow_with_the_family(app, factory, world, count_queries, path, status, role):
    counts = {}
    client = app.test_client()
    login(client, app, world[role])
    for holders in (3, 12):
        url = path.format(id=_big_family(app, factory, world, holders, status))
        assert client.get(url).status_code == 200
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        assert len(grid_rows(response.get_data(as_text=True))) == holders + 1
        counts[holders] = len(statements)
    assert counts[3] == counts[12], counts


def test_the_save_does_not_grow_with_the_cells(app, factory, world, count_queries):
    chair = app.test_client()
    login(chair, app, world["chair"])
    counts = {}
    for holders in (2, 8):
        case_id = factory.case(world["caseworker"], world["municipality"], status="intake", birth_date=years_ago(14))
        members = [add_member(app, case_id, "mother", True, f"Ouder {n}") for n in range(holders)]
        cells = [f"{person}:{scope}" for person in ["youth", *map(str, members)] for scope in SCOPES]
        with count_queries() as statements:
            response = give_consents(chair, case_id, cells, back="consent", htmx=True)
        assert response.status_code == 200 and len(load(app, case_id).consents) == len(cells)
        # The inserts and the audit rows are one per consent; everything else stays the same.
        counts[holders] = len([s for s in statements if not s.lstrip().upper().startswith("INSERT")])
    assert counts[2] == counts[8], counts


# --- the service on its own ------------------------------------------------------------------

def test_the_service_refuses_every_problem_at_once_and_records_in_grid_order(app, world, family):
    from ret_app.kernel.errors import RuleError
    from ret_app.models import Case, User
    from ret_app.referrals import services

    with app.test_request_context():
        case = db.session.get(Case, family["case"])
        actor = db.session.get(User, world["caseworker"].id)
        with pytest.raises(RuleError) as refused:
            services.record_consents(case, actor, cells=[], given_on=TODAY + timedelta(days=1), kind="fax")
        assert set(refused.value.errors) == {"cells", "given_on", "kind"}
        with pytest.raises(RuleError) as refused:
            services.record_consents(case, actor, cells=[f"{family['sister']}:ret", "youth:ret", "youth:nope"],
                                     given_on=TODAY, kind="written")
        assert set(refused.value.errors) == {"cells"}
        assert case.consents == []
        records = services.record_consents(
            case, actor, cells=[f"{family['father']}:network", "youth:collective", f"{family['mother']}:ret",
                                "youth:ret", "youth:ret"], given_on=TODAY, kind="written")
        assert [(r.family_member_id, r.scope) for r in records] == [
            (None, "ret"), (None, "collective"), (int(family["mother"]), "ret"), (int(family["father"]), "network")]
