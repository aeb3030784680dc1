"""Issue flow in Chromium: a caseworker refers a youth with the help tried before and the family's
consent in one go, the chair sees that help on the intake page and takes the referral in, two
participants contribute to the screening, the process director finalises it and downloads the
screening report, which carries the help tried before too."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import check_accessibility, screenshot, sign_in

pytestmark = pytest.mark.browser

# (provider, kind of help, from, until, why it ended): fictional.
PRIOR_HELP = (
    ("Jeugdhulp De Brug", "Ambulante gezinsbegeleiding", "2024-02-01", "2024-11-30",
     "Gestopt: de begeleiding sloot niet aan bij de angstklachten."),
    ("GGZ Kompas", "Individuele therapie", "2025-01-15", "2025-06-30",
     "Wachtlijst voor vervolg; Roos haakte af."),
)


def test_referral_intake_screening_and_report(app, factory, new_page):
    region = factory.region("Regio Ketentest")
    municipality = factory.municipality(region.id, name="Gemeente Ketentest")
    team = factory.organisation(kind="access_team", region_id=region.id, municipality_id=municipality.id,
                                name="Toegangsteam Ketentest")
    ret = factory.organisation(kind="ret", region_id=region.id, name="RET Ketentest")
    provider = factory.organisation(kind="provider", region_id=region.id, collective_member=True,
                                    name="Jeugdhulp Ketentest")
    caseworker = factory.user("caseworker", team.id, name="Karin Toegang")
    chair = factory.user("chair", ret.id, name="Carla Voorzitter")
    director = factory.user("ret_member", ret.id, name="Pim Regisseur")
    provider_member = factory.user("provider_member", provider.id, name="Anna Aanbieder")

    # 1. The caseworker starts a referral, records consent and submits it.
    page = new_page()
    sign_in(page, app, caseworker)
    page.goto("/casussen/nieuw")
    page.get_by_label("Gemeente waar de jeugdige woont").select_option(label="Gemeente Ketentest")
    page.get_by_role("button", name="Aanmelding starten").click()
    page.wait_for_url(re.compile(r"/casussen/\d+/aanmelding"))
    case_id = int(re.search(r"/casussen/(\d+)/", page.url).group(1))
    page.locator("#youth_first_name").fill("Roos")
    page.locator("#youth_last_name").fill("Testkind")
    page.locator("#youth_birth_date").fill(date(date.today().year - 17, 3, 14).isoformat())
    page.locator("#question").fill("Roos zit thuis en heeft onderwijs met zorg nodig.")
    page.locator("#why_stuck").fill("Geen aanbieder combineert onderwijs en GGZ.")
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.locator(".utrecht-alert--ok").first).to_be_visible()
    # Two earlier providers: what the RET will judge the stuck case by.
    for provider_name, kind, start, end, reason in PRIOR_HELP:
        help_form = page.locator("form", has=page.get_by_role("button", name="Hulp toevoegen"))
        help_form.get_by_label("Zorgaanbieder").fill(provider_name)
        help_form.get_by_label("Soort hulp").fill(kind)
        help_form.get_by_label("Vanaf").fill(start)
        help_form.get_by_label("Tot en met").fill(end)
        help_form.get_by_label("Waarom de hulp is gestopt").fill(reason)
        help_form.get_by_role("button", name="Hulp toevoegen").click()
        expect(page.locator("#prior-help")).to_contain_text(provider_name)
    expect(page.locator("#prior-help tbody tr")).to_have_count(2)
    page.goto(f"/casussen/{case_id}/toestemming")
    # The youth is 17: one row in the consent grid; RET and collective ticked and saved in one go.
    for scope in ("RET", "Collectief"):
        page.get_by_label(f"De jeugdige (Roos Testkind): toestemming voor {scope}", exact=True).check()
    page.get_by_label("Datum toestemming").fill(date.today().isoformat())
    with page.expect_response(re.compile(r"/toestemming$")):
        page.get_by_role("button", name="Toestemming vastleggen").click()
    expect(page.get_by_text("2 toestemmingen zijn vastgelegd.")).to_be_visible()
    page.reload()
    expect(page.get_by_text("aanwezig", exact=True)).to_have_count(2)  # RET and collective
    screenshot(page, app, "flow-1-consent")
    page.goto(f"/casussen/{case_id}/aanmelding")
    page.get_by_role("button", name="Opslaan en aanmelding indienen").click()
    expect(page.locator("#case-status")).to_have_text("Ingediend")
    screenshot(page, app, "flow-2-submitted")

    # 2. The chair takes it in and accepts it into process direction.
    chair_page = new_page()
    sign_in(chair_page, app, chair)
    chair_page.goto("/intake")
    chair_page.get_by_role("link", name=re.compile("Intakebesluit")).first.click()
    # The intake page shows the help tried before, read-only, with why each ended.
    earlier = chair_page.locator(".ret-prior-help")
    expect(earlier.get_by_role("heading", name="Eerder ingezette hulp")).to_be_visible()
    for provider_name, kind, _start, _end, reason in PRIOR_HELP:
        expect(earlier).to_contain_text(provider_name)
        expect(earlier).to_contain_text(kind)
        expect(earlier).to_contain_text(reason)
    expect(earlier.locator("form, button")).to_have_count(0)
    screenshot(chair_page, app, "flow-2b-intake-prior-help")
    chair_page.locator("#accept-track").select_option("process_direction")
    chair_page.locator("#accept-process_director_id").select_option(label="Pim Regisseur")
    chair_page.locator("#accept-reason").fill("Vraag over meerdere leefgebieden.")
    chair_page.get_by_role("button", name="Toelaten").click()
    expect(chair_page.locator("#case-status")).to_have_text("Screening")
    check_accessibility(chair_page, app, "case-page-chair")

    # 3. The process director invites the provider and contributes.
    director_page = new_page()
    director_page.on("dialog", lambda dialog: dialog.accept())
    sign_in(director_page, app, director)
    director_page.goto(f"/casussen/{case_id}/screening")
    invitee = director_page.locator("#invitee")
    option = invitee.locator("option", has_text="Jeugdhulp Ketentest").first.get_attribute("value")
    invitee.select_option(option)
    director_page.get_by_role("button", name="Uitnodigen").click()
    expect(director_page.get_by_text("Jeugdhulp Ketentest").first).to_be_visible()
    contribute(director_page, case_id, "safety", "3", "Roos is onveilig als ze thuiszit.")

    # 4. A member of the invited provider contributes too.
    provider_page = new_page()
    sign_in(provider_page, app, provider_member)
    provider_page.goto(f"/casussen/{case_id}/screening")
    contribute(provider_page, case_id, "mental_health", "2", "Angstklachten, geen behandeling.")

    # 5. The process director writes analysis and advice, finalises and downloads the report.
    director_page.goto(f"/casussen/{case_id}/screening")
    expect(director_page.get_by_text("Angstklachten, geen behandeling.")).to_be_visible()
    director_page.locator("#analysis").fill("Onderwijs en zorg lopen langs elkaar heen.")
    director_page.locator("#advice").fill("Maatwerkarrangement onderwijs-zorg.")
    director_page.get_by_role("button", name="Opslaan en vaststellen").click()
    expect(director_page.get_by_text(re.compile("Vastgesteld op")).first).to_be_visible()
    screenshot(director_page, app, "flow-3-screening-finalised")
    with director_page.expect_download() as download_info:
        director_page.get_by_role("link", name=re.compile("Screeningsverslag downloaden")).first.click()
    pdf_bytes = open(download_info.value.path(), "rb").read()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    for expected in ("Vertrouwelijk", "Integrale analyse", "Advies", "Veiligheid",
                     "Onderwijs en zorg lopen langs elkaar heen.", "Angstklachten",
                     "Eerder ingezette hulp", *(h[0] for h in PRIOR_HELP), *(h[1] for h in PRIOR_HELP)):
        assert expected in " ".join(text.split()), expected  # a table cell may wrap a name
    from tests.browser.conftest import ARTIFACTS, backend_name

    (ARTIFACTS / f"flow-screening-report-{backend_name(app)}.pdf").write_bytes(pdf_bytes)


def contribute(page, case_id: int, domain: str, severity: str, notes: str) -> None:
    page.goto(f"/casussen/{case_id}/screening?leefgebied={domain}&bewerken=1#leefgebied-{domain}")
    block = page.locator(f"#leefgebied-{domain}")
    block.get_by_label("Ernst", exact=True).select_option(severity)
    # The notes' label says from which severity they are needed.
    block.get_by_label(re.compile(r"^Toelichting")).fill(notes)
    block.get_by_role("button", name="Bijdrage opslaan").click()
    expect(page.get_by_text(notes).first).to_be_visible()
