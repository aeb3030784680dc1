"""The collective's pages: the region's providers and their profiles, a provider member keeping their
own organisation's profile, contact persons and capacity, each capacity entry's history, and the
region-wide capacity overview. Thin: load through the policy -> validate -> service in a savepoint
-> respond. Bad input is shown next to its field with everything typed kept; a conflict shows what
is saved now beside the user's own input."""

from __future__ import annotations

from typing import Optional

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ret_app import audit, policy, web
from ret_app.collective import access, capacity, care_types, freshness, profiles, queries
from ret_app.collective.blueprint import bp
from ret_app.collective.forms import CapacityForm, ContactForm, ProfileForm
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.labels import EXPERTISE_LABELS
from ret_app.policy import Permission, region_of, requires
from ret_app.templating import render_page_or_fragment


def _version(text: Optional[str]) -> Optional[int]:
    """The version a form was loaded from ("" or anything else that is not a number: none)."""
    return int(text) if text and text.isdigit() and len(text) <= 12 else None


# --- the region's providers ------------------------------------------------------------------------

@bp.route("/")
@requires(Permission.VIEW_COLLECTIVE)
def providers():
    region_id = region_of(current_user)
    names = care_types.names(region_id)
    expertise = request.args.get("expertise", "")
    care_type = request.args.get("care_type", "")
    filters = queries.ProviderFilters(expertise=expertise if expertise in EXPERTISE_LABELS else "",
                                      care_type=care_type if care_type in names else "",
                                      crisis=request.args.get("crisis") == "1")
    result = queries.providers_page(current_user, filters, page=web.int_arg("page", 1))
    return render_page_or_fragment("collective/providers.html", "collective/_provider_rows.html", result=result,
                                   filters=filters, care_type_names=names, expertise_labels=EXPERTISE_LABELS)


@bp.route("/aanbieders/<int:organisation_id>")
@requires(Permission.VIEW_COLLECTIVE)
def provider(organisation_id: int):
    organisation = access.provider_or_404(organisation_id)
    profile = profiles.profile_of(organisation.id)
    entries = capacity.entries_of(organisation.id)
    positions = care_types.positions(organisation.region_id)
    offered = sorted(profile.care_type_codes if profile else (), key=lambda code: positions.get(code, len(positions)))
    return render_template("collective/provider.html", organisation=organisation, profile=profile, entries=entries,
                           offered=offered,
                           rule=freshness.rule_for(organisation.region_id),
                           care_type_names=care_types.names(organisation.region_id),
                           keeps=policy.can_keep_provider(current_user, organisation))


# --- keeping one's own profile ---------------------------------------------------------------------

def _profile_form(organisation, profile, *, posted: bool) -> ProfileForm:
    if posted:
        form = ProfileForm()
    else:
        form = ProfileForm(formdata=None, data={**profiles.saved_values(profile),
                                                "version": str(profile.version) if profile else ""})
    form.care_types.choices = care_types.choices(organisation.region_id,
                                                 keep=profile.care_type_codes if profile else ())
    return form


def _render_profile_form(organisation, profile, form, contact_form=None, conflict=None, status=200):
    return render_template("collective/profile_form.html", organisation=organisation, profile=profile, form=form,
                           contact_form=contact_form or ContactForm(formdata=None, prefix="contact"),
                           conflict=conflict, care_type_names=care_types.names(organisation.region_id),
                           expertise_labels=EXPERTISE_LABELS), status


@bp.route("/aanbieders/<int:organisation_id>/profiel", methods=["GET", "POST"])
@requires(Permission.KEEP_PROVIDER_PROFILE)
def profile_edit(organisation_id: int):
    organisation = access.kept_provider_or_404(organisation_id)
    profile = profiles.profile_of(organisation.id)
    posted = request.method == "POST"
    form = _profile_form(organisation, profile, posted=posted)
    if not posted:
        return _render_profile_form(organisation, profile, form)
    loaded = _version(form.version.data)
    result = web.submit(form, lambda: profiles.save_profile(organisation, form.data, current_user, loaded),
                        refusal=web.Refusal("provider_profile", object_id=organisation.id))
    if result:
        flash(_("The profile has been saved.") if result.value else _("Nothing was changed."), "success")
        return redirect(url_for("collective.provider", organisation_id=organisation.id))
    conflict = None
    if result.conflict:
        db.session.expire_all()
        profile = profiles.profile_of(organisation.id)
        conflict = {"message": str(result.error.message),
                    "saved": result.error.detail if result.error.detail is not None else profiles.saved_values(profile)}
        # Saving again is now a deliberate choice over what is saved; the input stays as typed.
        form.version.data = str(profile.version) if profile else ""
    return _render_profile_form(organisation, profile, form, conflict=conflict)


@bp.route("/aanbieders/<int:organisation_id>/contactpersonen", methods=["POST"])
@requires(Permission.KEEP_PROVIDER_PROFILE)
def contact_add(organisation_id: int):
    organisation = access.kept_provider_or_404(organisation_id)
    contact_form = ContactForm(prefix="contact")
    result = web.submit(contact_form, lambda: profiles.add_contact(organisation, contact_form.data, current_user),
                        refusal=web.Refusal("provider_contact", detail=lambda fields: (
                            f"provider={organisation.id};invalid fields=" + ",".join(fields))))
    if result:
        flash(_("The contact person has been added."), "success")
        return redirect(url_for("collective.profile_edit", organisation_id=organisation.id) + "#contacts")
    profile = profiles.profile_of(organisation.id)
    return _render_profile_form(organisation, profile, _profile_form(organisation, profile, posted=False),
                                contact_form=contact_form)


