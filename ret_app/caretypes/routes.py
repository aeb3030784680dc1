"""The care-type catalogue of a region, for the functional administrator: the list with the form to add
one, editing one, retiring, reactivating and removing (an unused) one.

Thin: load (another region's care type is 404) -> validate -> the service in a savepoint -> respond.
The services emit the events the audit trail records; the unit of work commits."""

from __future__ import annotations

from typing import Optional

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, web
from ret_app.caretypes import services
from ret_app.caretypes.blueprint import bp
from ret_app.caretypes.forms import CareTypeEditForm, CareTypeForm, CareTypeStatusForm
from ret_app.extensions import db
from ret_app.kernel.errors import STALE
from ret_app.models import CareType, Region
from ret_app.policy import Permission, requires


def _region_or_404(region_id: int) -> Region:
    return db.session.get(Region, region_id) or abort(404)


def _care_type_or_404(region: Region, care_type_id: int) -> CareType:
    care_type = db.session.get(CareType, care_type_id)
    if care_type is None or care_type.region_id != region.id:
        abort(404)
    return care_type


def _refusal(form, action: audit.Action, care_type_id: Optional[int] = None) -> Optional[web.Refusal]:
    """How a refused submission is audited (field names only); a page merely shown is no refusal."""
    return web.Refusal("care_type", object_id=care_type_id, action=action) if form.is_submitted() else None


def _catalogue_page(region: Region, form: CareTypeForm):
    return render_template("caretypes/catalogue.html", region=region, care_types=services.catalogue(region.id),
                           in_use=services.codes_in_use(region.id), form=form)


@bp.route("/regios/<int:region_id>/zorgsoorten", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def catalogue(region_id: int):
    region = _region_or_404(region_id)
    form = CareTypeForm()
    result = web.submit(form, lambda: services.add(region, form.data, current_user),
                        refusal=_refusal(form, audit.Action.CREATE))
    if result:
        flash(_("Added: %(name)s.", name=result.value.name), "success")
        return redirect(url_for("caretypes.catalogue", region_id=region.id))
    return _catalogue_page(region, form)


@bp.route("/regios/<int:region_id>/zorgsoorten/<int:care_type_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def edit(region_id: int, care_type_id: int):
    region = _region_or_404(region_id)
    care_type = _care_type_or_404(region, care_type_id)
    form = CareTypeEditForm(obj=care_type)
    if not form.is_submitted():
        form.version.data = str(care_type.version)
    result = web.submit(form, lambda: services.update(care_type, form.data, current_user, form.version.data),
                        refusal=_refusal(form, audit.Action.UPDATE, care_type.id))
    if result:
        flash(_("Saved: %(name)s.", name=care_type.name) if result.value else _("Nothing changed."), "success")
        return redirect(url_for("caretypes.catalogue", region_id=region.id))
    saved_now: Optional[dict] = None
    if result.conflict:
        # Both inputs stay: what was typed in the form, what is saved now beside it. Saving again
        # (now against the current version) overwrites it knowingly.
        db.session.refresh(care_type)
        saved_now = {"name": care_type.name, "description": care_type.description, "position": care_type.position,
                     "active": care_type.active}
        form.version.data = str(care_type.version)
        form.form_errors.append(str(STALE))
    return render_template("caretypes/edit.html", region=region, care_type=care_type, form=form, saved_now=saved_now,
                           in_use=services.codes_in_use(region.id))


def _status_change(region_id: int, care_type_id: int, change, done: str, unchanged: str):
    region = _region_or_404(region_id)
    care_type = _care_type_or_404(region, care_type_id)
    form = CareTypeStatusForm()
    result = web.submit(form, lambda: change(care_type, current_user, form.version.data or None),
                        refusal=web.Refusal("care_type", object_id=care_type.id), show=False)
    if result:
        flash(done if result.value is not False else unchanged, "success")
    elif result.conflict:
        flash(str(STALE), "error")
    elif result.error is not None:
        flash(str(result.error.message), "error")
    else:
        flash(_("The form has expired. Reload the page and try again."), "error")
    return redirect(url_for("caretypes.catalogue", region_id=region.id))


@bp.route("/regios/<int:region_id>/zorgsoorten/<int:care_type_id>/buiten-gebruik", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def retire(region_id: int, care_type_id: int):
    return _status_change(region_id, care_type_id, services.retire,
                          _("The care type is no longer offered. Records that have it keep it."),
                          _("This care type was retired already."))


@bp.route("/regios/<int:region_id>/zorgsoorten/<int:care_type_id>/weer-in-gebruik", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def reactivate(region_id: int, care_type_id: int):
    return _status_change(region_id, care_type_id, services.reactivate,
                          _("The care type is offered again."), _("This care type was on offer already."))


@bp.route("/regios/<int:region_id>/zorgsoorten/<int:care_type_id>/verwijderen", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def remove(region_id: int, care_type_id: int):
    return _status_change(region_id, care_type_id, services.remove, _("The care type has been removed."), "")
