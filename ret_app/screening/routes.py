"""Integrated screening routes: the screening page (opened, and on first open created, by the process
director or chair), contributions per life domain (htmx inline edit with a full-page fallback), the
process director's texts, finalising, addenda, participants and the screening report PDF.

Thin: load the case through the policy (404 when it may not be seen; reads audited there), check who
may act (403 with the reason, audited), validate the form, call the service in a savepoint, respond (an
htmx fragment for htmx requests, a page or a redirect otherwise). Bad input and edit conflicts come
back with the user's input kept; refused submissions are audited by field name. The unit of work
commits at the end of the request.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Optional

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import policy, web
from ret_app.audit import Action
from ret_app.cases import lifecycle, participants
from ret_app.cases.access import case_or_404
from ret_app.cases.queries import WITH_PARTICIPANTS, WITH_PRIOR_HELP
from ret_app.extensions import db
from ret_app.kernel.errors import RuleError, show_on_form
from ret_app.labels import DOMAIN_LABELS, SEVERITY_LABELS, severity_label
from ret_app.models import Case, CaseParticipant, CaseStatus, Screening, User
from ret_app.pdf import pdf_response
from ret_app.policy import Permission, requires
from ret_app.screening import report, services
from ret_app.screening.blueprint import bp
from ret_app.screening.forms import (
    AddendumForm,
    AnalysisForm,
    ContributionForm,
    InviteForm,
    RemoveParticipantForm,
    ViewsForm,
)
from ret_app.screening.services import DOMAINS, EditConflict
from ret_app.templating import wants_fragment

# URL slug -> the service's name for the part of the process director's texts.
TEXT_PART_SLUGS = {"visie": "views", "analyse": "analysis"}
TEXT_SECTION_IDS = {"views": "visie", "analysis": "analyse"}


def _screening_url(case_id: int, anchor: Optional[str] = None) -> str:
    return url_for("screening.screening_page", case_id=case_id, _anchor=anchor)


# --- page assembly -------------------------------------------------------------------------------

def _text_form(screening: Screening, part: str, form=None):
    form_class = ViewsForm if part == "views" else AnalysisForm
    if form is None:
        form = form_class(formdata=None, obj=screening)
        form.version.data = services.version_of(screening)
        form.loaded_state.data = services.fingerprint(services.text_values(screening, part))
    return form


def _contribution_form(screening: Screening, domain: str, form: Optional[ContributionForm] = None) -> ContributionForm:
    if form is None:
        own = services.own_contribution(screening, current_user, domain)
        values = services.contribution_values(own)
        form = ContributionForm(formdata=None, prefix=domain, data=values)
        form.version.data = services.version_of(own)
        form.loaded_state.data = services.fingerprint(values)
    return form


def _conflict_view(conflict: EditConflict, form) -> dict:
    """What the template shows about a conflict: the fields and what is saved now."""
    return {"fields": [(name, form[name].label.text) for name in conflict.fields],
            "saved": {name: _display_value(name, conflict.current.get(name)) for name in conflict.fields}}


def _display_value(name: str, value: Any) -> str:
    if name == "severity":
        return severity_label(value) or "—"
    return value or "—"


def _apply_conflict(conflict: EditConflict, form) -> None:
    """Keep the user's input; point the form at what is saved now so that saving again is a choice."""
    form.version.data = conflict.version
    form.loaded_state.data = conflict.loaded_state
    for name, value in conflict.refreshed.items():
        form[name].data = value  # changed by someone else only: nothing of the user's is lost


def _audit_conflict(case: Case, object_type: str, fields: list[str]) -> None:
    web.Refusal(object_type, case_id=case.id).record(detail="conflict fields=" + ",".join(fields))


def _audit_invalid(case: Case, object_type: str, form) -> None:
    """A refused write still showed the case: record it (field names only)."""
    web.Refusal(object_type, case_id=case.id).record(form)


def _refuse(case: Case, object_type: str, message: str):
    """The user sees the case but may not do this: 403 with the reason, and the denial audited."""
    return web.refuse(message, object_type=object_type, case_id=case.id)


def _race_conflict(current: dict, version: str, submitted: dict) -> EditConflict:
    """Someone saved between our check and our write (the database refused the old version)."""
    fields = [n for n in current if (submitted.get(n) or "") != (current[n] or "")] or list(current)
    return EditConflict(fields, dict(current), {}, version, services.fingerprint(current))


