"""Anonymisation across every export an outsider or a learning session receives.

A region with closed cases whose people have distinctive names (youth, parents, sibling, staff, outside
providers), BSNs, addresses, postcodes, schools, phone numbers, e-mail addresses and birth dates. Those
values are planted in EVERY free-text column of every table that hangs off a case (found by inspecting
the models: `test_every_text_column_of_a_case_is_planted_or_excused` fails when a new column is neither
planted nor excused with a reason), and in the chair's responses to the signal they raise. The outcomes
reach the signal threshold, so the rule raises a signal. Then every export is produced — the vignette
(page and PDF), the learning-session pack, the signal report (PDF and CSV), the analyst's page and the
monitor API's JSON — its text extracted (pypdf, csv, json) and searched for the planted values, also in
normalised forms (case and whitespace ignored, digits of BSN/phone/dates without separators, Dutch
written dates). Each export must also hold what it is for (counts, sections), so that an empty export
cannot pass.

A new export is one entry in EXPORTS: a name and a function (Exports -> text) that produces it the way
its user gets it and asserts that it is not trivially empty.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Callable

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    Attachment, Base, Case, CaseAction, CaseEvent, CaseOutcome, CaseParticipant, CasePause,
    CaseAddendum, CaseTransition, Consent, CorrectionRequest, Decision, DestructionEntry, DestructionList, ErasureRequest, Escalation, EscalationDateChange, EscalationMessage, EscalationReminder,
    EscalationStep, EscalationTried, FamilyMember, GapCategory, GapSignal, InspectionRequest, LearningVignette, LegalGround, LegalHold, WithheldPart,
    MeetingItem, MinutesAddendum, OutcomeGap, OutcomeHelp, Plan, PlanGoal, PlanReview, PlanVersion, PriorHelp,
    ProviderRequest, Screening, ScreeningAddendum, ScreeningContribution, ScreeningReportFile, SignalEvidence, User,
)
from tests.conftest import csrf_token, login

# --- the people and their identifiers ---------------------------------------------------------------------

STAFF = {"chair": "Wilhelmina Oosterbroek", "director": "Cornelis Terwindt", "member": "Adelheid Vreeswijk",
         "caseworker": "Gijsbertha Koppelaar", "provider_member": "Anselmus Brinkgreve",
         "other_provider_member": "Reinout Spijkerboer", "provider": "Zorggroep Klaverblad",
         "other_provider": "Stichting Eikenhorst", "outsider": "Kliniek Wolkenveld"}
OUTSIDE_PROVIDER = "Praktijk Duizendblad"      # a plan goal's provider outside the region (a typed name)
OUTCOME_PROVIDER = "Zorgboerderij Hazelaarhoeve"  # help arranged outside the region, named on the outcome only
PRIOR_PROVIDER = "Jeugdpraktijk Morgenrood"    # prior help (a typed name)
NETWORK_DIRECTOR = "Rosalinde Achterberg"
BEHAVIOURAL_SCIENTIST = "Theodora Wijnbergen"
CONTACT = "Leonardus Hofstede"


@dataclass(frozen=True)
class Youth:
    first: str
    last: str
    mother: str
    father: str
    sibling: str
    bsn: str
    birth: date
    street: str
    postcode: str
    town: str
    school: str
    phone: str
    email: str


YOUTHS = [
    Youth("Quirinus", "Vandermolen", "Ermengarde Vandermolen", "Hildebrand Zwartkruis", "Philomena Zwartkruis",
          "123456782", date(2014, 3, 3), "Kastanjelaan 114", "7207 KP", "Lochuizen", "Zonnewijzer Lyceum",
          "06-12345678", "q.vandermolen@voorbeeldpost.nl"),
    Youth("Evertdina", "Baljeu", "Marijke Baljeu", "Sieuwert Oudshoorn", "Tjalling Oudshoorn",
          "987654321", date(2009, 11, 21), "Vlierbesstraat 7", "6851 ZX", "Hummelbroek", "Het Klimopcollege",
          "0575-987654", "evertdina.baljeu@postvak.nl"),
    Youth("Barendina", "Kloppenburg", "Geeske Kloppenburg", "Wubbo Tjarksma", "Feije Tjarksma",
          "111222333", date(2012, 7, 9), "Pimpernelhof 23a", "8011 QR", "Dreumelstad", "De Regenboogschool",
          "+31 6 24681357", "g.kloppenburg@huisadres.nl"),
]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]


def free_text(y: Youth) -> str:
    """What a free-text field of the youth's case says: every name, number, address and date at once."""
    return (f"{y.first} {y.last} (BSN {y.bsn[:3]}.{y.bsn[3:6]}.{y.bsn[6:]}, geboren {y.birth.day} "
            f"{MONTHS[y.birth.month - 1]} {y.birth.year}, ook {y.birth:%d-%m-%Y}) zit op {y.school} en woont aan de "
            f"{y.street}, {y.postcode} {y.town}, met moeder {y.mother}, vader {y.father} en {y.sibling}. "
            f"Jeugdconsulent {STAFF['caseworker']} en procesregisseur {STAFF['director']} spraken met "
            f"{STAFF['provider_member']} van {STAFF['provider']}, met {STAFF['other_provider']} en "
            f"{STAFF['outsider']}; {BEHAVIOURAL_SCIENTIST}, {CONTACT}, {NETWORK_DIRECTOR} en voorzitter "
            f"{STAFF['chair']} dachten mee, met {STAFF['member']} en {STAFF['other_provider_member']}. Eerder "
            f"{PRIOR_PROVIDER}, toen {OUTSIDE_PROVIDER}, nu {OUTCOME_PROVIDER}. Bel {y.phone} of mail {y.email}.")


