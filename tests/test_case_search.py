"""Searching the case list: by reference, the youth's name or a family member's name, for those who
may see the case's names only (the policy's SQL twin, per object as in the policy matrix), with a
query count that does not grow with the rows; and the term, which may be a name, never in a URL:
it is POSTed, kept in the session, and the list's address (redirect, HX-Push-Url, pager links)
carries only its id. (The browser's view of it, with the server's access log: tests/browser/
test_case_search.py.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from ret_app import policy
from ret_app.extensions import db
from ret_app.models import AuditEvent, Case, CaseParticipant, FamilyMember, User
from tests.conftest import csrf_token, login

PARENT = "Petra Zoekhof"  # a family member's name on every case of the matrix


def add_family(app, case_id: int, *names: str) -> None:
    with app.app_context():
        for name in names:
            db.session.add(FamilyMember(case_id=case_id, name=name, relation="mother", parental_authority=True))
        db.session.commit()


def invite_provider(app, case_id: int, organisation_id: int, by_id: int) -> None:
    with app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="provider", organisation_id=organisation_id,
                                       invited_by_id=by_id))
        db.session.commit()


def search(client, term: str, **filters):
    """The search as the page's htmx sends it: POSTed, answered with the results fragment."""
    return client.post("/casussen", data={"csrf_token": csrf_token(client, "/casussen"), "q": term, **filters},
                       headers={"HX-Request": "true"})


def references(body: str) -> set[str]:
    return set(re.findall(r">(RET-\d{4}-\d{4,})</a>", body))


class Urls(HTMLParser):
    """Every address on a page: links, form actions and htmx attributes."""

    ATTRIBUTES = {"href", "action", "src", "hx-get", "hx-post", "hx-push-url", "formaction"}

    def __init__(self, body: str):
        super().__init__()
        self.urls: list[str] = []
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in self.ATTRIBUTES and value]


# --- family members, for those who may see names -------------------------------------------------

@pytest.fixture
def matrix(app, make_world, factory):
    w = make_world()
    cases = {
        "own": factory.case(w.caseworker, w.municipality, status="submitted", consent_collective=True),
        "own_concept": factory.case(w.caseworker, w.municipality, status="concept"),
        "own_without_collective_consent": factory.case(w.caseworker, w.municipality, status="screening"),
        "other_team": factory.case(w.other_caseworker, w.other_municipality, status="screening",
                                   consent_collective=True),
        "other_region": factory.case(w.elsewhere.caseworker, w.elsewhere.municipality, status="submitted",
                                     consent_collective=True),
        "unrelated": factory.case(w.caseworker, w.municipality, status="submitted", consent_collective=True),
    }
    for key in ("own", "own_without_collective_consent", "other_region"):
        invite_provider(app, cases[key], w.provider.id, w.chair.id)
    for key, case_id in cases.items():
        if key != "unrelated":
            add_family(app, case_id, PARENT)
    add_family(app, cases["unrelated"], "Ingrid Anders")
    users = {"chair": w.chair, "ret_member": w.member, "caseworker": w.caseworker, "colleague": w.colleague,
             "other_caseworker": w.other_caseworker, "provider_member": w.provider_member,
             "other_provider_member": w.other_provider_member, "outsider_member": w.outsider_member,
             "elsewhere_chair": w.elsewhere.chair, "elsewhere_caseworker": w.elsewhere.caseworker,
             "elsewhere_provider_member": w.elsewhere.provider_member,
             "network_liaison": w.network_liaison, "analyst": w.analyst, "admin": w.admin}
    with app.app_context():
        refs = {key: db.session.get(Case, case_id).reference for key, case_id in cases.items()}
    return users, cases, refs


# role -> the cases a search for the parent finds (403: the role has no case list)
FINDS_PARENT = {
    "chair": {"own", "own_without_collective_consent", "other_team"},  # the region's submitted cases
    "ret_member": {"own", "own_without_collective_consent", "other_team"},
    "caseworker": {"own", "own_concept", "own_without_collective_consent"},  # the team's, concept too
    "colleague": {"own", "own_concept", "own_without_collective_consent"},
    "other_caseworker": {"other_team"},
    "provider_member": {"own", "other_region"},  # invited, and only while collective consent stands
    "other_provider_member": set(),  # a collective provider that is not invited
    "outsider_member": set(),
    "elsewhere_chair": {"other_region"},
    "elsewhere_caseworker": {"other_region"},
    "elsewhere_provider_member": set(),
    "network_liaison": "403",
    "analyst": "403",
    "admin": "403",
}


