"""The outcome page of a case (the process director or the chair records and corrects it; the RET
members of the region read it) and the administrator's gap taxonomy of a region (list with the form to
add one, editing one, retiring and reactivating).

Thin: load through the policy (another region's category, a case the user may not see or is not of the
RET side of: 404) -> validate -> the service in a savepoint -> respond. Bad input is shown next to its
field, a row's field too, with everything typed kept; the unit of work commits."""

from __future__ import annotations

import re
from typing import Any, Optional

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.caretypes import services as caretypes
from ret_app.cases.access import case_or_404
from ret_app.extensions import db
from ret_app.kernel.errors import STALE, Conflict, RuleError
from ret_app.kernel.ids import parse_id
from ret_app.models import Case, CaseOutcome, GapCategory, Region
from ret_app.outcomes import services, taxonomy
from ret_app.outcomes.blueprint import bp
from ret_app.outcomes.forms import (
    GapCategoryEditForm,
    GapCategoryForm,
    GapCategoryStatusForm,
    GapRowForm,
    HelpRowForm,
    OutcomeForm,
)
from ret_app.outcomes.labels import PLACEMENT_RESULT_LABELS, RESULT_LABELS
from ret_app.policy import Permission, requires

MAX_ROWS = 40  # rows of each kind a page takes (more is no outcome anyone typed)
_ROW = re.compile(r"^(help|gap)-(\d{1,3})-")


def _version(text: Optional[str]) -> Optional[int]:
    return int(text) if text and text.isdigit() and len(text) <= 9 else None


# --- the outcome page ---------------------------------------------------------------------------------------

def _posted_rows(kind: str) -> list[str]:
    numbers = sorted({int(m.group(2)) for key in request.form if (m := _ROW.match(key)) and m.group(1) == kind})
    return [f"{kind}-{n}" for n in numbers[:MAX_ROWS]]


def _next_prefix(kind: str, rows: list) -> str:
    used = [int(prefix.rsplit("-", 1)[1]) for prefix, _form in rows]
    return f"{kind}-{max(used) + 1 if used else 0}"


def _help_data(h) -> dict:
    return {"care_type": h.care_type, "organisation_id": str(h.organisation_id) if h.organisation_id else "",
            "provider_name": h.provider_name, "inside_region": h.inside_region, "via_network": h.via_network}


def _gap_data(g) -> dict:
    return {"category": str(g.gap_category_id), "care_type": g.care_type or "", "note": g.note}


class _Page:
    """What the outcome page is built from: the case, its outcome, the lists the rows choose from."""

    def __init__(self, case: Case):
        self.case = case
        self.outcome: Optional[CaseOutcome] = services.outcome_of(case)
        self.catalogue = caretypes.read(case.region_id)
        self.categories = taxonomy.catalogue(case.region_id)
        kept = [h.organisation_id for h in self.outcome.helps] if self.outcome else []
        self.providers = services.providers(case.region_id, kept)
        self.keep_codes = ({h.care_type for h in self.outcome.helps} | {g.care_type for g in self.outcome.gaps}
                           if self.outcome else set())
        self.keep_categories = {g.gap_category_id for g in self.outcome.gaps} if self.outcome else set()

    def help_row(self, prefix: str, data: Optional[dict] = None, posted: bool = False) -> HelpRowForm:
        form = HelpRowForm(prefix=prefix) if posted else HelpRowForm(formdata=None, prefix=prefix, data=data or {})
        keep = self.keep_codes | {form.care_type.data or ""}
        form.care_type.choices = [("", _("— choose —"))] + self.catalogue.choices(keep)
        form.organisation_id.choices = [("", _("— not in the list —"))] + [(str(o.id), o.name) for o in self.providers]
        return form

    def gap_row(self, prefix: str, data: Optional[dict] = None, posted: bool = False) -> GapRowForm:
        form = GapRowForm(prefix=prefix) if posted else GapRowForm(formdata=None, prefix=prefix, data=data or {})
        chosen = parse_id(form.category.data)
        form.category.choices = [("", _("— choose —"))] + taxonomy.choices(
            self.categories, self.keep_categories | ({chosen} if chosen else set()))
        form.care_type.choices = [("", _("— none —"))] + self.catalogue.choices(
            self.keep_codes | {form.care_type.data or ""})
        return form


