"""The fictional demo region. Every name, address and account here is invented.

Demo accounts share one password and have TOTP secrets derived from their e-mail address, so
the README can list them. That is why `seed-demo` refuses to run with production configuration.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Optional

import pyotp
from sqlalchemy import func, select

from ret_app import audit
from ret_app.auth import passwords, services as auth_services
from ret_app.caretypes import services as caretypes
from ret_app.outcomes import taxonomy
from ret_app.extensions import db
from ret_app.models import Mandate, Municipality, Network, Organisation, OrganisationKind, Region, User
from ret_app.kernel.dates import AMSTERDAM, utcnow
from ret_app.kernel import dates

DEMO_PASSWORD = "ret-demo-wachtwoord"

NETWORKS = [
    ("Bovenregionaal Expertisenetwerk Jeugdhulp in Gelderland", "BOEG"),
    ("Bovenregionaal Expertisenetwerk Noord-Holland", "BEN NH"),
    ("Jeugd Expertise Netwerk Noord-Nederland", "JENN"),
]

# CBS municipality codes of the three demo regions (seed documents 000, 003 and 002).
REGIONS = {
    "Zorgregio Midden-IJssel/Oost-Veluwe": ("BOEG", [
        ("Apeldoorn", "GM0200"), ("Brummen", "GM0213"), ("Epe", "GM0232"), ("Hattem", "GM0243"),
        ("Heerde", "GM0246"), ("Lochem", "GM1859"), ("Voorst", "GM0285"), ("Zutphen", "GM0301"),
    ]),
    "IJmond/Zuid-Kennemerland": ("BEN NH", [
        ("Beverwijk", "GM0375"), ("Heemskerk", "GM0396"), ("Velsen", "GM0453"), ("Bloemendaal", "GM0377"),
        ("Haarlem", "GM0392"), ("Heemstede", "GM0397"), ("Zandvoort", "GM0473"),
    ]),
    "Jeugdregio Drenthe": ("JENN", [
        ("Aa en Hunze", "GM1680"), ("Assen", "GM0106"), ("Borger-Odoorn", "GM1681"), ("Coevorden", "GM0109"),
        ("De Wolden", "GM1690"), ("Emmen", "GM0114"), ("Hoogeveen", "GM0118"), ("Meppel", "GM0119"),
        ("Midden-Drenthe", "GM1731"), ("Noordenveld", "GM1699"), ("Tynaarlo", "GM1730"), ("Westerveld", "GM1701"),
    ]),
}

MIJOV = "Zorgregio Midden-IJssel/Oost-Veluwe"
IJZK = "IJmond/Zuid-Kennemerland"
DRENTHE = "Jeugdregio Drenthe"
DEXT = "Drentse Experttafel (DExT)"  # the region's RET (seed 002)

# (name, kind, region, collective member, network)
ORGANISATIONS = [
    ("RET Midden-IJssel/Oost-Veluwe", "ret", MIJOV, False, None),
    ("RET IJmond/Zuid-Kennemerland", "ret", IJZK, False, None),
    (DEXT, "ret", DRENTHE, False, None),
    ("Jeugdzorg De Bolder (demo)", "provider", MIJOV, True, None),
    ("Kinder- en Jeugdpsychiatrie Rivierland (demo)", "provider", MIJOV, True, None),
    ("Orthopedagogisch Centrum Veluwezoom (demo)", "provider", MIJOV, True, None),
    ("Gezinshuizen Hanzeland (demo)", "provider", MIJOV, False, None),
    ("Jeugdhulp Kennemerduin (demo)", "provider", IJZK, True, None),
    ("Gecertificeerde Instelling Oost (demo)", "certified_institution", MIJOV, False, None),
    ("BOEG procesregie (demo)", "network", None, False, "BOEG"),
    ("BEN NH procesregie (demo)", "network", None, False, "BEN NH"),
    ("Jeugdhulp Hunzedal (demo)", "provider", DRENTHE, True, None),
    ("Jeugd-ggz Esmaborg (demo)", "provider", DRENTHE, True, None),
    ("JENN procesregie (demo)", "network", None, False, "JENN"),
    ("Beleid en inkoop jeugd Midden-IJssel/Oost-Veluwe (demo)", "management", MIJOV, False, None),
    ("Functioneel beheer RET (demo)", "management", None, False, None),
]

# (e-mail, name, role, organisation)
USERS = [
    ("voorzitter@mijov.example", "Ilse Hoekstra", "chair", "RET Midden-IJssel/Oost-Veluwe"),
    ("retlid@mijov.example", "Joris van Dalen", "ret_member", "RET Midden-IJssel/Oost-Veluwe"),
    ("gedragswetenschapper@mijov.example", "Femke Brouwer", "ret_member", "RET Midden-IJssel/Oost-Veluwe"),
    ("toegang.apeldoorn@mijov.example", "Sanne de Wit", "caseworker", "Toegangsteam Jeugd Apeldoorn"),
    ("toegang.zutphen@mijov.example", "Mehmet Yilmaz", "caseworker", "Toegangsteam Jeugd Zutphen"),
    ("toegang.epe@mijov.example", "Lotte Jansen", "caseworker", "Toegangsteam Jeugd Epe"),
    ("gi@mijov.example", "Ruben Smit", "caseworker", "Gecertificeerde Instelling Oost (demo)"),
    ("aanbieder@mijov.example", "Noor Bakker", "provider_member", "Jeugdzorg De Bolder (demo)"),
    ("aanbieder.kjp@mijov.example", "Thijs Mulder", "provider_member", "Kinder- en Jeugdpsychiatrie Rivierland (demo)"),
    ("boeg@mijov.example", "Anouk Visser", "network_liaison", "BOEG procesregie (demo)"),
    ("beleid@mijov.example", "Daan Meijer", "analyst", "Beleid en inkoop jeugd Midden-IJssel/Oost-Veluwe (demo)"),
    ("privacy@mijov.example", "Willemijn Boersma", "privacy_officer", "RET Midden-IJssel/Oost-Veluwe"),
    ("privacy@drenthe.example", "Aaltje Bosma", "privacy_officer", DEXT),
    ("beheer@mijov.example", "Esther Kok", "admin", "Functioneel beheer RET (demo)"),
    ("voorzitter@ijzk.example", "Pieter de Graaf", "chair", "RET IJmond/Zuid-Kennemerland"),
    ("toegang.haarlem@ijzk.example", "Yara El Amrani", "caseworker", "Toegangsteam Jeugd Haarlem"),
    ("aanbieder@ijzk.example", "Bas Hendriks", "provider_member", "Jeugdhulp Kennemerduin (demo)"),
    ("bennh@ijzk.example", "Marloes Vos", "network_liaison", "BEN NH procesregie (demo)"),
    ("voorzitter@drenthe.example", "Harm Wolters", "chair", DEXT),
    ("retlid@drenthe.example", "Jantien Zwiers", "ret_member", DEXT),
    ("toegang.assen@drenthe.example", "Rik Hadders", "caseworker", "Toegangsteam Jeugd Assen"),
    ("aanbieder@drenthe.example", "Grietje Lanting", "provider_member", "Jeugdhulp Hunzedal (demo)"),
    ("aanbieder.ggz@drenthe.example", "Sjoerd Kuiper", "provider_member", "Jeugd-ggz Esmaborg (demo)"),
    ("jenn@drenthe.example", "Wietske Oldenhof", "network_liaison", "JENN procesregie (demo)"),
]

# Per region: its chair, the RET member who directs its cases' process, the provider of the collective
# that takes part in their screenings and that provider's member (who writes its contribution).
REGION_TEAMS = {
    MIJOV: ("voorzitter@mijov.example", "retlid@mijov.example", "Jeugdzorg De Bolder (demo)", "aanbieder@mijov.example"),
    IJZK: ("voorzitter@ijzk.example", None, "Jeugdhulp Kennemerduin (demo)", "aanbieder@ijzk.example"),
    DRENTHE: ("voorzitter@drenthe.example", "retlid@drenthe.example", "Jeugdhulp Hunzedal (demo)",
              "aanbieder@drenthe.example"),
}


def demo_totp_secret(email: str) -> str:
    digest = hashlib.sha256(f"ret-demo:{email.lower()}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


def current_code(email: str) -> Optional[str]:
    if email.lower() not in {u[0] for u in USERS}:
        return None
    return pyotp.TOTP(demo_totp_secret(email)).now()


def database_is_empty() -> bool:
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0 and \
        (db.session.scalar(select(func.count()).select_from(Region)) or 0) == 0


@dataclass
class SeedSummary:
    regions: int
    municipalities: int
    organisations: int
    users: int
    mandates: int
    cases: int = 0
    meetings: int = 0
    history: int = 0

    def __str__(self) -> str:
        return (f"{self.regions} regions, {self.municipalities} municipalities, {self.organisations} organisations, "
                f"{self.users} users, {self.mandates} mandates, {self.cases} cases, {self.meetings} RET sessions, "
                f"{self.history} closed cases of earlier years")


def seed(today: Optional[date] = None) -> SeedSummary:
    today = today or dates.today()
    networks = {short: Network(name=name, short_name=short) for name, short in NETWORKS}
    db.session.add_all(networks.values())
    regions: dict[str, Region] = {}
    municipalities: dict[str, Municipality] = {}
    for region_name, (network_short, members) in REGIONS.items():
        region = Region(name=region_name, network=networks[network_short])
        regions[region_name] = region
        db.session.add(region)
        for name, code in members:
            municipalities[name] = Municipality(name=name, cbs_code=code, region=region)
            db.session.add(municipalities[name])
    db.session.flush()
    for region in regions.values():
        caretypes.seed_defaults(region.id)  # as the administrator's new region gets it
        taxonomy.seed_defaults(region.id)

    organisations: dict[str, Organisation] = {}
    for municipality in municipalities.values():
        org = Organisation(name=f"Toegangsteam Jeugd {municipality.name}", kind=OrganisationKind.ACCESS_TEAM.value,
                           region_id=municipality.region_id, municipality_id=municipality.id)
        organisations[org.name] = org
    for name, kind, region_name, collective, network_short in ORGANISATIONS:
        organisations[name] = Organisation(
            name=name, kind=kind, region=regions[region_name] if region_name else None,
            collective_member=collective, network=networks[network_short] if network_short else None)
    db.session.add_all(organisations.values())
    db.session.flush()

    password_hash = passwords.hash_password(DEMO_PASSWORD)
    now = utcnow()
    users: dict[str, User] = {}
    for email, name, role, org_name in USERS:
        user = User(email=email, name=name, role=role, organisation=organisations[org_name],
                    password_hash=password_hash, password_changed_at=now, totp_secret=demo_totp_secret(email),
                    activated_at=now)
        users[email] = user
        db.session.add(user)
    db.session.flush()
    for user in users.values():
        auth_services.replace_recovery_codes(user)

    admin = users["beheer@mijov.example"]
    _retire_residential(regions[MIJOV], admin)
    year_end = date(today.year, 12, 31)
    mandates = [
        # A broad, valid mandate.
        (users["toegang.apeldoorn@mijov.example"], "Apeldoorn", today - timedelta(days=200), year_end + timedelta(days=365),
         Decimal("150000.00"), ["ambulatory", "intensive_family_treatment", "day_treatment", "family_home",
                                "foster_care", "residential", "youth_mental_health", "intellectual_disability",
                                "custom_arrangement"]),
        # Valid, but expiring within 30 days: the holder and the chair get a warning.
        (users["toegang.apeldoorn@mijov.example"], "Voorst", today - timedelta(days=340), today + timedelta(days=20),
         Decimal("60000.00"), ["ambulatory", "day_treatment", "youth_mental_health"]),
        # Valid with a low ceiling.
        (users["toegang.zutphen@mijov.example"], "Zutphen", today - timedelta(days=90), year_end,
         Decimal("7500.00"), ["ambulatory", "youth_mental_health"]),
        # Expired.
        (users["toegang.epe@mijov.example"], "Epe", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31),
         Decimal("50000.00"), ["ambulatory", "residential", "crisis"]),
        (users["toegang.haarlem@ijzk.example"], "Haarlem", today - timedelta(days=30), year_end + timedelta(days=365),
         Decimal("120000.00"), ["ambulatory", "day_treatment", "residential", "crisis", "youth_mental_health"]),
        (users["toegang.assen@drenthe.example"], "Assen", today - timedelta(days=60), year_end + timedelta(days=365),
         Decimal("90000.00"), ["ambulatory", "intensive_family_treatment", "day_treatment", "family_home",
                               "youth_mental_health", "custom_arrangement"]),
    ]
    for holder, municipality, start, end, ceiling, care_types in mandates:
        db.session.add(Mandate(
            holder=holder, municipality=municipalities[municipality], valid_from=start, valid_until=end,
            ceiling_eur=ceiling, care_types=care_types,
            granted_by=f"College van B&W {municipality}",
            document_reference=f"Mandaatbesluit jeugdhulp {municipality} {start.year}-{len(municipality):02d} (demo)",
            created_by_id=admin.id))
    db.session.flush()
    cases: dict = {}
    case_count = seed_cases(users, municipalities, organisations, today, cases)
    meeting_count = seed_meetings(users, organisations, cases, today) + seed_dext_session(users, cases, today)
    seed_collective(users, organisations, today)
    seed_plans(users, organisations, cases, today)
    seed_commitments(users, organisations, cases, today)
    seed_escalations(users, organisations, cases, today)
    seed_outcomes(users, organisations, cases)
    from ret_app.rereferrals import demo as rereferrals_demo

    rereferrals_demo.seed(users, cases, today)
    from ret_app.inspection import demo as inspection_demo

    inspection_demo.seed(users, cases, today)
    _store_deadlines(cases.values())
    from ret_app.notifications import demo as notifications_demo

    notifications_demo.seed(today)
    from ret_app.api import demo as api_demo

    api_demo.seed()  # the monitor API's token, with its public demo secret (README)
    # The closed cases of the past years (outcomes, gaps, declines, escalations): after the notifications,
    # which are about today's work.
    from ret_app import demo_history

    history = demo_history.seed(today)
    # What the nightly job would find in that history (the signals, each notifying the region's RET), and
    # the chair's learning vignettes of the most recently closed cases.
    from ret_app.vignettes import demo as vignettes_demo

    from ret_app.signals import demo as signals_demo

    signals_demo.history(today)
    signals_demo.seed()
    vignettes_demo.seed()
    from ret_app.privacy import demo as privacy_demo

    privacy_demo.seed(users, cases["screening"])
    from ret_app.erasure import demo as erasure_demo

    erasure_demo.seed(today)  # after the history: its closed cases get their retention
    audit.record(audit.Action.CREATE, object_type="demo_seed", detail="demo_region_seeded")
    return SeedSummary(len(regions), len(municipalities), len(organisations), len(users), len(mandates), case_count,
                       meeting_count, history)


def _retire_residential(region: Region, admin: User) -> None:
    """Midden-IJssel/Oost-Veluwe's product book of 2026 splits "residential youth care" into verblijf
    behandelgroep and verblijf 3-milieu (seed 001): the general type is no longer offered there, while
    the mandates granted before keep it (Apeldoorn's broad mandate, Epe's expired one)."""
    from ret_app.models import CareType

    general = db.session.scalar(select(CareType).where(CareType.region_id == region.id,
                                                       CareType.code == "residential"))
    caretypes.update(general, {"name": general.name, "position": general.position,
                               "description": "Niet meer ingekocht vanaf 2026: kies Verblijf behandelgroep of "
                                              "Verblijf 3-milieu."}, admin)
    caretypes.retire(general, admin)


def _store_deadlines(cases) -> None:
    """Each case's nearest norm deadline, as the services store it when something changes."""
    from ret_app.cases import norms

    db.session.flush()
    for case in cases:
        norms.refresh_deadline(case)
    db.session.flush()