@pytest.mark.parametrize("who", sorted(FINDS_PARENT))
def test_a_family_member_s_name_finds_the_case_for_those_who_may_see_it(app, client, matrix, who):
    users, cases, refs = matrix
    login(client, app, users[who])
    expected = FINDS_PARENT[who]
    for term in ("Zoekhof", "petra zoek", PARENT.upper()):
        response = search(client, term)
        if expected == "403":
            assert response.status_code == 403, who
            continue
        assert response.status_code == 200
        found = {key for key, ref in refs.items() if ref in references(response.get_data(as_text=True))}
        assert found == expected, (who, term)
    if expected == "403":
        return
    # The same answer as the policy's Python rule for names, case by case.
    with app.app_context():
        user = db.session.get(User, users[who].id)
        may_see_names = {key for key, case_id in cases.items()
                         if key != "unrelated" and policy.can_see_identity(user, db.session.get(Case, case_id))}
    assert may_see_names == expected


def test_names_are_searched_only_where_the_policy_shows_them(app, matrix, monkeypatch):
    """The family-member match is guarded by the names twin, not only by the list's visibility: a
    user who sees a case but not its names finds it by its reference, not by a name."""
    from sqlalchemy import false

    from ret_app.cases import queries

    users, cases, refs = matrix
    monkeypatch.setattr(policy, "identity_visible_clause", lambda user: false())
    with app.app_context():
        chair = db.session.get(User, users["chair"].id)

        def found(term: str) -> set[str]:
            stmt = queries.visible_cases(chair, queries.CaseFilters(q=term))
            return {c.reference for c in db.session.scalars(stmt)}

        assert found("Zoekhof") == set()
        assert found("Jeugdige") == set()  # the youth's name neither
        assert found(refs["own"]) == {refs["own"]}


def test_search_still_finds_by_reference_and_youth_name_and_takes_wildcards_literally(app, client, matrix):
    users, cases, refs = matrix
    login(client, app, users["caseworker"])
    assert refs["own"] in references(search(client, refs["own"].lower()).get_data(as_text=True))
    with app.app_context():
        youth = db.session.get(Case, cases["own"]).youth_last_name
    assert refs["own"] in references(search(client, youth).get_data(as_text=True))
    assert references(search(client, "%").get_data(as_text=True)) == set()
    assert references(search(client, "_").get_data(as_text=True)) == set()


def test_a_search_together_with_a_filter(app, client, matrix):
    users, cases, refs = matrix
    login(client, app, users["chair"])
    body = search(client, "Zoekhof", status="screening").get_data(as_text=True)
    assert references(body) == {refs["own_without_collective_consent"], refs["other_team"]}


def _cases_with_family(app, factory, world, count: int) -> None:
    for n in range(count):
        case_id = factory.case(world.caseworker, (world.municipality, world.other_municipality)[n % 2],
                               status="submitted", consent_collective=True)
        invite_provider(app, case_id, world.provider.id, world.chair.id)
        add_family(app, case_id, f"{PARENT} {n}", f"Vader Zoekhof {n}")


@pytest.mark.parametrize("role", ["chair", "caseworker", "provider_member"])
def test_a_family_search_does_not_grow_with_its_rows(app, factory, make_world, count_queries, role):
    counts = {}
    for size in (5, 50):
        world = make_world()
        _cases_with_family(app, factory, world, size)
        client = app.test_client()
        login(client, app, world[role])
        posted = search(client, "Zoekhof")
        assert posted.status_code == 200
        url = posted.headers["HX-Push-Url"]
        assert client.get(url).status_code == 200  # warm up: the session touch
        with count_queries() as statements:
            page = client.get(url)
        with count_queries() as posted_statements:
            fragment = search(client, "Zoekhof").get_data(as_text=True)
        assert len(references(page.get_data(as_text=True))) == min(size, 25) == len(references(fragment))
        counts[size] = (len(statements), len(posted_statements))
    assert counts[5] == counts[50], counts


# --- the term never in a URL ------------------------------------------------------------------------