def _domain_block(case: Case, screening: Optional[Screening], domain: str, *, form=None, editing: bool = False,
                  conflict: Optional[dict] = None, notice: Optional[str] = None) -> dict:
    contributions = services.contributions_by_domain(screening)[domain]
    writable = services.is_writable(case, screening)
    may_edit = writable and policy.can_contribute_to_screening(current_user, case)
    if may_edit and (editing or form is not None):
        form = _contribution_form(screening, domain, form)
    else:
        form = None
    return {
        "domain": domain,
        "label": DOMAIN_LABELS[domain],
        "contributions": contributions,
        "highest": services.highest_severity(contributions),
        "own": services.own_contribution(screening, current_user, domain),
        "may_edit": may_edit,
        "form": form,
        "conflict": conflict,
        "notice": notice,
    }


def _invite_form(case: Case, form: Optional[InviteForm] = None) -> InviteForm:
    form = form or InviteForm(formdata=None)
    members = [(f"{participants.USER_PREFIX}{u.id}", f"{u.name} ({u.organisation.name})")
               for u in participants.ret_member_candidates(case)]
    providers = ([(f"{participants.ORGANISATION_PREFIX}{o.id}", o.name)
                  for o in participants.provider_candidates(case)] if case.consent_collective else [])
    choices: dict = {None: [("", _("— choose —"))]}
    if members:
        choices[_("RET members")] = members
    if providers:
        choices[_("Providers of the collective")] = providers
    form.invitee.choices = choices
    return form


def _not_started_message(case: Case) -> str:
    if CaseStatus(case.status) in lifecycle.BEFORE_TRACK:
        return _("The screening starts when the RET accepts the case into a track.")
    if case.status == CaseStatus.SCREENING:
        return _("The process director has not started the screening yet.")
    return _("There is no screening for this case.")


def _page_context(case: Case, screening: Optional[Screening], *, edit_domain: Optional[str] = None,
                  blocks: Optional[dict] = None, views_form=None, analysis_form=None, text_conflicts=None,
                  text_notices=None, finalise_problems=None, addendum_form=None, invite_form=None,
                  locked_input: Optional[dict] = None, form_problem: Optional[dict] = None) -> dict:
    writable = services.is_writable(case, screening)
    all_blocks = {d: _domain_block(case, screening, d, editing=(d == edit_domain)) for d in DOMAINS}
    all_blocks.update(blocks or {})
    writes_texts = writable and policy.can_write_screening_texts(current_user, case)
    finalised_by = db.session.get(User, screening.finalised_by_id) if screening and screening.finalised_by_id else None
    return {
        "case": case,
        "screening": screening,
        "writable": writable,
        "read_only_reason": services.read_only_reason(case, screening) if screening else None,
        "not_started": _not_started_message(case) if screening is None else None,
        "finalised_by": finalised_by,
        "domains": DOMAINS,
        "blocks": all_blocks,
        "domain_labels": DOMAIN_LABELS,
        "severity_labels": SEVERITY_LABELS,
        "severity_label": severity_label,
        "views_form": (_text_form(screening, "views", views_form) if writes_texts else None),
        "analysis_form": (_text_form(screening, "analysis", analysis_form) if writes_texts else None),
        "text_conflicts": text_conflicts or {},
        "text_notices": text_notices or {},
        "may_finalise": writes_texts,
        "finalise_problems": (finalise_problems if finalise_problems is not None
                              else (services.finalise_problems(screening) if screening else {})),
        "is_contributor": policy.can_contribute_to_screening(current_user, case),
        "addendum_form": addendum_form or AddendumForm(formdata=None, prefix="addendum"),
        "participant_rows": [(p, participants.describe(p)) for p in case.participants],
        "may_manage": policy.can_manage_participants(current_user, case),
        "invitations_open": participants.invitations_open(case),
        "invite_form": _invite_form(case, invite_form),
        "remove_form": RemoveParticipantForm(formdata=None),
        "locked_input": locked_input,
        "form_problem": form_problem,
    }


def _page(case: Case, screening: Optional[Screening], **kwargs):
    return render_template("screening/page.html", **_page_context(case, screening, **kwargs))


def _domain_fragment(case: Case, screening: Optional[Screening], block: dict):
    return render_template("screening/_domain.html", case=case, screening=screening, block=block,
                           severity_label=severity_label)


