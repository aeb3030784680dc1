"""Every form says truly what it needs, and refuses everything at once.

A field is required (its label says nothing more), optional (its label says "(optioneel)": it can
be left empty and saved) or needed at a later step or in a named case (its label says so, e.g.
"(nodig om in te dienen)": it can be left empty and saved, and that step refuses it). The tests
are driven by the forms themselves: every FlaskForm of ret_app is found, its fields sorted by their
flags, and each form is posted through its own page by a scenario below:

* with every optional and needed field left empty, it saves;
* with every required field left empty, it is refused, every required field shown with its error
  and listed, linked, in the page's error summary, in one answer;
* each needed field is refused at its step, together with the step's other missing fields.

A new form fails `test_every_form_has_a_scenario` until it gets a scenario here (or an exemption
with its reason); a new field of a form fails the scenario's tests until its scenario gives it a
value (required) or its step lists it (needed).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import secrets
from dataclasses import dataclass, field as dataclass_field
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any, Callable, Iterator, Optional
from urllib.parse import urlsplit

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField
from wtforms.csrf.core import CSRFTokenField

import ret_app
from ret_app.extensions import db
from ret_app.forms import FlaskForm as AppFormBase
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    CareType,
    Case,
    CaseParticipant,
    Consent,
    Decision,
    MeetingItem,
    Plan,
    PlanGoal,
    PlanReview,
    ProviderCareType,
    ProviderProfile,
    Screening,
)
from tests.conftest import CSRF_RE, TEST_PASSWORD, Factory, login
from tests.worlds import World

TODAY = date.today()


def _running_quarter() -> str:
    from ret_app.stats.periods import Period

    return Period.containing("quarter", TODAY).key


# --- the forms of the app, and what their fields are ---------------------------------------------

def app_forms() -> dict[str, type]:
    """Every FlaskForm subclass defined in ret_app, by dotted name."""
    for module in pkgutil.walk_packages(ret_app.__path__, "ret_app."):
        importlib.import_module(module.name)
    found: dict[str, type] = {}
    todo = list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("ret_app.") and cls is not AppFormBase:  # the base, not a form
            found[f"{cls.__module__}.{cls.__name__}"] = cls
    return found


def typed_fields(form) -> Iterator:
    """The fields a user fills in (not hidden, not the CSRF token, not a checkbox: unticked is a value)."""
    for f in form:
        if not isinstance(f, (HiddenField, CSRFTokenField, BooleanField)):
            yield f


def kind_of(f) -> str:
    if getattr(f.flags, "needed", None):
        return "needed"
    return "required" if f.flags.required else "optional"


# --- scenarios: how each form is posted ------------------------------------------------------------

@dataclass
class Step:
    """A later step that needs some of the form's `needed` fields: posted with the form's valid values,
    `values` on top and `fields` left empty, it must refuse listing every one of `fields`."""

    name: str
    fields: tuple[str, ...]
    values: dict = dataclass_field(default_factory=dict)
    url: Optional[Callable[[Any], str]] = None  # default: where the form posts


@dataclass
class Scenario:
    form: str  # dotted name of the form class
    who: Optional[str]  # the world's user who posts it (None: signed out)
    page: Callable[[Any], str]  # the page showing the form
    url: Callable[[Any], str]  # where it posts
    valid: Callable[[Any], dict] = lambda w: {}  # a valid value for every required field (short names)
    prefix: str = ""
    kwargs: dict = dataclass_field(default_factory=dict)  # for the form's constructor
    save: bool = True  # False: the form is only sent at its step (nothing to save on its own)
    steps: tuple[Step, ...] = ()
    extra: dict = dataclass_field(default_factory=dict)  # fields of the request outside the form class
    keep: tuple[str, ...] = ()  # needed fields that saving itself needs in this scenario (valid gives them)
    prepare: Optional[Callable[[Any, Any, Any], str]] = None  # (app, client, w) -> page, for auth flows
    refuse_with: dict = dataclass_field(default_factory=dict)  # values that make the required ones count
    label: str = ""

    @property
    def id(self) -> str:
        return self.form.rsplit(".", 1)[1] + (f"-{self.label}" if self.label else "")


DOMAIN = "education"


def _mine(w, case_attr: str) -> str:
    return f"/casussen/{getattr(w, case_attr)}/aanmelding"


def _activation(app, client, w, *, set_password: bool) -> str:
    """A new account with a one-time activation link (and the password set: the enrolment step)."""
    from ret_app.auth import services as auth_services
    from ret_app.models import ActivationPurpose

    with app.app_context():
        user = Factory(app).new_user("caseworker", w.team.id, activated=False)
        db.session.add(user)
        db.session.flush()
        token = auth_services.issue_activation(user, ActivationPurpose.ACTIVATE, None)
        db.session.commit()
    if not set_password:
        return f"/activeren/{token}"
    page = client.get(f"/activeren/{token}").get_data(as_text=True)
    response = client.post(f"/activeren/{token}", data={
        "csrf_token": CSRF_RE.search(page).group(1), "new_password": "een lang en sterk wachtwoord 42",
        "confirm_password": "een lang en sterk wachtwoord 42"})
    assert response.status_code == 302, response.status_code
    return "/activeren/tweede-factor"


def _password_step(app, client, w) -> str:
    page = client.get("/inloggen").get_data(as_text=True)
    response = client.post("/inloggen", data={"csrf_token": CSRF_RE.search(page).group(1),
                                              "email": w.member.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return "/inloggen/verificatie"


SCENARIOS: list[Scenario] = [
    # --- the referral ---
    Scenario("ret_app.referrals.forms.NewReferralForm", "caseworker", lambda w: "/casussen/nieuw",
             lambda w: "/casussen/nieuw", save=False),
    Scenario("ret_app.referrals.forms.ReferralForm", "caseworker", lambda w: _mine(w, "concept"),
             lambda w: _mine(w, "concept"), lambda w: {"urgency": "regular"},
             steps=(Step("submit", ("youth_first_name", "youth_last_name", "youth_birth_date", "question",
                                    "why_stuck"), url=lambda w: _mine(w, "concept") + "/indienen"),)),
    Scenario("ret_app.referrals.forms.SubmitForm", "caseworker", lambda w: _mine(w, "returned"),
             lambda w: _mine(w, "returned") + "/indienen", save=False,
             steps=(Step("submit again", ("resubmit_reason",)),)),
    Scenario("ret_app.referrals.forms.FamilyMemberForm", "caseworker", lambda w: _mine(w, "concept"),
             lambda w: _mine(w, "concept") + "/gezin", lambda w: {"relation": "mother"}, prefix="member"),
    Scenario("ret_app.referrals.forms.PriorHelpForm", "caseworker", lambda w: _mine(w, "concept"),
             lambda w: _mine(w, "concept") + "/eerdere-hulp",
             lambda w: {"provider": "Jeugdzorg Oost", "help_type": "Ambulante begeleiding"}, prefix="help"),
    # --- the family's consent (the grid, withdrawal per row, a legal ground) ---
    Scenario("ret_app.referrals.forms.ConsentGridForm", "caseworker", lambda w: f"/casussen/{w.consenting}/toestemming",
             lambda w: f"/casussen/{w.consenting}/toestemming",
             lambda w: {"cells": "youth:collective", "given_on": TODAY.isoformat(), "kind": "written"},
             prefix="consent", save=False),
    Scenario("ret_app.referrals.forms.WithdrawConsentForm", "caseworker",
             lambda w: f"/casussen/{w.consenting}/toestemming",
             lambda w: f"/casussen/{w.consenting}/toestemming/{w.consent}/intrekken",
             lambda w: {"withdrawn_on": TODAY.isoformat()}, prefix="withdraw-{consent}", save=False),
    Scenario("ret_app.referrals.forms.LegalGroundForm", "caseworker", lambda w: f"/casussen/{w.consenting}/toestemming",
             lambda w: f"/casussen/{w.consenting}/toestemming/grondslag",
             lambda w: {"scope": "ret", "reason": "Dreigende onveiligheid; spoedeisend."}, prefix="ground",
             save=False),
    Scenario("ret_app.referrals.forms.AttachmentForm", "caseworker", lambda w: _mine(w, "concept"),
             lambda w: f"/casussen/{w.concept}/bijlagen", prefix="attachment", save=False),
    # --- the chair's intake ---
    Scenario("ret_app.cases.forms.IntakeDecisionForm", "chair", lambda w: f"/casussen/{w.submitted}/intake",
             lambda w: f"/casussen/{w.submitted}/intake", prefix="accept", extra={"decision": "accept"}, save=False),
    Scenario("ret_app.cases.forms.AdviceForm", "chair", lambda w: f"/casussen/{w.submitted}/intake",
             lambda w: f"/casussen/{w.submitted}/intake", prefix="advice", extra={"decision": "advice"}, save=False),
    # --- the screening ---
    Scenario("ret_app.screening.forms.ContributionForm", "director",
             lambda w: f"/casussen/{w.screening}/screening?leefgebied={DOMAIN}&bewerken=1",
             lambda w: f"/casussen/{w.screening}/screening/leefgebied/{DOMAIN}", lambda w: {"severity": "1"},
             # All empty removes one's contribution; notes without a severity are refused.
             prefix=DOMAIN, refuse_with={"notes": "Verzuimt veel"}, steps=(Step("save a severity of 2 or more", ("notes",), {"severity": "2"}),)),
    Scenario("ret_app.screening.forms.ViewsForm", "director", lambda w: f"/casussen/{w.screening}/screening",
             lambda w: f"/casussen/{w.screening}/screening/tekst/visie"),
    Scenario("ret_app.screening.forms.AnalysisForm", "director", lambda w: f"/casussen/{w.screening}/screening",
             lambda w: f"/casussen/{w.screening}/screening/tekst/analyse",
             steps=(Step("finalise", ("analysis", "advice"),
                         url=lambda w: f"/casussen/{w.screening}/screening/afronden"),)),
    Scenario("ret_app.screening.forms.AddendumForm", "director", lambda w: f"/casussen/{w.finalised}/screening",
             lambda w: f"/casussen/{w.finalised}/screening/aanvullingen", prefix="addendum", save=False),
    Scenario("ret_app.screening.forms.InviteForm", "director", lambda w: f"/casussen/{w.screening}/screening",
             lambda w: f"/casussen/{w.screening}/deelnemers", save=False),
    # --- sessions ---
    Scenario("ret_app.meetings.planning_forms.MeetingForm", "chair", lambda w: "/overleggen/nieuw",
             lambda w: "/overleggen/nieuw",
             lambda w: {"date": (TODAY + timedelta(days=7)).isoformat(), "start_time": "14:00",
                        "duration_minutes": "90", "location": "Vergaderzaal 3"},
             keep=("location",), steps=(Step("plan without a place or link", ("location", "online_url")),)),
    Scenario("ret_app.meetings.planning_forms.ItemForm", "chair", lambda w: f"/overleggen/{w.planned}",
             lambda w: f"/overleggen/{w.planned}/agenda", save=False),
    Scenario("ret_app.meetings.live_forms.NotesForm", "chair",
             lambda w: f"/overleggen/{w.live}/live?item={w.item}",
             lambda w: f"/overleggen/{w.live}/agenda/{w.item}/notities", prefix="n{item}"),
    Scenario("ret_app.meetings.live_forms.DecisionForm", "chair",
             lambda w: f"/overleggen/{w.live}/live?item={w.item}",
             lambda w: f"/overleggen/{w.live}/agenda/{w.item}/besluiten",
             lambda w: {"text": "Ambulante begeleiding inzetten"}, prefix="d{item}",
             steps=(Step("commit help", ("care_type", "amount_eur"), {"kind": "commits_help"}),)),
    Scenario("ret_app.meetings.live_forms.DecisionForm", "chair",
             lambda w: f"/overleggen/{w.live}/live?item={w.placement_item}",
             lambda w: f"/overleggen/{w.live}/agenda/{w.placement_item}/besluiten",
             lambda w: {"text": "Plaatsing besproken", "alternatives_considered": "Gezinshuis, ambulant",
                        "behavioural_scientist_name": "Dr. Gedrag", "behavioural_scientist_role": "GZ-psycholoog",
                        "behavioural_scientist_judgement": "Plaatsing is te voorkomen", "placement_outcome": "placed"},
             prefix="d{placement_item}", kwargs={"placement": True}, label="placement",
             steps=(Step("prevent the placement", ("placement_alternative",), {"placement_outcome": "prevented"}),
                    Step("postpone the placement", ("postponed_until",), {"placement_outcome": "postponed"}))),
    Scenario("ret_app.meetings.live_forms.ActionForm", "chair", lambda w: f"/overleggen/{w.live}/live?item={w.item}",
             lambda w: f"/overleggen/{w.live}/agenda/{w.item}/acties", prefix="a{item}", save=False),
    Scenario("ret_app.meetings.forms.AddendumForm", "member", lambda w: f"/overleggen/{w.approved}",
             lambda w: f"/overleggen/{w.approved}/addenda", lambda w: {"text": "Correctie: de datum was 3 mei."},
             prefix="addendum"),
    Scenario("ret_app.meetings.forms.FollowupAnswerForm", "admin", lambda w: f"/overleggen/voorbehoud/{w.provisional}",
             lambda w: f"/overleggen/voorbehoud/{w.provisional}",
             lambda w: {"answer": "confirmed", "answer_date": TODAY.isoformat()}),
    # --- the process direction plan ---
    Scenario("ret_app.plans.forms.GoalForm", "director", lambda w: f"/casussen/{w.plan}/plan",
             lambda w: f"/casussen/{w.plan}/plan/doelen",
             lambda w: {"text": "Ik wil weer naar school.", "voiced_by": "youth", "status": "open"}, prefix="goal"),
    Scenario("ret_app.plans.forms.ReviewPlanForm", "director", lambda w: f"/casussen/{w.plan}/plan",
             lambda w: f"/casussen/{w.plan}/plan/evaluaties",
             lambda w: {"planned_on": (TODAY + timedelta(days=14)).isoformat()}, prefix="review", save=False),
    Scenario("ret_app.plans.forms.ReviewRecordForm", "director", lambda w: f"/casussen/{w.plan}/plan",
             lambda w: f"/casussen/{w.plan}/plan/evaluaties/{w.review}",
             lambda w: {"held_on": TODAY.isoformat(), "help_fits": "yes", "own_judgement": "Het gaat beter."},
             prefix="r{review}", steps=(Step("the help does not fit", ("what_changes",), {"help_fits": "no"}),)),
    Scenario("ret_app.plans.forms.AgreeForm", "director", lambda w: f"/casussen/{w.plan}/plan",
             lambda w: f"/casussen/{w.plan}/plan/vaststellen", prefix="agree"),
    Scenario("ret_app.plans.forms.FittingHelpForm", "director", lambda w: f"/casussen/{w.plan}/plan",
             lambda w: f"/casussen/{w.plan}/plan/passende-hulp", prefix="fit", save=False),
    # --- administration ---
    Scenario("ret_app.admin.forms.NetworkForm", "admin", lambda w: "/beheer/netwerken", lambda w: "/beheer/netwerken",
             save=False),
    Scenario("ret_app.admin.forms.RegionForm", "admin", lambda w: "/beheer/regios", lambda w: "/beheer/regios",
             lambda w: {"name": f"Regio Nieuw {secrets.token_hex(3)}"}),
    Scenario("ret_app.admin.forms.MunicipalityForm", "admin", lambda w: "/beheer/gemeenten",
             lambda w: "/beheer/gemeenten", save=False),
    Scenario("ret_app.admin.forms.OrganisationForm", "admin", lambda w: "/beheer/organisaties",
             lambda w: "/beheer/organisaties",
             lambda w: {"name": f"Beleid {secrets.token_hex(3)}", "kind": "management"},
             steps=(Step("an access team", ("municipality_id",), {"kind": "access_team"}),
                    Step("a network organisation", ("network_id",), {"kind": "network"}),
                    Step("a RET", ("region_id",), {"kind": "ret"}))),
    Scenario("ret_app.admin.forms.UserForm", "admin", lambda w: "/beheer/gebruikers/nieuw",
             lambda w: "/beheer/gebruikers/nieuw", save=False),
    Scenario("ret_app.admin.forms.MandateForm", "admin", lambda w: "/beheer/mandaten/nieuw",
             lambda w: "/beheer/mandaten/nieuw", save=False),
    Scenario("ret_app.admin.forms.RevokeMandateForm", "admin", lambda w: f"/beheer/mandaten/{w.mandate}",
             lambda w: f"/beheer/mandaten/{w.mandate}", save=False),
    Scenario("ret_app.admin.forms.RegionNormsForm", "admin", lambda w: f"/beheer/regios/{w.region.id}/normtijden",
             lambda w: f"/beheer/regios/{w.region.id}/normtijden", save=False),
    # --- the collective: a provider member's own profile, contact persons and capacity ---
    Scenario("ret_app.collective.forms.ProfileForm", "provider_member",
             lambda w: f"/collectief/aanbieders/{w.provider.id}/profiel",
             lambda w: f"/collectief/aanbieders/{w.provider.id}/profiel",
             steps=(Step("a crisis service", ("crisis_hours", "crisis_phone"), {"crisis_available": "y"}),)),
    Scenario("ret_app.collective.forms.ContactForm", "provider_member",
             lambda w: f"/collectief/aanbieders/{w.provider.id}/profiel",
             lambda w: f"/collectief/aanbieders/{w.provider.id}/contactpersonen",
             lambda w: {"name": "Anna de Vries", "role": "Aanmeldcoördinator", "phone": "088 123 45 67"},
             prefix="contact"),
    Scenario("ret_app.collective.forms.CapacityForm", "provider_member",
             lambda w: f"/collectief/aanbieders/{w.provider.id}/capaciteit/ambulatory",
             lambda w: f"/collectief/aanbieders/{w.provider.id}/capaciteit/ambulatory",
             lambda w: {"places_available": "2", "waiting_weeks": "6"},
             steps=(Step("expected places without a date", ("expected_on",), {"expected_places": "2"}),
                    Step("an expected date without places", ("expected_places",),
                         {"expected_on": (TODAY + timedelta(days=14)).isoformat()}))),
    # --- requests to providers and commitments ---
    Scenario("ret_app.commitments.forms.RequestForm", "director", lambda w: f"/casussen/{w.request_case}/verzoeken",
             lambda w: f"/casussen/{w.request_case}/verzoeken",
             lambda w: {"providers": str(w.other_provider.id), "role": "consultation", "care_type": "ambulatory",
                        "question": "Kunt u meedenken?", "reply_by": (TODAY + timedelta(days=3)).isoformat()},
             save=False),
    # The button sends the decision: accepting needs a contact person and a start, declining a reason.
    Scenario("ret_app.commitments.forms.AnswerForm", "provider_member", lambda w: f"/verzoeken/{w.open_request}",
             lambda w: f"/verzoeken/{w.open_request}", save=False, extra={"decision": "accept"}, label="accept",
             steps=(Step("accept", ("contact_name", "intended_start")),)),
    Scenario("ret_app.commitments.forms.AnswerForm", "provider_member", lambda w: f"/verzoeken/{w.open_request}",
             lambda w: f"/verzoeken/{w.open_request}", save=False, extra={"decision": "decline"}, label="decline",
             steps=(Step("decline", ("decline_reason", "decline_text")),)),
    Scenario("ret_app.commitments.forms.WithdrawForm", "director", lambda w: f"/verzoeken/{w.open_request}",
             lambda w: f"/verzoeken/{w.open_request}/intrekken"),
    Scenario("ret_app.commitments.forms.StartForm", "director", lambda w: f"/verzoeken/{w.accepted_request}",
             lambda w: f"/verzoeken/{w.accepted_request}/gestart", lambda w: {"started_on": TODAY.isoformat()},
             save=False),
    Scenario("ret_app.commitments.forms.EndForm", "director", lambda w: f"/verzoeken/{w.accepted_request}",
             lambda w: f"/verzoeken/{w.accepted_request}/beeindigd", lambda w: {"ended_on": TODAY.isoformat()},
             save=False),
    # --- escalations to the network: the chair's form (a draft, or sent: the button says which) ---
    Scenario("ret_app.escalations.forms.EscalationForm", "chair", lambda w: f"/casussen/{w.escalation_case}/escalatie",
             lambda w: f"/casussen/{w.escalation_case}/escalatie", lambda w: {"urgency": "regular"},
             extra={"action": "draft"}, label="draft"),
    Scenario("ret_app.escalations.forms.EscalationForm", "chair", lambda w: f"/casussen/{w.escalation_case}/escalatie",
             lambda w: f"/casussen/{w.escalation_case}/escalatie", lambda w: {"urgency": "regular"},
             extra={"action": "send"}, label="send", save=False,
             steps=(Step("escalate", ("why_exhausted", "tried", "question_kind", "question", "expected_answer_date")),)),
    Scenario("ret_app.escalations.forms.ReminderForm", "chair", lambda w: f"/escalaties/{w.escalation}",
             lambda w: f"/escalaties/{w.escalation}/herinnering"),
    Scenario("ret_app.escalations.forms.NewDateForm", "chair", lambda w: f"/escalaties/{w.escalation}",
             lambda w: f"/escalaties/{w.escalation}/nieuwe-datum",
             lambda w: {"new_date": (TODAY + timedelta(days=30)).isoformat(), "date_reason": "Uitstel gevraagd"},
             save=False),
    Scenario("ret_app.escalations.forms.WithdrawForm", "chair", lambda w: f"/escalaties/{w.escalation}",
             lambda w: f"/escalaties/{w.escalation}/intrekken", lambda w: {"reason": "Opgelost"}, save=False),
    # --- inspection and correction requests: the chair records them on a case of the region ---
    Scenario("ret_app.inspection.forms.InspectionForm", "chair", lambda w: f"/casussen/{w.screening}/inzage",
             lambda w: f"/casussen/{w.screening}/inzage",
             lambda w: {"requester_kind": "youth", "received_on": TODAY.isoformat()}),
    Scenario("ret_app.inspection.forms.CorrectionForm", "chair", lambda w: f"/casussen/{w.screening}/correctieverzoek",
             lambda w: f"/casussen/{w.screening}/correctieverzoek",
             lambda w: {"requester_kind": "youth", "requester_name": "Jeugdige", "received_on": TODAY.isoformat(),
                        "section": "plan", "asked": "Doel 2 klopt niet"}, save=False),
    # --- gap signals: the chair asks for the signal report (an export job) on the gap overview ---
    Scenario("ret_app.signals.forms.ReportForm", "chair", lambda w: "/signalen/hiaten", lambda w: "/signalen/rapport",
             lambda w: {"period": _running_quarter(), "format": "csv"}, prefix="report", save=False),
    # --- retention and erasure: the chair records a request, a hold, a retention; decides; takes a case off ---
    Scenario("ret_app.erasure.forms.RequestForm", "chair",
             lambda w: f"/casussen/{w.closed_case}/bewaren-en-verwijderen",
             lambda w: f"/casussen/{w.closed_case}/verwijderverzoeken",
             lambda w: {"requester_kind": "youth", "requester_name": "Jeugdige", "received_on": TODAY.isoformat()},
             save=False),
    Scenario("ret_app.erasure.forms.HoldForm", "chair", lambda w: f"/casussen/{w.closed_case}/bewaren-en-verwijderen",
             lambda w: f"/casussen/{w.closed_case}/bewaring", lambda w: {"reason": "Klacht"}, save=False),
    Scenario("ret_app.erasure.forms.LiftForm", "chair", lambda w: f"/casussen/{w.held_case}/bewaren-en-verwijderen",
             lambda w: f"/casussen/{w.held_case}/bewaring/{w.hold}/opheffen", lambda w: {"reason": "Afgehandeld"}, save=False),
    Scenario("ret_app.erasure.forms.RetentionForm", "chair",
             lambda w: f"/casussen/{w.closed_case}/bewaren-en-verwijderen",
             lambda w: f"/casussen/{w.closed_case}/bewaartermijn", lambda w: {"reason": "Lopende procedure"}),
    Scenario("ret_app.erasure.forms.DecisionForm", "chair", lambda w: f"/verwijderverzoeken/{w.erasure_request}",
             lambda w: f"/verwijderverzoeken/{w.erasure_request}", lambda w: {"decision": "refuse"}, save=False,
             steps=(Step("refuse", ("ground", "reason"), values={"decision": "refuse"}),
                    Step("grant", ("confirm",), values={"decision": "grant"}))),
    Scenario("ret_app.erasure.forms.TakeOffForm", "chair", lambda w: f"/vernietigingslijsten/{w.destruction_list}",
             lambda w: f"/vernietigingslijsten/{w.destruction_list}/regels/{w.destruction_entry}/afvoeren",
             lambda w: {"reason": "Nog nodig"}, save=False),
    # --- learning vignettes: the chair edits a draft's text, withdraws an approved one ---
    Scenario("ret_app.vignettes.forms.TextForm", "chair", lambda w: f"/leerverhalen/{w.vignette}",
             lambda w: f"/leerverhalen/{w.vignette}/tekst", lambda w: {"title": "Leerverhaal", "text": "Andere tekst"},
             save=False),
    Scenario("ret_app.vignettes.forms.WithdrawForm", "chair", lambda w: f"/leerverhalen/{w.approved_vignette}",
             lambda w: f"/leerverhalen/{w.approved_vignette}/intrekken", lambda w: {"reason": "Te herkenbaar"},
             save=False),
    Scenario("ret_app.escalations.forms.ReplyForm", "chair", lambda w: f"/escalaties/{w.escalation}",
             lambda w: f"/escalaties/{w.escalation}/vragen/{w.question}/antwoord", lambda w: {"text": "Ja"},
             prefix="q{question}", save=False),
    # --- escalations: the network liaison's forms (each on an escalation in the state it needs) ---
    Scenario("ret_app.escalations.liaison_forms.DeclineForm", "network_liaison",
             lambda w: f"/netwerk/opschalingen/{w.sent_escalation}",
             lambda w: f"/netwerk/opschalingen/{w.sent_escalation}/stap/decline", lambda w: {"reason": "Past niet"},
             prefix="decline", save=False),
    Scenario("ret_app.escalations.liaison_forms.DirectorForm", "network_liaison",
             lambda w: f"/netwerk/opschalingen/{w.escalation}", lambda w: f"/netwerk/opschalingen/{w.escalation}/procesregisseur",
             lambda w: {"director_name": "Hanneke Prins", "director_organisation": "Netwerk"},
             prefix="director", save=False),
    Scenario("ret_app.escalations.liaison_forms.NetworkMessageForm", "network_liaison",
             lambda w: f"/netwerk/opschalingen/{w.escalation}", lambda w: f"/netwerk/opschalingen/{w.escalation}/bericht",
             lambda w: {"kind": "question", "text": "Vraag"}, prefix="msg", save=False),
    Scenario("ret_app.escalations.liaison_forms.AnswerForm", "network_liaison",
             lambda w: f"/netwerk/opschalingen/{w.working_escalation}",
             lambda w: f"/netwerk/opschalingen/{w.working_escalation}/antwoord", lambda w: {"text": "Ons advies"},
             prefix="ans", save=False),
    Scenario("ret_app.escalations.liaison_forms.CloseForm", "network_liaison",
             lambda w: f"/netwerk/opschalingen/{w.answered_escalation}",
             lambda w: f"/netwerk/opschalingen/{w.answered_escalation}/afsluiten", lambda w: {"result": "advice_given"},
             prefix="close"),
    # --- the care-type catalogue ---
    Scenario("ret_app.caretypes.forms.CareTypeForm", "admin", lambda w: f"/beheer/regios/{w.region.id}/zorgsoorten",
             lambda w: f"/beheer/regios/{w.region.id}/zorgsoorten",
             lambda w: {"code": f"nieuw_{secrets.token_hex(3)}", "name": f"Nieuwe zorgsoort {secrets.token_hex(3)}"}),
    # --- the monitor API's tokens (every field required: nothing optional to save empty) ---
    Scenario("ret_app.api.forms.TokenForm", "admin", lambda w: "/beheer/api-sleutels/nieuw",
             lambda w: "/beheer/api-sleutels/nieuw",
             lambda w: {"organisation_id": str(w.team.id), "name": "Regiomonitor",
                        "expires_on": (TODAY + timedelta(days=60)).isoformat()}, save=False),
    Scenario("ret_app.caretypes.forms.CareTypeEditForm", "admin",
             lambda w: f"/beheer/regios/{w.region.id}/zorgsoorten/{w.care_type}",
             lambda w: f"/beheer/regios/{w.region.id}/zorgsoorten/{w.care_type}",
             lambda w: {"name": f"Ambulante jeugdhulp {secrets.token_hex(3)}"}),
    # --- outcomes: the page's outcome form with its rows (help arranged, gaps met), the gap taxonomy ---
    Scenario("ret_app.outcomes.forms.OutcomeForm", "director", lambda w: f"/casussen/{w.outcome_case}/uitkomst",
             lambda w: f"/casussen/{w.outcome_case}/uitkomst", lambda w: {"result": "realised"}, label="plain"),
    Scenario("ret_app.outcomes.forms.OutcomeForm", "director", lambda w: f"/casussen/{w.outcome_placement}/uitkomst",
             lambda w: f"/casussen/{w.outcome_placement}/uitkomst", lambda w: {"result": "realised"},
             label="placement", save=False,
             steps=(Step("an intended placement", ("placement_result",)),)),
    Scenario("ret_app.outcomes.forms.HelpRowForm", "director", lambda w: f"/casussen/{w.outcome_case}/uitkomst",
             lambda w: f"/casussen/{w.outcome_case}/uitkomst", prefix="help-0", extra={"result": "realised"},
             steps=(Step("a help arranged", ("care_type",), values={"provider_name": "Aanbieder Oost"}),)),
    Scenario("ret_app.outcomes.forms.GapRowForm", "director", lambda w: f"/casussen/{w.outcome_case}/uitkomst",
             lambda w: f"/casussen/{w.outcome_case}/uitkomst", prefix="gap-0", extra={"result": "realised"},
             steps=(Step("a gap", ("category",), values={"note": "Wachtlijst van een halfjaar"}),)),
    Scenario("ret_app.outcomes.forms.GapCategoryForm", "admin", lambda w: f"/beheer/regios/{w.region.id}/hiaten",
             lambda w: f"/beheer/regios/{w.region.id}/hiaten",
             lambda w: {"code": f"nieuw_{secrets.token_hex(3)}", "name": f"Nieuwe categorie {secrets.token_hex(3)}"}),
    Scenario("ret_app.outcomes.forms.GapCategoryEditForm", "admin",
             lambda w: f"/beheer/regios/{w.region.id}/hiaten/{w.gap_category}",
             lambda w: f"/beheer/regios/{w.region.id}/hiaten/{w.gap_category}",
             lambda w: {"name": f"Onderwijs sluit niet aan {secrets.token_hex(3)}"}),
    # --- signing in and the account ---
    Scenario("ret_app.auth.forms.LoginForm", None, lambda w: "/inloggen", lambda w: "/inloggen", save=False),
    Scenario("ret_app.auth.forms.TotpForm", None, lambda w: "/inloggen/verificatie",
             lambda w: "/inloggen/verificatie", save=False, prepare=_password_step),
    Scenario("ret_app.auth.forms.RecoveryCodeForm", None, lambda w: "/inloggen/herstelcode",
             lambda w: "/inloggen/herstelcode", save=False,
             prepare=lambda app, client, w: _password_step(app, client, w) and "/inloggen/herstelcode"),
    Scenario("ret_app.auth.forms.ConfirmPasswordForm", "member", lambda w: "/herbevestigen",
             lambda w: "/herbevestigen", save=False),
    Scenario("ret_app.auth.forms.ActivationPasswordForm", None, lambda w: "", lambda w: "", save=False,
             prepare=lambda app, client, w: _activation(app, client, w, set_password=False)),
    Scenario("ret_app.auth.forms.EnrolForm", None, lambda w: "/activeren/tweede-factor",
             lambda w: "/activeren/tweede-factor", save=False,
             prepare=lambda app, client, w: _activation(app, client, w, set_password=True)),
    Scenario("ret_app.account.forms.ChangePasswordForm", "member", lambda w: "/account/wachtwoord",
             lambda w: "/account/wachtwoord", save=False),
]

EXEMPT = {
    # The decision says which of its texts it needs (granted: the addendum; partly: both; refused: the reason),
    # refused next to them by the service (tests/test_inspection.py); a step of an inspection request is a button.
    "ret_app.inspection.forms.DecisionForm": "the decision decides which of the reason and the addendum it needs",
    "ret_app.inspection.forms.StepForm": "a button",
    # A step's reason is shown only for a step that requires one, labelled "Reason (step)" without
    # "(optional)", and refused by the state machine (tests/test_lifecycle.py, test_kernel.py).
    "ret_app.cases.forms.StepForm": "the reason field appears only where the step requires it",
    "ret_app.meetings.planning_forms.StepForm": "the reason field appears only where the step requires it",
    # A status picked per row from every status (no empty choice); tests/test_actions.py.
    "ret_app.meetings.forms.ActionStatusForm": "a select of every status, sent by its row's button",
    # Their fields are the values of buttons, never typed or labelled.
    "ret_app.meetings.live_forms.PresenceForm": "button values",
    "ret_app.meetings.live_forms.ActivateForm": "a button",
    "ret_app.meetings.planning_forms.MoveForm": "button values",
    "ret_app.meetings.planning_forms.ConfirmForm": "a button",
    "ret_app.screening.forms.FinaliseForm": "a button",
    "ret_app.screening.forms.RemoveParticipantForm": "a button",
    "ret_app.plans.forms.ButtonForm": "a button",
    "ret_app.caretypes.forms.CareTypeStatusForm": "a button (retire, offer again, remove) with the version shown",
    "ret_app.outcomes.forms.GapCategoryStatusForm": "a button (retire, use again) with the version shown",
    # The base of the outcome page's rows (HelpRowForm, GapRowForm): no fields of its own.
    "ret_app.outcomes.forms._Row": "the base of the outcome page's rows, without fields",
    "ret_app.api.forms.TokenActionForm": "a button (renew, revoke a token)",
    "ret_app.escalations.liaison_forms.StepForm": "a button (accept, start working on it) with hidden values",
    "ret_app.vignettes.forms.GenerateForm": "a button",
    "ret_app.vignettes.forms.ApproveForm": "a button with the version shown",
    # A search filter (GET): every field optional, nothing is saved.
    "ret_app.admin.forms.AuditSearchForm": "a search filter",
    "ret_app.privacy.forms.AccessLogFilterForm": "the access log's filter (GET; every error at once next to its field, input kept: tests/test_privacy.py)",
    "ret_app.privacy.forms.FindCaseForm": "the privacy hub's lookup of a case by reference (GET; its message next to the field: tests/test_privacy.py)",
    "ret_app.reflection.forms.ReflectionForm": "the reflection report's choice (GET; every error at once next to its field, input kept: tests/test_reflection.py)",
    "ret_app.analyst.forms.FiltersForm": "the analyst's figures filter (GET, fields with defaults; a bad year is answered next to the field: tests/test_analyst.py)",
    # A notification's buttons (open, mark read or unread, all read): hidden values, nothing typed.
    "ret_app.notifications.forms.MarkForm": "a button with hidden values",
    "ret_app.notifications.forms.BackForm": "a button",
    # Asking for an export: a button; what to export are the offering page's hidden values.
    "ret_app.exports.forms.RequestForm": "a button with hidden values",
    # The chair's decision on an earlier case: the value of the pressed button and the page it was on.
    "ret_app.rereferrals.forms.DecisionForm": "button values",
    # Built from the registered kinds: a radio group per kind, each required, every choice valid
    # (tests/test_notifications.py refuses a missing or unknown one next to its group).
    "ret_app.notifications.forms.PreferencesForm": "a radio group per registered kind of notification",
    # The chair's response to a gap signal: who takes it up, a step, a text — at least one of them; a step that
    # needs a response says so in the list above the form and is refused by the state machine next to the text
    # (tests/test_signals.py).
    "ret_app.signals.forms.ResponseForm": "at least one of three fields; a step's needs are refused by the machine",
}


# --- the region the scenarios play in, built once for the module -------------------------------

@pytest.fixture(scope="module")
def w(app):
    factory = Factory(app)
    w = World(factory)
    w.concept = factory.case(w.caseworker, w.municipality, complete=False)
    w.consenting = factory.case(w.caseworker, w.municipality)  # a youth of 14: the youth's row in the grid
    w.returned = factory.case(w.caseworker, w.municipality, status="returned_with_advice",
                              advice="Probeer eerst ambulante hulp")
    w.submitted = factory.case(w.caseworker, w.municipality, status="submitted", submitted_at=utcnow())
    w.screening = factory.case(w.caseworker, w.municipality, status="screening", track="process_direction",
                               process_director_id=w.director.id, submitted_at=utcnow())
    w.finalised = factory.case(w.caseworker, w.municipality, status="screening", track="process_direction",
                               process_director_id=w.director.id, submitted_at=utcnow())
    w.open_case = factory.case(w.caseworker, w.municipality, status="process_direction",
                               process_director_id=w.director.id)
    w.placement_case = factory.case(w.caseworker, w.municipality, status="process_direction",
                                    process_director_id=w.director.id, placement_intended=True)
    w.plan = factory.case(w.caseworker, w.municipality, status="process_direction", track="process_direction",
                          process_director_id=w.director.id, submitted_at=utcnow())
    w.outcome_case = factory.case(w.caseworker, w.municipality, status="process_direction",
                                  process_director_id=w.director.id, submitted_at=utcnow())
    w.outcome_placement = factory.case(w.caseworker, w.municipality, status="process_direction",
                                       process_director_id=w.director.id, submitted_at=utcnow(),
                                       placement_intended=True)
    w.planned = factory.meeting(w.chair, starts_at=utcnow() + timedelta(days=5))
    w.live = factory.meeting(w.chair, status="in_progress", cases=(w.open_case, w.placement_case))
    w.approved = factory.meeting(w.chair, status="approved", cases=(w.open_case,),
                                 starts_at=utcnow() - timedelta(days=10), invite=(w.member,))
    w.mandate = factory.mandate(w.caseworker.id, w.municipality.id).id
    with app.app_context():
        for case_id in (w.screening, w.finalised):
            db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=w.director.id,
                                           invited_by_id=w.chair.id))
        db.session.add(Screening(case_id=w.screening))
        db.session.add(Screening(case_id=w.finalised, analysis="Analyse", advice="Advies", finalised_at=utcnow(),
                                 finalised_by_id=w.director.id))
        items = {i.case_id: i for i in db.session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == w.live))}
        w.item = items[w.open_case].id
        placement = items[w.placement_case]
        placement.purpose = "placement_review"
        w.placement_item = placement.id
        approved_item = db.session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == w.approved))
        decision = Decision(item_id=approved_item.id, case_id=w.open_case, municipality_id=w.municipality.id,
                            kind="commits_help", text="Ambulante begeleiding", care_type="ambulatory",
                            amount_eur=Decimal("12000"), status="provisional", mandate_finding="ceiling",
                            submission_key=secrets.token_hex(8), recorded_by_id=w.chair.id)
        db.session.add(decision)
        consent = Consent(case_id=w.consenting, scope="ret", given_by_role="youth", given_on=TODAY, form="written",
                          recorded_by_id=w.caseworker.id)
        db.session.add(consent)
        # The collective provider's profile, offering the care type whose capacity the scenario keeps.
        db.session.add(ProviderProfile(organisation_id=w.provider.id,
                                       care_types=[ProviderCareType(care_type="ambulatory")]))
        # A case in process direction with collective consent: an open request and an accepted one.
        from ret_app.models import ProviderRequest

        w.request_case = factory.case(w.caseworker, w.municipality, status="process_direction",
                                      consent_collective=True, process_director_id=w.director.id)
        rows = [ProviderRequest(case_id=w.request_case, organisation_id=w.provider.id, role=role, care_type="ambulatory",
                                question="Vraag", reply_by=TODAY + timedelta(days=3), status=status,
                                requested_by_id=w.director.id, submission_key=secrets.token_hex(8),
                                contact_name="Contact", intended_start=TODAY)
                for role, status in (("lead_provider", "requested"), ("co_provider", "accepted"))]
        db.session.add_all(rows)
        plan_case = db.session.get(Case, w.plan)
        plan_case.intake_at = utcnow() - timedelta(days=10)
        plan = Plan(case_id=w.plan)
        plan.goals.append(PlanGoal(text="Rust in huis", voiced_by="family", status="open", position=1))
        plan.reviews.append(PlanReview(planned_on=TODAY + timedelta(days=7), planned_by_id=w.director.id))
        db.session.add(plan)
        db.session.commit()
        w.open_request, w.accepted_request = rows[0].id, rows[1].id
        w.provisional = decision.id
        w.consent = consent.id
        w.review = plan.reviews[0].id
        w.care_type = db.session.scalar(select(CareType.id).where(CareType.region_id == w.region.id,
                                                                  CareType.code == "ambulatory"))
        from ret_app.models import GapCategory

        w.gap_category = db.session.scalar(select(GapCategory.id).where(GapCategory.region_id == w.region.id,
                                                                        GapCategory.code == "education"))
        # Escalations: the region in a network; a case to escalate, and one escalated (accepted by the
        # network, with its question to the RET).
        from ret_app.models import Escalation, EscalationMessage, Network, Region

        network = Network(name=f"Netwerk Formulieren {secrets.token_hex(3)}", short_name=f"NF-{secrets.token_hex(2)}")
        db.session.add(network)
        db.session.flush()
        db.session.get(Region, w.region.id).network_id = network.id
        w.escalation_case = factory.case(w.caseworker, w.municipality, status="process_direction",
                                         consent_network=True, process_director_id=w.director.id)
        escalated = factory.case(w.caseworker, w.municipality, status="process_direction", consent_network=True,
                                 process_director_id=w.director.id)
        escalation = Escalation(case_id=escalated, network_id=network.id, status="accepted", question="Vraag",
                                question_kind="consultation", expected_answer_date=TODAY + timedelta(days=10),
                                created_by_id=w.chair.id, submission_key=secrets.token_hex(8))
        escalation.messages.append(EscalationMessage(side="network", kind="question", text="Vraag van het netwerk",
                                                     author_id=w.chair.id, submission_key=secrets.token_hex(8)))
        db.session.add(escalation)
        # The network liaison's forms: the world's liaison speaks for the network; an escalation sent to
        # it, one it works on and one it answered (each of its own case).
        from ret_app.models import Organisation

        db.session.get(Organisation, w.network_liaison.organisation_id).network_id = network.id
        for attr, status in (("sent_escalation", "sent"), ("working_escalation", "in_progress"),
                             ("answered_escalation", "answered")):
            row = Escalation(case_id=factory.case(w.caseworker, w.municipality, status="process_direction",
                                                  consent_network=True, process_director_id=w.director.id),
                             network_id=network.id, status=status, question="Vraag", question_kind="consultation",
                             expected_answer_date=TODAY + timedelta(days=10), created_by_id=w.chair.id,
                             submission_key=secrets.token_hex(8))
            db.session.add(row)
            db.session.flush()
            setattr(w, attr, row.id)
        db.session.commit()
        w.escalation, w.question = escalation.id, escalation.messages[0].id
    # Learning vignettes: a closed case's draft (the chair edits it) and another's approved one (withdrawn).
    with app.app_context():
        from ret_app.models import LearningVignette

        for attr, status in (("vignette", "draft"), ("approved_vignette", "approved")):
            row = LearningVignette(region_id=w.region.id, status=status, title="Leerverhaal", text="## Vraag\n\nTekst",
                                   case_id=factory.case(w.caseworker, w.municipality, status="closed"),
                                   generated_by_id=w.chair.id, withdraw_reason="")
            db.session.add(row)
            db.session.flush()
            setattr(w, attr, row.id)
        db.session.commit()
    # Retention and erasure: a closed case, one on legal hold, an erasure request, a destruction list naming one.
    from ret_app.models import DestructionEntry, DestructionList, ErasureRequest, LegalHold

    w.closed_case = factory.case(w.caseworker, w.municipality, status="closed", closed_at=utcnow())
    w.held_case = factory.case(w.caseworker, w.municipality, status="closed", closed_at=utcnow())
    w.erasure_case = factory.case(w.caseworker, w.municipality, status="closed", closed_at=utcnow())
    with app.app_context():
        hold = LegalHold(case_id=w.held_case, reason="Klacht", placed_by_id=w.chair.id)
        request = ErasureRequest(case_id=w.erasure_case, region_id=w.region.id, requester_kind="youth",
                                 requester_name="Jeugdige", received_on=TODAY, due_on=TODAY + timedelta(days=90),
                                 recorded_by_id=w.chair.id)
        listed = DestructionList(region_id=w.region.id, drafted_on=TODAY, entries=[
            DestructionEntry(case_id=w.erasure_case, retain_until=TODAY - timedelta(days=1))])
        db.session.add_all([hold, request, listed])
        db.session.commit()
        w.hold, w.erasure_request = hold.id, request.id
        w.destruction_list, w.destruction_entry = listed.id, listed.entries[0].id
    return w


@pytest.fixture(scope="module")
def sessions(app, w) -> dict:
    """One signed-in session per user of the scenarios (a test's changes to it are rolled back)."""
    cookies = {}
    for who in {s.who for s in SCENARIOS if s.who}:
        client = app.test_client()
        login(client, app, getattr(w, who))
        cookies[who] = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    return cookies


def client_of(app, sessions, who: Optional[str]):
    client = app.test_client()
    if who:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], sessions[who])
    return client


