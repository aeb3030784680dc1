"""Searching the case list for a parent's name in Chromium: the case is found, paging, reloading and
the back and forward buttons keep the search, and the name never appears in an address the browser
requests or keeps (address bar, history) nor in the server's access log (Werkzeug's logger)."""

from __future__ import annotations

import logging
import re

import pytest
from playwright.sync_api import expect

from ret_app.extensions import db
from ret_app.models import Case, FamilyMember
from tests.browser.conftest import check_accessibility, screenshot, sign_in

pytestmark = pytest.mark.browser

NAME = "Petra Zoekhof"


def _named(text: str) -> bool:
    return any(part in text.lower() for part in ("petra", "zoekhof"))


def test_a_name_search_keeps_the_name_out_of_every_address_and_the_access_log(app, factory, new_page, caplog):
    region = factory.region("Regio Zoektest")
    municipality = factory.municipality(region.id, name="Zoekstad")
    team = factory.organisation(kind="access_team", region_id=region.id, municipality_id=municipality.id)
    caseworker = factory.user("caseworker", team.id, name="Wouter Toegang")
    other = factory.case(caseworker, municipality, status="submitted")  # first in the list unless filtered
    mine = [factory.case(caseworker, municipality, status="submitted") for _ in range(30)]
    with app.app_context():
        db.session.add(FamilyMember(case_id=other, name="Ingrid Anders", relation="mother", parental_authority=True))
        for case_id in mine:
            db.session.add(FamilyMember(case_id=case_id, name=NAME, relation="mother", parental_authority=True))
        db.session.commit()
        other_ref = db.session.get(Case, other).reference
    caplog.set_level(logging.INFO, logger="werkzeug")

    page = new_page()
    requests, addresses = [], []
    page.on("request", lambda request: requests.append((request.method, request.url, request.post_data or "")))
    page.on("framenavigated", lambda frame: addresses.append(frame.url) if frame == page.main_frame else None)
    sign_in(page, app, caseworker)
    page.goto("/casussen")
    rows = page.locator("#case-results tbody tr")
    expect(page.locator("#case-results")).to_contain_text(other_ref)

    # Typing the name searches (htmx POSTs the form) and pushes an address with the term's id only.
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/casussen")):
        page.locator("#q").fill(NAME)
    expect(page).to_have_url(re.compile(r"/casussen\?zoek=[\w-]+$"))
    expect(rows).to_have_count(25)
    expect(page.locator("#case-results")).not_to_contain_text(other_ref)
    searched = page.url
    addresses.append(searched)
    check_accessibility(page, app, "case-search")
    screenshot(page, app, "case-search-1-found")

    # Paging keeps the search, without the term in the address.
    page.get_by_role("link", name="Volgende pagina").click()
    expect(page).to_have_url(re.compile(r"[?&]na=[0-9.]+"))
    expect(rows).to_have_count(5)
    expect(page.locator("#q")).to_have_value(NAME)
    addresses.append(page.url)
    # Reloading keeps it too.
    page.reload()
    expect(rows).to_have_count(5)
    expect(page.locator("#case-results")).not_to_contain_text(other_ref)
    screenshot(page, app, "case-search-2-page-2")

    # Back: the first page of the search; back again: the list before the search (htmx restores
    # that page from the server); forward: the search again.
    page.go_back()
    expect(page).to_have_url(searched)
    expect(rows).to_have_count(25)
    expect(page.locator("#q")).to_have_value(NAME)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/casussen$"))
    expect(page.locator("#case-results")).to_contain_text(other_ref)
    expect(page.locator("h1")).to_have_count(1)  # a whole page, not a fragment in the body
    page.go_forward()
    expect(page).to_have_url(searched)
    expect(page.locator("#case-results")).not_to_contain_text(other_ref)
    expect(rows).to_have_count(25)
    history = page.evaluate("() => [location.href, document.referrer]")
    addresses += history

    # The term went to the server, in POST bodies only.
    assert any(method == "POST" and "Petra" in body for method, _url, body in requests)
    assert not [url for _method, url, _body in requests if _named(url)]
    assert not [address for address in addresses if _named(address)], addresses
    log = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/casussen?zoek=" in line for line in log), "the access log was not captured"
    assert not [line for line in log if _named(line)]
