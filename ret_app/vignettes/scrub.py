"""The one scrubber of free text that leaves the case: learning vignettes now, the signal and reflection
reports, CSV and API exports later. Three passes, each leaving what earlier passes put in ("[moeder]")
alone:

1. Known identifiers (`known_identifiers(case)`, from `cast_of(case)`): every name the case holds (the
   youth, family members, the staff on the case, organisations, the municipality, the region, prior
   providers, contact persons, the network's process director), the BSN, the case's reference and the
   birth date in its usual spellings. Matched case- and accent-insensitively on word boundaries, also
   as parts ("Quirijnsen-Vlieghe" -> "Quirijnsen", "Vlieghe") and with a possessive "'s"; each is
   replaced by its role ("[jeugdige]", "[moeder]", "[aanbieder A]"). A name part two people share
   becomes "[naam]".
2. Patterns: e-mail addresses, web addresses, phone numbers, postcodes, street + house number, BSN-like
   numbers, case references, school names ("Zwanenmeer College", "basisschool De Klimop") and exact
   dates (made month-level: "12-03-2024" -> "maart 2024").
3. `deduce` (Dutch de-identification of care texts, from PyPI): persons, places, institutions, dates,
   ages, numbers it finds. Loaded once per process, lazily, on first use (about 6-10 s and 1 GB of
   memory; the first run after installing builds its lookup cache, over a minute): only the chair's
   generate and save load it. Its dates are made month-level too; what lies inside an age band
   ("12-15 jaar") or one of our own markers is kept.

Nothing here logs or stores what it replaced: `Scrubbed.replaced` is for the chair's screen only.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES
from ret_app.stats.periods import MONTH_NAMES

log = logging.getLogger(__name__)

# --- what the passes produce ------------------------------------------------------------------------


@dataclass(frozen=True)
class Identifier:
    """Something of the case that must not leave it: `value` as it is written, `replacement` the role
    or kind that takes its place ("[moeder]"), `kind` for the tests and the chair ("person", ...)."""

    value: str
    replacement: str
    kind: str


@dataclass(frozen=True)
class Replacement:
    original: str
    replacement: str
    source: str  # "known", "pattern" or "deduce"


@dataclass(frozen=True)
class Scrubbed:
    text: str
    replaced: tuple[Replacement, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.replaced)


# --- the cast: people and organisations of a case as roles ------------------------------------------

PARTICLES = {"van", "de", "der", "den", "het", "ter", "ten", "te", "op", "in", "'t", "el", "al", "la", "le", "du",
             "da", "di", "von", "zu", "bin", "ben", "ibn", "uit", "aan", "vd", "v.d."}
# Words of organisation names that name no one (only the rest of such a name is looked for by itself).
GENERIC_WORDS = {
    "toegangsteam", "toegang", "jeugd", "jeugdhulp", "jeugdzorg", "zorg", "stichting", "gemeente", "regionaal",
    "regionale", "expertteam", "expertisecentrum", "team", "organisatie", "centrum", "groep", "netwerk",
    "jeugdbescherming", "ggz", "ret", "hswv", "wijkteam", "sociaal", "lokaal", "school", "college", "aanbieder",
    "provider", "kinder", "kind", "kinderen", "jongeren", "gezin", "gezinnen", "voor", "regio", "midden", "noord",
    "zuid", "oost", "west", "management", "beleid", "network", "access", "management", "bovenregionaal",
    "expertise", "behandeling", "woongroep", "gezinshuis", "opvang", "crisis", "dienst", "diensten", "huis",
    "procesregie", "regie", "demo", "praktijk", "instelling", "zorgaanbieder", "hulp", "ambulant", "ambulante",
    "kliniek", "psychiatrie", "jeugdpsychiatrie", "eetstoornis", "eetstoornissen", "orthopedagogisch",
    "gezinsbehandeling", "pleegzorg", "dagbesteding", "verblijf", "behandelgroep", "opvoedondersteuning",
} | {  # the words of the care types' names: "Dagbehandeling" in a provider's name is the care, not the provider
    word.strip("()-").lower() for care_type in DEFAULT_CARE_TYPES for word in care_type.name.split()
}


class Cast:
    """Who is who in one case, as roles: the youth, family members by relation, the staff on the case by
    their part in it, providers as "aanbieder A", "aanbieder B" in order of appearance. The generator
    writes these roles; the scrubber replaces every name with them (`identifiers`)."""

    def __init__(self) -> None:
        self.identifiers: list[Identifier] = []
        self._providers: dict[Any, str] = {}
        self._users: dict[int, str] = {}

    # -- roles --
    def provider(self, key: Any, name: Optional[str] = None) -> str:
        """The role of a provider (an organisation id, or a name of one outside the region)."""
        if key in self._providers:
            return self._providers[key]
        index = len(self._providers)
        letter = chr(ord("A") + index) if index < 26 else str(index + 1)
        role = _("provider %(letter)s", letter=letter)
        self._providers[key] = role
        if name:
            self.add(name, role, "organisation")
        return role

    def user(self, user, role: str) -> str:
        """A staff member's role (the first part they are given in the case is kept)."""
        if user is None:
            return role
        known = self._users.get(user.id)
        if known is not None:
            return known
        self._users[user.id] = role
        self.add(user.name, role, "person")
        self.add(user.email, role, "person")
        return role

    def user_role(self, user_id: Optional[int], default: str) -> str:
        return self._users.get(user_id, default) if user_id is not None else default

    # -- identifiers --
    def add(self, value: Optional[str], role: str, kind: str) -> None:
        value = " ".join((value or "").split())
        if len(value) < 2:
            return
        self.identifiers.append(Identifier(value, bracket(role), kind))
        if kind == "person":
            for part in name_parts(value):
                self.identifiers.append(Identifier(part, bracket(role), "person_part"))
        elif kind == "organisation":
            for part in organisation_parts(value):
                self.identifiers.append(Identifier(part, bracket(role), "organisation_part"))