def short_text(y: Youth) -> str:
    """For the columns of at most 200 characters."""
    return f"{y.first} {y.last}, {y.bsn}, {y.street} {y.postcode}, {y.school}, {y.phone}, {y.birth:%d-%m-%Y}"


def values_of(y: Youth) -> list[str]:
    """Every value of one youth's case that must not leave it (names also in parts)."""
    parts = [y.first, y.last, y.bsn, y.street, y.street.split()[0], y.postcode, y.town, y.school, y.email,
             y.email.split("@")[1], y.phone]
    for person in (y.mother, y.father, y.sibling):
        parts += person.split()
    parts += [w for w in y.school.split() if len(w) > 3 and w not in ("School",)]
    b = y.birth
    parts += [f"{b.day} {MONTHS[b.month - 1]} {b.year}", f"{b:%d-%m-%Y}", f"{b.day}-{b.month}-{b.year}",
              b.isoformat(), f"{b:%d/%m/%Y}"]
    return parts


STAFF_VALUES = [part for name in list(STAFF.values()) + [OUTSIDE_PROVIDER, OUTCOME_PROVIDER, PRIOR_PROVIDER,
                                                         NETWORK_DIRECTOR, BEHAVIOURAL_SCIENTIST, CONTACT]
                for part in name.split() if part not in ("Zorggroep", "Stichting", "Kliniek", "Praktijk")
                and len(part) > 3] + ["Jeugdpraktijk"]


# --- normalised search ------------------------------------------------------------------------------------

def _joined_digits(text: str) -> str:
    """Digits with the separators between them removed: 123.456.782 / 06-1234 5678 / 03-03-2014 all join."""
    return re.sub(r"(?<=\d)[\s.\-/()+]+(?=\d)", "", text)


def normalised(text: str) -> str:
    return _joined_digits(re.sub(r"\s+", " ", text).lower()).replace(" ", "")


def _forms(value: str) -> set[str]:
    forms = {normalised(value)}
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 8 and not re.search(r"[a-z]", value.lower()):
        forms.add(digits)
        if digits.startswith("31"):
            forms.add(digits[2:])  # +31 6 ... is 6... in a national number
        if digits.startswith("0"):
            forms.add(digits[1:])  # 06-... written +31 6 ...
    return forms


def leaks(text: str, values: list[str]) -> list[str]:
    flat = normalised(text)
    return sorted({value for value in values for form in _forms(value) if form and form in flat})


def test_the_search_finds_the_normalised_forms():
    y = YOUTHS[0]
    found = leaks("QUIRINUS, bsn 123 456 782, tel. +31 (0)6 1234 5678, geboren 3 Maart 2014 (2014/03/03) in "
                  "Loch\nuizen; e-mail Q.Vandermolen@VoorbeeldPost.nl", values_of(y))
    assert {"Quirinus", "123456782", "06-12345678", "3 maart 2014", "2014-03-03", "Lochuizen",
            "q.vandermolen@voorbeeldpost.nl"} <= set(found)
    assert leaks("maart 2014, 12–15 jaar, [jeugdige], 3 cases", values_of(y)) == []


# --- which columns hang off a case, and how each is planted ----------------------------------------------