# --- demo cases: fictional youths and families -------------------------------------------

# (key, municipality, caseworker, first, last, age, status, urgency, track, placement, question, why stuck,
#  working days since submission, family [(relation, name, age, authority)], consent scopes)
DEMO_CASES = [
    ("concept", "Apeldoorn", "toegang.apeldoorn@mijov.example", "Mila", "Verhoef", 13, "concept", "regular", None, False,
     "", "", None, [("mother", "Ingrid Verhoef", 41, True)], ()),
    ("waiting", "Zutphen", "toegang.zutphen@mijov.example", "Daan", "Kuipers", 15, "submitted", "urgent", None, False,
     "Daan gaat al vier maanden niet naar school en zit thuis. Ouders vragen om een passende combinatie van "
     "onderwijs en behandeling.",
     "Twee aanbieders hebben Daan afgewezen vanwege de combinatie van autisme en agressie; de wachtlijst voor "
     "dagbehandeling is acht maanden.", 3,
     [("mother", "Petra Kuipers", 44, True), ("father", "Mark Kuipers", 46, True), ("sibling", "Eva Kuipers", 11, False)],
     ("ret",)),
    ("overdue", "Heerde", "toegang.apeldoorn@mijov.example", "Noah", "Brink", 17, "submitted", "regular", None, False,
     "Noah wordt binnenkort 18 en heeft na de jeugdhulp een woonplek met begeleiding nodig.",
     "Wlz, Wmo en Jeugdwet wijzen naar elkaar; er is geen plek met 24-uurs begeleiding in de regio.", 12,
     [("mother", "Monique Brink", 50, True)], ("ret",)),
    ("screening", "Apeldoorn", "toegang.apeldoorn@mijov.example", "Sara", "de Jong", 14, "screening", "urgent",
     "process_direction", True,
     "Sara loopt weg van huis; moeder kan haar veiligheid niet meer garanderen. Uithuisplaatsing wordt overwogen.",
     "De gezinsbehandeling is gestopt; de GGZ-aanbieder heeft een wachtlijst en een gesloten plaatsing wil "
     "niemand.", 9,
     [("mother", "Sandra de Jong", 39, True), ("step_parent", "Ronald Veenstra", 42, False)], ("ret", "collective")),
    ("direction", "Epe", "toegang.epe@mijov.example", "Finn", "Willems", 16, "process_direction", "regular",
     "process_direction", False,
     "Finn heeft een licht verstandelijke beperking en psychiatrische problemen; hij heeft een passend "
     "dagprogramma nodig.",
     "Geen aanbieder in de regio biedt LVB en psychiatrie samen aan.", 30,
     [("father", "Erik Willems", 52, True)], ("ret", "collective", "network")),
    ("advice", "Voorst", "toegang.apeldoorn@mijov.example", "Lotte", "Smits", 10, "returned_with_advice", "regular",
     None, False, "Ouders vragen hulp bij de opvoeding na een scheiding.",
     "De wijkcoach weet niet welke hulp nu het beste past.", 15,
     [("mother", "Linda Smits", 38, True), ("father", "Jeroen Smits", 40, True)], ("ret",)),
    ("paused", "Brummen", "toegang.apeldoorn@mijov.example", "Jesse", "Bos", 12, "paused", "regular",
     "consultation", False, "Jesse is angstig en komt zijn kamer niet meer uit.",
     "De jeugd-GGZ is na zes weken gestopt omdat Jesse niet meer kwam.", 20,
     [("mother", "Karin Bos", 45, True), ("father", "Hans Bos", 47, True)], ("ret", "network")),
    # Seeded in process direction; its plan records that fitting help started, which moves it to
    # monitoring (seed_plans).
    ("monitoring", "Zutphen", "toegang.zutphen@mijov.example", "Lieke", "van Dijk", 15, "process_direction",
     "urgent", "process_direction", False,
     "Lieke eet nauwelijks nog en is sterk afgevallen; de huisarts maakt zich zorgen. Ouders vragen om behandeling "
     "die ook het gezin meeneemt.",
     "De gespecialiseerde eetstoorniszorg heeft een wachtlijst van zes maanden en de ambulante hulp kan haar niet "
     "meer opvangen.", 45,
     [("mother", "Anja van Dijk", 44, True), ("father", "Bart van Dijk", 47, True)], ("ret", "collective", "network")),
    ("haarlem", "Haarlem", "toegang.haarlem@ijzk.example", "Yusuf", "Amrani", 16, "submitted", "crisis", None, True,
     "Crisisplaatsing loopt af; Yusuf kan niet terug naar huis en een vervolgplek ontbreekt.",
     "Alle gezinshuizen in de regio zijn vol.", 1,
     [("mother", "Fatima Amrani", 43, True)], ("ret", "network")),
    # Drenthe (DExT, network JENN).
    ("assen", "Assen", "toegang.assen@drenthe.example", "Jelle", "Hummel", 14, "submitted", "regular", None, False,
     "Jelle zit sinds de herfstvakantie thuis met buikpijn en angst; ouders vragen hulp om hem weer naar school te "
     "krijgen.",
     "De schoolmaatschappelijk werker en de huisarts zien geen lichamelijke oorzaak; de jeugd-ggz heeft een "
     "wachtlijst van vijf maanden.", 2,
     [("mother", "Marjan Hummel", 42, True), ("father", "Klaas Hummel", 45, True)], ("ret",)),
    ("emmen", "Emmen", "toegang.assen@drenthe.example", "Roos", "Everts", 13, "screening", "urgent",
     "process_direction", False,
     "Roos is na een ernstige gebeurtenis thuis erg angstig en slaapt nauwelijks; moeder kan haar niet alleen laten.",
     "Traumabehandeling is gestart en weer gestopt omdat Roos niet meer durfde te gaan.", 8,
     [("mother", "Tineke Everts", 40, True)], ("ret", "collective")),
    ("hoogeveen", "Hoogeveen", "toegang.assen@drenthe.example", "Milan", "Kroeze", 17, "process_direction", "urgent",
     "process_direction", True,
     "Milan kan niet meer thuis wonen; hij heeft een plek nodig met behandeling voor zijn verslaving en zijn "
     "agressie.",
     "Drie aanbieders in Drenthe hebben hem afgewezen vanwege de combinatie van verslaving en agressie.", 25,
     [("mother", "Sandra Kroeze", 46, True)], ("ret", "collective", "network")),
    ("tynaarlo", "Tynaarlo", "toegang.assen@drenthe.example", "Fenna", "Lubbers", 15, "process_direction", "regular",
     "process_direction", False,
     "Fenna heeft een zeldzame stofwisselingsziekte en psychische klachten; de ouders zoeken behandeling die "
     "beide meeneemt.",
     "De kinderarts en de jeugd-ggz verwijzen naar elkaar; in de regio is niemand met ervaring met deze "
     "combinatie.", 40,
     [("mother", "Hilde Lubbers", 44, True), ("father", "Jan Lubbers", 48, True)],
     ("ret", "collective", "network")),
    ("coevorden", "Coevorden", "toegang.assen@drenthe.example", "Sem", "Nijboer", 11, "process_direction",
     "regular", "process_direction", True,
     "Sem kan door zijn gedrag niet meer in het pleeggezin blijven; een gezinshuis met behandeling is nodig.",
     "De gezinshuizen in Zuid-Drenthe zaten vol en een plek buiten de regio leek nodig.", 30,
     [("foster_parent", "Anita Brouwer", 51, False), ("mother", "Kim Nijboer", 33, True)],
     ("ret", "collective", "network")),
]