def _text_fragment(case: Case, screening: Screening, part: str, **kwargs):
    context = _page_context(case, screening, **kwargs)
    template = "screening/_views.html" if part == "views" else "screening/_analysis.html"
    return render_template(template, **context)


# --- the screening page --------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/screening")
@requires(Permission.WORK_ON_CASES)
def screening_page(case_id: int):
    case = case_or_404(case_id, detail="screening", load=WITH_PARTICIPANTS)
    # Created on first open by the process director or the chair (whoever opens it first).
    screening = services.open_for(case, current_user, *services.PAGE_LOADS)
    domain = request.args.get("leefgebied")
    domain = domain if domain in DOMAINS else None
    editing = request.args.get("bewerken") == "1"
    if domain and wants_fragment():
        return _domain_fragment(case, screening, _domain_block(case, screening, domain, editing=editing))
    return _page(case, screening, edit_domain=domain if editing else None)


def _conflict_of(result: web.Result, current: dict, version: str, submitted: dict) -> EditConflict:
    """The conflict a refused save ran into: the one the service found, or (someone saved between its
    check and its write: the database refused the old version) the fields that differ from what is
    saved now."""
    if result.error.detail is not None:
        return result.error.detail
    return _race_conflict(current, version, submitted)


# --- contributions per life domain ----------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/screening/leefgebied/<domain>", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def screening_contribution_save(case_id: int, domain: str):
    case = case_or_404(case_id, action=Action.UPDATE, detail="screening_contribution", load=WITH_PARTICIPANTS)
    if domain not in DOMAINS:
        abort(404)
    if not policy.can_contribute_to_screening(current_user, case):
        return _refuse(case, "screening_contribution", _("Only participants of this case contribute to the screening."))
    screening = services.get(case, *services.PAGE_LOADS)
    form = ContributionForm(prefix=domain)
    conflict = None
    if form.validate_on_submit():
        submitted = form.values()
        result = web.attempt_or_error(lambda: services.save_contribution(
            case, screening, current_user, domain, submitted, form.version.data, form.loaded_state.data))
        if result:
            notice = {"created": _("Your contribution has been saved."),
                      "updated": _("Your contribution has been saved."),
                      "deleted": _("Your contribution has been removed."),
                      "unchanged": _("Nothing was changed.")}[result.value]
            if wants_fragment():
                return _domain_fragment(case, screening, _domain_block(case, screening, domain, notice=notice))
            flash(notice, "success")
            return redirect(_screening_url(case.id, f"leefgebied-{domain}"))
        if result.conflict:
            screening = services.get(case, *services.PAGE_LOADS)
            own = services.own_contribution(screening, current_user, domain)
            conflict = _conflict_of(result, services.contribution_values(own), services.version_of(own), submitted)
            _audit_conflict(case, "screening_contribution", conflict.fields)
            _apply_conflict(conflict, form)
        else:
            show_on_form(form, result.error)
    if conflict is None:
        _audit_invalid(case, "screening_contribution", form)
    conflict_view = _conflict_view(conflict, form) if conflict else None
    block = _domain_block(case, screening, domain, form=form, conflict=conflict_view)
    if block["form"] is None:
        # No longer writable (finalised meanwhile): say why and give the input back, so that nothing
        # typed is lost (it can go into an addendum).
        block["locked_input"] = _locked_input(case, screening, form, ("severity", "notes", "sources"))
    if wants_fragment():
        return _domain_fragment(case, screening, block)
    return _page(case, screening, blocks={domain: block}, form_problem=_problem(
        _("Your contribution to %(domain)s has not been saved.", domain=DOMAIN_LABELS[domain]), f"leefgebied-{domain}"))