@pytest.fixture
def many(app, make_world, factory):
    """30 cases whose mother is Petra Zoekhof (more than one page of 25) and one whose is not."""
    w = make_world()
    ids = [factory.case(w.caseworker, w.municipality, status="submitted") for _ in range(30)]
    for case_id in ids:
        add_family(app, case_id, PARENT)
    other = factory.case(w.caseworker, w.municipality, status="submitted")
    add_family(app, other, "Ingrid Anders")
    with app.app_context():
        refs = {db.session.get(Case, case_id).reference for case_id in ids}
        other_ref = db.session.get(Case, other).reference
    return w, refs, other_ref


def no_name_in(*urls: str) -> bool:
    return not any(part in url.lower() for url in urls for part in ("petra", "zoekhof"))


def test_without_javascript_the_search_redirects_to_an_address_without_the_term(app, client, many):
    w, refs, other_ref = many
    login(client, app, w.caseworker)
    response = client.post("/casussen", data={"csrf_token": csrf_token(client, "/casussen"), "q": PARENT,
                                              "status": "submitted"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert no_name_in(location)
    query = parse_qs(urlsplit(location).query)
    assert query["status"] == ["submitted"] and len(query["zoek"][0]) >= 8 and "q" not in query

    page = client.get(location)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert references(body) <= refs and len(references(body)) == 25 and other_ref not in body
    assert f'value="{PARENT}"' in body  # the field still shows what was typed
    assert no_name_in(*Urls(body).urls)


def test_htmx_gets_the_results_and_a_pushed_address_without_the_term(app, client, many):
    w, refs, other_ref = many
    login(client, app, w.caseworker)
    response = search(client, PARENT)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and len(references(body)) == 25 and other_ref not in body
    pushed = response.headers["HX-Push-Url"]
    assert urlsplit(pushed).path == "/casussen" and parse_qs(urlsplit(pushed).query)["zoek"]
    assert no_name_in(pushed, *Urls(body).urls, *response.headers.values())
    # Reloading the pushed address (or coming back to it) shows the same search.
    again = client.get(pushed).get_data(as_text=True)
    assert references(again) == references(body)
    # The back button: htmx restores the page from the server as a whole page.
    restored = client.get(pushed, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored.get_data(as_text=True) and references(restored.get_data(as_text=True)) == references(body)


def test_paging_keeps_the_term_without_putting_it_in_the_address(app, client, many):
    w, refs, other_ref = many
    login(client, app, w.caseworker)
    first = client.get(search(client, PARENT).headers["HX-Push-Url"]).get_data(as_text=True)
    next_links = [url for url in Urls(first).urls if "na=" in url]
    assert next_links and no_name_in(*next_links)
    second = client.get(next_links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert len(references(second)) == 5 and references(second) <= refs
    assert references(first) | references(second) == refs and other_ref not in second
    previous = [url for url in Urls(second).urls if "voor=" in url]
    assert previous and no_name_in(*previous, *Urls(second).urls)
    assert references(client.get(previous[0].replace("&amp;", "&")).get_data(as_text=True)) == references(first)
    last = [url for url in Urls(first).urls if "pagina=laatste" in url]
    # The last page is the list's last 25 rows (keyset paging knows no page numbers): it ends with the
    # second page and has no next page.
    last_page = client.get(last[0].replace("&amp;", "&")).get_data(as_text=True)
    assert len(references(last_page)) == 25 and references(second) <= references(last_page) <= refs
    assert 'rel="next"' not in last_page and 'rel="prev"' in last_page


def test_a_term_in_an_old_address_is_moved_out_of_it(app, client, many):
    """A ?q= (a bookmark from before) is not searched from the address: the term goes into the
    session and the browser is sent to the address with its id."""
    w, refs, other_ref = many
    login(client, app, w.caseworker)
    response = client.get("/casussen?q=Petra+Zoekhof&status=submitted")
    assert response.status_code == 302 and no_name_in(response.headers["Location"])
    assert references(client.get(response.headers["Location"]).get_data(as_text=True)) <= refs


def test_the_id_means_nothing_in_another_session(app, client, many):
    w, refs, other_ref = many
    login(client, app, w.caseworker)
    pushed = search(client, PARENT).headers["HX-Push-Url"]
    colleague = app.test_client()
    login(colleague, app, w.colleague)
    body = colleague.get(pushed).get_data(as_text=True)
    assert "Petra" not in body and 'role="status"' in body  # the term is unknown there, and the page says why
    assert other_ref in colleague.get(pushed + "&pagina=laatste").get_data(as_text=True)  # the list is not filtered
    # A new sign-in is a new session: the id is gone for the same user too.
    later = app.test_client()
    login(later, app, w.caseworker)
    assert "Petra" not in later.get(pushed).get_data(as_text=True)
    assert 'value="Petra Zoekhof"' in client.get(pushed).get_data(as_text=True)  # (the first session still has it)


def test_the_session_keeps_only_the_newest_terms(app, client, many):
    from ret_app.cases import search_terms

    w, refs, other_ref = many
    login(client, app, w.caseworker)
    first = search(client, "Zoekhof 0").headers["HX-Push-Url"]
    assert search(client, "Zoekhof 0").headers["HX-Push-Url"] == first  # the same term, the same id
    for n in range(1, search_terms.KEPT + 1):
        search(client, f"Zoekhof {n}")
    with client.session_transaction() as session:
        kept = [term for _id, term in session[search_terms.SESSION_KEY]]
    assert kept == [f"Zoekhof {n}" for n in range(1, search_terms.KEPT + 1)]
    assert "Zoekhof 0" not in client.get(first).get_data(as_text=True)


def test_the_audit_trail_records_that_a_search_was_made_not_the_term(app, client, many):
    w, refs, other_ref = many
    login(client, app, w.caseworker)
    client.get(search(client, PARENT).headers["HX-Push-Url"])
    with app.app_context():
        searches = db.session.scalars(select(AuditEvent).where(
            AuditEvent.user_id == w.caseworker.id, AuditEvent.object_type == "case_list")).all()
        details = [e.detail or "" for e in db.session.scalars(select(AuditEvent))]
    assert "filters=q" in [e.detail for e in searches] and all(e.detail in ("filters=", "filters=q") for e in searches)
    assert no_name_in(*details)


def test_a_search_without_a_valid_csrf_token_is_refused(app, client, many):
    w, refs, other_ref = many
    login(client, app, w.caseworker)
    response = client.post("/casussen", data={"q": PARENT}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "case_search_terms" not in session


def test_a_nul_byte_in_the_term_is_no_error(app, client, many):
    """PostgreSQL refuses NUL in text: the term is searched without it (both databases)."""
    w, refs, other_ref = many
    login(client, app, w.caseworker)
    response = search(client, "Petra\x00 Zoekhof")
    assert response.status_code == 200 and len(references(response.get_data(as_text=True))) == 25
    assert client.get("/casussen?q=%00&zoek=%00&status=%00&municipality=%00").status_code == 302
    assert client.get("/casussen?zoek=%00&status=%00").status_code == 200


def test_the_list_opens_on_the_open_cases_and_shows_the_closed_ones_on_request(app, factory, make_world):
    """At twenty years of history most cases are closed: the list opens on the open ones (saying so);
    "— alle —" lists every status (the closed after the open), "Afgesloten" only the closed ones; a
    search without a status finds the open cases only."""
    w = make_world()
    open_case = factory.case(w.caseworker, w.municipality, status="screening")
    closed_case = factory.case(w.caseworker, w.municipality, status="closed")
    add_family(app, open_case, PARENT)
    add_family(app, closed_case, PARENT)
    with app.app_context():
        open_ref, closed_ref = (db.session.get(Case, c).reference for c in (open_case, closed_case))
    client = app.test_client()
    login(client, app, w.chair)
    default = client.get("/casussen").get_data(as_text=True)
    assert references(default) == {open_ref}
    assert "Afgesloten casussen staan niet in de lijst" in default
    everything = client.get("/casussen?status=all").get_data(as_text=True)
    assert references(everything) == {open_ref, closed_ref}
    assert everything.index(open_ref) < everything.index(closed_ref)
    assert "Afgesloten casussen staan niet in de lijst" not in everything
    assert 'value="all" selected' in everything
    assert references(client.get("/casussen?status=closed").get_data(as_text=True)) == {closed_ref}
    assert references(search(client, PARENT).get_data(as_text=True)) == {open_ref}
    assert references(search(client, PARENT, status="all").get_data(as_text=True)) == {open_ref, closed_ref}