# Help tried before (eerder ingezette hulp) per demo case, as the access team entered it in the
# referral: (provider, kind of help, started months ago, ended months ago or None while it runs,
# why it ended). The concept has none yet: the caseworker is still writing it.
PRIOR_HELP = {
    "waiting": [
        ("Kinder- en Jeugdpsychiatrie Rivierland (demo)", "Diagnostiek en behandeling autisme (jeugd-GGZ)", 30, 18,
         "Behandeling afgerond met het advies dagbehandeling te starten; daarvoor geldt een wachtlijst van acht "
         "maanden."),
        ("Orthopedagogisch Centrum Veluwezoom (demo)", "Ambulante gezinsbegeleiding bij agressie", 14, 5,
         "Gestopt na een incident met geweld tegen een begeleider; de aanbieder zag geen veilige voortzetting."),
        ("Samenwerkingsverband VO Zutphen (demo)", "Onderwijszorgarrangement op school", 20, 4,
         "Daan werd geschorst en is daarna thuis komen te zitten; school kan de veiligheid in de klas niet bieden."),
    ],
    "overdue": [
        ("Wijkteam Heerde (demo)", "Ambulante begeleiding thuis, twee uur per week", 36, 22,
         "Niet genoeg: Noah had meer nodig dan wekelijkse begeleiding en is doorverwezen naar begeleid wonen."),
        ("Jeugdzorg De Bolder (demo)", "Begeleid wonen met training zelfstandigheid", 20, None, None),
    ],
    "screening": [
        ("Jeugdzorg De Bolder (demo)", "Intensieve ambulante gezinsbehandeling", 10, 3,
         "Gestopt: Sara wilde niet meer meedoen en moeder kon de afspraken naast haar werk niet volhouden."),
        ("Gezinshuizen Hanzeland (demo)", "Logeeropvang in het weekend", 5, 2,
         "Beëindigd nadat Sara tijdens het logeren twee keer wegliep; het gezinshuis kon haar veiligheid niet "
         "garanderen."),
    ],
    "direction": [
        ("Orthopedagogisch Centrum Veluwezoom (demo)", "Dagbesteding voor jongeren met een LVB", 24, 9,
         "Beëindigd: de psychiatrische klachten namen toe en de groep kon Finn niet meer opvangen."),
        ("Kinder- en Jeugdpsychiatrie Rivierland (demo)", "Ambulante jeugd-GGZ: medicatie en gesprekken", 12, 6,
         "Afgesloten: de gesprekken sloten niet aan bij Finns verstandelijk niveau."),
    ],
    "advice": [
        ("Wijkteam Voorst (demo)", "Gesprekken met beide ouders over opvoeden na de scheiding", 6, 2,
         "Afgesloten na vijf gesprekken; de ouders bleven het oneens over de aanpak."),
    ],
    "paused": [
        ("Praktijk voor jeugd-GGZ De Linde (demo)", "Cognitieve gedragstherapie bij angst", 5, 3.5,
         "Gestopt na zes weken: Jesse kwam niet meer naar de praktijk en thuisbehandeling werd niet geboden."),
    ],
    "monitoring": [
        ("Praktijk voor jeugd-GGZ De Linde (demo)", "Ambulante behandeling bij eetproblemen", 9, 3,
         "Gestopt: Lieke viel verder af en de praktijk verwees naar gespecialiseerde eetstoorniszorg."),
    ],
    "haarlem": [
        ("Jeugdhulp Kennemerduin (demo)", "Ambulante gezinsbehandeling", 12, 2,
         "Gestopt na een crisis thuis; Yusuf kon niet langer thuis wonen."),
        ("Jeugdhulp Kennemerduin (demo)", "Crisisplaatsing in een leefgroep", 2, None, None),
    ],
    "assen": [
        ("Sociaal team Assen (demo)", "Gesprekken met Jelle en school over thuiszitten", 4, 1,
         "Niet genoeg: Jelle bleef thuis en de angst nam toe."),
    ],
    "emmen": [
        ("Jeugd-ggz Esmaborg (demo)", "Traumabehandeling (EMDR)", 3, 1,
         "Gestopt: Roos durfde niet meer naar de praktijk te gaan; behandeling aan huis werd niet geboden."),
    ],
    "hoogeveen": [
        ("Jeugdhulp Hunzedal (demo)", "Ambulante gezinsbehandeling bij agressie", 14, 6,
         "Gestopt na geweld tegen moeder; de aanbieder zag geen veilige voortzetting thuis."),
        ("Verslavingspraktijk Het Veenpad (demo)", "Ambulante behandeling cannabisgebruik", 6, None, None),
    ],
    "tynaarlo": [
        ("Jeugd-ggz Esmaborg (demo)", "Behandeling bij somberheid", 10, 4,
         "Afgesloten: de behandelaar kon de klachten niet los zien van de ziekte en verwees terug."),
    ],
    "coevorden": [
        ("Pleeggezinnen Zuidenveld (demo)", "Voltijd pleegzorg", 30, None, None),
        ("Jeugdhulp Hunzedal (demo)", "Ambulante begeleiding in het pleeggezin", 8, 2,
         "Niet genoeg: het pleeggezin kon Sems gedrag ook met begeleiding niet meer opvangen."),
    ],
}


# The integrated analysis and advice of the finalised screenings (cases in process direction).
SCREENING_TEXTS = {
    "direction": ("De vastloper zit in de combinatie van LVB en psychiatrie: beide zorgsoorten zijn er, maar niet "
                  "samen.",
                  "Maatwerkarrangement met een vaste procesregisseur; opschalen naar BOEG als dit binnen zes weken niet "
                  "rond is."),
    "monitoring": ("Een eetstoornis met angst eronder; de ouders zijn uitgeput en school is buiten beeld geraakt. "
                   "Ambulante hulp alleen is niet meer genoeg.",
                   "Dagbehandeling eetstoornissen met gezinsgesprekken, en school vanaf het begin erbij betrekken."),
    "hoogeveen": ("Verslaving en agressie versterken elkaar; thuis is het niet meer veilig en geen Drentse aanbieder "
                  "behandelt beide op een woonplek.",
                  "Een behandelplek buiten de regio met verslavingszorg; opschalen naar JENN voor een plaatsing."),
    "tynaarlo": ("De psychische klachten hangen samen met de ziekte; behandelaars kennen de combinatie niet.",
                 "Vraag JENN om advies van een bovenregionale specialist in somatiek en jeugd-ggz."),
    "coevorden": ("Sem heeft een vaste woonplek met behandeling nodig; het pleeggezin is op.",
                  "Een gezinshuis met behandeling, zo dicht mogelijk bij moeder."),
}


def _months_ago(today: date, months: float) -> date:
    return today - timedelta(days=round(months * 30.44))


ADVICE_DEMO = ("Zet opvoedondersteuning in via het wijkteam en vraag de jeugdarts mee te kijken. "
               "Meld opnieuw aan als dit binnen drie maanden niet helpt.")


def _backdate(today: date, working_days: int) -> datetime:
    from ret_app.cases import clock

    day = today
    remaining = working_days
    while remaining > 0:
        day -= timedelta(days=1)
        if clock.is_working_day(day, clock.DEFAULT_CALENDAR):
            remaining -= 1
    return _not_after_now(datetime.combine(day, time(9, 30), tzinfo=timezone.utc))


def _not_after_now(moment: datetime) -> datetime:
    """Today's demo events happened this morning, or a few minutes ago when seeding earlier than that:
    nothing is recorded in the future."""
    return min(moment, utcnow() - timedelta(minutes=5))