# Columns that hold a code from a fixed list, a key or a value the application writes itself (never typed by
# a person): they cannot carry a name. Everything else that is String/Text is planted below.
EXCUSED = {
    "ret_case": {"reference": "generated reference (searched for as a secret itself)", "status": "code",
                 "submission_key": "random key",
                 "status_before_pause": "code", "track": "code", "urgency": "code", "youth_gender": "code",
                 "next_due_kind": "code"},
    "attachment": {"content_type": "MIME type", "sha256": "hash", "storage_key": "random key",
                   "submission_key": "random key"},
    "case_action": {"status": "code", "submission_key": "random key"},
    "case_event": {"kind": "code"},
    "case_link": {"basis": "code", "status": "code"},
    "case_outcome": {"result": "code", "placement_result": "code"},
    "case_participant": {"role": "code"},
    "case_transition": {"from_status": "code", "to_status": "code"},
    "consent": {"scope": "code", "given_by_role": "code", "form": "code"},
    "erasure_request": {"requester_kind": "code", "status": "code", "refusal_ground": "code",
                        "submission_key": "random key"},
    "erasure_record": {"reference": "generated reference", "why": "code", "summary": "counts per table (generated)"},
    "decision": {"kind": "code", "care_type": "code", "status": "code", "mandate_finding": "code",
                 "placement_outcome": "code", "submission_key": "random key"},
    "escalation": {"status": "code", "question_kind": "code", "urgency": "code", "decline_reason": "code",
                   "result": "code", "submission_key": "random key", "last_key": "random key"},
    "escalation_message": {"side": "code", "kind": "code", "submission_key": "random key"},
    "escalation_reminder": {"submission_key": "random key"},
    "escalation_step": {"name": "code", "from_status": "code", "to_status": "code"},
    "escalation_tried": {"kind": "code"},
    "family_member": {"relation": "code", "submission_key": "random key"},
    "learning_vignette": {"status": "code", "title": "the export itself (generated, checked below)",
                          "text": "the export itself (generated, checked below)",
                          "withdraw_reason": "the chair's reason, never exported (only withdrawn vignettes)"},
    "legal_ground": {"scope": "code"},
    "meeting_item": {"purpose": "code"},
    "outcome_gap": {"care_type": "code"},
    "outcome_help": {"care_type": "code"},
    "plan_goal": {"voiced_by": "code", "status": "code", "care_type": "code", "submission_key": "random key"},
    "plan_review": {"help_fits": "code", "submission_key": "random key"},
    "prior_help": {"submission_key": "random key"},
    "screening_addendum": {"submission_key": "random key"},
    "minutes_addendum": {"submission_key": "random key"},
    "inspection_request": {"submission_key": "random key"},
    "correction_request": {"submission_key": "random key"},
    "provider_request": {"role": "code", "care_type": "code", "status": "code", "submission_key": "random key",
                         "answer_key": "random key", "decline_reason": "code"},
    "screening_contribution": {"domain": "code"},
    "signal_evidence": {"kind": "code", "detail": "a code the rule writes (decline reason / escalation result)"},
    "signal_response": {"step": "code", "from_status": "code", "to_status": "code", "owner_from": "code",
                        "owner_to": "code"},
}
# Columns that hold a name, a number or a school: `build_case` writes the person's or organisation's own
# value there (as a user would, and as the scrubber must know it); `plant` writes free text everywhere else.
PLANTED_BY_BUILD = {("erasure_request", "requester_name"), ("ret_case", "youth_first_name"), ("ret_case", "youth_last_name"), ("ret_case", "youth_bsn"),
                    ("ret_case", "youth_daytime_activity"), ("family_member", "name"),
                    ("provider_request", "contact_name"), ("provider_request", "contact_phone"),
                    ("decision", "behavioural_scientist_name"), ("escalation", "network_director_name"),
                    ("escalation", "network_director_organisation"), ("prior_help", "provider"),
                    ("plan_goal", "provider_name"), ("outcome_help", "provider_name"), ("attachment", "filename")}
# Tables that hang off a case through something else than a foreign key chain of the case (planted by hand).
EXTRA_TABLES = {"signal_response"}
# JSON columns: planted as a whole document.
JSON_PLANTED = {("plan_version", "content")}
SKIP_PARENTS = {"user_account", "organisation", "region", "municipality"}


def case_tables() -> dict[str, sa.Table]:
    """Every table whose rows belong to a case: the case, the tables with a foreign key to it and, recursively,
    to those (not through users, organisations, regions, municipalities); plus EXTRA_TABLES."""
    tables = Base.metadata.tables
    linked = {"ret_case"}
    changed = True
    while changed:
        changed = False
        for table in tables.values():
            if table.name not in linked and any(
                    fk.column.table.name in linked and fk.column.table.name not in SKIP_PARENTS
                    for fk in table.foreign_keys):
                linked.add(table.name)
                changed = True
    return {name: tables[name] for name in sorted(linked | EXTRA_TABLES)}


def text_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text)) and not c.primary_key]


def planted_columns() -> dict[str, list[sa.Column]]:
    return {name: [c for c in text_columns(table) if c.name not in EXCUSED.get(name, {})]
            for name, table in case_tables().items()}


def test_every_text_column_of_a_case_is_planted_or_excused():
    """A new String/Text column on anything of a case is planted by `plant` (it writes every column this lists)
    unless it is excused here with a reason; an excuse for a column that no longer exists is stale."""
    tables = case_tables()
    for name, excused in EXCUSED.items():
        assert name in tables, f"EXCUSED names {name}, which is no table of a case any more"
        names = {c.name for c in tables[name].columns}
        assert set(excused) <= names, f"{name}: stale excuses {set(excused) - names}"
    planted = planted_columns()
    # The free text the issue names is among what is planted (the inspection is not vacuous).
    for table, column in [("ret_case", "question"), ("ret_case", "why_stuck"), ("family_member", "name"),
                          ("screening", "analysis"), ("plan", "fitting_help_what"), ("provider_request", "question"),
                          ("provider_request", "decline_text"), ("decision", "text"), ("case_action", "description"),
                          ("escalation", "question"), ("escalation", "result_text"), ("case_outcome", "lessons"),
                          ("case_outcome", "placement_note"), ("outcome_gap", "note"),
                          ("outcome_help", "provider_name"), ("signal_response", "text"), ("meeting_item", "notes")]:
        assert column in {c.name for c in planted[table]}, (table, column)


