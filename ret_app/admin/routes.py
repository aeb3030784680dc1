"""Functional management: reference data, users, mandates, audit metadata. Never case content.

Each route: load -> validate -> call the service in a savepoint (web.submit / web.attempt_or_error)
-> respond. A refusal is shown next to its field when the form has it, otherwise flashed. The unit
of work commits at the end of the request; services and queries write the audit events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from ret_app.forms import FlaskForm
from sqlalchemy import or_

from ret_app import audit_words, web
from ret_app.admin import queries, services
from ret_app.admin.blueprint import bp
from ret_app.caretypes import services as caretypes
from ret_app.admin.forms import (
    AuditSearchForm,
    MandateForm,
    MunicipalityForm,
    NetworkForm,
    OrganisationForm,
    RegionForm,
    RegionNormsForm,
    RevokeMandateForm,
    UserForm,
)
from ret_app.audit import Action, Outcome
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.labels import AUDIT_ACTION_LABELS, AUDIT_OUTCOME_LABELS, ORGANISATION_KIND_LABELS, ROLE_LABELS
from ret_app.mandates import services as mandate_services
from ret_app.models import MandateStatus, Municipality, Network, Organisation, Region, User
from ret_app.policy import Permission, requires
from ret_app.templating import render_page_or_fragment
from ret_app.urls import external_url


def _form_data(form: FlaskForm) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def _show_refusal(form: FlaskForm, error: RuleError | Conflict | None) -> None:
    """A refusal next to its field when the form has that field, otherwise as a flashed message."""
    if error is None:
        return
    if isinstance(error, Conflict):
        flash(str(error.message), "error")
        return
    for field, message in error.errors.items():
        if field and field in form:
            if not form[field].errors:  # input the form could not read keeps the form's message only
                form[field].errors = list(form[field].errors) + [str(message)]
        else:
            flash(str(message), "error")


# --- reference data: networks, regions, municipalities, organisations ----------------

@dataclass(frozen=True)
class Reference:
    model: type
    form: type
    save: Callable
    title: object
    singular: object
    list_endpoint: str
    edit_endpoint: str
    columns: tuple  # (label, callable taking a queries.Listed row)


def _network_choices(form):
    form.network_id.choices = queries.options(Network, blank=_("— none —"))


def _region_choices(form, blank=True):
    form.region_id.choices = queries.options(Region, blank=_("— choose —") if blank else None)


def _organisation_choices(form):
    _region_choices(form)
    form.municipality_id.choices = queries.municipality_options(blank=_("— none —"),
                                                                label=lambda m: f"{m.name} ({m.region.name})")
    form.network_id.choices = queries.options(Network, blank=_("— none —"))


REFERENCES = {
    "network": Reference(Network, NetworkForm, services.save_network, _l("Supra-regional networks"), _l("network"),
                         "admin.networks", "admin.network_edit",
                         ((_l("Name"), lambda r: r.obj.name), (_l("Short name"), lambda r: r.obj.short_name),
                          (_l("Answer time for escalations (working days)"), lambda r: r.obj.answer_days),
                          (_l("Regions"), lambda r: ", ".join(region.name for region in r.obj.regions)))),
    "region": Reference(Region, RegionForm, services.save_region, _l("Regions"), _l("region"),
                        "admin.regions", "admin.region_edit",
                        ((_l("Name"), lambda r: r.obj.name),
                         (_l("Network"), lambda r: r.obj.network.short_name if r.obj.network else "—"),
                         (_l("Municipalities"), lambda r: r.municipalities))),
    "municipality": Reference(Municipality, MunicipalityForm, services.save_municipality, _l("Municipalities"),
                              _l("municipality"), "admin.municipalities", "admin.municipality_edit",
                              ((_l("Name"), lambda r: r.obj.name), (_l("CBS code"), lambda r: r.obj.cbs_code),
                               (_l("Region"), lambda r: r.obj.region.name))),
    "organisation": Reference(Organisation, OrganisationForm, services.save_organisation, _l("Organisations"),
                              _l("organisation"), "admin.organisations", "admin.organisation_edit",
                              ((_l("Name"), lambda r: r.obj.name),
                               (_l("Kind"), lambda r: ORGANISATION_KIND_LABELS.get(r.obj.kind, r.obj.kind)),
                               (_l("Region"), lambda r: r.obj.region.name if r.obj.region else "—"),
                               (_l("Municipality / network"),
                                lambda r: r.obj.municipality.name if r.obj.municipality
                                else (r.obj.network.short_name if r.obj.network else "—")),
                               (_l("Collective"), lambda r: _("yes") if r.obj.collective_member else ""),
                               (_l("Active"), lambda r: _("yes") if r.obj.active else _("no")))),
}

CHOICES = {
    "network": lambda form: None,
    "region": _network_choices,
    "municipality": _region_choices,
    "organisation": _organisation_choices,
}


def _reference_list(kind: str):
    ref = REFERENCES[kind]
    form = ref.form()
    CHOICES[kind](form)
    result = web.submit(form, lambda: ref.save(None, _form_data(form)), show=False)
    if result:
        flash(_("Saved: %(name)s.", name=result.value.name), "success")
        return redirect(url_for(ref.list_endpoint))
    _show_refusal(form, result.error)
    return render_template("admin/reference_list.html", ref=ref, kind=kind, rows=queries.reference_rows(kind),
                           form=form)


def _reference_edit(kind: str, object_id: int):
    ref = REFERENCES[kind]
    obj = db.session.get(ref.model, object_id)
    if obj is None:
        abort(404)
    form = ref.form(obj=obj)
    CHOICES[kind](form)
    result = web.submit(form, lambda: ref.save(obj, _form_data(form)), show=False)
    if result:
        flash(_("Saved: %(name)s.", name=obj.name), "success")
        return redirect(url_for(ref.list_endpoint))
    _show_refusal(form, result.error)
    return render_template("admin/reference_edit.html", ref=ref, kind=kind, obj=obj, form=form)


@bp.route("/netwerken", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def networks():
    return _reference_list("network")


@bp.route("/netwerken/<int:object_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def network_edit(object_id: int):
    return _reference_edit("network", object_id)


@bp.route("/regios", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def regions():
    return _reference_list("region")


@bp.route("/regios/<int:object_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def region_edit(object_id: int):
    return _reference_edit("region", object_id)


@bp.route("/regios/<int:object_id>/normtijden", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def region_norms(object_id: int):
    region = db.session.get(Region, object_id) or abort(404)
    form = RegionNormsForm(obj=services.region_norms(region))
    result = web.submit(form, lambda: services.save_region_norms(region, _form_data(form)), show=False)
    if result:
        flash(_("The norms of %(region)s have been saved.", region=region.name), "success")
        return redirect(url_for("admin.regions"))
    _show_refusal(form, result.error)
    return render_template("admin/region_norms.html", region=region, form=form)


@bp.route("/gemeenten", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def municipalities():
    return _reference_list("municipality")


@bp.route("/gemeenten/<int:object_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def municipality_edit(object_id: int):
    return _reference_edit("municipality", object_id)


@bp.route("/organisaties", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def organisations():
    return _reference_list("organisation")


@bp.route("/organisaties/<int:object_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def organisation_edit(object_id: int):
    return _reference_edit("organisation", object_id)


# --- users ---------------------------------------------------------------------------

def _user_form_choices(form: UserForm, user: User | None = None) -> None:
    selectable = Organisation.active.is_(True)
    if user is not None:
        selectable = or_(selectable, Organisation.id == user.organisation_id)
    form.organisation_id.choices = queries.options(Organisation, lambda o: o.name, blank=_("— choose —"),
                                                   where=selectable)


@bp.route("/gebruikers")
@requires(Permission.MANAGE_USERS)
def users():
    q = request.args.get("q", "").strip()[:200]
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    result = queries.users_page(q=q, role=role if role in ROLE_LABELS else "", status=status,
                                page=web.int_arg("page", 1))
    return render_page_or_fragment("admin/users.html", "admin/_user_rows.html", result=result, q=q, role=role,
                                   status=status, roles=ROLE_LABELS)


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def user_new():
    form = UserForm()
    _user_form_choices(form)
    result = web.submit(form, lambda: services.create_user(_form_data(form), current_user), show=False)
    if result:
        created = result.value
        return render_template("admin/user_created.html", user=created.user,
                               link=external_url("auth.activate", token=created.activation_token))
    _show_refusal(form, result.error)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS, fresh=True)
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    _user_form_choices(form, user)
    result = web.submit(form, lambda: services.update_user(user, _form_data(form), current_user), show=False)
    if result:
        flash(_("Saved.") if result.value else _("Nothing changed."), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    _show_refusal(form, result.error)
    return render_template("admin/user_form.html", form=form, user=user, mandates=mandate_services.mandates_of(user),
                           today=dates.today(), expiring_soon=mandate_services.expiring_soon)


def _user_action(user_id: int, action: Callable[[User], str | None], success: str):
    user = db.session.get(User, user_id) or abort(404)
    result = web.attempt_or_error(lambda: action(user))
    if not result:
        flash(str(result.error.message), "error")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    if result.value:
        return render_template("admin/user_created.html", user=user, reset=True,
                               link=external_url("auth.activate", token=result.value))
    flash(success, "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.route("/gebruikers/<int:user_id>/deactiveren", methods=["POST"])
@requires(Permission.MANAGE_USERS, fresh=True)
def user_deactivate(user_id: int):
    return _user_action(user_id, lambda u: services.deactivate_user(u, current_user),
                        _("The account has been deactivated and its sessions ended."))


@bp.route("/gebruikers/<int:user_id>/heractiveren", methods=["POST"])
@requires(Permission.MANAGE_USERS, fresh=True)
def user_reactivate(user_id: int):
    return _user_action(user_id, services.reactivate_user, _("The account has been reactivated."))


@bp.route("/gebruikers/<int:user_id>/tweede-factor-resetten", methods=["POST"])
@requires(Permission.MANAGE_USERS, fresh=True)
def user_reset_2fa(user_id: int):
    return _user_action(user_id, lambda u: services.reset_second_factor(u, current_user), "")


@bp.route("/gebruikers/<int:user_id>/activatielink", methods=["POST"])
@requires(Permission.MANAGE_USERS, fresh=True)
def user_activation_link(user_id: int):
    return _user_action(user_id, lambda u: services.new_activation_link(u, current_user), "")


# --- mandates ------------------------------------------------------------------------

def _mandate_form_choices(form: MandateForm) -> None:
    form.holder_id.choices = queries.mandate_holder_options(blank=_("— choose —"))
    form.municipality_id.choices = queries.options(Municipality, lambda m: f"{m.name} ({m.cbs_code})",
                                                   blank=_("— choose —"))
    # The care types on offer in the chosen municipality's region (none before one is chosen).
    municipality = db.session.get(Municipality, form.municipality_id.data) if form.municipality_id.data else None
    form.care_types.choices = caretypes.choices(municipality.region_id) if municipality else []


@bp.route("/mandaten")
@requires(Permission.MANAGE_MANDATES)
def mandates():
    municipality_id = web.int_arg("municipality")
    status = request.args.get("status", "")
    today = dates.today()
    result = queries.mandates_page(municipality_id=municipality_id,
                                   status=status if status in set(MandateStatus) else None,
                                   page=web.int_arg("page", 1), today=today)
    care_names = caretypes.names_for(m.municipality.region_id for m in result.items)
    return render_page_or_fragment("admin/mandates.html", "admin/_mandate_rows.html", result=result, status=status,
                                   municipality_id=municipality_id, municipalities=queries.options(Municipality),
                                   today=today, expiring_soon=mandate_services.expiring_soon, care_names=care_names)


@bp.route("/mandaten/nieuw", methods=["GET", "POST"])
@requires(Permission.MANAGE_MANDATES)
def mandate_new():
    form = MandateForm()
    _mandate_form_choices(form)
    if form.is_submitted() and request.form.get("refresh") == "1":
        # "Show the care types of this municipality": the same form again, nothing checked or saved.
        return render_template("admin/mandate_form.html", form=form)
    result = web.submit(form, lambda: mandate_services.register_mandate(_form_data(form), current_user), show=False)
    if result:
        flash(_("The mandate has been registered."), "success")
        return redirect(url_for("admin.mandate_detail", mandate_id=result.value.id))
    _show_refusal(form, result.error)
    return render_template("admin/mandate_form.html", form=form)


@bp.route("/mandaten/<int:mandate_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_MANDATES)
def mandate_detail(mandate_id: int):
    mandate = queries.mandate_with_details(mandate_id) or abort(404)
    form = RevokeMandateForm()
    result = web.submit(form, lambda: mandate_services.revoke_mandate(mandate, form.reason.data, current_user),
                        show=False)
    if result:
        if result.value:
            flash(_("The mandate has been revoked."), "success")
        return redirect(url_for("admin.mandate_detail", mandate_id=mandate.id))
    _show_refusal(form, result.error)
    return render_template("admin/mandate_detail.html", m=mandate, form=form, today=dates.today(),
                           expiring_soon=mandate_services.expiring_soon,
                           care_names=caretypes.names(mandate.municipality.region_id))


# --- audit ---------------------------------------------------------------------------

@bp.route("/audit", endpoint="audit")
@requires(Permission.VIEW_AUDIT)
def audit_search():
    form = AuditSearchForm(request.args)
    form.action.choices = [("", _("— all —"))] + [(a.value, AUDIT_ACTION_LABELS[a.value]) for a in Action]
    form.outcome.choices = [("", _("— all —"))] + [(o.value, AUDIT_OUTCOME_LABELS[o.value]) for o in Outcome]
    result = None
    valid = form.validate()
    if valid and form.case_reference.data and not queries.case_exists(form.case_reference.data):
        form.case_reference.errors.append(_("No case has this reference."))
        valid = False
    if valid:
        filters = queries.AuditFilters(
            who=form.who.data or "", action=form.action.data or "",
            object_type=audit_words.object_type_for(form.object_type.data or ""),
            outcome=form.outcome.data or "", date_from=form.date_from.data, date_to=form.date_to.data,
            case_reference=form.case_reference.data or "")
        result = queries.search_audit(filters, web.int_arg("page", 1))
    query_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_page_or_fragment("admin/audit.html", "admin/_audit_results.html", form=form, result=result,
                                   query_args=query_args)


@bp.route("/")
@requires(Permission.MANAGE_REFERENCE_DATA)
def index():
    return redirect(url_for("admin.users"))