def seed_cases(users: dict, municipalities: dict, organisations: dict, today: date,
               cases_out: Optional[dict] = None) -> int:
    from ret_app.cases import consent as consent_rules
    from ret_app.referrals.services import next_reference
    from ret_app.models import (
        Case, CaseEvent, CaseParticipant, CasePause, CaseTransition, Consent, FamilyMember, PriorHelp, Screening,
        ScreeningContribution,
    )

    flow = ["submitted", "intake", "screening", "process_direction"]
    for (key, municipality_name, caseworker_email, first, last, age, status, urgency, track, placement, question,
         why_stuck, days_ago, family, scopes) in DEMO_CASES:
        municipality = municipalities[municipality_name]
        caseworker = users[caseworker_email]
        chair_email, director_email, provider_name, provider_member_email = REGION_TEAMS[municipality.region.name]
        region_chair = users[chair_email]
        director = users[director_email] if director_email else region_chair
        submitted_at = _backdate(today, days_ago) if days_ago is not None else None
        case = Case(
            reference=next_reference(today.year), region_id=municipality.region_id, municipality_id=municipality.id,
            submitting_organisation_id=caseworker.organisation_id, caseworker_id=caseworker.id,
            status=status, urgency=urgency, track=track, placement_intended=placement,
            youth_first_name=first, youth_last_name=last,
            youth_birth_date=date(today.year - age, 1 + (len(first) * 7) % 12, 1 + (len(last) * 5) % 27),
            youth_gender="female" if first in ("Mila", "Sara", "Lotte", "Lieke", "Roos", "Fenna") else "male",
            youth_daytime_activity="Voortgezet onderwijs" if age < 18 else "Geen dagbesteding",
            question=question, why_stuck=why_stuck, submitted_at=submitted_at,
        )
        db.session.add(case)
        if cases_out is not None:
            cases_out[key] = case
        for relation, name, member_age, authority in family:
            case.family_members.append(FamilyMember(relation=relation, name=name, age=member_age,
                                                    living_situation="Thuis", parental_authority=authority))
        for provider, kind, started, ended, why_ended in PRIOR_HELP.get(key, ()):
            case.prior_help.append(PriorHelp(
                provider=provider, help_type=kind, from_date=_months_ago(today, started),
                to_date=_months_ago(today, ended) if ended is not None else None, end_reason=why_ended))
        db.session.flush()
        case.transitions.append(CaseTransition(from_status=None, to_status="concept", actor_id=caseworker.id,
                                               at=(submitted_at or _backdate(today, 1)) - timedelta(days=2)))
        for scope in scopes:
            need_youth = age >= 12
            if need_youth:
                case.consents.append(Consent(scope=scope, given_by_role="youth", given_on=today - timedelta(days=40),
                                             form="written", recorded_by_id=caseworker.id))
            if age < 16:
                for member in case.family_members:
                    if member.parental_authority:
                        case.consents.append(Consent(scope=scope, family_member_id=member.id, given_by_role="parent",
                                                     given_on=today - timedelta(days=40), form="written",
                                                     recorded_by_id=caseworker.id))
        consent_rules.refresh_flags(case, today)
        if submitted_at is None:
            continue
        case.transitions.append(CaseTransition(from_status="concept", to_status="submitted", actor_id=caseworker.id,
                                               at=submitted_at))
        case.events.append(CaseEvent(at=submitted_at, actor_id=caseworker.id, kind="transition:submit"))
        reached = status if status in flow else ("screening" if status == "paused" else "submitted")
        moment = submitted_at
        previous = "submitted"
        for step in flow[1:flow.index(reached) + 1] if reached in flow else []:
            moment += timedelta(days=2)
            case.transitions.append(CaseTransition(from_status=previous, to_status=step, actor_id=region_chair.id,
                                                   at=moment, reason="Besproken in het intakeoverleg"
                                                   if step == "screening" else None))
            if step == "intake":
                case.intake_at = moment
            previous = step
        if reached in ("screening", "process_direction"):
            case.process_director_id = director.id
            case.participants.append(CaseParticipant(role="ret_member", user_id=director.id,
                                                     invited_by_id=region_chair.id))
            case.intake_decision_reason = "Complexe vraag over meerdere leefgebieden"
        if status == "returned_with_advice":
            case.advice = ADVICE_DEMO
            case.transitions.append(CaseTransition(from_status="submitted", to_status="returned_with_advice",
                                                   actor_id=region_chair.id, at=submitted_at + timedelta(days=3),
                                                   reason=ADVICE_DEMO))
        if status == "paused":
            case.status_before_pause = "screening"
            case.process_director_id = director.id
            pause_start = today - timedelta(days=6)
            case.pauses.append(CasePause(start=pause_start, reason="Het gezin vraagt twee weken bedenktijd.",
                                         started_by_id=region_chair.id))
            case.transitions.append(CaseTransition(from_status="screening", to_status="paused", actor_id=region_chair.id,
                                                   at=datetime.combine(pause_start, time(10), tzinfo=timezone.utc),
                                                   reason="Het gezin vraagt twee weken bedenktijd."))
        if status in ("screening", "process_direction"):
            provider = organisations[provider_name]
            case.participants.append(CaseParticipant(role="provider", organisation_id=provider.id,
                                                     invited_by_id=director.id))
            screening = Screening(case_id=case.id, youth_view="Ik wil gewoon weer naar school en rust thuis.",
                                  family_view="We willen hulp die blijft, niet steeds nieuwe gezichten.")
            db.session.add(screening)
            db.session.flush()
            notes = {"safety": (3, "Wegloopgedrag, veiligheid thuis onder druk."),
                     "mental_health": (3, "Stemmingsklachten en angst; geen lopende behandeling."),
                     "education": (2, "Verzuim; school wil meedenken over een maatwerktraject.")}
            for domain, (severity, text) in notes.items():
                screening.contributions.append(ScreeningContribution(
                    author_id=director.id, organisation_id=director.organisation_id, domain=domain,
                    severity=severity, notes=text, sources="Gesprek met gezin en school"))
            provider_member = users[provider_member_email]
            screening.contributions.append(ScreeningContribution(
                author_id=provider_member.id, organisation_id=provider_member.organisation_id, domain="parenting",
                severity=2, notes="Moeder is overbelast; steun in het netwerk ontbreekt.", sources="Intake aanbieder"))
            if status == "process_direction":
                screening.analysis, screening.advice = SCREENING_TEXTS.get(key, SCREENING_TEXTS["direction"])
                screening.finalised_at = datetime.combine(today - timedelta(days=10), time(15), tzinfo=timezone.utc)
                screening.finalised_by_id = director.id
    db.session.flush()
    return len(DEMO_CASES)


# --- demo RET sessions: one finished with approved minutes, one planned --------------------------

def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(timezone.utc)


def seed_meetings(users: dict, organisations: dict, cases: dict, today: date) -> int:
    """A session held a week ago (minutes approved, with a binding decision, one "onder voorbehoud"
    waiting for the municipality, a placement review and actions) and one planned next week."""
    from ret_app.meetings import minutes, planning
    from ret_app.models import (
        CaseAction, CaseEvent, Decision, Meeting, MeetingAttendance, MeetingItem, MinutesAddendum,
    )

    chair = users["voorzitter@mijov.example"]
    member = users["retlid@mijov.example"]
    scientist = users["gedragswetenschapper@mijov.example"]
    apeldoorn = users["toegang.apeldoorn@mijov.example"]
    epe = users["toegang.epe@mijov.example"]
    provider = organisations["Jeugdzorg De Bolder (demo)"]
    held_on = today - timedelta(days=7)
    while held_on.weekday() >= 5:
        held_on -= timedelta(days=1)
    start = _at(held_on, 13, 30)
    finished = Meeting(region_id=chair.organisation.region_id, chair_id=chair.id, created_by_id=chair.id,
                       starts_at=start, duration_minutes=90, location="Gemeentehuis Apeldoorn, zaal 3 (demo)",
                       status="approved", started_at=start, closed_at=start + timedelta(minutes=80),
                       approved_at=start + timedelta(days=1), approved_by_id=chair.id)
    db.session.add(finished)
    direction = MeetingItem(case=cases["direction"], purpose="progress", position=1, added_by_id=chair.id,
                            started_at=start + timedelta(minutes=5), ended_at=start + timedelta(minutes=40),
                            seconds_spent=35 * 60,
                            notes="Het maatwerkarrangement LVB + psychiatrie is uitgewerkt met De Bolder en de "
                                  "KJP-aanbieder. De toegangsmedewerker van Epe is aanwezig, maar haar mandaat is "
                                  "verlopen; het besluit gaat onder voorbehoud naar de gemeente.")
    placement = MeetingItem(case=cases["screening"], purpose="placement_review", position=2, added_by_id=chair.id,
                            started_at=start + timedelta(minutes=40), ended_at=start + timedelta(minutes=75),
                            seconds_spent=35 * 60,
                            notes="Voorgenomen uithuisplaatsing besproken met moeder en Sara. Alternatieven "
                                  "gewogen; de gedragswetenschapper adviseert intensieve behandeling thuis.")
    finished.items.extend([direction, placement])
    db.session.flush()
    planning.sync_invitations(finished, chair)
    for user in (chair, member, scientist, apeldoorn, epe):
        finished.attendances.append(MeetingAttendance(user_id=user.id, present=True, recorded_by_id=chair.id,
                                                      checked_in_at=start))
    mandate_apeldoorn = db.session.scalar(select(Mandate).where(
        Mandate.holder_id == apeldoorn.id, Mandate.municipality_id == cases["screening"].municipality_id))
    decided = start + timedelta(minutes=30)
    db.session.add_all([
        Decision(item=direction, case=cases["direction"], municipality_id=cases["direction"].municipality_id,
                 kind="commits_help", care_type="custom_arrangement", provider_id=provider.id,
                 amount_eur=Decimal("38500.00"), status="provisional", mandate_finding="not_valid_on_date",
                 text="Maatwerkarrangement: dagprogramma bij De Bolder met behandeling door de KJP-aanbieder, "
                      "voor een jaar.",
                 submission_key="demo-decision-1", recorded_by_id=chair.id, recorded_at=decided),
        Decision(item=placement, case=cases["screening"], municipality_id=cases["screening"].municipality_id,
                 kind="commits_help", care_type="intensive_family_treatment", provider_id=provider.id,
                 amount_eur=Decimal("28500.00"), status="binding", mandate_id=mandate_apeldoorn.id,
                 mandate_finding="covered",
                 text="Intensieve ambulante gezinsbehandeling, vier dagdelen per week, met crisisplek achter de hand.",
                 alternatives_considered="Gezinshuis, logeeropvang in het weekend, intensieve behandeling thuis.",
                 behavioural_scientist_name=scientist.name, behavioural_scientist_role="GZ-psycholoog, RET",
                 behavioural_scientist_judgement="Sara is thuis veilig genoeg met dagelijkse behandeling en een "
                                                 "vaste crisisplek; een plaatsing zou de band met moeder en school "
                                                 "breken.",
                 placement_outcome="prevented",
                 placement_alternative="Intensieve ambulante gezinsbehandeling thuis.",
                 submission_key="demo-decision-2", recorded_by_id=chair.id, recorded_at=decided + timedelta(minutes=40)),
        CaseAction(case=cases["direction"], item=direction, description="Mandaat Epe laten verlengen en het "
                   "besluit ter bevestiging voorleggen aan de gemeente.", owner_user_id=epe.id,
                   due_date=held_on + timedelta(days=5), submission_key="demo-action-1", created_by_id=chair.id,
                   created_at=decided),
        CaseAction(case=cases["direction"], item=direction, description="Startdatum dagprogramma afstemmen met "
                   "gezin en school.", owner_organisation_id=provider.id, due_date=today + timedelta(days=10),
                   submission_key="demo-action-2", created_by_id=chair.id, created_at=decided),
        CaseAction(case=cases["screening"], item=placement, description="Crisisplek vastleggen en het "
                   "veiligheidsplan met moeder doorlopen.", owner_user_id=apeldoorn.id,
                   due_date=today + timedelta(days=3), submission_key="demo-action-3", created_by_id=chair.id,
                   created_at=decided),
        MinutesAddendum(meeting=finished, item=placement, author_id=chair.id, created_at=start + timedelta(days=2),
                        text="Correctie: de crisisplek is bij De Bolder, niet bij de KJP-aanbieder."),
    ])
    for item in (direction, placement):
        db.session.add(CaseEvent(case_id=item.case.id, at=decided, actor_id=chair.id, kind="session_decision"))
    db.session.flush()
    db.session.expire(finished, ["items"])
    finished.approved_state = minutes.approved_snapshot(finished)  # as the chair approved them

    next_on = today + timedelta(days=5)
    while next_on.weekday() >= 5:
        next_on += timedelta(days=1)
    planned = Meeting(region_id=chair.organisation.region_id, chair_id=chair.id, created_by_id=chair.id,
                      starts_at=_at(next_on, 13, 30), duration_minutes=120, location="Online (demo)",
                      online_url="https://vergaderen.example/ret-mijov", status="planned")
    db.session.add(planned)
    for position, (key, purpose) in enumerate([("waiting", "intake"), ("paused", "progress"),
                                               ("direction", "progress")], start=1):
        planned.items.append(MeetingItem(case=cases[key], purpose=purpose, position=position, added_by_id=chair.id))
    db.session.flush()
    planning.sync_invitations(planned, chair)
    db.session.flush()
    return 2