# --- the process director's texts -----------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/screening/tekst/<part>", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def screening_texts_save(case_id: int, part: str):
    case = case_or_404(case_id, action=Action.UPDATE, detail="screening_texts", load=WITH_PARTICIPANTS)
    part = TEXT_PART_SLUGS.get(part)
    if part is None:
        abort(404)
    if not policy.can_write_screening_texts(current_user, case):
        return _refuse(case, "screening", _("Only the process director writes this part of the screening."))
    screening = services.get(case, *services.PAGE_LOADS)
    form = ViewsForm() if part == "views" else AnalysisForm()
    conflicts: dict = {}
    notices: dict = {}
    if form.validate_on_submit():
        submitted = form.values()
        result = web.attempt_or_error(lambda: services.save_texts(
            case, screening, current_user, part, submitted, form.version.data, form.loaded_state.data))
        if result:
            notice = _("Saved.") if result.value else _("Nothing was changed.")
            if wants_fragment():
                return _text_fragment(case, screening, part, text_notices={part: notice})
            flash(notice, "success")
            return redirect(_screening_url(case.id, TEXT_SECTION_IDS[part]))
        if result.conflict:
            screening = services.get(case, *services.PAGE_LOADS)
            conflict = _conflict_of(result, services.text_values(screening, part), services.version_of(screening),
                                    submitted)
            _audit_conflict(case, "screening", conflict.fields)
            _apply_conflict(conflict, form)
            conflicts[part] = _conflict_view(conflict, form)
        else:
            form.form_errors.append(str(result.error.message))
    if not conflicts:
        _audit_invalid(case, "screening", form)
    kwargs = {"views_form" if part == "views" else "analysis_form": form, "text_conflicts": conflicts,
              "text_notices": notices}
    if not services.is_writable(case, screening):
        kwargs["locked_input"] = _locked_input(case, screening, form, services.TEXT_PARTS[part], part)
    if wants_fragment():
        return _text_fragment(case, screening, part, **kwargs)
    return _page(case, screening, form_problem=_problem(_("Your text has not been saved."), TEXT_SECTION_IDS[part]),
                 **kwargs)


def _problem(message: str, anchor: str) -> dict:
    """For the page without htmx: an alert at the top that leads to the form that needs attention."""
    return {"message": message, "anchor": anchor}


def _locked_input(case: Case, screening: Optional[Screening], form, names, part: Optional[str] = None) -> dict:
    """The screening became read-only (finalised meanwhile): the reason, and the typed input given
    back as text, so that nothing is lost."""
    return {"reason": services.read_only_reason(case, screening), "part": part,
            "texts": [(form[name].label.text, _display_value(name, form[name].data)) for name in names
                      if (form[name].data or "").strip()]}


# --- finalising -------------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/screening/afronden", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def screening_finalise(case_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="screening_finalise", load=WITH_PARTICIPANTS)
    if not policy.can_write_screening_texts(current_user, case):
        return _refuse(case, "screening", _("Only the process director can finalise the screening."))
    screening = services.get(case, *services.PAGE_LOADS)
    form = AnalysisForm()
    if not form.validate_on_submit():
        # Every error at once: what the form refused, and what finalising needs of the rest.
        typed = SimpleNamespace(analysis=form.analysis.data, advice=form.advice.data)
        for field, problem in services.finalise_problems(typed).items():
            if not form[field].errors:
                form[field].errors = list(form[field].errors) + [str(problem)]
        return _finalise_refused(case, screening, form, None)
    sent_texts = "analysis" in request.form or "advice" in request.form
    if not sent_texts and screening is not None:
        # Finalised without the texts (not from the page's form): should it come back, it shows what is saved.
        form.analysis.data, form.advice.data = screening.analysis, screening.advice
        form.loaded_state.data = services.fingerprint(services.text_values(screening, "analysis"))
    version = form.version.data
    if sent_texts:
        # The finalise button sits in the analysis form: what was typed there is saved first (and
        # stays saved when finalising is refused).
        saved = web.attempt_or_error(lambda: services.save_texts(
            case, screening, current_user, "analysis", form.values(), form.version.data, form.loaded_state.data))
        if saved.conflict:
            return _finalise_conflict(case, form, saved)
        if not saved:
            return _finalise_refused(case, screening, form, saved.error)
        version = services.version_of(screening)
    done = web.attempt_or_error(lambda: services.finalise(case, screening, current_user, version))
    if done.conflict:
        return _finalise_conflict(case, form, done)
    if not done:
        # Say what is missing next to the fields and in the summary; the texts saved above stay.
        if screening is not None:
            form.version.data = services.version_of(screening)
            form.loaded_state.data = services.fingerprint(services.text_values(screening, "analysis"))
        return _finalise_refused(case, screening, form, done.error)
    message = _("The screening has been finalised. It is read-only now; corrections are added as addenda.")
    flash(message, "success")
    target = _screening_url(case.id)
    if wants_fragment():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _finalise_conflict(case: Case, form: AnalysisForm, result: web.Result):
    screening = services.get(case, *services.PAGE_LOADS)
    conflict = _conflict_of(result, services.text_values(screening, "analysis"), services.version_of(screening),
                            form.values())
    _audit_conflict(case, "screening", conflict.fields)
    _apply_conflict(conflict, form)
    return _finalise_refused(case, screening, form, None, conflict=_conflict_view(conflict, form))