# --- reading the page's forms ------------------------------------------------------------------

class Forms(HTMLParser):
    """The forms of a page: for each, its controls' names and current values (a control outside the
    form with form="<id>" belongs to that form)."""

    def __init__(self, body: str):
        super().__init__()
        self.forms: list[dict] = []
        self._by_id: dict[str, dict] = {}
        self._late: list[tuple[str, str, Any]] = []
        self._form: Optional[dict] = None
        self._textarea: Optional[tuple[dict, str]] = None
        self._select: Optional[tuple[dict, str]] = None
        self.feed(body)
        for form_id, name, value in self._late:
            if form_id in self._by_id:
                self._by_id[form_id]["values"].setdefault(name, value)

    def _target(self, a) -> Optional[dict]:
        return self._by_id.get(a.get("form")) if a.get("form") else self._form

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action"), "values": {}}
            self.forms.append(self._form)
            if a.get("id"):
                self._by_id[a["id"]] = self._form
            return
        if tag == "option" and self._select is not None:
            form, select_name = self._select
            if "selected" in a or select_name not in form["values"]:
                form["values"][select_name] = a.get("value", "")
            return
        name = a.get("name")
        if not name:
            return
        target = self._target(a)
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            value = a.get("value", "")
            if target is None and a.get("form"):
                self._late.append((a["form"], name, value))
            elif target is not None:
                target["values"].setdefault(name, value)
        elif tag == "textarea":
            if target is None and a.get("form"):
                self._late.append((a["form"], name, ""))
            elif target is not None:
                target["values"][name] = ""
                self._textarea = (target, name)
        elif tag == "select" and target is not None:
            self._select = (target, name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            form, name = self._textarea
            form["values"][name] += data


def form_instance(app, scenario: Scenario, w):
    cls = app_forms()[scenario.form]
    prefix = scenario.prefix.format(item=getattr(w, "item", ""), placement_item=getattr(w, "placement_item", ""),
                                    consent=getattr(w, "consent", ""), review=getattr(w, "review", ""),
                                    question=getattr(w, "question", ""))
    with app.test_request_context():
        return cls(formdata=None, prefix=prefix, meta={"csrf": False}, **scenario.kwargs)


def page_form(body: str, form) -> dict:
    """The values of the page's form that holds the most of `form`'s fields."""
    names = {f.name for f in form}
    forms = Forms(body).forms
    assert forms, "no form on the page"
    best = max(forms, key=lambda f: len(names & set(f["values"])))
    assert names & set(best["values"]), f"none of {sorted(names)} on the page"
    return best["values"]


def payload(app, scenario: Scenario, w, client, page: str, *, required: bool, blank: tuple = (),
            values: Optional[dict] = None) -> dict:
    """What the browser would send: the page's form as it is, every optional and needed field
    emptied, the required ones filled in (`required`) or emptied, `values` on top."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    body = response.get_data(as_text=True)
    form = form_instance(app, scenario, w)
    data = dict(page_form(body, form))
    valid = scenario.valid(w)
    for f in form:
        if isinstance(f, BooleanField):
            data.pop(f.name, None)
        elif isinstance(f, (HiddenField, CSRFTokenField)):
            continue
        elif kind_of(f) == "required" or f.short_name in scenario.keep:
            data[f.name] = valid.get(f.short_name, "") if required else ""
        else:
            data[f.name] = ""
    for name in blank:
        data[form[name].name] = ""
    for name, value in (values or {}).items():
        data[form[name].name] = value
    for f in form:  # an unticked radio button or checkbox is not sent at all
        if isinstance(f, (RadioField, SelectMultipleField)) and data.get(f.name) in ("", None):
            data.pop(f.name, None)
    data.update(scenario.extra)
    token = CSRF_RE.search(body)
    assert token, f"no CSRF token on {page}"
    data["csrf_token"] = token.group(1)
    return data


def start(app, sessions, w, scenario: Scenario):
    client = client_of(app, sessions, scenario.who)
    page = scenario.prepare(app, client, w) if scenario.prepare else scenario.page(w)
    return client, page


def url_of(scenario: Scenario, w, page: str) -> str:
    return scenario.url(w) or urlsplit(page).path


def error_next_to(body: str, f) -> bool:
    return f'id="{f.id}-error"' in body


def listed(body: str, f) -> bool:
    return f'href="#{f.id}"' in body


# --- the tests ---------------------------------------------------------------------------------

def test_every_form_has_a_scenario():
    """A new form is covered: every form of the app has a scenario below (or a reason why not)."""
    forms = set(app_forms())
    covered = {s.form for s in SCENARIOS} | set(EXEMPT)
    assert forms - covered == set(), "forms without a scenario in tests/test_form_labels.py"
    assert covered - forms == set(), "scenarios or exemptions for forms that no longer exist"


@pytest.mark.parametrize("name", sorted(app_forms()))
def test_the_label_says_what_the_flags_say(app, name):
    """Through the `field` macro, a required field's label says nothing more, a needed field's label
    names when it is needed, and every other field's says "(optioneel)"."""
    cls = app_forms()[name]
    with app.test_request_context():
        form = cls(formdata=None, meta={"csrf": False})
        for f in typed_fields(form):
            html = render_template_string('{% from "macros/forms.html" import field %}{{ field(f) }}', f=f)
            label = re.search(r"<label[^>]*>(.*?)</label>", html, re.S).group(1)
            kind = kind_of(f)
            assert ("(optioneel)" in label) == (kind == "optional"), (name, f.short_name, label)
            if kind == "needed":
                assert f"({f.flags.needed})" in label, (name, f.short_name, label)


def _scenarios(predicate) -> list:
    return [pytest.param(s, id=s.id) for s in SCENARIOS if predicate(s)]


def test_a_scenario_covers_every_needed_field(app, w):
    """Each needed field is refused at some step of its form's scenarios."""
    for name, cls in app_forms().items():
        if name in EXEMPT:
            continue
        scenarios = [s for s in SCENARIOS if s.form == name]
        with app.test_request_context():
            form = cls(formdata=None, meta={"csrf": False}, **scenarios[0].kwargs)
            needed = {f.short_name for f in typed_fields(form) if kind_of(f) == "needed"}
        stepped = {field for s in scenarios for step in s.steps for field in step.fields}
        assert needed <= stepped, (name, needed - stepped)
        has_optional = any(kind_of(f) != "required" for f in typed_fields(form))
        if has_optional and not any(s.save for s in scenarios):
            assert all(f.short_name in stepped for f in typed_fields(form) if kind_of(f) != "required"), name


@pytest.mark.parametrize("scenario", _scenarios(lambda s: s.save))
def test_optional_and_needed_fields_can_be_left_empty_and_saved(app, w, sessions, scenario):
    client, page = start(app, sessions, w, scenario)
    form = form_instance(app, scenario, w)
    empty = [f.short_name for f in typed_fields(form) if kind_of(f) != "required" and f.short_name not in scenario.keep]
    assert empty, f"{scenario.id}: nothing optional to leave empty (save=False?)"
    missing = [f.short_name for f in typed_fields(form) if kind_of(f) == "required"
               and f.short_name not in scenario.valid(w)]
    assert not missing, f"{scenario.id}: give the scenario a valid value for {missing}"
    data = payload(app, scenario, w, client, page, required=True)
    response = client.post(url_of(scenario, w, page), data=data)
    body = response.get_data(as_text=True)
    assert response.status_code in (302, 303), (scenario.id, response.status_code, re.findall(
        r'id="([^"]+)-error">(.*?)</div>', body, re.S), re.findall(r'<li>(.*?)</li>', body)[:8])


@pytest.mark.parametrize("scenario", _scenarios(lambda s: True))
def test_required_fields_left_empty_are_refused_all_at_once(app, w, sessions, scenario):
    client, page = start(app, sessions, w, scenario)
    form = form_instance(app, scenario, w)
    required = [f for f in typed_fields(form) if kind_of(f) == "required"]
    if not required:
        pytest.skip("no required fields")
    data = payload(app, scenario, w, client, page, required=False, values=scenario.refuse_with)
    response = client.post(url_of(scenario, w, page), data=data)
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 422), (scenario.id, response.status_code)
    for f in required:
        assert error_next_to(body, f), (scenario.id, f.short_name, "no error next to the field")
        assert listed(body, f), (scenario.id, f.short_name, "not listed in the error summary")


@pytest.mark.parametrize("step", [pytest.param((s, step), id=f"{s.id}-{step.name}") for s in SCENARIOS
                                  for step in s.steps])
def test_needed_fields_are_refused_at_their_step_all_at_once(app, w, sessions, step):
    scenario, step = step
    client, page = start(app, sessions, w, scenario)
    form = form_instance(app, scenario, w)
    data = payload(app, scenario, w, client, page, required=True, blank=step.fields, values=step.values)
    response = client.post((step.url or scenario.url)(w), data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, (scenario.id, step.name, response.status_code)
    for name in step.fields:
        assert kind_of(form[name]) == "needed", (scenario.id, name, "refused at a step: label it so (Needed)")
        assert error_next_to(body, form[name]), (scenario.id, step.name, name, "no error next to the field")
        assert listed(body, form[name]), (scenario.id, step.name, name, "not listed in the summary")
    # What the labels call optional the step does not ask for.
    for f in typed_fields(form):
        if kind_of(f) == "optional":
            assert not error_next_to(body, f), (scenario.id, step.name, f.short_name, "labelled optional, refused")