def seed_dext_session(users: dict, cases: dict, today: date) -> int:
    """The Drentse Experttafel's session of three weeks ago (minutes approved): Fenna's, Sem's and Milan's
    cases discussed, each with the conclusion to escalate to JENN that the escalations carry on."""
    from ret_app.meetings import minutes, planning
    from ret_app.models import CaseEvent, Meeting, MeetingAttendance, MeetingItem

    chair, member, caseworker = (users[e] for e in ("voorzitter@drenthe.example", "retlid@drenthe.example",
                                                    "toegang.assen@drenthe.example"))
    held_on = _backdate(today, 15).date()
    start = _at(held_on, 9, 30)
    meeting = Meeting(region_id=chair.organisation.region_id, chair_id=chair.id, created_by_id=chair.id,
                      starts_at=start, duration_minutes=90, location="Provinciehuis Assen, zaal 2 (demo)",
                      status="approved", started_at=start, closed_at=start + timedelta(minutes=85),
                      approved_at=start + timedelta(days=1), approved_by_id=chair.id)
    db.session.add(meeting)
    agenda = [
        ("tynaarlo", "De kinderarts en de jeugd-ggz zijn samen aan tafel geweest; niemand in Drenthe kent de "
                     "combinatie. Besloten: advies vragen aan JENN."),
        ("coevorden", "Geen gezinshuisplek met behandeling in Zuid-Drenthe; het pleeggezin houdt het nog vier weken "
                      "vol. Besloten: JENN vragen mee te zoeken, en in de regio blijven zoeken."),
        ("hoogeveen", "Drie afwijzingen door Drentse aanbieders. Besloten: opschalen naar JENN voor een behandelplek "
                      "buiten de regio zodra de screening rond is."),
    ]
    for position, (key, notes) in enumerate(agenda, start=1):
        began = start + timedelta(minutes=5 + 25 * (position - 1))
        meeting.items.append(MeetingItem(case=cases[key], purpose="progress", position=position, added_by_id=chair.id,
                                         started_at=began, ended_at=began + timedelta(minutes=25),
                                         seconds_spent=25 * 60, notes=notes))
        db.session.add(CaseEvent(case_id=cases[key].id, at=start - timedelta(days=7), actor_id=chair.id,
                                 kind="session_planned"))
    db.session.flush()
    planning.sync_invitations(meeting, chair)
    for user in (chair, member, caseworker):
        meeting.attendances.append(MeetingAttendance(user_id=user.id, present=True, recorded_by_id=chair.id,
                                                     checked_in_at=start))
    db.session.flush()
    db.session.expire(meeting, ["items"])
    meeting.approved_state = minutes.approved_snapshot(meeting)  # as the chair approved them
    return 1


# --- the HSWV collective: provider profiles and the capacity register ------------------------------

# organisation -> (summary, expertise areas, care types offered, ages, crisis (hours, phone) or None,
#                  contact persons (name, role, phone, e-mail))
PROVIDER_PROFILES = {
    "Jeugdzorg De Bolder (demo)": (
        "Jeugd- en opvoedhulp voor gezinnen met meervoudige problemen: ambulant, dagbehandeling en wonen in kleine "
        "groepen en gezinshuizen, ook als driemilieuvoorziening (wonen, school en behandeling op één terrein).",
        ["parenting_support", "intellectual_disability", "trauma", "three_milieu"],
        ["ambulatory", "day_treatment", "residential", "family_home"], (0, 23),
        ("Op werkdagen van 8.00 tot 22.00 uur; daarbuiten via de regionale crisisdienst", "055 000 11 22"),
        [("Marieke Dijkstra", "Aanmeldcoördinator", "055 000 11 20", "aanmelden@debolder.example"),
         ("Hans Kuipers", "Gedragswetenschapper", "055 000 11 21", "")]),
    "Kinder- en Jeugdpsychiatrie Rivierland (demo)": (
        "Specialistische jeugd-ggz: diagnostiek en behandeling, intensieve behandeling thuis (IHT) en een "
        "crisisdienst die dag en nacht bereikbaar is, ook als achtervang voor een andere aanbieder.",
        ["youth_mental_health", "eating_disorders", "trauma", "autism", "intensive_home_treatment"],
        ["youth_mental_health", "crisis", "day_treatment"], (4, 18),
        ("24 uur per dag, 7 dagen per week", "026 000 33 44"),
        [("Sofie Willemsen", "Kinder- en jeugdpsychiater", "026 000 33 40", "s.willemsen@kjp-rivierland.example"),
         ("Ahmed Benali", "Coördinator crisisdienst", "026 000 33 41", "crisis@kjp-rivierland.example")]),
    "Orthopedagogisch Centrum Veluwezoom (demo)": (
        "Behandeling en wonen voor jeugdigen met een licht verstandelijke beperking en gedragsproblemen, met een "
        "eigen school voor speciaal onderwijs.",
        ["intellectual_disability", "autism", "three_milieu"], ["intellectual_disability", "residential",
                                                               "education_care"], (6, 23), None,
        [("Karin Bosman", "Teamleider aanmeldingen", "0313 000 555", "aanmelden@veluwezoom.example")]),
    "Jeugdhulp Kennemerduin (demo)": (
        "Ambulante hulp en verblijf voor jongeren van 12 tot 23 jaar, ook bij verslaving en na trauma.",
        ["parenting_support", "addiction", "trauma"], ["ambulatory", "residential"], (12, 23), None,
        [("Ellen Jacobs", "Zorgbemiddelaar", "023 000 77 88", "zorgbemiddeling@kennemerduin.example")]),
    "Jeugdhulp Hunzedal (demo)": (
        "Jeugd- en opvoedhulp in heel Drenthe: ambulante gezinsbehandeling, gezinshuizen en logeeropvang, ook voor "
        "jeugdigen met een licht verstandelijke beperking.",
        ["parenting_support", "intellectual_disability", "trauma"],
        ["ambulatory", "intensive_family_treatment", "family_home", "respite_care"], (0, 21),
        ("Op werkdagen van 8.00 tot 20.00 uur; daarbuiten via de regionale crisisdienst", "0592 000 12 34"),
        [("Margriet Haveman", "Aanmeldcoördinator", "0592 000 12 30", "aanmelden@hunzedal.example")]),
    "Jeugd-ggz Esmaborg (demo)": (
        "Specialistische jeugd-ggz in Zuidoost-Drenthe: diagnostiek, traumabehandeling en dagbehandeling, met een "
        "team voor behandeling aan huis.",
        ["youth_mental_health", "trauma", "autism", "intensive_home_treatment"],
        ["youth_mental_health", "day_treatment", "crisis"], (4, 18),
        ("24 uur per dag, 7 dagen per week", "0591 000 56 78"),
        [("Dirk Zandstra", "Kinder- en jeugdpsychiater", "0591 000 56 70", "d.zandstra@esmaborg.example"),
         ("Nienke Smeenge", "Zorgbemiddelaar", "0591 000 56 71", "zorgbemiddeling@esmaborg.example")]),
}

