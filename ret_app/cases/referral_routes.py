"""Referral (aanmelding) routes: the youth and the question, the family system, help tried before,
consent, attachments and submitting. Thin: load the case through the policy, validate the form,
call the service, commit, respond (an htmx fragment for htmx requests, a page otherwise)."""

from __future__ import annotations

import io
import logging
from datetime import date
from typing import Any, Callable, Optional

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ret_app import audit, policy
from ret_app.cases import attachments, consent, referral_services
from ret_app.cases.access import case_or_404
from ret_app.cases.blueprint import bp
from ret_app.cases.lifecycle import TransitionError
from ret_app.cases.referral_forms import (
    CONSENT_FORM_LABELS,
    GENDER_LABELS,
    GIVEN_BY_ROLE_LABELS,
    RELATION_LABELS,
    SCOPE_LABELS,
    AttachmentForm,
    ConsentForm,
    FamilyMemberForm,
    LegalGroundForm,
    PriorHelpForm,
    ReferralForm,
    SubmitForm,
    WithdrawConsentForm,
)
from ret_app.cases.referral_services import REFERRAL_FIELDS, RuleError
from ret_app.rules import add_to_form
from ret_app.cases.referrals import missing_referral_fields
from ret_app.extensions import db
from ret_app.templating import wants_fragment
from ret_app.models import Attachment, Case, CaseStatus, Consent, ConsentScope, FamilyMember, LegalGround, PriorHelp
from ret_app.policy import Permission, requires

log = logging.getLogger(__name__)

SECTION_IDS = {"family": "gezinssysteem", "prior_help": "eerdere-hulp", "consent": "toestemming",
               "attachments": "bijlagen", "submit": "indienen"}
STALE = _l("Someone else changed this case at the same moment. Nothing of your last action was saved; "
           "check the page and try again.")


def _editable(case_id: int, detail: str) -> Case:
    """A case whose referral the current user may change (404 otherwise; the denial is audited)."""
    return case_or_404(case_id, action=audit.Action.UPDATE, detail=detail, rule=policy.can_edit_referral)


def _commit(work: Callable[[], Any]) -> bool:
    """Run a service call and commit. False when a concurrent save made ours stale (rolled back);
    a RuleError rolls back and goes to the caller."""
    try:
        work()
        db.session.commit()
        return True
    except StaleDataError:
        db.session.rollback()
        return False
    except RuleError:
        db.session.rollback()
        raise


def _referral_url(case: Case, section: Optional[str] = None) -> str:
    return url_for("cases.referral_edit", case_id=case.id, _anchor=SECTION_IDS.get(section) if section else None)


@bp.app_template_global("may_record_consent")
def may_record_consent(case: Case) -> bool:
    """For templates (e.g. the case page): show the link to the consent screen?"""
    return policy.can_record_consent(current_user, case)


@bp.app_template_global("may_edit_referral")
def may_edit_referral(case: Case) -> bool:
    return policy.can_edit_referral(current_user, case)


@bp.app_template_filter("relation_label")
def relation_label(code: Optional[str]) -> str:
    """A family member's relation in words (the case page shows the family system too)."""
    return str(RELATION_LABELS.get(code, code or "—"))


@bp.app_template_global("attachment_type_labels")
def attachment_type_labels() -> dict:
    return attachments.TYPE_LABELS


@bp.app_template_global("attachment_size")
def attachment_size(size: int) -> str:
    return attachments.human_size(size)


# --- page assembly ---------------------------------------------------------------------------

def _referral_form(case: Case) -> ReferralForm:
    form = ReferralForm(formdata=None, obj=case)
    form.version.data = str(case.version)
    form.loaded_state.data = referral_services.fingerprint(case)
    return form


def _consent_form(case: Case, form: Optional[ConsentForm] = None) -> ConsentForm:
    if form is None:
        form = ConsentForm(formdata=None, prefix="consent", given_on=date.today())
    form.person.choices = [("", _("— choose —"))] + referral_services.consenting_people(case)
    return form


