"""The demo's history: a few hundred generated closed cases of the past three years in the three demo
regions, so that outcomes, gap signals, charts and small-number suppression have real data to show.

Everything here is fictional and generated: youths and parents get names combined from the lists below
(no real person, no BSN, no address), birth dates that make them 4 to 22 years old at the referral.
Each case went the way the lifecycle allows (concept -> submitted -> intake -> screening -> process
direction -> monitoring -> closed, a few paused on the way; a consultation closed from screening), on
working days of the norms' calendar (cases/clock.py), with the rows the case page reads: transitions,
timeline entries, participants, consent, help tried before, a finalised screening, requests to the
collective's providers (commitments, and declines with their reasons per care type), some escalations to
the region's network with their result, a few confirmed re-referrals, and an outcome whose working days
are computed by the outcomes service (`outcomes.services.working_days`) from those dates.

The gaps follow patterns, so that the signals find something and the analyst's tables show suppression:

* IJmond/Zuid-Kennemerland: "no suitable living place" for youths of 12 to 17 clusters in the last six
  months (residential care and family homes full; declines for lack of capacity);
* Midden-IJssel/Oost-Veluwe: "no provider offers it" for LVB with psychiatry in the last six months
  (declines: not our expertise);
* crisis availability in every region, spread thinly (at most one a half year per region): it stays
  below the threshold and gives the small cells (1 to 4) that suppression hides;
* other categories at low, steady rates, so periods and municipalities have cells of every size.

`plan(today)` is pure and deterministic (a fixed seed, dates counted from `today`); `seed(...)` writes the
plan with bulk inserts (SQLAlchemy Core `insert()` with lists of rows) and no events, so seeding stays fast
and the audit trail gets the demo's one summary event only (ret_app/demo.py writes it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from typing import Optional

from sqlalchemy import insert, select, update

from ret_app.cases import clock
from ret_app.extensions import db
from ret_app.kernel.dates import AMSTERDAM
from ret_app.models import (
    Case, CaseEvent, CaseLink, CaseOutcome, CaseParticipant, CasePause, CaseReferenceCounter, CaseTransition, Consent,
    Escalation, EscalationMessage, EscalationStep, EscalationTried, FamilyMember, GapCategory, Municipality, Network,
    Organisation, OrganisationKind, OutcomeGap, OutcomeHelp, PriorHelp, ProviderRequest, Region, Screening, User,
)
from ret_app.models.rereferrals import youth_match_key
from ret_app.outcomes import services as outcomes

SEED = 20_12_2024  # any fixed number: the same demo every time
CALENDAR = clock.DEFAULT_CALENDAR
YEARS = 3
PER_REGION = {  # how many closed cases each region gets (re-referrals included)
    "Zorgregio Midden-IJssel/Oost-Veluwe": 450,
    "IJmond/Zuid-Kennemerland": 110,
    "Jeugdregio Drenthe": 140,
}


# --- the regions as the demo has them (ret_app/demo.py; this module does not import it) ---------------

@dataclass(frozen=True)
class Provider:
    name: str
    care_types: tuple[str, ...]  # what it offers (its profile)
    member: Optional[str]  # the e-mail of its provider member, who answers requests (None: nobody)


@dataclass(frozen=True)
class RegionSetup:
    name: str
    chair: str
    directors: tuple[str, ...]  # who directs the process of its cases (e-mails)
    caseworkers: dict  # municipality -> the caseworker's e-mail who refers its youths
    liaison: str  # the network's liaison
    network_organisation: str  # the network's process direction (an organisation)
    providers: tuple[Provider, ...]  # the collective's providers in the region
    residential: str  # the care-type code of residential youth care the region buys


REGIONS = (
    RegionSetup(
        "Zorgregio Midden-IJssel/Oost-Veluwe", "voorzitter@mijov.example",
        ("retlid@mijov.example", "gedragswetenschapper@mijov.example"),
        {"Apeldoorn": "toegang.apeldoorn@mijov.example", "Brummen": "toegang.apeldoorn@mijov.example",
         "Epe": "toegang.epe@mijov.example", "Hattem": "toegang.epe@mijov.example",
         "Heerde": "toegang.epe@mijov.example", "Lochem": "toegang.zutphen@mijov.example",
         "Voorst": "toegang.apeldoorn@mijov.example", "Zutphen": "toegang.zutphen@mijov.example"},
        "boeg@mijov.example", "BOEG procesregie (demo)",
        (Provider("Jeugdzorg De Bolder (demo)", ("ambulatory", "day_treatment", "residential_treatment_group",
                                                 "family_home"), "aanbieder@mijov.example"),
         Provider("Kinder- en Jeugdpsychiatrie Rivierland (demo)", ("youth_mental_health", "crisis", "day_treatment"),
                  "aanbieder.kjp@mijov.example"),
         Provider("Orthopedagogisch Centrum Veluwezoom (demo)", ("intellectual_disability",
                                                                 "residential_three_milieu", "education_care"),
                  None)),
        "residential_treatment_group"),
    RegionSetup(
        "IJmond/Zuid-Kennemerland", "voorzitter@ijzk.example", ("voorzitter@ijzk.example",),
        {name: "toegang.haarlem@ijzk.example" for name in
         ("Beverwijk", "Heemskerk", "Velsen", "Bloemendaal", "Haarlem", "Heemstede", "Zandvoort")},
        "bennh@ijzk.example", "BEN NH procesregie (demo)",
        (Provider("Jeugdhulp Kennemerduin (demo)", ("ambulatory", "residential"), "aanbieder@ijzk.example"),),
        "residential"),
    RegionSetup(
        "Jeugdregio Drenthe", "voorzitter@drenthe.example", ("retlid@drenthe.example",),
        {name: "toegang.assen@drenthe.example" for name in
         ("Aa en Hunze", "Assen", "Borger-Odoorn", "Coevorden", "De Wolden", "Emmen", "Hoogeveen", "Meppel",
          "Midden-Drenthe", "Noordenveld", "Tynaarlo", "Westerveld")},
        "jenn@drenthe.example", "JENN procesregie (demo)",
        (Provider("Jeugdhulp Hunzedal (demo)", ("ambulatory", "intensive_family_treatment", "family_home",
                                                "respite_care"), "aanbieder@drenthe.example"),
         Provider("Jeugd-ggz Esmaborg (demo)", ("youth_mental_health", "day_treatment", "crisis"),
                  "aanbieder.ggz@drenthe.example")),
        "residential"),
)
MIJOV, IJZK, DRENTHE = (r.name for r in REGIONS)
GI = "gi@mijov.example"  # the certified institution refers some of Midden-IJssel/Oost-Veluwe's youths


# --- fictional names: combined at random, none of them the demo's story names ---------------------------

GIRLS = ("Anna", "Bo", "Charlotte", "Demi", "Elin", "Floor", "Gwen", "Hanna", "Isa", "Jade", "Julia", "Kiki",
         "Lara", "Liv", "Maud", "Nina", "Olivia", "Pien", "Quinty", "Rosalie", "Sofie", "Tess", "Vera", "Yfke",
         "Zoë", "Amira", "Esmee", "Fleur", "Iris", "Lynn", "Mirthe", "Naomi", "Puck", "Romy", "Selin", "Noa")
BOYS = ("Adam", "Bram", "Cas", "Dex", "Evi", "Gijs", "Hugo", "Ilias", "Jens", "Kay", "Lars", "Luuk", "Mats",
        "Niek", "Olaf", "Pim", "Quinn", "Rens", "Siem", "Stijn", "Teun", "Thomas", "Vince", "Wout", "Mees",
        "Ayoub", "Boaz", "Dani", "Fedde", "Hidde", "Jurre", "Koen", "Levi", "Mohamed", "Otis", "Tijn")
SURNAMES = ("Aalbers", "Bakkenes", "Boersma", "Claassen", "Dekkers", "Drenth", "Eijkelboom", "Feenstra",
            "Geertsema", "Groeneveld", "Hazelaar", "Hiemstra", "IJzerman", "Jonkman", "Kamphuis", "Keizer",
            "Kloosterman", "Koopmans", "Lammers", "Luiten", "Meulenbelt", "Molenaar", "Nieuwenhuis", "Oosterhof",
            "Overbeek", "Postma", "Pronk", "Reinders", "Roelofs", "Scholten", "Schuurman", "Siebring", "Stegeman",
            "Talsma", "Terpstra", "Timmer", "Uiterwijk", "Veldhuis", "Vermeulen", "Visscher", "Vlietstra",
            "Wassink", "Westerhof", "Wiersma", "Zandbergen", "Zijlstra", "el Idrissi", "Öztürk", "Benali-Vos",
            "van der Wal", "van Essen", "ter Horst", "de Boer-Lont", "van Leeuwen", "Hofstede", "Rademaker")
MOTHERS = ("Annelies", "Bianca", "Carolien", "Dewi", "Esra", "Geke", "Heleen", "Jolanda", "Kirsten", "Linda-Mae",
           "Marieke", "Nadia", "Rianne", "Saskia", "Tamara", "Wendy", "Yvonne", "Zeynep", "Astrid", "Ilona")
FATHERS = ("Arjan", "Bert", "Coen", "Dennis", "Erwin", "Frank", "Gerrit", "Hakan", "Jeroen-Paul", "Kees",
           "Martijn", "Nick", "Otto", "Rachid", "Roel", "Sander", "Tom", "Vincent", "Willem", "Youssef")
BOY_NAMES = frozenset(BOYS)


# --- what the cases were about: profiles with their texts, care types and gaps --------------------------

@dataclass(frozen=True)
class Profile:
    code: str
    ages: tuple[int, int]  # age at the referral, inclusive
    question: str  # {name} is the youth's first name
    why_stuck: str
    analysis: str
    advice: str
    help_types: tuple[str, ...]  # the care types the help arranged is made of ("residential": the region's)
    gap: tuple[str, Optional[str], str]  # the gap it usually meets: category, care type, note
    decline: str  # why providers usually decline: no_capacity / not_our_expertise
    placement: float  # how often an out-of-home placement is intended
    lesson: str


PROFILES = {p.code: p for p in (
    Profile("living_place", (12, 17),
            "{name} kan niet meer thuis wonen; er is een woonplek met begeleiding nodig, dicht bij school.",
            "De woongroepen en gezinshuizen in de regio zitten vol; de crisisplek loopt af.",
            "Thuis is het niet meer veilig genoeg; de jongere heeft een vaste woonplek met begeleiding nodig.",
            "Een woonplek met behandeling zoeken, zo nodig buiten de regio, en tot dan een overbrugging.",
            ("residential", "family_home", "ambulatory"),
            ("no_living_place", "residential", "Geen plek in een woongroep of gezinshuis in de regio."),
            "no_capacity", 0.75,
            "Eerder naar een woonplek zoeken, nog voordat de thuissituatie vastloopt."),
    Profile("lvb_psych", (10, 17),
            "{name} heeft een licht verstandelijke beperking en psychiatrische problemen; er is behandeling "
            "nodig die beide samen neemt.",
            "De LVB-zorg en de jeugd-ggz verwijzen naar elkaar; niemand biedt de combinatie.",
            "De vastloper zit in de combinatie van LVB en psychiatrie: beide zorgsoorten zijn er, maar niet samen.",
            "Een maatwerkarrangement met een vaste regiehouder; zo nodig opschalen naar het netwerk.",
            ("intellectual_disability", "youth_mental_health", "custom_arrangement"),
            ("no_provider_offers_it", "intellectual_disability",
             "Geen aanbieder in de regio behandelt LVB en psychiatrie samen."),
            "not_our_expertise", 0.15,
            "De LVB-aanbieder en de jeugd-ggz vanaf het begin samen aan tafel."),
    Profile("waiting_ggz", (6, 17),
            "{name} heeft ernstige angst- en stemmingsklachten; ouders vragen om behandeling die nu start.",
            "De specialistische jeugd-ggz heeft een wachtlijst van maanden; de ambulante hulp is gestopt.",
            "De klachten nemen toe tijdens het wachten; het gezin is uitgeput.",
            "Overbruggen met ambulante hulp thuis en de behandeling met voorrang laten starten.",
            ("youth_mental_health", "ambulatory", "day_treatment"),
            ("no_place_best_fit", "youth_mental_health", "Wachtlijst bij de best passende jeugd-ggz-aanbieder."),
            "no_capacity", 0.05,
            "Bij een lange wachtlijst meteen een overbrugging afspreken."),
    Profile("school", (6, 16),
            "{name} zit al maanden thuis zonder school; ouders en school zoeken een plek met zorg erbij.",
            "Het onderwijs en de jeugdhulp wachten op elkaar; er is geen passend onderwijs-zorgarrangement.",
            "Thuiszitten houdt de klachten in stand; school en zorg moeten samen één plan maken.",
            "Een onderwijs-zorgarrangement met het samenwerkingsverband, in stappen terug naar school.",
            ("education_care", "ambulatory", "day_treatment"),
            ("education", "education_care", "Geen schoolplek met de zorg die nodig is."),
            "not_our_expertise", 0.0,
            "Het samenwerkingsverband vanaf de intake erbij betrekken."),
    Profile("family", (4, 13),
            "Ouders van {name} lopen vast in de opvoeding; het gezin heeft hulp nodig die blijft.",
            "Steeds nieuwe hulpverleners; ouders en aanbieders zijn het oneens over de aanpak.",
            "Het gezin is overbelast en de hulp sloot niet aan; een vaste regiehouder ontbreekt.",
            "Intensieve ambulante gezinsbehandeling met één vast aanspreekpunt.",
            ("intensive_family_treatment", "ambulatory", "respite_care"),
            ("conflict", "intensive_family_treatment", "Ouders en aanbieder waren het oneens over de aanpak."),
            "no_capacity", 0.1,
            "Eén vast aanspreekpunt voor het gezin werkt beter dan een nieuwe aanbieder."),
    Profile("transition_18", (16, 22),
            "{name} wordt of is 18 en heeft na de jeugdhulp begeleiding en een woonplek nodig.",
            "Jeugdwet, Wmo en Wlz wijzen naar elkaar; de hulp stopt bij 18 zonder vervolg.",
            "De overgang naar 18 zonder vervolg dreigt; niemand voelt zich verantwoordelijk.",
            "Verlengde jeugdhulp afspreken en de Wmo-begeleiding vooraf regelen.",
            ("ambulatory", "custom_arrangement", "residential"),
            ("walls_between_laws", "custom_arrangement", "Jeugdwet en Wmo sloten niet op elkaar aan bij 18 jaar."),
            "not_our_expertise", 0.05,
            "De overgang naar 18 een jaar vooraf regelen, met de Wmo erbij."),
    Profile("trauma", (8, 17),
            "{name} heeft veel meegemaakt en is thuis en op school moeilijk te bereiken; behandeling stopte steeds.",
            "Traumabehandeling is twee keer gestopt; niemand weet goed wat nu helpt.",
            "Trauma onder het gedrag; eerdere behandelingen sloten niet aan bij wat de jeugdige aankon.",
            "Traumasensitieve behandeling aan huis, met de ouders als deel van het team.",
            ("youth_mental_health", "intensive_family_treatment", "ambulatory"),
            ("knowledge_missing", "youth_mental_health", "Niemand wist goed welke behandeling nu zou helpen."),
            "not_our_expertise", 0.1,
            "Behandeling aan huis eerder overwegen als de jeugdige niet naar de praktijk komt."),
    Profile("crisis", (12, 17),
            "{name} is na een crisis thuis tijdelijk opgevangen; een vervolg is nodig.",
            "Er was geen crisisplek beschikbaar toen die nodig was; de opvang liep via een noodoplossing.",
            "Na de crisis is een stabiele plek en behandeling nodig.",
            "Een vervolgplek met behandeling, en een afspraak over crisisopvang als het weer misgaat.",
            ("crisis", "ambulatory", "family_home"),
            ("crisis_availability", "crisis", "Geen crisisplek beschikbaar op het moment dat die nodig was."),
            "no_capacity", 0.5,
            "Een vaste afspraak over crisisopvang maken voordat het misgaat."),
)}
BASE_WEIGHTS = {"waiting_ggz": 24, "school": 15, "family": 17, "transition_18": 13, "trauma": 13,
                "living_place": 6, "lvb_psych": 6}
# Other gaps that come along now and then (never crisis availability: that one follows its schedule).
SIDE_GAPS = (("organisational", None, "De overdracht tussen aanbieders liep niet goed; het was onduidelijk wie de "
                                      "regie had."),
             ("need_changed_while_waiting", None, "Tijdens het wachten werd de hulpvraag zwaarder."),
             ("legal_limits", None, "Het woonplaatsbeginsel vertraagde wie de hulp betaalde."),
             ("education", "education_care", "Er was ook geen passende schoolplek."),
             ("no_place_best_fit", "ambulatory", "Wachtlijst voor de ambulante hulp die het beste paste."))
# The clusters that make signals: (region, profile, how many, closed within this many days before today).
CLUSTERS = ((IJZK, "living_place", 7, 170), (MIJOV, "lvb_psych", 5, 170))
CRISIS_EVERY_DAYS = 190  # one crisis-availability gap per region per this many days: below any threshold
RESULTS = (("realised", 45), ("partly_realised", 22), ("not_realised", 12), ("returned_with_advice", 13),
           ("aged_out_or_moved", 8))
GAP_CHANCE = {"realised": 0.25, "partly_realised": 0.65, "not_realised": 1.0, "returned_with_advice": 0.15,
              "aged_out_or_moved": 0.4}
SIDE_GAP_CHANCE = 0.12
OUTSIDE_PROVIDERS = ("Behandelcentrum De Horst (demo)", "Jeugdhulp Overzee (demo)", "Woonzorg Het Baken (demo)",
                     "Expertisecentrum Jeugd Noord (demo)")
AT_HOME = frozenset({"ambulatory", "intensive_family_treatment", "respite_care"})
NETWORK_DIRECTORS = ("Hanneke Prins", "Geertje Bosma", "Marco Steenbergen", "Ellen Hoogland")
PRIOR_HELP = (("Wijkteam {municipality} (demo)", "Ambulante begeleiding thuis, twee uur per week",
               "Niet genoeg: er was meer nodig dan het wijkteam kon bieden."),
              ("Praktijk voor jeugd-ggz (demo)", "Ambulante behandeling",
               "Gestopt: de jeugdige kwam niet meer en behandeling aan huis werd niet geboden."),
              ("Jeugd- en gezinscoach {municipality} (demo)", "Opvoedondersteuning voor ouders",
               "Afgesloten: de ouders hadden meer nodig dan gesprekken."))
DECLINE_TEXTS = {"no_capacity": "Wij hebben op dit moment geen plek; de wachttijd is langer dan drie maanden.",
                 "not_our_expertise": "Deze combinatie van problemen vraagt expertise die wij niet in huis hebben."}
CLOSE_REASONS = {"realised": "Passende hulp loopt; het gezin redt het verder met de aanbieder.",
                 "partly_realised": "Een deel van de hulp loopt; de rest wacht op een plek.",
                 "not_realised": "Geen passende hulp gevonden; teruggelegd bij de toegang met de signalen.",
                 "returned_with_advice": "Advies gegeven; de toegang zet de hulp zelf in.",
                 "aged_out_or_moved": "De jeugdige is 23 geworden of verhuisd buiten de regio."}
ESCALATION_RESULTS = (("advice_given", 35), ("network_process_direction", 25), ("placement_found", 20),
                      ("funding_granted", 5), ("not_solved", 15))
ESCALATION_ANSWERS = {
    "advice_given": "Advies: behandeling bij een bovenregionale aanbieder met overbrugging in de regio.",
    "network_process_direction": "Het netwerk zet een eigen procesregisseur in die de zoektocht overneemt.",
    "placement_found": "Het netwerk heeft een plek buiten de regio gevonden; start in overleg met het gezin.",
    "funding_granted": "Financiering voor een maatwerkvoorziening is toegezegd.",
    "not_solved": "Ook bovenregionaal is geen passende plek gevonden; het netwerk adviseert te blijven zoeken.",
}


# --- the plan: pure data, by names and codes (no ids) ---------------------------------------------------

@dataclass
class Request:
    provider: str
    role: str
    care_type: str
    asked: date
    answered: date
    status: str  # declined / ended
    decline_reason: Optional[str] = None
    started: Optional[date] = None
    ended: Optional[date] = None


@dataclass
class EscalationPlan:
    sent: date
    status: str  # closed / declined
    result: Optional[str]
    steps: list  # (name, from, to, day, actor: "chair" / "liaison")
    answered: Optional[date]
    director_name: str = ""


@dataclass
class HistoryCase:
    key: int
    region: str
    municipality: str
    caseworker: str
    director: str
    profile: str
    first: str
    last: str
    birth: date
    gender: str
    urgency: str
    track: str
    placement: bool
    result: str
    placement_result: Optional[str]
    submitted: date
    intake: date
    screening: date
    direction: Optional[date]
    fitting: Optional[date]
    closed: date
    recorded: date
    pause: Optional[tuple[date, date]]
    scopes: tuple[str, ...]
    parents: list  # (relation, name, age)
    prior: tuple[str, str, str]  # provider, kind of help, why it ended
    prior_from: date
    prior_to: date
    requests: list = field(default_factory=list)
    escalation: Optional[EscalationPlan] = None
    helps: list = field(default_factory=list)  # (care type, provider of the collective | None, name, inside, network)
    gaps: list = field(default_factory=list)  # (category code, care type | None, note)
    earlier: Optional[int] = None  # the key of the earlier case of the same youth (a confirmed re-referral)
    working_days: tuple = (None, None)

    @property
    def age(self) -> int:
        return _age(self.birth, self.submitted)


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_days(day: date, n: int) -> date:
    return clock.add_working_days(day, n, CALENDAR)


def back_days(day: date, n: int) -> date:
    """The working day n working days before `day` (a working day): the inverse of add_days."""
    while n > 0:
        day -= timedelta(days=1)
        if clock.is_working_day(day, CALENDAR):
            n -= 1
    return day


def plan(today: date) -> list[HistoryCase]:
    """The whole history, the same for the same `today`."""
    rng = random.Random(SEED)
    names = _Names(rng)
    last_day = back_days(clock.next_working_day(today, CALENDAR), 3)  # closed at least three working days ago
    first_day = today - timedelta(days=round(365.25 * YEARS))
    cases: list[HistoryCase] = []
    for setup in REGIONS:
        total = PER_REGION[setup.name]
        fixed: list[tuple[str, date, Optional[tuple]]] = []  # (profile, closing day, forced gap)
        for region, profile, count, within in CLUSTERS:
            if region == setup.name:
                for i in range(count):
                    fixed.append((profile, today - timedelta(days=5 + (within - 5) * (i + 0.5) / count),
                                  PROFILES[profile].gap))
        offset = {MIJOV: 20, IJZK: 85, DRENTHE: 200}[setup.name]  # Drenthe's latest lies before the demo's Sem
        day = today - timedelta(days=offset)
        while day > first_day + timedelta(days=30):
            fixed.append(("crisis", day, PROFILES["crisis"].gap))
            day -= timedelta(days=CRISIS_EVERY_DAYS)
        rereferrals = 2 * 2  # two youths, each with an earlier and a later case
        for _ in range(total - len(fixed) - rereferrals):
            # A little more each year: the RET became better known.
            share = rng.random() ** 1.1
            fixed.append((_pick(rng, BASE_WEIGHTS), last_day - timedelta(days=round(share * (last_day - first_day).days)),
                          None))
        for profile, closing, forced in fixed:
            closing = min(clock.next_working_day(closing, CALENDAR), last_day)
            cases.append(_case(rng, names, setup, len(cases), profile, today, closing=closing, forced_gap=forced))
        # Re-referrals: a youth referred again, some months after the earlier case closed.
        for months in (5, 9):
            earlier_closing = clock.next_working_day(today - timedelta(days=round(30.44 * (months + 22))), CALENDAR)
            earlier = _case(rng, names, setup, len(cases), "waiting_ggz", today, closing=earlier_closing)
            cases.append(earlier)
            submitted = clock.next_working_day(earlier.closed + timedelta(days=round(30.44 * months)), CALENDAR)
            later = _case(rng, names, setup, len(cases), rng.choice(("trauma", "school", "family")), today,
                          submitted=submitted, same_youth=earlier)
            cases.append(later)
    for case in cases:
        pauses = [SimpleNamespace(start=case.pause[0], end=case.pause[1])] if case.pause else []
        case.working_days = outcomes.working_days(SimpleNamespace(
            submitted_at=_at(case.submitted, 9), pauses=pauses, fitting_help_started_on=case.fitting,
            closed_at=_at(case.closed, 15)))
    return cases


class _Names:
    """Youths' names, each (first, last, birth date) once: no accidental "possibly the same youth"."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set = set()

    def youth(self, gender: str) -> tuple[str, str]:
        while True:
            first = self.rng.choice(GIRLS if gender == "female" else BOYS)
            last = self.rng.choice(SURNAMES)
            if (first, last) not in self.used:
                self.used.add((first, last))
                return first, last


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _case(rng: random.Random, names: _Names, setup: RegionSetup, key: int, profile_code: str, today: date, *,
          closing: Optional[date] = None, submitted: Optional[date] = None, forced_gap=None,
          same_youth: Optional[HistoryCase] = None) -> HistoryCase:
    """One closed case, its dates counted back from its closing day (or forward from its submission)."""
    profile = PROFILES[profile_code]
    municipality = rng.choice(sorted(setup.caseworkers))
    caseworker = GI if setup.name == MIJOV and rng.random() < 0.1 else setup.caseworkers[municipality]
    result = _pick(rng, dict(RESULTS))
    if forced_gap and result == "realised":
        result = "partly_realised"  # the gap was real: the help came late or only in part
    if profile_code == "transition_18" and rng.random() < 0.3:
        result = "aged_out_or_moved"
    if profile_code == "crisis" and result == "returned_with_advice":
        result = "partly_realised"  # after a crisis the RET stays on: no advice-only consultation
    consultation = result == "returned_with_advice"
    placement = not consultation and rng.random() < profile.placement
    track = "consultation" if consultation else "placement_review" if placement else "process_direction"
    helped = result in ("realised", "partly_realised")
    # Working days of each stage.
    d_intake, d_accept = rng.randint(1, 5), rng.randint(1, 6)
    d_screen = rng.randint(8, 28) if not consultation else rng.randint(6, 18)
    d_fit = (rng.randint(25, 80) if profile_code in ("living_place", "lvb_psych") else rng.randint(8, 55)) \
        if helped else 0
    d_after = rng.randint(20, 80) if helped else (rng.randint(15, 60) if not consultation else 0)
    escalate = not consultation and (profile_code in ("living_place", "lvb_psych", "crisis") and rng.random() < 0.45
                                     or rng.random() < 0.06)
    if escalate and helped:
        d_fit = max(d_fit, 30)
    elif escalate:
        d_after = max(d_after, 30)
    pause_len = rng.randint(5, 15) if not consultation and rng.random() < 0.07 else 0
    total = d_intake + d_accept + d_screen + d_fit + d_after + pause_len
    if submitted is None:
        submitted = back_days(closing, total)
    else:
        closing = add_days(submitted, total)
    intake = add_days(submitted, d_intake)
    screening = add_days(intake, d_accept)
    direction = add_days(screening, d_screen) if not consultation else None
    pause = None
    if pause_len:
        start = add_days(direction, rng.randint(1, 4))
        pause = (start, add_days(start, pause_len))
    fitting = add_days(direction, d_fit + pause_len) if helped else None
    closed = add_days(screening, d_screen) if consultation else closing
    assert closed == closing, (closed, closing)
    last_step = fitting or direction or screening
    recorded = max(back_days(closed, rng.randint(0, 3)), last_step)

    if same_youth is not None:
        first, last, birth, gender = same_youth.first, same_youth.last, same_youth.birth, same_youth.gender
        parents = [(relation, name, age + max(1, (submitted - same_youth.submitted).days // 365))
                   for relation, name, age in same_youth.parents]
    else:
        gender = "female" if rng.random() < 0.45 else "male"
        first, last = names.youth(gender)
        low, high = profile.ages
        age = rng.randint(low, high)
        birth = submitted - timedelta(days=round(365.25 * age) + rng.randint(30, 330))
        while _age(birth, submitted) != age:
            birth += timedelta(days=1 if _age(birth, submitted) > age else -1)
        parents = [("mother", f"{rng.choice(MOTHERS)} {last}", age + rng.randint(24, 38))]
        if rng.random() < 0.6:
            parents.append(("father", f"{rng.choice(FATHERS)} {last}", age + rng.randint(26, 42)))
    if escalate and _age(birth, today) >= 12 > _age(birth, submitted):
        escalate = False  # its network consent would not stand under today's age rules (consent_flags)
    urgency = "crisis" if profile_code == "crisis" else ("urgent" if rng.random() < 0.22 else "regular")
    scopes = ("ret", "collective") + (("network",) if escalate or rng.random() < 0.2 else ())
    provider_text, kind, why_ended = rng.choice(PRIOR_HELP)
    prior_to = submitted - timedelta(days=rng.randint(20, 120))
    case = HistoryCase(
        key=key, region=setup.name, municipality=municipality, caseworker=caseworker,
        director=rng.choice(setup.directors), profile=profile_code, first=first, last=last, birth=birth,
        gender=gender, urgency=urgency, track=track, placement=placement, result=result, placement_result=None,
        submitted=submitted, intake=intake, screening=screening, direction=direction, fitting=fitting, closed=closed,
        recorded=recorded, pause=pause, scopes=scopes, parents=parents,
        prior=(provider_text.format(municipality=municipality), kind, why_ended),
        prior_from=prior_to - timedelta(days=rng.randint(90, 400)), prior_to=prior_to,
        earlier=same_youth.key if same_youth is not None else None)
    if placement:
        case.placement_result = (("carried_out" if profile_code in ("living_place", "crisis") else "prevented")
                                 if helped and rng.random() < 0.8 else rng.choice(("prevented", "carried_out", "other")))
    _requests_and_help(rng, setup, case, profile, escalate)
    _gaps(rng, setup, case, profile, forced_gap)
    return case


def _care_type(setup: RegionSetup, code: str) -> str:
    return setup.residential if code == "residential" else code


def _requests_and_help(rng: random.Random, setup: RegionSetup, case: HistoryCase, profile: Profile,
                       escalate: bool) -> None:
    if case.direction is None:
        return
    wanted = [_care_type(setup, code) for code in profile.help_types]
    asked = add_days(case.direction, rng.randint(0, 2))
    # Declines: the providers asked first, for the profile's main care type.
    declines = rng.randint(1, 3) if profile.code in ("living_place", "lvb_psych") else rng.choice((0, 0, 1, 1, 2))
    if case.result == "not_realised":
        declines = max(declines, 1)
    care_type = wanted[0]
    # Those that offer the care type are asked first (and are full), then the others (who lack the expertise).
    asked_providers = sorted(setup.providers, key=lambda p: (care_type not in p.care_types, rng.random()))
    for provider in asked_providers[:declines]:
        reason = "no_capacity" if care_type in provider.care_types else "not_our_expertise"
        if reason == "no_capacity" and profile.decline == "not_our_expertise" and rng.random() < 0.6:
            reason = "not_our_expertise"
        case.requests.append(Request(provider.name, "lead_provider", care_type, asked, add_days(asked, rng.randint(1, 3)),
                                     "declined", decline_reason=reason))
    # The help arranged: by a provider of the collective that offers it (a commitment), else by one outside
    # the collective (inside the region) or outside the region, or found via the network.
    if case.fitting is None:
        if escalate:
            case.escalation = _escalation(rng, case, helped=False)
        return
    network_help = False
    if escalate:
        case.escalation = _escalation(rng, case, helped=True)
        network_help = case.escalation.result in outcomes.HELPED_BY_NETWORK
    declined = {r.provider for r in case.requests}
    for index, care_type in enumerate(wanted[:rng.randint(1, 2)]):
        offering = [p for p in setup.providers if care_type in p.care_types and p.name not in declined]
        if index == 0 and network_help:
            case.helps.append((care_type, None, rng.choice(OUTSIDE_PROVIDERS), False, True))
        elif offering and rng.random() < 0.8:
            provider = rng.choice(offering)
            start = case.fitting
            case.requests.append(Request(provider.name, "lead_provider" if index == 0 else "co_provider", care_type,
                                         asked, add_days(asked, rng.randint(1, 3)), "ended", started=start,
                                         ended=case.closed))
            case.helps.append((care_type, provider.name, "", True, False))
        elif rng.random() < 0.5:
            # A provider of the region outside the collective: the access team's own for help at home.
            name = (f"Wijkteam {case.municipality} (demo)" if care_type in AT_HOME
                    else f"Gezinshuis in {case.municipality} (demo)" if care_type == "family_home"
                    else "Jeugdhulpaanbieder buiten het collectief (demo)")
            case.helps.append((care_type, None, name, True, False))
        else:
            case.helps.append((care_type, None, rng.choice(OUTSIDE_PROVIDERS), False, False))
    for request in case.requests:
        if request.answered > case.fitting:
            request.answered = case.fitting


def _escalation(rng: random.Random, case: HistoryCase, helped: bool) -> EscalationPlan:
    sent = add_days(case.direction, rng.randint(3, 8))
    if case.pause and case.pause[0] <= sent < case.pause[1]:
        sent = case.pause[1]
    end = case.fitting or case.closed
    if rng.random() < 0.12:
        declined = add_days(sent, 2)
        return EscalationPlan(sent, "declined", None, [("send", "draft", "sent", sent, "chair"),
                                                       ("decline", "sent", "declined", declined, "liaison")], None)
    result = _pick(rng, dict(ESCALATION_RESULTS))
    if helped and result == "not_solved":
        result = "advice_given"
    if not helped and result in ("placement_found", "funding_granted"):
        result = "not_solved"
    accept, start = add_days(sent, 1), add_days(sent, 2)
    answer = min(add_days(start, rng.randint(5, 12)), back_days(end, 2))
    answer = max(answer, add_days(start, 1))
    close = min(add_days(answer, rng.randint(1, 3)), back_days(end, 1))
    close = max(close, answer)
    return EscalationPlan(sent, "closed", result, [
        ("send", "draft", "sent", sent, "chair"), ("accept", "sent", "accepted", accept, "liaison"),
        ("start", "accepted", "in_progress", start, "liaison"), ("answer", "in_progress", "answered", answer, "liaison"),
        ("close", "answered", "closed", close, "liaison")], answer,
        director_name=rng.choice(NETWORK_DIRECTORS) if result == "network_process_direction" else "")


def _gaps(rng: random.Random, setup: RegionSetup, case: HistoryCase, profile: Profile, forced_gap) -> None:
    if forced_gap is not None:
        code, care_type, note = forced_gap
        case.gaps.append((code, care_type and _care_type(setup, care_type), note))
    elif rng.random() < GAP_CHANCE[case.result]:
        code, care_type, note = profile.gap
        if profile.code == "crisis":  # crisis availability follows its schedule only
            code, care_type, note = SIDE_GAPS[0]
        case.gaps.append((code, care_type and _care_type(setup, care_type), note))
    if case.gaps and rng.random() < SIDE_GAP_CHANCE:
        side = rng.choice(SIDE_GAPS)
        if side[0] not in {g[0] for g in case.gaps}:
            case.gaps.append(side)


# --- writing it --------------------------------------------------------------------------------------------

def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a Dutch working day, stored in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(timezone.utc)


def _insert(model, rows: list[dict], ids: bool = False) -> list[int]:
    """One bulk INSERT (Core, executemany); with `ids`, the new ids in the rows' order."""
    if not rows:
        return []
    table = model.__table__
    if ids:
        return list(db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
                    .scalars())
    db.session.execute(insert(table), rows)
    return []


def _references(cases: list[HistoryCase]) -> dict[int, str]:
    """RET-<year>-<number> by year of submission, after the numbers the demo already used."""
    counters = dict(db.session.execute(select(CaseReferenceCounter.year, CaseReferenceCounter.last_number)).all())
    references = {}
    for case in sorted(cases, key=lambda c: (c.submitted, c.key)):
        year = case.submitted.year
        counters[year] = counters.get(year, 0) + 1
        references[case.key] = f"RET-{year}-{counters[year]:04d}"
    existing = set(db.session.scalars(select(CaseReferenceCounter.year)))
    for year, number in counters.items():
        if year in existing:
            db.session.execute(update(CaseReferenceCounter).where(CaseReferenceCounter.year == year)
                               .values(last_number=number))
        else:
            db.session.execute(insert(CaseReferenceCounter).values(year=year, last_number=number))
    return references


def consent_flags(case: HistoryCase, today: date) -> bool:
    """Whether the consent recorded at the referral still stands under today's age rules
    (cases/consent.py): the youth consented from 12, the parents below 16; a youth who was under 12 then
    and is 12 or older now has not consented yet."""
    return not (_age(case.birth, today) >= 12 and case.age < 12)


def seed(today: date) -> int:
    """Write the history (after the demo's regions, users, organisations and stories). Returns the number
    of cases."""
    db.session.flush()
    cases = plan(today)
    users = dict(db.session.execute(select(User.email, User.id)).all())
    user_org = dict(db.session.execute(select(User.id, User.organisation_id)).all())
    user_name = dict(db.session.execute(select(User.id, User.name)).all())
    regions = {name: (rid, network) for name, rid, network in db.session.execute(
        select(Region.name, Region.id, Region.network_id))}
    municipalities = {(region, name): mid for region, name, mid in db.session.execute(
        select(Region.name, Municipality.name, Municipality.id).join(Region, Region.id == Municipality.region_id))}
    organisations = dict(db.session.execute(select(Organisation.name, Organisation.id)).all())
    # A youth is referred by their municipality's own access team (the caseworker of the demo who referred
    # it worked for that team then), so the reflection report per access team has each team's cases.
    own_team = dict(db.session.execute(select(Organisation.municipality_id, Organisation.id).where(
        Organisation.kind == OrganisationKind.ACCESS_TEAM.value, Organisation.municipality_id.is_not(None))
        .order_by(Organisation.id.desc())).all())
    team_ids = set(own_team.values())
    networks = dict(db.session.execute(select(Network.id, Network.name)).all())
    answer_days = dict(db.session.execute(select(Network.id, Network.answer_days)).all())
    categories = {(region_id, code): cid for region_id, code, cid in db.session.execute(
        select(GapCategory.region_id, GapCategory.code, GapCategory.id))}
    references = _references(cases)
    setups = {s.name: s for s in REGIONS}

    # The cases.
    case_rows = []
    for c in cases:
        region_id = regions[c.region][0]
        caseworker = users[c.caseworker]
        case_rows.append(dict(
            reference=references[c.key], region_id=region_id, municipality_id=municipalities[(c.region, c.municipality)],
            submitting_organisation_id=own_team.get(municipalities[(c.region, c.municipality)], user_org[caseworker])
            if user_org[caseworker] in team_ids else user_org[caseworker], caseworker_id=caseworker,
            process_director_id=users[c.director], status="closed", status_before_pause=None, track=c.track,
            urgency=c.urgency, youth_first_name=c.first, youth_last_name=c.last, youth_birth_date=c.birth,
            youth_bsn=None, youth_match_key=youth_match_key(c.first, c.last, c.birth), youth_gender=c.gender,
            youth_daytime_activity="Basisonderwijs" if c.age < 12 else "Voortgezet onderwijs" if c.age < 18
            else "Geen dagbesteding",
            question=PROFILES[c.profile].question.format(name=c.first), why_stuck=PROFILES[c.profile].why_stuck,
            placement_intended=c.placement, consent_ret=consent_flags(c, today),
            consent_collective=consent_flags(c, today), consent_network="network" in c.scopes and consent_flags(c, today),
            submitted_at=_at(c.submitted, 9 + c.key % 6), intake_at=_at(c.intake, 10), closed_at=_at(c.closed, 15),
            next_deadline=None, next_due_kind=None, fitting_help_started_on=c.fitting,
            outcome_recorded_at=_at(c.recorded, 11), intake_decision_reason=PROFILES[c.profile].why_stuck,
            advice=None, created_at=_at(back_days(c.submitted, 2), 10), updated_at=_at(c.closed, 15)))
    ids = dict(zip((c.key for c in cases), _insert(Case, case_rows, ids=True)))

    # Family, help tried before, consent.
    member_rows, member_of = [], []
    for c in cases:
        for relation, name, age in c.parents:
            member_rows.append(dict(case_id=ids[c.key], name=name, relation=relation, age=age,
                                    living_situation="Thuis", parental_authority=True))
            member_of.append(c)
    member_ids = _insert(FamilyMember, member_rows, ids=True)
    members: dict[int, list[int]] = {}
    for c, member_id in zip(member_of, member_ids):
        members.setdefault(c.key, []).append(member_id)
    prior_ids = dict(zip((c.key for c in cases), _insert(PriorHelp, [dict(
        case_id=ids[c.key], provider=c.prior[0], help_type=c.prior[1], from_date=c.prior_from, to_date=c.prior_to,
        end_reason=c.prior[2]) for c in cases], ids=True)))
    consent_rows = []
    for c in cases:
        given = back_days(c.submitted, 3)
        people = ([None] if c.age >= 12 else []) + (members[c.key] if c.age < 16 else [])
        for scope in c.scopes:
            for member_id in people:
                consent_rows.append(dict(case_id=ids[c.key], scope=scope, family_member_id=member_id,
                                         given_by_role="youth" if member_id is None else "parent", given_on=given,
                                         form="written", recorded_by_id=users[c.caseworker],
                                         recorded_at=_at(given, 14), withdrawn_on=None, withdrawn_recorded_by_id=None))
    _insert(Consent, consent_rows)

    # The lifecycle: transitions, pauses, the timeline.
    transition_rows, pause_rows, event_rows = [], [], []

    def step(c, source, target, day, actor, hour, reason=None):
        transition_rows.append(dict(case_id=ids[c.key], from_status=source, to_status=target, actor_id=actor,
                                    at=_at(day, hour), reason=reason))

    def entry(c, kind, day, actor, hour, summary=""):
        event_rows.append(dict(case_id=ids[c.key], at=_at(day, hour), actor_id=actor, kind=kind, summary=summary))

    for c in cases:
        chair, director, caseworker = users[setups[c.region].chair], users[c.director], users[c.caseworker]
        step(c, None, "concept", back_days(c.submitted, 2), caseworker, 10)
        step(c, "concept", "submitted", c.submitted, caseworker, 9 + c.key % 6)
        entry(c, "transition:submit", c.submitted, caseworker, 9 + c.key % 6)
        step(c, "submitted", "intake", c.intake, chair, 10)
        entry(c, "intake_decision", c.screening, chair, 11, PROFILES[c.profile].why_stuck)
        entry(c, "participant_invited", c.screening, chair, 11, user_name[director])
        step(c, "intake", "screening", c.screening, chair, 11, "Besproken in het intakeoverleg")
        last = "screening"
        if c.direction:
            entry(c, "screening_finalised", c.direction, director, 13)
            step(c, "screening", "process_direction", c.direction, director, 14)
            last = "process_direction"
        else:
            entry(c, "screening_finalised", back_days(c.closed, 1), director, 13)
        if c.pause:
            step(c, "process_direction", "paused", c.pause[0], director, 10, "Het gezin vraagt bedenktijd.")
            step(c, "paused", "process_direction", c.pause[1], director, 9)
            pause_rows.append(dict(case_id=ids[c.key], start=c.pause[0], end=c.pause[1],
                                   reason="Het gezin vraagt bedenktijd.", started_by_id=director, ended_by_id=director))
        if c.fitting:
            what = ", ".join(name or provider or "" for _t, provider, name, _i, _n in c.helps)
            entry(c, "fitting_help_started", c.fitting, director, 16, f"Passende hulp gestart: {what}.")
            step(c, "process_direction", "monitoring", c.fitting, director, 16)
            last = "monitoring"
        entry(c, "outcome_recorded", c.recorded, director, 11)
        step(c, last, "closed", c.closed, chair, 15, CLOSE_REASONS[c.result])
    _insert(CaseTransition, transition_rows)
    _insert(CasePause, pause_rows)

    # Participants: the process director, the providers that committed.
    participant_rows = []
    for c in cases:
        chair, director = users[setups[c.region].chair], users[c.director]
        participant_rows.append(dict(case_id=ids[c.key], role="ret_member", user_id=director, organisation_id=None,
                                     invited_by_id=chair, invited_at=_at(c.screening, 11), removed_at=None))
        for provider in dict.fromkeys(r.provider for r in c.requests if r.status == "ended"):
            participant_rows.append(dict(case_id=ids[c.key], role="provider", user_id=None,
                                         organisation_id=organisations[provider], invited_by_id=director,
                                         invited_at=_at(c.direction, 15), removed_at=None))
    _insert(CaseParticipant, participant_rows)

    # The screening, finalised.
    _insert(Screening, [dict(
        case_id=ids[c.key], youth_view="Ik wil dat het rustig wordt en dat ik weet waar ik aan toe ben.",
        family_view="We willen hulp die blijft, niet steeds nieuwe gezichten.",
        analysis=PROFILES[c.profile].analysis, advice=PROFILES[c.profile].advice,
        finalised_at=_at(c.direction or back_days(c.closed, 1), 13), finalised_by_id=users[c.director],
        created_at=_at(c.screening, 12), updated_at=_at(c.direction or back_days(c.closed, 1), 13))
        for c in cases])

    # Requests to the collective's providers.
    members_of_org = {}
    for email, user_id in users.items():
        members_of_org.setdefault(user_org[user_id], []).append((email, user_id))
    request_rows, request_of = [], []
    for c in cases:
        director = users[c.director]
        for index, r in enumerate(c.requests):
            provider = next(p for p in setups[c.region].providers if p.name == r.provider)
            # A provider without a member of its own answered by phone; the process director recorded it.
            answerer = users[provider.member] if provider.member else director
            reply_days = 1 if c.urgency == "crisis" else 3
            request_rows.append(dict(
                case_id=ids[c.key], organisation_id=organisations[r.provider], role=r.role, care_type=r.care_type,
                question="Kunt u deze hulp bieden, of zeggen wanneer dat wel kan?",
                reply_by=add_days(r.asked, reply_days), status=r.status, requested_at=_at(r.asked, 10),
                requested_by_id=director, submission_key=f"demo-history-{c.key}-request-{index}",
                answered_at=_at(r.answered, 14), answered_by_id=answerer,
                answer_key=f"demo-history-{c.key}-answer-{index}", decline_reason=r.decline_reason,
                decline_text=DECLINE_TEXTS.get(r.decline_reason or "", ""),
                contact_name="Aanmeldcoördinator" if r.status != "declined" else "", contact_phone="",
                intended_start=r.started, withdrawn_at=None, withdrawn_by_id=None, withdraw_text="",
                started_on=r.started, ended_on=r.ended))
            request_of.append(c)
            entry(c, "request_made", r.asked, director, 10, r.provider)
            if r.status == "declined":
                entry(c, "request_declined", r.answered, answerer, 14, r.provider)
            else:
                entry(c, "request_accepted", r.answered, answerer, 14, r.provider)
                entry(c, "commitment_started", r.started, director, 16, r.provider)
                entry(c, "commitment_ended", r.ended, director, 14, r.provider)
    request_ids = _insert(ProviderRequest, request_rows, ids=True)
    declined_of: dict[int, list[int]] = {}
    for c, row, request_id in zip(request_of, request_rows, request_ids):
        if row["status"] == "declined":
            declined_of.setdefault(c.key, []).append(request_id)

    # Escalations to the region's network.
    escalated = [c for c in cases if c.escalation]
    escalation_rows = []
    for c in escalated:
        e, chair = c.escalation, users[setups[c.region].chair]
        network_id = regions[c.region][1]
        escalation_rows.append(dict(
            case_id=ids[c.key], network_id=network_id, status=e.status, why_exhausted=PROFILES[c.profile].why_stuck,
            question_kind="placement" if c.placement else "consultation",
            question="Kan het netwerk helpen een passende plek of aanpak te vinden?", urgency=c.urgency,
            expected_answer_date=add_days(e.sent, answer_days[network_id]), created_at=_at(back_days(e.sent, 1), 15),
            created_by_id=users[c.director], sent_at=_at(e.sent, 10), sent_by_id=chair,
            decline_reason="Deze vraag kan de regio zelf oplossen; het netwerk ziet geen bovenregionale vraag."
            if e.status == "declined" else "",
            network_director_name=e.director_name,
            network_director_organisation=setups[c.region].network_organisation if e.director_name else "",
            result=e.result, result_text=ESCALATION_ANSWERS[e.result] if e.result else "", withdraw_reason="",
            submission_key=f"demo-history-{c.key}-escalation", last_key=None))
    escalation_ids = _insert(Escalation, escalation_rows, ids=True)
    step_rows, message_rows, tried_rows = [], [], []
    for c, row, escalation_id in zip(escalated, escalation_rows, escalation_ids):
        e, setup = c.escalation, setups[c.region]
        actors = {"chair": users[setup.chair], "liaison": users[setup.liaison]}
        for name, source, target, day, actor in e.steps:
            step_rows.append(dict(escalation_id=escalation_id, name=name, from_status=source, to_status=target,
                                  actor_id=actors[actor], at=_at(day, 11),
                                  reason=row["decline_reason"] if name == "decline" else ""))
            entry(c, f"escalation_{name}", day, actors[actor], 11, networks[regions[c.region][1]])
        if e.answered:
            message_rows.append(dict(escalation_id=escalation_id, side="network", kind="answer",
                                     text=ESCALATION_ANSWERS[e.result], reply_to_id=None,
                                     author_id=actors["liaison"], at=_at(e.answered, 11),
                                     submission_key=f"demo-history-{c.key}-answer"))
        tried = [("provider_request", request_id) for request_id in declined_of.get(c.key, [])]
        tried.append(("prior_help", prior_ids[c.key]))
        tried_rows.extend(dict(escalation_id=escalation_id, kind=kind, object_id=object_id) for kind, object_id in tried)
    _insert(EscalationStep, step_rows)
    _insert(EscalationMessage, message_rows)
    _insert(EscalationTried, tried_rows)

    # The outcomes.
    outcome_ids = _insert(CaseOutcome, [dict(
        case_id=ids[c.key], result=c.result, placement_result=c.placement_result,
        placement_note={"carried_out": "Geplaatst in een woonvorm met behandeling.",
                        "prevented": "Met intensieve hulp thuis kon de jeugdige thuis blijven wonen.",
                        "other": "De jeugdige woont tijdelijk bij familie."}.get(c.placement_result or "", ""),
        lessons=PROFILES[c.profile].lesson if c.key % 2 == 0 else "", recorded_by_id=users[c.director],
        recorded_at=_at(c.recorded, 11), changed_by_id=None, changed_at=None,
        working_days_to_fitting_help=c.working_days[0], working_days_to_close=c.working_days[1],
        created_at=_at(c.recorded, 11), updated_at=_at(c.recorded, 11)) for c in cases], ids=True)
    help_rows, gap_rows = [], []
    for c, outcome_id in zip(cases, outcome_ids):
        region_id = regions[c.region][0]
        for position, (care_type, provider, name, inside, network) in enumerate(c.helps, start=1):
            help_rows.append(dict(outcome_id=outcome_id, case_id=ids[c.key], position=position, care_type=care_type,
                                  organisation_id=organisations[provider] if provider else None,
                                  provider_name=name, inside_region=inside, via_network=network))
        for position, (code, care_type, note) in enumerate(c.gaps, start=1):
            gap_rows.append(dict(outcome_id=outcome_id, case_id=ids[c.key], position=position,
                                 gap_category_id=categories[(region_id, code)], care_type=care_type, note=note))
    _insert(OutcomeHelp, help_rows)
    _insert(OutcomeGap, gap_rows)

    # Confirmed re-referrals: the later case links the earlier one.
    link_rows = []
    by_key = {c.key: c for c in cases}
    for c in cases:
        if c.earlier is None:
            continue
        earlier, chair = by_key[c.earlier], users[setups[c.region].chair]
        link_rows.append(dict(case_id=ids[c.key], earlier_case_id=ids[earlier.key], basis="name", status="confirmed",
                              suggested_at=_at(c.submitted, 9 + c.key % 6), decided_by_id=chair,
                              decided_at=_at(c.intake, 10, 30)))
        entry(c, "rereferral_suggested", c.submitted, None, 9 + c.key % 6, references[earlier.key])
        entry(c, "rereferral_confirmed", c.intake, chair, 10, references[earlier.key])
        entry(earlier, "rereferred_later", c.intake, chair, 10, references[c.key])
    _insert(CaseLink, link_rows)
    _insert(CaseEvent, event_rows)
    return len(cases)