def bracket(role: str) -> str:
    return role if role.startswith("[") else f"[{role}]"


def name_parts(name: str) -> list[str]:
    """The parts of a person's name that are looked for by themselves: first name, last name (also each
    half of a double name), never a particle ("van", "de"), a number or an initial."""
    parts: list[str] = []
    words = [w.strip(".,;:()\"'") for w in name.split()]
    for word in words:
        for piece in [word] + (word.split("-") if "-" in word else []):
            if len(piece) >= 2 and piece.lower() not in PARTICLES and not any(c.isdigit() for c in piece) \
                    and any(c.isalpha() for c in piece):
                parts.append(piece)
    # "van Dijk": the last name with its particles too.
    for i, word in enumerate(words):
        if word.lower() in PARTICLES and i + 1 < len(words) and i > 0:
            parts.append(" ".join(words[i:]))
    return parts


def organisation_parts(name: str) -> list[str]:
    """The words of an organisation's name that name it by themselves ("Pluryn" in "Stichting Pluryn")."""
    words = [w.strip(".,;:()\"'") for w in name.split()]
    if len(words) < 2:
        return []
    return [w for w in words if len(w) >= 4 and w.isalpha() and w[0].isupper() and w.lower() not in GENERIC_WORDS]


def date_spellings(day: date) -> list[str]:
    """A date as people write it: 03-04-2010, 3-4-2010, 03/04/2010, 2010-04-03, 3 april 2010, 03-04-'10."""
    d, m, y = day.day, day.month, day.year
    month = DUTCH_MONTHS[m - 1]
    return [f"{d:02d}-{m:02d}-{y}", f"{d}-{m}-{y}", f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}", f"{d:02d}.{m:02d}.{y}",
            day.isoformat(), f"{d} {month} {y}", f"{d:02d} {month} {y}", f"{d} {month[:3]} {y}",
            f"{d:02d}-{m:02d}-{y % 100:02d}", f"{d}-{m}-{y % 100:02d}", f"{d} {month}"]