def _withdraw_forms(case: Case, submitted: Optional[WithdrawConsentForm] = None,
                    submitted_id: Optional[int] = None) -> dict[int, WithdrawConsentForm]:
    forms = {}
    for record in case.consents:
        if record.withdrawn_on is None:
            if submitted is not None and record.id == submitted_id:
                forms[record.id] = submitted
            else:
                forms[record.id] = WithdrawConsentForm(formdata=None, prefix=f"withdraw-{record.id}",
                                                       withdrawn_on=date.today())
    return forms


def _consent_context(case: Case, *, consent_form: Optional[ConsentForm] = None,
                     ground_form: Optional[LegalGroundForm] = None, withdraw_form: Optional[WithdrawConsentForm] = None,
                     withdraw_id: Optional[int] = None, back: str = "referral", notice: Optional[str] = None,
                     problem: Optional[str] = None) -> dict:
    today = date.today()
    requirement = consent.requirement(case, today)
    age = consent.age_on(case.youth_birth_date, today) if case.youth_birth_date else None
    return {
        "statuses": [(scope.value, SCOPE_LABELS[scope.value], consent.scope_status(case, scope, today))
                     for scope in ConsentScope],
        "requirement": requirement,
        "youth_age": age,
        "consent_form": _consent_form(case, consent_form),
        "ground_form": ground_form or LegalGroundForm(formdata=None, prefix="ground"),
        "withdraw_forms": _withdraw_forms(case, withdraw_form, withdraw_id),
        "back": back,
        "consent_notice": notice,
        "consent_problem": problem,
        "member_label": referral_services.member_label,
    }


def _labels() -> dict:
    return {"relation_labels": RELATION_LABELS, "scope_labels": SCOPE_LABELS, "gender_labels": GENDER_LABELS,
            "consent_form_labels": CONSENT_FORM_LABELS, "given_by_role_labels": GIVEN_BY_ROLE_LABELS,
            "type_labels": attachments.TYPE_LABELS, "human_size": attachments.human_size,
            "accept": attachments.ACCEPT, "section_ids": SECTION_IDS}


def _referral_page(case: Case, *, form: Optional[ReferralForm] = None, member_form=None, help_form=None,
                   attachment_form=None, submit_form=None, consent_kwargs: Optional[dict] = None,
                   conflict: Optional[list] = None, submit_problems: Optional[list] = None,
                   notices: Optional[dict] = None):
    return render_template(
        "cases/referral/edit.html",
        case=case,
        form=form or _referral_form(case),
        member_form=member_form or FamilyMemberForm(formdata=None, prefix="member"),
        help_form=help_form or PriorHelpForm(formdata=None, prefix="help"),
        attachment_form=attachment_form or AttachmentForm(formdata=None, prefix="attachment"),
        submit_form=submit_form or SubmitForm(formdata=None),
        conflict=conflict or [],
        conflict_notes={item["name"]: item["note"] for item in (conflict or [])},
        submit_problems=submit_problems or [],
        missing=missing_referral_fields(case),
        ret_status=consent.scope_status(case, ConsentScope.RET),
        notices=notices or {},
        **_consent_context(case, **(consent_kwargs or {})),
        **_labels(),
    )


def _family_fragment(case: Case, *, member_form=None, notice=None, problem=None, consent_update=True):
    """The family section, plus the consent section out of band: who must consent depends on who holds authority."""
    body = render_template("cases/referral/_family.html", case=case,
                           member_form=member_form or FamilyMemberForm(formdata=None, prefix="member"),
                           family_notice=notice, family_problem=problem, **_labels())
    if consent_update:
        body += render_template("cases/referral/_consent.html", case=case, oob=True, **_consent_context(case),
                                **_labels())
    return body


def _prior_help_fragment(case: Case, *, help_form=None, notice=None):
    return render_template("cases/referral/_prior_help.html", case=case,
                           help_form=help_form or PriorHelpForm(formdata=None, prefix="help"),
                           prior_help_notice=notice, **_labels())


def _consent_fragment(case: Case, **kwargs):
    return render_template("cases/referral/_consent.html", case=case, oob=False, **_consent_context(case, **kwargs),
                           **_labels())