# organisation -> care type -> the updates as the provider's member gave them, oldest first:
# (days ago, places now, expected places, expected that many days after the update, waiting weeks, note).
# The last update makes
# the entry fresh or (14 days or more ago) stale; a care type offered without updates was never filled in.
CAPACITY_UPDATES = {
    "Jeugdzorg De Bolder (demo)": {
        "ambulatory": [(20, 1, None, None, 6, ""), (2, 4, None, None, 3, "")],
        "day_treatment": [(5, 0, 2, 21, 8, "Twee plaatsen na de zomervakantie.")],
        "residential": [(33, 2, None, None, 10, ""), (19, 1, None, None, 12, "Alleen jongens van 12 tot 17 jaar.")],
    },
    "Kinder- en Jeugdpsychiatrie Rivierland (demo)": {
        "youth_mental_health": [(40, 1, None, None, 12, ""), (16, 0, 1, 30, 14, ""),
                                (0, 0, 1, 14, 16, "IHT-team vol; één plaats verwacht.")],
        "crisis": [(1, 1, None, None, 0, "Eén crisisbed; achtervang 24/7 via de crisislijn.")],
        "day_treatment": [(15, 2, None, None, 6, "")],
    },
    "Jeugdhulp Kennemerduin (demo)": {
        "ambulatory": [(3, 3, None, None, 4, "")],
        "residential": [(22, 0, None, None, 20, "Wachtlijst voor de groep 16+.")],
    },
    "Jeugdhulp Hunzedal (demo)": {
        "ambulatory": [(4, 5, None, None, 2, "")],
        "family_home": [(30, 1, None, None, 6, ""), (18, 0, 1, 40, 10, "Nieuw gezinshuis in Emmen vanaf het najaar.")],
    },
    "Jeugd-ggz Esmaborg (demo)": {
        "youth_mental_health": [(9, 0, 2, 28, 20, "Wachtlijst traumabehandeling; IHT-team heeft ruimte.")],
        "crisis": [(2, 1, None, None, 0, "")],
    },
}

# Who of each provider keeps its profile and capacity (a provider without a demo account: nobody yet).
PROVIDER_KEEPERS = {
    "Jeugdzorg De Bolder (demo)": "aanbieder@mijov.example",
    "Kinder- en Jeugdpsychiatrie Rivierland (demo)": "aanbieder.kjp@mijov.example",
    "Jeugdhulp Kennemerduin (demo)": "aanbieder@ijzk.example",
    "Jeugdhulp Hunzedal (demo)": "aanbieder@drenthe.example",
    "Jeugd-ggz Esmaborg (demo)": "aanbieder.ggz@drenthe.example",
}


def seed_collective(users: dict, organisations: dict, today: date) -> int:
    """Profiles for the collective's providers and their capacity entries, fresh and stale, each with
    its history (Veluwezoom has filled in no capacity yet)."""
    from ret_app.models import (
        CapacityEntry, CapacityUpdate, ProviderCareType, ProviderContact, ProviderExpertise, ProviderProfile,
    )

    for name, (summary, expertise, care_types, (low, high), crisis, contacts) in PROVIDER_PROFILES.items():
        org = organisations[name]
        keeper = users.get(PROVIDER_KEEPERS.get(name, ""))
        profile = ProviderProfile(
            organisation_id=org.id, summary=summary, min_age=low, max_age=high, crisis_available=crisis is not None,
            crisis_hours=crisis[0] if crisis else "", crisis_phone=crisis[1] if crisis else "",
            updated_at=_at(today - timedelta(days=30), 11), updated_by_id=keeper.id if keeper else None,
            expertise=[ProviderExpertise(area=area) for area in expertise],
            care_types=[ProviderCareType(care_type=code) for code in care_types],
            contacts=[ProviderContact(name=c[0], role=c[1], phone=c[2], email=c[3], position=position)
                      for position, c in enumerate(contacts, start=1)])
        db.session.add(profile)
        for care_type, updates in CAPACITY_UPDATES.get(name, {}).items():
            entry = CapacityEntry(organisation_id=org.id, care_type=care_type)
            for days_ago, places, expected, expected_in, weeks, note in updates:
                moment = _at(today - timedelta(days=days_ago), 9 + days_ago % 7, 15)
                values = dict(places_available=places, expected_places=expected,
                              expected_on=(today - timedelta(days=days_ago - expected_in)
                                           if expected_in is not None else None),
                              waiting_weeks=weeks, note=note)
                entry.history.append(CapacityUpdate(recorded_at=moment, recorded_by_id=keeper.id, **values))
                for key, value in values.items():
                    setattr(entry, key, value)
                entry.updated_at, entry.updated_by_id = moment, keeper.id
            db.session.add(entry)
    db.session.flush()
    return len(PROVIDER_PROFILES)
# --- demo plans: goals in the families' words, agreed versions, review moments, fitting help ---------

def seed_plans(users: dict, organisations: dict, cases: dict, today: date) -> None:
    """Finn's plan: version 1 agreed after last week's session (from its decision), a goal added since
    (a draft with changes), the first review moment planned. Lieke's plan: two agreed versions,
    fitting help started twelve days ago (so her case is in monitoring), a review held with the
    family's own judgement and the next one planned."""
    from ret_app.models import CaseEvent, CaseTransition, Decision, Plan, PlanGoal, PlanReview, PlanVersion
    from ret_app.plans.services import snapshot

    director = users["retlid@mijov.example"]
    bolder = organisations["Jeugdzorg De Bolder (demo)"]
    kjp = organisations["Kinder- en Jeugdpsychiatrie Rivierland (demo)"]

    def agree(plan: Plan, number: int, at: datetime, decision=None) -> None:
        db.session.flush()
        plan.versions.append(PlanVersion(number=number, agreed_by_id=director.id, agreed_at=at,
                                         decision_id=decision.id if decision else None, content=snapshot(plan)))
        plan.agreed_number = number
        plan.changed_since_agreed = False
        db.session.add(CaseEvent(case_id=plan.case_id, at=at, actor_id=director.id, kind="plan_agreed"))

    # Finn (process direction): version 1 from the session's decision, then a goal of his father's added.
    finn = cases["direction"]
    decision = db.session.scalar(select(Decision).where(Decision.submission_key == "demo-decision-1"))
    agreed_at = _at(today - timedelta(days=6), 10, 15)
    plan = Plan(case_id=finn.id, changed_at=agreed_at, changed_by_id=director.id)
    db.session.add(plan)
    plan.goals.extend([
        PlanGoal(position=1, voiced_by="youth", status="open", care_type="custom_arrangement", provider=bolder,
                 intended_start=today + timedelta(days=14),
                 text="Ik wil overdag iets doen waar ik goed in ben, met jongens van mijn leeftijd."),
        PlanGoal(position=2, voiced_by="parents", status="open", care_type="youth_mental_health", provider=kjp,
                 intended_start=today + timedelta(days=14),
                 text="Ik wil dat Finn hulp krijgt bij zijn sombere buien, op een manier die hij snapt."),
    ])
    agree(plan, 1, agreed_at, decision)
    plan.goals.append(PlanGoal(position=3, voiced_by="parents", status="open", care_type="ambulatory",
                               provider_name="Wijkteam Epe (demo)", intended_start=today + timedelta(days=7),
                               text="Als vader wil ik weten wat ik thuis kan doen als Finn vastloopt."))
    plan.changed_at, plan.changed_since_agreed = _at(today - timedelta(days=2), 16), True
    plan.reviews.append(PlanReview(planned_on=today + timedelta(days=28), planned_by_id=director.id))

    # Lieke (monitoring): two agreed versions, fitting help started, one review held, the next planned.
    lieke = cases["monitoring"]
    started = today - timedelta(days=12)
    plan = Plan(case_id=lieke.id)
    db.session.add(plan)
    eating = PlanGoal(position=1, voiced_by="youth", status="open", care_type="youth_mental_health",
                      text="Ik wil weer gewoon kunnen eten zonder dat het de hele dag in mijn hoofd zit.")
    table = PlanGoal(position=2, voiced_by="parents", status="open", care_type="ambulatory",
                     text="Wij willen weten hoe we Lieke aan tafel helpen zonder dat het elke keer ruzie wordt.")
    plan.goals.extend([eating, table])
    agree(plan, 1, _at(today - timedelta(days=30), 11))
    eating.provider, eating.intended_start = kjp, started
    table.provider, table.intended_start = bolder, started
    plan.goals.append(PlanGoal(position=3, voiced_by="youth", status="open", care_type="education_care",
                               provider_name="Scholengemeenschap Zutphen (demo)", intended_start=today + timedelta(days=10),
                               text="Ik wil weer naar school, eerst halve dagen."))
    agree(plan, 2, _at(today - timedelta(days=16), 14))
    what = ("Dagbehandeling eetstoornissen bij Kinder- en Jeugdpsychiatrie Rivierland, drie dagen per week; "
            "gezinsgesprekken bij Jeugdzorg De Bolder.")
    recorded = _at(started, 16)
    lieke.fitting_help_started_on = started
    plan.fitting_help_what, plan.fitting_help_recorded_by_id, plan.fitting_help_recorded_at = what, director.id, recorded
    lieke.status = "monitoring"
    lieke.transitions.append(CaseTransition(from_status="process_direction", to_status="monitoring",
                                            actor_id=director.id, at=recorded))
    db.session.add_all([
        CaseEvent(case_id=lieke.id, at=recorded, actor_id=director.id, kind="fitting_help_started", summary=what),
        CaseEvent(case_id=lieke.id, at=recorded, actor_id=director.id, kind="transition:start_monitoring"),
    ])
    held = today - timedelta(days=3)
    plan.reviews.extend([
        PlanReview(planned_on=today - timedelta(days=4), planned_by_id=director.id, held_on=held, help_fits="partly",
                   own_judgement="Lieke: 'Het is zwaar, maar ik voel me serieus genomen.' Moeder: 'Eindelijk hulp die "
                                 "ons ook meeneemt.'",
                   what_changes="School wordt erbij betrokken: vanaf volgende maand halve dagen, afgestemd met de "
                                "behandelaar.",
                   recorded_by_id=director.id, recorded_at=_at(held, 15)),
        PlanReview(planned_on=today + timedelta(days=25), planned_by_id=director.id),
    ])
    db.session.add(CaseEvent(case_id=lieke.id, at=_at(held, 15), actor_id=director.id, kind="plan_review_held"))
    db.session.flush()