# Capabilities whose records of a case name people or providers the case itself does not (the outcome's
# help arranged by a provider outside the region, who recorded it) add them to the cast, so that the
# generator's sections and every later scrub of the case (the chair's edits) know them, without this
# module knowing those records: `register_cast(fn)` with `fn(case, cast) -> None`.
_CAST_CONTRIBUTORS: dict[str, Callable[[Any, "Cast"], None]] = {}


def register_cast(fn: Callable[[Any, "Cast"], None], name: Optional[str] = None) -> Callable[[Any, "Cast"], None]:
    """Add `fn(case, cast)`, called at the end of `cast_of` (registering the same name again replaces it)."""
    _CAST_CONTRIBUTORS[name or f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def cast_of(case) -> Cast:
    """Everyone and everything of the case that names someone, as roles (see `Cast`)."""
    from sqlalchemy import select

    from ret_app.extensions import db
    from ret_app.labels import RELATION_LABELS
    from ret_app.models import (
        Decision, Escalation, Organisation, Plan, PlanGoal, ProviderRequest, Screening,
        ScreeningContribution, User,
    )

    cast = Cast()
    youth = _("youth")
    cast.add(case.youth_name, youth, "person")
    cast.add(case.youth_first_name, youth, "person")
    cast.add(case.youth_last_name, youth, "person")
    if case.youth_bsn:
        bsn = case.youth_bsn
        for spelling in (bsn, f"{bsn[:3]}.{bsn[3:6]}.{bsn[6:]}", f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}",
                         f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}", f"{bsn[:4]} {bsn[4:6]} {bsn[6:]}"):
            cast.add(spelling, "BSN", "number")
    if case.youth_birth_date:
        for spelling in date_spellings(case.youth_birth_date):
            cast.add(spelling, _("date of birth"), "date")
    cast.add(case.reference, _("reference"), "reference")
    if case.youth_daytime_activity:
        # What the youth does by day often names the school: the whole, and its capitalised names.
        cast.add(case.youth_daytime_activity, _("school or daytime activity"), "school")
        # (Not the first word: "Leerling van ...", "Voortgezet onderwijs" start with a capital but name no one.)
        for match in re.finditer(r"(?:[A-Z][\w'’-]+)(?:\s+(?:de|het|van|der|'t|[A-Z][\w'’-]+))*",
                                 case.youth_daytime_activity):
            phrase = match.group(0)
            if match.start() == 0:  # "Leerling van De Regenboogschool": what follows the first word
                phrase = re.sub(r"^\S+(?:\s+(?:de|het|van|der|'t))*\s*", "", phrase)
                if not phrase[:1].isupper():
                    continue
            for name in (phrase, re.sub(r"^(?:De|Het|'t)\s+", "", phrase)):
                if name.lower() not in GENERIC_WORDS and len(name) >= 3:
                    cast.add(name, _("school or daytime activity"), "school")

    counts: dict[str, int] = {}
    for member in case.family_members:
        counts[member.relation] = counts.get(member.relation, 0) + 1
    seen: dict[str, int] = {}
    for member in case.family_members:
        label = str(RELATION_LABELS.get(member.relation, member.relation)).lower()
        if counts[member.relation] > 1:
            seen[member.relation] = seen.get(member.relation, 0) + 1
            label = f"{label} {seen[member.relation]}"
        cast.add(member.name, label, "person")

    cast.add(case.municipality.name if case.municipality else "", _("municipality"), "place")
    cast.add(case.region.name if case.region else "", _("region"), "place")
    org = case.submitting_organisation
    cast.add(org.name if org else "", _("access team"), "organisation")
    cast.user(case.caseworker, _("caseworker"))
    if case.process_director is not None:
        cast.user(case.process_director, _("process director"))

    # Providers in order of appearance: on the case, asked, in the plan, in decisions.
    for participant in case.participants:
        if participant.organisation_id is not None:
            cast.provider(participant.organisation_id, participant.organisation.name)
    requests = db.session.scalars(select(ProviderRequest).where(ProviderRequest.case_id == case.id)
                                  .order_by(ProviderRequest.id)).all()
    plan = db.session.scalar(select(Plan).where(Plan.case_id == case.id))
    goals = db.session.scalars(select(PlanGoal).where(PlanGoal.plan_id == plan.id)).all() if plan else []
    decisions = db.session.scalars(select(Decision).where(Decision.case_id == case.id).order_by(Decision.id)).all()
    escalations = db.session.scalars(select(Escalation).where(Escalation.case_id == case.id)
                                     .order_by(Escalation.id)).all()
    org_ids = {r.organisation_id for r in requests} | {g.provider_id for g in goals if g.provider_id} | {
        d.provider_id for d in decisions if d.provider_id}
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))} \
        if org_ids else {}
    for request in requests:
        cast.provider(request.organisation_id, orgs[request.organisation_id].name)
        cast.add(request.contact_name, _("contact person of %(provider)s", provider=cast.provider(
            request.organisation_id)), "person")
        cast.add(request.contact_phone, _("phone number"), "number")
    for goal in goals:
        if goal.provider_id:
            cast.provider(goal.provider_id, orgs[goal.provider_id].name)
        elif goal.provider_name:
            cast.provider(("name", goal.provider_name.lower()), goal.provider_name)
    for decision in decisions:
        if decision.provider_id:
            cast.provider(decision.provider_id, orgs[decision.provider_id].name)
        cast.add(decision.behavioural_scientist_name, _("behavioural scientist"), "person")
    for number, help_before in enumerate(case.prior_help, start=1):
        cast.add(help_before.provider, _("earlier provider %(number)s", number=number), "organisation")
    for escalation in escalations:
        cast.add(escalation.network.name if escalation.network else "", _("network"), "organisation")
        cast.add(escalation.network.short_name if escalation.network else "", _("network"), "organisation")
        cast.add(escalation.network_director_name, _("process director of the network"), "person")
        cast.add(escalation.network_director_organisation, _("organisation of the network"), "organisation")

    # The staff who wrote on the case: participants, screening authors, whoever decided or asked.
    user_ids = {p.user_id for p in case.participants if p.user_id} | {r.requested_by_id for r in requests} | {
        r.answered_by_id for r in requests if r.answered_by_id} | {d.recorded_by_id for d in decisions}
    screening = db.session.scalar(select(Screening).where(Screening.case_id == case.id))
    contributions = db.session.scalars(select(ScreeningContribution).where(
        ScreeningContribution.screening_id == screening.id)).all() if screening else []
    user_ids |= {c.author_id for c in contributions}
    user_ids |= {e.created_by_id for e in escalations}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    for user_id in sorted(users):
        user = users[user_id]
        role = {"chair": _("chair"), "ret_member": _("RET member"), "caseworker": _("caseworker"),
                "provider_member": _("staff member of %(provider)s", provider=cast.provider(user.organisation_id))
                if user.organisation_id in cast._providers else _("staff member of a provider"),
                }.get(user.role, _("staff member"))
        cast.user(user, role)
        if user.organisation is not None and user.organisation_id not in cast._providers:
            kind_role = {"ret": _("RET"), "access_team": _("access team")}.get(user.organisation.kind)
            if kind_role:
                cast.add(user.organisation.name, kind_role, "organisation")
            else:
                cast.provider(user.organisation_id, user.organisation.name)
    # What other capabilities know of the case (the outcome's help arranged, who recorded it).
    for contribute in list(_CAST_CONTRIBUTORS.values()):
        contribute(case, cast)
    # The region's other organisations: a text may name a provider or team that never worked on the case.
    kind_roles = {"ret": _("RET"), "access_team": _("access team")}
    for org in db.session.scalars(select(Organisation).where(Organisation.region_id == case.region_id)
                                  .order_by(Organisation.id)):
        if org.id in cast._providers:
            continue
        if org.kind == "provider":
            cast.provider(org.id, org.name)
        else:
            cast.add(org.name, kind_roles.get(org.kind, _("organisation")), "organisation")
    return cast