# --- the youth and the question -----------------------------------------------------------------

def _display(case: Case, name: str) -> str:
    from ret_app.cases.forms import URGENCY_LABELS
    from ret_app.templating import local_date

    value = getattr(case, name)
    if name == "youth_birth_date":
        return local_date(value, "d-M-yyyy") if value else "—"
    if name == "youth_gender":
        return str(GENDER_LABELS.get(value, "—")) if value else "—"
    if name == "urgency":
        return str(URGENCY_LABELS.get(value, value))
    if name == "placement_intended":
        return _("yes") if value else _("no")
    return value or "—"


def _conflict(case: Case, form: ReferralForm, fields: list[str]) -> list[dict]:
    """Keep the user's input, point the form at the version now saved, and say what differs."""
    form.version.data = str(case.version)
    form.loaded_state.data = referral_services.fingerprint(case)
    audit.record(audit.Action.UPDATE, outcome=audit.Outcome.FAILED, object_type="case", object_id=case.id,
                 case_id=case.id, detail="referral conflict fields=" + ",".join(fields), commit=True)
    return [{"name": name, "label": form[name].label.text,
             "note": _("Saved by someone else in the meantime: %(value)s", value=_display(case, name))}
            for name in fields]


def _save_referral(case: Case, form: ReferralForm) -> Optional[list[dict]]:
    """Save the form; None when saved (not yet committed), else the conflict to show."""
    others = referral_services.changed_by_others(case, form.version.data, form.loaded_state.data, form.data)
    if others:
        return _conflict(case, form, others)
    try:
        referral_services.save_referral(case, current_user, form.data)
        db.session.flush()
    except StaleDataError:
        # Someone saved between our check and our write: the database refused the old version.
        db.session.rollback()
        others = referral_services.changed_by_others(case, form.version.data, form.loaded_state.data, form.data)
        return _conflict(case, form, others or list(REFERRAL_FIELDS))
    return None


@bp.route("/casussen/<int:case_id>/aanmelding", methods=["GET", "POST"])
@requires(Permission.MAKE_REFERRALS)
def referral_edit(case_id: int):
    if request.method == "GET":
        case = case_or_404(case_id, detail="referral", rule=policy.can_edit_referral)
        return _referral_page(case)
    case = _editable(case_id, "referral_save")
    form = ReferralForm()
    if not form.validate_on_submit():
        # Nothing is saved; every value typed comes back, the errors next to their fields.
        return _referral_page(case, form=form)
    conflict = _save_referral(case, form)
    if conflict:
        return _referral_page(case, form=form, conflict=conflict)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _referral_page(case, form=form, conflict=_conflict(case, form, list(REFERRAL_FIELDS)))
    flash(_("The referral has been saved as a concept.") if case.status == CaseStatus.CONCEPT
          else _("The referral has been saved."), "success")
    return redirect(_referral_url(case))


