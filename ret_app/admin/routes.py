"""Functional management: reference data, users, mandates, audit metadata. Never case content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select

from ret_app.kernel import dates
from ret_app import audit
from ret_app.admin.blueprint import bp
from ret_app.admin import services
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
from ret_app.kernel.errors import RuleError
from ret_app.extensions import db
from ret_app.mandates import services as mandate_services
from ret_app.models import Mandate, MandateStatus, Municipality, Network, Organisation, Region, Role, User
from ret_app.policy import MANDATE_HOLDER_ROLES, Permission, requires
from ret_app.labels import AUDIT_ACTION_LABELS, AUDIT_OUTCOME_LABELS, ORGANISATION_KIND_LABELS, ROLE_LABELS
from ret_app.templating import render_page_or_fragment



def _form_data(form: FlaskForm) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def _apply_rule_error(form: FlaskForm, error: RuleError) -> None:
    field = form._fields.get(error.field)
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        flash(str(error.message), "error")


def _options(model, label: Callable = lambda o: o.name, *, blank=None, where=None):
    stmt = select(model).order_by(model.name)
    if where is not None:
        stmt = stmt.where(where)
    options = [(o.id, label(o)) for o in db.session.scalars(stmt)]
    return ([(None, blank)] if blank is not None else []) + options


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
    columns: tuple  # (label, callable)


def _network_choices(form):
    form.network_id.choices = _options(Network, blank=_("— none —"))


def _region_choices(form, blank=True):
    form.region_id.choices = _options(Region, blank=_("— choose —") if blank else None)


def _organisation_choices(form):
    _region_choices(form)
    form.municipality_id.choices = _options(Municipality, lambda m: f"{m.name} ({m.region.name})", blank=_("— none —"))
    form.network_id.choices = _options(Network, blank=_("— none —"))


REFERENCES = {
    "network": Reference(Network, NetworkForm, services.save_network, _l("Supra-regional networks"), _l("network"),
                         "admin.networks", "admin.network_edit",
                         ((_l("Name"), lambda o: o.name), (_l("Short name"), lambda o: o.short_name),
                          (_l("Regions"), lambda o: ", ".join(r.name for r in o.regions)))),
    "region": Reference(Region, RegionForm, services.save_region, _l("Regions"), _l("region"),
                        "admin.regions", "admin.region_edit",
                        ((_l("Name"), lambda o: o.name),
                         (_l("Network"), lambda o: o.network.short_name if o.network else "—"),
                         (_l("Municipalities"), lambda o: len(o.municipalities)))),
    "municipality": Reference(Municipality, MunicipalityForm, services.save_municipality, _l("Municipalities"),
                              _l("municipality"), "admin.municipalities", "admin.municipality_edit",
                              ((_l("Name"), lambda o: o.name), (_l("CBS code"), lambda o: o.cbs_code),
                               (_l("Region"), lambda o: o.region.name))),
    "organisation": Reference(Organisation, OrganisationForm, services.save_organisation, _l("Organisations"),
                              _l("organisation"), "admin.organisations", "admin.organisation_edit",
                              ((_l("Name"), lambda o: o.name),
                               (_l("Kind"), lambda o: ORGANISATION_KIND_LABELS.get(o.kind, o.kind)),
                               (_l("Region"), lambda o: o.region.name if o.region else "—"),
                               (_l("Municipality / network"),
                                lambda o: o.municipality.name if o.municipality else (o.network.short_name if o.network else "—")),
                               (_l("Collective"), lambda o: _("yes") if o.collective_member else ""),
                               (_l("Active"), lambda o: _("yes") if o.active else _("no")))),
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
    if form.validate_on_submit():
        try:
            obj = ref.save(None, _form_data(form))
            db.session.commit()
            flash(_("Saved: %(name)s.", name=obj.name), "success")
            return redirect(url_for(ref.list_endpoint))
        except RuleError as error:
            db.session.rollback()
            _apply_rule_error(form, error)
    rows = list(db.session.scalars(select(ref.model).order_by(ref.model.name)))
    return render_template("admin/reference_list.html", ref=ref, kind=kind, rows=rows, form=form)


def _reference_edit(kind: str, object_id: int):
    ref = REFERENCES[kind]
    obj = db.session.get(ref.model, object_id)
    if obj is None:
        abort(404)
    form = ref.form(obj=obj)
    CHOICES[kind](form)
    if form.validate_on_submit():
        try:
            ref.save(obj, _form_data(form))
            db.session.commit()
            flash(_("Saved: %(name)s.", name=obj.name), "success")
            return redirect(url_for(ref.list_endpoint))
        except RuleError as error:
            db.session.rollback()
            _apply_rule_error(form, error)
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
    from ret_app.cases.norms import norms_for

    region = db.session.get(Region, object_id) or abort(404)
    form = RegionNormsForm(obj=norms_for(region.id))
    if form.validate_on_submit():
        services.save_region_norms(region, _form_data(form))
        db.session.commit()
        flash(_("The norms of %(region)s have been saved.", region=region.name), "success")
        return redirect(url_for("admin.regions"))
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
    form.organisation_id.choices = _options(Organisation, lambda o: o.name, blank=_("— choose —"), where=selectable)


@bp.route("/gebruikers")
@requires(Permission.MANAGE_USERS)
def users():
    q = request.args.get("q", "").strip()[:200]
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    page = request.args.get("page", 1, type=int)
    stmt = services.user_list_query(q=q, role=role if role in ROLE_LABELS else "", status=status)
    result = services.paginate(stmt, page, 50)
    return render_page_or_fragment("admin/users.html", "admin/_user_rows.html", result=result, q=q, role=role,
                    status=status, roles=ROLE_LABELS)


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def user_new():
    form = UserForm()
    _user_form_choices(form)
    if form.validate_on_submit():
        try:
            created = services.create_user(_form_data(form), current_user)
            db.session.commit()
            return render_template("admin/user_created.html", user=created.user,
                                   link=url_for("auth.activate", token=created.activation_token, _external=True))
        except RuleError as error:
            db.session.rollback()
            _apply_rule_error(form, error)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS, fresh=True)
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    _user_form_choices(form, user)
    if form.validate_on_submit():
        try:
            changed = services.update_user(user, _form_data(form), current_user)
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
        except RuleError as error:
            db.session.rollback()
            _apply_rule_error(form, error)
    mandates = mandate_services.mandates_of(user)
    return render_template("admin/user_form.html", form=form, user=user, mandates=mandates, today=dates.today(),
                           expiring_soon=mandate_services.expiring_soon)


def _user_action(user_id: int, action: Callable[[User], str | None], success: str):
    user = db.session.get(User, user_id) or abort(404)
    try:
        link_token = action(user)
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    if link_token:
        return render_template("admin/user_created.html", user=user, reset=True,
                               link=url_for("auth.activate", token=link_token, _external=True))
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
    holders = db.session.scalars(
        select(User).where(User.role.in_([r.value for r in MANDATE_HOLDER_ROLES]), User.deactivated_at.is_(None))
        .order_by(User.name))
    form.holder_id.choices = [(None, _("— choose —"))] + [(u.id, f"{u.name} ({u.organisation.name})") for u in holders]
    form.municipality_id.choices = _options(Municipality, lambda m: f"{m.name} ({m.cbs_code})", blank=_("— choose —"))


@bp.route("/mandaten")
@requires(Permission.MANAGE_MANDATES)
def mandates():
    municipality_id = request.args.get("municipality", type=int)
    status = request.args.get("status", "")
    page = request.args.get("page", 1, type=int)
    stmt = mandate_services.mandate_list_query(municipality_id=municipality_id,
                                               status=status if status in set(MandateStatus) else None)
    result = services.paginate(stmt, page, 50)
    return render_page_or_fragment("admin/mandates.html", "admin/_mandate_rows.html", result=result, status=status,
                    municipality_id=municipality_id, municipalities=_options(Municipality),
                    today=dates.today(), expiring_soon=mandate_services.expiring_soon)


@bp.route("/mandaten/nieuw", methods=["GET", "POST"])
@requires(Permission.MANAGE_MANDATES)
def mandate_new():
    form = MandateForm()
    _mandate_form_choices(form)
    if form.validate_on_submit():
        holder = db.session.get(User, form.holder_id.data)
        if holder is None or Role(holder.role) not in MANDATE_HOLDER_ROLES:
            form.holder_id.errors.append(_("Only caseworkers can hold a mandate."))
        else:
            mandate = mandate_services.register_mandate(_form_data(form), current_user)
            db.session.commit()
            flash(_("The mandate has been registered."), "success")
            return redirect(url_for("admin.mandate_detail", mandate_id=mandate.id))
    return render_template("admin/mandate_form.html", form=form)


@bp.route("/mandaten/<int:mandate_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_MANDATES)
def mandate_detail(mandate_id: int):
    mandate = db.session.get(Mandate, mandate_id) or abort(404)
    form = RevokeMandateForm()
    if form.validate_on_submit():
        if mandate_services.revoke_mandate(mandate, form.reason.data, current_user):
            db.session.commit()
            flash(_("The mandate has been revoked."), "success")
        return redirect(url_for("admin.mandate_detail", mandate_id=mandate.id))
    return render_template("admin/mandate_detail.html", m=mandate, form=form, today=dates.today(),
                           expiring_soon=mandate_services.expiring_soon)


# --- audit ---------------------------------------------------------------------------

@bp.route("/audit", endpoint="audit")
@requires(Permission.VIEW_AUDIT)
def audit_search():
    form = AuditSearchForm(request.args)
    form.action.choices = [("", _("— all —"))] + [(a.value, AUDIT_ACTION_LABELS[a.value]) for a in audit.Action]
    form.outcome.choices = [("", _("— all —"))] + [(o.value, AUDIT_OUTCOME_LABELS[o.value]) for o in audit.Outcome]
    page = request.args.get("page", 1, type=int)
    result = None
    if form.validate():
        stmt = services.audit_search_query(
            who=form.who.data or "", action=form.action.data or "", object_type=form.object_type.data or "",
            outcome=form.outcome.data or "", date_from=form.date_from.data, date_to=form.date_to.data)
        result = services.paginate(stmt, page, 50)
        audit.record(audit.Action.SEARCH, object_type="audit_event",
                     detail="filters=" + ",".join(k for k, v in form.data.items() if v))
        db.session.commit()
    query_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_page_or_fragment("admin/audit.html", "admin/_audit_results.html", form=form, result=result, query_args=query_args)


@bp.route("/")
@requires(Permission.MANAGE_REFERENCE_DATA)
def index():
    return redirect(url_for("admin.users"))