# --- outcomes ------------------------------------------------------------------------------------------

def seed_outcomes(users: dict, organisations: dict, cases: dict) -> int:
    """Outcomes of the two cases the RET can close now, recorded by their process directors through the
    service (the audit trail and the timeline show it): Lieke (monitoring) got fitting help in the region
    and a bridge outside it via BOEG, after a waiting list; Sem (process direction, placement intended)
    moved from his foster family to a family home with treatment, after the region's family homes were
    full. Each names the gaps met, so that the gap taxonomy has data from the start."""
    from ret_app.models import GapCategory
    from ret_app.outcomes import services as outcomes

    def category(case, code: str) -> str:
        return str(db.session.scalar(select(GapCategory.id).where(GapCategory.region_id == case.region_id,
                                                                   GapCategory.code == code)))

    lieke, sem = cases["monitoring"], cases["coevorden"]
    kjp = organisations["Kinder- en Jeugdpsychiatrie Rivierland (demo)"]
    bolder = organisations["Jeugdzorg De Bolder (demo)"]
    outcomes.record(lieke, users["retlid@mijov.example"], {
        "result": "realised",
        "help": [
            {"care_type": "day_treatment", "organisation_id": kjp.id},
            {"care_type": "ambulatory", "organisation_id": bolder.id},
            {"care_type": "day_treatment", "provider_name": "Dagbehandeling eetstoornissen Arnhem (demo)",
             "inside_region": False, "via_network": True},
        ],
        "gaps": [
            {"category": category(lieke, "no_place_best_fit"), "care_type": "youth_mental_health",
             "note": "De gespecialiseerde eetstoorniszorg in de regio had een wachtlijst van zes maanden."},
            {"category": category(lieke, "need_changed_while_waiting"), "care_type": "education_care",
             "note": "Tijdens het wachten viel school weg; er was ook een onderwijs-zorgarrangement nodig."},
        ],
        "lessons": "Bij eetproblemen met een lange wachtlijst meteen het netwerk om overbrugging vragen: dat "
                   "werkte binnen twee weken.",
    })
    outcomes.record(sem, users["retlid@drenthe.example"], {
        "result": "realised", "placement_result": "carried_out",
        "placement_note": "Van het pleeggezin naar een gezinshuis met behandeling in Zuid-Drenthe, dicht bij moeder.",
        "help": [{"care_type": "family_home", "provider_name": "Gezinshuis met behandeling Zuid-Drenthe (demo)",
                  "inside_region": True}],
        "gaps": [
            {"category": category(sem, "no_living_place"), "care_type": "family_home",
             "note": "De gezinshuizen in Zuid-Drenthe zaten vol; een plek kwam pas na weken vrij."},
            {"category": category(sem, "crisis_availability"), "care_type": "crisis",
             "note": "Geen crisisplek voor de overbrugging toen het pleeggezin stopte."},
        ],
        "lessons": "Een gezinshuis met behandeling eerder aanvragen, nog voordat het pleeggezin op is.",
    })
    return 2


# --- requests to providers of the collective and commitments -----------------------------------------

def seed_commitments(users: dict, organisations: dict, cases: dict, today: date) -> int:
    """Requests in every state on the two cases with collective consent: Finn (process direction) has a
    lead provider that started, a decline (not our expertise), a crisis back-up standing by (the youth
    mental health provider, as in seed 004's example) and a consultation past its reply-by date; Sara
    (screening) has an open request for a place to stay, a withdrawn one and an ended consultation."""
    from ret_app.cases import clock
    from ret_app.models import CaseParticipant, ProviderRequest

    director = users["retlid@mijov.example"]
    bolder = organisations["Jeugdzorg De Bolder (demo)"]
    kjp = organisations["Kinder- en Jeugdpsychiatrie Rivierland (demo)"]
    veluwezoom = organisations["Orthopedagogisch Centrum Veluwezoom (demo)"]
    member = {bolder.id: users["aanbieder@mijov.example"], kjp.id: users["aanbieder.kjp@mijov.example"]}
    now = utcnow()

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    rows = [
        # (case, provider, role, care type, question, asked days ago, status, extra)
        ("direction", veluwezoom, "lead_provider", "intellectual_disability",
         "Kunt u als hoofdaanbieder een dagprogramma met behandeling bieden (LVB en psychiatrie samen)?", 12,
         "started", {"contact_name": "Karin Bosman, 0313 000 555", "intended_start": ago(5), "started_on": ago(4)}),
        ("direction", bolder, "co_provider", "day_treatment",
         "Kunt u naast het dagprogramma gezinsbegeleiding bieden?", 12, "declined",
         {"decline_reason": "not_our_expertise",
          "decline_text": "De combinatie LVB en psychiatrie vraagt een behandelaar die wij niet in huis hebben."}),
        ("direction", kjp, "crisis_backup", "crisis",
         "Wilt u achtervang zijn als de psychiatrische klachten toenemen terwijl het dagprogramma loopt?", 10,
         "accepted", {"contact_name": "Ahmed Benali, crisisdienst", "intended_start": ago(2)}),
        ("direction", kjp, "consultation", "youth_mental_health",
         "Kunt u meedenken over de medicatie?", 8, "requested", {"reply_by": ago(3)}),
        ("screening", bolder, "place_to_stay", "family_home",
         "Heeft u een gezinshuisplek, dicht bij de school van de jeugdige?", 1, "requested", {}),
        ("screening", kjp, "screening", "youth_mental_health",
         "Kunt u deelnemen aan de integrale screening?", 9, "withdrawn",
         {"withdraw_text": "De screening is al met een andere aanbieder gestart."}),
        ("screening", kjp, "consultation", "youth_mental_health",
         "Kunt u een consult geven over de stemmingsklachten?", 20, "ended",
         {"contact_name": "Sofie Willemsen", "intended_start": ago(18), "started_on": ago(17), "ended_on": ago(10)}),
    ]
    for index, (case_key, provider, role, care_type, question, asked, status, extra) in enumerate(rows):
        case = cases[case_key]
        asked_on = ago(asked)
        reply_days = 1 if case.urgency == "crisis" else 3
        request = ProviderRequest(
            case_id=case.id, organisation_id=provider.id, role=role, care_type=care_type, question=question,
            reply_by=extra.pop("reply_by", clock.add_working_days(asked_on, reply_days, clock.DEFAULT_CALENDAR)),
            status=status, requested_by_id=director.id, submission_key=f"demo-request-{index}",
            requested_at=datetime.combine(asked_on, time(10), tzinfo=timezone.utc), **extra)
        if status in ("accepted", "started", "ended", "declined"):
            request.answered_at = now - timedelta(days=max(asked - 1, 0))
            request.answered_by_id = member[provider.id].id if provider.id in member else None
            request.answer_key = f"demo-answer-{index}"
        if status == "withdrawn":
            request.withdrawn_at, request.withdrawn_by_id = now - timedelta(days=asked - 2), director.id
        db.session.add(request)
        if status in ("accepted", "started") and not any(p.organisation_id == provider.id and p.removed_at is None
                                                         for p in case.participants):
            case.participants.append(CaseParticipant(role="provider", organisation_id=provider.id,
                                                     invited_by_id=director.id))
    db.session.flush()
    return len(rows)