def _finalise_refused(case: Case, screening: Optional[Screening], form: AnalysisForm,
                      error: Optional[RuleError], conflict: Optional[dict] = None):
    if conflict is None:
        _audit_invalid(case, "screening", form)
    kwargs: dict = {"analysis_form": form, "text_conflicts": {"analysis": conflict} if conflict else {},
                    "finalise_problems": {}}
    if not services.is_writable(case, screening):
        kwargs["locked_input"] = _locked_input(case, screening, form, services.TEXT_PARTS["analysis"], "analysis")
    elif error is not None:
        show_on_form(form, error)
    if wants_fragment():
        return _text_fragment(case, screening, "analysis", **kwargs)
    return _page(case, screening, form_problem=_problem(_("The screening has not been finalised."), "analyse"),
                 **kwargs)


# --- addenda ------------------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/screening/aanvullingen", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def screening_addendum_add(case_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="screening_addendum", load=WITH_PARTICIPANTS)
    if not policy.can_contribute_to_screening(current_user, case):
        return _refuse(case, "screening_addendum", _("Only participants of this case add to the screening."))
    screening = services.get(case, *services.PAGE_LOADS)
    form = AddendumForm(prefix="addendum")
    if web.submit(form, lambda: services.add_addendum(case, screening, current_user, form.text.data,
                                                            form.submission_key.data)):
        flash(_("Your addendum has been added to the screening."), "success")
        return redirect(_screening_url(case.id, "aanvullingen"))
    _audit_invalid(case, "screening_addendum", form)
    return _page(case, screening, addendum_form=form,
                 form_problem=_problem(_("The addendum has not been added."), "aanvullingen"))


# --- participants -------------------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/deelnemers", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def participant_invite(case_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="participant_invite", load=WITH_PARTICIPANTS)
    if not policy.can_manage_participants(current_user, case):
        return _refuse(case, "case_participant", _("Only the process director or the chair can invite participants."))
    form = _invite_form(case, InviteForm())
    result = web.submit(form, lambda: participants.invite(case, current_user, form.invitee.data))
    if result:
        name = participants.describe(result.value)["name"]
        flash(_("%(name)s has been invited to take part in this case.", name=name), "success")
        return redirect(_screening_url(case.id, "deelnemers"))
    _audit_invalid(case, "case_participant", form)
    return _page(case, services.get(case, *services.PAGE_LOADS), invite_form=form,
                 form_problem=_problem(_("Nobody has been invited."), "deelnemers"))


@bp.route("/casussen/<int:case_id>/deelnemers/<int:participant_id>/verwijderen", methods=["POST"])
@requires(Permission.WORK_ON_CASES)
def participant_remove(case_id: int, participant_id: int):
    case = case_or_404(case_id, action=Action.UPDATE, detail="participant_remove", load=WITH_PARTICIPANTS)
    participant = db.session.get(CaseParticipant, participant_id)
    if participant is None or participant.case_id != case.id:
        abort(404)
    if not policy.can_manage_participants(current_user, case):
        return _refuse(case, "case_participant", _("Only the process director or the chair can remove participants."))
    if not RemoveParticipantForm().validate_on_submit():
        abort(400)
    name = participants.describe(participant)["name"]
    result = web.attempt_or_error(lambda: participants.remove(case, current_user, participant))
    if result:
        flash(_("%(name)s no longer takes part in this case.", name=name), "success")
    else:
        flash(str(result.error.message), "error")
    return redirect(_screening_url(case_id, "deelnemers"))


# --- the screening report -----------------------------------------------------------------------------

@bp.route("/casussen/<int:case_id>/screening/verslag.pdf")
@requires(Permission.WORK_ON_CASES)
def screening_report(case_id: int):
    case = case_or_404(case_id, action=Action.EXPORT, detail="screening_report", load=WITH_PRIOR_HELP + WITH_PARTICIPANTS)
    screening = services.get(case, *services.PAGE_LOADS)
    if screening is None:
        report.unavailable(case)
        return render_template("screening/no_report.html", case=case, message=_not_started_message(case))
    return pdf_response(report.export(case, screening), f"screeningsverslag-{case.reference}.pdf")
