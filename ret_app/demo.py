"""The fictional demo region. Every name, address and account here is invented.

Demo accounts share one password and have TOTP secrets derived from their e-mail address, so
the README can list them. That is why `seed-demo` refuses to run with production configuration.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

import pyotp
from sqlalchemy import func, select

from ret_app import audit
from ret_app.auth import passwords, services as auth_services
from ret_app.extensions import db
from ret_app.models import Mandate, Municipality, Network, Organisation, OrganisationKind, Region, User
from ret_app.models.base import utcnow

DEMO_PASSWORD = "ret-demo-wachtwoord"

NETWORKS = [
    ("Bovenregionaal Expertisenetwerk Jeugdhulp in Gelderland", "BOEG"),
    ("Bovenregionaal Expertisenetwerk Noord-Holland", "BEN NH"),
    ("Jeugd Expertise Netwerk Noord Nederland", "JENN"),
]

# CBS municipality codes of the two demo regions (seed documents 000 and 003).
REGIONS = {
    "Zorgregio Midden-IJssel/Oost-Veluwe": ("BOEG", [
        ("Apeldoorn", "GM0200"), ("Brummen", "GM0213"), ("Epe", "GM0232"), ("Hattem", "GM0243"),
        ("Heerde", "GM0246"), ("Lochem", "GM1859"), ("Voorst", "GM0285"), ("Zutphen", "GM0301"),
    ]),
    "IJmond/Zuid-Kennemerland": ("BEN NH", [
        ("Beverwijk", "GM0375"), ("Heemskerk", "GM0396"), ("Velsen", "GM0453"), ("Bloemendaal", "GM0377"),
        ("Haarlem", "GM0392"), ("Heemstede", "GM0397"), ("Zandvoort", "GM0473"),
    ]),
}

MIJOV = "Zorgregio Midden-IJssel/Oost-Veluwe"
IJZK = "IJmond/Zuid-Kennemerland"

# (name, kind, region, collective member, network)
ORGANISATIONS = [
    ("RET Midden-IJssel/Oost-Veluwe", "ret", MIJOV, False, None),
    ("RET IJmond/Zuid-Kennemerland", "ret", IJZK, False, None),
    ("Jeugdzorg De Bolder (demo)", "provider", MIJOV, True, None),
    ("Kinder- en Jeugdpsychiatrie Rivierland (demo)", "provider", MIJOV, True, None),
    ("Orthopedagogisch Centrum Veluwezoom (demo)", "provider", MIJOV, True, None),
    ("Gezinshuizen Hanzeland (demo)", "provider", MIJOV, False, None),
    ("Jeugdhulp Kennemerduin (demo)", "provider", IJZK, True, None),
    ("Gecertificeerde Instelling Oost (demo)", "certified_institution", MIJOV, False, None),
    ("BOEG procesregie (demo)", "network", None, False, "BOEG"),
    ("BEN NH procesregie (demo)", "network", None, False, "BEN NH"),
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
    ("beheer@mijov.example", "Esther Kok", "admin", "Functioneel beheer RET (demo)"),
    ("voorzitter@ijzk.example", "Pieter de Graaf", "chair", "RET IJmond/Zuid-Kennemerland"),
    ("toegang.haarlem@ijzk.example", "Yara El Amrani", "caseworker", "Toegangsteam Jeugd Haarlem"),
    ("aanbieder@ijzk.example", "Bas Hendriks", "provider_member", "Jeugdhulp Kennemerduin (demo)"),
    ("bennh@ijzk.example", "Marloes Vos", "network_liaison", "BEN NH procesregie (demo)"),
]


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

    def __str__(self) -> str:
        return (f"{self.regions} regions, {self.municipalities} municipalities, {self.organisations} organisations, "
                f"{self.users} users, {self.mandates} mandates")


def seed(today: Optional[date] = None) -> SeedSummary:
    today = today or date.today()
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
    year_end = date(today.year, 12, 31)
    mandates = [
        # A broad, valid mandate.
        (users["toegang.apeldoorn@mijov.example"], "Apeldoorn", today - timedelta(days=200), year_end + timedelta(days=365),
         Decimal("150000.00"), ["ambulatory", "day_treatment", "family_home", "foster_care", "residential",
                                "youth_mental_health", "intellectual_disability", "custom_arrangement"]),
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
    ]
    for holder, municipality, start, end, ceiling, care_types in mandates:
        db.session.add(Mandate(
            holder=holder, municipality=municipalities[municipality], valid_from=start, valid_until=end,
            ceiling_eur=ceiling, care_types=care_types,
            granted_by=f"College van B&W {municipality}",
            document_reference=f"Mandaatbesluit jeugdhulp {municipality} {start.year}-{len(municipality):02d} (demo)",
            created_by_id=admin.id))
    db.session.flush()
    audit.record(audit.Action.CREATE, object_type="demo_seed", detail="demo_region_seeded")
    return SeedSummary(len(regions), len(municipalities), len(organisations), len(users), len(mandates))