def seed_escalations(users: dict, organisations: dict, cases: dict, today: date) -> int:
    """Escalations to both regions' networks in several states: Finn's to BOEG in progress, with a
    network process director and a question the RET answered, past its expected answer date (the
    watchdog's example); Lieke's to BOEG closed with advice; Jesse's declined by BOEG; Sara's a draft
    the process director prepared (her network consent is missing: the form says so); Yusuf's to BEN NH
    just sent, waiting for its answer; Drenthe's to JENN (_jenn_escalations)."""
    from ret_app.cases import clock
    from ret_app.models import (
        Escalation, EscalationMessage, EscalationReminder, EscalationStep, EscalationTried, PriorHelp, ProviderRequest,
    )

    mijov_chair, director = users["voorzitter@mijov.example"], users["retlid@mijov.example"]
    boeg = users["boeg@mijov.example"]
    ijzk_chair = users["voorzitter@ijzk.example"]

    def moment(working_days_ago: int, hour: int = 10) -> datetime:
        return _not_after_now(_backdate(today, working_days_ago).replace(hour=hour))

    def expected(sent_days_ago: int, days: int = 10) -> date:
        sent = _backdate(today, sent_days_ago).date()
        return clock.add_working_days(sent, days, clock.DEFAULT_CALENDAR)

    def tried(case) -> list:
        items = [EscalationTried(kind="prior_help", object_id=h.id) for h in case.prior_help]
        for request in db.session.scalars(select(ProviderRequest).where(ProviderRequest.case_id == case.id,
                                                                         ProviderRequest.status == "declined")):
            items.append(EscalationTried(kind="provider_request", object_id=request.id))
        return items

    def steps(escalation, path: list) -> None:
        for name, source, target, actor, days_ago, reason in path:
            escalation.steps.append(EscalationStep(name=name, from_status=source, to_status=target, actor_id=actor.id,
                                                   at=moment(days_ago), reason=reason))

    db.session.flush()
    finn, lieke, jesse, sara, yusuf = (cases[k] for k in ("direction", "monitoring", "paused", "screening", "haarlem"))
    for case in (finn, lieke, jesse):
        db.session.refresh(case, ["prior_help"])
    rows = []
    # Finn (BOEG): in progress, past its expected date.
    e = Escalation(case_id=finn.id, network_id=finn.region.network_id, status="in_progress",
                   why_exhausted="Geen aanbieder in de regio biedt LVB en psychiatrie samen aan; het dagprogramma "
                                 "dekt de behandeling niet.",
                   question_kind="network_director", question="Kan het netwerk een procesregisseur inzetten om "
                   "bovenregionaal een behandelplek voor LVB en psychiatrie te vinden?", urgency="urgent",
                   expected_answer_date=expected(15), created_by_id=director.id, created_at=moment(16),
                   sent_at=moment(15), sent_by_id=mijov_chair.id, network_director_name="Hanneke Prins",
                   network_director_organisation="BOEG procesregie (demo)", submission_key="demo-escalation-finn")
    e.tried = tried(finn)
    steps(e, [("send", "draft", "sent", mijov_chair, 15, ""), ("accept", "sent", "accepted", boeg, 13, ""),
              ("start", "accepted", "in_progress", boeg, 12, "")])
    question = EscalationMessage(side="network", kind="question", author_id=boeg.id, at=moment(11),
                                 text="Is Finn bereid een paar dagen per week buiten de regio naar een dagbehandeling "
                                      "te gaan?", submission_key="demo-escalation-finn-q")
    e.messages.append(question)
    e.reminders.append(EscalationReminder(sent_by_id=mijov_chair.id, at=moment(0, 9), submission_key="demo-reminder-finn",
                                          note="Het antwoord is over de verwachte datum; graag een stand van zaken."))
    rows.append(e)
    db.session.add(e)
    db.session.flush()
    e.messages.append(EscalationMessage(side="ret", kind="reply", author_id=director.id, at=moment(10),
                                        reply_to_id=question.id, submission_key="demo-escalation-finn-r",
                                        text="Ja, met vervoer; vader kan hem twee dagen per week brengen."))
    # Lieke (BOEG): closed with advice.
    e = Escalation(case_id=lieke.id, network_id=lieke.region.network_id, status="closed",
                   why_exhausted="De gespecialiseerde eetstoorniszorg heeft een wachtlijst van zes maanden.",
                   question_kind="consultation", question="Welke overbruggingszorg adviseert het netwerk?",
                   urgency="urgent", expected_answer_date=expected(40), created_by_id=mijov_chair.id,
                   created_at=moment(41), sent_at=moment(40), sent_by_id=mijov_chair.id, result="advice_given",
                   result_text="Advies opgevolgd: overbrugging met een bovenregionale dagbehandeling.",
                   submission_key="demo-escalation-lieke")
    e.tried = tried(lieke)
    steps(e, [("send", "draft", "sent", mijov_chair, 40, ""), ("accept", "sent", "accepted", boeg, 39, ""),
              ("start", "accepted", "in_progress", boeg, 38, ""), ("answer", "in_progress", "answered", boeg, 34, ""),
              ("close", "answered", "closed", boeg, 30, "")])
    e.messages.append(EscalationMessage(side="network", kind="answer", author_id=boeg.id, at=moment(34),
                                        submission_key="demo-escalation-lieke-a",
                                        text="Advies: overbruggen met de dagbehandeling eetstoornissen in Arnhem "
                                             "(twee dagen per week), met gezinsbegeleiding vanuit de regio."))
    rows.append(e)
    # Jesse (BOEG): declined.
    e = Escalation(case_id=jesse.id, network_id=jesse.region.network_id, status="declined",
                   why_exhausted="De jeugd-GGZ is gestopt; er is geen andere aanbieder voor thuisbehandeling.",
                   question_kind="consultation", question="Kan het netwerk adviseren over behandeling aan huis?",
                   expected_answer_date=expected(18), created_by_id=mijov_chair.id, created_at=moment(19),
                   sent_at=moment(18), sent_by_id=mijov_chair.id, submission_key="demo-escalation-jesse",
                   decline_reason="Deze vraag past bij de regionale jeugd-GGZ; het netwerk ziet geen bovenregionale "
                                  "vraag. Neem contact op met de FACT-jeugd van de regio.")
    e.tried = tried(jesse)
    steps(e, [("send", "draft", "sent", mijov_chair, 18, ""),
              ("decline", "sent", "declined", boeg, 16, e.decline_reason)])
    rows.append(e)
    # Sara (BOEG): a draft of the process director (network consent is missing).
    rows.append(Escalation(case_id=sara.id, network_id=sara.region.network_id, status="draft",
                           why_exhausted="Gezinsbehandeling gestopt; een gesloten plaatsing wil niemand.",
                           question_kind="placement", urgency="urgent", created_by_id=director.id,
                           created_at=moment(1), submission_key="demo-escalation-sara"))
    # Yusuf (BEN NH): sent yesterday, waiting for the answer.
    e = Escalation(case_id=yusuf.id, network_id=yusuf.region.network_id, status="sent",
                   why_exhausted="Alle gezinshuizen in de regio zijn vol en de crisisplaatsing loopt af.",
                   question_kind="placement", question="Kan het netwerk helpen een vervolgplek buiten de regio te "
                   "organiseren?", urgency="crisis", expected_answer_date=expected(1, 5), created_by_id=ijzk_chair.id,
                   created_at=moment(1, 9), sent_at=moment(1), sent_by_id=ijzk_chair.id,
                   submission_key="demo-escalation-yusuf")
    e.tried = [EscalationTried(kind="prior_help", object_id=h.id) for h in
               db.session.scalars(select(PriorHelp).where(PriorHelp.case_id == yusuf.id))]
    steps(e, [("send", "draft", "sent", ijzk_chair, 1, "")])
    rows.append(e)
    rows += _jenn_escalations(users, cases, moment, expected, tried, steps)
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)


def _jenn_escalations(users: dict, cases: dict, moment, expected, tried, steps) -> list:
    """Drenthe's escalations to JENN, in the states the other regions' do not show: Milan's accepted by
    JENN, which asks the RET a question not answered yet (the liaison still has to start it); Fenna's
    answered with advice (the liaison still has to close it with its result); Sem's withdrawn by the
    chair once a place in the region turned up."""
    from ret_app.models import Escalation, EscalationMessage, EscalationTried, Screening

    chair, director, jenn = (users[e] for e in ("voorzitter@drenthe.example", "retlid@drenthe.example",
                                                "jenn@drenthe.example"))
    milan, fenna, sem = (cases[k] for k in ("hoogeveen", "tynaarlo", "coevorden"))
    answer_days = milan.region.network.answer_days
    for case in (milan, fenna, sem):
        db.session.refresh(case, ["prior_help"])
    screenings = dict(db.session.execute(select(Screening.case_id, Screening.id).where(
        Screening.case_id.in_([milan.id, fenna.id, sem.id]))).all())

    def tried_with_screening(case) -> list:
        return tried(case) + [EscalationTried(kind="screening", object_id=screenings[case.id])]

    rows = []
    # Milan (JENN): accepted, with a question of the network the RET has not answered yet.
    e = Escalation(case_id=milan.id, network_id=milan.region.network_id, status="accepted",
                   why_exhausted="Drie Drentse aanbieders hebben Milan afgewezen; geen enkele woonplek in de regio "
                                 "behandelt verslaving en agressie samen.",
                   question_kind="placement", question="Kan JENN helpen een behandelplek met verslavingszorg buiten "
                   "Drenthe te organiseren?", urgency="urgent", expected_answer_date=expected(4, answer_days),
                   created_by_id=director.id, created_at=moment(5), sent_at=moment(4), sent_by_id=chair.id,
                   submission_key="demo-escalation-milan")
    e.tried = tried_with_screening(milan)
    steps(e, [("send", "draft", "sent", chair, 4, ""), ("accept", "sent", "accepted", jenn, 2, "")])
    e.messages.append(EscalationMessage(side="network", kind="question", author_id=jenn.id, at=moment(1, 11),
                                        submission_key="demo-escalation-milan-q",
                                        text="Is Milan bereid buiten Drenthe te wonen, en wat vindt zijn moeder "
                                             "daarvan?"))
    rows.append(e)
    # Fenna (JENN): in progress with a JENN process director, a question answered, then JENN's answer.
    e = Escalation(case_id=fenna.id, network_id=fenna.region.network_id, status="answered",
                   why_exhausted="De kinderarts en de jeugd-ggz verwijzen naar elkaar; niemand in de regio kent de "
                                 "combinatie van deze ziekte met psychische klachten.",
                   question_kind="consultation", question="Welke specialist of aanbieder kan JENN adviseren voor "
                   "behandeling die de ziekte en de psychische klachten samen neemt?",
                   expected_answer_date=expected(12, answer_days), created_by_id=chair.id, created_at=moment(13),
                   sent_at=moment(12), sent_by_id=chair.id, network_director_name="Geertje Bosma",
                   network_director_organisation="JENN procesregie (demo)", submission_key="demo-escalation-fenna")
    e.tried = tried_with_screening(fenna)
    steps(e, [("send", "draft", "sent", chair, 12, ""), ("accept", "sent", "accepted", jenn, 11, ""),
              ("start", "accepted", "in_progress", jenn, 10, ""), ("answer", "in_progress", "answered", jenn, 2, "")])
    question = EscalationMessage(side="network", kind="question", author_id=jenn.id, at=moment(9),
                                 submission_key="demo-escalation-fenna-q",
                                 text="Mogen wij de kinderarts van Fenna rechtstreeks bellen over de diagnose?")
    e.messages.append(question)
    rows.append(e)
    db.session.add(e)
    db.session.flush()
    e.messages.extend([
        EscalationMessage(side="ret", kind="reply", author_id=director.id, at=moment(8), reply_to_id=question.id,
                          submission_key="demo-escalation-fenna-r",
                          text="Ja, de ouders vinden dat goed; de kinderarts weet ervan."),
        EscalationMessage(side="network", kind="answer", author_id=jenn.id, at=moment(2),
                          submission_key="demo-escalation-fenna-a",
                          text="Advies: behandeling bij het expertisecentrum voor kinderen met een chronische "
                               "ziekte in Groningen, met de jeugd-ggz in Drenthe als behandelaar dichtbij huis. "
                               "Onze procesregisseur regelt het eerste overleg."),
    ])
    # Sem (JENN): sent, then withdrawn by the chair.
    reason = "Er is alsnog een gezinshuisplek met behandeling in Zuid-Drenthe gevonden, dicht bij moeder."
    e = Escalation(case_id=sem.id, network_id=sem.region.network_id, status="withdrawn",
                   why_exhausted="De gezinshuizen in Zuid-Drenthe zitten vol en het pleeggezin kan Sem niet langer "
                                 "opvangen.",
                   question_kind="placement", question="Kan JENN helpen een gezinshuis met behandeling te vinden?",
                   expected_answer_date=expected(9, answer_days), created_by_id=chair.id, created_at=moment(10),
                   sent_at=moment(9), sent_by_id=chair.id, withdraw_reason=reason,
                   submission_key="demo-escalation-sem")
    e.tried = tried_with_screening(sem)
    steps(e, [("send", "draft", "sent", chair, 9, ""), ("withdraw", "sent", "withdrawn", chair, 6, reason)])
    rows.append(e)
    return rows