@bp.route("/aanbieders/<int:organisation_id>/contactpersonen/<int:contact_id>/verwijderen", methods=["POST"])
@requires(Permission.KEEP_PROVIDER_PROFILE)
def contact_remove(organisation_id: int, contact_id: int):
    organisation = access.kept_provider_or_404(organisation_id)
    contact = access.contact_or_404(organisation, contact_id)
    result = web.attempt_or_error(lambda: profiles.remove_contact(organisation, contact, current_user))
    if result:
        flash(_("The contact person has been removed."), "success")
    else:
        flash(str(result.error.message), "error")
    return redirect(url_for("collective.profile_edit", organisation_id=organisation.id) + "#contacts")


# --- the capacity register -------------------------------------------------------------------------

def _capacity_form(entry, *, posted: bool) -> tuple[CapacityForm, bool]:
    """The form, and whether the saved expected date has passed (then it is not filled in again)."""
    if posted:
        return CapacityForm(), False
    data = dict(capacity.saved_values(entry) or {})
    passed = bool(data.get("expected_on") and data["expected_on"] < dates.today())
    if passed:
        data["expected_on"] = data["expected_places"] = None
    data["version"] = str(entry.version) if entry else ""
    return CapacityForm(formdata=None, data=data), passed


@bp.route("/aanbieders/<int:organisation_id>/capaciteit/<care_type>", methods=["GET", "POST"])
@requires(Permission.KEEP_PROVIDER_PROFILE)
def capacity_edit(organisation_id: int, care_type: str):
    organisation = access.kept_provider_or_404(organisation_id)
    care_type = access.offered_care_type_or_404(organisation, care_type, action=audit.Action.UPDATE)
    entry = capacity.entry_for(organisation.id, care_type)
    posted = request.method == "POST"
    form, passed = _capacity_form(entry, posted=posted)
    conflict = None
    if posted:
        loaded = _version(form.version.data)
        result = web.submit(form, lambda: capacity.update(organisation, care_type, form.data, current_user, loaded),
                            refusal=web.Refusal("capacity_entry", object_id=entry.id if entry else None,
                                                detail=lambda fields: f"provider={organisation.id};care_type={care_type};"
                                                                      "invalid fields=" + ",".join(fields)))
        if result:
            flash(_("The capacity for %(care_type)s has been saved.",
                    care_type=care_types.names(organisation.region_id).get(care_type, care_type)), "success")
            return redirect(url_for("collective.provider", organisation_id=organisation.id) + "#capacity")
        if result.conflict:
            db.session.expire_all()
            entry = capacity.entry_for(organisation.id, care_type)
            conflict = {"message": str(result.error.message),
                        "saved": result.error.detail if result.error.detail is not None
                        else capacity.saved_values(entry)}
            form.version.data = str(entry.version) if entry else ""
    return render_template("collective/capacity_form.html", organisation=organisation, care_type=care_type,
                           care_type_name=care_types.names(organisation.region_id).get(care_type, care_type),
                           entry=entry, form=form, conflict=conflict, expected_passed=passed,
                           history=capacity.history(entry, limit=10) if entry else [],
                           rule=freshness.rule_for(organisation.region_id), today=dates.today())


@bp.route("/aanbieders/<int:organisation_id>/capaciteit/<care_type>/historie")
@requires(Permission.VIEW_COLLECTIVE)
def capacity_history(organisation_id: int, care_type: str):
    organisation = access.provider_or_404(organisation_id)
    care_type = access.offered_care_type_or_404(organisation, care_type)
    entry = capacity.entry_for(organisation.id, care_type)
    return render_template("collective/capacity_history.html", organisation=organisation, care_type=care_type,
                           care_type_name=care_types.names(organisation.region_id).get(care_type, care_type),
                           entry=entry, history=capacity.history(entry) if entry else [],
                           rule=freshness.rule_for(organisation.region_id), keeps=policy.can_keep_provider(current_user, organisation))


# --- the region's capacity overview ----------------------------------------------------------------

@bp.route("/capaciteit")
@requires(Permission.VIEW_CAPACITY_OVERVIEW)
def overview():
    region_id = region_of(current_user)
    names = care_types.names(region_id)
    care_type = request.args.get("care_type", "")
    filters = queries.OverviewFilters(care_type=care_type if care_type in names else "",
                                      provider_id=web.int_arg("provider"),
                                      with_places=request.args.get("with_places") == "1",
                                      only_stale=request.args.get("stale") == "1")
    rule = freshness.rule_for(region_id)
    result = queries.overview_page(current_user, filters, rule, page=web.int_arg("page", 1))
    return render_page_or_fragment("collective/overview.html", "collective/_overview_rows.html", result=result,
                                   filters=filters, rule=rule, care_type_names=names,
                                   providers=queries.region_providers(current_user))