# --- the region -----------------------------------------------------------------------------------------

@dataclass
class Exports:
    """What the producers need: the app, the world, the closed cases and a client per person."""
    app: object
    world: object
    case_ids: list[int]
    references: list[str]
    category_name: str
    secret: str  # the monitor API token
    clients: dict = field(default_factory=dict)

    def client(self, who: str):
        if who not in self.clients:
            client = self.app.test_client()
            login(client, self.app, self.world[who])
            self.clients[who] = client
        return self.clients[who]


def _truncate(column: sa.Column, text: str) -> str:
    length = getattr(column.type, "length", None)
    return text[:length] if length else text


def build_case(app, factory, world, y: Youth, *, category_id: int, closed_days_ago: int) -> int:
    """A closed case of `y` with a row in every table of a case; the text columns are planted afterwards."""
    text, short = free_text(y), short_text(y)
    now = utcnow()
    case_id = factory.case(world.caseworker, world.municipality, status="closed", track="process_direction",
                           urgency="urgent", placement_intended=True, birth_date=y.birth,
                           process_director_id=world.director.id, consent_ret=True,
                           submitted_at=now - timedelta(days=200), intake_at=now - timedelta(days=195),
                           closed_at=now - timedelta(days=closed_days_ago),
                           outcome_recorded_at=now - timedelta(days=closed_days_ago),
                           fitting_help_started_on=date.today() - timedelta(days=60))
    meeting_id = factory.meeting(world.chair, status="approved", cases=(case_id,),
                                 starts_at=now - timedelta(days=120))
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.youth_first_name, case.youth_last_name, case.youth_bsn = y.first, y.last, y.bsn
        case.youth_gender = "male"
        case.youth_daytime_activity = f"Leerling van {y.school}, klas 2"
        chair, director = world.chair.id, world.director.id
        case.family_members = [
            FamilyMember(name=y.mother, relation="mother", age=41, parental_authority=True),
            FamilyMember(name=y.father, relation="father", age=44, parental_authority=True),
            FamilyMember(name=y.sibling, relation="sibling", age=9)]
        case.prior_help = [PriorHelp(provider=PRIOR_PROVIDER, help_type=short, from_date=date(2022, 4, 12),
                                     to_date=date(2023, 1, 9), end_reason=text)]
        db.session.flush()
        db.session.add_all([
            Consent(case_id=case_id, scope="ret", family_member_id=case.family_members[0].id, given_by_role="parent",
                    given_on=date.today() - timedelta(days=200), form="written", recorded_by_id=director),
            LegalGround(case_id=case_id, scope="network", reason=text, recorded_by_id=director),
            Attachment(case_id=case_id, filename=f"Verslag {y.first} {y.last} {y.birth:%d-%m-%Y}.pdf", content_type="application/pdf", size=10,
                       sha256="0" * 64, storage_key=secrets.token_hex(16), uploaded_by_id=director),
            CaseParticipant(case_id=case_id, role="provider", organisation_id=world.provider.id, invited_by_id=chair),
            CaseTransition(case_id=case_id, from_status="monitoring", to_status="closed", actor_id=chair, reason=text),
            CasePause(case_id=case_id, start=date.today() - timedelta(days=150), end=date.today() - timedelta(days=149),
                      reason=text, started_by_id=director),
            CaseEvent(case_id=case_id, actor_id=director, kind="note", summary=text),
        ])
        screening = Screening(case_id=case_id, youth_view=text, family_view=text, analysis=text, advice=text,
                              finalised_at=now - timedelta(days=150), finalised_by_id=director)
        screening.contributions = [ScreeningContribution(author_id=director, organisation_id=world.ret.id,
                                                         domain="safety", severity=3, notes=text, sources=text)]
        plan = Plan(case_id=case_id, fitting_help_what=text)
        plan.goals = [PlanGoal(text=text, voiced_by="youth", status="reached", care_type="ambulatory",
                               provider_id=world.provider.id),
                      PlanGoal(text=text, voiced_by="family", status="partly", provider_name=OUTSIDE_PROVIDER)]
        requests = [
            ProviderRequest(case_id=case_id, organisation_id=world.other_provider.id, role="lead_provider",
                            care_type="residential", question=text, reply_by=date.today() - timedelta(days=100),
                            status="declined", decline_reason="no_capacity", decline_text=text,
                            requested_by_id=director, answered_by_id=world.provider_member.id,
                            answered_at=now - timedelta(days=100), requested_at=now - timedelta(days=104),
                            submission_key=secrets.token_hex(8), contact_name=CONTACT, contact_phone=y.phone),
            ProviderRequest(case_id=case_id, organisation_id=world.provider.id, role="lead_provider",
                            care_type="ambulatory", question=text, reply_by=date.today() - timedelta(days=90),
                            status="started", requested_by_id=director, contact_name=CONTACT,
                            submission_key=secrets.token_hex(8), started_on=date.today() - timedelta(days=60))]
        item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id))
        decision = Decision(item_id=item.id, case_id=case_id, municipality_id=world.municipality.id,
                            kind="commits_help", text=text, care_type="ambulatory", provider_id=world.provider.id,
                            amount_eur=Decimal("12000"), status="binding", alternatives_considered=text,
                            behavioural_scientist_name=BEHAVIOURAL_SCIENTIST, behavioural_scientist_role=short,
                            behavioural_scientist_judgement=text, placement_outcome="prevented",
                            placement_alternative=text, submission_key=secrets.token_hex(8), recorded_by_id=chair)
        escalation = Escalation(case_id=case_id, network_id=world.network.id, status="closed", why_exhausted=text,
                                question_kind="consultation", question=text, created_by_id=director,
                                sent_at=now - timedelta(days=110), decline_reason="", result="not_solved",
                                result_text=text, network_director_name=NETWORK_DIRECTOR,
                                network_director_organisation=PRIOR_PROVIDER, submission_key=secrets.token_hex(8))
        db.session.add_all([screening, plan, decision, escalation, *requests])
        db.session.flush()
        db.session.add_all([
            ScreeningAddendum(screening_id=screening.id, author_id=director, text=text),
            ScreeningReportFile(screening_id=screening.id, fingerprint="0" * 64, content=b"%PDF-1.7", size=8),
            PlanReview(plan_id=plan.id, planned_on=date.today() - timedelta(days=30), planned_by_id=director,
                       held_on=date.today() - timedelta(days=29), help_fits="partly", own_judgement=text,
                       what_changes=text, recorded_by_id=director, recorded_at=now - timedelta(days=29)),
            PlanVersion(plan_id=plan.id, number=1, agreed_by_id=chair, decision_id=decision.id, content={}),
            CaseAction(case_id=case_id, item_id=item.id, description=text, owner_user_id=director,
                       due_date=date.today() - timedelta(days=100), submission_key=secrets.token_hex(8),
                       created_by_id=chair),
            MinutesAddendum(meeting_id=meeting_id, item_id=item.id, text=text, author_id=chair),
            EscalationMessage(escalation_id=escalation.id, side="ret", kind="question", text=text, author_id=director,
                              submission_key=secrets.token_hex(8)),
            EscalationReminder(escalation_id=escalation.id, sent_by_id=director, note=text,
                               submission_key=secrets.token_hex(8)),
            EscalationStep(escalation_id=escalation.id, name="close", from_status="answered", to_status="closed",
                           actor_id=director, reason=text),
            EscalationDateChange(escalation_id=escalation.id, new_date=date.today() - timedelta(days=90), reason=text,
                                 changed_by_id=director),
            EscalationTried(escalation_id=escalation.id, kind="request", object_id=requests[0].id),
        ])
        # Privacy: a refused erasure request, a lifted legal hold, an entry taken off a destruction list.
        db.session.add_all([
            ErasureRequest(case_id=case_id, region_id=world.region.id, requester_kind="parent", requester_name=y.mother,
                           received_on=date.today() - timedelta(days=20), due_on=date.today() + timedelta(days=70),
                           status="refused", refusal_ground="others_interest", refusal_reason=text,
                           recorded_by_id=chair, decided_by_id=chair),
            LegalHold(case_id=case_id, reason=text, placed_by_id=chair, lifted_reason=text, lifted_by_id=chair,
                      lifted_at=now - timedelta(days=1)),
            DestructionList(region_id=world.region.id, drafted_on=date.today(), status="done", entries=[
                DestructionEntry(case_id=case_id, retain_until=date.today(), removed_reason=text, removed_by_id=chair,
                                 removed_at=now)]),
            # An inspection handed over with a part withheld, a correction granted as an addendum.
            InspectionRequest(case_id=case_id, requester_kind="parent", requester_name=y.mother,
                              received_on=date.today() - timedelta(days=15), status="handed_over",
                              rule="parent_authority_under_16", recorded_by_id=chair, handed_over_by_id=chair,
                              handed_over_on=date.today() - timedelta(days=10),
                              withheld=[WithheldPart(section="family", reason=short)]),
            CorrectionRequest(case_id=case_id, requester_kind="parent", requester_name=y.mother,
                              received_on=date.today() - timedelta(days=15), section="screening", asked=text,
                              decision="granted", decision_reason=text, recorded_by_id=chair, decided_by_id=chair,
                              decided_at=now - timedelta(days=9)),
            CaseAddendum(case_id=case_id, section="screening", text=text, made_by_id=chair),
        ])
        outcome = CaseOutcome(case_id=case_id, result="not_realised", placement_result="carried_out",
                              placement_note=text, lessons=text, recorded_by_id=director,
                              recorded_at=now - timedelta(days=closed_days_ago), working_days_to_fitting_help=40,
                              working_days_to_close=120)
        outcome.helps = [OutcomeHelp(case_id=case_id, care_type="residential", provider_name=OUTCOME_PROVIDER,
                                    inside_region=False),
                        OutcomeHelp(case_id=case_id, care_type="ambulatory", organisation_id=world.provider.id,
                                    inside_region=True)]
        outcome.gaps = [OutcomeGap(case_id=case_id, gap_category_id=category_id, care_type="residential", note=text)]
        db.session.add(outcome)
        db.session.commit()
    return case_id


