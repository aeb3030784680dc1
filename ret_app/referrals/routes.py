"""Referral (aanmelding) routes: a new concept, the youth and the question, the family system, help
tried before, consent, attachments and submitting.

Each route: load the case through the policy (404 when it may not be seen; reads and denials
audited) -> validate the form -> call the service in a savepoint (web.submit) -> respond: an htmx
fragment for htmx requests, a page or a redirect otherwise. The unit of work commits at the end.
"""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Optional

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ret_app import policy, web
from ret_app.audit import Action
from ret_app.cases import consent, queries
from ret_app.cases.access import STALE, case_or_404
from ret_app.cases.completeness import missing_referral_items
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.labels import (
    CONSENT_FORM_LABELS,
    GENDER_LABELS,
    GIVEN_BY_ROLE_LABELS,
    RELATION_LABELS,
    SCOPE_LABELS,
    URGENCY_LABELS,
)
from ret_app.models import Attachment, Case, CaseStatus, Consent, ConsentScope, FamilyMember, LegalGround, PriorHelp
from ret_app.policy import Permission, requires
from ret_app.referrals import attachments, services
from ret_app.referrals import queries as referral_queries
from ret_app.referrals.blueprint import bp
from ret_app.referrals.forms import (
    AttachmentForm,
    ConsentGridForm,
    FamilyMemberForm,
    LegalGroundForm,
    NewReferralForm,
    PriorHelpForm,
    ReferralForm,
    SubmitForm,
    WithdrawConsentForm,
)
from ret_app.templating import local_date, wants_fragment

SECTION_IDS = {"family": "gezinssysteem", "prior_help": "eerdere-hulp", "consent": "toestemming",
               "attachments": "bijlagen", "submit": "indienen"}


def _editable(case_id: int, detail: str) -> Case:
    """A case whose referral the current user may change (404 otherwise; the denial is audited)."""
    return case_or_404(case_id, action=Action.UPDATE, detail=detail, rule=policy.can_edit_referral)


def _referral_url(case: Case, section: Optional[str] = None) -> str:
    return url_for("referrals.referral_edit", case_id=case.id, _anchor=SECTION_IDS.get(section) if section else None)


# --- page assembly ---------------------------------------------------------------------------

def _referral_form(case: Case) -> ReferralForm:
    form = ReferralForm(formdata=None, obj=case)
    form.version.data = str(case.version)
    form.loaded_state.data = services.fingerprint(case)
    return form


def _consent_form(form: Optional[ConsentGridForm] = None) -> ConsentGridForm:
    return form or ConsentGridForm(formdata=None, prefix="consent", given_on=dates.today())


def _withdraw_forms(case: Case, submitted: Optional[WithdrawConsentForm] = None,
                    submitted_id: Optional[int] = None) -> dict[int, WithdrawConsentForm]:
    forms = {}
    for record in case.consents:
        if record.withdrawn_on is None:
            if submitted is not None and record.id == submitted_id:
                forms[record.id] = submitted
            else:
                forms[record.id] = WithdrawConsentForm(formdata=None, prefix=f"withdraw-{record.id}",
                                                       withdrawn_on=dates.today())
    return forms


