"""The catalogue a new region starts with: the eleven care types RET knew before the catalogue (same
codes, so existing records keep meaning the same), extended with the products the region's purchasing
strategy names (seed 001, "Wat kopen we (waar) in?": verblijf behandelgroep, verblijf 3-milieu,
JeugdzorgPlus, respijtopvang jeugd, and the intensive ambulant family treatment it wants in the product
book). Jeugd-ggz and pleegzorg from that list are among the eleven already (youth_mental_health,
foster_care).

Names and descriptions are Dutch: they are data the administrator edits, not interface text.
Migration 0006 holds a frozen copy of this list (a migration seeds what was true when it ran).
"""

from __future__ import annotations

from typing import NamedTuple


class DefaultCareType(NamedTuple):
    code: str
    name: str
    description: str


# In the order the catalogue shows them (positions 10, 20, ...).
DEFAULT_CARE_TYPES: tuple[DefaultCareType, ...] = (
    DefaultCareType("ambulatory", "Ambulante jeugdhulp",
                    "Begeleiding of behandeling thuis, op school of op locatie, zonder verblijf."),
    DefaultCareType("intensive_family_treatment", "Intensieve ambulante gezinsbehandeling",
                    "Intensieve behandeling van het hele gezin thuis, meerdere dagdelen per week, om een "
                    "uithuisplaatsing te voorkomen."),
    DefaultCareType("day_treatment", "Dagbehandeling",
                    "Behandeling overdag op een locatie van de aanbieder, vaak samen met onderwijs."),
    DefaultCareType("youth_mental_health", "Jeugd-ggz",
                    "Diagnostiek en behandeling van psychische problemen, generalistisch en specialistisch."),
    DefaultCareType("intellectual_disability", "Zorg voor jeugdigen met een licht verstandelijke beperking (LVB)",
                    "Begeleiding en behandeling afgestemd op jeugdigen met een licht verstandelijke beperking."),
    DefaultCareType("foster_care", "Pleegzorg", "Opgroeien in een pleeggezin, in deeltijd of voltijd."),
    DefaultCareType("family_home", "Gezinshuis", "Wonen in het gezin van professionele gezinshuisouders."),
    DefaultCareType("residential", "Residentiële jeugdhulp",
                    "Wonen en verblijf bij een jeugdhulpaanbieder, met begeleiding of behandeling."),
    DefaultCareType("residential_treatment_group", "Verblijf behandelgroep",
                    "Verblijf in een leefgroep waar de jeugdige ook behandeling krijgt."),
    DefaultCareType("residential_three_milieu", "Verblijf 3-milieu",
                    "Wonen, school en vrije tijd op het terrein van één aanbieder (driemilieuvoorziening)."),
    DefaultCareType("secure_residential", "Gesloten jeugdhulp",
                    "Verblijf in een besloten of gesloten setting."),
    DefaultCareType("jeugdzorgplus", "JeugdzorgPlus",
                    "Gesloten jeugdhulp met een machtiging van de kinderrechter; bovenregionaal ingekocht."),
    DefaultCareType("crisis", "Crisisopvang", "Hulp of opvang die direct beschikbaar is bij een crisis, voor korte tijd."),
    DefaultCareType("respite_care", "Respijtopvang jeugd",
                    "Tijdelijke opvang, bijvoorbeeld logeren in het weekend, zodat ouders of verzorgers op adem "
                    "kunnen komen."),
    DefaultCareType("education_care", "Onderwijs-zorgarrangement",
                    "Jeugdhulp in en met het onderwijs, zodat de jeugdige (weer) naar school kan."),
    DefaultCareType("custom_arrangement", "Maatwerkarrangement",
                    "Een combinatie van hulp op maat die niet in één product past."),
)

# The codes records held before the catalogue existed (the former CareType enum).
LEGACY_CODES = frozenset({
    "ambulatory", "day_treatment", "family_home", "foster_care", "residential", "secure_residential", "crisis",
    "youth_mental_health", "intellectual_disability", "education_care", "custom_arrangement",
})

POSITION_STEP = 10