def plant(app, case_ids: list[int], youths: list[Youth]) -> dict[str, int]:
    """Every planted column of every row of each case set to that case's free text (cut to the column's
    length). Returns the number of rows planted per table (every table must have some)."""
    tables = case_tables()
    planted = planted_columns()
    rows: dict[str, int] = {}
    with app.app_context():
        for case_id, y in zip(case_ids, youths):
            text, short = free_text(y), short_text(y)
            for name, columns in planted.items():
                table = tables[name]
                where = _belongs_to(table, tables, case_id)
                if where is None:
                    continue
                values = {column.name: _truncate(column, text if (getattr(column.type, "length", None) or 10**6)
                                                   >= len(text) else short)
                          for column in columns if (name, column.name) not in PLANTED_BY_BUILD}
                for table_name, column_name in JSON_PLANTED:
                    if table_name == name:
                        values[column_name] = {"text": text, "goals": [{"text": text}]}
                if values:
                    db.session.execute(table.update().where(where).values(**values))
                rows[name] = rows.get(name, 0) + db.session.scalar(
                    select(sa.func.count()).select_from(table).where(where))
        db.session.commit()
    return rows


def _belongs_to(table: sa.Table, tables: dict, case_id: int):
    """A WHERE clause for the rows of `table` belonging to the case (through the chain of foreign keys)."""
    if table.name == "ret_case":
        return table.c.id == case_id
    if "case_id" in table.c:
        return table.c.case_id == case_id
    if table.name == "signal_response":
        return None  # planted by hand (the chair's responses)
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent.name in tables and parent.name not in SKIP_PARENTS and parent is not table:
            inner = _belongs_to(parent, tables, case_id)
            if inner is not None:
                return fk.parent.in_(select(fk.column).where(inner))
    return None