@bp.route("/casussen/<int:case_id>/aanmelding/indienen", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def referral_submit(case_id: int):
    case = _editable(case_id, "referral_submit")
    submit_form = SubmitForm()
    form = None
    if any(name in request.form for name in REFERRAL_FIELDS):
        # Sent from the referral form ("save and submit"): save what was typed first.
        form = ReferralForm()
        if not form.validate_on_submit():
            return _referral_page(case, form=form, submit_form=submit_form, submit_problems=[
                _("Some fields are not filled in correctly (see below). Nothing has been saved or submitted.")])
        conflict = _save_referral(case, form)
        if conflict:
            return _referral_page(case, form=form, submit_form=submit_form, conflict=conflict, submit_problems=[
                _("The referral has not been submitted because someone else changed it in the meantime.")])
    elif not submit_form.validate_on_submit():
        return _referral_page(case, submit_form=submit_form)
    try:
        referral_services.submit(case, current_user, reason=submit_form.resubmit_reason.data)
    except TransitionError as error:
        # What was typed stays: saved as a concept, with the reasons why it cannot go yet.
        if not _commit(lambda: None):
            return _referral_page(case, form=form, submit_form=submit_form, submit_problems=[str(STALE)])
        problems = [str(reason) for reason in error.reasons]
        if form is not None:
            problems.append(_("Your changes have been saved as a concept."))
        return _referral_page(case, submit_form=submit_form, submit_problems=problems)
    if not _commit(lambda: None):
        return _referral_page(case, form=form, submit_form=submit_form, submit_problems=[str(STALE)])
    flash(_("The referral has been submitted to the RET. The chair will decide on the intake."), "success")
    return redirect(url_for("cases.case_page", case_id=case.id))


# --- the family system -------------------------------------------------------------------------

def _member_or_404(case: Case, member_id: int) -> FamilyMember:
    member = db.session.get(FamilyMember, member_id)
    if member is None or member.case_id != case.id:
        abort(404)
    return member


def _after_family_change(case: Case, notice: str):
    if wants_fragment():
        return _family_fragment(case, notice=notice)
    flash(notice, "success")
    return redirect(_referral_url(case, "family"))


def _family_stale(case: Case, member_form=None):
    if wants_fragment():
        return _family_fragment(case, member_form=member_form, problem=str(STALE))
    flash(str(STALE), "error")
    return redirect(_referral_url(case, "family"))


@bp.route("/casussen/<int:case_id>/aanmelding/gezin", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def family_add(case_id: int):
    case = _editable(case_id, "family_add")
    form = FamilyMemberForm(prefix="member")
    if form.validate_on_submit():
        try:
            if not _commit(lambda: referral_services.add_family_member(case, current_user, form.data)):
                return _family_stale(case, form)
            return _after_family_change(case, _("The family member has been added."))
        except RuleError as error:
            add_to_form(form, error)
    if wants_fragment():
        return _family_fragment(case, member_form=form, consent_update=False)
    return _referral_page(case, member_form=form)


@bp.route("/casussen/<int:case_id>/aanmelding/gezin/<int:member_id>", methods=["GET", "POST"])
@requires(Permission.MAKE_REFERRALS)
def family_edit(case_id: int, member_id: int):
    if request.method == "GET":
        case = case_or_404(case_id, detail="family_member", rule=policy.can_edit_referral)
        member = _member_or_404(case, member_id)
        form = FamilyMemberForm(formdata=None, obj=member, prefix=f"member-{member.id}")
    else:
        case = _editable(case_id, "family_edit")
        member = _member_or_404(case, member_id)
        form = FamilyMemberForm(prefix=f"member-{member.id}")
        if form.validate_on_submit():
            try:
                if not _commit(lambda: referral_services.update_family_member(case, current_user, member, form.data)):
                    return _family_stale(case)
                response = _after_family_change(case, _("The family member has been changed."))
                if wants_fragment():
                    response = make_response(response)
                    # The edit form replaced one row; the answer is the whole section.
                    response.headers["HX-Retarget"] = "#" + SECTION_IDS["family"]
                    response.headers["HX-Reswap"] = "outerHTML"
                return response
            except RuleError as error:
                add_to_form(form, error)
    context = dict(case=case, member=member, form=form, **_labels())
    if wants_fragment():
        return render_template("cases/referral/_family_member_edit.html", **context)
    return render_template("cases/referral/family_member.html", **context)


@bp.route("/casussen/<int:case_id>/aanmelding/gezin/<int:member_id>/verwijderen", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def family_remove(case_id: int, member_id: int):
    case = _editable(case_id, "family_remove")
    member = _member_or_404(case, member_id)
    try:
        if not _commit(lambda: referral_services.remove_family_member(case, current_user, member)):
            return _family_stale(case)
    except RuleError as error:
        if wants_fragment():
            return _family_fragment(case, problem=str(error.message), consent_update=False)
        flash(str(error.message), "error")
        return redirect(_referral_url(case, "family"))
    return _after_family_change(case, _("The family member has been removed."))


# --- help tried before ---------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/aanmelding/eerdere-hulp", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def prior_help_add(case_id: int):
    case = _editable(case_id, "prior_help_add")
    form = PriorHelpForm(prefix="help")
    if form.validate_on_submit():
        try:
            if _commit(lambda: referral_services.add_prior_help(case, current_user, form.data)):
                notice = _("The help tried before has been added.")
                if wants_fragment():
                    return _prior_help_fragment(case, notice=notice)
                flash(notice, "success")
                return redirect(_referral_url(case, "prior_help"))
            form.form_errors.append(str(STALE))
        except RuleError as error:
            add_to_form(form, error)
    if wants_fragment():
        return _prior_help_fragment(case, help_form=form)
    return _referral_page(case, help_form=form)


@bp.route("/casussen/<int:case_id>/aanmelding/eerdere-hulp/<int:help_id>/verwijderen", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def prior_help_remove(case_id: int, help_id: int):
    case = _editable(case_id, "prior_help_remove")
    item = db.session.get(PriorHelp, help_id)
    if item is None or item.case_id != case.id:
        abort(404)
    ok = _commit(lambda: referral_services.remove_prior_help(case, current_user, item))
    notice = _("The help tried before has been removed.") if ok else str(STALE)
    if wants_fragment():
        return _prior_help_fragment(case, notice=notice)
    flash(notice, "success" if ok else "error")
    return redirect(_referral_url(case, "prior_help"))


# --- consent -----------------------------------------------------------------------------------

def _consent_case(case_id: int, detail: str, *, read: bool = False) -> Case:
    action = audit.Action.READ if read else audit.Action.UPDATE
    return case_or_404(case_id, action=action, detail=detail, rule=policy.can_record_consent)


def _back(case: Case) -> str:
    """Where a consent form came from: the referral page while it can be edited, else the consent page."""
    if request.form.get("back") == "referral" and policy.can_edit_referral(current_user, case):
        return "referral"
    return "consent"


def _consent_done(case: Case, notice: str):
    back = _back(case)
    if wants_fragment():
        return _consent_fragment(case, back=back, notice=notice)
    flash(notice, "success")
    if back == "referral":
        return redirect(_referral_url(case, "consent"))
    return redirect(url_for("cases.consent_page", case_id=case.id))


def _consent_invalid(case: Case, **kwargs):
    back = _back(case)
    if wants_fragment():
        return _consent_fragment(case, back=back, **kwargs)
    if back == "referral":
        return _referral_page(case, consent_kwargs={**kwargs, "back": back})
    return render_template("cases/referral/consent.html", case=case, **_consent_context(case, back=back, **kwargs),
                           **_labels())


@bp.route("/casussen/<int:case_id>/toestemming", methods=["GET", "POST"])
@requires(Permission.WORK_ON_CASES)
def consent_page(case_id: int):
    if request.method == "GET":
        case = _consent_case(case_id, "consent", read=True)
        if wants_fragment():
            return _consent_fragment(case, back="consent")
        return render_template("cases/referral/consent.html", case=case, **_consent_context(case, back="consent"),
                               **_labels())
    case = _consent_case(case_id, "consent_record")
    form = _consent_form(case, ConsentForm(prefix="consent"))
    if form.validate_on_submit():
        try:
            if _commit(lambda: referral_services.record_consent(
                    case, current_user, person=form.person.data, scope=form.scope.data,
                    given_on=form.given_on.data, kind=form.kind.data)):
                return _consent_done(case, _("The consent has been recorded."))
            return _consent_invalid(case, consent_form=form, problem=str(STALE))
        except RuleError as error:
            add_to_form(form, error)
    return _consent_invalid(case, consent_form=form)


@bp.route("/casussen/<int:case_id>/toestemming/<int:consent_id>/intrekken", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def consent_withdraw(case_id: int, consent_id: int):
    case = _consent_case(case_id, "consent_withdraw")
    record = db.session.get(Consent, consent_id)
    if record is None or record.case_id != case.id:
        abort(404)
    form = WithdrawConsentForm(prefix=f"withdraw-{record.id}")
    if form.validate_on_submit():
        try:
            if _commit(lambda: referral_services.withdraw_consent(case, current_user, record, form.withdrawn_on.data)):
                return _consent_done(case, _("The consent has been withdrawn."))
            return _consent_invalid(case, problem=str(STALE))
        except RuleError as error:
            if error.field is None:
                return _consent_invalid(case, problem=str(error.message))
            add_to_form(form, error)
    return _consent_invalid(case, withdraw_form=form, withdraw_id=record.id)


@bp.route("/casussen/<int:case_id>/toestemming/grondslag", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def legal_ground_add(case_id: int):
    case = _consent_case(case_id, "legal_ground_add")
    form = LegalGroundForm(prefix="ground")
    if form.validate_on_submit():
        try:
            if _commit(lambda: referral_services.add_legal_ground(case, current_user, scope=form.scope.data,
                                                                  reason=form.reason.data)):
                return _consent_done(case, _("The legal ground has been recorded."))
            return _consent_invalid(case, ground_form=form, problem=str(STALE))
        except RuleError as error:
            add_to_form(form, error)
    return _consent_invalid(case, ground_form=form)


@bp.route("/casussen/<int:case_id>/toestemming/grondslag/<int:ground_id>/beeindigen", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def legal_ground_end(case_id: int, ground_id: int):
    case = _consent_case(case_id, "legal_ground_end")
    ground = db.session.get(LegalGround, ground_id)
    if ground is None or ground.case_id != case.id:
        abort(404)
    try:
        if _commit(lambda: referral_services.end_legal_ground(case, current_user, ground)):
            return _consent_done(case, _("The legal ground has been ended."))
        return _consent_invalid(case, problem=str(STALE))
    except RuleError as error:
        return _consent_invalid(case, problem=str(error.message))


# --- attachments -------------------------------------------------------------------------------

def _attachment_of(case: Case, attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    return attachment


@bp.route("/casussen/<int:case_id>/bijlagen", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def attachment_upload(case_id: int):
    case = _editable(case_id, "attachment_upload")
    form = AttachmentForm(prefix="attachment")
    if form.validate_on_submit():
        added: list[Attachment] = []
        try:
            ok = _commit(lambda: added.append(attachments.add_attachment(case, current_user, form.file.data)))
        except RuleError as error:
            add_to_form(form, error)
        except Exception:
            for item in added:
                attachments.discard_file(item.storage_key)
            raise
        else:
            if ok:
                flash(_("The attachment %(name)s has been added.", name=added[0].filename), "success")
                return redirect(_referral_url(case, "attachments"))
            for item in added:
                attachments.discard_file(item.storage_key)
            form.file.errors = [str(STALE)]
    return _referral_page(case, attachment_form=form)


@bp.route("/casussen/<int:case_id>/bijlagen/<int:attachment_id>")
@requires(Permission.WORK_ON_CASES)
def attachment_download(case_id: int, attachment_id: int):
    case = case_or_404(case_id, action=audit.Action.EXPORT, detail="attachment")
    attachment = _attachment_of(case, attachment_id)
    try:
        data = attachments.read(attachment)
    except attachments.AttachmentMissing as error:
        log.error("attachment %s of case %s cannot be served: %s", attachment.id, case.id, error)
        audit.record(audit.Action.EXPORT, outcome=audit.Outcome.FAILED, object_type="attachment",
                     object_id=attachment.id, case_id=case.id, detail=str(error), commit=True)
        abort(500)
    attachments.record_download(case, attachment)
    response = send_file(io.BytesIO(data), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, conditional=False, etag=False, max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/casussen/<int:case_id>/bijlagen/<int:attachment_id>/verwijderen", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def attachment_delete(case_id: int, attachment_id: int):
    case = _editable(case_id, "attachment_delete")
    attachment = _attachment_of(case, attachment_id)
    name = attachment.filename
    keys: list[str] = []
    if _commit(lambda: keys.append(attachments.remove_attachment(case, current_user, attachment))):
        attachments.discard_file(keys[0])
        flash(_("The attachment %(name)s has been removed.", name=name), "success")
    else:
        flash(str(STALE), "error")
    return redirect(_referral_url(case, "attachments"))