def known_identifiers(case) -> list[Identifier]:
    """Every value of the case that names someone or something, with what replaces it."""
    return cast_of(case).identifiers


# --- pass 1: known identifiers --------------------------------------------------------------------


def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch)[0] if ch else ch
    low = base.lower()
    return low if len(low) == 1 else base


def fold(text: str) -> str:
    """Lower case without accents, one character for one (so positions in the fold are positions in the text)."""
    return "".join(_fold_char(ch) for ch in text)


KIND_RANK = {"person": 0, "number": 0, "date": 0, "reference": 0, "place": 1, "school": 1, "organisation": 2,
             "person_part": 3, "organisation_part": 4}
MARKER = re.compile(r"\[[^\[\]\n]{1,80}\]")
REPEATED_MARKER = re.compile(r"(\[[^\[\]\n]{1,80}\])(?:[ \t]+\1)+")
POSSESSIVE = r"(?:['’]?s)?"


def _protected(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in MARKER.finditer(text)]


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _apply(text: str, found: list[tuple[int, int, str, str]]) -> tuple[str, list[Replacement]]:
    """Replace the spans (start, end, replacement, source) that do not overlap an earlier one."""
    chosen: list[tuple[int, int, str, str]] = []
    for start, end, replacement, source in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if chosen and start < chosen[-1][1]:
            continue
        chosen.append((start, end, replacement, source))
    out, replaced, last = [], [], 0
    for start, end, replacement, source in chosen:
        out.append(text[last:start])
        out.append(replacement)
        replaced.append(Replacement(text[start:end], replacement, source))
        last = end
    out.append(text[last:])
    return "".join(out), replaced


