"""Signing in through the real pages in Chromium, the start page per role, and axe-core checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ret_app.labels import ROLE_LABELS
from tests.browser.conftest import axe_violations, check_accessibility, nl, screenshot, sign_in

pytestmark = pytest.mark.browser


def make_user(factory, role: str):
    """A user of the role with the surroundings their start page shows: the chair's RET belongs to
    a region of a network with a collective member; the caseworker's access team serves a
    municipality in which they hold a mandate. Returns (user, details)."""
    if role == "chair":
        network = factory.network("BOEG")
        region = factory.region("Regio Browsertest", network_id=network.id)
        municipality = factory.municipality(region.id, name="Gemeente Browsertest")
        factory.organisation(kind="provider", region_id=region.id, collective_member=True,
                             name="Jeugdzorg Browsertest")
        org = factory.organisation(kind="ret", region_id=region.id, name="RET Browsertest")
        user = factory.user("chair", org.id, name="Carla Voorzitter")
        return user, {"region": region, "municipality": municipality, "organisation": org}
    if role == "caseworker":
        region = factory.region("Regio Mandaattest")
        municipality = factory.municipality(region.id, name="Gemeente Mandaattest")
        org = factory.organisation(kind="access_team", region_id=region.id, municipality_id=municipality.id,
                                   name="Toegangsteam Mandaattest")
        user = factory.user("caseworker", org.id, name="Willem Toegang")
        factory.mandate(user.id, municipality.id, ceiling="75000")
        return user, {"region": region, "municipality": municipality, "organisation": org}
    if role == "admin":
        org = factory.organisation(kind="management", name="Functioneel beheer Browsertest")
        user = factory.user("admin", org.id, name="Bea Beheerder")
        return user, {"organisation": org}
    raise ValueError(role)


def role_label(app, role: str) -> str:
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("nl"):
        return str(ROLE_LABELS[role])


def test_chair_signs_in_with_password_and_totp(app, factory, new_page):
    user, details = make_user(factory, "chair")
    page = new_page()

    sign_in(page, app, user)

    assert page.url.endswith("/start")
    expect(page.locator("main h1")).to_have_text(nl(app, "Welcome, %(name)s", name=user.name))
    lead = page.locator("main .utrecht-paragraph--lead")
    expect(lead).to_contain_text(role_label(app, "chair"))
    expect(lead).to_contain_text(details["organisation"].name)
    expect(lead).to_contain_text(details["region"].name)
    header = page.locator("header .ret-user")
    expect(header).to_contain_text(user.name)
    expect(header).to_contain_text(role_label(app, "chair"))
    # The chair's region card, with the collective.
    expect(page.locator("section[aria-labelledby=region-title]")).to_contain_text("Jeugdzorg Browsertest")
    # Neither the mandates card nor the management card is for a chair.
    expect(page.locator("section[aria-labelledby=mandates-title]")).to_have_count(0)
    expect(page.locator("section[aria-labelledby=admin-title]")).to_have_count(0)
    screenshot(page, app, "sign-in-start")


def test_caseworker_start_shows_my_mandates(app, factory, new_page):
    user, details = make_user(factory, "caseworker")
    page = new_page()

    sign_in(page, app, user)

    my_mandates = nl(app, "My mandates")
    nav_link = page.locator("nav.ret-nav a", has_text=my_mandates)
    expect(nav_link).to_have_count(1)
    expect(nav_link).to_have_attribute("href", "/mandaten/")
    card = page.locator("section[aria-labelledby=mandates-title]")
    expect(card.locator("h2")).to_have_text(my_mandates)
    expect(card).to_contain_text(details["municipality"].name)
    expect(card).to_contain_text("75.000")
    expect(page.locator("section[aria-labelledby=admin-title]")).to_have_count(0)
    expect(page.locator("header .ret-user")).to_contain_text(role_label(app, "caseworker"))
    screenshot(page, app, "start-caseworker")

    nav_link.click()
    page.wait_for_url("**/mandaten/")
    expect(page.locator("main")).to_contain_text(details["municipality"].name)


def test_admin_lands_on_start_with_management_card(app, factory, new_page):
    user, _ = make_user(factory, "admin")
    page = new_page()

    sign_in(page, app, user)

    card = page.locator("section[aria-labelledby=admin-title]")
    expect(card.locator("h2")).to_have_text(nl(app, "Management"))
    expect(page.locator("nav.ret-nav a", has_text=nl(app, "Users"))).to_have_count(1)
    expect(page.locator("nav.ret-nav a", has_text=nl(app, "My mandates"))).to_have_count(0)
    expect(page.locator("header .ret-user")).to_contain_text(role_label(app, "admin"))
    screenshot(page, app, "start-admin")


def test_login_page_is_accessible(app, new_page):
    page = new_page()
    page.goto("/inloggen")
    check_accessibility(page, app, "login")


@pytest.mark.parametrize("role", ["chair", "caseworker", "admin"])
def test_second_factor_and_start_pages_are_accessible(app, factory, new_page, role):
    user, _ = make_user(factory, role)
    page = new_page()

    def on_second_factor():
        if role == "chair":  # the same page for everyone; once is enough
            check_accessibility(page, app, "second-factor")

    sign_in(page, app, user, before_code=on_second_factor)
    check_accessibility(page, app, f"start-{role}")


def test_accessibility_check_sees_violations_under_the_csp(app, new_page):
    """The check above is only worth something if axe really runs on our pages despite the CSP:
    break the login page on purpose and expect axe to say so."""
    page = new_page()
    page.goto("/inloggen")
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        document.querySelector('main').append(img, document.createElement('input'));
    }""")
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert found.get("image-alt") == "critical", found
    assert found.get("label") == "critical", found