def _show(form: OutcomeForm, error: RuleError | Conflict) -> None:
    """Each refusal next to its field (a row's field by its full name), the rest above the form."""
    if isinstance(error, Conflict):
        form.form_errors.append(str(error.message))
        return
    fields = {f.name: f for each in (form, *form.rows) for f in each}
    for key, message in error.errors.items():
        f = fields.get(key) if key else None
        if f is not None:
            if not f.errors:
                f.errors = list(f.errors) + [str(message)]
        elif str(message) not in form.form_errors:
            form.form_errors.append(str(message))


def _data(form: OutcomeForm, helps: list, gaps: list) -> dict:
    return {"result": form.result.data, "placement_result": form.placement_result.data,
            "placement_note": form.placement_note.data, "lessons": form.lessons.data,
            "help": [{"row": prefix, **{f.short_name: f.data for f in row}} for prefix, row in helps],
            "gaps": [{"row": prefix, **{f.short_name: f.data for f in row}} for prefix, row in gaps]}


@bp.route("/casussen/<int:case_id>/uitkomst", methods=["GET", "POST"])
@requires(Permission.WORK_ON_CASES)
def outcome_page(case_id: int):
    posted = request.method == "POST"
    case = case_or_404(case_id, action=audit.Action.UPDATE if posted else audit.Action.READ, detail="outcome",
                       rule=policy.sees_outcome)
    page = _Page(case)
    outcome = page.outcome
    may_record = services.may_record(current_user, case)
    if posted and not may_record:
        reason = services.state_problem(case) if policy.can_record_outcome(current_user, case) else services.NOT_YOURS
        return web.refuse(reason, object_type="case_outcome", object_id=outcome.id if outcome else None,
                          case_id=case.id)
    if posted:
        form = OutcomeForm()
        helps = [(prefix, page.help_row(prefix, posted=True)) for prefix in _posted_rows("help")]
        gaps = [(prefix, page.gap_row(prefix, posted=True)) for prefix in _posted_rows("gap")]
    else:
        data: dict[str, Any] = {"version": str(outcome.version) if outcome else ""}
        if outcome is not None:
            data.update(result=outcome.result, placement_result=outcome.placement_result or "",
                        placement_note=outcome.placement_note, lessons=outcome.lessons)
            help_rows = [_help_data(h) for h in outcome.helps]
            gap_rows = [_gap_data(g) for g in outcome.gaps]
        else:
            help_rows = services.suggested_help(case) if may_record else []
            gap_rows = []
        form = OutcomeForm(formdata=None, data=data)
        helps = [(f"help-{n}", page.help_row(f"help-{n}", row)) for n, row in enumerate(help_rows)]
        gaps = [(f"gap-{n}", page.gap_row(f"gap-{n}", row)) for n, row in enumerate(gap_rows)]
    action = request.form.get("action") if posted else None
    if may_record and (not posted or action == "add_help" or not helps):
        prefix = _next_prefix("help", helps)
        helps.append((prefix, page.help_row(prefix)))
    if may_record and (not posted or action == "add_gap" or not gaps):
        prefix = _next_prefix("gap", gaps)
        gaps.append((prefix, page.gap_row(prefix)))
    form.rows = [row for _prefix, row in helps + gaps]
    if posted and action not in ("add_help", "add_gap"):
        result = web.submit(form, lambda: services.record(case, current_user, _data(form, helps, gaps),
                                                          _version(form.version.data)),
                            refusal=web.Refusal("case_outcome", object_id=outcome.id if outcome else None,
                                                case_id=case.id,
                                                action=audit.Action.UPDATE if outcome else audit.Action.CREATE),
                            show=False)
        if result:
            saved, changed = result.value
            if changed:
                flash(_("The outcome has been recorded. The chair can close the case now.")
                      if outcome is None else _("The outcome has been corrected."), "success")
            else:
                flash(_("Nothing changed."), "success")
            return redirect(url_for("cases.case_page", case_id=case.id) + "#outcome-panel")
        if result.error is not None:
            _show(form, result.error)
        if result.conflict:
            db.session.expire_all()
            page = _Page(case)
            outcome = page.outcome
            form.version.data = str(outcome.version) if outcome else ""
    return render_template(
        "outcomes/page.html", case=case, outcome=outcome, form=form, helps=helps, gaps=gaps,
        may_record=may_record, problem=services.state_problem(case), care_names=page.catalogue.names,
        days=services.working_days(case), result_labels=RESULT_LABELS, placement_labels=PLACEMENT_RESULT_LABELS)