def _known_pass(text: str, identifiers: Iterable[Identifier]) -> tuple[str, list[Replacement]]:
    # A value several identifiers share: a whole name or place before a part of one; two people sharing a
    # name part become "[naam]".
    table: dict[str, dict[int, set[str]]] = {}
    for identifier in identifiers:
        key = " ".join(fold(identifier.value).split())
        if len(key) >= 2:
            rank = KIND_RANK.get(identifier.kind, 1)
            table.setdefault(key, {}).setdefault(rank, set()).add(identifier.replacement)
    if not table:
        return text, []
    lookup = {}
    for key, ranks in table.items():
        values = ranks[min(ranks)]
        lookup[key] = next(iter(values)) if len(values) == 1 else bracket(_("name"))
    alternatives = sorted(lookup, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alternatives) + ")"
                         + POSSESSIVE + r"(?!\w)")
    folded = fold(text)
    protected = _protected(text)
    found = []
    for match in pattern.finditer(folded):
        if _overlaps(match.span(), protected):
            continue
        key = " ".join(match.group(1).split())
        found.append((match.start(), match.end(), lookup[key], "known"))
    return _apply(text, found)


# --- pass 2: patterns -----------------------------------------------------------------------------

DUTCH_MONTHS = MONTH_NAMES
_MONTH_WORDS = {name: i for i, name in enumerate(DUTCH_MONTHS, start=1)}
_MONTH_WORDS.update({name[:3]: i for name, i in list(_MONTH_WORDS.items())})
_MONTH_WORDS.update({"sept": 9, "okt": 10, "mrt": 3, "march": 3, "may": 5, "june": 6, "july": 7, "october": 10,
                     "january": 1, "february": 2, "august": 8})
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTH_WORDS), key=len, reverse=True))

DATE_DMY = re.compile(r"(?<![\w/.-])(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?![\w/-])")
DATE_YMD = re.compile(r"(?<![\w/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w/-])")
DATE_WORDS = re.compile(r"(?<!\w)(\d{1,2})(?:e|ste|de)?\s+(" + _MONTH_RE + r")\.?(?:\s+('?\d{4}|'\d{2}))?(?!\w)",
                        re.IGNORECASE)