def _category(app, region_id: int, code: str = "no_living_place") -> tuple[int, str]:
    with app.app_context():
        row = db.session.scalar(select(GapCategory).where(GapCategory.region_id == region_id,
                                                          GapCategory.code == code))
        return row.id, row.name


@pytest.fixture(scope="module")
def exports(app, _module_transaction) -> Exports:
    """The region, built once for the module (in the module's transaction, rolled back at its end)."""
    from tests.conftest import Factory
    from tests.worlds import World

    factory = Factory(app)
    world = World(factory, names=STAFF, network=True)
    world.analyst = factory.user("analyst", factory.organisation("management", region_id=world.region.id).id,
                                 name="Analist Amberveld")
    category_id, category_name = _category(app, world.region.id)
    # Closed a few days ago, but in this calendar year (the year views of the analyst and the API read it).
    into_year = (date.today() - date(date.today().year, 1, 1)).days
    case_ids = [build_case(app, factory, world, y, category_id=category_id, closed_days_ago=min(3 + i, into_year))
                for i, y in enumerate(YOUTHS)]
    rows = plant(app, case_ids, YOUTHS)
    missing = sorted(set(planted_columns()) - {n for n, count in rows.items() if count} - EXTRA_TABLES
                     - {n for n, cols in planted_columns().items() if not cols})
    assert not missing, f"tables of a case without a planted row: {missing}"
    with app.app_context():
        from ret_app.signals import rule
        from ret_app.signals import services as signal_services

        rule.evaluate_region(world.region.id)
        signals = db.session.scalars(select(GapSignal).where(GapSignal.region_id == world.region.id)).all()
        assert signals, "three cases with the same gap in the window raise a signal"
        chair = db.session.get(User, world.chair.id)
        for signal in signals:
            signal_services.respond(signal, chair, {"owner": "policy", "step": "take_up",
                                                    "text": free_text(YOUTHS[0])})
            signal_services.respond(signal, chair, {"text": free_text(YOUTHS[1])})
        assert db.session.scalar(select(sa.func.count()).select_from(SignalEvidence)) >= 3
        references = [db.session.get(Case, case_id).reference for case_id in case_ids]
        db.session.commit()
    from tests.test_api import issue

    _token_id, secret = issue(app, world.analyst.organisation_id, world.admin.id)
    return Exports(app=app, world=world, case_ids=case_ids, references=references, category_name=category_name,
                   secret=secret)