# --- the gap taxonomy (the administrator) ------------------------------------------------------------------

def _region_or_404(region_id: int) -> Region:
    return db.session.get(Region, region_id) or abort(404)


def _category_or_404(region: Region, category_id: int) -> GapCategory:
    category = db.session.get(GapCategory, category_id)
    if category is None or category.region_id != region.id:
        abort(404)
    return category


def _refusal(form, action: audit.Action, category_id: Optional[int] = None) -> Optional[web.Refusal]:
    return web.Refusal("gap_category", object_id=category_id, action=action) if form.is_submitted() else None


@bp.route("/beheer/regios/<int:region_id>/hiaten", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def taxonomy_page(region_id: int):
    region = _region_or_404(region_id)
    form = GapCategoryForm()
    result = web.submit(form, lambda: taxonomy.add(region, form.data, current_user),
                        refusal=_refusal(form, audit.Action.CREATE))
    if result:
        flash(_("Added: %(name)s.", name=result.value.name), "success")
        return redirect(url_for("outcomes.taxonomy_page", region_id=region.id))
    return render_template("outcomes/taxonomy.html", region=region, categories=taxonomy.catalogue(region.id),
                           in_use=taxonomy.in_use(region.id), form=form)


@bp.route("/beheer/regios/<int:region_id>/hiaten/<int:category_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def category_edit(region_id: int, category_id: int):
    region = _region_or_404(region_id)
    category = _category_or_404(region, category_id)
    form = GapCategoryEditForm(obj=category)
    if not form.is_submitted():
        form.version.data = str(category.version)
    result = web.submit(form, lambda: taxonomy.update(category, form.data, current_user, form.version.data),
                        refusal=_refusal(form, audit.Action.UPDATE, category.id))
    if result:
        flash(_("Saved: %(name)s.", name=category.name) if result.value else _("Nothing changed."), "success")
        return redirect(url_for("outcomes.taxonomy_page", region_id=region.id))
    saved_now: Optional[dict] = None
    if result.conflict:
        # Both stay: what was typed in the form, what is saved now beside it.
        db.session.refresh(category)
        saved_now = {"name": category.name, "description": category.description, "position": category.position,
                     "active": category.active}
        form.version.data = str(category.version)
        form.form_errors.append(str(STALE))
    return render_template("outcomes/category_edit.html", region=region, category=category, form=form,
                           saved_now=saved_now)


def _status_change(region_id: int, category_id: int, change, done: str, unchanged: str):
    region = _region_or_404(region_id)
    category = _category_or_404(region, category_id)
    form = GapCategoryStatusForm()
    result = web.submit(form, lambda: change(category, current_user, form.version.data or None),
                        refusal=web.Refusal("gap_category", object_id=category.id), show=False)
    if result:
        flash(done if result.value is not False else unchanged, "success")
    elif result.conflict:
        flash(str(STALE), "error")
    elif result.error is not None:
        flash(str(result.error.message), "error")
    else:
        flash(_("The form has expired. Reload the page and try again."), "error")
    return redirect(url_for("outcomes.taxonomy_page", region_id=region.id))


@bp.route("/beheer/regios/<int:region_id>/hiaten/<int:category_id>/buiten-gebruik", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def category_retire(region_id: int, category_id: int):
    return _status_change(region_id, category_id, taxonomy.retire,
                          _("The category is no longer offered. Outcomes that name it keep it."),
                          _("This category was retired already."))


@bp.route("/beheer/regios/<int:region_id>/hiaten/<int:category_id>/weer-in-gebruik", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def category_reactivate(region_id: int, category_id: int):
    return _status_change(region_id, category_id, taxonomy.reactivate,
                          _("The category is offered again."), _("This category was in use already."))