# What takes the place of what a pattern or deduce finds.
WORDS = {
    "person": _l("person"), "place": _l("place"), "institution": _l("institution"), "date": _l("date"),
    "age": _l("age"), "BSN": "BSN", "number": _l("number"), "phone number": _l("phone number"),
    "e-mail address": _l("e-mail address"), "web address": _l("web address"), "reference": _l("reference"),
    "postcode": _l("postcode"), "address": _l("address"), "school": _l("school"), "removed": _l("removed"),
}

PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "e-mail address"),
    (re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE), "web address"),
    (re.compile(r"(?<![\w-])RET-\d{4}-\d{3,6}(?!\w)", re.IGNORECASE), "reference"),
    (re.compile(r"(?<![\w+])(?:\+31|0031|0)(?:[\s-]?\(?\d\)?){9}(?!\d)"), "phone number"),
    # A Dutch postcode, with the town written after it as in an address ("7207 KP Lochuizen").
    (re.compile(r"(?<!\w)[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}(?!\w)(?:,?[ \t]+(?:'s-|'t[ \t])?[A-Z][\w'’-]+)?"),
     "postcode"),
    (re.compile(r"(?<!\w)[A-Z][\w'’-]*(?:straat|laan|weg|plein|gracht|singel|kade|dijk|hof|pad|steeg|dreef|park|"
                r"veld|markt|baan|ring|erf|plantsoen|wal|burgwal|haven|dam)\s+\d{1,4}(?:\s?[a-zA-Z](?![\w]))?"
                r"(?:[-\s]\d{1,3})?(?!\w)"), "address"),
    (re.compile(r"(?<![\w.])(?:\d[ .]?){8}\d(?![\w])"), "number"),
    (re.compile(r"(?<!\w)(?:(?:[A-Z][\w'’-]+|de|het|De|Het|'t)\s+){0,3}(?:College|Lyceum|Gymnasium|"
                r"Scholengemeenschap|Academie|Campus|Mavo|Havo|Vwo)(?!\w)"), "school"),
    # One word ending in school/college/lyceum: "De Regenboogschool", "Het Klimopcollege" (not the kinds of school).
    (re.compile(r"(?<!\w)(?:(?:de|het|De|Het|'t)\s+)?(?!(?:Basis|Hoge|Praktijk|Middelbare|Speciale|Vak|Zomer)"
                r"(?:school|college))[A-Z][a-z'’-]{2,}(?:school|college|lyceum|gymnasium|academie)(?!\w)"), "school"),
    (re.compile(r"(?<!\w)(?:[Bb]asisschool|[Ss]chool|SBO|S?VSO|SO|[OoCcKk]bs|IKC|[Ii]kc)\s+(?:(?:de|het|De|Het|'t)\s+)?"
                r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}"), "school"),
]


def month_level(written: str) -> Optional[str]:
    """An exact date as its month ("12-03-2024" -> "maart 2024"), or None when it cannot be read."""
    written = written.strip()
    for regex, order in ((DATE_DMY, "dmy"), (DATE_YMD, "ymd")):
        match = regex.fullmatch(written)
        if match:
            a, b, c = match.groups()
            day, month, year = (int(a), int(b), c) if order == "dmy" else (int(c), int(b), a)
            year_number = int(year) + (2000 if len(year) == 2 and int(year) < 50 else 1900 if len(year) == 2 else 0)
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{DUTCH_MONTHS[month - 1]} {year_number}"
            return None
    match = DATE_WORDS.fullmatch(written)
    if match:
        month = _MONTH_WORDS.get(match.group(2).lower().rstrip("."))
        year = (match.group(3) or "").lstrip("'")
        if month is None:
            return None
        if not year:
            return DUTCH_MONTHS[month - 1]
        year_number = int(year) + (2000 if len(year) == 2 else 0)
        return f"{DUTCH_MONTHS[month - 1]} {year_number}"
    return None