# --- the producers: one entry per export --------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-", data[:80]
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def html_text(body: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


def _post(client, path: str, data: dict, page: str):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _vignettes(ex: Exports) -> list[int]:
    """The chair generates and approves a vignette of each closed case (once per test)."""
    if "vignette_ids" in ex.clients:
        return ex.clients["vignette_ids"]
    chair = ex.client("chair")
    ids = []
    for case_id in ex.case_ids:
        response = _post(chair, f"/casussen/{case_id}/leerverhaal", {}, f"/casussen/{case_id}")
        assert response.status_code == 302 and "/leerverhalen/" in response.headers["Location"]
        with ex.app.app_context():
            vignette = db.session.scalar(select(LearningVignette).where(LearningVignette.case_id == case_id))
            vignette_id, version = vignette.id, vignette.version
        approved = _post(chair, f"/leerverhalen/{vignette_id}/goedkeuren", {"version": str(version)},
                         f"/leerverhalen/{vignette_id}")
        assert approved.status_code == 302
        ids.append(vignette_id)
    ex.clients["vignette_ids"] = ids
    return ids


def vignette_page(ex: Exports) -> str:
    texts = []
    for vignette_id in _vignettes(ex):
        response = ex.client("chair").get(f"/leerverhalen/{vignette_id}")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        text = html_text(body.split('id="vignette-text"', 1)[1].split("</article>", 1)[0])
        assert "[jeugdige]" in text and "Hoe het afliep" in text, text[:500]
        texts.append(text)
    return "\n".join(texts)


def vignette_pdf(ex: Exports) -> str:
    texts = []
    for vignette_id in _vignettes(ex):
        response = ex.client("chair").get(f"/leerverhalen/{vignette_id}/leerverhaal.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = pdf_text(response.data)
        assert f"LV-{vignette_id}" in text and "[jeugdige]" in text
        texts.append(text)
    return "\n".join(texts)


def learning_pack_pdf(ex: Exports) -> str:
    ids = _vignettes(ex)
    data, mimetype = via_page(ex, "chair", "/leerverhalen/pakket", {"leerverhaal": ids}, "/leerverhalen/pakket")
    assert mimetype == "application/pdf"
    text = pdf_text(data)
    assert all(f"LV-{i}" in text for i in ids) and text.count("[jeugdige]") >= len(ids)
    return text


def _period() -> str:
    from ret_app.signals import report

    return report.default_period().key


def signal_report_pdf(ex: Exports) -> str:
    data, mimetype = via_page(ex, "chair", "/signalen/rapport", {"report-period": _period(), "report-format": "pdf"},
                              "/signalen/hiaten")
    assert mimetype == "application/pdf"
    text = pdf_text(data)
    flat = " ".join(text.split())
    assert ex.category_name in flat and "<5" in flat, flat[:2000]
    return text


def signal_report_csv(ex: Exports) -> str:
    raw, mimetype = via_page(ex, "chair", "/signalen/rapport", {"report-period": _period(), "report-format": "csv"},
                             "/signalen/hiaten")
    assert mimetype == "text/csv"
    data = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    signal_rows = [r for r in rows if r and r[0] == "Signalen"]
    assert signal_rows and any(ex.category_name in r[1] for r in signal_rows), rows[:10]
    assert any(r[-1] in ("<5", "x") for r in rows[2:])  # the small numbers are protected
    return data


def analyst_page(ex: Exports) -> str:
    response = ex.client("analyst").get(f"/cijfers?kind=month&year={date.today().year}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<svg" in body and "&lt;5" in body, body[:3000]
    for case_id in ex.case_ids:
        assert ex.client("analyst").get(f"/casussen/{case_id}").status_code == 404
    main = body.split("<main", 1)[1] if "<main" in body else body
    return html_text(main)


def api_flow_json(ex: Exports) -> str:
    data = api_json(ex, "/api/v1/flow?period=month")
    assert data["periods"] and any(p["closed"]["shown"] == "<5" for p in data["periods"]), data
    return json.dumps(data, ensure_ascii=False)


def api_outcomes_json(ex: Exports) -> str:
    data = api_json(ex, f"/api/v1/outcomes?period=month&year={date.today().year}")
    assert data["periods"] and any(p["results"]["not_realised"]["shown"] not in ("0",) for p in data["periods"]), data
    return json.dumps(data, ensure_ascii=False)


def api_gaps_json(ex: Exports) -> str:
    data = api_json(ex, f"/api/v1/gaps?period=year&year={date.today().year}")
    flat = json.dumps(data, ensure_ascii=False)
    assert data["periods"] and ex.category_name in flat, flat[:2000]
    return flat


def api_signals_json(ex: Exports) -> str:
    data = api_json(ex, f"/api/v1/signals?period=year&year={date.today().year}")
    assert data["signals"] and any(s["category"]["name"] == ex.category_name for s in data["signals"]), data
    return json.dumps(data, ensure_ascii=False)


def _reflection_pdf(ex: Exports, subject: dict) -> str:
    year = date.today().year
    data, mimetype = via_export_job(ex, "chair", "reflection-report",
                                    {**subject, "kind": "year", "start": f"{year}-01-01"}, "/reflectie")
    assert mimetype == "application/pdf"
    text = pdf_text(data)
    flat = " ".join(text.split())
    assert str(year) in flat and "<5" in flat and ex.category_name in flat, flat[:2000]
    return text


def reflection_report_team_pdf(ex: Exports) -> str:
    return _reflection_pdf(ex, {"team": ex.world.team.id})


def reflection_report_municipality_pdf(ex: Exports) -> str:
    return _reflection_pdf(ex, {"municipality": ex.world.municipality.id})


def via_export_job(ex: Exports, who: str, kind: str, params: dict, page: str = "/exports") -> tuple[bytes, str]:
    """An export made as a job (ret_app/exports): requested by `who` with the form's `params` (POST
    /exports/<kind>/aanvragen; jobs run synchronously in tests), then downloaded by them. -> (bytes, mimetype)."""
    return via_page(ex, who, f"/exports/{kind}/aanvragen", params, page)


def via_page(ex: Exports, who: str, path: str, form: dict, page: str) -> tuple[bytes, str]:
    """An export asked for with the form of its page (`path`, shown on `page`), made by the job runner and
    downloaded from the job by the one who asked. -> (bytes, mimetype)."""
    client = ex.client(who)
    response = _post(client, path, form, page)
    assert response.status_code == 302 and re.search(r"/exports/\d+$", response.headers["Location"]), (
        response.status_code, response.headers.get("Location"))
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    download = client.get(f"/exports/{job_id}/bestand")
    assert download.status_code == 200, download.get_data(as_text=True)[:500]
    return download.data, download.mimetype


def api_json(ex: Exports, path: str) -> dict:
    """A monitor API answer with the region's token."""
    response = ex.app.test_client().get(path, headers={"Authorization": f"Bearer {ex.secret}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# One entry per export an outsider or a learning session receives. To add one, write a producer that makes it
# as its user gets it, asserts that it holds what it is for (so an empty export cannot pass) and returns its
# text (via_export_job for an export job, api_json for the monitor API).
EXPORTS: list[tuple[str, Callable[[Exports], str]]] = [
    ("vignette page", vignette_page),
    ("vignette PDF", vignette_pdf),
    ("learning pack PDF", learning_pack_pdf),
    ("signal report PDF", signal_report_pdf),
    ("signal report CSV", signal_report_csv),
    ("analyst page", analyst_page),
    ("reflection report PDF (access team)", reflection_report_team_pdf),
    ("reflection report PDF (municipality)", reflection_report_municipality_pdf),
    ("API /api/v1/flow", api_flow_json),
    ("API /api/v1/outcomes", api_outcomes_json),
    ("API /api/v1/gaps", api_gaps_json),
    ("API /api/v1/signals", api_signals_json),
]


def all_secrets(ex: Exports) -> list[str]:
    values = list(STAFF_VALUES) + list(ex.references)
    for y in YOUTHS:
        values += values_of(y)
    return values


def test_the_planted_values_are_in_the_database_so_the_search_can_fail(app, exports):
    """The control: what the exports are made of holds every value, in every planted column."""
    with app.app_context():
        case = db.session.get(Case, exports.case_ids[0])
        assert (case.youth_first_name, case.youth_bsn) == (YOUTHS[0].first, YOUTHS[0].bsn)
        tables = case_tables()
        for name, columns in planted_columns().items():
            if name in EXTRA_TABLES or not columns:
                continue
            where = _belongs_to(tables[name], tables, exports.case_ids[0])
            for column in columns:
                values = [str(v) for v in db.session.scalars(select(column).where(where)) if v]
                assert any(leaks(v, values_of(YOUTHS[0]) + STAFF_VALUES) for v in values), (name, column.name, values)
    found = leaks(free_text(YOUTHS[0]) + " " + exports.references[0], all_secrets(exports))
    assert {"Quirinus", "123456782", "3 maart 2014", "Kastanjelaan", "Oosterbroek", "Duizendblad",
            exports.references[0]} <= set(found)


@pytest.fixture(scope="module")
def produced(exports) -> dict:
    """Every export produced once (the producers sign people in and generate vignettes: module data)."""
    out = {}
    for name, producer in EXPORTS:
        try:
            out[name] = producer(exports)
        except Exception as error:  # noqa: BLE001  (reported by the export's own test below)
            out[name] = error
    return out


@pytest.mark.parametrize("name", [name for name, _producer in EXPORTS])
def test_no_export_holds_a_planted_value(exports, produced, name):
    text = produced[name]
    if isinstance(text, BaseException):
        raise text
    found = leaks(text, all_secrets(exports))
    assert found == [], f"{name} holds {found}:\n" + "\n".join(_context(text, found))


def _context(text: str, found: list[str]) -> list[str]:
    """Where each value stands in the export (for the failure message)."""
    lines = []
    flat = " ".join(text.split())
    for value in found:
        index = flat.lower().find(value.lower())
        lines.append(f"  {value!r}: " + (f"...{flat[max(0, index - 80):index + 80]}..." if index >= 0
                                         else "(in a normalised form)"))
    return lines


def test_the_job_helper_requests_and_downloads_an_export(exports):
    """via_export_job, for the exports that run as jobs: a test kind made and downloaded by the chair."""
    from tests import export_kinds

    export_kinds.register()
    try:
        data, mimetype = via_export_job(exports, "chair", export_kinds.REPORT, {"steps": "2"})
    finally:
        export_kinds.unregister()
    assert mimetype == "text/csv" and data == f"requester;{exports.world.chair.id}\n1;ok\n2;ok\n".encode()