def _consent_context(case: Case, *, consent_form: Optional[ConsentGridForm] = None,
                     ground_form: Optional[LegalGroundForm] = None, withdraw_form: Optional[WithdrawConsentForm] = None,
                     withdraw_id: Optional[int] = None, back: str = "referral", notice: Optional[str] = None,
                     problem: Optional[str] = None) -> dict:
    today = dates.today()
    requirement = consent.requirement(case, today)
    age = consent.age_on(case.youth_birth_date, today) if case.youth_birth_date else None
    return {
        "statuses": [(scope.value, SCOPE_LABELS[scope.value], consent.scope_status(case, scope, today))
                     for scope in ConsentScope],
        "requirement": requirement,
        "youth_age": age,
        "consent_form": _consent_form(consent_form),
        "grid_rows": consent.grid_rows(case, today),
        "scopes": [(scope.value, SCOPE_LABELS[scope.value]) for scope in ConsentScope],
        "youth_label": services.youth_label(case),
        "ground_form": ground_form or LegalGroundForm(formdata=None, prefix="ground"),
        "withdraw_forms": _withdraw_forms(case, withdraw_form, withdraw_id),
        "back": back,
        "consent_notice": notice,
        "consent_problem": problem,
        "member_label": services.member_label,
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
    referral_queries.load_consent_details(case)
    return render_template(
        "referrals/edit.html",
        case=case,
        form=form or _referral_form(case),
        member_form=member_form or FamilyMemberForm(formdata=None, prefix="member"),
        help_form=help_form or PriorHelpForm(formdata=None, prefix="help"),
        attachment_form=attachment_form or AttachmentForm(formdata=None, prefix="attachment"),
        submit_form=submit_form or SubmitForm(formdata=None),
        conflict=conflict or [],
        conflict_notes={item["name"]: item["note"] for item in (conflict or [])},
        submit_problems=submit_problems or [],
        missing=missing_referral_items(case),
        ret_status=consent.scope_status(case, ConsentScope.RET),
        notices=notices or {},
        **_consent_context(case, **(consent_kwargs or {})),
        **_labels(),
    )


def _family_fragment(case: Case, *, member_form=None, notice=None, problem=None, consent_update=True):
    """The family section, plus the consent section out of band: who must consent depends on who holds authority."""
    body = render_template("referrals/_family.html", case=case,
                           member_form=member_form or FamilyMemberForm(formdata=None, prefix="member"),
                           family_notice=notice, family_problem=problem, **_labels())
    if consent_update:
        body += render_template("referrals/_consent.html", case=case, oob=True, **_consent_context(case),
                                **_labels())
    return body


def _prior_help_fragment(case: Case, *, help_form=None, notice=None):
    return render_template("referrals/_prior_help.html", case=case,
                           help_form=help_form or PriorHelpForm(formdata=None, prefix="help"),
                           prior_help_notice=notice, **_labels())


def _consent_fragment(case: Case, **kwargs):
    return render_template("referrals/_consent.html", case=case, oob=False, **_consent_context(case, **kwargs),
                           **_labels())


# --- a new referral ----------------------------------------------------------------------------

@bp.route("/casussen/nieuw", methods=["GET", "POST"])
@requires(Permission.MAKE_REFERRALS)
def referral_new():
    form = NewReferralForm()
    options = queries.region_municipalities(current_user)
    form.municipality_id.choices = [(None, _("— choose —"))] + [(m.id, m.name) for m in options]
    if request.method == "GET" and current_user.organisation.municipality_id:
        form.municipality_id.data = current_user.organisation.municipality_id
    result = web.submit(form, lambda: services.new_concept(current_user, form.municipality_id.data, options,
                                                           form.submission_key.data))
    if result:
        flash(_("Referral %(ref)s has been started as a concept. You can complete it later.",
                ref=result.value.reference), "success")
        return redirect(url_for("referrals.referral_edit", case_id=result.value.id))
    return render_template("referrals/new.html", form=form)


# --- the youth and the question -----------------------------------------------------------------

def _display(case: Case, name: str) -> str:
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
    form.loaded_state.data = services.fingerprint(case)
    web.Refusal("case", object_id=case.id, case_id=case.id).record(
        detail="referral conflict fields=" + ",".join(fields))
    return [{"name": name, "label": form[name].label.text,
             "note": _("Saved by someone else in the meantime: %(value)s", value=_display(case, name))}
            for name in fields]


def _save(case: Case, form: ReferralForm) -> Optional[list[dict]]:
    """Save what was typed (None), or the conflict to show when someone else saved some of it first."""
    result = web.attempt_or_error(lambda: services.save_referral(case, current_user, form.data, form.version.data,
                                                                  form.loaded_state.data))
    if result:
        return None
    # Someone saved these fields first; or between our check and our write (the database refused the old
    # version): then the fields are compared again with what is saved now.
    fields = result.error.detail or services.changed_by_others(
        case, form.version.data, form.loaded_state.data, form.data) or list(services.REFERRAL_FIELDS)
    return _conflict(case, form, fields)


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
    conflict = _save(case, form)
    if conflict:
        return _referral_page(case, form=form, conflict=conflict)
    flash(_("The referral has been saved as a concept.") if case.status == CaseStatus.CONCEPT
          else _("The referral has been saved."), "success")
    return redirect(_referral_url(case))


def _submit_summary(form: ReferralForm, submit_form: SubmitForm, problems: dict, extra=()) -> list[dict]:
    """One list of everything that stops the submission, in the order of the page, each linked to
    its field (and shown next to it): what the form could not read, and what submitting still
    needs (`problems`: field -> message; services.CONSENT: the consent section; None: no field)."""
    items: list[dict] = []
    for f in (form, submit_form):
        for field in f:
            if field.short_name == "csrf_token" or field.type == "HiddenField":
                continue
            problem = problems.get(field.short_name)
            if problem is not None and not field.errors:
                field.errors = list(field.errors) + [str(problem)]
            if field.errors:
                items.append({"message": f"{field.label.text}: {' '.join(map(str, field.errors))}",
                              "href": "#" + field.id})
    if services.CONSENT in problems:
        items.append({"message": str(problems[services.CONSENT]), "href": "#" + SECTION_IDS["consent"]})
    shown = {str(message) for message in problems.values()}
    if problems.get(None) is not None:
        items.append({"message": str(problems[None]), "href": None})
    for message in extra:
        if str(message) not in shown:
            items.append({"message": str(message), "href": None})
    return items


def _typed(form: ReferralForm) -> SimpleNamespace:
    """The referral fields as the form was sent (to say what submitting would still need)."""
    return SimpleNamespace(**{name: form[name].data for name in services.REFERRAL_FIELDS})


@bp.route("/casussen/<int:case_id>/aanmelding/indienen", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def referral_submit(case_id: int):
    case = _editable(case_id, "referral_submit")
    submit_form = SubmitForm()
    form = None
    if any(name in request.form for name in services.REFERRAL_FIELDS):
        # Sent from the referral form ("save and submit"): save what was typed first.
        form = ReferralForm()
        if not form.validate_on_submit():
            # Nothing is saved; every error at once: what the form refused and what submitting needs.
            submit_form.validate()
            problems = services.submit_problems(case, _typed(form), submit_form.resubmit_reason.data)
            return _referral_page(case, form=form, submit_form=submit_form, submit_problems=(
                _submit_summary(form, submit_form, problems)
                + [{"message": _("Nothing has been saved or submitted."), "href": None}]))
        conflict = _save(case, form)
        if conflict:
            return _referral_page(case, form=form, submit_form=submit_form, conflict=conflict, submit_problems=[
                {"message": _("The referral has not been submitted because someone else changed it in the meantime."),
                 "href": None}])
    elif not submit_form.validate_on_submit():
        return _referral_page(case, submit_form=submit_form)
    result = web.attempt_or_error(lambda: services.submit(case, current_user, reason=submit_form.resubmit_reason.data))
    if result.conflict:
        return _referral_page(case, form=form, submit_form=submit_form,
                              submit_problems=[{"message": str(STALE), "href": None}])
    if not result:
        # What was typed stays (saved as a concept), with everything that stops it from going yet.
        saved = form is not None
        form = form or _referral_form(case)
        problems = _submit_summary(form, submit_form, result.error.errors, extra=result.error.reasons)
        if saved:
            problems.append({"message": _("Your changes have been saved as a concept."), "href": None})
        return _referral_page(case, form=form, submit_form=submit_form, submit_problems=problems)
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
    result = web.submit(form, lambda: services.add_family_member(case, current_user, form.data))
    if result:
        return _after_family_change(case, _("The family member has been added."))
    if result.conflict:
        return _family_stale(case, form)
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
        result = web.submit(form, lambda: services.update_family_member(case, current_user, member, form.data))
        if result.conflict:
            return _family_stale(case)
        if result:
            response = _after_family_change(case, _("The family member has been changed."))
            if wants_fragment():
                response = make_response(response)
                # The edit form replaced one row; the answer is the whole section.
                response.headers["HX-Retarget"] = "#" + SECTION_IDS["family"]
                response.headers["HX-Reswap"] = "outerHTML"
            return response
    context = dict(case=case, member=member, form=form, **_labels())
    if wants_fragment():
        return render_template("referrals/_family_member_edit.html", **context)
    return render_template("referrals/family_member.html", **context)


@bp.route("/casussen/<int:case_id>/aanmelding/gezin/<int:member_id>/verwijderen", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def family_remove(case_id: int, member_id: int):
    case = _editable(case_id, "family_remove")
    member = _member_or_404(case, member_id)
    result = web.attempt_or_error(lambda: services.remove_family_member(case, current_user, member))
    if result.conflict:
        return _family_stale(case)
    if not result:
        if wants_fragment():
            return _family_fragment(case, problem=str(result.error.message), consent_update=False)
        flash(str(result.error.message), "error")
        return redirect(_referral_url(case, "family"))
    return _after_family_change(case, _("The family member has been removed."))


# --- help tried before ---------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/aanmelding/eerdere-hulp", methods=["POST"])
@requires(Permission.MAKE_REFERRALS)
def prior_help_add(case_id: int):
    case = _editable(case_id, "prior_help_add")
    form = PriorHelpForm(prefix="help")
    result = web.submit(form, lambda: services.add_prior_help(case, current_user, form.data))
    if result:
        notice = _("The help tried before has been added.")
        if wants_fragment():
            return _prior_help_fragment(case, notice=notice)
        flash(notice, "success")
        return redirect(_referral_url(case, "prior_help"))
    if result.conflict:
        form.form_errors.append(str(STALE))
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
    ok = bool(web.attempt_or_error(lambda: services.remove_prior_help(case, current_user, item)))
    notice = _("The help tried before has been removed.") if ok else str(STALE)
    if wants_fragment():
        return _prior_help_fragment(case, notice=notice)
    flash(notice, "success" if ok else "error")
    return redirect(_referral_url(case, "prior_help"))


# --- consent -----------------------------------------------------------------------------------

def _consent_case(case_id: int, detail: str, *, read: bool = False) -> Case:
    case = case_or_404(case_id, action=Action.READ if read else Action.UPDATE, detail=detail,
                       rule=policy.can_record_consent)
    return referral_queries.load_consent_details(case)


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
    return redirect(url_for("referrals.consent_page", case_id=case.id))


def _consent_invalid(case: Case, **kwargs):
    back = _back(case)
    if wants_fragment():
        return _consent_fragment(case, back=back, **kwargs)
    if back == "referral":
        return _referral_page(case, consent_kwargs={**kwargs, "back": back})
    return render_template("referrals/consent.html", case=case, **_consent_context(case, back=back, **kwargs),
                           **_labels())


@bp.route("/casussen/<int:case_id>/toestemming", methods=["GET", "POST"])
@requires(Permission.WORK_ON_CASES)
def consent_page(case_id: int):
    if request.method == "GET":
        case = _consent_case(case_id, "consent", read=True)
        if wants_fragment():
            return _consent_fragment(case, back="consent")
        return render_template("referrals/consent.html", case=case, **_consent_context(case, back="consent"),
                               **_labels())
    case = _consent_case(case_id, "consent_record")
    form = ConsentGridForm(prefix="consent")
    result = web.submit(form, lambda: services.record_consents(
        case, current_user, cells=form.cells.data, given_on=form.given_on.data, kind=form.kind.data))
    if result:
        count = len(result.value)
        return _consent_done(case, ngettext("%(num)d consent has been recorded.",
                                            "%(num)d consents have been recorded.", count))
    if result.conflict:
        return _consent_invalid(case, consent_form=form, problem=str(STALE))
    return _consent_invalid(case, consent_form=form)


@bp.route("/casussen/<int:case_id>/toestemming/<int:consent_id>/intrekken", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def consent_withdraw(case_id: int, consent_id: int):
    case = _consent_case(case_id, "consent_withdraw")
    record = db.session.get(Consent, consent_id)
    if record is None or record.case_id != case.id:
        abort(404)
    form = WithdrawConsentForm(prefix=f"withdraw-{record.id}")
    result = web.submit(form, lambda: services.withdraw_consent(case, current_user, record, form.withdrawn_on.data),
                        show=False)
    if result:
        return _consent_done(case, _("The consent has been withdrawn."))
    if result.conflict:
        return _consent_invalid(case, problem=str(STALE))
    if result.error is not None and result.error.field is None:
        return _consent_invalid(case, problem=str(result.error.message))
    if result.error is not None:
        web.show_on_form(form, result.error)
    return _consent_invalid(case, withdraw_form=form, withdraw_id=record.id)


@bp.route("/casussen/<int:case_id>/toestemming/grondslag", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def legal_ground_add(case_id: int):
    case = _consent_case(case_id, "legal_ground_add")
    form = LegalGroundForm(prefix="ground")
    result = web.submit(form, lambda: services.add_legal_ground(case, current_user, scope=form.scope.data,
                                                                reason=form.reason.data))
    if result:
        return _consent_done(case, _("The legal ground has been recorded."))
    if result.conflict:
        return _consent_invalid(case, ground_form=form, problem=str(STALE))
    return _consent_invalid(case, ground_form=form)


@bp.route("/casussen/<int:case_id>/toestemming/grondslag/<int:ground_id>/beeindigen", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def legal_ground_end(case_id: int, ground_id: int):
    case = _consent_case(case_id, "legal_ground_end")
    ground = db.session.get(LegalGround, ground_id)
    if ground is None or ground.case_id != case.id:
        abort(404)
    result = web.attempt_or_error(lambda: services.end_legal_ground(case, current_user, ground))
    if result:
        return _consent_done(case, _("The legal ground has been ended."))
    return _consent_invalid(case, problem=str(STALE if result.conflict else result.error.message))


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
    result = web.submit(form, lambda: attachments.add_attachment(case, current_user, form.file.data,
                                                                             form.submission_key.data))
    if result:
        flash(_("The attachment %(name)s has been added.", name=result.value.filename), "success")
        return redirect(_referral_url(case, "attachments"))
    if result.conflict:
        form.file.errors = [str(STALE)]
    return _referral_page(case, attachment_form=form)


@bp.route("/casussen/<int:case_id>/bijlagen/<int:attachment_id>")
@requires(Permission.WORK_ON_CASES)
def attachment_download(case_id: int, attachment_id: int):
    case = case_or_404(case_id, action=Action.EXPORT, detail="attachment")
    attachment = _attachment_of(case, attachment_id)
    try:
        data = attachments.download(case, attachment)
    except attachments.AttachmentMissing:
        abort(500)
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
    if web.attempt_or_error(lambda: attachments.remove_attachment(case, current_user, attachment)):
        flash(_("The attachment %(name)s has been removed.", name=name), "success")
    else:
        flash(str(STALE), "error")
    return redirect(_referral_url(case, "attachments"))