def _pattern_pass(text: str) -> tuple[str, list[Replacement]]:
    protected = _protected(text)
    found = []
    for regex in (DATE_DMY, DATE_YMD, DATE_WORDS):
        for match in regex.finditer(text):
            if not _overlaps(match.span(), protected):
                found.append((match.start(), match.end(), month_level(match.group(0)) or bracket(str(WORDS["date"])),
                              "pattern"))
    for regex, kind in PATTERNS:
        for match in regex.finditer(text):
            if not _overlaps(match.span(), protected):
                found.append((match.start(), match.end(), bracket(str(WORDS[kind])), "pattern"))
    return _apply(text, found)


# --- pass 3: deduce ---------------------------------------------------------------------------------

_model = None
_model_lock = threading.Lock()
_deduce_lock = threading.Lock()

DEDUCE_WORDS = {
    "persoon": "person", "patient": "person", "locatie": "place", "ziekenhuis": "institution",
    "zorginstelling": "institution", "instelling": "institution", "datum": "date", "leeftijd": "age",
    "bsn": "BSN", "id": "number", "telefoonnummer": "phone number", "emailadres": "e-mail address",
    "url": "web address",
}
# Age bands the generator writes ("12-15 jaar", "18–23 jaar"): deduce reads the upper bound as an age.
AGE_BAND = re.compile(r"\d{1,2}\s*[–-]\s*\d{1,2}\s+jaar")


class DeidentificationUnavailable(RuntimeError):
    """deduce could not be loaded: nothing is generated or saved unscrubbed."""


def deduce_model():
    """The deduce model, loaded once per process on first use."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                started = time.perf_counter()
                try:
                    from deduce import Deduce

                    _model = Deduce()
                except Exception as error:  # an install or data problem: refuse rather than pass text through
                    log.error("deduce could not be loaded: %s", type(error).__name__)
                    raise DeidentificationUnavailable(str(type(error).__name__)) from error
                log.info("deduce loaded in %.1f s", time.perf_counter() - started)
    return _model


def _deduce_pass(text: str) -> tuple[str, list[Replacement]]:
    if not text.strip():
        return text, []
    model = deduce_model()
    with _deduce_lock:
        document = model.deidentify(text)
    protected = _protected(text) + [m.span() for m in AGE_BAND.finditer(text)]
    found = []
    for annotation in document.annotations:
        span = (annotation.start_char, annotation.end_char)
        if _overlaps(span, protected):
            continue
        tag = annotation.tag.split("+")[0].lower()
        word = DEDUCE_WORDS.get(tag, "removed")
        replacement = (month_level(annotation.text) or bracket(str(WORDS["date"]))) if word == "date" \
            else bracket(str(WORDS[word]))
        if replacement == annotation.text:
            continue
        found.append((span[0], span[1], replacement, "deduce"))
    return _apply(text, found)


# --- the scrubber ---------------------------------------------------------------------------------


def scrub(text: str, identifiers: Iterable[Identifier] = (), *, use_deduce: bool = True) -> Scrubbed:
    """`text` without what names someone (see the module's docstring), and what was replaced."""
    text = text or ""
    replaced: list[Replacement] = []
    text, found = _known_pass(text, list(identifiers))
    replaced += found
    text, found = _pattern_pass(text)
    replaced += found
    if use_deduce:
        text, found = _deduce_pass(text)
        replaced += found
    # "[aanbieder B] [aanbieder B]" (a name replaced part by part) reads as one.
    text = REPEATED_MARKER.sub(r"\1", text)
    return Scrubbed(text, tuple(replaced))


def remaining(text: str, identifiers: Iterable[Identifier]) -> list[str]:
    """The known identifiers still in `text` (for the tests and as a last check before saving)."""
    folded = fold(text)
    out = []
    for identifier in identifiers:
        key = fold(identifier.value)
        if re.search(r"(?<!\w)" + re.escape(key).replace(r"\ ", r"\s+") + r"(?!\w)", folded):
            out.append(identifier.value)
    return out


